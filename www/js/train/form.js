// @ts-check
// The configuration shown in the controls: each control set to its field, the choices
// that cannot go with the current classes marked with the reason, the user's own points
// in the Dataset menu, and the per-layer boxes rebuilt. Their events are wired in
// controls.js.

import { $, el } from "../dom.js";
import { SPEEDS, speedText } from "./pace.js";
import { CLASS_COLORS } from "./palette.js";
import { classCounts, conflicts, datasetsOf, describe, onlyFor } from "./rules.js";

/** @typedef {import("./state.js").State} State */
/** @typedef {import("./state.js").Pace} Pace */
/** @typedef {import("./rules.js").RuleBook} RuleBook */

/** @param {string} selector */
const select = (selector) => $(selector, HTMLSelectElement);
/** @param {string} selector */
const input = (selector) => $(selector, HTMLInputElement);

const layerBoxes = $("#layer-controls");
const features = $("#features");

/** The controls whose choices are the engine's: a checkbox per feature, and the numbers
 * of classes. Built once, before the options' words are kept (`keepOptionWords`).
 * @param {RuleBook} rules */
export function buildChoices(rules) {
  for (const { name, label } of rules.features) {
    features.append(el("label", {}, el("input", { type: "checkbox", value: name }), ` ${label}`));
  }
  select("#classes").replaceChildren(...classCounts(rules).map((k) => el("option", { value: String(k), textContent: String(k) })));
  // The menus' and sliders' ends are the engine's limits, not numbers of the page's own.
  for (const option of [...select("#points").options]) if (Number(option.value) > rules.max_points) option.remove();
  input("#test-fraction").max = String(rules.max_test_fraction);
  input("#noise").max = String(Math.min(Number(input("#noise").max), rules.max_noise));
  input("#speed").max = String(SPEEDS.length - 1); // the slider's positions are the stops, ticked
  $("#speed-stops").replaceChildren(...SPEEDS.map((_, i) => el("option", { value: String(i) })));
}

/** Sets every control to `state.config`. @param {State} state */
export function syncControls(state) {
  const config = state.config;
  select("#problem").value = config.problem;
  select("#dataset").value = config.dataset;
  select("#classes").value = String(config.classes);
  input("#noise").value = String(config.noise);
  $("#noise-out").textContent = String(config.noise);
  input("#test-fraction").value = String(config.test_fraction);
  showTestFraction(config.test_fraction);
  select("#loss").value = config.loss;
  select("#optimizer").value = config.optimizer;
  setSelect("#learning-rate", config.learning_rate);
  setSelect("#batch-size", config.batch_size);
  select("#regularization").value = config.regularization;
  setSelect("#lambda", config.lambda);
  setSelect("#momentum", config.momentum);
  $("#seed").textContent = config.init_seed ? `${config.seed} · init ${config.init_seed}` : String(config.seed);
  select("#momentum").disabled = config.optimizer !== "momentum";
  syncOwn(state);
  syncProblem(state);
  annotateOptions(state);
  for (const box of features.querySelectorAll("input")) box.checked = config.features.some((f) => f === box.value);
  select("#click-class").replaceChildren(
    ...Array.from({ length: config.classes }, (_, k) => el("option", { value: String(k), textContent: `${k} (${CLASS_COLORS[k].name})` })),
  );
  syncLayerBoxes(state);
}

/** The Dataset menu offers the user's own points while some are loaded, and for a run on
 * them the data settings their file fixes are disabled, saying why: its points, classes
 * and positions (no noise) are the file's; Regenerate draws a new split of them instead.
 * @param {State} state */
function syncOwn({ config, own }) {
  const dataset = select("#dataset");
  let option = [...dataset.options].find((o) => o.value === "own");
  if (own && !option) option = dataset.appendChild(el("option", { value: "own" }));
  if (own && option) option.dataset.label = option.textContent = `your data (${own.name}, ${own.points.length} points)`;
  if (!own) option?.remove();
  dataset.value = config.dataset;
  const mine = config.dataset === "own";
  // The menu is narrow for a file's name: the whole of it, and the classes, under it.
  const summary = $("#own-summary");
  summary.hidden = !(mine && own);
  const values = own?.classes ? `${own.classes} classes` : "a target y each";
  summary.textContent = mine && own ? `${own.name}: ${own.points.length} points, ${values}` : "";
  if (mine) $("#noise-out").textContent = "–";
  const points = select("#points");
  // A run on own points shows no count of the menu's: the file's is in the summary.
  if (mine) points.value = "";
  else setSelect("#points", config.points);
  /** @type {[HTMLSelectElement | HTMLInputElement, string][]} */
  const fixed = [
    [points, "the points are your file's"],
    [select("#classes"), "the classes are your file's labels"],
    [input("#noise"), "your points are used as they are, without noise"],
  ];
  for (const [control, why] of fixed) {
    control.disabled = mine;
    // On the row too: a disabled control shows no tooltip in every browser.
    const title = mine ? `Not for your data: ${why}` : "";
    for (const e of [control, control.closest("label")]) if (e) e.title = title;
  }
  const regenerate = $("#regenerate", HTMLButtonElement);
  regenerate.textContent = mine ? "New split" : "Regenerate";
  regenerate.title = mine ? "Your points split again into training and test points, and new initial weights" : "New points from the next seed";
}

/** What the problem decides in the controls: the Dataset menu offers its datasets only
 * (and the user's points if they are of it); a regression has no classes and one loss,
 * and a click adds a point with a target rather than a class. @param {State} state */
function syncProblem({ rules, config, own }) {
  const regression = config.problem === "regression";
  const posed = /** @type {string[]} */ (datasetsOf(rules, config.problem));
  const ownFits = own !== null && (own.classes === 0) === regression;
  for (const o of select("#dataset").options) o.hidden = o.value === "own" ? !ownFits : !posed.includes(o.value);
  const classes = select("#classes");
  if (regression) {
    classes.disabled = true;
    for (const e of [classes, classes.closest("label")]) if (e) e.title = "A regression has no classes: it fits a number";
  }
  for (const o of select("#loss").options) {
    o.disabled = regression && o.value !== rules.regression_loss;
    o.hidden = o.disabled;
  }
  $("#click-class-row").hidden = regression;
  $("#click-hint").textContent = !regression
    ? "Click a point on the plot to select it (again, or Escape, to let it go); click elsewhere, or Alt-click anywhere, to add a point of this class, shift-click for the other one."
    : "Click a point on the plot to select it (again, or Escape, to let it go); click elsewhere, or Alt-click anywhere, to add a point: on a fit of y = f(x1) at the height clicked, over the plane of target +1 (shift-click: −1).";
  $("#own-format").textContent = regression
    ? "Your own points: x1, x2, y (any number) on each line, comma- or tab-separated; a header row is optional. Points all on x2 = 0 are shown as a curve."
    : "Your own points: x1, x2, label (0, 1 or 2) on each line, comma- or tab-separated; a header row is optional.";
  $("#paste-text", HTMLTextAreaElement).placeholder = regression ? "x1,x2,y\n-1,0,0.84\n0.5,0,-0.91" : "x1,x2,label\n0.5,-1.2,0\n1.5,0.3,1";
  $("#download-csv").title = regression ? "The current points as x1,x2,y" : "The current points as x1,x2,label";
}

/** Sets the speed, limit and limit unit controls to `pace`. @param {Pace} pace */
export function syncPace(pace) {
  input("#speed").value = String(SPEEDS.indexOf(pace.speed));
  showSpeed(pace.speed);
  input("#limit").value = pace.limit === null ? "" : String(pace.limit);
  select("#limit-unit").value = pace.limit_unit;
}

/** The speed readout, also what a screen reader says for the slider. @param {Pace["speed"]} speed */
export function showSpeed(speed) {
  const text = speedText(speed);
  $("#speed-out").textContent = text;
  input("#speed").ariaValueText = text;
}

/** The noise readout, as the slider moves. @param {string} noise */
export const showNoise = (noise) => ($("#noise-out").textContent = noise);

/** The test fraction readout, as the slider moves. @param {number} f */
export const showTestFraction = (f) => ($("#test-out").textContent = `${Math.round(100 * f)}%`);

/** Marks the choices that cannot go with the current classes (or dataset and loss) with
 * the reason, so they are seen before they are picked. @param {State} state */
function annotateOptions({ rules, config }) {
  /** @param {string} selector @param {(value: string) => string} why */
  const mark = (selector, why) => {
    for (const o of select(selector).options) {
      const reason = why(o.value);
      o.textContent = reason ? `${o.dataset.label} (${reason})` : o.dataset.label ?? "";
    }
  };
  // A regression's menus offer only what it can have: nothing to mark.
  const regression = config.problem === "regression";
  const posed = /** @type {string[]} */ (datasetsOf(rules, "classification"));
  mark("#dataset", (d) =>
    regression || !posed.includes(d) ? "" : onlyFor(rules.datasets[/** @type {keyof RuleBook["datasets"]} */ (d)], config.classes),
  );
  mark("#loss", (l) => (regression ? "" : onlyFor(rules.losses[/** @type {keyof RuleBook["losses"]} */ (l)], config.classes)));
  mark("#classes", (k) => {
    const clash = conflicts(rules, { ...config, classes: Number(k) });
    return clash.length ? `not with ${describe(Object.fromEntries(clash.map((c) => [c, config[c]])))}` : "";
  });
}

/** The per-layer boxes (− width +, activation), rebuilt on every change; the control that
 * had the keyboard focus gets it back, so keyboard use goes on where it was. Each control
 * says which layer it is for and what it does (`data-layer`, `data-role`).
 * @param {State} state */
function syncLayerBoxes({ rules, config }) {
  const active = document.activeElement;
  const focused = active instanceof HTMLElement && layerBoxes.contains(active) ? { ...active.dataset } : null;
  layerBoxes.replaceChildren();
  config.hidden.forEach((width, l) => {
    const layer = { layer: String(l) };
    const act = el("select", { ariaLabel: `activation of layer ${l + 1}` }, ...rules.activations.map((a) => el("option", { value: a, textContent: a })));
    act.value = config.activations[l] ?? rules.default_activation;
    Object.assign(act.dataset, layer, { role: "activation" });
    const minus = el("button", { type: "button", textContent: "−", title: "fewer neurons", ariaLabel: `fewer neurons in layer ${l + 1}` });
    const plus = el("button", { type: "button", textContent: "+", title: "more neurons", ariaLabel: `more neurons in layer ${l + 1}` });
    Object.assign(minus.dataset, layer, { role: "minus" });
    Object.assign(plus.dataset, layer, { role: "plus" });
    minus.disabled = width <= 1;
    plus.disabled = width >= rules.max_width;
    if (plus.disabled) plus.title = `at most ${rules.max_width} neurons`;
    layerBoxes.append(el("div", { className: "layer-box" }, `layer ${l + 1}: `, minus, el("b", { textContent: String(width) }), plus, act));
  });
  if (focused) {
    // The same control of the same layer; if it is now disabled, its neighbour in the box.
    const box = /** @type {(HTMLButtonElement | HTMLSelectElement)[]} */ ([...layerBoxes.querySelectorAll(`[data-layer="${focused.layer}"]`)]);
    const same = box.find((c) => c.dataset.role === focused.role);
    (same && !same.disabled ? same : box.find((c) => !c.disabled))?.focus();
  }
  /** @type {[string, string, boolean][]} */
  const ends = [["#add-layer", "#remove-layer", config.hidden.length >= rules.max_layers], ["#remove-layer", "#add-layer", !config.hidden.length]];
  for (const [button, other, full] of ends) {
    const b = $(button, HTMLButtonElement);
    if (full && document.activeElement === b) $(other).focus();
    b.disabled = full;
  }
}

/** Selects `value` in a select of numbers, adding it as an option if the list lacks it.
 * @param {string} selector @param {number} value */
function setSelect(selector, value) {
  const s = select(selector);
  const has = () => [...s.options].find((o) => Number(o.value) === value);
  if (!has()) {
    const option = el("option", { value: String(value), textContent: String(value) });
    option.dataset.label = String(value);
    s.append(option);
  }
  s.value = has()?.value ?? "";
}
