// @ts-check
// One core's share of a matrix product, for the benchmark page's two-core side
// (bench-gradscope.js): a wasm instance of its own, holding the same seeded A and B as the
// page's, so that a call moves only the rows of C it computed. A module worker; its
// messages, one at a time: {kind: "init", pkg} (the glue's URL, as the page resolved it),
// {kind: "case", m, k, n, seed}, {kind: "run", from, to}. Each is answered with
// {kind: "ready"}, {kind: "rows", c} (C's rows, transferred) or {kind: "error", message}.

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
