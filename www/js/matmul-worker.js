// @ts-check
// One core's share of a matrix product, for the benchmark page's two-core side
// (bench-gradscope.js): a wasm instance of its own, holding the same seeded A and B as the
// page's, so that a call moves only the rows of C it computed. A module worker; its
// messages, one at a time: {kind: "init", pkg} (the glue's URL, as the page resolved it),
// {kind: "case", m, k, n, seed}, {kind: "run", from, to}. Each is answered with
// {kind: "ready"}, {kind: "rows", c} (C's rows, transferred) or {kind: "error", message}.
//
// Where the page is cross-origin isolated, {kind: "shared", m, k, n, seed, from, to, memory}
// instead hands over a SharedArrayBuffer: two Int32 flags, then C. After "ready" the worker
// waits on the first flag (no message per product: at 256³ the messages' round trip took
// about a quarter of the time), computes rows from..to into C at each new count, and
// answers with the count in the second flag (-1 if it failed). A count of -1 ends the
// wait, and the worker reads messages again.

/** @type {typeof import("../pkg/gradscope.js") | null} */
let pkg = null;
/** @type {import("../pkg/gradscope.js").MatmulCase | null} */
let matmul = null;

self.onmessage = async ({ data }) => {
  try {
    if (data.kind === "init") {
      const glue = await import(data.pkg);
      await glue.default();
      pkg = glue;
      self.postMessage({ kind: "ready" });
    } else if (data.kind === "case") {
      if (!pkg) throw new Error("the worker has no wasm yet: send init first");
      matmul?.free();
      matmul = new pkg.MatmulCase(data.m, data.k, data.n, BigInt(data.seed));
      self.postMessage({ kind: "ready" });
    } else if (data.kind === "shared") {
      if (!pkg) throw new Error("the worker has no wasm yet: send init first");
      serve(pkg, data);
    } else if (data.kind === "run") {
      if (!matmul) throw new Error("the worker has no product yet: send case first");
      matmul.run_rows(data.from, data.to);
      const c = matmul.c_rows(data.from, data.to);
      self.postMessage({ kind: "rows", c }, { transfer: [c.buffer] });
    }
  } catch (e) {
    self.postMessage({ kind: "error", message: e instanceof Error ? e.message : String(e) });
  }
};

/** Products on request through shared memory, until the page sets the count to -1.
 * @param {typeof import("../pkg/gradscope.js")} pkg
 * @param {{ m: number, k: number, n: number, seed: number, from: number, to: number, memory: SharedArrayBuffer }} job */
function serve(pkg, { m, k, n, seed, from, to, memory }) {
  const share = new pkg.MatmulCase(m, k, n, BigInt(seed));
  const flags = new Int32Array(memory, 0, 2);
  const c = new Float32Array(memory, 8, m * n);
  self.postMessage({ kind: "ready" });
  let count = 0;
  try {
    for (;;) {
      Atomics.wait(flags, 0, count);
      count = Atomics.load(flags, 0);
      if (count < 0) break;
      share.run_rows(from, to);
      share.c_rows_into(from, to, c);
      Atomics.store(flags, 1, count);
    }
  } catch (e) {
    Atomics.store(flags, 1, -1);
    console.error(e);
  } finally {
    share.free();
  }
}
