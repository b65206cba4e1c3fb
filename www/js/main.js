// The expression playground: type an expression, see its graph, values and gradients.
//
// Data flow: text → wasm Expression (parse) → evaluate(values) → node report → canvas.
// JavaScript handles input and drawing only; every derivative comes from the engine.
// User text is only ever set as textContent or an input's value, never as HTML.

import init, { Expression } from "../pkg/gradscope.js";
import { GraphView } from "./graph-view.js";
import { fmt, full } from "./format.js";
import { buildSteps, overlayAfter, nodeName } from "./stepper.js";

const PRESETS = [
  { name: "Lecture: ln(x1) + x1·x2 − sin(x2)", expr: "ln(x1)+x1*x2-sin(x2)", at: { x1: 2, x2: 5 } },
  { name: "Lecture: x1·x2 + sin(x2)", expr: "x1*x2+sin(x2)", at: { x1: 2, x2: 5 } },
  { name: "Lecture: −log σ(w·x)", expr: "-log(1/(1+exp(-w*x)))", at: { w: 0.5, x: 1.5 } },
  {
    name: "Logistic regression loss with L2",
    expr: "0.5*(w1^2+w2^2) - lambda*log(sigmoid(w1*x1+w2*x2))",
    at: { w1: 0.5, w2: -0.3, lambda: 1, x1: 1, x2: 2 },
  },
  { name: "Add distributes the gradient", expr: "(a + b) * 3", at: { a: 2, b: -1 } },
  { name: "Mul switches the gradient", expr: "x * y", at: { x: 3, y: -4 } },
  { name: "Max routes the gradient", expr: "max(x, y) * 2", at: { x: 4, y: 1 } },
  { name: "ReLU gates the gradient", expr: "relu(w*x + b)", at: { w: 0.8, x: -2, b: 0.5 } },
  { name: "Several paths are summed", expr: "x*x + x", at: { x: 3 } },
];

const $ = (sel) => document.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
};

const state = {
  expression: null, // the wasm Expression of the last good text
  evaluation: null,
  values: new Map(), // variable name → number, kept across edits
  steps: null,
  stepCount: 0,
  stepDirection: "backward",
  timer: null,
  graphShape: null, // the structure of the graph on screen
};

let view;

// ---- the expression -------------------------------------------------------------------------

/** UTF-8 byte offset (from the engine) to a JavaScript string index. */
function byteToIndex(text, byte) {
  let bytes = 0;
  let i = 0;
  for (const ch of text) {
    if (bytes >= byte) break;
    const c = ch.codePointAt(0);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    i += ch.length;
  }
  return i;
}

function showError(text, error) {
  const box = $("#expr-error");
  box.hidden = false;
  box.replaceChildren();
  const start = byteToIndex(text, error.start ?? 0);
  const end = error.end === undefined ? text.length : byteToIndex(text, error.end);
  const bad = text.slice(start, end) || " ";
  box.append(
    el("div", { className: "message", textContent: error.message }),
    el(
      "code",
      { className: "source" },
      text.slice(0, start),
      el("mark", { textContent: bad, title: error.message }),
      text.slice(end),
    ),
  );
  $("#expr").setAttribute("aria-invalid", "true");
  view.setDimmed(true);
}

function clearError() {
  $("#expr-error").hidden = true;
  $("#expr").removeAttribute("aria-invalid");
  view.setDimmed(false);
}

function onExpressionInput() {
  const t0 = performance.now();
  const text = $("#expr").value;
  let expression;
  try {
    expression = new Expression(text);
  } catch (error) {
    // The last good graph stays on screen, dimmed.
    showError(text, error);
    saveUrl();
    return;
  }
  clearError();
  state.expression?.free();
  state.expression = expression;
  for (const name of expression.variables) {
    if (!state.values.has(name)) state.values.set(name, 1);
  }
  buildVariableRows(expression.variables);
  evaluate({ newGraph: true });
  saveUrl();
  window.gradscope.lastRenderMs = performance.now() - t0;
}

function evaluate({ newGraph = false } = {}) {
  const expression = state.expression;
  if (!expression) return;
  const values = expression.variables.map((v) => state.values.get(v));
  const evaluation = expression.evaluate(Float64Array.from(values));
  state.evaluation = evaluation;
  // Text that parses to the same graph (a space added, say) keeps the zoom and pan.
  const shape = evaluation.nodes.map((n) => `${n.op}:${n.label}:${n.inputs}`).join("|");
  if (newGraph && shape !== state.graphShape) {
    stopStepping();
    view.setGraph(evaluation, expression.layout());
  } else {
    view.setValues(evaluation);
  }
  state.graphShape = shape;
  if (state.steps) {
    state.steps = buildSteps(state.stepDirection, evaluation);
    showStep();
  } else if ($("#tangent-var").value !== "") {
    showTangents();
  }
  renderResults(expression.variables, evaluation);
  // Two forward passes per variable: skipped on graphs too big for that on every change.
  if (evaluation.nodes.length * expression.variables.length <= 200_000) renderGradCheck(expression.gradcheck());
  else renderGradCheck([]);
  window.gradscope.renders++;
  window.gradscope.nodes = evaluation.nodes.length;
}

// ---- variables, results, gradient check -----------------------------------------------------

function buildVariableRows(names) {
  const box = $("#variables");
  const existing = [...box.querySelectorAll("input[type=number]")].map((i) => i.dataset.var);
  if (existing.join("\u0000") === names.join("\u0000")) return;
  box.replaceChildren();
  for (const name of names) {
    const value = state.values.get(name);
    const number = el("input", { type: "number", step: "any", value: String(value) });
    number.dataset.var = name;
    const slider = el("input", { type: "range", min: "-10", max: "10", step: "0.01", value: String(value) });
    slider.dataset.slider = name;
    slider.setAttribute("aria-label", `${name} slider`);
    const set = (v, from) => {
      if (!Number.isFinite(v)) {
        from.setAttribute("aria-invalid", "true");
        from.title = "not a finite number: the last value is kept";
        return;
      }
      from.removeAttribute("aria-invalid");
      from.title = "";
      state.values.set(name, v);
      if (from !== number) number.value = String(v);
      if (from !== slider) slider.value = String(v);
      evaluate();
      saveUrl();
    };
    number.addEventListener("input", () => set(number.valueAsNumber, number));
    slider.addEventListener("input", () => set(slider.valueAsNumber, slider));
    const learn = el("input", { type: "checkbox", checked: true, title: `let gradient descent move ${name}` });
    learn.dataset.learn = name;
    learn.setAttribute("aria-label", `descend on ${name}`);
    box.append(el("div", { className: "var-row" }, el("span", { className: "var-name", textContent: name }), number, slider, learn));
  }
  const select = $("#tangent-var");
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "", textContent: "choose an input…" }));
  names.forEach((n, i) => select.append(el("option", { value: String(i), textContent: n })));
  select.value = chosen && Number(chosen) < names.length ? chosen : "";
}

function renderResults(names, evaluation) {
  const body = $("#results tbody");
  body.replaceChildren();
  const valueCell = el("td", { textContent: fmt(evaluation.value), title: full(evaluation.value) });
  valueCell.dataset.value = full(evaluation.value);
  body.append(el("tr", {}, el("th", { textContent: "f" }), valueCell));
  names.forEach((name, i) => {
    const g = evaluation.gradient[i];
    const cell = el("td", { textContent: fmt(g), title: full(g) });
    cell.dataset.var = name;
    cell.dataset.grad = full(g);
    body.append(el("tr", {}, el("th", { textContent: `∂f/∂${name}` }), cell));
  });
}

function renderGradCheck(rows) {
  const body = $("#gradcheck tbody");
  body.replaceChildren();
  for (const r of rows) {
    const ok = r.error < 1e-5 || (Number.isNaN(r.autodiff) && Number.isNaN(r.numeric));
    const status = el("td", { className: ok ? "ok" : "warn", textContent: ok ? "✓" : "differs" });
    status.title = ok
      ? "autodiff and finite differences agree"
      : "they differ: at a kink (relu, abs, max) or a singularity, finite differences are not a derivative";
    body.append(
      el(
        "tr",
        {},
        el("th", { textContent: r.variable }),
        el("td", { textContent: fmt(r.autodiff) }),
        el("td", { textContent: fmt(r.numeric) }),
        el("td", { textContent: Number.isFinite(r.error) ? r.error.toExponential(1) : fmt(r.error) }),
        status,
      ),
    );
  }
}

// ---- gradient descent on the variables --------------------------------------------------------

/** The lecture's update, w ← w − α·∂L/∂w, `times` times, on the variables whose box is
 * ticked (untick data such as x1 to train only the weights). */
function descend(times) {
  const expression = state.expression;
  const lr = $("#lr").valueAsNumber;
  if (!expression || !Number.isFinite(lr)) return;
  const learns = expression.variables.map((name) => document.querySelector(`input[data-learn="${CSS.escape(name)}"]`)?.checked ?? true);
  for (let i = 0; i < times; i++) {
    const proposed = expression.descend(lr);
    const next = expression.variables.map((name, k) => (learns[k] ? proposed[k] : state.values.get(name)));
    if (!next.every(Number.isFinite)) break; // diverged: keep the last finite point
    expression.variables.forEach((name, k) => state.values.set(name, next[k]));
    expression.evaluate(Float64Array.from(next));
  }
  for (const name of expression.variables) {
    const v = String(state.values.get(name));
    document.querySelector(`input[type=number][data-var="${CSS.escape(name)}"]`).value = v;
    document.querySelector(`input[type=range][data-slider="${CSS.escape(name)}"]`).value = v;
  }
  evaluate();
  saveUrl();
}

// ---- forward mode ---------------------------------------------------------------------------

function showTangents() {
  const select = $("#tangent-var");
  if (select.value === "" || !state.expression) {
    $("#tangent-note").textContent = "";
    if (!state.steps) view.setOverlay(null);
    return;
  }
  stopStepping();
  const i = Number(select.value);
  const tangents = state.expression.tangents(i);
  const name = state.expression.variables[i];
  const n = state.expression.variables.length;
  const out = tangents[state.evaluation.root];
  view.setOverlay({ kind: "tangent", tangents });
  $("#tangent-note").textContent =
    `One forward pass with ẋ = 1 for ${name} (0 for the others) carries the tangent through ` +
    `every node; the output's tangent is ∂f/∂${name} = ${fmt(out)}. Forward mode needs ${n} ` +
    `pass${n === 1 ? "" : "es"} for all ${n} partials; reverse mode got them all in one ` +
    `backward pass. With many inputs and one loss, reverse mode wins.`;
}

// ---- step-through ---------------------------------------------------------------------------

function startStepping(direction) {
  if (!state.evaluation) return;
  $("#tangent-var").value = "";
  $("#tangent-note").textContent = "";
  state.stepDirection = direction;
  state.steps = buildSteps(direction, state.evaluation);
  state.stepCount = 0;
  showStep();
}

function showStep() {
  const { steps, stepCount, stepDirection } = state;
  view.setOverlay(overlayAfter(stepDirection, steps, stepCount, state.evaluation));
  const caption = $("#step-caption");
  caption.textContent =
    stepCount === 0
      ? stepDirection === "forward"
        ? "Forward pass: press Step or Play to compute the nodes in topological order."
        : "Backward pass: press Step or Play to walk the graph from the output back to the inputs."
      : `${stepCount}/${steps.length}. ${steps[stepCount - 1].caption}`;
  $("#step-progress").value = steps.length ? stepCount / steps.length : 0;
}

function step() {
  if (!state.steps) startStepping(state.stepDirection);
  if (!state.steps) return; // nothing has parsed yet
  if (state.stepCount < state.steps.length) {
    state.stepCount++;
    showStep();
  }
  if (state.stepCount >= state.steps.length) pause();
}

function play() {
  if (!state.steps || state.stepCount >= state.steps.length) startStepping(state.stepDirection);
  pause();
  if (!state.steps) return;
  state.timer = setInterval(step, 900);
  $("#play").textContent = "Pause";
}

function pause() {
  clearInterval(state.timer);
  state.timer = null;
  $("#play").textContent = "Play";
}

function stopStepping() {
  pause();
  state.steps = null;
  state.stepCount = 0;
  $("#step-caption").textContent = "";
  $("#step-progress").value = 0;
  view.setOverlay(null);
}

// ---- hover: the chain rule at a node or an edge ---------------------------------------------

function showTooltip(hit, ev) {
  const tip = $("#tooltip");
  const ev0 = state.evaluation;
  if (!hit || !ev0 || !ev) {
    tip.hidden = true;
    return;
  }
  const lines = [];
  if (hit.kind === "node") {
    const n = ev0.nodes[hit.id];
    lines.push([`${nodeName(n)}  (${n.op})`, "title"]);
    lines.push([`value = ${fmt(n.value[0])}`]);
    lines.push([`∂f/∂${nodeName(n)} = ${fmt(n.grad[0])}`]);
    const out = ev0.nodes.flatMap((m) => m.edges.filter((e) => e.from === n.id).map((e) => ({ m, e })));
    if (out.length > 1) {
      lines.push([`used on ${out.length} paths; their gradients are summed:`]);
      for (const { m, e } of out) lines.push([`  from ${nodeName(m)}: ${fmt(e.flowed[0])}`]);
      lines.push([`  sum = ${fmt(n.grad[0])}`]);
    }
  } else {
    const edge = view.edges[hit.index];
    const to = ev0.nodes[edge.to];
    const from = ev0.nodes[edge.from];
    const e = to.edges[edge.which];
    lines.push([`${nodeName(from)} → ${nodeName(to)}`, "title"]);
    if (e.local) {
      lines.push([`local  ∂${nodeName(to)}/∂${nodeName(from)} = ${fmt(e.local[0])}`]);
      lines.push([`upstream  ∂f/∂${nodeName(to)} = ${fmt(to.grad[0])}`]);
      lines.push([`upstream × local = ${fmt(e.flowed[0])}`]);
    } else {
      lines.push([`gradient along this edge = ${fmt(e.flowed[0])}`]);
    }
  }
  tip.replaceChildren(...lines.map(([t, c]) => el("div", { textContent: t, className: c || "" })));
  tip.hidden = false;
  const r = $("#graph-wrap").getBoundingClientRect();
  tip.style.left = `${Math.min(ev.clientX - r.left + 14, r.width - 260)}px`;
  tip.style.top = `${ev.clientY - r.top + 14}px`;
}

function renderLegend(scale) {
  $("#legend-bar").style.background = scale.gradientCss();
  $("#legend-lo").textContent = fmt(10 ** scale.lo);
  $("#legend-hi").textContent = fmt(10 ** scale.hi);
}

// ---- URL state ------------------------------------------------------------------------------

/** The expression and the values in the URL's fragment, so a link reproduces the view.
 * Debounced: browsers limit how often history may be rewritten (a slider fires often). */
let urlTimer = null;
function saveUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(writeUrl, 200);
}

function writeUrl() {
  const params = new URLSearchParams();
  params.set("e", $("#expr").value);
  const names = state.expression ? state.expression.variables : [];
  for (const name of names) params.set(name, String(state.values.get(name)));
  try {
    history.replaceState(null, "", `#${params}`);
  } catch {
    // Rate-limited by the browser: the next change writes it.
  }
}

/** Reads the fragment as untrusted text: the expression goes into the input box as its
 * value, numbers must parse as finite numbers, anything else is ignored. */
function loadUrl() {
  // Not URLSearchParams: it reads '+' as a space, and a hand-typed '#e=x+y' means x + y.
  const params = new Map();
  for (const part of location.hash.slice(1).split("&")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    try {
      params.set(decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      // A malformed escape: ignore that part.
    }
  }
  const text = params.get("e");
  if (text === undefined) return false;
  $("#expr").value = text.slice(0, 100_000);
  for (const [key, raw] of params) {
    if (key === "e") continue;
    const v = Number(raw);
    if (raw.trim() !== "" && Number.isFinite(v)) state.values.set(key, v);
  }
  return true;
}

function loadPreset(i) {
  const p = PRESETS[i];
  $("#expr").value = p.expr;
  for (const [k, v] of Object.entries(p.at)) state.values.set(k, v);
  $("#variables").replaceChildren();
  onExpressionInput();
}

// ---- start ----------------------------------------------------------------------------------

async function main() {
  window.gradscope = { renders: 0, lastRenderMs: null, ready: false };
  await init();
  view = new GraphView($("#graph"));
  // For the console and for tests: the view, and where an edge is drawn on screen.
  window.gradscope.view = view;
  view.onHover = showTooltip;
  view.onScale = renderLegend;

  const presets = $("#preset");
  PRESETS.forEach((p, i) => presets.append(el("option", { value: String(i), textContent: p.name })));
  presets.addEventListener("change", () => presets.value !== "" && loadPreset(Number(presets.value)));

  $("#expr").addEventListener("input", onExpressionInput);
  $("#step").addEventListener("click", step);
  $("#play").addEventListener("click", () => (state.timer ? pause() : play()));
  $("#reset").addEventListener("click", stopStepping);
  $("#fit").addEventListener("click", () => view.fit());
  for (const radio of document.querySelectorAll("input[name=direction]")) {
    radio.addEventListener("change", () => radio.checked && startStepping(radio.value));
  }
  $("#tangent-var").addEventListener("change", showTangents);
  $("#descend").addEventListener("click", () => descend(1));
  $("#descend-many").addEventListener("click", () => descend(20));

  if (loadUrl()) {
    onExpressionInput();
  } else {
    presets.value = "0";
    loadPreset(0);
  }
  // performance.now() counts from navigation: the time to the first drawn graph.
  window.gradscope.firstGraphMs = performance.now();
  window.gradscope.ready = true;
}

main().catch((e) => {
  const box = $("#expr-error");
  box.hidden = false;
  box.textContent = `gradscope could not start: ${e.message}`;
});
