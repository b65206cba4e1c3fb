// The benchmark page: gradscope's trainer against a plain-JS MLP, in the same run, so the
// ratio is measured here and now on this machine (shared machines are noisy: compare
// ratios, not absolute numbers across runs).

import init, { Gpu, Trainer, MatmulCase } from "../pkg/gradscope.js";
import { PlainMlp } from "./plain-mlp.js";
import { medianMs } from "./timing.js";

const $ = (s) => document.querySelector(s);

const WORKLOADS = [
  { name: "2-8-8-1 tanh, batch 10, steps/s", hidden: 8, activation: "tanh", batch: 10 },
  { name: "2-8-8-1 tanh, batch 500, steps/s", hidden: 8, activation: "tanh", batch: 500 },
  { name: "2-16-16-1 relu, batch 500, steps/s", hidden: 16, activation: "relu", batch: 500 },
];

/** Median of `repeats` timings of `run()`, each at least `minMs` long; returns runs per second. */
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

function config(w) {
  return {
    dataset: "moons", points: 500, test_fraction: 0, hidden: [w.hidden, w.hidden],
    activations: [w.activation, w.activation], loss: "logistic", optimizer: "sgd",
    learning_rate: 0.03, batch_size: w.batch,
  };
}

async function run() {
  const results = [];
  const body = $("#results tbody");
  body.replaceChildren();
  const total = WORKLOADS.length + 2;
  const row = (name, ours, base, unit = "") => {
    const tr = document.createElement("tr");
    for (const text of [name, ours.toFixed(ours < 100 ? 2 : 0) + unit, base.toFixed(base < 100 ? 2 : 0) + unit, (ours / base).toFixed(2) + "×"]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
  };
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
    $("#progress").value = (i + 1) / total;
    await new Promise((r) => setTimeout(r, 0));
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
    const tr = row("forward over a 256 × 256 grid, relu 2-16-16-1 (ms, lower is better)", ours, base, " ms");
    $("#progress").value = (WORKLOADS.length + 1) / total;
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
    const tr = document.createElement("tr");
    for (const text of ["training page: evaluate + 100×100 heatmap + neuron maps (ms/frame)", ms.toFixed(2) + " ms", "", ""]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
    $("#progress").value = 1;
  }
  await matmuls(results);
  window.benchResult = results;
  document.title = "DONE";
}

/** The plain triple loop in JavaScript: the baseline every kernel is compared with. */
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
 * (XNNPACK on wasm, its WebGPU backend), measured in this same page. */
async function loadTfjs() {
  const script = (src) =>
    new Promise((resolve, reject) => {
      const s = Object.assign(document.createElement("script"), { src });
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(s);
    });
  try {
    await script("vendor/tfjs/tf-core.min.js");
    await script("vendor/tfjs/tf-backend-wasm.min.js");
    window.tf.wasm.setWasmPaths("vendor/tfjs/");
    window.tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false); // one thread, like ours
    await script("vendor/tfjs/tf-backend-webgpu.min.js").catch(() => {});
    return window.tf;
  } catch {
    return null;
  }
}

/** TF.js's time for C = A·B on `backend`, in ms, including reading C back. */
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

async function matmuls(results) {
  let gpu = null;
  let reason = "";
  try {
    gpu = await Gpu.open();
  } catch (e) {
    reason = e.message;
  }
  const tf = await loadTfjs();
  const table = document.createElement("table");
  const head = ["m × k × n", "CPU wasm SIMD GFLOP/s", "TF.js wasm GFLOP/s", "plain JS GFLOP/s", "WebGPU GFLOP/s", "TF.js WebGPU GFLOP/s", "CPU ms", "WebGPU ms", "max |GPU − CPU|"];
  table.innerHTML = "";
  const tr = document.createElement("tr");
  for (const h of head) tr.append(Object.assign(document.createElement("th"), { textContent: h }));
  table.append(tr);
  const caption = document.createElement("p");
  caption.textContent = (gpu ? `WebGPU: ${gpu.name}${gpu.software ? " (a software adapter)" : ""}` : `No WebGPU: ${reason}`) +
    (tf ? `. TF.js ${tf.version_core} beside it.` : ". TF.js is not in www/vendor (./build.sh bench puts it there).");
  document.querySelector("main").append(Object.assign(document.createElement("h2"), { textContent: "Matrix products" }), caption, table);
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
      gpuMs = await medianMs(() => gpu.multiply(a, b, m, k, n));
      const got = await gpu.multiply(a, b, m, k, n);
      c.run(1);
      const want = c.c;
      diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
    }
    c.free();
    const tfWasmMs = tf ? await tfMatmul(tf, "wasm", a, b, m, k, n) : null;
    const tfGpuMs = tf && gpu && flops <= 2 * 1024 ** 3 ? await tfMatmul(tf, "webgpu", a, b, m, k, n) : null;
    const gflops = (ms) => (ms ? flops / ms / 1e6 : null);
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
    const cells = [`${m}×${k}×${n}`, row.cpu_gflops, row.tfjs_wasm_gflops, row.naive_js_gflops, row.gpu_gflops, row.tfjs_webgpu_gflops, row.cpu_ms, row.gpu_ms, row.max_diff];
    const r = document.createElement("tr");
    for (const v of cells) {
      r.append(Object.assign(document.createElement("td"), { textContent: v === null ? "–" : typeof v === "number" ? (v < 0.01 && v > 0 ? v.toExponential(1) : v.toFixed(2)) : v }));
    }
    table.append(r);
    await new Promise((res) => setTimeout(res, 0));
  }
  // The default network's forward pass over a 256 × 256 grid, on each backend.
  const trainer = new Trainer({});
  trainer.step(50);
  const cpuMs = 1000 / rate(() => trainer.grid(256), 1, 400);
  const row = { workload: "forward of the default network over a 256 × 256 grid", cpu_ms: cpuMs, gpu_ms: null, max_diff: null };
  if (gpu) {
    row.gpu_ms = await medianMs(() => gpu.grid(trainer, 256));
    const got = await gpu.grid(trainer, 256);
    const want = trainer.grid(256);
    row.max_diff = 0;
    for (let i = 0; i < want.length; i++) row.max_diff = Math.max(row.max_diff, Math.abs(got[i] - want[i]));
  }
  trainer.free();
  results.push(row);
  const p = document.createElement("p");
  p.textContent = `Forward pass of the default network over a 256 × 256 grid: CPU ${cpuMs.toFixed(2)} ms` +
    (row.gpu_ms === null ? "" : `, WebGPU ${row.gpu_ms.toFixed(2)} ms (max difference in probability ${row.max_diff.toExponential(1)})`);
  document.querySelector("main").append(p);
  if (gpu) await gpuTraining(gpu, results);
}

/** Large-batch training steps on each backend: the same network and batches, so the
 * weights after the same number of steps can be compared too. */
async function gpuTraining(gpu, results) {
  const config = {
    dataset: "spiral", classes: 3, points: 5000, noise: 0.05, hidden: [64, 64], activations: ["relu", "relu"],
    loss: "softmax_cross_entropy", optimizer: "adam", learning_rate: 0.01, batch_size: 2048,
  };
  const STEPS = 10;
  const cpu = new Trainer(config);
  const onGpu = new Trainer(config);
  const cpuMs = (await medianMs(async () => cpu.step(STEPS))) / STEPS;
  const gpuMs = (await medianMs(async () => onGpu.finishGpuSteps(await gpu.train(onGpu, STEPS)))) / STEPS;
  let diff = 0;
  const [a, b] = [cpu.layers(), onGpu.layers()];
  a.forEach((l, i) => l.w.forEach((w, j) => (diff = Math.max(diff, Math.abs(w - b[i].w[j])))));
  cpu.free();
  onGpu.free();
  const row = { workload: "training 2-64-64-3 relu, batch 2048, ms per step", cpu_ms: cpuMs, gpu_ms: gpuMs, max_diff: diff };
  results.push(row);
  const p = document.createElement("p");
  p.textContent = `Training a 2-64-64-3 relu network on batches of 2048: CPU ${cpuMs.toFixed(2)} ms per step, ` +
    `WebGPU ${gpuMs.toFixed(2)} ms per step (largest weight difference after the same steps ${diff.toExponential(1)})`;
  document.querySelector("main").append(p);
}

await init();
$("#run").addEventListener("click", run);
if (new URLSearchParams(location.search).get("auto") === "1") run();
