// @ts-check
// The benchmark page: gradscope's trainer against a plain-JS MLP, in the same run, so the
// ratio is measured here and now on this machine (shared machines are noisy: compare
// ratios, not absolute numbers across runs).

import init, { Gpu, Trainer, MatmulCase } from "../pkg/gradscope.js";
import { $, el } from "./dom.js";
import { messageOf } from "./errors.js";
import { PlainMlp } from "./plain-mlp.js";
import { medianMs, yieldToPage } from "./timing.js";
import { keystrokeOptions, keystrokes } from "./bench-keystroke.js";
import { mountThemeControls } from "./theme.js";

mountThemeControls();

/** @typedef {import("../pkg/gradscope.js").Config} Config */
/** A trainer workload against the plain-JS MLP.
 * @typedef {{ name: string, hidden: number, activation: "relu" | "tanh", batch: number }} Workload */
/** gradscope against plain JS (a ratio > 1: gradscope is faster), or gradscope alone.
 * @typedef {{ workload: string, gradscope: number, plain_js?: number, ratio?: number }} Comparison */
/** The CPU kernel against WebGPU (and TF.js and plain JS for matrix products); null where
 * a backend was not run.
 * @typedef {{ workload: string, cpu_ms: number, gpu_ms: number | null, max_diff: number | null,
 *   cpu_gflops?: number | null, tfjs_wasm_gflops?: number | null, naive_js_gflops?: number | null,
 *   gpu_gflops?: number | null, tfjs_webgpu_gflops?: number | null }} BackendRow */
/** @typedef {import("./bench-keystroke.js").KeystrokeRow} KeystrokeRow */
/** @typedef {(Comparison | BackendRow | KeystrokeRow)[]} Results */

/** @type {Workload[]} */
const WORKLOADS = [
  { name: "2-8-8-1 tanh, batch 10, steps/s", hidden: 8, activation: "tanh", batch: 10 },
  { name: "2-8-8-1 tanh, batch 500, steps/s", hidden: 8, activation: "tanh", batch: 500 },
  { name: "2-16-16-1 relu, batch 500, steps/s", hidden: 16, activation: "relu", batch: 500 },
];

const report = $("main"); // where the tables and sentences go
const progress = $("#progress", HTMLProgressElement);

/** Median of `repeats` timings of `run()`, each at least `minMs` long; returns units per second.
 * @param {() => unknown} run @param {number} unitsPerRun @param {number} [minMs] @param {number} [repeats] */
function rate(run, unitsPerRun, minMs = 300, repeats = 3) {
  const rates = [];
  for (let r = 0; r < repeats; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < minMs) {
      run();
      n++;
      t = performance.now();
    }
    rates.push((n * unitsPerRun * 1000) / (t - t0));
  }
  return rates.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}

/** @param {Workload} w @returns {Partial<Config>} */
function config(w) {
  return {
    dataset: "moons", points: 500, test_fraction: 0, hidden: [w.hidden, w.hidden],
    activations: [w.activation, w.activation], loss: "logistic", optimizer: "sgd",
    learning_rate: 0.03, batch_size: w.batch,
  };
}

/** A table row of text cells. @param {string[]} cells */
const tableRow = (cells) => el("tr", {}, ...cells.map((text) => el("td", { textContent: text })));

/** A number for the tables: 2 decimals below 100, none above. @param {number} x */
const figure = (x) => x.toFixed(x < 100 ? 2 : 0);

async function run() {
  /** @type {Results} */
  const results = [];
  const typing = keystrokeOptions();
  if (typing.only) {
    results.push(...(await keystrokes(report, typing)));
    Object.assign(window, { benchResult: results });
    document.title = "DONE";
    return;
  }
  const body = $("#results tbody");
  body.replaceChildren();
  const total = WORKLOADS.length + 2;
  /** @param {string} name @param {number} ours @param {number} base @param {string} [unit] */
  const row = (name, ours, base, unit = "") => body.append(tableRow([name, figure(ours) + unit, figure(base) + unit, (ours / base).toFixed(2) + "×"]));
  for (const [i, w] of WORKLOADS.entries()) {
    const trainer = new Trainer(config(w));
    const data = trainer.data();
    const xs = Float32Array.from(data.points.flat());
    const ys = Float32Array.from(data.labels, (l) => (l === 1 ? 1 : -1));
    const stepsPerCall = w.batch === 10 ? 200 : 5;
    const ours = rate(() => trainer.step(stepsPerCall), stepsPerCall);
    trainer.free();
    const mlp = new PlainMlp([2, w.hidden, w.hidden, 1], w.activation);
    const order = Array.from({ length: 500 }, (_, k) => k);
    let cursor = 0;
    const batch = new Array(w.batch);
    const base = rate(() => {
      for (let k = 0; k < w.batch; k++) batch[k] = order[(cursor + k) % 500];
      cursor = (cursor + w.batch) % 500;
      mlp.step(xs, ys, batch, 0.03);
    }, 1);
    results.push({ workload: w.name, gradscope: ours, plain_js: base, ratio: ours / base });
    row(w.name, ours, base);
    progress.value = (i + 1) / total;
    await yieldToPage();
  }
  // Forward over a 256 × 256 grid (the heatmap of a big view), relu 2-16-16-1, in ms.
  {
    const w = WORKLOADS[2];
    const trainer = new Trainer(config(w));
    trainer.grid(256); // builds the grid network once
    const ours = 1000 / rate(() => trainer.grid(256), 1, 500);
    const mlp = new PlainMlp([2, 16, 16, 1], "relu");
    const base = 1000 / rate(() => {
      let s = 0;
      for (let r = 0; r < 256; r++) for (let c = 0; c < 256; c++) s += mlp.forward(c / 128 - 1, 1 - r / 128);
      return s;
    }, 1, 500);
    trainer.free();
    results.push({ workload: "forward over a 256 × 256 grid, relu 2-16-16-1, ms", gradscope: ours, plain_js: base, ratio: base / ours });
    row("forward over a 256 × 256 grid, relu 2-16-16-1 (ms, lower is better)", ours, base, " ms");
    progress.value = (WORKLOADS.length + 1) / total;
  }
  // One frame of the training page's drawing work: evaluation, 100 × 100 heatmap, neurons.
  {
    const trainer = new Trainer({});
    trainer.step(10);
    const ms = 1000 / rate(() => {
      trainer.evaluate();
      trainer.grid(100);
      trainer.neurons(20);
      trainer.layers();
    }, 1, 500);
    trainer.free();
    results.push({ workload: "training page redraw data (default network), ms per frame", gradscope: ms });
    body.append(tableRow(["training page: evaluate + 100×100 heatmap + neuron maps (ms/frame)", ms.toFixed(2) + " ms", "", ""]));
    progress.value = 1;
  }
  await matmuls(results);
  results.push(...(await keystrokes(report, typing)));
  Object.assign(window, { benchResult: results });
  document.title = "DONE";
}

/** The plain triple loop in JavaScript: the baseline every kernel is compared with.
 * @param {Float32Array} a @param {Float32Array} b @param {number} m @param {number} k @param {number} n
 * @param {Float32Array} c */
function naive(a, b, m, k, n, c) {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
  }
}

/** TF.js, if `./build.sh bench` put it in www/vendor/tfjs: the reference implementations
 * (XNNPACK on wasm, its WebGPU backend), measured in this same page.
 * @returns {Promise<Tf | null>} */
async function loadTfjs() {
  /** @param {string} src @returns {Promise<void>} */
  const script = (src) =>
    new Promise((resolve, reject) => {
      const s = el("script", { src });
      s.onload = () => resolve();
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(s);
    });
  try {
    await script("vendor/tfjs/tf-core.min.js");
    await script("vendor/tfjs/tf-backend-wasm.min.js");
    const tf = window.tf;
    if (!tf) return null;
    tf.wasm.setWasmPaths("vendor/tfjs/");
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false); // one thread, like ours
    await script("vendor/tfjs/tf-backend-webgpu.min.js").catch(() => {});
    return tf;
  } catch {
    return null;
  }
}

/** TF.js's time for C = A·B on `backend`, in ms, including reading C back.
 * @param {Tf} tf @param {"wasm" | "webgpu"} backend @param {Float32Array} a @param {Float32Array} b
 * @param {number} m @param {number} k @param {number} n */
async function tfMatmul(tf, backend, a, b, m, k, n) {
  if (!(await tf.setBackend(backend).catch(() => false))) return null;
  await tf.ready();
  // From arrays in memory to an array in memory, as gpu.multiply is timed: uploads included.
  return medianMs(async () => {
    const A = tf.tensor2d(a, [m, k]);
    const B = tf.tensor2d(b, [k, n]);
    const C = tf.matMul(A, B);
    await C.data();
    tf.dispose([A, B, C]);
  });
}

/** The largest |a[i] − b[i]|. @param {ArrayLike<number>} a @param {ArrayLike<number>} b */
function maxDiff(a, b) {
  let diff = 0;
  for (let i = 0; i < b.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  return diff;
}

/** @param {Results} results */
async function matmuls(results) {
  let gpu = null;
  let reason = "";
  try {
    gpu = await Gpu.open();
  } catch (e) {
    reason = messageOf(e);
  }
  const tf = await loadTfjs();
  const head = ["m × k × n", "CPU wasm SIMD GFLOP/s", "TF.js wasm GFLOP/s", "plain JS GFLOP/s", "WebGPU GFLOP/s", "TF.js WebGPU GFLOP/s", "CPU ms", "WebGPU ms", "max |GPU − CPU|"];
  const table = el("table", {}, el("tr", {}, ...head.map((h) => el("th", { textContent: h }))));
  const caption = el("p", {
    textContent: (gpu ? `WebGPU: ${gpu.name}${gpu.software ? " (a software adapter)" : ""}` : `No WebGPU: ${reason}`) +
      (tf ? `. TF.js ${tf.version_core} beside it.` : ". TF.js is not in www/vendor (./build.sh bench puts it there)."),
  });
  report.append(el("h2", { textContent: "Matrix products" }), caption, table);
  const shapes = [[64, 64, 64], [256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [10000, 2, 16], [10000, 16, 16], [65536, 16, 16]];
  for (const [m, k, n] of shapes) {
    const flops = 2 * m * k * n;
    const c = new MatmulCase(m, k, n, 1n);
    const cpuPerSec = rate(() => c.run(1), 1, 400);
    const cpuMs = 1000 / cpuPerSec;
    const a = c.a;
    const b = c.b;
    let naiveGflops = null;
    if (flops <= 2 * 512 ** 3) {
      const out = new Float32Array(m * n);
      naiveGflops = (rate(() => naive(a, b, m, k, n, out), 1, 400, 1) * flops) / 1e9;
    }
    let gpuMs = null;
    let diff = null;
    if (gpu && flops <= 2 * 1024 ** 3) {
      const onGpu = gpu;
      gpuMs = await medianMs(() => onGpu.multiply(a, b, m, k, n));
      const got = await onGpu.multiply(a, b, m, k, n);
      c.run(1);
      diff = maxDiff(got, c.c);
    }
    c.free();
    const tfWasmMs = tf ? await tfMatmul(tf, "wasm", a, b, m, k, n) : null;
    const tfGpuMs = tf && gpu && flops <= 2 * 1024 ** 3 ? await tfMatmul(tf, "webgpu", a, b, m, k, n) : null;
    /** @param {number | null} ms */
    const gflops = (ms) => (ms ? flops / ms / 1e6 : null);
    /** @type {BackendRow} */
    const row = {
      workload: `matmul ${m}×${k}×${n}`,
      cpu_gflops: gflops(cpuMs),
      tfjs_wasm_gflops: gflops(tfWasmMs),
      naive_js_gflops: naiveGflops,
      gpu_gflops: gflops(gpuMs),
      tfjs_webgpu_gflops: gflops(tfGpuMs),
      cpu_ms: cpuMs,
      gpu_ms: gpuMs,
      max_diff: diff,
    };
    results.push(row);
    const cells = [row.cpu_gflops, row.tfjs_wasm_gflops, row.naive_js_gflops, row.gpu_gflops, row.tfjs_webgpu_gflops, row.cpu_ms, row.gpu_ms, row.max_diff];
    /** @param {number | null | undefined} v */
    const text = (v) => (v === null || v === undefined ? "–" : v < 0.01 && v > 0 ? v.toExponential(1) : v.toFixed(2));
    table.append(tableRow([`${m}×${k}×${n}`, ...cells.map(text)]));
    await yieldToPage();
  }
  // The default network's forward pass over a 256 × 256 grid, on each backend.
  const trainer = new Trainer({});
  trainer.step(50);
  const cpuMs = 1000 / rate(() => trainer.grid(256), 1, 400);
  /** @type {BackendRow} */
  const row = { workload: "forward of the default network over a 256 × 256 grid", cpu_ms: cpuMs, gpu_ms: null, max_diff: null };
  let onGpu = "";
  if (gpu) {
    const gpuMs = await medianMs(() => gpu.grid(trainer, 256));
    const diff = maxDiff(await gpu.grid(trainer, 256), trainer.grid(256));
    Object.assign(row, { gpu_ms: gpuMs, max_diff: diff });
    onGpu = `, WebGPU ${gpuMs.toFixed(2)} ms (max difference in probability ${diff.toExponential(1)})`;
  }
  trainer.free();
  results.push(row);
  report.append(el("p", { textContent: `Forward pass of the default network over a 256 × 256 grid: CPU ${cpuMs.toFixed(2)} ms${onGpu}` }));
  if (gpu) await gpuTraining(gpu, results);
}

/** Large-batch training steps on each backend: the same network and batches, so the
 * weights after the same number of steps can be compared too.
 * @param {Gpu} gpu @param {Results} results */
async function gpuTraining(gpu, results) {
  /** @type {Partial<Config>} */
  const config = {
    dataset: "spiral", classes: 3, points: 5000, noise: 0.05, hidden: [64, 64], activations: ["relu", "relu"],
    loss: "softmax_cross_entropy", optimizer: "adam", learning_rate: 0.01, batch_size: 2048,
  };
  const STEPS = 10;
  const cpu = new Trainer(config);
  const onGpu = new Trainer(config);
  const cpuMs = (await medianMs(async () => cpu.step(STEPS))) / STEPS;
  const gpuMs = (await medianMs(async () => onGpu.finishGpuSteps(await gpu.train(onGpu, STEPS)))) / STEPS;
  const [a, b] = [cpu.layers(), onGpu.layers()];
  const diff = Math.max(...a.map((l, i) => maxDiff(l.w, b[i].w)));
  cpu.free();
  onGpu.free();
  results.push({ workload: "training 2-64-64-3 relu, batch 2048, ms per step", cpu_ms: cpuMs, gpu_ms: gpuMs, max_diff: diff });
  report.append(el("p", {
    textContent: `Training a 2-64-64-3 relu network on batches of 2048: CPU ${cpuMs.toFixed(2)} ms per step, ` +
      `WebGPU ${gpuMs.toFixed(2)} ms per step (largest weight difference after the same steps ${diff.toExponential(1)})`,
  }));
}

await init();
$("#run").addEventListener("click", run);
if (new URLSearchParams(location.search).get("auto") === "1") run();
