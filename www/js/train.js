// The training view: a classifier learning live.
//
// The loop is the lecture's: forward, backward, step. Rust runs many steps per call (one
// crossing of the wasm boundary), inside a time budget per animation frame so the page
// never freezes; then the views are redrawn from what the trainer reports.

import init, { Gpu, Trainer } from "../pkg/gradscope.js";
import { duration, fmt } from "./format.js";
import { LogScale } from "./colors.js";
import { medianWithin, yieldToPage } from "./timing.js";

const $ = (sel) => document.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
};

const CLASS_RGB = [
  [245, 158, 11], // orange
  [37, 99, 235], // blue
  [22, 163, 74], // green
];
const FEATURES = [
  ["x1", "x1"], ["x2", "x2"], ["x1_squared", "x1²"], ["x2_squared", "x2²"],
  ["x1_x2", "x1·x2"], ["sin_x1", "sin x1"], ["sin_x2", "sin x2"],
];
const ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear"];
const HEATMAP = 100; // cells per side of the decision heatmap
const THUMB = 20; // cells per side of each neuron's heatmap
const FRAME_BUDGET_MS = 8; // training time per animation frame, leaving room to draw

const PRESETS = {
  lecture: {
    dataset: "blobs", classes: 2, noise: 0.3, hidden: [], activations: [], loss: "logistic",
    optimizer: "sgd", learning_rate: 0.1, batch_size: 32, regularization: "l2", lambda: 0.01,
  },
  micrograd: {
    dataset: "moons", classes: 2, points: 100, noise: 0.1, test_fraction: 0, hidden: [16, 16],
    activations: ["relu", "relu"], loss: "hinge", optimizer: "sgd", learning_rate: 0.1,
    batch_size: 100, regularization: "l2", lambda: 0.0001,
  },
  spiral3: {
    dataset: "spiral", classes: 3, points: 500, noise: 0.03, hidden: [32, 32], activations: ["relu", "relu"],
    loss: "softmax_cross_entropy", optimizer: "adam", learning_rate: 0.01, batch_size: 32,
    regularization: "none", lambda: 0,
  },
};

let defaults;
let config;
let trainer = null;
let playing = false;
let stepsPerCall = 1; // CPU steps per animation frame, adapted to the frame budget
let gpuStepsPerCall = 1; // GPU steps per submission, adapted to about two frames
let history = []; // [{step, train, test}]
let dataCache = null;
let stoppedMessage = "";
let marks = []; // [{step, text}]: live changes, drawn on the loss curve

// Where the heatmap's forward pass and the training steps run. Decided by measuring both
// backends on the current network, not assumed: a software WebGPU adapter is far slower than
// the CPU kernel, a real GPU may be faster, and which wins depends on the network and batch.
const backend = {
  gpu: null, // a wasm Gpu, or null
  why: "", // why there is no GPU
  // Per workload: ms on the CPU, the GPU's `medianWithin` answer ({ ms, ... }, ms per step
  // for training), both null until measured, and the backend in use.
  heatmap: { cpu: null, gpu: null, active: "cpu" },
  training: { cpu: null, gpu: null, active: "cpu" },
  probs: null, // the latest class probabilities computed on the GPU
  pending: false,
  heatmapStarted: 0, // when the last GPU heatmap was asked for, and how long it took (ms)
  heatmapMs: 0,
  training_in_flight: false, // GPU training steps submitted, not yet taken over
  generation: 0, // bumped whenever the network is replaced
};
// ---- configuration <-> URL ----------------------------------------------------------------

// Every field of the configuration, with the control that sets it. A link is checked
// against what that control allows, and a refusal names the control as the page labels it.
// Fields without a control of their own say how they are named and parsed.
const FIELDS = {
  dataset: { control: "#dataset" },
  classes: { control: "#classes" },
  points: { control: "#points" },
  noise: { control: "#noise" },
  test_fraction: { control: "#test-fraction" },
  features: { label: "Features", parse: parseFeatures },
  hidden: { label: "Hidden layers", parse: parseHidden },
  activations: { label: "Activations", parse: parseActivations },
  loss: { control: "#loss" },
  optimizer: { control: "#optimizer" },
  learning_rate: { control: "#learning-rate" },
  momentum: { control: "#momentum" },
  batch_size: { control: "#batch-size" },
  regularization: { control: "#regularization" },
  lambda: { control: "#lambda" },
  seed: { label: "Seed (Regenerate)", parse: parseSeed },
};
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const MAX_NUMBER_LENGTH = 24; // no control's value is longer; a longer one is a broken link

/** The label of a field as the page shows it: "Test points", "Momentum μ". */
function labelOf(key) {
  const f = FIELDS[key];
  if (f.label) return f.label;
  const text = [...$(f.control).closest("label").childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
  return text.textContent.trim();
}

function saveUrl() {
  const p = new URLSearchParams();
  for (const k of Object.keys(FIELDS)) {
    const v = config[k];
    p.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  window.history.replaceState(null, "", `#${p}`);
}

/** One field of a link, checked against its control: `{ value }` or `{ why }`.
 * A select of words takes one of its options. A select of numbers takes any number between
 * its smallest and largest option (a preset or a link may ask for one in between, which is
 * then added to the list), a whole number if every option is one; a slider its range. */
function parseField(key, raw) {
  const f = FIELDS[key];
  if (f.parse) return f.parse(raw);
  const control = $(f.control);
  if (control.tagName === "SELECT") {
    const options = [...control.options].map((o) => o.value);
    if (!options.every((o) => NUMBER.test(o))) {
      return options.includes(raw) ? { value: raw } : { why: `is not one of its choices (${options.map(optionLabel(control)).join(", ")})` };
    }
    const numbers = options.map(Number);
    return parseNumber(raw, Math.min(...numbers), Math.max(...numbers), numbers.every(Number.isInteger));
  }
  return parseNumber(raw, Number(control.min), Number(control.max), false);
}

const optionLabel = (select) => (value) => [...select.options].find((o) => o.value === value).dataset.label ?? value;

function parseNumber(raw, min, max, integer) {
  const v = Number(raw);
  const ok = raw.length <= MAX_NUMBER_LENGTH && NUMBER.test(raw) && v >= min && v <= max && (!integer || Number.isInteger(v));
  return ok ? { value: v } : { why: `takes ${integer ? "a whole number" : "a number"} from ${fmt(min)} to ${fmt(max)}` };
}

function parseFeatures(raw) {
  const names = raw === "" ? [] : raw.split(",");
  const known = FEATURES.map(([k]) => k);
  const unknown = names.find((n) => !known.includes(n));
  if (unknown !== undefined) return { why: `has no feature “${clip(unknown)}” (${known.join(", ")})` };
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return { why: `lists ${twice} twice` };
  return names.length ? { value: names } : { why: "needs at least one feature" };
}

function parseHidden(raw) {
  const widths = raw === "" ? [] : raw.split(",");
  const ok = widths.length <= rules.max_layers && widths.every((w) => /^\d{1,3}$/.test(w) && Number(w) >= 1 && Number(w) <= rules.max_width);
  return ok ? { value: widths.map(Number) } : { why: `takes up to ${rules.max_layers} layers of 1 to ${rules.max_width} neurons, as whole numbers` };
}

/** Activations are checked against the hidden layers once those are known (`loadUrl`). */
function parseActivations(raw) {
  const names = raw === "" ? [] : raw.split(",");
  const bad = names.find((a) => !ACTIVATIONS.includes(a));
  return bad === undefined ? { value: names } : { why: `has no activation “${clip(bad)}” (${ACTIVATIONS.join(", ")})` };
}

function parseSeed(raw) {
  // Whole numbers JavaScript holds exactly, as the Regenerate button makes them.
  const ok = /^\d{1,15}$/.test(raw);
  return ok ? { value: Number(raw) } : { why: "takes a whole number of at most 15 digits" };
}

/** A link's value as a message quotes it: short, whatever its length. */
const clip = (raw) => (raw.length > 16 ? `${raw.slice(0, 12)}… (${raw.length} characters)` : raw);

/** The configuration in the URL, checked field by field: a part the page does not allow
 * is replaced by its default, and the user is told which, in the words of its control. */
function loadUrl() {
  const p = new URLSearchParams(location.hash.slice(1));
  const cfg = structuredClone(defaults);
  const refused = [];
  const refuse = (key, raw, why) => refused.push(`${labelOf(key)} “${clip(raw)}” ${why}`);
  for (const [key, raw] of p) {
    if (!(key in FIELDS)) {
      refused.push(`“${clip(key)}” is not a setting of this page`);
      continue;
    }
    const { value, why } = parseField(key, raw);
    if (why) refuse(key, raw, why);
    else cfg[key] = value;
  }
  // Hidden layers from a link without activations: tanh throughout, as `normalize` fills in.
  if (p.has("hidden") && !p.has("activations")) cfg.activations = [];
  if (cfg.activations.length > cfg.hidden.length) {
    refuse("activations", p.get("activations") ?? "", `names more layers than the ${cfg.hidden.length} hidden ones`);
    cfg.activations = [];
  }
  // Classes that the dataset or the loss cannot have are refused, keeping the other two.
  if (conflicts(cfg).length) {
    refuse("classes", String(cfg.classes), `cannot be used: ${conflictReasons(cfg).join(", and ")}`);
    cfg.classes = defaults.classes;
  }
  normalize(cfg);
  // What the controls allow, the engine allows; should it not, the defaults say so.
  const why = tryTrainer(cfg);
  if (why) return { cfg: structuredClone(defaults), refused: [`the whole setup (${why})`] };
  return { cfg, refused };
}

/** One activation per hidden layer (tanh where the list is short), as the trainer reads it. */
function normalize(cfg) {
  cfg.activations = cfg.hidden.map((_, i) => cfg.activations?.[i] ?? "tanh");
  return cfg;
}

// ---- which choices go together --------------------------------------------------------------

/** The engine's rules (Trainer.rules()), by name: `datasets.moons` = [2], ... */
let rules;
function loadRules() {
  const r = Trainer.rules();
  const byName = (list) => Object.fromEntries(list.map((a) => [a.name, a.classes]));
  rules = { ...r, datasets: byName(r.datasets), losses: byName(r.losses) };
}

/** The choices among dataset, classes and loss that cannot go with the classes. */
function conflicts(cfg) {
  return [
    ...(rules.datasets[cfg.dataset].includes(cfg.classes) ? [] : ["dataset"]),
    ...(rules.losses[cfg.loss].includes(cfg.classes) ? [] : ["loss"]),
  ];
}

const orWords = (list) => list.join(" or ");
const choiceText = (sel, value) => optionLabel($(sel))(value);

/** Why `cfg`'s classes do not go with its dataset or loss, in the page's words. */
function conflictReasons(cfg) {
  return conflicts(cfg).map((k) =>
    k === "dataset"
      ? `${choiceText("#dataset", cfg.dataset)} has ${orWords(rules.datasets[cfg.dataset])} classes only`
      : `the ${choiceText("#loss", cfg.loss)} loss is for ${orWords(rules.losses[cfg.loss])} classes only`,
  );
}

/** The nearest setups the rules allow that keep what was just picked: the fewest of the
 * other choices (dataset, classes, loss) changed. */
function alternatives(next, picked) {
  const free = ["dataset", "classes", "loss"].filter((k) => !(k in picked));
  const values = {
    dataset: Object.keys(rules.datasets),
    classes: [...new Set(Object.values(rules.datasets).flat())],
    loss: Object.keys(rules.losses),
  };
  let best = [];
  let fewest = Infinity;
  const visit = (cand, i) => {
    if (i < free.length) {
      for (const v of values[free[i]]) visit({ ...cand, [free[i]]: v }, i + 1);
      return;
    }
    if (conflicts(cand).length) return;
    const changed = free.filter((k) => cand[k] !== next[k]);
    if (changed.length < fewest) [best, fewest] = [[], changed.length];
    if (changed.length === fewest) best.push(Object.fromEntries([...Object.keys(picked), ...changed].map((k) => [k, cand[k]])));
  };
  visit(next, 0);
  return best;
}

/** A setup as words for a button: "spiral, 3 classes, softmax cross-entropy". */
function describe(patch) {
  const words = { dataset: (v) => choiceText("#dataset", v), classes: (v) => `${v} classes`, loss: (v) => choiceText("#loss", v) };
  return Object.keys(words).filter((k) => k in patch).map((k) => words[k](patch[k])).join(", ");
}

/** Why the engine refuses `cfg`, or "" if it takes it. */
function tryTrainer(cfg) {
  try {
    new Trainer(cfg).free();
    return "";
  } catch (e) {
    return e.message;
  }
}

// ---- building and resetting ---------------------------------------------------------------

function rebuild() {
  pause();
  let next;
  try {
    next = new Trainer(config);
  } catch (e) {
    showStatus(`This setup cannot be trained: ${e.message}`);
    return;
  }
  trainer?.free();
  trainer = next;
  backend.probs = null;
  backend.generation++;
  backend.training_in_flight = false;
  remeasureSoon();
  stepsPerCall = gpuStepsPerCall = 1; // re-measure: the new network may be far slower per step
  history = [];
  marks = [];
  stoppedMessage = "";
  showStatus("");
  dataCache = trainer.data();
  syncControls();
  saveUrl();
  render();
}

/** A problem, in the status line (red). */
function showStatus(text) {
  const status = $("#status");
  status.className = "";
  status.replaceChildren(text);
}

/** What the page just did or could do, in the status line; `actions` are `[label, run]`
 * pairs offered as buttons. */
function showNote(text, actions = []) {
  const status = $("#status");
  status.className = "note";
  status.replaceChildren(text);
  for (const [label, run] of actions) {
    status.append(" ", el("button", { type: "button", textContent: label, onclick: run }));
  }
}

// ---- the loop -----------------------------------------------------------------------------

function play() {
  if (!trainer || playing) return;
  if (stoppedMessage) {
    stoppedMessage = "";
    showStatus("");
  }
  playing = true;
  $("#play").textContent = "❚❚ Pause";
  requestAnimationFrame(frame);
}

function pause() {
  playing = false;
  lastFrame = null;
  $("#play").textContent = "▶ Play";
}

/** Runs `n` steps on the CPU; returns the time they took. */
function runSteps(n) {
  const t0 = performance.now();
  showProgress(trainer.step(n));
  return performance.now() - t0;
}

function showProgress(progress) {
  if (progress.stopped) {
    stoppedMessage = progress.stopped;
    showStatus(progress.stopped);
    pause();
  }
}

/** Starts `n` steps on the GPU; they are taken over (and the views redrawn) when they are
 * read back, unless the network was replaced or changed meanwhile. */
function runGpuSteps(n) {
  const generation = backend.generation;
  const t0 = performance.now();
  let pending;
  try {
    pending = backend.gpu.train(trainer, n);
  } catch (e) {
    // Nothing to train on, or the GPU refused to record the work.
    if (/training points/.test(e.message)) showProgress({ stopped: e.message });
    else gpuFailed("the GPU failed while training", e);
    return;
  }
  backend.training_in_flight = true;
  const current = () => generation === backend.generation;
  pending.then(
    (steps) => {
      if (!current()) return steps.free(); // the network was replaced meanwhile
      backend.training_in_flight = false;
      // Points added or removed meanwhile: these steps trained on the old data; drop them.
      if (!trainer.accepts(steps)) return steps.free();
      showProgress(trainer.finishGpuSteps(steps));
      // Aim for chunks of about two frames: fewer read-backs, still a lively picture.
      const perStep = Math.max((performance.now() - t0) / n, 1e-3);
      gpuStepsPerCall = Math.max(1, Math.min(2 * n, 5000, Math.round((2 * 16) / perStep)));
      render();
    },
    (e) => {
      if (current()) backend.training_in_flight = false;
      gpuFailed("the GPU failed while training", e);
    },
  );
}

const frameTimes = []; // the last 120 intervals between animation frames while playing
let lastFrame = null;

function frame(now) {
  if (!playing || !trainer) {
    lastFrame = null;
    return;
  }
  if (lastFrame !== null) {
    frameTimes.push(now - lastFrame);
    if (frameTimes.length > 120) frameTimes.shift();
  }
  lastFrame = now;
  if (backend.training.active === "gpu") {
    if (!backend.training_in_flight) runGpuSteps(gpuStepsPerCall);
  } else {
    const dt = runSteps(stepsPerCall);
    // Adapt the number of steps per call to the budget: small networks do hundreds.
    const perStep = Math.max(dt / stepsPerCall, 1e-3);
    // At most doubling per frame, so a misjudged frame cannot grow into a long freeze.
    stepsPerCall = Math.max(1, Math.min(2 * stepsPerCall, 2000, Math.round(FRAME_BUDGET_MS / perStep)));
    render();
  }
  if (playing) requestAnimationFrame(frame);
}

// ---- rendering ----------------------------------------------------------------------------

function render() {
  if (!trainer) return;
  const m = trainer.evaluate();
  const step = trainer.steps;
  $("#steps").textContent = String(step);
  $("#epochs").textContent = String(trainer.epochs);
  // An empty set has no loss or accuracy: say so rather than NaN.
  const none = "no points";
  const hasTrain = dataCache.train.length > 0;
  const hasTest = dataCache.test.length > 0;
  $("#train-loss").textContent = hasTrain ? fmt(m.train_loss) : none;
  $("#train-acc").textContent = hasTrain ? pct(m.train_accuracy) : none;
  $("#test-loss").textContent = hasTest ? fmt(m.test_loss) : none;
  $("#test-acc").textContent = hasTest ? pct(m.test_accuracy) : none;
  $("#train-acc").dataset.value = String(m.train_accuracy);
  $("#steps").dataset.value = String(step);
  if (!history.length || history.at(-1).step !== step) history.push({ step, train: m.train_loss, test: m.test_loss });
  if (history.length > 600) history = history.filter((_, i) => i % 2 === 0);
  drawPlot();
  drawCurves();
  drawNetwork();
}

const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : fmt(x));

function drawPlot() {
  const probs = heatmapProbabilities();
  if (probs) paintPlot(probs); // else the first GPU result is on its way
}

/** The heatmap of class probabilities, with the points on top. */
function paintPlot(probs) {
  const canvas = $("#plot");
  const ctx = canvas.getContext("2d");
  const classes = config.classes;
  const img = ctx.createImageData(HEATMAP, HEATMAP);
  const discrete = $("#discretize").checked;
  for (let c = 0; c < HEATMAP * HEATMAP; c++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[c * classes + k] > probs[c * classes + best]) best = k;
    // Confidence fades the colour towards white near the boundary.
    const confidence = discrete ? 1 : Math.max(0, (probs[c * classes + best] - 1 / classes) / (1 - 1 / classes));
    const strength = discrete ? 0.45 : 0.15 + 0.55 * confidence;
    const rgb = CLASS_RGB[best];
    for (let j = 0; j < 3; j++) img.data[4 * c + j] = Math.round(255 + (rgb[j] - 255) * strength);
    img.data[4 * c + 3] = 255;
  }
  const off = new OffscreenCanvas(HEATMAP, HEATMAP);
  off.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);

  const { points, labels, test } = dataCache;
  const testSet = new Set(test);
  const e = trainer.extent;
  for (let i = 0; i < points.length; i++) {
    const [x, y] = toCanvas(points[i], e, canvas);
    const rgb = CLASS_RGB[labels[i]];
    ctx.beginPath();
    ctx.arc(x, y, 4, 0, 2 * Math.PI);
    ctx.fillStyle = testSet.has(i) ? "#ffffff" : `rgb(${rgb})`;
    ctx.fill();
    ctx.lineWidth = testSet.has(i) ? 2 : 1;
    ctx.strokeStyle = testSet.has(i) ? `rgb(${rgb})` : "#ffffff";
    ctx.stroke();
  }
}

/** Class probabilities over the heatmap grid from the active backend. The GPU's arrive
 * asynchronously: the newest finished result is drawn while the next one is computed. */
function heatmapProbabilities() {
  if (backend.heatmap.active !== "gpu") return trainer.grid(HEATMAP);
  // At most a quarter of the GPU's time goes to heatmaps: on a slow adapter they would
  // otherwise crowd out the training steps queued behind them.
  const now = performance.now();
  const due = !backend.probs || now - backend.heatmapStarted >= 3 * backend.heatmapMs;
  if (!backend.pending && due) {
    backend.heatmapStarted = now;
    const generation = backend.generation;
    let pending;
    try {
      pending = backend.gpu.grid(trainer, HEATMAP);
    } catch (e) {
      gpuFailed("the GPU failed while drawing the heatmap", e);
      return trainer.grid(HEATMAP);
    }
    backend.pending = true;
    pending
      .then(
        (p) => {
          backend.heatmapMs = performance.now() - now;
          // A result for a network that has since been replaced is dropped.
          if (generation === backend.generation) {
            backend.probs = p;
            paintPlot(p);
          }
        },
        (e) => gpuFailed("the GPU failed while drawing the heatmap", e),
      )
      .finally(() => (backend.pending = false));
  }
  return backend.probs;
}

// Time budgets of the measurement, per workload. The CPU's runs block the page, so they
// are short and few; the GPU's do not, but a backend whose single call takes longer than
// its budget is too slow for a live page anyway, so its measurement is cut off there (work
// already submitted to the GPU cannot be taken back; its result is ignored).
const CPU_BUDGET_MS = 400;
const GPU_BUDGET_MS = 2000;
// A backend this many times slower or faster than the other after one timed run has lost
// or won: more runs would not change the choice.
const CLEARLY = 3;

/** Times the heatmap and training steps on both backends, on the current network, each
 * within its budget and yielding to the page between runs (`medianWithin`), so the page
 * stays usable while it measures. Training is timed on a copy, so the real run is not
 * disturbed. Resolves to false, measuring nothing, if the network is replaced meanwhile
 * (its own measurement follows). */
async function measureBackends() {
  const generation = backend.generation;
  const net = trainer;
  const stale = new Error("stale");
  // Every timed call first checks that `net` is still the page's network (and not freed).
  const current = (f) => () => {
    if (generation !== backend.generation) throw stale;
    return f();
  };
  let copy = null;
  let finished = false; // GPU steps that arrive after this are not taken over by the copy
  try {
    const heatmapCpu = await medianWithin(current(() => net.grid(HEATMAP)), { times: 5, budgetMs: CPU_BUDGET_MS });
    if (!backend.gpu) {
      backend.heatmap.cpu = heatmapCpu.ms;
      return true;
    }
    if (generation !== backend.generation) return false; // `net` may be freed by now
    const gpu = backend.gpu;
    copy = new Trainer(net.config);
    await yieldToPage();
    // Enough steps per timed run for a few milliseconds (the clock is coarse), one step
    // on a large network: a single call blocks the page for its whole length.
    const t0 = performance.now();
    copy.step(1);
    const steps = Math.max(1, Math.min(1000, Math.round(4 / Math.max(performance.now() - t0, 0.004))));
    const cpu = await medianWithin(current(() => copy.step(steps)), { times: 5, budgetMs: CPU_BUDGET_MS });
    const cpuStep = cpu.ms / steps;
    const gpuSteps = Math.min(steps, 20);
    let heatmapGpu, onGpu;
    try {
      showMeasuring("heatmap");
      heatmapGpu = await medianWithin(current(() => gpu.grid(net, HEATMAP)), {
        budgetMs: GPU_BUDGET_MS,
        decided: (ms) => ms > CLEARLY * heatmapCpu.ms || ms < heatmapCpu.ms / CLEARLY,
      });
      if (heatmapGpu.cutOff) {
        // The GPU is still busy with that heatmap: steps timed now would wait behind it.
        onGpu = { ms: null, skipped: true };
      } else {
        showMeasuring("training");
        const train = async () => {
          const done = await gpu.train(copy, gpuSteps);
          if (finished) done.free();
          else copy.finishGpuSteps(done);
        };
        onGpu = await medianWithin(current(train), {
          budgetMs: GPU_BUDGET_MS,
          decided: (ms) => ms / gpuSteps > CLEARLY * cpuStep || ms / gpuSteps < cpuStep / CLEARLY,
        });
        if (onGpu.ms !== null) onGpu.ms /= gpuSteps;
      }
    } catch (e) {
      if (e !== stale) gpuFailed("the GPU failed while being measured", e);
      return false;
    }
    if (generation !== backend.generation) return false;
    Object.assign(backend.heatmap, { cpu: heatmapCpu.ms, gpu: heatmapGpu });
    Object.assign(backend.training, { cpu: cpuStep, gpu: onGpu });
    return true;
  } catch (e) {
    if (e === stale) return false;
    throw e;
  } finally {
    finished = true;
    copy?.free();
  }
}

/** While measuring: which workload is on the GPU now. */
function showMeasuring(what) {
  if (!backend.gpu) return;
  $("#backend").textContent = `${where(backend.training)} (measuring WebGPU: ${backend.gpu.name}, ${what}…)`;
}

const where = (w) => (w.active === "gpu" ? `WebGPU: ${backend.gpu.name}` : "CPU: wasm SIMD");

/** Measures again after the network has been rebuilt, once the user has stopped changing it
 * for a moment: each measurement keeps the GPU busy for a while. */
let measureTimer = null;
function remeasureSoon() {
  clearTimeout(measureTimer);
  measureTimer = setTimeout(() => {
    if (!backend.gpu) return;
    measureBackends().then((done) => done && chooseBackend());
  }, 500);
}

function chooseBackend() {
  const choice = $("#backend-choice").value;
  const parts = [];
  for (const [name, w, unit] of [["heatmap", backend.heatmap, "per heatmap"], ["training", backend.training, "per step"]]) {
    // `w.gpu.ms` is null when the measurement was cut off (too slow) or skipped.
    const gpuFaster = backend.gpu && w.gpu?.ms != null && w.gpu.ms < w.cpu;
    w.active = backend.gpu && (choice === "gpu" || (choice === "auto" && gpuFaster)) ? "gpu" : "cpu";
    if (!backend.gpu || !w.gpu) continue;
    const onGpu = w.gpu.skipped
      ? "not timed (the GPU was still busy with the heatmap)"
      : w.gpu.ms === null
        ? `over ${duration(GPU_BUDGET_MS)} (measurement cut off)`
        : duration(w.gpu.ms);
    parts.push(`${name} ${duration(w.cpu)} on the CPU vs ${onGpu} ${unit}`);
  }
  backend.probs = null;
  const same = backend.heatmap.active === backend.training.active;
  const active = same ? where(backend.training) : `training on ${where(backend.training)}, heatmap on ${where(backend.heatmap)}`;
  const why = !backend.gpu
    ? backend.why
    : parts.length
      ? `measured${same && backend.training.active === "gpu" ? "" : ` against WebGPU: ${backend.gpu.name}`}: ${parts.join("; ")}` +
        (choice === "auto" ? "" : "; chosen by hand")
      : `measuring WebGPU: ${backend.gpu.name}…`;
  $("#backend").textContent = `${active} (${why})`;
  $("#backend").dataset.training = backend.training.active;
  $("#backend").dataset.heatmap = backend.heatmap.active;
  if (window.gradscope) window.gradscope.backend = backend.heatmap.active;
  if (trainer) drawPlot();
}

/** Resolves with words for the page when `gpu`'s device is lost. */
const lostReason = (gpu) => gpu.lost().then((why) => `the GPU device was lost (${why})`);

/** A GPU call failed: stop using the GPU at once, and name the cause. When the device is
 * lost, a call in flight usually fails just before the loss is reported, so the report is
 * given a moment to arrive. */
function gpuFailed(what, e) {
  if (!backend.gpu) return;
  backend.heatmap.active = backend.training.active = "cpu";
  const lost = lostReason(backend.gpu);
  const otherwise = new Promise((resolve) => setTimeout(() => resolve(`${what}: ${e.message}`), 250));
  Promise.race([lost, otherwise]).then(fallBackToCpu);
}

/** The GPU went away: say so once, continue on the CPU. Training state lives in the wasm
 * trainer, which takes over GPU steps only when they have been read back, so nothing is lost
 * but the steps in flight. */
function fallBackToCpu(why) {
  if (!backend.gpu) return;
  const gpu = backend.gpu;
  backend.gpu = null;
  // Release the device; calls still in flight settle on their own.
  gpu.destroy();
  backend.why = why;
  backend.training_in_flight = false;
  $("#backend-choice").querySelector("option[value=gpu]").disabled = true;
  chooseBackend();
}

function toCanvas([x, y], e, canvas) {
  return [((x + e) / (2 * e)) * canvas.width, ((e - y) / (2 * e)) * canvas.height];
}

/** Train and test loss against steps. The loss falls over orders of magnitude, so the
 * vertical axis is logarithmic once the curve spans more than two decades; a loss of
 * exactly 0 (hinge loss does reach it) then has its own band at the bottom. The axis labels
 * sit in a margin on the left, where no line is drawn. */
function drawCurves() {
  const canvas = $("#curves");
  const ctx = canvas.getContext("2d");
  const [W, H] = [canvas.width, canvas.height];
  const [left, top, bottom] = [50, 8, 6]; // margins: labels on the left
  ctx.clearRect(0, 0, W, H);
  const finite = history.flatMap((h) => [h.train, h.test]).filter((v) => Number.isFinite(v) && v >= 0);
  const positive = finite.filter((v) => v > 0);
  const max = Math.max(0, ...finite);
  const min = positive.length ? Math.min(...positive) : 0;
  const log = min > 0 && max / min > 100;
  $("#curves-scale").textContent = log ? "(log scale)" : "";
  if (history.length < 2 || !finite.length) return;
  const zeroBand = log && finite.includes(0) ? 14 : 0;
  const plotBottom = H - bottom - zeroBand; // where the lowest value (or min on a log axis) sits
  const [lo, hi] = log ? [Math.log10(min), Math.log10(max)] : [0, max || 1];
  const yOf = (v) => {
    if (log && v === 0) return H - bottom;
    const f = log ? Math.log10(v) : v;
    return plotBottom - ((f - lo) / (hi - lo || 1)) * (plotBottom - top);
  };
  const last = history.at(-1).step || 1;
  const xOf = (step) => left + (step / last) * (W - left - 6);

  ctx.fillStyle = "#5b6270";
  ctx.font = "11px system-ui";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const label = (v, y) => ctx.fillText(axisNumber(v), left - 6, Math.min(H - 6, Math.max(7, y)));
  label(max, yOf(max));
  label(log ? min : 0, plotBottom);
  if (zeroBand) label(0, H - bottom);
  ctx.strokeStyle = "#e3e6eb";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(left - 2, top);
  ctx.lineTo(left - 2, H - bottom);
  ctx.stroke();

  // Live changes: a dotted line at the step, with what changed; a label that would run
  // into the one before it goes a row lower.
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  const rowEnds = [];
  for (const m of marks) {
    const x = Math.round(xOf(m.step)) + 0.5;
    let row = rowEnds.findIndex((end) => end < x);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = x + 3 + ctx.measureText(m.text).width + 4;
    ctx.strokeStyle = "#2563eb";
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, H - bottom);
    ctx.stroke();
    ctx.fillStyle = "#2563eb";
    ctx.fillText(m.text, x + 3, top + 12 * row);
  }
  for (const [key, colour, dash] of [["test", "#9ca3af", [5, 4]], ["train", "#111827", []]]) {
    ctx.beginPath();
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    let started = false;
    for (const h of history) {
      if (!(Number.isFinite(h[key]) && h[key] >= 0)) continue;
      const [x, y] = [xOf(h.step), yOf(h[key])];
      started ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
      started = true;
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

/** A number for an axis label, narrow enough for its margin: 0.51, 0.0021, 2e−5. */
const axisNumber = (v) => (v === 0 ? "0" : v < 0.001 ? v.toExponential(0).replace("-", "−") : String(Number(v.toPrecision(2))));

/** The network: one column per layer, each neuron drawn as its own output over the plane,
 * edges coloured by the gradient that flowed through their weight in the last step. */
function drawNetwork() {
  const canvas = $("#network");
  const dpr = window.devicePixelRatio || 1;
  const W = canvas.clientWidth;
  const H = canvas.clientHeight;
  if (canvas.width !== Math.round(W * dpr)) {
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  const layers = trainer.layers();
  const neurons = trainer.neurons(THUMB);
  const widths = [layers[0].inputs, ...layers.map((l) => l.outputs)];
  const size = Math.max(4, Math.min(36, (H - 10) / Math.max(...widths) - 6));
  const colX = (c) => 30 + (c * (W - 60 - size)) / Math.max(1, widths.length - 1);
  // Top edge of neuron i of column c, the column centred vertically.
  const rowY = (c, i) => H / 2 + (i - (widths[c] - 1) / 2) * (size + 6) - size / 2;

  const byWeight = $("#color-by-weight").checked;
  const quantities = layers.flatMap((l) => Array.from(byWeight ? l.w : l.w_grad));
  const scale = new LogScale(quantities, 6);
  const wmax = Math.max(1e-9, ...layers.flatMap((l) => Array.from(l.w, Math.abs)));
  renderNetLegend(scale, byWeight);
  layers.forEach((l, li) => {
    const quantity = byWeight ? l.w : l.w_grad;
    // Between wide layers thousands of edges overlap: there they are drawn thinner and
    // translucent, the largest quantities last, so that where the gradient flows still
    // shows. Up to ~200 edges nothing changes.
    const dense = Math.min(1, Math.sqrt(200 / quantity.length));
    const order = Array.from(quantity.keys()).sort((a, b) => Math.abs(quantity[a]) - Math.abs(quantity[b]));
    ctx.globalAlpha = dense;
    for (const k of order) {
      const [i, j] = [Math.floor(k / l.outputs), k % l.outputs];
      ctx.strokeStyle = byWeight ? (l.w[k] >= 0 ? "rgba(37,99,235,0.8)" : "rgba(234,88,12,0.8)") : scale.color(quantity[k]);
      ctx.lineWidth = (0.5 + (3.5 * Math.abs(l.w[k])) / wmax) * Math.sqrt(dense);
      ctx.beginPath();
      ctx.moveTo(colX(li) + size, rowY(li, i) + size / 2);
      ctx.lineTo(colX(li + 1), rowY(li + 1, j) + size / 2);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  });
  // Inputs show their feature over the plane; neurons show their output.
  const e = trainer.extent;
  widths.forEach((w, c) => {
    for (let i = 0; i < w; i++) {
      const values = c === 0 ? featureValues(config.features[i], e) : column(neurons.layers[c - 1], w, i);
      drawThumb(ctx, values, colX(c), rowY(c, i), size);
      if (c === 0) {
        ctx.fillStyle = "#374151";
        ctx.font = "11px system-ui";
        ctx.textAlign = "right";
        ctx.fillText(FEATURES.find(([k]) => k === config.features[i])?.[1] ?? "", colX(0) - 4, rowY(0, i) + size / 2 + 4);
      }
    }
  });
}

/** Column `i` of a row-major matrix with `width` columns. */
function column(matrix, width, i) {
  const out = new Float32Array(matrix.length / width);
  for (let r = 0; r < out.length; r++) out[r] = matrix[r * width + i];
  return out;
}

const FEATURE_FN = {
  x1: (x) => x, x2: (_, y) => y, x1_squared: (x) => x * x, x2_squared: (_, y) => y * y,
  x1_x2: (x, y) => x * y, sin_x1: (x) => Math.sin(x), sin_x2: (_, y) => Math.sin(y),
};

function featureValues(feature, e) {
  const f = FEATURE_FN[feature];
  const out = [];
  for (let r = 0; r < THUMB; r++) {
    for (let c = 0; c < THUMB; c++) {
      const step = (2 * e) / THUMB;
      out.push(f(-e + (c + 0.5) * step, e - (r + 0.5) * step));
    }
  }
  return out;
}

/** A small heatmap: blue for positive, orange for negative, scaled to the largest |value|.
 * Written as pixels and scaled up in one drawImage: a rectangle per cell is too slow for
 * every neuron in every frame. */
const thumbCanvas = new OffscreenCanvas(THUMB, THUMB);
const thumbPixels = new ImageData(THUMB, THUMB);
function drawThumb(ctx, values, x, y, size) {
  let max = 1e-9;
  for (const v of values) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  const px = thumbPixels.data;
  for (let c = 0; c < THUMB * THUMB; c++) {
    const v = values[c] / max;
    const rgb = v >= 0 ? CLASS_RGB[1] : CLASS_RGB[0];
    const a = Number.isFinite(v) ? Math.abs(v) : 0;
    for (let j = 0; j < 3; j++) px[4 * c + j] = 255 + (rgb[j] - 255) * a;
    px[4 * c + 3] = 255;
  }
  thumbCanvas.getContext("2d").putImageData(thumbPixels, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(thumbCanvas, x, y, size, size);
  ctx.strokeStyle = "#9aa3b2";
  ctx.lineWidth = 1;
  ctx.strokeRect(x, y, size, size);
}

function renderNetLegend(scale, byWeight) {
  $("#net-legend-label").textContent = byWeight ? "weight: blue > 0, orange < 0" : "|∂L/∂w| in the last step";
  $("#net-legend-bar").style.background = byWeight ? "linear-gradient(to right, rgb(234,88,12), #fff, rgb(37,99,235))" : scale.gradientCss();
  $("#net-legend-lo").textContent = byWeight ? "" : fmt(10 ** scale.lo);
  $("#net-legend-hi").textContent = byWeight ? "" : fmt(10 ** scale.hi);
}

// ---- controls -----------------------------------------------------------------------------

function syncControls() {
  $("#dataset").value = config.dataset;
  $("#classes").value = String(config.classes);
  $("#noise").value = String(config.noise);
  $("#noise-out").textContent = String(config.noise);
  $("#test-fraction").value = String(config.test_fraction);
  showTestFraction(config.test_fraction);
  setSelect("#points", config.points);
  $("#loss").value = config.loss;
  $("#optimizer").value = config.optimizer;
  setSelect("#learning-rate", config.learning_rate);
  setSelect("#batch-size", config.batch_size);
  $("#regularization").value = config.regularization;
  setSelect("#lambda", config.lambda);
  setSelect("#momentum", config.momentum);
  $("#momentum").disabled = config.optimizer !== "momentum";
  annotateOptions();
  for (const box of document.querySelectorAll("#features input")) box.checked = config.features.includes(box.value);
  const clickClass = $("#click-class");
  clickClass.replaceChildren(...Array.from({ length: config.classes }, (_, k) =>
    el("option", { value: String(k), textContent: `${k} (${["orange", "blue", "green"][k]})` })));
  syncLayerControls();
}

const showTestFraction = (f) => ($("#test-out").textContent = `${Math.round(100 * f)}%`);

/** Marks the choices that cannot go with the current classes (or dataset and loss) with
 * the reason, so they are seen before they are picked. */
function annotateOptions() {
  const mark = (sel, why) => {
    for (const o of $(sel).options) {
      const reason = why(o.value);
      o.textContent = reason ? `${o.dataset.label} (${reason})` : o.dataset.label;
    }
  };
  mark("#dataset", (d) => !rules.datasets[d].includes(config.classes) && `${orWords(rules.datasets[d])} classes only`);
  mark("#loss", (l) => !rules.losses[l].includes(config.classes) && `${orWords(rules.losses[l])} classes only`);
  mark("#classes", (k) => {
    const clash = conflicts({ ...config, classes: Number(k) });
    return clash.length && `not with ${describe(Object.fromEntries(clash.map((c) => [c, config[c]])))}`;
  });
}

/** The per-layer boxes (− width +, activation), rebuilt on every change; the control that
 * had the keyboard focus gets it back, so keyboard use goes on where it was. */
function syncLayerControls() {
  const layers = $("#layer-controls");
  const focused = layers.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
  layers.replaceChildren();
  config.hidden.forEach((width, l) => {
    const act = el("select", { ariaLabel: `activation of layer ${l + 1}` }, ...ACTIVATIONS.map((a) => el("option", { value: a, textContent: a })));
    act.value = config.activations[l] || "tanh";
    act.dataset.focus = `${l}:activation`;
    act.addEventListener("change", () => change({ activations: config.activations.map((a, i) => (i === l ? act.value : a)) }));
    const minus = el("button", { type: "button", textContent: "−", title: "fewer neurons", ariaLabel: `fewer neurons in layer ${l + 1}` });
    const plus = el("button", { type: "button", textContent: "+", title: "more neurons", ariaLabel: `more neurons in layer ${l + 1}` });
    minus.dataset.focus = `${l}:minus`;
    plus.dataset.focus = `${l}:plus`;
    minus.disabled = width <= 1;
    plus.disabled = width >= rules.max_width;
    if (plus.disabled) plus.title = `at most ${rules.max_width} neurons`;
    minus.addEventListener("click", () => change({ hidden: config.hidden.map((w, i) => (i === l ? w - 1 : w)) }));
    plus.addEventListener("click", () => change({ hidden: config.hidden.map((w, i) => (i === l ? w + 1 : w)) }));
    layers.append(el("div", { className: "layer-box" }, `layer ${l + 1}: `, minus, el("b", { textContent: String(width) }), plus, act));
  });
  if (focused) {
    // The same control of the same layer; if it is now disabled, its neighbour in the box.
    const [l] = focused.split(":");
    const same = layers.querySelector(`[data-focus="${focused}"]`);
    const box = [...layers.querySelectorAll(`[data-focus^="${l}:"]`)];
    (same && !same.disabled ? same : box.find((c) => !c.disabled))?.focus();
  }
  for (const [button, other, full] of [["#add-layer", "#remove-layer", config.hidden.length >= rules.max_layers], ["#remove-layer", "#add-layer", !config.hidden.length]]) {
    const b = $(button);
    if (full && document.activeElement === b) $(other).focus();
    b.disabled = full;
  }
}

/** Selects `value` in a select, adding it as an option if the list lacks it. */
function setSelect(sel, value) {
  const s = $(sel);
  if (![...s.options].some((o) => Number(o.value) === Number(value))) {
    s.append(el("option", { value: String(value), textContent: String(value) }, ));
    s.options[s.options.length - 1].dataset.label = String(value);
  }
  s.value = [...s.options].find((o) => Number(o.value) === Number(value)).value;
}

// What a live change looks like on the loss curve's mark.
const MARK_TEXT = {
  learning_rate: (v) => `lr ${v}`,
  optimizer: (v) => choiceText("#optimizer", v),
  momentum: (v) => `μ ${v}`,
  batch_size: (v) => `batch ${v}`,
  regularization: (v) => (v === "none" ? "no reg." : choiceText("#regularization", v)),
  lambda: (v) => `λ ${v}`,
  noise: (v) => `noise ${v}`,
};

// Why a field needs a new run, for the note that says a run was restarted.
const NEEDS = {
  dataset: "new points", classes: "new points and a new output layer", points: "new points",
  test_fraction: "a new split of the points", seed: "new points", features: "a new input layer",
  hidden: "a new network", activations: "a new network", loss: "a new network (the loss is its last node)",
};

/** A control asks for `patch`. If it cannot go with the rest, nothing changes and the page
 * says why and offers what would work; if the running trainer can take it, training goes on
 * from the same weights; otherwise a new run starts, and the page says why. */
function change(patch) {
  const next = normalize({ ...config, ...patch });
  if (conflicts(next).length) {
    syncControls(); // the control shows the setup still in use
    const ways = alternatives(next, patch).map((alt) => [`use ${describe(alt)}`, () => change(alt)]);
    showNote(`Not changed: ${conflictReasons(next).join(", and ")}.${ways.length ? " Instead (a new run):" : ""}`, ways);
    return;
  }
  let answer = { restart: Object.keys(patch) };
  if (trainer) {
    try {
      answer = trainer.reconfigure(next);
    } catch (e) {
      syncControls();
      showStatus(`Not changed: ${e.message}.`);
      return;
    }
  }
  const steps = trainer?.steps ?? 0;
  config = next;
  if (answer.restart.length) {
    rebuild();
    const [first] = answer.restart;
    if (steps > 0) showNote(`Training started again from step 0: changing ${labelOf(first)} needs ${NEEDS[first]}.`);
    return;
  }
  liveChanged(patch, answer, steps);
}

/** After a live change: controls, link and views follow, the loss curve gets a mark, and
 * the status line says what happened to the run. */
function liveChanged(patch, answer, steps) {
  const changed = Object.keys(patch).filter((k) => k in MARK_TEXT);
  if (changed.length) marks.push({ step: steps, text: changed.map((k) => MARK_TEXT[k](config[k])).join(", ") });
  if (answer.points_redrawn) dataCache = trainer.data();
  if ("batch_size" in patch) remeasureSoon(); // the cost per step changed
  syncControls();
  saveUrl();
  const what = changed.map((k) => `${labelOf(k)} ${valueText(k)}`);
  const extra = answer.optimizer_reset
    ? `; ${choiceText("#optimizer", config.optimizer)} starts from zero moments`
    : answer.points_redrawn
      ? "; the same points, drawn again with the new noise"
      : "";
  showNote(`From step ${steps} on: ${what.join(", ")}, the same weights${extra}.`);
  render();
}

/** The current value of a field as its control shows it. */
function valueText(k) {
  const control = FIELDS[k].control && $(FIELDS[k].control);
  return control?.tagName === "SELECT" ? choiceText(FIELDS[k].control, String(config[k])) : String(config[k]);
}

function wireControls() {
  const on = (sel, ev, f) => $(sel).addEventListener(ev, f);
  on("#dataset", "change", () => change({ dataset: $("#dataset").value }));
  on("#classes", "change", () => change({ classes: Number($("#classes").value) }));
  on("#noise", "input", () => ($("#noise-out").textContent = $("#noise").value));
  on("#noise", "change", () => change({ noise: Number($("#noise").value) }));
  on("#test-fraction", "input", () => showTestFraction(Number($("#test-fraction").value)));
  on("#test-fraction", "change", () => change({ test_fraction: Number($("#test-fraction").value) }));
  on("#points", "change", () => change({ points: Number($("#points").value) }));
  on("#loss", "change", () => change({ loss: $("#loss").value }));
  on("#optimizer", "change", () => change({ optimizer: $("#optimizer").value }));
  on("#momentum", "change", () => change({ momentum: Number($("#momentum").value) }));
  on("#learning-rate", "change", () => change({ learning_rate: Number($("#learning-rate").value) }));
  on("#batch-size", "change", () => change({ batch_size: Number($("#batch-size").value) }));
  on("#regularization", "change", () => change({ regularization: $("#regularization").value }));
  on("#lambda", "change", () => change({ lambda: Number($("#lambda").value) }));
  on("#regenerate", "click", () => change({ seed: (config.seed + 1) % 1_000_000 }));
  on("#clear", "click", () => {
    if (!trainer) return;
    trainer.clearPoints();
    dataCache = trainer.data();
    render();
  });
  on("#add-layer", "click", () => change({ hidden: [...config.hidden, 4], activations: [...config.activations, "tanh"] }));
  on("#remove-layer", "click", () => change({ hidden: config.hidden.slice(0, -1), activations: config.activations.slice(0, -1) }));
  on("#color-by-weight", "change", () => trainer && drawNetwork());
  on("#discretize", "change", () => trainer && drawPlot());
  on("#play", "click", () => (playing ? pause() : play()));
  on("#step-once", "click", () => {
    if (!trainer) return;
    pause();
    runSteps(1);
    render();
  });
  on("#reset", "click", rebuild);
  on("#preset", "change", () => {
    const p = PRESETS[$("#preset").value];
    if (p) change({ ...defaults, ...p });
  });
  on("#plot", "click", (ev) => {
    if (!trainer) return;
    const canvas = $("#plot");
    const r = canvas.getBoundingClientRect();
    const e = trainer.extent;
    const x = ((ev.clientX - r.left) / r.width) * 2 * e - e;
    const y = e - ((ev.clientY - r.top) / r.height) * 2 * e;
    let k = Number($("#click-class").value);
    if (ev.shiftKey) k = config.classes === 2 ? 1 - k : (k + 1) % config.classes;
    trainer.addPoint(x, y, k, false);
    dataCache = trainer.data();
    render();
  });
  const features = $("#features");
  for (const [key, label] of FEATURES) {
    const box = el("input", { type: "checkbox", value: key });
    box.addEventListener("change", () => {
      const chosen = [...features.querySelectorAll("input:checked")].map((b) => b.value);
      if (chosen.length) change({ features: chosen });
      else box.checked = true;
    });
    features.append(el("label", {}, box, ` ${label}`));
  }
  document.addEventListener("keydown", (ev) => {
    if (ev.code === "Space" && !["INPUT", "SELECT", "BUTTON"].includes(document.activeElement?.tagName)) {
      ev.preventDefault();
      playing ? pause() : play();
    }
  });
}

async function main() {
  await init();
  defaults = Trainer.defaults();
  loadRules();
  // Each option's own words, before annotations are added to them (and its value made
  // explicit: an option without one takes its text).
  for (const o of document.querySelectorAll("select option")) {
    o.setAttribute("value", o.value);
    o.dataset.label = o.textContent;
  }
  const { cfg, refused } = loadUrl();
  config = cfg;
  wireControls();
  rebuild();
  if (refused.length) showStatus(`Not used from the link, so the defaults are shown for these: ${refused.join("; ")}.`);
  try {
    backend.gpu = await Gpu.open();
    lostReason(backend.gpu).then(fallBackToCpu);
  } catch (e) {
    backend.why = e.message;
    $("#backend-choice").querySelector("option[value=gpu]").disabled = true;
  }
  clearTimeout(measureTimer); // measured here, not again
  await measureBackends();
  $("#backend-choice").addEventListener("change", chooseBackend);
  window.gradscope = {
    ready: true,
    play,
    pause,
    get config() {
      return config;
    },
    defaults,
    /** Intervals between the last frames while training, in ms. */
    frameTimes: () => [...frameTimes],
    /** The labels of the current points, for tests and the console. */
    labels: () => Array.from(dataCache.labels),
    backend: null,
    /** Destroys the WebGPU device, as a driver reset would (for the fallback test). */
    loseGpu: () => backend.gpu?.destroy(),
  };
  chooseBackend();
}

main().catch((e) => showStatus(`gradscope could not start: ${e.message}`));
