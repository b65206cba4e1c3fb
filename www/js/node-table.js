// @ts-check
// The graph as a table, for screen readers and for anyone who would rather read than look:
// a row a node, in the engine's order (inputs before what they feed), with its op, value,
// gradient (or tangent, in forward mode), the local derivative and the gradient on each of
// its input edges, and what it feeds. It mirrors the canvas: rebuilt from the same node
// report after every evaluation, a moment after the last (typing and dragging a slider
// evaluate on every frame; the table need not), and at most MAX_ROWS rows, with a note
// of how many there are, so a graph of thousands of nodes costs typing nothing.
//
// Visually hidden unless its toggle shows it; text only goes in as textContent.

import { el } from "./dom.js";
import { fmt, full } from "./format.js";
import { nodeName } from "./ops.js";
import { isTensor, show } from "./tensor.js";

/** @typedef {import("./graph-view.js").GraphView} GraphView */
/** @typedef {import("../pkg/gradscope.js").NodeReport<number>} NodeReport */

/** Rows built at most: a screen reader user reads a table row by row, and past a few
 * hundred the canvas (or the node panel) is the better view. */
export const MAX_ROWS = 200;
/** Entries kept in a cell's `data-node-value`/`data-node-grad` (full precision): tensors past
 * it keep none. (Not `data-value`: the results table's cells are found by that.) */
const DATA_MAX = 64;
/** Quiet time after the last evaluation before the table follows it. */
const SETTLE_MS = 150;

export class NodeTable {
  /** @param {GraphView} view @param {HTMLElement} box the (empty) container @param {HTMLButtonElement} toggle shows and hides it */
  constructor(view, box, toggle) {
    this.view = view;
    this.box = box;
    this.toggle = toggle;
    this.note = el("p", { className: "hint node-table-note" });
    this.head = el("thead");
    this.body = el("tbody");
    this.table = el("table", { className: "numbers node-table-rows" }, el("caption", { textContent: "The graph's nodes, inputs first: each node's value and gradient; on each input edge, the local derivative and the gradient carried back" }), this.head, this.body);
    box.append(this.note, this.table);
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    /** Bumped by every rebuild, for tests and the console. */
    this.builds = 0;
    toggle.addEventListener("click", () => this.show(toggle.getAttribute("aria-pressed") !== "true"));
    view.watchers.add(() => this.schedule());
  }

  /** Shows the table on the page (or hides it to all but screen readers). @param {boolean} on */
  show(on) {
    this.toggle.setAttribute("aria-pressed", String(on));
    this.box.classList.toggle("visually-hidden", !on);
    // Shown, it scrolls: the keyboard can scroll it too. Hidden, it is no stop for Tab.
    if (on) this.box.tabIndex = 0;
    else this.box.removeAttribute("tabindex");
    if (on) this.render();
  }

  /** A rebuild once evaluations pause. */
  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.render(), SETTLE_MS);
  }

  render() {
    clearTimeout(this.timer);
    const v = this.view;
    const nodes = v.nodes;
    const o = v.overlay;
    const tangents = o?.kind === "tangent" && o.tangents ? o.tangents : null;
    const st = v.structure;
    const groupOf = (/** @type {number} */ id) => {
      const g = st?.nodeGroup[id];
      if (g === null || g === undefined || !st) return "";
      const group = st.groups[g];
      return `${group.header}${group.detail ? ` · ${group.detail}` : ""}`;
    };
    const columns = ["node", "op", "value", tangents ? "tangent ẋ" : "gradient ∂f/∂node", "input edges: local derivative, gradient carried back", "feeds", ...(st ? ["group"] : [])];
    this.head.replaceChildren(el("tr", {}, ...columns.map((c, k) => {
      const th = el("th", { textContent: c, className: k >= 4 ? "edges" : "" });
      th.scope = "col";
      return th;
    })));
    /** @type {Map<number, number[]>} */
    const feeds = new Map();
    for (const n of nodes) {
      for (const e of n.edges) {
        const list = feeds.get(e.from);
        if (!list) feeds.set(e.from, [n.id]);
        else if (!list.includes(n.id)) list.push(n.id);
      }
    }
    const shown = nodes.slice(0, MAX_ROWS);
    this.body.replaceChildren(
      ...shown.map((n) => {
        const name = el("th", { textContent: nodeName(n) });
        name.scope = "row";
        const value = numberCell(n.value, n.shape, "nodeValue");
        const grad = n.op === "constant" ? el("td", { textContent: "constant: none" }) : tangents ? el("td", { textContent: fmt(tangents[n.id]) }) : numberCell(n.grad, n.shape, "nodeGrad");
        const edges = n.edges.map((e) => {
          const from = nodes[e.from];
          const local = e.local ? show(e.local, n.shape) : "–";
          return from.op === "constant" ? `${nodeName(from)}: a constant` : `${nodeName(from)}: local ${local}, carried ${show(e.flowed, from.shape)}`;
        });
        const cells = [
          name,
          el("td", { textContent: n.op }),
          value,
          grad,
          el("td", { className: "edges", textContent: edges.length ? edges.join("; ") : "none: a leaf" }),
          el("td", { className: "edges", textContent: (feeds.get(n.id) ?? []).map((k) => nodeName(nodes[k])).join(", ") || "nothing: the output" }),
          ...(st ? [el("td", { className: "edges", textContent: groupOf(n.id) })] : []),
        ];
        const tr = el("tr", {}, ...cells);
        tr.dataset.node = String(n.id);
        return tr;
      }),
    );
    const total = nodes.length;
    this.note.textContent =
      total > MAX_ROWS
        ? `The first ${MAX_ROWS} of ${total.toLocaleString("en")} nodes; the canvas draws them all (click a node there for its panel).`
        : `${total} node${total === 1 ? "" : "s"}.`;
    this.builds++;
  }
}

/** A value's cell: its text as the canvas's tooltip writes it, and its entries in full
 * precision in `data-node-value` or `data-node-grad`. @param {number[]} xs @param {number[]} shape @param {"nodeValue" | "nodeGrad"} which */
function numberCell(xs, shape, which) {
  const td = el("td", { textContent: show(xs, shape), className: isTensor(shape) ? "tensor" : "" });
  if (xs.length <= DATA_MAX) td.dataset[which] = Array.from(xs, full).join(",");
  return td;
}
