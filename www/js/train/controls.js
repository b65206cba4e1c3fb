// @ts-check
// The controls' events, wired to what they do: a change of the configuration (changes.js),
// the loop (play, pause, step, its speed and limit), the points (click to add, clear; the
// user's own, own-data.js), the model file (model-file.js), the views' options.

import { $ } from "../dom.js";
import { change, newInitialisation, reset } from "./changes.js";
import { labelOf } from "./fields.js";
import { showNoise, showSpeed, showTestFraction, syncPace } from "./form.js";
import { playOrPause, stepOnce } from "./loop.js";
import { wireModelFile } from "./model-file.js";
import { useOwnPoints, wireOwnData } from "./own-data.js";
import { SPEEDS } from "./pace.js";
import { placeAt, pointAt } from "./plot.js";
import { openAsProgram } from "./selection.js";
import { PRESETS } from "./presets.js";
import { problemPatch } from "./rules.js";
import { drawNetworkOf, drawPlot, plotFrame, render } from "./render.js";
import { showNote } from "./status.js";
import { parseLimit, writeUrl } from "./url.js";

/** @typedef {import("../../pkg/gradscope.js").Config} Config */
/** @typedef {import("../../pkg/gradscope.js").Activation} Activation */
/** @typedef {import("../../pkg/gradscope.js").DatasetKind} DatasetKind */
/** @typedef {import("../../pkg/gradscope.js").Problem} Problem */
/** @typedef {import("./state.js").State} State */

/** The dataset each problem had when the other was chosen. @type {Partial<Record<Problem, DatasetKind>>} */
const lastDataset = {};

const NEW_LAYER_WIDTH = 4; // neurons in a layer added with "+ layer"
const SEEDS = 1_000_000; // Regenerate counts the seed up, round through this many

/** @param {string} selector */
const select = (selector) => $(selector, HTMLSelectElement);
/** @param {string} selector */
const input = (selector) => $(selector, HTMLInputElement);

/** @param {State} state */
export function wireControls(state) {
  /** @param {string} selector @param {string} event @param {(ev: Event) => void} f */
  const on = (selector, event, f) => $(selector).addEventListener(event, f);
  /** A menu that sets a field: its options' values are the engine's names and numbers.
   * @param {string} selector @param {(value: string) => Partial<Config>} patch */
  const onChoice = (selector, patch) => on(selector, "change", () => change(state, patch(select(selector).value)));
  on("#dataset", "change", () => {
    const dataset = /** @type {DatasetKind} */ (select("#dataset").value);
    if (dataset === "own") return useOwnPoints(state);
    change(state, state.config.dataset === "own" ? leavingOwn(state, dataset) : { dataset });
  });
  on("#problem", "change", () => {
    const problem = /** @type {Problem} */ (select("#problem").value);
    const { rules, defaults, config } = state;
    // Each problem goes back to the dataset it had last (the other one's is kept for then).
    lastDataset[config.problem] = config.dataset === "own" ? undefined : config.dataset;
    change(state, problemPatch(rules, defaults, problem, lastDataset));
  });
  onChoice("#classes", (v) => ({ classes: Number(v) }));
  onChoice("#points", (v) => ({ points: Number(v) }));
  onChoice("#loss", (v) => ({ loss: /** @type {Config["loss"]} */ (v) }));
  onChoice("#optimizer", (v) => ({ optimizer: /** @type {Config["optimizer"]} */ (v) }));
  onChoice("#momentum", (v) => ({ momentum: Number(v) }));
  onChoice("#learning-rate", (v) => ({ learning_rate: Number(v) }));
  onChoice("#batch-size", (v) => ({ batch_size: Number(v) }));
  onChoice("#regularization", (v) => ({ regularization: /** @type {Config["regularization"]} */ (v) }));
  onChoice("#lambda", (v) => ({ lambda: Number(v) }));
  // Sliders: the readout follows while dragging; the change comes on release.
  on("#noise", "input", () => showNoise(input("#noise").value));
  on("#noise", "change", () => change(state, { noise: Number(input("#noise").value) }));
  on("#test-fraction", "input", () => showTestFraction(Number(input("#test-fraction").value)));
  on("#test-fraction", "change", () => change(state, { test_fraction: Number(input("#test-fraction").value) }));
  on("#regenerate", "click", () => change(state, { seed: (state.config.seed + 1) % SEEDS }));
  on("#preset", "change", () => {
    const preset = PRESETS[select("#preset").value];
    if (preset) change(state, { ...state.defaults, ...preset });
  });
  wireFeatures(state);
  wireLayers(state);
  wirePoints(state);
  wireOwnData(state);
  wireModelFile(state);

  on("#color-by-weight", "change", () => drawNetworkOf(state));
  on("#discretize", "change", () => drawPlot(state));
  on("#play", "click", () => playOrPause(state));
  on("#step-once", "click", () => stepOnce(state));
  on("#reset", "click", () => reset(state));
  on("#new-init", "click", () => newInitialisation(state));
  on("#open-program", "click", () => openAsProgram(state));
  wirePace(state);
  document.addEventListener("keydown", (ev) => {
    // Space types, presses or opens in a control of its own (the paste box's text, its summary).
    const typing = ["INPUT", "SELECT", "BUTTON", "TEXTAREA", "SUMMARY"].includes(document.activeElement?.tagName ?? "");
    if (ev.code === "Space" && !typing) {
      ev.preventDefault();
      playOrPause(state);
    }
    // Escape lets the selected point go (not while a menu or the paste box has it).
    if (ev.key === "Escape" && !typing && state.run && state.run.selected !== null) {
      state.run.selected = null;
      render(state);
    }
  });
}

/** Leaving own points for `dataset`: their count and classes were the file's, not choices
 * to keep, so the default number of points, and the classes kept only if `dataset` can
 * have them. @param {State} state @param {DatasetKind} dataset @returns {Partial<Config>} */
function leavingOwn({ rules, defaults, config }, dataset) {
  const allowed = rules.datasets[dataset];
  // (A regression's dataset has no classes: the count stays, unread.)
  const classes = allowed.length === 0 || allowed.includes(config.classes) ? config.classes : allowed[0];
  return { dataset, points: defaults.points, classes };
}

/** The speed and the limit: they change how the loop runs, not the run, and go in the
 * link. The speed follows the slider as it moves. @param {State} state */
function wirePace(state) {
  const limit = input("#limit");
  const saved = () => writeUrl(state.config, state.pace);
  limit.addEventListener("change", () => {
    const parsed = limit.validity.badInput ? { why: "takes a whole number" } : parseLimit(limit.value.trim());
    if (parsed.why === undefined) {
      state.pace.limit = /** @type {number | null} */ (parsed.value);
      return saved();
    }
    const raw = limit.value.trim();
    showNote(`Not changed: ${labelOf("limit")} ${raw ? `“${raw}” ` : ""}${parsed.why}.`);
    syncPace(state.pace); // the field shows the limit still in use
  });
  $("#speed").addEventListener("input", () => {
    state.pace.speed = SPEEDS[Number(input("#speed").value)] ?? "max";
    showSpeed(state.pace.speed);
    saved();
  });
  $("#limit-unit").addEventListener("change", () => {
    state.pace.limit_unit = select("#limit-unit").value === "epochs" ? "epochs" : "steps";
    saved();
  });
}

/** The feature checkboxes: at least one stays ticked. @param {State} state */
function wireFeatures(state) {
  const features = $("#features");
  features.addEventListener("change", (ev) => {
    const box = ev.target;
    if (!(box instanceof HTMLInputElement)) return;
    const chosen = [...features.querySelectorAll("input:checked")].map((b) => /** @type {HTMLInputElement} */ (b).value);
    if (chosen.length) change(state, { features: /** @type {Config["features"]} */ (chosen) });
    else box.checked = true;
  });
}

/** Adding and removing layers, and each layer's box (− width +, activation), whose
 * controls form.js rebuilds on every change: one listener for them all. @param {State} state */
function wireLayers(state) {
  $("#add-layer").addEventListener("click", () =>
    change(state, { hidden: [...state.config.hidden, NEW_LAYER_WIDTH], activations: [...state.config.activations, state.rules.default_activation] }),
  );
  $("#remove-layer").addEventListener("click", () =>
    change(state, { hidden: state.config.hidden.slice(0, -1), activations: state.config.activations.slice(0, -1) }),
  );
  const boxes = $("#layer-controls");
  /** The layer a control of a box is for, and what it does. @param {EventTarget | null} target */
  const control = (target) => {
    const c = target instanceof Element ? target.closest("[data-role]") : null;
    return c instanceof HTMLElement ? { l: Number(c.dataset.layer), role: c.dataset.role, c } : null;
  };
  boxes.addEventListener("click", (ev) => {
    const hit = control(ev.target);
    if (!hit || (hit.role !== "minus" && hit.role !== "plus")) return;
    const by = hit.role === "plus" ? 1 : -1;
    change(state, { hidden: state.config.hidden.map((w, i) => (i === hit.l ? w + by : w)) });
  });
  boxes.addEventListener("change", (ev) => {
    const hit = control(ev.target);
    if (!hit || !(hit.c instanceof HTMLSelectElement)) return;
    const value = /** @type {Activation} */ (hit.c.value);
    change(state, { activations: state.config.activations.map((a, i) => (i === hit.l ? value : a)) });
  });
}

/** Clicking a point on the plot selects it (clicking it again, or Escape, lets it go);
 * clicking elsewhere, or Alt-clicking anywhere (on a plot dense with points), adds a point:
 * of the chosen class (shift: the other one); in a regression over the plane, of target +1
 * (shift: −1); on a fit's curve, at the height clicked. Clear removes them all.
 * @param {State} state */
function wirePoints(state) {
  $("#plot").addEventListener("click", (ev) => {
    const run = state.run;
    if (!run) return;
    const frame = plotFrame(run);
    const hit = ev.altKey ? null : pointAt(ev, run.data, frame);
    if (hit !== null) {
      run.selected = hit === run.selected ? null : hit;
      render(state);
      return;
    }
    const { point, y } = placeAt(ev, frame);
    const classes = state.config.classes;
    let value = Number(select("#click-class").value);
    if (state.config.problem === "regression") value = frame.curve ? y : ev.shiftKey ? -1 : 1;
    else if (ev.shiftKey) value = classes === 2 ? 1 - value : (value + 1) % classes;
    run.trainer.addPoint(point[0], point[1], value, false);
    run.data = run.trainer.data();
    render(state);
  });
  // By keyboard: the arrow keys select the next or the previous point (Page Up and Down
  // ten at a time, Home and End the first and the last), said as the line under the plot
  // names it.
  $("#plot").addEventListener("keydown", (ev) => {
    const run = state.run;
    const n = run?.data.points.length ?? 0;
    if (!run || n === 0 || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const at = run.selected;
    /** @type {Record<string, number>} */
    const by = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    let next;
    if (ev.key === "Home") next = 0;
    else if (ev.key === "End") next = n - 1;
    else if (by[ev.key] !== undefined) next = at === null ? (by[ev.key] > 0 ? 0 : n - 1) : (((at + by[ev.key]) % n) + n) % n;
    else return;
    ev.preventDefault();
    run.selected = next;
    render(state);
    // Said once a key: the line itself changes while training, too often to be said.
    $("#plot-said").textContent = $("#selected-point").textContent;
  });
  $("#clear").addEventListener("click", () => {
    const run = state.run;
    if (!run) return;
    run.trainer.clearPoints();
    run.data = run.trainer.data();
    run.selected = null;
    render(state);
  });
}
