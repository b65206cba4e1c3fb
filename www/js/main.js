// The expression playground: type an expression, see its graph, values and gradients.
//
// Data flow: text → wasm Expression (parse) → evaluate(values) → node report → canvas.
// JavaScript handles input and drawing only; every derivative comes from the engine.
// User text is only ever set as textContent or an input's value, never as HTML.

import init, { Expression } from "../pkg/gradscope.js";
import { GraphView } from "./graph-view.js";
import { fmt, full } from "./format.js";
import { buildSteps, overlayAfter, nodeName } from "./stepper.js";

/** The three ways to walk the graph, and what the edges carry in each. */
const MODES = {
  forward: { legend: "|gradient along edge|" }, // values only: edges keep the backward colours
  backward: { legend: "|gradient along edge|" },
  tangent: { legend: "|tangent along edge| (local × ẋ)" },
};

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
  fixed: new Set(), // variables that gradient descent leaves alone (data, such as x1)
  pendingTangent: null, // the forward-mode input a link asks for, chosen once it has parsed
  steps: null,
  stepCount: 0,
  stepDirection: "backward", // or "forward", or "tangent" (forward mode)
  tangents: null, // forward mode: the tangent of every node for the chosen input
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

const CONTEXT = 40; // characters of source shown either side of an error in a long line

/** The message, and the source around the bad span with the span marked (and the '(' it
 * refers to, if any). A long line is cut to the part around the error, so a 5,000-character
 * paste cannot push the sidebar aside. */
function showError(text, error) {
  const box = $("#expr-error");
  box.hidden = false;
  box.replaceChildren();
  const start = byteToIndex(text, error.start ?? 0);
  const end = Math.max(start, error.end === undefined ? text.length : byteToIndex(text, error.end));
  const marks = [{ start, end: Math.max(end, start + 1), className: "bad", title: error.message }];
  if (error.related) {
    const a = byteToIndex(text, error.related.start);
    const b = byteToIndex(text, error.related.end);
    if (b <= start) marks.unshift({ start: a, end: b, className: "related", title: "the '(' it would close" });
  }
  const from = Math.max(0, Math.min(marks[0].start, start) - CONTEXT);
  const to = Math.min(text.length, end + CONTEXT);
  const parts = [from > 0 ? "…" : ""];
  let at = from;
  for (const m of marks) {
    if (m.start < at) continue;
    parts.push(text.slice(at, m.start), el("mark", { className: m.className, textContent: text.slice(m.start, m.end) || " ", title: m.title }));
    at = m.end;
  }
  parts.push(text.slice(at, to), to < text.length ? "…" : "");
  box.append(el("div", { className: "message", textContent: error.message }), el("code", { className: "source" }, ...parts));
  $("#expr").setAttribute("aria-invalid", "true");
  view.setDimmed(true);
  setStale(true);
}

function clearError() {
  $("#expr-error").hidden = true;
  $("#expr").removeAttribute("aria-invalid");
  view.setDimmed(false);
  setStale(false);
}

/** After a parse error everything computed belongs to the last good expression: dimmed,
 * and said so, like the graph. */
function setStale(stale) {
  for (const id of ["#results", "#gradcheck", "#tangent-note"]) $(id).classList.toggle("stale", stale);
  const last = state.expression?.source ?? "";
  $("#stale-note").hidden = !stale || !state.expression;
  $("#stale-note").textContent = stale ? `These numbers are for the last expression that parsed: ${last.length > 60 ? `${last.slice(0, 60)}…` : last}` : "";
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
  if ($("#tangent-var").value !== "") state.tangents = expression.tangents(Number($("#tangent-var").value));
  if (state.steps) {
    state.steps = buildSteps(state.stepDirection, evaluation, state.tangents);
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
    const slider = el("input", { type: "range", step: "any" });
    fitSlider(slider, value);
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
      if (from !== slider) fitSlider(slider, v);
      evaluate();
      saveUrl();
    };
    number.addEventListener("input", () => set(number.valueAsNumber, number));
    slider.addEventListener("input", () => set(slider.valueAsNumber, slider));
    const learn = el("input", { type: "checkbox", checked: !state.fixed.has(name), title: `let gradient descent move ${name}` });
    learn.addEventListener("change", () => {
      if (learn.checked) state.fixed.delete(name);
      else state.fixed.add(name);
      saveUrl();
    });
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

/** A slider's range follows its value: ±10 for everyday numbers, else the power of ten
 * above |value|, so x = 1000 sits inside the track instead of pinning it at the end. */
function fitSlider(slider, v) {
  const reach = Math.abs(v) <= 10 ? 10 : 10 ** Math.ceil(Math.log10(Math.abs(v) * 1.0001));
  if (Number(slider.max) !== reach) {
    slider.min = String(-reach);
    slider.max = String(reach);
    slider.step = String(reach / 1000);
  }
  slider.value = String(v);
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
  renderNotFinite(evaluation);
}

/** Where a NaN or an infinity arose and why, in words: the node that left the real
 * numbers (from the engine's report), or the edge whose local derivative is infinite. */
function renderNotFinite(evaluation) {
  const box = $("#not-finite");
  box.replaceChildren();
  const lines = [];
  const bad = evaluation.nodes.filter((n) => n.not_finite);
  for (const n of bad) lines.push(`${nodeName(n)} = ${fmt(n.value[0])}: ${n.not_finite}.`);
  if (!Number.isFinite(evaluation.value) && bad.length) {
    lines.push(
      "f is not a real number here. The gradient is still computed by the same local rules " +
        "(upstream × local), but where f is undefined it is no derivative of anything.",
    );
  }
  if (Number.isFinite(evaluation.value)) {
    // A finite f with a non-finite gradient: an infinite slope somewhere on the way back.
    for (const n of evaluation.nodes) {
      n.edges.forEach((e) => {
        const from = evaluation.nodes[e.from];
        if (e.local && !Number.isFinite(e.local[0]) && Number.isFinite(from.value[0]) && Number.isFinite(n.grad[0]) && n.grad[0] !== 0) {
          lines.push(`∂${nodeName(n)}/∂${nodeName(from)} = ${fmt(e.local[0])} at ${nodeName(from)} = ${fmt(from.value[0])}: the slope of ${n.op} is infinite there, so the gradient is too.`);
        }
      });
    }
  }
  box.hidden = lines.length === 0;
  for (const l of lines) box.append(el("p", { textContent: l }));
}

function renderGradCheck(rows) {
  const body = $("#gradcheck tbody");
  body.replaceChildren();
  const undefinedHere = state.evaluation && !Number.isFinite(state.evaluation.value);
  for (const r of rows) {
    const ok = r.error < 1e-5 || (Number.isNaN(r.autodiff) && Number.isNaN(r.numeric));
    const status = el("td", {
      className: ok ? "ok" : "warn",
      textContent: ok ? "✓" : undefinedHere ? "f undefined" : "differs",
    });
    status.title = ok
      ? "autodiff and finite differences agree"
      : undefinedHere
        ? `f is ${fmt(state.evaluation.value)} here, so there is no slope to compare: see the note under Result`
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
  if (!expression) return;
  const say = (text, bad = false) => {
    const status = $("#descent-status");
    status.textContent = text;
    status.classList.toggle("bad", bad);
    $("#lr").toggleAttribute("aria-invalid", bad && text.startsWith("The rate"));
  };
  const raw = $("#lr").value.trim();
  const lr = $("#lr").valueAsNumber;
  if (raw === "" || !Number.isFinite(lr)) return say("The rate must be a number, such as 0.1.", true);
  if (lr < 0) return say("The rate must be positive: a negative rate climbs the gradient instead of descending it.", true);
  if (lr === 0) return say("The rate is 0, so a step moves nothing: x − 0 · ∂f/∂x = x.", true);
  const learns = expression.variables.map((name) => !state.fixed.has(name));
  if (!learns.some(Boolean)) return say("Every variable is held fixed: tick one to let it move.", true);
  const before = state.evaluation.value;
  let taken = 0;
  let stopped = null;
  for (let i = 0; i < times; i++) {
    const proposed = expression.descend(lr);
    const next = expression.variables.map((name, k) => (learns[k] ? proposed[k] : state.values.get(name)));
    const blown = expression.variables.find((_, k) => !Number.isFinite(next[k]));
    if (blown !== undefined) {
      stopped = `${blown} would become ${fmt(next[expression.variables.indexOf(blown)])}`;
      break; // diverged: keep the last finite point
    }
    const f = expression.evaluate(Float64Array.from(next)).value;
    if (!Number.isFinite(f) && Number.isFinite(before)) {
      stopped = `f would become ${fmt(f)}`;
      break;
    }
    expression.variables.forEach((name, k) => state.values.set(name, next[k]));
    taken++;
  }
  for (const name of expression.variables) {
    const v = state.values.get(name);
    document.querySelector(`input[type=number][data-var="${CSS.escape(name)}"]`).value = String(v);
    fitSlider(document.querySelector(`input[type=range][data-slider="${CSS.escape(name)}"]`), v);
  }
  evaluate();
  saveUrl();
  const after = state.evaluation.value;
  const moved = `${taken} step${taken === 1 ? "" : "s"}: f ${fmt(before)} → ${fmt(after)}`;
  if (stopped) say(`Diverged: at step ${taken + 1} ${stopped}; stopped after ${moved}. Try a smaller rate.`, true);
  else if (Number.isFinite(before) && after > before) say(`${moved}. f went up: the rate may be too large for this curvature.`, true);
  else say(`${moved}.`);
}

// ---- forward mode ---------------------------------------------------------------------------

/** Forward mode for the input chosen in the menu: every label, tooltip and the legend
 * speak of tangents, and the mode's radio is checked. Choosing no input goes back to the
 * gradients of the backward pass. */
function showTangents() {
  const select = $("#tangent-var");
  if (select.value === "" || !state.expression) {
    $("#tangent-note").textContent = "";
    state.tangents = null;
    if (state.stepDirection === "tangent") {
      stopStepping();
      setMode("backward");
    } else if (!state.steps) view.setOverlay(null);
    return;
  }
  const i = Number(select.value);
  const tangents = state.expression.tangents(i);
  state.tangents = tangents;
  if (state.stepDirection !== "tangent" || !state.steps) {
    stopStepping();
    setMode("tangent");
    view.setOverlay({ kind: "tangent", tangents });
  } else {
    state.steps = buildSteps("tangent", state.evaluation, tangents);
    showStep();
  }
  const name = state.expression.variables[i];
  const n = state.expression.variables.length;
  const out = tangents[state.evaluation.root];
  $("#tangent-note").textContent =
    `One forward pass with ẋ = 1 for ${name} (0 for the others) carries the tangent through ` +
    `every node; the output's tangent is ∂f/∂${name} = ${fmt(out)}. Forward mode needs ${n} ` +
    `pass${n === 1 ? "" : "es"} for all ${n} partials; reverse mode got them all in one ` +
    `backward pass. With many inputs and one loss, reverse mode wins.`;
}

// ---- step-through ---------------------------------------------------------------------------

/** The mode's radio, the legend's words and the state, kept in agreement. */
function setMode(direction) {
  state.stepDirection = direction;
  for (const radio of document.querySelectorAll("input[name=direction]")) radio.checked = radio.value === direction;
  $("#legend-quantity").textContent = MODES[direction].legend;
}

function startStepping(direction) {
  if (!state.evaluation) return;
  if (direction === "tangent") {
    // Forward mode needs an input to differentiate by: the first, unless one is chosen.
    if ($("#tangent-var").value === "") $("#tangent-var").value = "0";
    state.tangents = state.expression.tangents(Number($("#tangent-var").value));
  } else {
    $("#tangent-var").value = "";
    $("#tangent-note").textContent = "";
    state.tangents = null;
  }
  setMode(direction);
  state.steps = buildSteps(direction, state.evaluation, state.tangents);
  state.stepCount = 0;
  showStep();
  if (direction === "tangent") showTangents();
}

const STEP_INTRO = {
  forward: "Forward pass: press Step or Play to compute the nodes in topological order.",
  backward: "Backward pass: press Step or Play to walk the graph from the output back to the inputs.",
  tangent: "Forward mode: press Step or Play to carry the tangent ẋ through the nodes in topological order.",
};

function showStep() {
  const { steps, stepCount, stepDirection } = state;
  const overlay = overlayAfter(stepDirection, steps, stepCount, state.evaluation, state.tangents);
  view.setOverlay(overlay);
  view.follow(overlay.current);
  const caption = $("#step-caption");
  caption.textContent = stepCount === 0 ? STEP_INTRO[stepDirection] : `${stepCount}/${steps.length}. ${steps[stepCount - 1].caption}`;
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
  view.setOverlay(state.tangents ? { kind: "tangent", tangents: state.tangents } : null);
}

// ---- hover: the chain rule at a node or an edge ---------------------------------------------

function showTooltip(hit, ev) {
  const tip = $("#tooltip");
  const ev0 = state.evaluation;
  if (!hit || !ev0 || !ev) {
    tip.hidden = true;
    return;
  }
  const lines = hit.kind === "node" ? nodeTooltip(ev0, ev0.nodes[hit.id]) : edgeTooltip(ev0, view.edges[hit.index]);
  tip.replaceChildren(...lines.map(([t, c]) => el("div", { textContent: t, className: c || "" })));
  tip.hidden = false;
  const r = $("#graph-wrap").getBoundingClientRect();
  tip.style.left = `${Math.min(ev.clientX - r.left + 14, r.width - 260)}px`;
  tip.style.top = `${ev.clientY - r.top + 14}px`;
}

/** The chain rule at a node: its value, its gradient (or tangent) and, used on several
 * paths, the sum; for a constant, that no gradient flows into it; where the value left
 * the real numbers, why. */
function nodeTooltip(ev0, n) {
  const lines = [[`${nodeName(n)}  (${n.op})`, "title"], [`value = ${fmt(n.value[0])}`]];
  if (n.not_finite) lines.push([n.not_finite, "bad"]);
  const tangents = state.stepDirection === "tangent" ? state.tangents : null;
  if (n.op === "constant") {
    lines.push(["a constant: backpropagation computes no gradient for it"]);
    if (tangents) lines.push(["and its tangent is 0: it does not change"]);
    return lines;
  }
  const name = nodeName(n);
  if (tangents) {
    const by = state.expression.variables[Number($("#tangent-var").value)];
    lines.push([`tangent ẋ = ∂${name}/∂${by} = ${fmt(tangents[n.id])}`]);
    const ins = n.edges.filter((e) => e.local && ev0.nodes[e.from].op !== "constant");
    if (ins.length) {
      lines.push(["Σ local × ẋ of the inputs:"]);
      for (const e of ins) lines.push([`  from ${nodeName(ev0.nodes[e.from])}: ${fmt(e.local[0])} × ${fmt(tangents[e.from])}`]);
    }
    return lines;
  }
  lines.push([`∂f/∂${name} = ${fmt(n.grad[0])}`]);
  const out = ev0.nodes.flatMap((m) => m.edges.filter((e) => e.from === n.id).map((e) => ({ m, e })));
  if (out.length > 1) {
    lines.push([`used on ${out.length} paths; their gradients are summed:`]);
    for (const { m, e } of out) lines.push([`  from ${nodeName(m)}: ${fmt(e.flowed[0])}`]);
    lines.push([`  sum = ${fmt(n.grad[0])}`]);
  }
  return lines;
}

/** The chain rule along an edge: upstream × local going back, local × tangent going
 * forward in forward mode. */
function edgeTooltip(ev0, edge) {
  const to = ev0.nodes[edge.to];
  const from = ev0.nodes[edge.from];
  const e = to.edges[edge.which];
  const lines = [[`${nodeName(from)} → ${nodeName(to)}`, "title"]];
  if (from.op === "constant") {
    lines.push(["from a constant: nothing flows along this edge (no gradient back, no tangent forward)"]);
    return lines;
  }
  const local = `local  ∂${nodeName(to)}/∂${nodeName(from)} = ${fmt(e.local?.[0])}`;
  if (state.stepDirection === "tangent" && state.tangents) {
    const t = state.tangents[from.id];
    lines.push([local], [`tangent of ${nodeName(from)}  ẋ = ${fmt(t)}`], [`local × tangent = ${fmt(e.local ? e.local[0] * t : NaN)}`]);
    lines.push([`(flows forward into ${nodeName(to)})`]);
  } else if (e.local) {
    lines.push([local], [`upstream  ∂f/∂${nodeName(to)} = ${fmt(to.grad[0])}`], [`upstream × local = ${fmt(e.flowed[0])}`]);
  } else {
    lines.push([`gradient along this edge = ${fmt(e.flowed[0])}`]);
  }
  if (e.local && !Number.isFinite(e.local[0]) && Number.isFinite(from.value[0])) {
    lines.push([`the local derivative is ${fmt(e.local[0])} at ${nodeName(from)} = ${fmt(from.value[0])}`, "bad"]);
  }
  return lines;
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

/** The fragment for the current view. Every part is percent-encoded: a space is %20,
 * never '+', because the reader takes '+' literally (a hand-typed `#e=x+y` is x + y). */
function fragmentOf(view) {
  const enc = encodeURIComponent;
  const parts = [`e=${enc(view.text)}`];
  for (const [name, v] of view.values) parts.push(`${enc(name)}=${enc(String(v))}`);
  if (view.fixed.length) parts.push(`fixed=${view.fixed.map(enc).join(",")}`);
  if (view.tangentOf) parts.push(`tangent=${enc(view.tangentOf)}`);
  if (view.rate !== "0.1") parts.push(`rate=${enc(view.rate)}`);
  return `#${parts.join("&")}`;
}

function writeUrl() {
  const names = state.expression ? state.expression.variables : [];
  const tangent = $("#tangent-var").value;
  const hash = fragmentOf({
    text: $("#expr").value,
    values: names.map((n) => [n, state.values.get(n)]),
    fixed: names.filter((n) => state.fixed.has(n)),
    tangentOf: tangent === "" ? null : names[Number(tangent)],
    rate: $("#lr").value,
  });
  if (hash === location.hash) return;
  try {
    history.replaceState(null, "", hash);
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
  state.fixed = new Set((params.get("fixed") ?? "").split(",").filter(Boolean));
  state.pendingTangent = params.get("tangent") ?? null;
  const rate = Number(params.get("rate"));
  $("#lr").value = params.has("rate") && Number.isFinite(rate) ? String(rate) : "0.1";
  for (const [key, raw] of params) {
    if (key === "e" || key === "fixed" || key === "tangent" || key === "rate") continue;
    const v = Number(raw);
    if (raw.trim() !== "" && Number.isFinite(v)) state.values.set(key, v);
  }
  return true;
}

/** A link opened (or the fragment edited) in this tab: the view it describes. */
function openFragment() {
  if (!loadUrl()) return false;
  $("#variables").replaceChildren();
  $("#tangent-var").value = "";
  state.tangents = null;
  stopStepping();
  setMode("backward");
  state.graphShape = null;
  onExpressionInput();
  const names = state.expression?.variables ?? [];
  const t = names.indexOf(state.pendingTangent);
  if (t >= 0) {
    $("#tangent-var").value = String(t);
    showTangents();
  }
  state.pendingTangent = null;
  return true;
}

function loadPreset(i) {
  const p = PRESETS[i];
  $("#expr").value = p.expr;
  for (const [k, v] of Object.entries(p.at)) state.values.set(k, v);
  state.fixed.clear();
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
  $("#tangent-var").addEventListener("change", () => {
    showTangents();
    saveUrl();
  });
  $("#lr").addEventListener("input", saveUrl);
  // Our own replaceState fires no hashchange: this is a link pasted or a fragment edited.
  window.addEventListener("hashchange", openFragment);
  $("#descend").addEventListener("click", () => descend(1));
  $("#descend-many").addEventListener("click", () => descend(20));

  if (!openFragment()) {
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
