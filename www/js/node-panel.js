// @ts-check
// The node clicked in a program's graph, opened: what it holds (its value and gradient),
// and the lecture's Jacobians of layers. For an op, its local Jacobian with respect to one
// input, drawn, beside the vector–Jacobian product that backpropagation computes in its
// place (upstream · J, the gradient the edge carried) without ever building J; and the
// whole program's Jacobian, built by forward and by reverse mode and timed side by side.
//
// Every number comes from the engine (Program.localJacobian, Program.jacobian and the node
// report); the panel counts, compares and draws. Program text goes in as textContent only.

import { el } from "./dom.js";
import { duration, fmt, full } from "./format.js";
import { Heatmap, MAX_CELLS, MAX_SIDE, MIN_CELL, divergingRgb, inkOn, rgbCss, scaleMax } from "./heatmap.js";
import { nodeName } from "./stepper.js";
import { spanText } from "./source.js";
import { shapeText } from "./tensor.js";

/** @typedef {import("../pkg/gradscope.js").Program} Program */
/** @typedef {import("../pkg/gradscope.js").NodeReport<number>} NodeReport */
/** @typedef {import("../pkg/gradscope.js").RunReport} RunReport */
/** @typedef {import("../pkg/gradscope.js").JacobianReport<number>} JacobianReport */
/** @typedef {import("../pkg/gradscope.js").LocalJacobianReport} LocalJacobianReport */
/**
 * What the panel shows: the program of the last run, its nodes and report, and the node.
 * @typedef {{ program: Program, nodes: NodeReport[], report: RunReport, node: number }} Selection
 */
/** @typedef {{ text: string, most: number }} Structure what the op and shapes alone say of J */
/** @typedef {{ result: JacobianReport, runs: number, perRun: number } | { error: string }} Timed */

/** Rows and columns of a value shown in its table; the rest is counted in a note. */
const TABLE_MAX = 12;
/** Entries of a number row shown; the rest is counted. */
const ROW_MAX = 24;
/** The engine's own bound (MAX_ENTRIES in src/program/jacobian.rs). Past it, it refuses at
 * once, so it is asked only for its message; between MAX_CELLS and this it would build a
 * matrix too big to send and draw, so it is not asked at all. */
const ENGINE_MAX = 2 ** 22;
/** A timing repeats until this many ms have passed: performance.now() is coarse. */
const TIMING_MS = 20;
const TIMING_RUNS = 10_000;

/** Elements of a tensor of this shape (a scalar has one). @param {number[]} shape */
const size = (shape) => shape.reduce((a, b) => a * b, 1);

/** 90,000. @param {number} n */
const count = (n) => n.toLocaleString("en-US");

/** 33.3%, 0.333%. @param {number} part @param {number} whole */
const percent = (part, whole) => `${whole ? Number(((100 * part) / whole).toPrecision(3)) : 0}%`;

/** What `n` float64 numbers take: 288 B, 2.3 kB, 216 MB. @param {number} n */
function bytes(n) {
  let b = 8 * n;
  if (b < 1000) return `${b} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let u = 0;
  b /= 1000;
  while (b >= 1000 && u < units.length - 1) {
    b /= 1000;
    u++;
  }
  return `${Number(b.toPrecision(3))} ${units[u]}`;
}

/** `3×1`, `[4]`, or `scalar`. @param {number[]} shape */
const shapeWords = (shape) => (shape.length ? shapeText(shape) : "scalar");

/** How element `k` (row-major) of a tensor of `shape` is written: `[2]`, `[2,1]`; nothing
 * for a scalar. A column or row vector (n×1, 1×n) takes one index, as the lecture's h_i.
 * @param {number[]} shape @param {number} k */
function at(shape, k) {
  if (shape.length === 0) return "";
  if (shape.length === 1 || shape[0] === 1 || shape[1] === 1) return `[${k}]`;
  return `[${Math.floor(k / shape[1])},${k % shape[1]}]`;
}

/** @param {unknown} e */
const message = (e) => (e instanceof Error ? e.message : String(e));

/** The largest |a − b| over two equal-length lists, NaN against NaN counting as equal.
 * @param {ArrayLike<number>} a @param {ArrayLike<number>} b */
function maxDifference(a, b) {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let k = 0; k < a.length; k++) {
    if (a[k] === b[k] || (Number.isNaN(a[k]) && Number.isNaN(b[k]))) continue;
    const x = Math.abs(a[k] - b[k]);
    d = Number.isNaN(x) ? Infinity : Math.max(d, x);
  }
  return d;
}

/** Runs `build` until TIMING_MS have passed; the time per run, or the engine's refusal.
 * @param {() => JacobianReport} build @returns {Timed} */
function timed(build) {
  try {
    const t0 = performance.now();
    let runs = 0;
    let elapsed = 0;
    let result;
    do {
      result = build();
      runs++;
      elapsed = performance.now() - t0;
    } while (elapsed < TIMING_MS && runs < TIMING_RUNS);
    return { result, runs, perRun: elapsed / runs };
  } catch (e) {
    return { error: message(e) };
  }
}

/** A frame painted, so that a status line shows before the work that follows. */
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/**
 * A value as a table: a matrix as rows × columns, a vector as one row, a scalar as one
 * cell; at most TABLE_MAX of each, with a note of how many there are. Every cell has its
 * full precision in `title`.
 * @param {string} caption @param {number[]} xs @param {number[]} shape
 */
function tensorTable(caption, xs, shape) {
  const [r, c] = shape.length === 2 ? shape : [1, shape.length === 1 ? shape[0] : 1];
  const rows = Math.min(r, TABLE_MAX);
  const cols = Math.min(c, TABLE_MAX);
  const table = el("table", { className: "numbers np-matrix" }, el("caption", { textContent: caption }));
  // A matrix's rows and columns are numbered; a vector's entries only (no corner, no row
  // header: a header cell with nothing in it names nothing to a screen reader).
  if (shape.length) {
    const head = el("tr", {}, ...(shape.length === 2 ? [el("th", { scope: "col", textContent: "row \\ col" })] : []));
    for (let j = 0; j < cols; j++) head.append(el("th", { scope: "col", textContent: String(j) }));
    table.append(el("thead", {}, head));
  }
  const body = el("tbody");
  for (let i = 0; i < rows; i++) {
    const tr = el("tr", {}, ...(shape.length === 2 ? [el("th", { scope: "row", textContent: String(i) })] : []));
    for (let j = 0; j < cols; j++) {
      const x = xs[i * c + j];
      tr.append(el("td", { textContent: fmt(x), title: full(x), className: Number.isFinite(x) ? "" : "bad" }));
    }
    body.append(tr);
  }
  table.append(body);
  const cut = [];
  if (shape.length === 1 && c > cols) cut.push(`${cols} of ${c} entries`);
  if (shape.length === 2 && r > rows) cut.push(`${rows} of ${r} rows`);
  if (shape.length === 2 && c > cols) cut.push(`${cols} of ${c} columns`);
  const box = el("figure", { className: "np-tensor" }, table);
  if (cut.length) box.append(el("p", { className: "hint", textContent: `showing ${cut.join(" and ")}…` }));
  return box;
}

/** A table too wide for the panel scrolls sideways: then it takes the focus (named by its
 * caption), so the arrow keys scroll it too. @param {HTMLElement} box */
function scrollableByKeys(box) {
  if (box.scrollWidth > box.clientWidth + 1) {
    box.tabIndex = 0;
    box.setAttribute("aria-label", box.querySelector("caption")?.textContent ?? "a table");
  } else {
    box.removeAttribute("tabindex");
    box.removeAttribute("aria-label");
  }
}

/**
 * A row vector as numbers, each tinted by the Jacobian's colour scale: the first ROW_MAX,
 * then how many there are. Every entry at full precision in `data-values` (up to 10,000).
 * @param {number[]} xs @param {string} name @param {number[]} shape @param {string} className
 */
function numberRow(xs, name, shape, className) {
  const list = el("ol", { className: `np-numbers ${className}` });
  const max = scaleMax(xs);
  for (let k = 0; k < Math.min(xs.length, ROW_MAX); k++) {
    const v = xs[k];
    const li = el("li", { textContent: fmt(v), title: `${name}${at(shape, k)} = ${full(v)}` });
    if (v === 0) li.className = "zero";
    else {
      const c = divergingRgb(v, max);
      li.style.background = rgbCss(c);
      li.style.color = inkOn(c);
    }
    list.append(li);
  }
  if (xs.length > ROW_MAX) list.append(el("li", { className: "more", textContent: `… ${count(xs.length)} in all` }));
  if (xs.length <= 10_000) list.dataset.values = xs.map(full).join(",");
  list.setAttribute("aria-label", `${name}: ${count(xs.length)} numbers`);
  return list;
}

/**
 * What the op and the shapes alone say of the Jacobian's structure, in words, and the most
 * non-zeros it can then have; null where nothing general is known. `out` and `inp` are the
 * names of the node and of the input.
 * @param {NodeReport} n @param {number} which @param {NodeReport[]} nodes
 * @param {(id: number) => string} nameOf @param {string} out @param {string} inp
 * @returns {Structure | null}
 */
function structureOf(n, which, nodes, nameOf, out, inp) {
  const input = nodes[n.inputs[which]];
  const rows = size(n.shape);
  const cols = size(input.shape);
  const a = nodes[n.inputs[0]]?.shape ?? [];
  const b = nodes[n.inputs[1]]?.shape ?? [];
  if (n.op === "matmul" && !(a.length === 1 && b.length === 1)) {
    // out = A @ B, A m×k (or a vector of k), B k×p (or a vector of k).
    const m = a.length === 2 ? a[0] : 1;
    const k = a.length === 2 ? a[1] : a[0];
    const p = b.length === 2 ? b[1] : 1;
    const [A, B] = [nameOf(n.inputs[0]), nameOf(n.inputs[1])];
    if (which === 0 && a.length === 1) {
      return { text: `∂${out}/∂${inp} is ${B}ᵀ: dense, every entry of ${out} depends on every entry of ${inp}`, most: rows * cols };
    }
    if (which === 0 && p === 1) {
      return {
        text: `row i of ${out} depends only on row i of ${inp}: ${count(m)} blocks of ${count(k)} non-zeros (the entries of ${B}), the rest exactly 0`,
        most: m * k,
      };
    }
    if (which === 0) {
      return {
        text: `${out}[i,j] depends only on row i of ${inp}: ${count(m)} blocks of ${count(p)} × ${count(k)}, at most ${count(k)} non-zeros a row`,
        most: m * p * k,
      };
    }
    if (p === 1) {
      return { text: `∂${out}/∂${inp} is ${A} itself (${shapeWords(a)}): dense, every entry of ${out} depends on every entry of ${inp}`, most: rows * cols };
    }
    return { text: `${out}[i,j] depends only on column j of ${inp}: at most ${count(k)} non-zeros a row`, most: m * p * k };
  }
  const edge = n.edges[which];
  if (edge?.local && rows === cols && rows > 1) {
    if (n.op === "relu") {
      const on = input.value.filter((v) => v > 0).length;
      return {
        text:
          `diagonal, at most ${count(rows)} non-zeros: ${out}[i] depends only on ${inp}[i], with slope 1 where ${inp}[i] > 0 ` +
          `and 0 where ${inp}[i] ≤ 0 (here ${count(on)} of ${count(rows)} inputs are > 0)`,
        most: rows,
      };
    }
    return {
      text: `diagonal, at most ${count(rows)} non-zeros: element-wise, ${out}[i] depends only on ${inp}[i]; the diagonal holds the local derivatives`,
      most: rows,
    };
  }
  if (rows === 1) return { text: `one row: ${out} is one number, so ∂${out}/∂${inp} is its gradient, flattened`, most: cols };
  if (cols === 1) return { text: `one column: every entry of ${out} depends on the one number ${inp}`, most: rows };
  if (n.op === "transpose") return { text: `a permutation: each entry of ${out} is one entry of ${inp}, ${count(rows)} ones, the rest 0`, most: rows };
  return null;
}

export class NodePanel {
  /** @param {HTMLElement} section the empty container the panel fills */
  constructor(section) {
    this.section = section;
    /** @type {Selection | null} */
    this.selection = null;
    /** The input the local Jacobian is taken with respect to, kept while values change. */
    this.which = 0;
    /** Bumped to cancel a whole-Jacobian build in progress (new values, new program). */
    this.generation = 0;
    /** The program the whole-Jacobian results on screen belong to. @type {Program | null} */
    this.builtFor = null;
    /** Called when the panel closes (×, Escape, or hide()). */
    this.onClose = () => {};

    this.title = el("h2", { className: "np-title" });
    this.source = el("p", { className: "np-source" });
    const close = el("button", { type: "button", className: "np-close", textContent: "×", title: "Close (Escape)" });
    close.setAttribute("aria-label", "Close the node panel");
    close.addEventListener("click", () => this.hide());
    const head = el("div", { className: "np-head" }, el("div", { className: "np-heading" }, this.title, this.source), close);
    this.values = el("div", { className: "np-values" });

    // The op's local Jacobian, and the vector–Jacobian product beside it.
    this.choose = el("select", { id: "np-input" });
    this.choose.addEventListener("change", () => {
      this.which = Number(this.choose.value);
      this.#renderLocal();
    });
    this.chooseText = el("span");
    this.localSize = el("p", { className: "np-size" });
    this.localStructure = el("p", { className: "np-structure" });
    this.localRefused = el("p", { className: "np-refused", hidden: true });
    this.localMap = new Heatmap((i, j, v) => this.#describe(this.localNames, i, j, v), "jacobian-local");
    /** The names and shapes the local heatmap's tooltip speaks of. */
    this.localNames = { out: "", inp: "", outShape: /** @type {number[]} */ ([]), inShape: /** @type {number[]} */ ([]) };
    this.vjp = el("div", { className: "np-vjp" });
    this.localGrid = el("div", { className: "np-jgrid" }, this.localMap.element, this.vjp);
    this.leafNote = el("p", { className: "hint np-leaf-note", hidden: true });
    this.local = el(
      "section",
      { className: "np-local" },
      el("h3", { textContent: "Local Jacobian" }),
      el("label", { className: "field np-choose" }, this.chooseText, this.choose),
      this.localSize,
      this.localStructure,
      this.localRefused,
      this.localGrid,
    );

    // The whole program's Jacobian, by both modes.
    this.leafSelect = el("select", { id: "np-leaf" });
    this.leafSelect.addEventListener("change", () => this.#clearWhole(""));
    this.wholeText = el("span");
    this.buildButton = el("button", { type: "button", textContent: "Build it both ways" });
    this.buildButton.addEventListener("click", () => void this.#buildWhole());
    this.wholeStatus = el("p", { className: "hint np-status" });
    this.wholeStatus.setAttribute("aria-live", "polite");
    this.wholeTable = el("table", { className: "numbers np-modes", hidden: true });
    this.wholeAgree = el("p", { className: "np-agree", hidden: true });
    this.wholeSize = el("p", { className: "np-size", hidden: true });
    this.wholeMap = new Heatmap((i, j, v) => this.#describe(this.wholeNames, i, j, v), "jacobian-whole");
    this.wholeNames = { out: "", inp: "", outShape: /** @type {number[]} */ ([]), inShape: /** @type {number[]} */ ([]) };
    this.wholeMap.element.hidden = true;
    this.whole = el(
      "section",
      { className: "np-whole" },
      el("h3", { textContent: "The program's whole Jacobian" }),
      el("p", {
        className: "hint",
        textContent:
          "Of the output with respect to one leaf. Forward mode seeds one element of the leaf per pass and fills a column; " +
          "reverse mode seeds one element of the output per pass and fills a row. Same matrix, different number of passes.",
      }),
      el("div", { className: "np-build" }, el("label", { className: "field" }, this.wholeText, this.leafSelect), this.buildButton),
      this.wholeStatus,
      this.wholeTable,
      this.wholeAgree,
      this.wholeSize,
      this.wholeMap.element,
    );

    section.append(head, this.values, this.leafNote, this.local, this.whole);
    document.addEventListener("keydown", (ev) => {
      // Escape in the editor is the editor's (it lets Tab leave the box).
      const t = ev.target;
      const typing = t instanceof HTMLTextAreaElement || (t instanceof HTMLInputElement && !section.contains(t));
      if (ev.key === "Escape" && this.open && !typing) this.hide();
    });
  }

  get open() {
    return !this.section.hidden;
  }

  /** The node shown, or null. */
  get node() {
    return this.selection?.node ?? null;
  }

  /** Opens the panel on `selection.node` (a click in the graph). @param {Selection} selection */
  show(selection) {
    const wasOpen = this.open;
    const before = this.selection;
    if (!before || before.node !== selection.node) this.which = 0;
    if (before?.program !== selection.program) this.#clearWhole("");
    this.selection = selection;
    // A leaf clicked is the leaf the whole Jacobian is first offered for.
    const leaf = selection.report.leaves.find((l) => l.node === selection.node);
    if (leaf && this.leafSelect.value !== leaf.name) {
      this.#leafOptions();
      this.leafSelect.value = leaf.name;
      this.#clearWhole("");
    }
    this.section.hidden = false;
    this.#render();
    if (!wasOpen) this.#reveal();
  }

  /** The same node after a new run of the same graph (a slider moved): new numbers, the
   * same input chosen, the page where it was. @param {Selection} selection */
  refresh(selection) {
    if (!this.open) return;
    const { scrollX, scrollY } = window;
    this.selection = selection;
    if (this.which >= selection.nodes[selection.node].inputs.length) this.which = 0;
    this.#clearWhole(this.builtFor ? "The values changed: build it again for them." : "");
    this.#render();
    if (window.scrollX !== scrollX || window.scrollY !== scrollY) window.scrollTo(scrollX, scrollY);
  }

  hide() {
    const wasOpen = this.open;
    this.section.hidden = true;
    this.selection = null;
    this.#clearWhole("");
    if (wasOpen) this.onClose();
  }

  /** Scrolled so that a good part of the panel shows: it opens below the graph. */
  #reveal() {
    const top = this.section.getBoundingClientRect().top;
    const room = Math.min(320, window.innerHeight / 2);
    if (top > window.innerHeight - room) window.scrollBy({ top: top - (window.innerHeight - room) });
  }

  /** The heatmaps the panel shows now, as figures (for the graph's Export menu). */
  figures() {
    if (this.section.hidden) return [];
    return [
      { map: this.localMap, shown: !this.local.hidden },
      { map: this.wholeMap, shown: true },
    ].flatMap(({ map, shown }) => (shown && !map.element.hidden && map.rows > 0 ? [map.figure()] : []));
  }

  /** A node's name as the lecture would write it: a leaf's name, the name it was assigned
   * to (`h` for `h = W @ x`), short source text, or the graph's name for it.
   * @param {number} id */
  #nameOf(id) {
    const sel = /** @type {Selection} */ (this.selection);
    const n = sel.nodes[id];
    if (n.op === "input" || n.op === "parameter" || n.op === "constant") return n.label;
    const span = spanText(sel.program.source, sel.report.origins[id]);
    if (span.name) return span.name;
    if (id === sel.report.output) return "f"; // as the page's results call the output
    // Short source text reads best; parenthesised unless it is one name or call (x.t()).
    if (span.text.length <= 14 && !span.text.includes("\n")) return /^[A-Za-z_][\w.]*(\(.*\))?$/.test(span.text) ? span.text : `(${span.text})`;
    return nodeName(n);
  }

  #render() {
    const sel = this.selection;
    if (!sel) return;
    const { program, nodes, report, node } = sel;
    const n = nodes[node];
    const name = this.#nameOf(node);
    const leaf = n.op === "input" || n.op === "parameter" || n.op === "constant";
    this.title.replaceChildren(
      el("span", { className: "np-op", textContent: n.op }),
      el("span", { className: "np-name", textContent: name }),
      el("span", { className: "np-shape", textContent: shapeWords(n.shape) }),
    );
    const span = spanText(program.source, report.origins[node]);
    const text = span.text.length > 160 ? `${span.text.slice(0, 160)}…` : span.text;
    this.source.replaceChildren(`line ${span.line}: `, el("code", { textContent: text }));

    const outName = this.#nameOf(report.output);
    const gradCaption = n.op === "constant" ? "gradient: none flows into a constant" : `gradient ∂${outName}/∂${name}`;
    this.values.replaceChildren(tensorTable(`value of ${name}`, n.value, n.shape), tensorTable(gradCaption, n.grad, n.shape));
    for (const box of this.values.querySelectorAll(".np-tensor")) scrollableByKeys(/** @type {HTMLElement} */ (box));

    this.local.hidden = leaf;
    this.leafNote.hidden = !leaf;
    if (leaf) {
      this.leafNote.textContent =
        n.op === "constant"
          ? `${name} is a constant: it has no inputs, so no local Jacobian, and backpropagation takes no gradient for it.`
          : `${name} is a leaf: it has no inputs, so no local Jacobian. Its gradient is what the backward pass brought back to it; ` +
            "below, the whole program's Jacobian with respect to it.";
    } else {
      this.#inputOptions();
      this.#renderLocal();
    }
    this.#leafOptions();
    this.wholeText.textContent = `∂${outName}/∂`;
  }

  /** The chooser of the input: its name and shape, and which argument when one node is
   * both (`h * h`). */
  #inputOptions() {
    const sel = /** @type {Selection} */ (this.selection);
    const n = sel.nodes[sel.node];
    const labels = n.inputs.map((id) => `${this.#nameOf(id)} (${shapeWords(sel.nodes[id].shape)})`);
    const texts = labels.map((l, w) => (labels.indexOf(l) !== labels.lastIndexOf(l) ? `${l}, argument ${w + 1}` : l));
    const now = [...this.choose.options].map((o) => o.textContent).join("\u0000");
    if (now !== texts.join("\u0000")) {
      this.choose.replaceChildren(...texts.map((t, w) => el("option", { value: String(w), textContent: t })));
    }
    this.choose.value = String(this.which);
    this.chooseText.textContent = `∂${this.#nameOf(sel.node)}/∂`;
  }

  /** The local Jacobian of the node w.r.t. the chosen input, drawn when it is small enough
   * and summarised when not, and the vector–Jacobian product beside it. */
  #renderLocal() {
    const sel = this.selection;
    if (!sel) return;
    const { program, nodes, node } = sel;
    const n = nodes[node];
    const which = this.which;
    const input = nodes[n.inputs[which]];
    const rows = size(n.shape);
    const cols = size(input.shape);
    const entries = rows * cols;
    let out = this.#nameOf(node);
    let inp = this.#nameOf(input.id);
    // `next_h = next_h.tanh()`: two nodes of one name, told apart by their ids.
    if (out === inp && node !== input.id) [out, inp] = [`${out}#${node}`, `${inp}#${input.id}`];
    this.localNames = { out, inp, outShape: n.shape, inShape: input.shape };
    const structure = structureOf(n, which, nodes, (id) => this.#nameOf(id), out, inp);

    /** @type {LocalJacobianReport | null} */
    let local = null;
    let refused = "";
    if (entries <= MAX_CELLS || entries > ENGINE_MAX) {
      try {
        const answer = program.localJacobian(node, which);
        if (entries <= MAX_CELLS) local = answer;
      } catch (e) {
        refused = `The engine did not build it: ${message(e)}.`;
      }
    } else {
      refused = `Not built here: ${count(entries)} entries are more than this page draws (${count(MAX_CELLS)}).`;
    }

    const drawn = local !== null && Heatmap.fits(rows, cols);
    const nonzeros = local ? local.jacobian.nonzeros : null;
    this.localSize.replaceChildren(
      el("strong", { textContent: `${count(rows)} × ${count(cols)} = ${count(entries)} entries` }),
      nonzeros !== null
        ? ` · ${count(nonzeros)} non-zero${nonzeros === 1 ? "" : "s"} (${percent(nonzeros, entries)})`
        : structure
          ? ` · at most ${count(structure.most)} non-zeros (${percent(structure.most, entries)}), from its structure`
          : "",
    );
    Object.assign(this.localSize.dataset, { rows: String(rows), cols: String(cols), nonzeros: nonzeros === null ? "" : String(nonzeros) });
    this.localStructure.textContent = structure ? `Structure: ${structure.text}.` : "";
    this.localStructure.hidden = !structure;
    if (local && !drawn) refused = `Too long a side to draw at ${MIN_CELL} px a cell (at most ${MAX_SIDE / MIN_CELL} rows and columns): summarised.`;
    this.localRefused.textContent = refused;
    this.localRefused.hidden = !refused;
    this.localMap.element.hidden = !drawn;
    if (local && drawn) {
      const width = Math.max(240, this.localGrid.clientWidth - 8);
      this.localMap.draw(local.jacobian.jacobian, { width, label: `∂${out}/∂${inp}`, diagonal: !!structure?.text.startsWith("diagonal") });
    }
    const edge = n.edges[which];
    this.#renderVjp({
      out,
      inp,
      outShape: n.shape,
      inShape: input.shape,
      upstream: local ? local.upstream : n.grad,
      vjp: local ? local.vjp : edge.flowed,
      flowed: edge.flowed,
      built: local !== null,
      rows,
      cols,
    });
  }

  /**
   * upstream × J = vjp, and that backpropagation got the vjp without J.
   * @param {{ out: string, inp: string, outShape: number[], inShape: number[], upstream: number[], vjp: number[],
   *   flowed: number[], built: boolean, rows: number, cols: number }} v
   */
  #renderVjp(v) {
    const outName = this.#nameOf(/** @type {Selection} */ (this.selection).report.output);
    const flat = v.inShape.length === 2 && v.inShape[0] > 1 && v.inShape[1] > 1 ? `, ${v.inp}'s ${shapeText(v.inShape)} flattened` : "";
    const d = maxDifference(v.vjp, v.flowed);
    const same = el("p", { className: "hint np-flowed" });
    same.dataset.maxdiff = full(d);
    same.textContent = v.built
      ? `The same numbers the edge ${v.inp} → ${v.out} carried back in the backward pass: max |difference| = ${fmt(d)}.`
      : `These are the numbers the edge ${v.inp} → ${v.out} carried back in the backward pass.`;
    this.vjp.replaceChildren(
      el("h4", { textContent: "What backpropagation computes instead" }),
      el("div", { className: "np-vlabel", textContent: `upstream ∂${outName}/∂${v.out} (1 × ${count(v.rows)})` }),
      numberRow(v.upstream, `∂${outName}/∂${v.out}`, v.outShape, "np-upstream"),
      el("div", { className: "np-times", textContent: `× J (${count(v.rows)} × ${count(v.cols)})${v.built ? "" : ", never built"} =` }),
      el("div", { className: "np-vlabel", textContent: `vjp ∂${outName}/∂${v.inp} (1 × ${count(v.cols)}${flat})` }),
      numberRow(v.vjp, `∂${outName}/∂${v.inp}`, v.inShape, "np-vjp-result"),
      same,
      el("p", {
        className: "np-point",
        textContent:
          `Backpropagation computed these ${count(v.cols)} numbers directly, without the J's ${count(v.rows)} × ${count(v.cols)} = ` +
          `${count(v.rows * v.cols)} entries (${bytes(v.rows * v.cols)} as float64) it never built.`,
      }),
    );
  }

  /** The leaves offered for the whole Jacobian, the choice kept where it still exists. */
  #leafOptions() {
    const sel = this.selection;
    if (!sel) return;
    const leaves = sel.report.leaves;
    const texts = leaves.map((l) => `${l.name} (${shapeWords(sel.nodes[l.node].shape)})`);
    const now = [...this.leafSelect.options].map((o) => o.textContent).join("\u0000");
    const chosen = this.leafSelect.value;
    if (now !== texts.join("\u0000")) {
      this.leafSelect.replaceChildren(...leaves.map((l, k) => el("option", { value: l.name, textContent: texts[k] })));
      if (leaves.some((l) => l.name === chosen)) this.leafSelect.value = chosen;
    }
    this.buildButton.disabled = leaves.length === 0;
    if (!leaves.length) this.wholeStatus.textContent = "The program has no leaves to differentiate by.";
  }

  /** Drops the whole-Jacobian results (and any build under way), saying why. @param {string} why */
  #clearWhole(why) {
    this.generation++;
    this.builtFor = null;
    this.wholeStatus.textContent = why;
    this.wholeTable.hidden = true;
    this.wholeAgree.hidden = true;
    this.wholeSize.hidden = true;
    this.wholeMap.element.hidden = true;
    this.buildButton.disabled = false;
  }

  /** Both modes, timed, a frame apart so the page shows where it is; dropped if the values
   * or the program change meanwhile. */
  async #buildWhole() {
    const sel = this.selection;
    const leafName = this.leafSelect.value;
    if (!sel || !leafName) return;
    this.#clearWhole("Building it by forward mode…");
    const generation = this.generation;
    this.buildButton.disabled = true;
    const stale = () => generation !== this.generation || this.selection?.program !== sel.program;
    await nextFrame();
    if (stale()) return;
    // The passes alone are timed: the gradients are put back once after each mode's runs.
    const forward = timed(() => sel.program.jacobian(leafName, "forward", false));
    sel.program.restoreGradients();
    this.wholeStatus.textContent = "Building it by reverse mode…";
    await nextFrame();
    if (stale()) return;
    const reverse = timed(() => sel.program.jacobian(leafName, "reverse", false));
    sel.program.restoreGradients();
    this.buildButton.disabled = false;
    this.builtFor = sel.program;
    this.#renderWhole(sel, leafName, forward, reverse);
  }

  /** @param {Selection} sel @param {string} leafName @param {Timed} forward @param {Timed} reverse */
  #renderWhole(sel, leafName, forward, reverse) {
    const leaf = sel.report.leaves.find((l) => l.name === leafName);
    if (!leaf) return;
    const out = this.#nameOf(sel.report.output);
    const outShape = sel.nodes[sel.report.output].shape;
    const inShape = sel.nodes[leaf.node].shape;
    const rows = size(outShape);
    const cols = size(inShape);
    this.wholeNames = { out, inp: leafName, outShape, inShape };
    this.wholeStatus.textContent = "";

    const head = el(
      "tr",
      {},
      ...["mode", "passes", "each pass", "time per run", "runs timed"].map((t) => el("th", { scope: "col", textContent: t, className: t === "each pass" ? "np-fills" : "" })),
    );
    /** @param {"forward" | "reverse"} mode @param {Timed} t */
    const row = (mode, t) => {
      const tr = el("tr", {}, el("th", { scope: "row", textContent: mode === "forward" ? "forward (JVPs)" : "reverse (VJPs)" }));
      tr.dataset.mode = mode;
      if ("error" in t) {
        const cell = el("td", { className: "np-refused", colSpan: 4, textContent: `refused: ${t.error}` });
        tr.append(cell);
        return tr;
      }
      const passes = el("td", { textContent: count(t.result.passes) });
      passes.dataset.passes = String(t.result.passes);
      const fills =
        mode === "forward"
          ? `fills a column: ${count(cols)} column${cols === 1 ? "" : "s"}, one per element of ${leafName}`
          : `fills a row: ${count(rows)} row${rows === 1 ? "" : "s"}, one per element of ${out}`;
      const time = el("td", { textContent: duration(t.perRun) });
      time.dataset.ms = String(t.perRun);
      tr.append(passes, el("td", { className: "np-fills", textContent: fills }), time, el("td", { textContent: count(t.runs) }));
      return tr;
    };
    this.wholeTable.replaceChildren(el("thead", {}, head), el("tbody", {}, row("forward", forward), row("reverse", reverse)));
    Object.assign(this.wholeTable.dataset, { rows: String(rows), cols: String(cols) });
    this.wholeTable.hidden = false;

    const built = "result" in reverse ? reverse.result : "result" in forward ? forward.result : null;
    if ("result" in forward && "result" in reverse) {
      const d = maxDifference(forward.result.jacobian.flat(), reverse.result.jacobian.flat());
      this.wholeAgree.dataset.maxdiff = full(d);
      this.wholeAgree.textContent =
        d === 0
          ? `The two modes agree exactly: max |forward − reverse| = 0 over ${count(rows * cols)} entries.`
          : `The two modes agree to max |forward − reverse| = ${fmt(d)} over ${count(rows * cols)} entries.`;
    } else {
      delete this.wholeAgree.dataset.maxdiff;
      this.wholeAgree.textContent = built
        ? `Only ${"result" in reverse ? "reverse" : "forward"} mode built it: the other needs too many passes here.`
        : "Neither mode built it here.";
    }
    this.wholeAgree.hidden = false;
    if (!built) return;
    const entries = rows * cols;
    const drawn = Heatmap.fits(rows, cols);
    this.wholeSize.replaceChildren(
      el("strong", { textContent: `∂${out}/∂${leafName}: ${count(rows)} × ${count(cols)} = ${count(entries)} entries` }),
      ` · ${count(built.nonzeros)} non-zero${built.nonzeros === 1 ? "" : "s"} (${percent(built.nonzeros, entries)})`,
      drawn ? "" : ` · too large to draw at ${MIN_CELL} px a cell (at most ${count(MAX_CELLS)} cells, ${MAX_SIDE / MIN_CELL} a side)`,
    );
    this.wholeSize.hidden = false;
    this.wholeMap.element.hidden = !drawn;
    if (drawn) this.wholeMap.draw(built.jacobian, { width: Math.max(240, this.whole.clientWidth - 8), label: `∂${out}/∂${leafName}` });
  }

  /** A cell's tooltip: which output by which input, and the number.
   * @param {{ out: string, inp: string, outShape: number[], inShape: number[] }} names
   * @param {number} i @param {number} j @param {number} v */
  #describe(names, i, j, v) {
    return [
      `∂${names.out}${at(names.outShape, i)}/∂${names.inp}${at(names.inShape, j)} = ${fmt(v)}${v === 0 ? " (exactly 0)" : ""}`,
      `row ${i}, column ${j}`,
    ];
  }
}
