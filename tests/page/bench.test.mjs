// The benchmark page (issue 15 §1) in a quick run (tiny samples): every workload timed on
// every side it has, each side's result agreeing with gradscope's before it is timed, the
// tables, the targets and window.benchResult filled in. No timing is asserted: machines
// are noisy. TF.js is checked where www/vendor/tfjs has it (./build.sh bench puts it
// there); without it the page must still run gradscope and plain JS.
// `./build.sh test` serves www/ and sets GRADSCOPE_URL; screenshots go to screenshots/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { SHOTS, usePlayground } from "./playground-page.mjs";

const { openPath, browser } = usePlayground();

/** How close each group's results must be to gradscope's (f32, different summation orders). */
const TOLERANCE = { matmul: 1e-3, heatmap: 1e-5, training: 1e-5, webgpu: 1e-3 };

/** A rate as `measure` reports it: 5 samples, the median between the extremes. */
function assertRate(rate, what) {
  assert.ok(rate, `${what}: measured`);
  assert.equal(rate.samples, 5, what);
  assert.ok(rate.min > 0 && rate.min <= rate.median && rate.median <= rate.max && Number.isFinite(rate.max), `${what}: ${JSON.stringify(rate)}`);
  assert.ok(rate.calls >= 5, `${what}: at least one call per sample`);
}

test("a quick run of the benchmark page measures every workload on every side, results checked first", async () => {
  const { page, errors } = await openPath("bench.html?auto=1&quick=1&keystroke=0");
  await page.waitForFunction(() => document.title === "DONE" || document.title === "FAILED", null, { polling: 250, timeout: 300_000 });
  const r = await page.evaluate(() => window.benchResult ?? { error: window.benchError });
  assert.equal(r.error, undefined, "the page did not stop");
  assert.equal(r.quick, true);
  assert.equal(r.crossOriginIsolated, false, "served plainly");
  assert.equal(typeof r.userAgent, "string");
  assert.ok(r.hardwareConcurrency >= 1);
  assert.equal(r.kernel, "wasm relaxed SIMD (FMA)", "Chromium runs the relaxed-SIMD build");

  const cpuRows = r.rows.filter((row) => row.group !== "webgpu");
  assert.deepEqual(cpuRows.map((row) => row.id), [
    "matmul-256", "matmul-512", "matmul-1024",
    "heatmap-16-relu-256", "heatmap-8-tanh-256", "heatmap-8-tanh-100",
    "training-8-tanh-10", "training-8-tanh-500", "training-16-relu-500",
  ]);
  const tf = r.tfjs !== null;
  for (const row of cpuRows) {
    const { gradscope, plain_js: plain, tfjs_wasm_1: one, tfjs_wasm_2: two, tfjs_cpu: cpu } = row.cells;
    assertRate(gradscope.rate, `${row.id} gradscope`);
    assert.equal(gradscope.diff, 0, `${row.id}: gradscope is the reference`);
    // Plain JS's naive product runs only at 256³ in quick runs (1024³ takes seconds).
    // Two cores: the page's thread and a worker, each on half of C's rows of the same seeded
    // matrices, so their product is gradscope's exactly; it needs no isolation.
    const twoCores = row.cells.gradscope_2;
    if (row.group !== "matmul") assert.equal(twoCores, undefined, row.id);
    else if (r.hardwareConcurrency < 2) assert.match(twoCores.skipped, /one core/, row.id);
    else {
      assert.equal(r.productWorker, true, "the product worker started");
      assertRate(twoCores.rate, `${row.id} gradscope on two cores`);
      assert.equal(twoCores.diff, 0, `${row.id}: two cores give gradscope's product exactly`);
    }
    if (row.id === "matmul-512" || row.id === "matmul-1024") assert.equal(plain, undefined, row.id);
    else {
      assertRate(plain.rate, `${row.id} plain JS`);
      assert.ok(plain.diff < TOLERANCE[row.group], `${row.id} plain JS agrees: Δ ${plain.diff}`);
    }
    if (tf) {
      assertRate(one.rate, `${row.id} TF.js wasm`);
      assert.ok(one.diff < TOLERANCE[row.group], `${row.id} TF.js agrees: Δ ${one.diff}`);
      assert.equal(one.tensors[0], one.tensors[1], `${row.id}: TF.js's tensors stay flat while timed`);
      assert.equal(one.tensors[2], 0, `${row.id}: and are all released after`);
      assert.match(two.skipped, /not cross-origin isolated/, `${row.id}: two threads need isolation`);
      if (row.id === "training-8-tanh-10") assertRate(cpu.rate, "TF.js cpu backend at batch 10");
      else assert.equal(cpu, undefined, row.id);
    }
  }
  if (tf) assert.deepEqual(r.tensors, { atStart: 0, atEnd: 0 });
  // The page's browser has no WebGPU flags here: the WebGPU rows are there, with no sides.
  if (r.webgpu === null) {
    for (const row of r.rows.filter((x) => x.group === "webgpu")) {
      assert.deepEqual(Object.keys(row.cells), ["gradscope_webgpu", "tfjs_webgpu", "tfjs_webgpu_resident"], row.id);
      // Without TF.js (a fresh clone: ./build.sh bench fetches it) its cells say that first.
      for (const [side, cell] of Object.entries(row.cells)) assert.match(cell.skipped, side.startsWith("tfjs") && !tf ? /^no TF\.js/ : /^no WebGPU/, `${row.id} ${side}`);
    }
  }

  assert.equal(r.targets.length, 8);
  for (const t of r.targets) assert.ok([true, false, null].includes(t.met), JSON.stringify(t));
  const twoThreads = r.targets.find((t) => /2 threads/.test(t.target) && /heatmap/.test(t.target));
  assert.equal(twoThreads.met, null, "not measured without cross-origin isolation");
  assert.equal(r.memory.steps, 2000);
  assert.ok(r.memory.after >= r.memory.before);

  // On the page: four tables, a row per workload, ratios where both sides ran; the method.
  assert.equal(await page.locator("#tables table").count(), 4);
  assert.equal(await page.locator("#tables tbody tr").count(), r.rows.length);
  const firstRow = await page.locator("#tables tbody tr").first().textContent();
  assert.match(firstRow, /256³/);
  assert.match(firstRow, /\d\.\d\d×/, "a ratio");
  assert.match(await page.textContent("#method"), /5 samples, each repeating the call until at least 100 ms/);
  assert.match(await page.textContent("#tables"), /Not run: TF\.js wasm, 2 threads: the page is not cross-origin isolated|Not run: TF\.js wasm, 1 thread: no TF\.js/);
  assert.equal(await page.locator("#targets li").count(), 9, "the 8 judged, and page weight, which a run cannot judge");
  assert.match(await page.textContent("#environment"), /logical cores/);
  await page.screenshot({ path: `${SHOTS}bench-quick.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a damaged link parameter falls back to its default, and the page says so", async () => {
  const { page, errors } = await openPath("bench.html?auto=1&quick=1&keystroke=maybe&only=keystroke&samples=1&warmup=1");
  await page.waitForFunction(() => document.title === "DONE" || document.title === "FAILED", null, { polling: 250, timeout: 120_000 });
  const r = await page.evaluate(() => window.benchResult);
  assert.deepEqual(r.notes, ["?keystroke= takes 0 or 1; ignored, so on."]);
  assert.equal(r.keystroke.length, 4);
  assert.match(await page.textContent("#environment"), /\?keystroke= takes 0 or 1/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("cross-origin isolated, the two-core product takes the worker's rows through shared memory, exactly", async () => {
  // A server of its own sending COOP/COEP, as `./build.sh bench` runs beside the plain one.
  const port = 20000 + Math.floor(Math.random() * 20000);
  const www = new URL("../../www/", import.meta.url).pathname;
  const server = spawn("python3", [new URL("./serve-isolated.py", import.meta.url).pathname, String(port), www], { stdio: "ignore" });
  const page = await browser()?.newPage();
  assert.ok(page);
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let tries = 0; !(await fetch(`${base}/bench.html`).then((r) => r.ok, () => false)); tries++) {
      assert.ok(tries < 100, "the isolated server started");
      await new Promise((r) => setTimeout(r, 100));
    }
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${base}/bench.html`);
    const r = await page.evaluate(async () => {
      const bench = await import("./js/bench-gradscope.js");
      const worker = await bench.productWorker();
      const cores = navigator.hardwareConcurrency;
      if (!worker) return { isolated: crossOriginIsolated, cores, worker: false };
      // Odd sizes, so the halves differ and no tile is whole; a second product on the same
      // worker shows the first one's wait ended when it was freed.
      const exact = [];
      const shared = [];
      for (const [m, k, n] of [[37, 19, 23], [64, 48, 40]]) {
        const one = bench.gradscopeMatmul(m, k, n);
        const two = bench.gradscopeMatmulTwoCores(m, k, n, worker);
        shared.push(two.shared);
        const expected = one.result();
        let same = true;
        for (let call = 0; call < 3; call++) {
          const got = await two.run();
          same &&= got.length === expected.length && got.every((x, i) => x === expected[i]);
        }
        exact.push(same);
        one.free();
        two.free();
      }
      worker.terminate();
      return { isolated: crossOriginIsolated, cores, worker: true, exact, shared };
    });
    assert.equal(r.isolated, true, "served with COOP/COEP");
    assert.equal(r.worker, r.cores >= 2, "a worker exactly where there are two cores");
    if (r.worker) {
      assert.deepEqual(r.shared, [true, true], "isolated: through shared memory");
      assert.deepEqual(r.exact, [true, true], "three calls each give the one-core product exactly");
    }
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    server.kill();
  }
});
