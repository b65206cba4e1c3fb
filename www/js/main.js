// @ts-check
// The expression playground: type an expression, see its graph, values and gradients.
// A text that is not one expression but a program (lines, tensors, loops) runs as one.
//
// Data flow: text → wasm Expression (parse) → evaluate(values) → node report → canvas;
// or text → wasm Program (parse) → run(values) → node report → the same canvas.
// JavaScript handles input and drawing only; every derivative comes from the engine.
// User text is only ever set as textContent or an input's value, never as HTML.

// The playground's own package: the engine and expressions, without the trainer, the GPU
// and the tensor-program interpreter, which programs.js fetches when a program is typed.
import init, { Expression } from "../pkg/playground/gradscope.js";
import { loadPrograms, programClass } from "./programs.js";
import { GraphView } from "./graph-view.js";
import { HIDDEN, fmt, full } from "./format.js";
import { $, el } from "./dom.js";
import { buildSteps, overlayAfter } from "./stepper.js";
import { edgeLines, nodeLines, notFiniteNotes } from "./chain-rule.js";
import { DEFAULT_RATE, readFragment, writeFragment } from "./fragment.js";
import { wireGraphExport } from "./graph-figure.js";
import { Editor } from "./editor.js";
import { isTensor, show } from "./tensor.js";
import { SourceLines, byteToIndex } from "./source.js";
import { COLLAPSE_ABOVE, collapseLevels, collapsedIndices, describeChange, keysOf, nodeKeys, structureOf, viewGroupKey } from "./program-graph.js";
import { NodePanel } from "./node-panel.js";
import { barCss } from "./heatmap.js";
import { PRESETS } from "./presets.js";
import { GraphKeys } from "./graph-keys.js";
import { NodeTable } from "./node-table.js";
import { announceResults } from "./announce.js";
import { PLAYGROUND, setUpEmbed } from "./embed.js";
import { clip } from "./embed-link.js";
import { mountThemeControls, onThemeChange } from "./theme.js";
import { exerciseUrl, masked, readQuiz } from "./exercise-link.js";
import { ExercisePanel } from "./exercise.js";
import { wireExerciseBuilder } from "./exercise-builder.js";

/** @typedef {import("../pkg/programs/gradscope.js").Program} Program */
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
  graphChange: $("#graph-change"),
  groupTools: $("#group-tools"),
  groupNote: $("#group-note"),
  leafGrids: $("#leaf-grids"),
};

/** The program editor around #expr: line numbers, and the error, highlights and current
 * line marked in the text itself. */
const editor = new Editor(ui.expr, { errorBox: ui.error });

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
  /** The groups the person collapsed, by key; null: the default for the graph's size.
   * @type {Set<string> | null} */
  collapsed: null,
  /** The groups collapsed in the graph on screen, by key. @type {Set<string>} */
  drawnCollapsed: new Set(),
  /** The last run's report and node keys, to say what the next run changed.
   * @type {{ report: RunReport, keys: string[] } | null} */
  lastRun: null,
  /** Values given to leaves bound in the program, from their grids, by name.
   * @type {Map<string, number[] | number[][]>} */
  leafValues: new Map(),
  /** The engine's evaluation of the expression, every number in it: `evaluation` is this
   * with an exercise's hidden numbers hidden. @type {Evaluation | null} */
  truth: null,
  /** The exercise under way, if the link asks one (exercise-link.js). @type {ExercisePanel | null} */
  exercise: null,
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
  /** Texts waiting for the program reader's package (readAsProgram): 0 once the box's text
   * has been read. */
  reading: 0,
  /** URL writes finished: written, unchanged, or dropped for a newer one. */
  urlWrites: 0,
  /** @type {GraphView | null} */
  view: null,
  /** For tests and the graph: editor.highlight(ranges), editor.markLine(line). */
  editor,
  /** @type {NodePanel | null} */
  panel: null,
};
Object.assign(window, { gradscope: probe });

/** @type {GraphView} */
let view;

// ---- the expression -------------------------------------------------------------------------

/** The error marked in the editor, where it is (and the '(' it refers to, if any), with
 * its message under it. @param {string} text @param {ParseError | RunError} error */
function showError(text, error) {
  const start = byteToIndex(text, error.start ?? 0);
  const end = Math.max(start, error.end === undefined ? text.length : byteToIndex(text, error.end));
  const related = "related" in error ? error.related : undefined;
  editor.showError(start, end, error.message, related && { start: byteToIndex(text, related.start), end: byteToIndex(text, related.end) });
  view.setDimmed(true);
  setStale(true);
}

function clearError() {
  editor.clearError();
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

/** The box's text, read as one expression or else as a program. Returns a promise only
 * when the text waits for the program reader's package (the first text that is not one
 * expression); it resolves once the text, if still the box's, has been read.
 * @returns {Promise<void> | undefined} */
function onExpressionInput() {
  const t0 = performance.now();
  const text = ui.expr.value;
  editor.refresh();
  let expression;
  try {
    expression = new Expression(text);
  } catch (error) {
    const Program = programClass();
    if (!Program) return readAsProgram(text, /** @type {ParseError} */ (error));
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

/** The first text that is not one expression waits for the program reader (programs.js),
 * the last good graph dimmed and a note under the results meanwhile (not the box's error,
 * which is for what the reading finds); then the box is read again if it still holds the
 * text. If the package cannot be fetched, the text's error as an expression is shown and
 * the next edit tries again. @param {string} text @param {ParseError} expressionError */
async function readAsProgram(text, expressionError) {
  probe.reading++;
  try {
    view.setDimmed(true);
    ui.staleNote.hidden = false;
    ui.staleNote.textContent = "Not one expression: loading the tensor-program reader, to read it as a program…";
    try {
      await loadPrograms();
    } catch (e) {
      if (ui.expr.value !== text) return;
      const why = `The tensor-program reader could not be loaded (${/** @type {Error} */ (e).message}), so this was read as one expression only; an edit tries again.`;
      showError(text, { ...expressionError, message: `${expressionError.message} ${why}` });
      saveUrl();
      return;
    }
    if (ui.expr.value === text) await onExpressionInput();
  } finally {
    probe.reading--;
  }
}

/** A program replaces the expression: its free names get sliders, and it runs.
 * @param {Program} program */
function useProgram(program) {
  clearError();
  const wasProgram = state.program !== null;
  state.expression?.free();
  state.expression = null;
  state.program?.free();
  state.program = program;
  // From one program to the next the mode stays; runProgram decides what the edit changed.
  if (!wasProgram) setProgramMode(true);
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
  if (!on) {
    ui.controlFlow.hidden = true;
    ui.groupTools.hidden = true;
    ui.graphChange.hidden = true;
    ui.leafGrids.hidden = true;
    ui.groupNote.textContent = "";
    state.lastRun = null;
    state.leafValues.clear();
  }
  $("#legend-tensor").hidden = !on;
  document.body.classList.toggle("program", on);
  followRun(null, false);
  stopStepping();
  ui.tangentVar.value = "";
  state.tangents = null;
  state.graphShape = null;
  // Typing a program keeps the pass chosen (unless forward mode, which it has not); an
  // expression starts again from the backward pass, as it always has.
  setMode(on && state.stepDirection !== "tangent" ? state.stepDirection : "backward");
}

/** Runs the program at the sliders' values (and the grids' leaf values); a mistake found
 * while running is shown where it is, with the last good graph dimmed.
 * @param {{ newGraph?: boolean }} [options] */
function runProgram({ newGraph = false } = {}) {
  const program = state.program;
  if (!program) return;
  const values = Object.fromEntries(program.freeNames.map((n) => [n, state.values.get(n) ?? 1]));
  try {
    // Its {value, gradient} are in the nodes read below, shapes and all.
    program.run(values, Object.fromEntries(state.leafValues));
  } catch (error) {
    showError(program.source, /** @type {RunError} */ (error));
    followRun(null, false);
    return;
  }
  clearError();
  const nodes = program.nodes();
  const report = program.report();
  // A grid's values the program no longer takes (the leaf's shape changed) are dropped.
  for (const leaf of report.leaves) if (!leaf.free && !leaf.replaced) state.leafValues.delete(leaf.name);
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
  state.truth = null;
  // A branch that flips, or a loop that runs another number of times, is another graph;
  // text edited into the same graph (a comment, a space, another constant) is not, and
  // keeps the view, its groups as they were opened, and the selection.
  const shape = nodes
    .map((n, i) => `${n.op}:${n.op === "constant" ? "" : n.label}:${n.inputs}:${n.shape}:${report.origins[i].group}`)
    .join("|");
  const same = shape === state.graphShape && state.lastRun !== null;
  if (newGraph && same && state.lastRun) {
    // The groups' names hold their place in the text, which an edit may have moved.
    const old = state.lastRun.report;
    const rename = (/** @type {Set<string>} */ keys) => {
      const { groups, loops } = collapsedIndices(old, keys);
      const now = keysOf(report);
      return new Set([...groups.map((g) => now.groups[g]), ...loops.map((l) => now.loops[l])]);
    };
    if (state.collapsed) state.collapsed = rename(state.collapsed);
    state.drawnCollapsed = rename(state.drawnCollapsed);
    // The boxes say what the text now says (`for i in` where it said `for t in`).
    const structure = view.structure;
    if (structure) {
      const fresh = structureOf(program.source, report, { layout: view.layout, items: [], item_of: structure.itemOf }, collapsedIndices(report, state.drawnCollapsed));
      structure.groups.forEach((g, i) => Object.assign(g, { header: fresh.groups[i].header, detail: fresh.groups[i].detail }));
    }
  } else if (newGraph) {
    state.collapsed = null;
  }
  if (!same) drawProgramGraph(program, nodes, report, { keep: !newGraph });
  else view.setValues(evaluation);
  const keys = nodeKeys(report, nodes);
  // The selected node stays selected in a changed graph when the new run made it too.
  const before = state.lastRun;
  const selected = panel?.open && panel.node !== null && before && !newGraph ? keys.indexOf(before.keys[panel.node]) : -1;
  followRun({ program, nodes, report }, same || selected >= 0, selected >= 0 ? selected : undefined);
  state.graphShape = shape;
  state.lastRun = { report, keys };
  renderProgramResults(nodes, report);
  renderControlFlow(program.source, report);
  renderLeafGrids(nodes, report);
  // The marked line's nodes are this run's.
  markLineNodes(document.activeElement === ui.expr ? caretLine : null);
  probe.renders++;
  probe.nodes = nodes.length;
  restep();
}

/** Lays the program's graph out with its chosen groups collapsed (long loops start
 * collapsed) and draws it. With `keep`, the view stays where it was, and what came and
 * went since the last run is marked and said; `around`, a node to keep in place.
 * @param {Program} program @param {NodeReport[]} nodes @param {RunReport} report
 * @param {{ keep?: boolean, around?: number }} [options] */
function drawProgramGraph(program, nodes, report, { keep = false, around } = {}) {
  const evaluation = /** @type {Evaluation} */ (state.evaluation);
  /** @param {Set<string>} keys */
  const layOut = (keys) => {
    const c = collapsedIndices(report, keys);
    return program.layoutCollapsed(Uint32Array.from(c.groups), Uint32Array.from(c.loops));
  };
  let chosen = state.collapsed;
  let grouped;
  if (chosen) {
    grouped = layOut(chosen);
  } else {
    // Left to itself, the page collapses as little as keeps the graph readable at the zoom
    // that fits it: a cell unrolled 4 times shows its steps as boxes, 200 times as one box.
    const levels = collapseLevels(report).slice(nodes.length > COLLAPSE_ABOVE ? 1 : 0);
    chosen = levels[0];
    grouped = layOut(chosen);
    for (const level of levels.slice(1)) {
      if (view.fitScale(grouped.layout).readable) break;
      chosen = level;
      grouped = layOut(chosen);
    }
  }
  state.drawnCollapsed = chosen;
  const collapsed = collapsedIndices(report, chosen);
  const structure = structureOf(program.source, report, grouped, collapsed);
  const keys = nodeKeys(report, nodes);
  const before = keep ? state.lastRun : null;
  let anchor = null;
  /** @type {{ x0: number, y0: number, x1: number, y1: number }[]} */
  let goneOnScreen = [];
  /** @type {Set<number>} */
  const appeared = new Set();
  if (before) {
    const oldIds = new Map(before.keys.map((k, i) => [k, i]));
    const newKeys = new Set(keys);
    keys.forEach((k, i) => oldIds.has(k) || appeared.add(i));
    const goneIds = before.keys.flatMap((k, i) => (newKeys.has(k) ? [] : [i]));
    // A box a vanished item (a collapsed loop's nodes share one), not a box a node.
    const goneItems = new Set(goneIds.map((i) => view.itemOf[i]));
    goneOnScreen = [...goneItems].flatMap((item) => {
      const b = view.itemBox(item);
      return b ? [view.toScreen(b)] : [];
    });
    // Keep in place a node both runs have: the selected one, else the output, else the first.
    const wanted = [view.selected, before.report.output].flatMap((id) => (id === null ? [] : [before.keys[id]]));
    const survivor = wanted.find((k) => newKeys.has(k)) ?? keys.find((k) => oldIds.has(k));
    if (around !== undefined) anchor = { from: around, to: around };
    else if (survivor !== undefined) anchor = { from: /** @type {number} */ (oldIds.get(survivor)), to: keys.indexOf(survivor) };
    const said = describeChange(program.source, before.report, report, appeared.size, goneIds.length);
    // The line keeps its place when empty, so the graph does not move as it comes and goes.
    ui.graphChange.textContent = said;
  } else {
    ui.graphChange.textContent = "";
  }
  ui.graphChange.hidden = false;
  view.setGraph(evaluation, grouped.layout, structure, { keep: anchor });
  if (before && (appeared.size || goneOnScreen.length)) view.markChanges(appeared, goneOnScreen.map((b) => view.fromScreen(b)));
  const shut = structure.groups.filter((g) => g.collapsed).length;
  ui.groupTools.hidden = report.groups.length === 0;
  ui.groupNote.textContent = shut
    ? `${shut} group${shut === 1 ? "" : "s"} collapsed${state.collapsed ? "" : ` to keep the graph readable (${nodes.length.toLocaleString("en")} nodes)`}: click a box to expand it.`
    : report.groups.length
      ? "Loop iterations and calls are boxes: click a box's header to collapse it."
      : "";
}

/** Collapses or expands one group, or every outermost one, and redraws in place (about
 * node `around`, if given). @param {(current: Set<string>, report: RunReport) => Set<string>} change
 * @param {number} [around] */
function regroup(change, around) {
  const program = state.program;
  const run = state.lastRun;
  // A dimmed graph is the last good run's, and the program may not have one now.
  if (!program || !run || !state.evaluation || view.dimmed) return;
  const current = state.collapsed ?? state.drawnCollapsed;
  state.collapsed = change(new Set(current), run.report);
  drawProgramGraph(program, state.evaluation.nodes, run.report, { keep: true, around });
  ui.graphChange.textContent = "";
}

/** Collapses or expands the view's group `g`: a report group, or past them a loop. A loop
 * opens onto its steps, each still collapsed (a box a step), not onto all their nodes.
 * @param {number} g */
function toggleGroup(g) {
  const report = state.lastRun?.report;
  if (!report) return;
  const loop = g >= report.groups.length ? report.loops[g - report.groups.length] : undefined;
  // The group's first node stays where the click was.
  const inner = loop ? loop.iterations[0] : g;
  const first = report.origins.findIndex((o) => inGroup(o.group, inner));
  regroup(
    (set) => {
      const k = viewGroupKey(report, g);
      if (!set.has(k)) set.add(k);
      else {
        set.delete(k);
        const keys = keysOf(report).groups;
        if (loop) for (const step of loop.iterations) set.add(keys[step]);
      }
      return set;
    },
    first >= 0 ? first : undefined,
  );
}

/** Whether group `g` is `inner` or one of its ancestors. @param {number | null | undefined} inner @param {number} g */
function inGroup(inner, g) {
  const groups = state.lastRun?.report.groups ?? [];
  for (let k = inner ?? null; k !== null; k = groups[k]?.parent ?? null) if (k === g) return true;
  return false;
}

// ---- tensor leaves as grids -----------------------------------------------------------------

/** Leaves with at most this many rows and columns get a grid of cells to edit. */
const GRID_MAX = 8;

/** A grid per tensor leaf bound in the program (`W = randn(3, 4)`): click a cell to change
 * it; "new random values" draws the whole tensor again. Either re-runs the program with
 * those values (the run's `leafValues`). Rebuilt only when the leaves change, so typing in a
 * cell keeps its focus. @param {NodeReport[]} nodes @param {RunReport} report */
function renderLeafGrids(nodes, report) {
  // A name bound again and again (`x = randn(3)` in a loop) is a new leaf each time, with
  // its own draw: one grid could not stand for them, so it gets none.
  /** @type {Map<string, number>} */
  const bindings = new Map();
  for (const n of nodes) if (n.op === "parameter") bindings.set(n.label, (bindings.get(n.label) ?? 0) + 1);
  const leaves = report.leaves.filter((l) => !l.free && isTensor(nodes[l.node].shape) && (bindings.get(l.name) ?? 0) === 1);
  const signature = leaves.map((l) => `${l.name}:${nodes[l.node].shape}`).join("|");
  const box = ui.leafGrids;
  if (box.dataset.signature !== signature) {
    box.dataset.signature = signature;
    box.replaceChildren(...leaves.map((l) => leafGrid(l.name, nodes[l.node].shape)));
  }
  box.hidden = leaves.length === 0;
  for (const l of leaves) {
    const n = nodes[l.node];
    const grid = box.querySelector(`[data-leaf="${CSS.escape(l.name)}"]`);
    if (!grid) continue;
    grid.querySelectorAll("button.cell").forEach((b, i) => {
      const cell = /** @type {HTMLButtonElement} */ (b);
      cell.textContent = fmt(n.value[i]);
      cell.title = `${l.name}${indexText(n.shape, i)} = ${full(n.value[i])}; ∂f/∂${l.name}${indexText(n.shape, i)} = ${full(n.grad[i])}`;
    });
    const reset = grid.querySelector("button.reset");
    if (reset) /** @type {HTMLButtonElement} */ (reset).hidden = !state.leafValues.has(l.name);
  }
}

/** `[1, 2]` for a matrix entry, `[3]` for a vector's. @param {number[]} shape @param {number} i */
function indexText(shape, i) {
  return shape.length === 2 ? `[${Math.floor(i / shape[1])}, ${i % shape[1]}]` : `[${i}]`;
}

/** @param {string} name @param {number[]} shape */
function leafGrid(name, shape) {
  const rows = shape.length === 2 ? shape[0] : shape[0];
  const cols = shape.length === 2 ? shape[1] : 1;
  const figure = el("figure", { className: "leaf-grid" });
  figure.dataset.leaf = name;
  const caption = el("figcaption", {}, el("strong", { textContent: name }), ` ${shape.join("×")}`);
  const random = el("button", { type: "button", textContent: "new random values", className: "random" });
  random.addEventListener("click", () => {
    setLeafValue(name, shape, Array.from({ length: rows * cols }, gaussian));
  });
  const reset = el("button", { type: "button", textContent: "program's values", className: "reset", title: "back to what the program's text makes" });
  reset.addEventListener("click", () => {
    state.leafValues.delete(name);
    runProgram();
    saveUrl();
  });
  figure.append(caption, random, reset);
  if (rows > GRID_MAX || cols > GRID_MAX) {
    figure.append(el("p", { className: "hint", textContent: `Too large to edit cell by cell here (the most is ${GRID_MAX}×${GRID_MAX}).` }));
    return figure;
  }
  const table = el("table", { className: "grid" });
  table.setAttribute("aria-label", `${name}, ${rows} by ${cols}: click a cell to change it`);
  for (let r = 0; r < rows; r++) {
    const tr = el("tr");
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const cell = el("button", { type: "button", className: "cell" });
      cell.addEventListener("click", () => editCell(name, shape, i, cell));
      tr.append(el("td", {}, cell));
    }
    table.append(tr);
  }
  figure.append(table);
  return figure;
}

/** Turns a grid cell into a number field; Enter or leaving it sets the leaf's entry, and
 * Escape leaves it as it was. A number that is not finite is refused there, in words.
 * @param {string} name @param {number[]} shape @param {number} i @param {HTMLButtonElement} cell */
function editCell(name, shape, i, cell) {
  const nodes = state.evaluation?.nodes;
  const leaf = state.lastRun?.report.leaves.find((l) => l.name === name);
  if (!nodes || !leaf) return;
  const current = Array.from(nodes[leaf.node].value);
  const input = el("input", { type: "text", value: String(current[i]), className: "cell-edit" });
  input.setAttribute("aria-label", `${name}${indexText(shape, i)}`);
  input.inputMode = "decimal";
  let done = false;
  const finish = (/** @type {boolean} */ commit) => {
    if (done) return;
    const v = Number(input.value.trim());
    if (commit && (input.value.trim() === "" || !Number.isFinite(v))) {
      input.setAttribute("aria-invalid", "true");
      input.title = "not a finite number: type a number such as -0.5, or press Escape";
      return;
    }
    done = true;
    input.replaceWith(cell);
    if (commit && v !== current[i]) {
      current[i] = v;
      setLeafValue(name, shape, current);
    }
    cell.focus();
  };
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") finish(true);
    if (ev.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(true));
  cell.replaceWith(input);
  input.focus();
  input.select();
}

/** @param {string} name @param {number[]} shape @param {number[]} flat */
function setLeafValue(name, shape, flat) {
  state.leafValues.set(name, shape.length === 2 ? Array.from({ length: shape[0] }, (_, r) => flat.slice(r * shape[1], (r + 1) * shape[1])) : flat);
  runProgram();
  saveUrl();
}

/** A standard normal draw (Box–Muller), for "new random values". */
function gaussian() {
  const u = 1 - Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

/** What the program's `if`s and loops did this run, a line per header: the branch each
 * `if` took and the value of its condition, how many times each loop ran. Define-by-run
 * in words: this is why the graph is the shape it is.
 * @param {string} source @param {RunReport} report */
function renderControlFlow(source, report) {
  const text = new SourceLines(source);
  /** The header's text and its line, from a byte span. @param {number} start @param {number} end */
  const header = (start, end) => `line ${text.lineOf(start)}: ${text.slice(start, end)}`;
  /** Each header's runs: the branch taken and the conditions' values that chose it.
   * @type {Map<string, { branch: string, why: string }[]>} */
  const ifs = new Map();
  for (const b of report.branches) {
    const key = header(b.start, b.end);
    const branch = b.taken === undefined ? "else" : b.taken === 0 ? "if" : `elif ${b.taken}`;
    // A condition is a number (a comparison gives 1 or 0): say what it meant, and its value.
    const why =
      b.taken === undefined
        ? `${b.conditions.length === 1 ? "its condition is" : "every condition is"} false: ${b.conditions.map((c) => fmt(c)).join(", ")}`
        : `its condition is true: ${fmt(b.conditions[b.conditions.length - 1])}`;
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
  const truth = expression.evaluate(Float64Array.from(values));
  state.truth = truth;
  // Everything below draws and says this one: in an exercise, its hidden numbers are "?".
  const evaluation = state.exercise ? masked(truth, state.exercise.hidden()) : truth;
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
    number.setAttribute("aria-label", name);
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
  const names = state.expression?.variables ?? [];
  for (const r of rows) {
    // Both columns would give away a gradient an exercise asks for.
    if (state.evaluation?.gradient[names.indexOf(r.variable)] === HIDDEN) {
      const status = el("td", { className: "hidden-answer", textContent: "asked" });
      status.title = "the exercise asks for this gradient: it is checked in the answers";
      body.append(el("tr", {}, el("th", { textContent: r.variable }), ...["?", "?", "?"].map((t) => el("td", { textContent: t })), status));
      continue;
    }
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
  if (!expression || !state.evaluation || state.exercise) return;
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
  if (i === null || !state.expression || !state.evaluation || state.exercise) {
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
  // Forward mode's tangents come from an expression; a program steps backward instead, and
  // an exercise too (the output's tangent is a gradient it may ask).
  if ((!state.expression || state.exercise) && direction === "tangent") direction = "backward";
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
  saveUrl(); // the link says how far the pass has gone
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
  if (wasStepping) {
    markLine(null);
    saveUrl();
  }
}

// ---- code beside the graph -------------------------------------------------------------------

/** The line the caret is on, marked in the graph when the mouse is not over the text. */
let caretLine = /** @type {number | null} */ (null);

/** Hovering a program's node highlights the text that made it. @param {Hit | null} hit */
function showSourceOf(hit) {
  const source = state.program?.source;
  const origins = state.lastRun?.report.origins;
  if (!source || !origins || hit?.kind !== "node" || !origins[hit.id]) return editor.highlight([]);
  const o = origins[hit.id];
  editor.highlight([{ start: byteToIndex(source, o.start), end: byteToIndex(source, o.end) }]);
}

/** Marks in the graph the nodes made by source line `line` (of a program), or none.
 * @param {number | null} line */
function markLineNodes(line) {
  const source = state.program?.source;
  const origins = state.lastRun?.report.origins;
  if (!source || !origins || line === null) return view.setLineNodes(new Set());
  const lines = new SourceLines(source);
  const ids = new Set();
  origins.forEach((o, id) => {
    if (lines.lineOf(o.start) === line) ids.add(id);
  });
  view.setLineNodes(ids);
}

// ---- hover: the chain rule at a node or an edge ---------------------------------------------

/** The chain rule at what the pointer is over (or the keyboard's current node), by
 * `at` (client pixels); hidden for null. With `inputs`, a node's lines go on with the
 * chain rule along each of its input edges, as hovering each would show. Returns the lines.
 * @param {Hit | null} hit @param {{ clientX: number, clientY: number } | null} at */
function showTooltip(hit, at, { inputs = false } = {}) {
  const tip = ui.tooltip;
  const evaluation = state.evaluation;
  if (!hit || !evaluation || !at) {
    tip.hidden = true;
    return [];
  }
  const i = tangentIndex();
  const forward =
    state.stepDirection === "tangent" && state.tangents && state.expression && i !== null
      ? { by: state.expression.variables[i], tangents: state.tangents }
      : null;
  /** @type {import("./chain-rule.js").Line[]} */
  let lines;
  if (hit.kind === "group") {
    const g = view.structure?.groups[hit.group];
    lines = g
      ? [[`${g.header}${g.detail ? ` · ${g.detail}` : ""}`, "title"], [`${g.nodes} node${g.nodes === 1 ? "" : "s"}`], [g.collapsed ? "click to expand" : "click the header to collapse"]]
      : [];
  } else if (hit.kind === "node") {
    const n = evaluation.nodes[hit.id];
    lines = nodeLines(evaluation, n, forward);
    if (hit.cell) {
      // The entry under the pointer, in both heatmaps.
      const at = n.shape.length === 2 ? `[${hit.cell.row}, ${hit.cell.col}]` : `[${hit.cell.row}]`;
      lines.splice(1, 0, [`${at}: value ${fmt(n.value[hit.cell.index])}, gradient ${fmt(n.grad[hit.cell.index])}`]);
    }
    if (inputs) lines.push(...n.edges.flatMap((_, which) => edgeLines(evaluation, n.id, which, forward)));
  } else {
    const edge = view.edges[hit.index];
    const parts = edge.parts;
    const grouped = [edge.from, edge.to].some((i) => view.items[i]?.kind === "group");
    lines =
      parts.length > 1 && grouped
        ? [
            [`${parts.length} edges into or out of a collapsed group`, "title"],
            [`‖gradient that crossed‖ = ${fmt(edge.flowed)}`],
            ["(L2 norm over the nodes it left of what each received from the other side)"],
          ]
        : parts.length > 1
          ? // `x * x`: one drawn edge for both inputs, each with its chain rule.
            parts.flatMap((p) => edgeLines(evaluation, p.node, p.which, forward))
          : edgeLines(evaluation, parts[0]?.node ?? edge.to, parts[0]?.which ?? edge.which, forward);
  }
  tip.replaceChildren(...lines.map(([text, className]) => el("div", { textContent: text, className: className ?? "" })));
  tip.hidden = false;
  const r = ui.graphWrap.getBoundingClientRect();
  // Kept inside the graph by its own width (a tensor's lines are long).
  tip.style.left = `${Math.max(0, Math.min(at.clientX - r.left + 14, r.width - tip.offsetWidth - 4))}px`;
  tip.style.top = `${at.clientY - r.top + 14}px`;
  return lines.map(([text]) => text);
}

/** @param {LogScale} scale */
function renderLegend(scale) {
  $("#legend-bar").style.background = scale.gradientCss();
  $("#legend-lo").textContent = fmt(10 ** scale.lo);
  $("#legend-hi").textContent = fmt(10 ** scale.hi);
}

// ---- the node panel -------------------------------------------------------------------------

/** @type {NodePanel | null} */
let panel = null;

/** Clicking a node of a program's graph opens the node panel on it: its value and gradient,
 * its local Jacobians beside the vector–Jacobian product, the program's whole Jacobian.
 * (An expression's nodes are scalars: their tooltip says it all.) */
function wireNodePanel() {
  const p = new NodePanel($("#node-panel"));
  panel = p;
  probe.panel = p;
  view.onSelect = (id) => {
    const program = state.program;
    // A dimmed graph (an error shown) is the last good run's: nothing to open there.
    if (id === null || !program || !state.evaluation || view.dimmed) return;
    p.show({ program, nodes: state.evaluation.nodes, report: program.report(), node: id });
    view.setSelected(id);
    saveUrl();
  };
  p.onClose = () => {
    view.setSelected(null);
    saveUrl();
  };
}

/** After a run, the open panel follows it: new numbers for the same graph, or for the same
 * node (now `moved`) in a changed graph that still has it; closed when the node went away,
 * the run failed, or the text is no longer a program (its Program is freed).
 * @param {{ program: Program, nodes: NodeReport[], report: RunReport } | null} run @param {boolean} sameGraph
 * @param {number} [moved] the selected node's id in the new run */
function followRun(run, sameGraph, moved) {
  const node = moved ?? panel?.node ?? null;
  if (!panel?.open) return;
  if (run && sameGraph && node !== null && node < run.nodes.length) panel.refresh({ ...run, node });
  else panel.hide();
  view.setSelected(panel.open ? panel.node : null);
}

// ---- the keyboard and screen readers ---------------------------------------------------------

/** The graph by keyboard (graph-keys.js): Enter shows the chain rule where hovering does,
 * beside the node, and opens a program's node panel as a click does; the table of nodes
 * mirrors the graph; results and errors are said once they settle. */
function wireKeyboard() {
  const keys = new GraphKeys(view, $("#graph-said"));
  keys.onChainRule = (id) => {
    view.onSelect(id);
    const r = view.nodeScreenRect(id);
    const c = view.canvas.getBoundingClientRect();
    // The tooltip's corner where a pointer in the node's lower right would put it.
    return showTooltip({ kind: "node", id }, { clientX: c.left + r.x1 - 18, clientY: c.top + r.y1 - 10 }, { inputs: true });
  };
  keys.onEscape = () => showTooltip(null, null);
  keys.onToggleGroup = toggleGroup;
  const table = new NodeTable(view, $("#node-table"), $("#table-toggle", HTMLButtonElement));
  Object.assign(probe, { keys, table });
  announceResults({ results: ui.results, error: ui.error, polite: $("#results-said"), assertive: $("#error-said") });
}

// ---- URL state ------------------------------------------------------------------------------

/** Debounced: browsers limit how often history may be rewritten (a slider fires often).
 * @type {ReturnType<typeof setTimeout> | undefined} */
let urlTimer;
/** Writes begun: a long link is compressed asynchronously, and a write that finishes after
 * a newer one began (or a link was opened) must not put back the older view. */
let urlWrites = 0;
function saveUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(writeUrl, 200);
}

async function writeUrl() {
  const names = state.expression ? state.expression.variables : state.program ? state.program.freeNames : [];
  const t = tangentIndex();
  const write = ++urlWrites;
  const hash = await writeFragment({
    text: ui.expr.value,
    values: names.map((n) => [n, state.values.get(n) ?? 1]),
    tensors: state.program ? [...state.leafValues] : [],
    fixed: names.filter((n) => state.fixed.has(n)),
    tangentOf: t === null ? null : names[t],
    rate: ui.rate.value,
    pass: state.steps ? state.stepDirection : null,
    step: state.stepCount,
    node: panel?.open && panel.node !== null ? String(panel.node) : null,
  });
  probe.urlWrites++;
  if (write !== urlWrites || hash === location.hash) return;
  try {
    history.replaceState(null, "", hash);
  } catch {
    // Rate-limited by the browser: the next change writes it.
  }
}

/** Links opened: reading a compressed one takes a moment, and only the newest is shown. */
let linkReads = 0;
/** @type {Promise<boolean>} */
let newestLink = Promise.resolve(false);

/** A link opened (or the fragment edited) in this tab: the view it describes, once read.
 * Resolves to false if the fragment names no program; a damaged link shows the first
 * preset and says why. Never rejects. */
function openFragment() {
  newestLink = openLink(++linkReads);
  return newestLink;
}

/** The text goes into the box as its value; numbers that are not finite were dropped by
 * the reader, and what else it dropped is said under the box.
 * @param {number} read @returns {Promise<boolean>} */
async function openLink(read) {
  // The view being left is not written over the link being read.
  clearTimeout(urlTimer);
  urlWrites++;
  const { view: link, problem, notes } = await readFragment(location.hash);
  if (read !== linkReads) return newestLink;
  if (!link) {
    if (!problem) return false;
    ui.preset.value = "0";
    await loadPreset(0);
    editor.showMessage(problem);
    return true;
  }
  ui.expr.value = link.text;
  for (const [name, v] of link.values) state.values.set(name, v);
  // Values for the program's tensor leaves; ones of another shape than the leaf's are
  // left unused by the run, and dropped.
  state.leafValues = new Map(link.tensors);
  state.fixed = new Set(link.fixed);
  ui.rate.value = link.rate;
  ui.variables.replaceChildren();
  ui.tangentVar.value = "";
  state.tangents = null;
  stopStepping();
  setMode("backward");
  state.graphShape = null;
  await onExpressionInput();
  if (read !== linkReads) return newestLink;
  const t = (state.expression?.variables ?? []).indexOf(link.tangentOf ?? "");
  if (t >= 0) {
    ui.tangentVar.value = String(t);
    showTangents();
  }
  openPlace(link, notes);
  if (notes.length && ui.error.hidden) editor.showMessage(notes.join(" "));
  return true;
}

/** Where the link's view stands, reached: its pass stepped to its step, its node's panel
 * open. What this graph cannot show is said in `notes`.
 * @param {import("./fragment.js").View} link @param {string[]} notes */
function openPlace(link, notes) {
  if (link.pass) {
    startStepping(link.pass);
    const steps = state.steps?.length ?? 0;
    const want = link.step ?? 0;
    if (state.steps && want > steps) notes.push(`The link's step ${want} is past the pass's last (${steps}): the pass is shown done.`);
    state.stepCount = Math.min(want, steps);
    showStep();
  }
  if (!link.node) return;
  const nodes = state.evaluation?.nodes ?? [];
  const id = /^\d+$/.test(link.node) ? Number(link.node) : nodes.findIndex((n) => n.op === link.node);
  if (!state.program) notes.push("Only a program's nodes have a panel (the link's view.node): left out.");
  else if (id < 0 || id >= nodes.length) notes.push(`This graph has no node “${clip(link.node)}” (the link's view.node): no panel is opened.`);
  else view.onSelect(id);
}

/** Resolves once the example is on the page (a program's, after the program reader has
 * loaded). @param {number} i */
async function loadPreset(i) {
  const p = PRESETS[i];
  ui.expr.value = p.expr;
  for (const [k, v] of Object.entries(p.at)) state.values.set(k, v);
  state.fixed.clear();
  state.leafValues.clear();
  ui.rate.value = DEFAULT_RATE;
  ui.variables.replaceChildren();
  await onExpressionInput();
  if (ui.expr.value !== p.expr) return; // another text came in while the reader loaded
  showFix(p);
  // A preset about a layer's Jacobian opens the panel on that layer.
  const id = p.select ? (state.evaluation?.nodes.findIndex((n) => n.op === p.select) ?? -1) : -1;
  if (id >= 0) view.onSelect(id);
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

// ---- an exercise: predict, then reveal ---------------------------------------------------------

/** The link's `quiz=` as given, or null for none. @type {string | null} */
let quiz = null;
/** Adds to the note under the header (or the embed's) what the link's exercise left out. */
let addNote = (/** @type {string} */ _text) => {};

/** A constant expression's value, by the engine: what a student types as an answer
 * (`1/2 + cos(5)`). Throws with a message for text that is not one.
 * @param {string} text */
function constantValue(text) {
  const e = new Expression(text);
  try {
    const vars = e.variables;
    if (vars.length) throw new Error(`${vars.join(", ")} ${vars.length === 1 ? "is a variable" : "are variables"}, and an answer is made of numbers only`);
    return e.evaluate(new Float64Array(0)).value;
  } finally {
    e.free();
  }
}

/** The point in words, as exact as the link gives it: `x1 = 2, x2 = 5`. */
function pointText() {
  const names = state.expression?.variables ?? [];
  return names.length ? names.map((n) => `${n} = ${state.values.get(n) ?? 1}`).join(", ") : "this point";
}

/** Once the link's expression is on the page: the exercise its quiz asks, with a note of
 * what it left out. A program, or text that does not parse, has none (and a note says so). */
function openExercise() {
  if (quiz === null) return;
  const truth = state.truth;
  if (state.program || !state.expression || !truth || view.dimmed) {
    addNote(
      state.program
        ? "The link's exercise (quiz) is for a single expression, and this is a program: every number is shown."
        : "The link's expression does not parse, so its exercise (quiz) cannot be asked: every number is shown.",
    );
    return;
  }
  const { places, notes } = readQuiz(quiz, truth);
  if (notes.length) addNote(notes.join(" "));
  if (!places.length) return;
  const exercise = new ExercisePanel($("#exercise"), constantValue);
  // A place answered right or revealed is drawn again with its number.
  exercise.onChange = () => evaluate();
  state.exercise = exercise;
  exercise.start(truth, places, pointText(), exerciseUrl(location.href, truth.nodes, []));
  lockForExercise();
  view.setTags(true);
  evaluate();
}

/** What an exercise leaves fixed, and why: the answers are at the link's point, so the
 * sliders, f and the examples are off (moving the point would make every answer another
 * question, and a slider nudged would give the slopes away by difference); gradient
 * descent and forward mode are off because each shows the gradients asked. */
function lockForExercise() {
  document.body.classList.add("has-exercise");
  ui.expr.readOnly = true;
  ui.expr.title = "The exercise's f: leave the exercise (under the answers) to change it";
  ui.preset.disabled = true;
  for (const input of ui.variables.querySelectorAll("input")) /** @type {HTMLInputElement} */ (input).disabled = true;
  for (const id of ["#descend", "#descend-many", "#lr"]) $(id).toggleAttribute("disabled", true);
  sayDescent("Gradient descent is off in an exercise: a step would give the gradients away.");
  const tangent = $("input[name=direction][value=tangent]", HTMLInputElement);
  tangent.disabled = true;
  tangent.title = "Forward mode is off in an exercise: the output's tangent is a gradient it may ask";
  if (tangent.parentElement) tangent.parentElement.title = tangent.title;
  ui.tangentVar.value = "";
  ui.tangentVar.disabled = true;
  state.tangents = null;
  if (state.stepDirection === "tangent") {
    stopStepping();
    setMode("backward");
  }
  ui.tangentNote.textContent = "Forward mode is off in an exercise: the output's tangent is a gradient it may ask.";
}

/** What the exercise builder makes an exercise of: the expression on the page at its point. */
function exerciseSource() {
  if (state.program) return { problem: "Exercises are made on a single expression, not on a program: type one in the f = box." };
  if (!state.expression || !state.truth || view.dimmed) return { problem: "The f = box holds no expression that parses: type one first." };
  return { evaluation: state.truth, point: pointText(), places: state.exercise?.all() ?? [] };
}

// ---- start ----------------------------------------------------------------------------------

async function main() {
  // Before the graph is drawn, so that it is sized for an embed. Share first writes the
  // URL, which otherwise waits a moment after a change (once there is a view to write).
  const flush = async () => {
    if (!probe.ready) return;
    clearTimeout(urlTimer);
    await writeUrl();
  };
  const embed = setUpEmbed(PLAYGROUND, { flush });
  addNote = embed.addNote;
  const quizzes = new URLSearchParams(location.search).getAll("quiz");
  if (quizzes.length > 1) addNote(`quiz is given ${quizzes.length} times, so which exercise is meant is unclear: left out, every number is shown.`);
  else quiz = quizzes[0] ?? null;
  await init();
  view = new GraphView($("#graph", HTMLCanvasElement));
  probe.view = view;
  mountThemeControls();
  // A new theme or palette: the canvas and its legend redrawn in the new colours.
  onThemeChange(() => {
    renderLegend(view.colorScale);
    $(".heat-bar").style.background = barCss();
    view.heatmaps.clear(); // the tensor nodes' grids, in the new palette
    view.draw();
    if (panel?.open && panel.selection) panel.show(panel.selection);
  });
  view.onHover = (hit, ev) => {
    showTooltip(hit, ev);
    showSourceOf(hit);
  };
  // The caret's line counts while the box has the focus (a preset puts the caret at the
  // end of its text, which marks nothing until the person is in the box).
  const caret = () => (document.activeElement === ui.expr ? caretLine : null);
  editor.onHoverLine = (line) => markLineNodes(line ?? caret());
  editor.onCaretLine = (line) => {
    caretLine = line;
    markLineNodes(caret());
  };
  ui.expr.addEventListener("blur", () => markLineNodes(null));
  ui.expr.addEventListener("focus", () => markLineNodes(caretLine));
  view.onScale = renderLegend;
  wireNodePanel();
  wireKeyboard();
  wireGraphExport(view, () => panel?.figures() ?? []);
  // The builder's chips stay on when it closes over an exercise, which has them too.
  if (!embed.embed) wireExerciseBuilder(PLAYGROUND, flush, exerciseSource, (on) => view.setTags(on || state.exercise !== null));

  const presets = ui.preset;
  PRESETS.forEach((p, i) => presets.append(el("option", { value: String(i), textContent: p.name })));
  presets.addEventListener("change", () => presets.value !== "" && void loadPreset(Number(presets.value)));

  ui.expr.addEventListener("input", onExpressionInput);
  $("#step").addEventListener("click", step);
  ui.play.addEventListener("click", () => (state.timer ? pause() : play()));
  $("#reset").addEventListener("click", stopStepping);
  $("#fit").addEventListener("click", () => view.fit());
  view.onToggleGroup = toggleGroup;
  $(".heat-bar").style.background = barCss();
  $("#expand-all").addEventListener("click", () => regroup(() => new Set()));
  $("#collapse-all").addEventListener("click", () => regroup((_, report) => collapseLevels(report)[2]));
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
  // An exercise's page starts again on it, the exercise read for the new expression.
  window.addEventListener("hashchange", () => (state.exercise ? location.reload() : void openFragment()));
  $("#descend").addEventListener("click", () => descend(1));
  $("#descend-many").addEventListener("click", () => descend(20));

  if (!(await openFragment())) {
    presets.value = "0";
    await loadPreset(0);
  }
  openExercise();
  // performance.now() counts from navigation: the time to the first drawn graph.
  probe.firstGraphMs = performance.now();
  probe.ready = true;
}

main().catch((e) => {
  ui.error.hidden = false;
  ui.error.textContent = `gradscope could not start: ${e.message}`;
});
