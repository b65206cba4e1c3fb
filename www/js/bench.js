// The benchmark page: gradscope's trainer against a plain-JS MLP, in the same run, so the
// ratio is measured here and now on this machine (shared machines are noisy: compare
// ratios, not absolute numbers across runs).

import init, { Trainer } from "../pkg/gradscope.js";
import { PlainMlp } from "./plain-mlp.js";

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
  window.benchResult = results;
  document.title = "DONE";
}

await init();
$("#run").addEventListener("click", run);
if (new URLSearchParams(location.search).get("auto") === "1") run();
