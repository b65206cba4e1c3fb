// @ts-check
// The expression playground: type an expression, see its graph, values and gradients.
// A text that is not one expression but a program (lines, tensors, loops) runs as one.
//
// Data flow: text → wasm Expression (parse) → evaluate(values) → node report → canvas;
// or text → wasm Program (parse) → run(values) → node report → the same canvas.
// JavaScript handles input and drawing only; every derivative comes from the engine.
// User text is only ever set as textContent or an input's value, never as HTML.

import init, { Expression, Program } from "../pkg/gradscope.js";
import { GraphView } from "./graph-view.js";
import { fmt, full } from "./format.js";
import { $, el } from "./dom.js";
import { buildSteps, overlayAfter } from "./stepper.js";
import { edgeLines, nodeLines, notFiniteNotes } from "./chain-rule.js";
import { DEFAULT_RATE, readFragment, writeFragment } from "./fragment.js";
import { isTensor, show } from "./tensor.js";
import { byteToIndex } from "./source.js";
import { PRESETS } from "./presets.js";

/** @typedef {import("../pkg/gradscope.js").Evaluation} Evaluation */
/** @typedef {import("../pkg/gradscope.js").VariableCheck} GradCheck */
/** @typedef {import("../pkg/gradscope.js").ParseError} ParseError */
/** @typedef {import("../pkg/gradscope.js").RunError} RunError */
/** @typedef {import("../pkg/gradscope.js").NodeReport<number>} NodeReport */
/** @typedef {import("../pkg/gradscope.js").RunReport} RunReport */
/** @typedef {import("./stepper.js").Direction} Direction */
/** @typedef {import("./stepper.js").Step} Step */
/** @typedef {import("./graph-view.js").Hit} Hit */
/** @typedef {import("./colors.js").LogScale} LogScale */
/** @typedef {import("./presets.js").Preset} Preset */

/** What the legend says the edges carry, in each way of walking the graph. */
/** @type {Record<Direction, string>} */
const LEGEND = {
  forward: "|gradient along edge|", // values only: edges keep the backward colours
  backward: "|gradient along edge|",
  tangent: "|tangent along edge| (local × ẋ)",
};

/** @type {Record<Direction, string>} */
const STEP_INTRO = {
  forward: "Forward pass: press Step or Play to compute the nodes in topological order.",
  backward: "Backward pass: press Step or Play to walk the graph from the output back to the inputs.",
  tangent: "Forward mode: press Step or Play to carry the tangent ẋ through the nodes in topological order.",
};

/** A program's nodes are in the order it ran: the steps follow its lines. */
const PROGRAM_INTRO = {
  forward: "Forward pass: press Step or Play to compute the nodes in the order the program made them, line by line.",
  backward: "Backward pass: press Step or Play to go back from the output through the lines in reverse, loop steps last to first.",
};

/** Why the forward-mode radio is off for a program, and its title otherwise. */
const TANGENT_TITLE = {
  expression: "Forward-mode differentiation: tangents for the input chosen under Forward mode",
  program: "Forward mode steps through single expressions only; a program's forward-mode Jacobian is in `gradscope jacobian --mode forward`",
};

// The page's controls, looked up once.
const ui = {
  expr: $("#expr", HTMLTextAreaElement),
  programNote: $("#program-note"),
  controlFlow: $("#control-flow"),
  error: $("#expr-error"),
  preset: $("#preset", HTMLSelectElement),
  variables: $("#variables"),
  rate: $("#lr", HTMLInputElement),
  descentStatus: $("#descent-status"),
  results: $("#results tbody"),
  notFinite: $("#not-finite"),
  staleNote: $("#stale-note"),
  gradcheck: $("#gradcheck tbody"),
  tangentVar: $("#tangent-var", HTMLSelectElement),
  tangentNote: $("#tangent-note"),
  play: $("#play", HTMLButtonElement),
  caption: $("#step-caption"),
  progress: $("#step-progress", HTMLProgressElement),
  legendQuantity: $("#legend-quantity"),
  tooltip: $("#tooltip"),
  graphWrap: $("#graph-wrap"),
};

const state = {
  /** The wasm Expression of the last good text. @type {Expression | null} */
  expression: null,
  /** Or the wasm Program, when the text is a program rather than one expression.
   * @type {Program | null} */
  program: null,
  /** @type {Evaluation | null} */
  evaluation: null,
  /** Variable name → number, kept across edits. @type {Map<string, number>} */
  values: new Map(),
  /** Variables that gradient descent leaves alone (data, such as x1). @type {Set<string>} */
  fixed: new Set(),
  /** @type {Step[] | null} */
  steps: null,
  stepCount: 0,
  /** @type {Direction} */
  stepDirection: "backward",
  /** Forward mode: the tangent of every node for the chosen input. @type {ArrayLike<number> | null} */
  tangents: null,
  /** @type {ReturnType<typeof setInterval> | undefined} */
  timer: undefined,
  /** The structure of the graph on screen. @type {string | null} */
  graphShape: null,
};

/** For the console and for tests: counters, timings and the view. */
const probe = {
  renders: 0,
  nodes: 0,
  /** @type {number | null} */
  lastRenderMs: null,
  /** @type {number | null} */
  firstGraphMs: null,
  ready: false,
  /** @type {GraphView | null} */
  view: null,
};
Object.assign(window, { gradscope: probe });

/** @type {GraphView} */
let view;

// ---- the expression -------------------------------------------------------------------------

const CONTEXT = 40; // characters of source shown either side of an error in a long line

/** The message, and the source around the bad span with the span marked (and the '(' it
 * refers to, if any). A long line is cut to the part around the error, so a 5,000-character
 * paste cannot push the sidebar aside.
 * @param {string} text @param {ParseError | RunError} error */
function showError(text, error) {
  const box = ui.error;
  box.hidden = false;
  box.replaceChildren();
  const start = byteToIndex(text, error.start ?? 0);
  const end = Math.max(start, error.end === undefined ? text.length : byteToIndex(text, error.end));
  const marks = [{ start, end: Math.max(end, start + 1), className: "bad", title: error.message }];
  const related = "related" in error ? error.related : undefined;
  if (related) {
    const a = byteToIndex(text, related.start);
    const b = byteToIndex(text, related.end);
    if (b <= start) marks.unshift({ start: a, end: b, className: "related", title: "the '(' it would close" });
  }
  const from = Math.max(0, marks[0].start - CONTEXT);
  const to = Math.min(text.length, end + CONTEXT);
  /** @type {(string | Node)[]} */
  const parts = [from > 0 ? "…" : ""];
  let at = from;
  for (const m of marks) {
    if (m.start < at) continue;
    parts.push(text.slice(at, m.start), el("mark", { className: m.className, textContent: text.slice(m.start, m.end) || " ", title: m.title }));
    at = m.end;
  }
  parts.push(text.slice(at, to), to < text.length ? "…" : "");
  box.append(el("div", { className: "message", textContent: error.message }), el("code", { className: "source" }, ...parts));
  ui.expr.setAttribute("aria-invalid", "true");
  view.setDimmed(true);
  setStale(true);
}

function clearError() {
  ui.error.hidden = true;
  ui.expr.removeAttribute("aria-invalid");
  view.setDimmed(false);
  setStale(false);
}

/** After a parse error everything computed belongs to the last good expression: dimmed,
 * and said so, like the graph. @param {boolean} stale */
function setStale(stale) {
  for (const id of ["#results", "#gradcheck", "#tangent-note"]) $(id).classList.toggle("stale", stale);
  const last = (state.expression?.source ?? state.program?.source ?? "").replaceAll("\n", "; ");
  const what = state.program ? "program that ran" : "expression that parsed";
  ui.staleNote.hidden = !stale || !(state.expression || state.program);
  ui.staleNote.textContent = stale ? `These numbers are for the last ${what}: ${last.length > 60 ? `${last.slice(0, 60)}…` : last}` : "";
}

function onExpressionInput() {
  const t0 = performance.now();
  const text = ui.expr.value;
  fitEditor();
  let expression;
  try {
    expression = new Expression(text);
  } catch (error) {
    // Not one expression: perhaps a program. When it is neither, the message shown is the
    // one of whichever reading got further into the text (a program's, for several lines).
    let program = null;
    let programError = null;
    try {
      program = new Program(text);
    } catch (e) {
      programError = /** @type {ParseError} */ (e);
    }
    if (program) {
      useProgram(program);
      saveUrl();
      probe.lastRenderMs = performance.now() - t0;
      return;
    }
    // The last good graph stays on screen, dimmed.
    const expressionError = /** @type {ParseError} */ (error);
    const further = programError && (text.includes("\n") || programError.start > expressionError.start);
    showError(text, further && programError ? programError : expressionError);
    saveUrl();
    return;
  }
  clearError();
  const wasProgram = state.program !== null;
  state.program?.free();
  state.program = null;
  if (wasProgram) setProgramMode(false);
  state.expression?.free();
  state.expression = expression;
  for (const name of expression.variables) {
    if (!state.values.has(name)) state.values.set(name, 1);
  }
  buildVariableRows(expression.variables);
  evaluate({ newGraph: true });
  saveUrl();
  probe.lastRenderMs = performance.now() - t0;
}

/** The editor is as tall as the text (up to a dozen lines; then it scrolls). */
function fitEditor() {
  const lines = ui.expr.value.split("\n").length;
  ui.expr.rows = Math.min(Math.max(lines, 1), 12);
}

/** Tab and Shift-Tab indent and unindent the caret's line by four spaces while the text
 * has several lines (a program's blocks are indented). On one line, and right after
 * Escape, Tab moves on to the next control as usual, so the keyboard is never trapped.
 * @param {KeyboardEvent} ev */
function onEditorKey(ev) {
  if (ev.key === "Escape") {
    editorReleased = true;
    return;
  }
  const release = editorReleased;
  editorReleased = false;
  if (ev.key !== "Tab" || release || !ui.expr.value.includes("\n")) return;
  const box = ui.expr;
  const { selectionStart: start, selectionEnd: end, value } = box;
  const lineStart = value.lastIndexOf("\n", start - 1) + 1;
  ev.preventDefault();
  if (ev.shiftKey) {
    const spaces = /^ {0,4}/.exec(value.slice(lineStart))?.[0].length ?? 0;
    box.setRangeText("", lineStart, lineStart + spaces, "preserve");
    box.setSelectionRange(Math.max(lineStart, start - spaces), Math.max(lineStart, end - spaces));
  } else {
    box.setRangeText("    ", start, start, "end");
  }
  onExpressionInput();
}

/** Set by Escape: the next Tab leaves the editor. */
let editorReleased = false;

/** A program replaces the expression: its free names get sliders, and it runs.
 * @param {Program} program */
function useProgram(program) {
  clearError();
  state.expression?.free();
  state.expression = null;
  state.program?.free();
  state.program = program;
  setProgramMode(true);
  for (const name of program.freeNames) {
    if (!state.values.has(name)) state.values.set(name, 1);
  }
  buildVariableRows(program.freeNames);
  evaluate({ newGraph: true });
}

/** What a program's page leaves out for now: gradient descent, the gradient check and
 * forward mode work on one expression (programs have both modes in `gradscope jacobian`).
 * The step-through works on both, forward and backward. @param {boolean} on */
function setProgramMode(on) {
  for (const e of document.querySelectorAll("[data-expression-only]")) /** @type {HTMLElement} */ (e).hidden = on;
  const tangent = $("input[name=direction][value=tangent]", HTMLInputElement);
  tangent.disabled = on;
  const title = on ? TANGENT_TITLE.program : TANGENT_TITLE.expression;
  tangent.title = title;
  if (tangent.parentElement) tangent.parentElement.title = title;
  ui.programNote.hidden = !on;
  if (!on) ui.controlFlow.hidden = true;
  document.body.classList.toggle("program", on);
  stopStepping();
  ui.tangentVar.value = "";
  state.tangents = null;
  state.graphShape = null;
  // Typing a program keeps the pass chosen (unless forward mode, which it has not); an
  // expression starts again from the backward pass, as it always has.
  setMode(on && state.stepDirection !== "tangent" ? state.stepDirection : "backward");
}

/** Runs the program at the sliders' values; a mistake found while running is shown where
 * it is, with the last good graph dimmed. @param {{ newGraph?: boolean }} [options] */
function runProgram({ newGraph = false } = {}) {
  const program = state.program;
  if (!program) return;
  const values = Object.fromEntries(program.freeNames.map((n) => [n, state.values.get(n) ?? 1]));
  try {
    // Its {value, gradient} are in the nodes read below, shapes and all.
    program.run(values);
  } catch (error) {
    showError(program.source, /** @type {RunError} */ (error));
    return;
  }
  clearError();
  const nodes = program.nodes();
  const report = program.report();
  const root = nodes[report.output];
  /** @type {Evaluation} */
  const evaluation = {
    value: root.value[0],
    gradient: [],
    root: report.output,
    inputs: report.leaves.filter((l) => l.free).map((l) => l.node),
    nodes,
  };
  state.evaluation = evaluation;
  // A branch that flips, or a loop that runs another number of times, is another graph.
  const shape = nodes.map((n) => `${n.op}:${n.label}:${n.inputs}:${n.shape}`).join("|");
  if (newGraph || shape !== state.graphShape) view.setGraph(evaluation, program.layout());
  else view.setValues(evaluation);
  state.graphShape = shape;
  renderProgramResults(nodes, report);
  renderControlFlow(program.source, report);
  probe.renders++;
  probe.nodes = nodes.length;
  restep();
}

/** What the program's `if`s and loops did this run, a line per header: the branch each
 * `if` took and the value of its condition, how many times each loop ran. Define-by-run
 * in words: this is why the graph is the shape it is.
 * @param {string} source @param {RunReport} report */
function renderControlFlow(source, report) {
  /** The header's text and its line, from a byte span. @param {number} start @param {number} end */
  const header = (start, end) => {
    const a = byteToIndex(source, start);
    const line = source.slice(0, a).split("\n").length;
    return `line ${line}: ${source.slice(a, byteToIndex(source, end))}`;
  };
  /** Each header's runs: the branch taken and the conditions' values that chose it.
   * @type {Map<string, { branch: string, why: string }[]>} */
  const ifs = new Map();
  for (const b of report.branches) {
    const key = header(b.start, b.end);
    const branch = b.taken === undefined ? "else" : b.taken === 0 ? "if" : `elif ${b.taken}`;
    const why = b.taken === undefined ? b.conditions.map((c) => fmt(c)).join(", ") : `condition ${fmt(b.conditions[b.conditions.length - 1])}`;
    ifs.set(key, [...(ifs.get(key) ?? []), { branch, why }]);
  }
  /** @type {Map<string, number>} */
  const loops = new Map();
  for (const g of report.groups) {
    if (g.kind !== "iteration") continue;
    const key = header(g.start, g.end);
    loops.set(key, (loops.get(key) ?? 0) + 1);
  }
  /** `else ran ×2, if ran ×2`: a header's runs counted by branch.
   * @param {{ branch: string }[]} runs */
  const counted = (runs) => {
    /** @type {Map<string, number>} */
    const counts = new Map();
    for (const { branch } of runs) counts.set(branch, (counts.get(branch) ?? 0) + 1);
    return [...counts].map(([branch, n]) => `${branch} ran ×${n}`).join(", ");
  };
  const lines = [
    ...[...loops].map(([h, n]) => `${h} ran ${n} time${n === 1 ? "" : "s"}`),
    ...[...ifs].map(([h, runs]) => (runs.length === 1 ? `${h} → ${runs[0].branch} ran (${runs[0].why})` : `${h} ran ${runs.length} times: ${counted(runs)}`)),
  ];
  ui.controlFlow.hidden = lines.length === 0;
  ui.controlFlow.replaceChildren(...lines.map((text) => el("li", { textContent: text })));
}

/** The output and each leaf's gradient, from the nodes that hold them: a number, or a
 * tensor's shape, first entries and norm (every entry, full precision, in `data-value`
 * and `data-grad`). @param {NodeReport[]} nodes @param {RunReport} report */
function renderProgramResults(nodes, report) {
  const body = ui.results;
  body.replaceChildren();
  /** @param {number[]} xs @param {number[]} shape */
  const cell = (xs, shape) => el("td", { textContent: show(xs, shape), title: xs.map(full).join(", "), className: isTensor(shape) ? "tensor" : "" });
  const output = nodes[report.output];
  const valueCell = cell(output.value, output.shape);
  valueCell.dataset.value = output.value.map(full).join(",");
  body.append(el("tr", {}, el("th", { textContent: "f" }), valueCell));
  for (const leaf of report.leaves) {
    const n = nodes[leaf.node];
    const g = cell(n.grad, n.shape);
    g.dataset.var = leaf.name;
    g.dataset.grad = n.grad.map(full).join(",");
    body.append(el("tr", {}, el("th", { textContent: `∂f/∂${leaf.name}` }), g));
  }
  const notes = notFiniteNotes(/** @type {Evaluation} */ (state.evaluation));
  ui.notFinite.hidden = notes.length === 0;
  ui.notFinite.replaceChildren(...notes.map((text) => el("p", { textContent: text })));
  ui.programNote.textContent =
    "A program: its graph was built as it ran, so a branch or a loop count that changes gives another graph. " +
    (isTensor(output.shape) ? "Its output is a tensor, so the gradients are those of the seed given to backward. " : "") +
    "Step through it forward or backward: each step names its line. Gradient descent, the gradient check and " +
    "forward mode work on single expressions; the command line's gradscope jacobian gives a program's Jacobian by both modes.";
}

/** The chosen forward-mode input's index, or null. */
function tangentIndex() {
  return ui.tangentVar.value === "" ? null : Number(ui.tangentVar.value);
}

function evaluate({ newGraph = false } = {}) {
  if (state.program) return runProgram({ newGraph });
  const expression = state.expression;
  if (!expression) return;
  const values = expression.variables.map((v) => state.values.get(v) ?? 1);
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
  const t = tangentIndex();
  if (t !== null) state.tangents = expression.tangents(t);
  if (state.steps) {
    state.steps = buildSteps(state.stepDirection, evaluation, state.tangents);
    showStep();
  } else if (t !== null) {
    showTangents();
  }
  renderResults(expression.variables, evaluation);
  // Two forward passes per variable: skipped on graphs too big for that on every change.
  if (evaluation.nodes.length * expression.variables.length <= 200_000) renderGradCheck(expression.gradcheck());
  else renderGradCheck([]);
  probe.renders++;
  probe.nodes = evaluation.nodes.length;
}

// ---- variables, results, gradient check -----------------------------------------------------

/** A number field, a slider and a "descend on it" box per variable; kept as they are when
 * the variables have not changed, so typing elsewhere does not steal focus.
 * @param {string[]} names */
function buildVariableRows(names) {
  const box = ui.variables;
  const existing = [...box.querySelectorAll("input[type=number]")].map((i) => /** @type {HTMLElement} */ (i).dataset.var);
  if (existing.join("\u0000") === names.join("\u0000")) return;
  box.replaceChildren();
  for (const name of names) {
    const value = state.values.get(name) ?? 1;
    const number = el("input", { type: "number", step: "any", value: String(value) });
    number.dataset.var = name;
    const slider = el("input", { type: "range", step: "any" });
    fitSlider(slider, value);
    slider.dataset.slider = name;
    slider.setAttribute("aria-label", `${name} slider`);
    /** @param {number} v @param {HTMLInputElement} from */
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
  const select = ui.tangentVar;
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "", textContent: "choose an input…" }));
  names.forEach((n, i) => select.append(el("option", { value: String(i), textContent: n })));
  select.value = chosen && Number(chosen) < names.length ? chosen : "";
}

/** The number field and slider of variable `name`. @param {string} name */
function variableInputs(name) {
  const q = CSS.escape(name);
  return {
    number: $(`input[type=number][data-var="${q}"]`, HTMLInputElement),
    slider: $(`input[type=range][data-slider="${q}"]`, HTMLInputElement),
  };
}

/** A slider's range follows its value: ±10 for everyday numbers, else the power of ten
 * above |value|, so x = 1000 sits inside the track instead of pinning it at the end.
 * @param {HTMLInputElement} slider @param {number} v */
function fitSlider(slider, v) {
  const reach = Math.abs(v) <= 10 ? 10 : 10 ** Math.ceil(Math.log10(Math.abs(v) * 1.0001));
  if (Number(slider.max) !== reach) {
    slider.min = String(-reach);
    slider.max = String(reach);
    slider.step = String(reach / 1000);
  }
  slider.value = String(v);
}

/** @param {string[]} names @param {Evaluation} evaluation */
function renderResults(names, evaluation) {
  const body = ui.results;
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
  const notes = notFiniteNotes(evaluation);
  ui.notFinite.hidden = notes.length === 0;
  ui.notFinite.replaceChildren(...notes.map((text) => el("p", { textContent: text })));
}

/** @param {GradCheck[]} rows */
function renderGradCheck(rows) {
  const body = ui.gradcheck;
  body.replaceChildren();
  const f = state.evaluation?.value ?? 0;
  const undefinedHere = !Number.isFinite(f);
  for (const r of rows) {
    const ok = r.error < 1e-5 || (Number.isNaN(r.autodiff) && Number.isNaN(r.numeric));
    const status = el("td", {
      className: ok ? "ok" : "warn",
      textContent: ok ? "✓" : undefinedHere ? "f undefined" : "differs",
    });
    status.title = ok
      ? "autodiff and finite differences agree"
      : undefinedHere
        ? `f is ${fmt(f)} here, so there is no slope to compare: see the note under Result`
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

/** Says what a descent did, or why it could not. @param {string} text */
function sayDescent(text, bad = false) {
  ui.descentStatus.textContent = text;
  ui.descentStatus.classList.toggle("bad", bad);
  ui.rate.toggleAttribute("aria-invalid", bad && text.startsWith("The rate"));
}

/** The lecture's update, w ← w − α·∂L/∂w, `times` times, on the variables whose box is
 * ticked (untick data such as x1 to train only the weights). @param {number} times */
function descend(times) {
  const expression = state.expression;
  if (!expression || !state.evaluation) return;
  const raw = ui.rate.value.trim();
  const lr = ui.rate.valueAsNumber;
  if (raw === "" || !Number.isFinite(lr)) return sayDescent("The rate must be a number, such as 0.1.", true);
  if (lr < 0) return sayDescent("The rate must be positive: a negative rate climbs the gradient instead of descending it.", true);
  if (lr === 0) return sayDescent("The rate is 0, so a step moves nothing: x − 0 · ∂f/∂x = x.", true);
  const names = expression.variables;
  const learns = names.map((name) => !state.fixed.has(name));
  if (!learns.some(Boolean)) return sayDescent("Every variable is held fixed: tick one to let it move.", true);
  const before = state.evaluation.value;
  let taken = 0;
  let stopped = null;
  for (let i = 0; i < times; i++) {
    const proposed = expression.descend(lr);
    const next = names.map((name, k) => (learns[k] ? proposed[k] : (state.values.get(name) ?? 1)));
    const blown = next.findIndex((x) => !Number.isFinite(x));
    if (blown >= 0) {
      stopped = `${names[blown]} would become ${fmt(next[blown])}`;
      break; // diverged: keep the last finite point
    }
    const f = expression.evaluate(Float64Array.from(next)).value;
    if (!Number.isFinite(f) && Number.isFinite(before)) {
      stopped = `f would become ${fmt(f)}`;
      break;
    }
    names.forEach((name, k) => state.values.set(name, next[k]));
    taken++;
  }
  for (const name of names) {
    const v = state.values.get(name) ?? 1;
    const { number, slider } = variableInputs(name);
    number.value = String(v);
    fitSlider(slider, v);
  }
  evaluate();
  saveUrl();
  const after = state.evaluation.value;
  const moved = `${taken} step${taken === 1 ? "" : "s"}: f ${fmt(before)} → ${fmt(after)}`;
  if (stopped) sayDescent(`Diverged: at step ${taken + 1} ${stopped}; stopped after ${moved}. Try a smaller rate.`, true);
  else if (Number.isFinite(before) && after > before) sayDescent(`${moved}. f went up: the rate may be too large for this curvature.`, true);
  else sayDescent(`${moved}.`);
}

// ---- forward mode ---------------------------------------------------------------------------

/** Forward mode for the input chosen in the menu: every label, tooltip and the legend
 * speak of tangents, and the mode's radio is checked. Choosing no input goes back to the
 * gradients of the backward pass. */
function showTangents() {
  const i = tangentIndex();
  if (i === null || !state.expression || !state.evaluation) {
    ui.tangentNote.textContent = "";
    state.tangents = null;
    if (state.stepDirection === "tangent") {
      stopStepping();
      setMode("backward");
    } else if (!state.steps) view.setOverlay(null);
    return;
  }
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
  ui.tangentNote.textContent =
    `One forward pass with ẋ = 1 for ${name} (0 for the others) carries the tangent through ` +
    `every node; the output's tangent is ∂f/∂${name} = ${fmt(out)}. Forward mode needs ${n} ` +
    `pass${n === 1 ? "" : "es"} for all ${n} partials; reverse mode got them all in one ` +
    `backward pass. With many inputs and one loss, reverse mode wins.`;
}

// ---- step-through ---------------------------------------------------------------------------

/** The mode's radio, the legend's words and the state, kept in agreement.
 * @param {Direction} direction */
function setMode(direction) {
  state.stepDirection = direction;
  for (const radio of document.querySelectorAll("input[name=direction]")) {
    const r = /** @type {HTMLInputElement} */ (radio);
    r.checked = r.value === direction;
  }
  ui.legendQuantity.textContent = state.program ? "‖gradient along edge‖ (L2 norm for a tensor)" : LEGEND[direction];
}

/** Where a program's nodes came from, for its steps' captions; null for an expression, or
 * when the graph on screen is not the program's last good run (its run failed). */
function programSource() {
  const program = state.program;
  if (!program || program !== ranProgram || !state.evaluation) return null;
  try {
    const report = program.report();
    return report.origins.length === state.evaluation.nodes.length ? { source: program.source, report } : null;
  } catch {
    return null;
  }
}

/** The steps for `direction` on the graph on screen, or null if there is none to walk.
 * @param {Direction} direction */
function stepsFor(direction) {
  if (!state.evaluation) return null;
  if (!state.program) return buildSteps(direction, state.evaluation, state.tangents);
  const source = programSource();
  return source && direction !== "tangent" ? buildSteps(direction, state.evaluation, null, source) : null;
}

/** After a program ran again (a slider moved), the steps so far show the new numbers; a
 * graph of another shape (a branch flipped) starts the walk again. */
function restep() {
  ranProgram = state.program;
  if (!state.steps) return;
  if (state.graphShape !== stepsShape) {
    stopStepping();
    return;
  }
  state.steps = stepsFor(state.stepDirection);
  state.stepCount = Math.min(state.stepCount, state.steps?.length ?? 0);
  showStep();
}

/** The graph's shape the steps were built for. @type {string | null} */
let stepsShape = null;
/** The program whose run drew the graph on screen (the last that ran without an error).
 * @type {Program | null} */
let ranProgram = null;

/** The editor marks the line of the current step (when the page has an editor that can).
 * @param {number | null} line */
function markLine(line) {
  const editor = /** @type {{ editor?: { markLine?: (line: number | null) => void } }} */ (/** @type {unknown} */ (probe)).editor;
  editor?.markLine?.(line);
}

/** @param {Direction} direction */
function startStepping(direction) {
  if (!state.evaluation || !(state.expression || state.program)) return;
  // Forward mode's tangents come from an expression; a program steps backward instead.
  if (!state.expression && direction === "tangent") direction = "backward";
  if (direction === "tangent" && state.expression) {
    // Forward mode needs an input to differentiate by: the first, unless one is chosen.
    if (ui.tangentVar.value === "") ui.tangentVar.value = "0";
    state.tangents = state.expression.tangents(Number(ui.tangentVar.value));
  } else {
    ui.tangentVar.value = "";
    ui.tangentNote.textContent = "";
    state.tangents = null;
  }
  setMode(direction);
  state.steps = stepsFor(direction);
  stepsShape = state.graphShape;
  state.stepCount = 0;
  if (!state.steps && state.program) {
    ui.caption.textContent = "This program stopped with an error before its graph was complete: correct it to step through.";
  }
  showStep();
  if (direction === "tangent") showTangents();
}

function showStep() {
  const { steps, stepCount, stepDirection, evaluation } = state;
  if (!steps || !evaluation) return;
  const overlay = overlayAfter(stepDirection, steps, stepCount, evaluation, state.tangents);
  view.setOverlay(overlay);
  view.follow(overlay.current);
  const intro = state.program && stepDirection !== "tangent" ? PROGRAM_INTRO[stepDirection] : STEP_INTRO[stepDirection];
  ui.caption.textContent = stepCount === 0 ? intro : `${stepCount}/${steps.length}. ${steps[stepCount - 1].caption}`;
  ui.progress.value = steps.length ? stepCount / steps.length : 0;
  markLine(stepCount > 0 ? (steps[stepCount - 1].line ?? null) : null);
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
  ui.play.textContent = "Pause";
}

function pause() {
  clearInterval(state.timer);
  state.timer = undefined;
  ui.play.textContent = "Play";
}

function stopStepping() {
  pause();
  const wasStepping = state.steps !== null;
  state.steps = null;
  state.stepCount = 0;
  ui.caption.textContent = "";
  ui.progress.value = 0;
  view.setOverlay(state.tangents ? { kind: "tangent", tangents: state.tangents } : null);
  if (wasStepping) markLine(null);
}

// ---- hover: the chain rule at a node or an edge ---------------------------------------------

/** @param {Hit | null} hit @param {PointerEvent | null} ev */
function showTooltip(hit, ev) {
  const tip = ui.tooltip;
  const evaluation = state.evaluation;
  if (!hit || !evaluation || !ev) {
    tip.hidden = true;
    return;
  }
  const i = tangentIndex();
  const forward =
    state.stepDirection === "tangent" && state.tangents && state.expression && i !== null
      ? { by: state.expression.variables[i], tangents: state.tangents }
      : null;
  let lines;
  if (hit.kind === "node") {
    lines = nodeLines(evaluation, evaluation.nodes[hit.id], forward);
  } else {
    const edge = view.edges[hit.index];
    lines = edgeLines(evaluation, edge.to, edge.which, forward);
  }
  tip.replaceChildren(...lines.map(([text, className]) => el("div", { textContent: text, className: className ?? "" })));
  tip.hidden = false;
  const r = ui.graphWrap.getBoundingClientRect();
  // Kept inside the graph by its own width (a tensor's lines are long).
  tip.style.left = `${Math.max(0, Math.min(ev.clientX - r.left + 14, r.width - tip.offsetWidth - 4))}px`;
  tip.style.top = `${ev.clientY - r.top + 14}px`;
}

/** @param {LogScale} scale */
function renderLegend(scale) {
  $("#legend-bar").style.background = scale.gradientCss();
  $("#legend-lo").textContent = fmt(10 ** scale.lo);
  $("#legend-hi").textContent = fmt(10 ** scale.hi);
}

// ---- URL state ------------------------------------------------------------------------------

/** Debounced: browsers limit how often history may be rewritten (a slider fires often).
 * @type {ReturnType<typeof setTimeout> | undefined} */
let urlTimer;
function saveUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(writeUrl, 200);
}

function writeUrl() {
  const names = state.expression ? state.expression.variables : state.program ? state.program.freeNames : [];
  const t = tangentIndex();
  const hash = writeFragment({
    text: ui.expr.value,
    values: names.map((n) => [n, state.values.get(n) ?? 1]),
    fixed: names.filter((n) => state.fixed.has(n)),
    tangentOf: t === null ? null : names[t],
    rate: ui.rate.value,
  });
  if (hash === location.hash) return;
  try {
    history.replaceState(null, "", hash);
  } catch {
    // Rate-limited by the browser: the next change writes it.
  }
}

/** A link opened (or the fragment edited) in this tab: the view it describes. The text
 * goes into the box as its value; numbers that are not finite were dropped by the reader. */
function openFragment() {
  const link = readFragment(location.hash);
  if (!link) return false;
  ui.expr.value = link.text;
  for (const [name, v] of link.values) state.values.set(name, v);
  state.fixed = new Set(link.fixed);
  ui.rate.value = link.rate;
  ui.variables.replaceChildren();
  ui.tangentVar.value = "";
  state.tangents = null;
  stopStepping();
  setMode("backward");
  state.graphShape = null;
  onExpressionInput();
  const t = (state.expression?.variables ?? []).indexOf(link.tangentOf ?? "");
  if (t >= 0) {
    ui.tangentVar.value = String(t);
    showTangents();
  }
  return true;
}

/** @param {number} i */
function loadPreset(i) {
  const p = PRESETS[i];
  ui.expr.value = p.expr;
  for (const [k, v] of Object.entries(p.at)) state.values.set(k, v);
  state.fixed.clear();
  ui.rate.value = DEFAULT_RATE;
  ui.variables.replaceChildren();
  onExpressionInput();
  showFix(p);
}

/** Under an example whose error is the point (the slide's seed), its corrected text and a
 * button that loads it; shown while the example's own text is in the box.
 * @type {{ box: HTMLElement, text: HTMLElement, use: HTMLButtonElement, fix: string, for: string } | null} */
let fixNote = null;

/** @param {Preset} p */
function showFix(p) {
  if (!fixNote) {
    const text = el("pre", { className: "fix-text" });
    const use = el("button", { type: "button", id: "use-fix", textContent: "Use the corrected version" });
    const box = el("div", { id: "preset-fix", className: "preset-fix", hidden: true });
    box.setAttribute("role", "note");
    box.append(el("p", { textContent: "The slide's seed has the wrong shape; the corrected program:" }), text, use);
    ui.error.after(box);
    const note = { box, text, use, fix: "", for: "" };
    use.addEventListener("click", () => {
      box.hidden = true;
      ui.expr.value = note.fix;
      onExpressionInput();
      ui.expr.focus();
    });
    // An edit makes it another text: the note was about the example as given.
    ui.expr.addEventListener("input", () => (box.hidden ||= ui.expr.value !== note.for));
    fixNote = note;
  }
  fixNote.box.hidden = !p.fix || ui.error.hidden;
  if (!p.fix) return;
  fixNote.fix = p.fix;
  fixNote.for = p.expr;
  // The lines the correction changed are marked, so the fix reads at a glance.
  const before = new Set(p.expr.split("\n"));
  const lines = p.fix.split("\n").map((line) => (before.has(line) ? line : el("mark", { textContent: line })));
  fixNote.text.replaceChildren(...lines.flatMap((line, i) => (i ? ["\n", line] : [line])));
}

// ---- start ----------------------------------------------------------------------------------

async function main() {
  await init();
  view = new GraphView($("#graph", HTMLCanvasElement));
  probe.view = view;
  view.onHover = showTooltip;
  view.onScale = renderLegend;

  const presets = ui.preset;
  PRESETS.forEach((p, i) => presets.append(el("option", { value: String(i), textContent: p.name })));
  presets.addEventListener("change", () => presets.value !== "" && loadPreset(Number(presets.value)));

  ui.expr.addEventListener("input", onExpressionInput);
  ui.expr.addEventListener("keydown", onEditorKey);
  $("#step").addEventListener("click", step);
  ui.play.addEventListener("click", () => (state.timer ? pause() : play()));
  $("#reset").addEventListener("click", stopStepping);
  $("#fit").addEventListener("click", () => view.fit());
  for (const radio of document.querySelectorAll("input[name=direction]")) {
    const r = /** @type {HTMLInputElement} */ (radio);
    r.addEventListener("change", () => r.checked && startStepping(/** @type {Direction} */ (r.value)));
  }
  ui.tangentVar.addEventListener("change", () => {
    showTangents();
    saveUrl();
  });
  ui.rate.addEventListener("input", saveUrl);
  // Our own replaceState fires no hashchange: this is a link pasted or a fragment edited.
  window.addEventListener("hashchange", openFragment);
  $("#descend").addEventListener("click", () => descend(1));
  $("#descend-many").addEventListener("click", () => descend(20));

  if (!openFragment()) {
    presets.value = "0";
    loadPreset(0);
  }
  // performance.now() counts from navigation: the time to the first drawn graph.
  probe.firstGraphMs = performance.now();
  probe.ready = true;
}

main().catch((e) => {
  ui.error.hidden = false;
  ui.error.textContent = `gradscope could not start: ${e.message}`;
});
