// @ts-check
// The benchmark page (issue 15 §1): gradscope beside TF.js 4.22 (wasm on one thread and on
// two, its cpu backend, WebGPU) and a plain-JavaScript MLP, every side timed by the one
// `measure` helper on inputs made beforehand, results compared before anything is timed,
// and ratios from this run alone (shared machines are noisy: compare ratios, not absolute
// numbers across runs). `window.benchResult` holds it all as JSON for tests/page/run-bench.mjs.

import init, { Gpu, Trainer } from "gradscope";
import { $, el } from "./dom.js";
import { messageOf } from "./errors.js";
import { PlainMlp } from "./plain-mlp.js";
import { FULL, QUICK, figure, maxDiff, measure } from "./bench-measure.js";
import { keystrokeOptions, keystrokes } from "./bench-keystroke.js";
import { gradscopeGpuMatmul, gradscopeHeatmap, gradscopeMatmul, gradscopeMatmulTwoCores, gradscopeTrained, gradscopeTraining, memoryGrowth, networkConfig, productWorker } from "./bench-gradscope.js";
import { loadTfjs, tfGpuMatmul, tfHeatmap, tfMatmul, tfTraining, useBackend } from "./bench-tfjs.js";
import { mountThemeControls } from "./theme.js";
import { cpuKernel } from "./wasm-build.js";

mountThemeControls();

/** @typedef {import("./bench-measure.js").Rate} Rate */
/** @typedef {import("./bench-gradscope.js").Prepared} Prepared */
/** @typedef {import("./bench-gradscope.js").Activation} Activation */
/** @typedef {NonNullable<Awaited<ReturnType<typeof productWorker>>>} ProductWorker */
/** @typedef {import("./bench-tfjs.js").Backend} Backend */
/** @typedef {"gradscope" | "gradscope_2" | "tfjs_wasm_1" | "tfjs_wasm_2" | "tfjs_cpu" | "plain_js" | "gradscope_webgpu" | "tfjs_webgpu" | "tfjs_webgpu_resident"} Side */
/** What one side measured: its rate, its largest difference from the reference result, for
 * TF.js its tensor count before the timing, after it, and once the side's tensors are
 * released, and the seconds the timing took; or
 * why it was not run.
 * @typedef {{ rate?: Rate, diff?: number, tensors?: number[], seconds?: number, skipped?: string }} Cell */
/** How to make one side ready: `make` returns the prepared call and the units one call does;
 * `check`, if given, compares the side with the reference in its own way (training).
 * @typedef {{ make: () => { prepared: Prepared, units: number }, check?: () => number }} SideDef */
/**
 * One workload: its group's table, its unit, what every side computes, and the sides.
 * @typedef {object} Row
 * @property {string} id
 * @property {keyof typeof GROUPS} group
 * @property {string} name
 * @property {Float32Array | null} reference what gradscope computes (filled in when it runs)
 * @property {Partial<Record<Side, SideDef>>} defs
 * @property {Partial<Record<Side, Cell>>} cells
 */

const SIDES = /** @type {const} */ ({
  gradscope: "gradscope",
  gradscope_2: "gradscope, 2 cores",
  tfjs_wasm_1: "TF.js wasm, 1 thread",
  tfjs_wasm_2: "TF.js wasm, 2 threads",
  tfjs_cpu: "TF.js cpu",
  plain_js: "plain JS",
  gradscope_webgpu: "gradscope WebGPU",
  tfjs_webgpu: "TF.js WebGPU, inputs uploaded per call",
  tfjs_webgpu_resident: "TF.js WebGPU, inputs resident",
});

/** Each table: its sides (the first is gradscope's, the others are divided into it, unless
 * `pairs` says which of ours is divided by which other), the unit shown and how a rate
 * (units per second) becomes it. */
const GROUPS = /** @type {const} */ ({
  matmul: {
    title: "Matrix products, CPU (f32)", unit: "GFLOP/s", show: (/** @type {number} */ r) => r / 1e9,
    sides: ["gradscope", "gradscope_2", "tfjs_wasm_1", "tfjs_wasm_2", "plain_js"],
    // One core against one thread, two against two.
    pairs: [["gradscope", "tfjs_wasm_1"], ["gradscope_2", "tfjs_wasm_2"], ["gradscope", "tfjs_wasm_2"], ["gradscope", "plain_js"]],
  },
  heatmap: { title: "Heatmap: forward pass over the grid, read back", unit: "ms per heatmap", show: (/** @type {number} */ r) => 1000 / r, sides: ["gradscope", "tfjs_wasm_1", "tfjs_wasm_2", "plain_js"] },
  training: { title: "Training: logistic loss, plain SGD, lr 0.03", unit: "steps/s", show: (/** @type {number} */ r) => r, sides: ["gradscope", "tfjs_wasm_1", "tfjs_wasm_2", "tfjs_cpu", "plain_js"] },
  webgpu: { title: "Matrix products, WebGPU (read-back included)", unit: "GFLOP/s", show: (/** @type {number} */ r) => r / 1e9, sides: ["gradscope_webgpu", "tfjs_webgpu", "tfjs_webgpu_resident"] },
});

/** A group's ratio columns: [ours, theirs] pairs, by default the first side over each other.
 * @param {keyof typeof GROUPS} group @returns {[Side, Side][]} */
function pairsOf(group) {
  const g = GROUPS[group];
  if ("pairs" in g) return g.pairs.map(([a, b]) => [a, b]);
  const [base, ...others] = g.sides;
  return others.map((s) => [base, s]);
}

/** The phases, in order: each side of every workload runs in the phase of its backend, so
 * TF.js switches backend (and restarts wasm with two threads) only once each. */
const PHASES = /** @type {{ sides: Side[], backend?: Backend }[]} */ ([
  { sides: ["gradscope", "gradscope_2", "plain_js"] },
  { sides: ["tfjs_wasm_1"], backend: "wasm-1" },
  { sides: ["tfjs_cpu"], backend: "cpu" },
  { sides: ["tfjs_wasm_2"], backend: "wasm-2" },
  { sides: ["gradscope_webgpu"] },
  { sides: ["tfjs_webgpu", "tfjs_webgpu_resident"], backend: "webgpu" },
]);

const LR = 0.03;
const CHECK_STEPS = 10;
const params = new URLSearchParams(location.search);
const notes = /** @type {string[]} */ ([]);
/** A yes/no link parameter: absent gives `fallback`; anything but 0 or 1 gives it too, with a note.
 * @param {string} name @param {boolean} fallback */
function flag(name, fallback) {
  const v = params.get(name);
  if (v === null) return fallback;
  if (v === "0" || v === "1") return v === "1";
  notes.push(`?${name}= takes 0 or 1; ignored, so ${fallback ? "on" : "off"}.`);
  return fallback;
}
const quick = flag("quick", false);
const withKeystrokes = flag("keystroke", true);
const withGpu = flag("webgpu", true);
const settings = quick ? QUICK : FULL;

const report = $("#report");
const progress = $("#progress", HTMLProgressElement);

/** @param {number} x */
const small = (x) => (x === 0 ? "0" : x < 0.01 ? x.toExponential(1) : x.toFixed(3));

/** The plain triple loop in JavaScript, i-k-j so the inner loop walks rows of B and C.
 * @param {Float32Array} a @param {Float32Array} b @param {number} m @param {number} k @param {number} n
 * @param {Float32Array} c */
function naiveMatmul(a, b, m, k, n, c) {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
    }
  }
  return c;
}

/** x1, x2 at the centre of each cell of a `res × res` grid over [-extent, extent]², row by
 * row from the top, as Trainer.grid lays out its heatmap (the others are handed these).
 * @param {number} extent @param {number} res */
function gridFeatures(extent, res) {
  const xs = new Float32Array(2 * res * res);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      xs[2 * (r * res + c)] = ((c + 0.5) / res) * 2 * extent - extent;
      xs[2 * (r * res + c) + 1] = extent - ((r + 0.5) / res) * 2 * extent;
    }
  }
  return xs;
}

/** Every workload of the issue's table, with each side's preparation.
 * @param {Tf | null} tf @param {Gpu | null} gpu @param {ProductWorker | null} worker
 * @returns {{ rows: Row[], free: () => void }} */
function workloads(tf, gpu, worker) {
  /** @type {Row[]} */
  const rows = [];
  /** @type {(() => void)[]} */
  const frees = [];
  /** @param {string} id @param {keyof typeof GROUPS} group @param {string} name @param {Partial<Record<Side, SideDef>>} defs */
  const add = (id, group, name, defs) => rows.push({ id, group, name, reference: null, defs, cells: {} });
  const tfSide = /** @param {(tf: Tf) => { prepared: Prepared, units: number }} make @param {() => number} [check] */ (make, check) =>
    tf ? { make: () => make(tf), check } : undefined;

  for (const n of [256, 512, 1024]) {
    const flops = 2 * n ** 3;
    const g = gradscopeMatmul(n, n, n);
    frees.push(g.free);
    add(`matmul-${n}`, "matmul", `${n}³`, {
      gradscope: { make: () => ({ prepared: { ...g, free: () => {} }, units: flops }) },
      gradscope_2: worker ? { make: () => ({ prepared: gradscopeMatmulTwoCores(n, n, n, worker), units: flops }) } : undefined,
      tfjs_wasm_1: tfSide((tf) => ({ prepared: tfMatmul(tf, g.a, g.b, n, n, n), units: flops })),
      tfjs_wasm_2: tfSide((tf) => ({ prepared: tfMatmul(tf, g.a, g.b, n, n, n), units: flops })),
      plain_js: quick && n > 256 ? undefined : {
        make: () => {
          const c = new Float32Array(n * n);
          const run = () => naiveMatmul(g.a, g.b, n, n, n, c);
          return { prepared: { run, result: run, free: () => {} }, units: flops };
        },
      },
    });
  }

  /** @type {[number, Activation, number][]} */
  const heatmaps = [[16, "relu", 256], [8, "tanh", 256], [8, "tanh", 100]];
  for (const [hidden, activation, res] of heatmaps) {
    const trainer = new Trainer(networkConfig(hidden, activation, 10, LR));
    trainer.step(300); // weights that draw a boundary, not the initial ones
    frees.push(() => trainer.free());
    const layers = trainer.layers();
    const features = gridFeatures(trainer.extent, res);
    const rows = res * res;
    const tfHeat = tfSide((tf) => ({ prepared: tfHeatmap(tf, layers, activation, features, rows), units: 1 }));
    add(`heatmap-${hidden}-${activation}-${res}`, "heatmap", `2-${hidden}-${hidden}-1 ${activation}, ${res}²`, {
      gradscope: { make: () => ({ prepared: gradscopeHeatmap(trainer, res), units: 1 }) },
      tfjs_wasm_1: tfHeat,
      tfjs_wasm_2: tfHeat,
      plain_js: {
        make: () => {
          const mlp = new PlainMlp([2, hidden, hidden, 1], activation);
          mlp.setWeights(layers);
          const out = new Float32Array(rows);
          const run = () => mlp.forwardGrid(features, out);
          return { prepared: { run, result: run, free: () => {} }, units: 1 };
        },
      },
    });
  }

  /** @type {[number, Activation, number][]} */
  const trainings = [[8, "tanh", 10], [8, "tanh", 500], [16, "relu", 500]];
  for (const [hidden, activation, batch] of trainings) {
    const config = networkConfig(hidden, activation, batch, LR);
    const { start, end, data } = gradscopeTrained(config, CHECK_STEPS);
    const xs = Float32Array.from(data.train.flatMap((i) => data.points[i]));
    const ys = Float32Array.from(data.train, (i) => data.labels[i]);
    const count = ys.length;
    // The batches the others take in turn: the training points in order, `batch` at a time.
    const batches = Array.from({ length: Math.ceil(count / batch) }, (_, j) => {
      const idx = Array.from({ length: Math.min(batch, count - j * batch) }, (_, i) => j * batch + i);
      return { idx, xs: Float32Array.from(idx.flatMap((i) => [xs[2 * i], xs[2 * i + 1]])), ys: Float32Array.from(idx, (i) => ys[i]) };
    });
    const full = [{ xs, ys }];
    /** @param {Tf} tf */
    const tfCheck = (tf) => {
      const t = tfTraining(tf, start, activation, LR, full);
      try {
        for (let s = 0; s < CHECK_STEPS; s++) t.run();
        return maxDiff(/** @type {Float32Array} */ (t.result?.()), end);
      } finally {
        t.free();
      }
    };
    const signs = Float32Array.from(ys, (y) => (y === 1 ? 1 : -1));
    const plain = () => {
      const mlp = new PlainMlp([2, hidden, hidden, 1], activation);
      mlp.setWeights(start);
      return mlp;
    };
    const tfTrain = (/** @type {Tf} */ tf) => ({ prepared: tfTraining(tf, start, activation, LR, batches), units: 1 });
    const perCall = batch === 10 ? 100 : 1;
    add(`training-${hidden}-${activation}-${batch}`, "training", `2-${hidden}-${hidden}-1 ${activation}, batch ${batch}`, {
      gradscope: { make: () => ({ prepared: gradscopeTraining(config, perCall), units: perCall }), check: () => 0 },
      tfjs_wasm_1: tfSide(tfTrain, () => (tf ? tfCheck(tf) : NaN)),
      tfjs_wasm_2: tfSide(tfTrain, () => (tf ? tfCheck(tf) : NaN)),
      tfjs_cpu: batch === 10 ? tfSide(tfTrain, () => (tf ? tfCheck(tf) : NaN)) : undefined,
      plain_js: {
        make: () => {
          const mlp = plain();
          let next = 0;
          const run = () => {
            mlp.step(xs, signs, batches[next].idx, LR);
            next = (next + 1) % batches.length;
          };
          return { prepared: { run, free: () => {} }, units: 1 };
        },
        check: () => {
          const mlp = plain();
          const all = batches.flatMap((b) => b.idx);
          for (let s = 0; s < CHECK_STEPS; s++) mlp.step(xs, signs, all, LR);
          return maxDiff(Float32Array.from(mlp.w.flatMap((w, l) => [...w, ...mlp.b[l]])), end);
        },
      },
    });
  }

  // lavapipe runs on the CPU: in quick runs only the smallest square and the narrow shape.
  const gpuShapes = [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [65536, 16, 16]].filter(([m]) => !quick || m === 256 || m === 65536);
  for (const [m, k, n] of gpuShapes) {
    const flops = 2 * m * k * n;
    const g = gradscopeMatmul(m, k, n);
    frees.push(g.free);
    const onGpu = gpu;
    const tfGpu = (/** @type {boolean} */ resident) => tfSide((tf) => ({ prepared: tfGpuMatmul(tf, g.a, g.b, m, k, n, resident), units: flops }));
    add(`webgpu-${m}-${k}-${n}`, "webgpu", m === k ? `${m}³` : `${m} × ${k} × ${n}`, {
      gradscope_webgpu: onGpu ? { make: () => ({ prepared: gradscopeGpuMatmul(onGpu, g.a, g.b, m, k, n), units: flops }) } : undefined,
      tfjs_webgpu: onGpu ? tfGpu(false) : undefined,
      tfjs_webgpu_resident: onGpu ? tfGpu(true) : undefined,
    });
    // The CPU kernel's product is the reference the GPUs are held to.
    rows[rows.length - 1].reference = /** @type {Float32Array} */ (g.result?.());
  }
  return { rows, free: () => frees.forEach((f) => f()) };
}

/** Runs one side of one row: prepare, compare with the reference, time, release.
 * @param {Row} row @param {Side} side @param {SideDef} def @param {Tf | null} tf @returns {Promise<Cell>} */
async function runSide(row, side, def, tf) {
  const { prepared, units } = def.make();
  try {
    /** @type {Cell} */
    const cell = {};
    if (def.check) cell.diff = def.check();
    else if (prepared.result) {
      const got = await prepared.result();
      if (side === "gradscope" && !row.reference) row.reference = Float32Array.from(got);
      cell.diff = row.reference ? maxDiff(got, row.reference) : undefined;
    }
    const before = tf?.memory().numTensors ?? 0;
    const t0 = performance.now();
    cell.rate = await measure(prepared.run, units, settings);
    cell.seconds = (performance.now() - t0) / 1000;
    if (side.startsWith("tfjs") && tf) cell.tensors = [before, tf.memory().numTensors];
    prepared.free();
    if (cell.tensors && tf) cell.tensors.push(tf.memory().numTensors);
    return cell;
  } catch (e) {
    prepared.free();
    throw e;
  }
}

/** The §2 targets of issue 15, judged from this run's ratios: met, not met, or not measured.
 * @param {Row[]} rows @param {{ before: number, after: number, steps: number, heatmaps: number }} memory */
function targets(rows, memory) {
  /** gradscope's rate (`ours`, by default the group's first side) over the best of `sides`,
   * per row of `group` matching `only`.
   * @param {keyof typeof GROUPS} group @param {Side[]} sides @param {(r: Row) => boolean} [only] @param {Side} [ours] */
  const ratios = (group, sides, only = () => true, ours = GROUPS[group].sides[0]) =>
    rows.filter((r) => r.group === group && only(r)).map((r) => {
      const base = r.cells[ours]?.rate?.median;
      const others = sides.map((s) => r.cells[s]?.rate?.median).filter((x) => x !== undefined);
      return base && others.length ? base / Math.max(...others) : null;
    });
  const twoCores = crossOriginIsolated && navigator.hardwareConcurrency >= 2;
  const batch500 = (/** @type {Row} */ r) => r.id.endsWith("-500");
  /** @param {string} target @param {(number | null)[]} got @param {number} at least (strictly more when `above`) @param {boolean} [above] */
  const judge = (target, got, at, above = false) => {
    const measured = got.length > 0 && got.every((x) => x !== null);
    const met = measured ? got.every((x) => (above ? /** @type {number} */ (x) > at : /** @type {number} */ (x) >= at)) : null;
    return { target, ratios: got, at, above, met };
  };
  const growth = (memory.after - memory.before) / 2 ** 20;
  return [
    judge("heatmap ≥ 1.5× TF.js wasm, 1 thread (all three grids)", ratios("heatmap", ["tfjs_wasm_1"]), 1.5),
    judge("heatmap faster than TF.js wasm, 2 threads", twoCores ? ratios("heatmap", ["tfjs_wasm_2"]) : [], 1, true),
    judge("matmul 256³–1024³ ≥ 1.3× TF.js wasm, 1 thread", ratios("matmul", ["tfjs_wasm_1"]), 1.3),
    judge("matmul 256³–1024³ on 2 cores ≥ TF.js wasm, 2 threads", twoCores ? ratios("matmul", ["tfjs_wasm_2"], undefined, "gradscope_2") : [], 1),
    judge("training batch 10 ≥ 2× plain JS", ratios("training", ["plain_js"], (r) => !batch500(r)), 2),
    judge("training batch 500 ≥ 4× TF.js's best backend", ratios("training", ["tfjs_wasm_1", "tfjs_wasm_2", "tfjs_cpu"], batch500), 4),
    judge("WebGPU ≥ TF.js WebGPU (inputs uploaded, as Gpu.multiply does)", ratios("webgpu", ["tfjs_webgpu"]), 1),
    { target: `wasm memory after ${memory.steps} steps and ${memory.heatmaps} heatmaps within 4 MB of its start (grew ${growth.toFixed(1)} MB)`, ratios: [], at: 4, above: false, met: growth <= 4 },
  ];
}

/** A table cell's text for `cell` of a row in `group`.
 * @param {Cell | undefined} cell @param {(r: number) => number} show */
function cellText(cell, show) {
  if (!cell) return ["–"];
  if (cell.skipped) return ["not run"];
  if (!cell.rate) return ["–"];
  const [a, b] = [show(cell.rate.min), show(cell.rate.max)].sort((x, y) => x - y);
  const lines = [figure(show(cell.rate.median)), `${figure(a)}–${figure(b)}`];
  if (cell.diff !== undefined) lines.push(`Δ ${small(cell.diff)}`);
  if (cell.tensors) lines.push(`tensors ${cell.tensors.join("→")}`);
  return lines;
}

/** One group's table: a column per side, then gradscope ÷ each other side.
 * @param {keyof typeof GROUPS} group @param {Row[]} rows */
function groupTable(group, rows) {
  const { title, unit, show, sides } = GROUPS[group];
  const pairs = pairsOf(group);
  const head = [unit, ...sides.map((s) => SIDES[s]), ...pairs.map(([a, b]) => `${SIDES[a]} ÷ ${SIDES[b]}`)];
  const body = rows.filter((r) => r.group === group).map((r) => {
    const ratios = pairs.map(([a, b]) => {
      const [ours, theirs] = [r.cells[a]?.rate?.median, r.cells[b]?.rate?.median];
      return ours && theirs ? `${(ours / theirs).toFixed(2)}×` : "–";
    });
    const cells = sides.map((s) => {
      const [first, ...rest] = cellText(r.cells[s], show);
      return el("td", {}, first, ...rest.flatMap((t) => [el("br"), el("small", { textContent: t })]));
    });
    return el("tr", {}, el("th", { scope: "row", textContent: r.name }), ...cells, ...ratios.map((t) => el("td", { textContent: t })));
  });
  // Why a side did not run, once under the table rather than in each of its cells.
  const skipped = [...new Set(sides.flatMap((s) => rows.filter((r) => r.group === group && r.cells[s]?.skipped).map((r) => `${SIDES[s]}: ${r.cells[s]?.skipped}`)))];
  return el("section", { className: "bench-group" },
    el("div", { className: "table-scroll", tabIndex: 0, role: "region", ariaLabel: title },
      el("table", { className: "bench-table" },
        el("caption", { textContent: title }),
        el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col", textContent: h })))),
        el("tbody", {}, ...body))),
    ...(skipped.length ? [el("p", { className: "skipped", textContent: `Not run: ${skipped.join("; ")}.` })] : []));
}

/** Redraws every table from the rows measured so far. @param {Row[]} rows */
function render(rows) {
  const tables = $("#tables");
  tables.replaceChildren(...Object.keys(GROUPS).map((g) => groupTable(/** @type {keyof typeof GROUPS} */ (g), rows)));
}

/** @param {WebAssembly.Memory} memory */
async function run(memory) {
  $("#run", HTMLButtonElement).disabled = true;
  const typing = keystrokeOptions();
  /** @type {Record<string, unknown>} */
  const result = { date: new Date().toISOString(), quick, settings, userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated, kernel: cpuKernel, notes };
  $("#environment").textContent = notes.join(" ");
  if (!typing.only) {
    // Memory first, while the wasm memory has not yet grown for the other workloads.
    const memoryCheck = memoryGrowth(memory, quick ? 2000 : 100_000, quick ? 20 : 1000);
    const { tf, reason: tfReason } = await loadTfjs();
    // A backend chosen before anything asks for one (TF.js would pick WebGPU, not yet started).
    if (tf) await useBackend(tf, "cpu");
    /** @type {Gpu | null} */
    let gpu = null;
    let gpuReason = "";
    try {
      if (withGpu) gpu = await Gpu.open();
      else gpuReason = "left out by ?webgpu=0";
    } catch (e) {
      gpuReason = messageOf(e);
    }
    Object.assign(result, { tfjs: tf?.version_core ?? null, tfjsMissing: tfReason || undefined, webgpu: gpu ? gpu.name : null, webgpuMissing: gpuReason || undefined, memory: memoryCheck });
    $("#environment").textContent =
      `${navigator.userAgent}; ${navigator.hardwareConcurrency} logical cores; gradscope's CPU kernel: ${cpuKernel}; ` +
      `${crossOriginIsolated ? "cross-origin isolated (TF.js can use two threads)" : "not cross-origin isolated (TF.js on one thread only)"}; ` +
      `TF.js ${tf ? tf.version_core : `absent: ${tfReason}`}; WebGPU ${gpu ? `${gpu.name}${gpu.software ? " (software)" : ""}` : `absent: ${gpuReason}`}; ` +
      `${quick ? "quick settings (tiny samples: for tests, not for numbers)" : "full settings"}. ${notes.join(" ")}`;
    const worker = await productWorker();
    result.productWorker = worker !== null;
    const { rows, free } = workloads(tf, gpu, worker);
    for (const r of rows) {
      for (const s of GROUPS[r.group].sides) {
        if (!tf && s.startsWith("tfjs")) r.cells[s] = { skipped: `no TF.js (${tfReason})` };
        else if (!worker && s === "gradscope_2") r.cells[s] = { skipped: "one core, or no worker" };
        else if (!gpu && r.group === "webgpu") r.cells[s] = { skipped: `no WebGPU (${gpuReason})` };
      }
    }
    render(rows);
    const tensorsAtStart = tf?.memory().numTensors ?? 0;
    const total = rows.reduce((n, r) => n + Object.keys(r.defs).length, 0);
    let done = 0;
    for (const phase of PHASES) {
      const todo = rows.flatMap((r) => phase.sides.flatMap((s) => (r.defs[s] ? [{ r, s, def: /** @type {SideDef} */ (r.defs[s]) }] : [])));
      if (!todo.length) continue;
      const unusable = phase.backend && tf ? await useBackend(tf, phase.backend) : null;
      for (const { r, s, def } of todo) {
        try {
          r.cells[s] = unusable ? { skipped: unusable } : await runSide(r, s, def, tf);
        } catch (e) {
          r.cells[s] = { skipped: messageOf(e) };
        }
        progress.value = ++done / total;
        render(rows);
      }
    }
    free();
    worker?.terminate();
    const judged = targets(rows, memoryCheck);
    $("#targets").replaceChildren(...judged.map((t) => el("li", {
      textContent: `${t.met === null ? "not measured" : t.met ? "met" : "not met"}: ${t.target}` +
        (t.ratios.length ? ` (ratios ${t.ratios.map((x) => (x === null ? "–" : `${x.toFixed(2)}×`)).join(", ")})` : ""),
    })), el("li", { textContent: "not measured here: the playground's first load at most 200 kB gzipped (a size of the build, not of a run)" }));
    Object.assign(result, {
      rows: rows.map(({ id, group, name, cells }) => ({ id, group, name, unit: GROUPS[group].unit, cells })),
      groups: Object.fromEntries(Object.entries(GROUPS).map(([g, { title, unit, sides }]) => [g, {
        title, unit, sides: sides.map((s) => ({ id: s, name: SIDES[s] })), pairs: pairsOf(/** @type {keyof typeof GROUPS} */ (g)),
      }])),
      targets: judged,
      tensors: tf ? { atStart: tensorsAtStart, atEnd: tf.memory().numTensors } : null,
    });
  }
  if (withKeystrokes || typing.only) result.keystroke = await keystrokes(report, typing);
  Object.assign(window, { benchResult: result });
  progress.value = 1;
  document.title = "DONE";
}

/** Runs the page, and says so on it if it fails (the runner waits for the title).
 * @param {WebAssembly.Memory} memory */
async function runOrSay(memory) {
  try {
    await run(memory);
  } catch (e) {
    report.append(el("p", { role: "alert", textContent: `The benchmark stopped: ${messageOf(e)}` }));
    Object.assign(window, { benchError: messageOf(e) });
    document.title = "FAILED";
  }
}

const { memory } = await init();
$("#run").addEventListener("click", () => runOrSay(memory));
if (params.get("auto") === "1") runOrSay(memory);
