// @ts-check
// The graph by keyboard: the canvas takes the focus (Tab), one item of it is current (a
// node, or a collapsed group's box), ringed on the canvas and said in a polite live region,
// and the arrow keys move it along the edges the canvas draws.
//
//   ←  to an input of the current item (back to the one it was reached from, else the first)
//   →  to an item it feeds (back to the one it was reached from, else the first)
//   ↑ ↓ after ←, among the other inputs of the item left; after →, among the other items
//      the one left feeds; otherwise (first focus, Home, End) among the items of the same
//      layer column, top to bottom
//   Home / End  the first input (variable) / the output
//   Enter  the chain rule at the current node, as hovering it shows (and, for a program,
//          its node panel, as clicking it opens); on a collapsed group, expands it
//   Space  expands a collapsed group, or collapses the group the current node is in
//   + / −  zoom in and out about the current item
//   Escape hides the chain rule (and closes the node panel)
//
// The view keeps the current item on screen. The canvas's description (index.html,
// #graph-help) says these keys. Nothing here computes: the words come from the engine's
// node report, as the canvas's do.

import { nodeName } from "./ops.js";
import { gradText } from "./stepper.js";
import { show } from "./tensor.js";

/** @typedef {import("./graph-view.js").GraphView} GraphView */
/** @typedef {import("./graph-view.js").Item} Item */
/** @typedef {import("../pkg/gradscope.js").NodeReport<number>} NodeReport */
/**
 * How the current item was reached, for ↑/↓: as an input of `of` (by ←), as something `of`
 * feeds (by →), or neither (the layer column).
 * @typedef {{ kind: "inputs" | "consumers", of: number } | null} Context
 */

export class GraphKeys {
  /** @param {GraphView} view @param {HTMLElement} live the polite live region that says the current item */
  constructor(view, live) {
    this.view = view;
    this.canvas = view.canvas;
    this.live = live;
    /** The current item, by what it stands for, so that it survives a regrouped graph.
     * @type {Item | null} */
    this.current = null;
    /** @type {Context} */
    this.context = null;
    /** Each item's inputs and consumers (item indices, in input order, top to bottom). @type {number[][]} */
    this.ins = [];
    /** @type {number[][]} */
    this.outs = [];
    /** Called with the node whose chain rule Enter asks for: shows it (by the node, as
     * hovering does) and returns its lines, which are said too. @type {(id: number) => string[]} */
    this.onChainRule = () => [];
    /** Escape: the chain rule hidden. */
    this.onEscape = () => {};
    /** Collapse or expand view group `g` (as a click on its box does). @type {(group: number) => void} */
    this.onToggleGroup = () => {};
    /** A group toggled by the keyboard: the item to make current once the graph is laid out again. @type {Item | null} */
    this.pending = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.again = undefined;

    this.canvas.addEventListener("keydown", (ev) => this.#key(ev));
    this.canvas.addEventListener("focus", () => {
      // The output first: backpropagation starts there. A click that focuses the canvas
      // moves nothing; the keyboard's focus brings the current item into view and says it.
      if (this.#item() === null && this.view.items.length) this.current = this.#itemAt(this.#output());
      this.#ring();
      const i = this.#item();
      if (i !== null && this.canvas.matches(":focus-visible")) {
        this.view.followItem(i);
        this.#say();
      }
    });
    this.canvas.addEventListener("blur", () => this.#ring());
    // A node clicked becomes the current one, so the keys go on from where the mouse was.
    this.canvas.addEventListener("click", (ev) => {
      const r = this.canvas.getBoundingClientRect();
      const { scale, tx, ty } = this.view.view;
      const hit = this.view.hitTest({ x: (ev.clientX - r.left - tx) / scale, y: (ev.clientY - r.top - ty) / scale });
      if (hit?.kind === "node") {
        this.current = { kind: "node", id: hit.id };
        this.context = null;
        this.#ring();
      }
    });
    view.watchers.add((what) => {
      if (what === "graph") this.#adjacency();
      if (what !== "overlay") this.#ring();
    });
  }

  /** The index of the current item in the view, or null when it is gone with the graph. */
  #item() {
    const c = this.current;
    const v = this.view;
    if (!c || !v.items.length) return null;
    if (c.kind === "node") return c.id < v.nodes.length ? (v.itemOf[c.id] ?? null) : null;
    const i = v.items.findIndex((it) => it.kind === "group" && it.group === c.group);
    return i >= 0 ? i : null;
  }

  /** Item `i` as what it stands for: a node keeps its own id (not its collapsed box's). @param {number} i @returns {Item} */
  #itemAt(i) {
    return this.view.items[i];
  }

  /** After a new graph: each item's inputs and consumers, from the edges drawn; a group
   * toggled by the keyboard hands the focus on to what replaced it. */
  #adjacency() {
    const v = this.view;
    const n = v.items.length;
    /** @type {{ item: number, which: number }[][]} */
    const ins = Array.from({ length: n }, () => []);
    /** @type {number[][]} */
    const outs = Array.from({ length: n }, () => []);
    for (const e of v.edges) {
      if (e.from === e.to || !ins[e.to] || !outs[e.from]) continue;
      if (!ins[e.to].some((x) => x.item === e.from)) ins[e.to].push({ item: e.from, which: e.index });
      if (!outs[e.from].includes(e.to)) outs[e.from].push(e.to);
    }
    // The layout lists an item's edges in input order; consumers read top to bottom.
    this.ins = ins.map((list) => list.sort((a, b) => a.which - b.which).map((x) => x.item));
    const y = (/** @type {number} */ i) => v.layout.nodes[i]?.y ?? 0;
    this.outs = outs.map((list) => list.sort((a, b) => y(a) - y(b) || a - b));
    this.context = null;
    // A node that went into a collapsed box stands for it (#item); a group toggled by the
    // keyboard hands the focus on to what replaced it, which is said.
    const pending = this.pending;
    this.pending = null;
    if (pending) this.current = pending;
    if (this.#item() === null) this.current = null;
    const i = this.#item();
    if (pending && i !== null && document.activeElement === this.canvas) {
      this.view.followItem(i);
      this.#say();
    }
  }

  /** The item of the output node. */
  #output() {
    const v = this.view;
    const root = v.evaluation?.root ?? v.nodes.length - 1;
    return v.itemOf[root] ?? v.items.length - 1;
  }

  /** The item of the first input: the first variable, else the first leaf that is not a
   * constant, else the first item. */
  #firstInput() {
    const v = this.view;
    const first = v.evaluation?.inputs[0] ?? v.nodes.find((n) => n.op === "input" || n.op === "parameter")?.id;
    return first === undefined ? 0 : (v.itemOf[first] ?? 0);
  }

  /** Whether the ring is drawn: the focus is on the canvas and came by keyboard (a click
   * that focuses it shows the selection, not a ring, until a key is pressed). */
  #ring() {
    const focused = document.activeElement === this.canvas;
    const shown = focused && this.canvas.matches(":focus-visible");
    const i = this.#item();
    this.view.setFocus(i, shown);
    this.canvas.dataset.current = i === null ? "" : this.#name(i);
  }

  /** Makes item `i` current, with `context` for ↑/↓, keeps it on screen and says it.
   * @param {number} i @param {Context} context */
  #go(i, context, say = true) {
    if (!this.view.items[i]) return;
    this.current = this.#itemAt(i);
    this.context = context;
    this.view.followItem(i);
    this.#ring();
    if (say) this.#say();
  }

  /** @param {KeyboardEvent} ev */
  #key(ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const v = this.view;
    if (!v.items.length) return;
    let i = this.#item();
    if (i === null) {
      this.#go(this.#output(), null);
      i = /** @type {number} */ (this.#item());
      if (["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"].includes(ev.key)) {
        ev.preventDefault();
        return;
      }
    }
    const c = this.context;
    switch (ev.key) {
      case "ArrowLeft": {
        const list = this.ins[i] ?? [];
        if (!list.length) this.#say(`${this.#name(i)} has no inputs: it is a leaf of the graph.`);
        else this.#go(c?.kind === "consumers" && list.includes(c.of) ? c.of : list[0], { kind: "inputs", of: i });
        break;
      }
      case "ArrowRight": {
        const list = this.outs[i] ?? [];
        if (!list.length) this.#say(`${this.#name(i)} feeds nothing: it is the output.`);
        else this.#go(c?.kind === "inputs" && list.includes(c.of) ? c.of : list[0], { kind: "consumers", of: i });
        break;
      }
      case "ArrowUp":
      case "ArrowDown": {
        const list = this.#siblings(i);
        const k = list.indexOf(i) + (ev.key === "ArrowUp" ? -1 : 1);
        if (k < 0 || k >= list.length) this.#say(`${this.#describe(i)} (${k < 0 ? "the first" : "the last"})`);
        else this.#go(list[k], c);
        break;
      }
      case "Home":
        this.#go(this.#firstInput(), null);
        break;
      case "End":
        this.#go(this.#output(), null);
        break;
      case "Enter":
        this.#activate(i);
        break;
      case " ":
        this.#toggle(i);
        break;
      case "Escape":
        this.onEscape();
        return; // the node panel closes on its own Escape too
      case "+":
      case "=":
      case "-":
        this.#zoom(i, ev.key === "-" ? 1 / 1.25 : 1.25);
        break;
      default:
        return;
    }
    ev.preventDefault();
  }

  /** What ↑/↓ move among from item `i`: the inputs of what was left by ←, what the item
   * left by → feeds, else the layer column. @param {number} i */
  #siblings(i) {
    const c = this.context;
    if (c?.kind === "inputs" && this.ins[c.of]?.includes(i)) return this.ins[c.of];
    if (c?.kind === "consumers" && this.outs[c.of]?.includes(i)) return this.outs[c.of];
    const nodes = this.view.layout.nodes;
    const layer = nodes[i]?.layer;
    return nodes
      .map((p, k) => ({ p, k }))
      .filter(({ p }) => p.layer === layer)
      .sort((a, b) => a.p.y - b.p.y)
      .map(({ k }) => k);
  }

  /** Enter: a node's chain rule, or a collapsed group expanded. @param {number} i */
  #activate(i) {
    const item = this.view.items[i];
    if (item.kind === "group") return this.#toggle(i);
    this.view.followItem(i);
    this.#say(this.onChainRule(item.id).join("; "));
  }

  /** Space: a collapsed group opens onto its first node; a node's innermost group closes,
   * and its box is current. @param {number} i */
  #toggle(i) {
    const v = this.view;
    const item = v.items[i];
    const st = v.structure;
    if (!st) return this.#say("This graph has no groups: only a program's loops and calls are grouped.");
    if (item.kind === "group") {
      // The group's first node, or the box of the first group inside it, once opened.
      const first = st.nodeGroup.findIndex((g) => {
        for (let k = g; k !== null; k = st.groups[k].parent) if (k === item.group) return true;
        return false;
      });
      this.pending = first >= 0 ? { kind: "node", id: first } : null;
      this.onToggleGroup(item.group);
    } else {
      const g = st.nodeGroup[item.id];
      if (g === null || g === undefined) return this.#say(`${this.#name(i)} is in no loop iteration or call.`);
      this.pending = { kind: "group", group: g };
      this.onToggleGroup(g);
    }
    // Used by the new layout, if there was one (a dimmed graph is not regrouped).
    this.pending = null;
  }

  /** Zooms by `k` about item `i`. @param {number} i @param {number} k */
  #zoom(i, k) {
    const v = this.view;
    const p = v.layout.nodes[i];
    const s = Math.min(6, Math.max(0.05, v.view.scale * k));
    const sx = v.view.tx + p.x * v.view.scale;
    const sy = v.view.ty + p.y * v.view.scale;
    v.view.scale = s;
    v.view.tx = sx - p.x * s;
    v.view.ty = sy - p.y * s;
    v.draw();
  }

  /** An item's name as the canvas and the table of nodes write it. @param {number} i */
  #name(i) {
    const v = this.view;
    const item = v.items[i];
    if (!item) return "";
    if (item.kind === "node") return nodeName(v.nodes[item.id]);
    const g = v.structure?.groups[item.group];
    return g ? `${g.header}${g.detail ? ` · ${g.detail}` : ""}` : `group ${item.group}`;
  }

  /** Item `i` in words: its numbers, where it sits (after ↑/↓), its inputs and what it
   * feeds. @param {number} i */
  #describe(i) {
    const v = this.view;
    const item = v.items[i];
    const names = (/** @type {number[]} */ list) => list.map((k) => this.#name(k)).join(", ");
    const ins = this.ins[i] ?? [];
    const outs = this.outs[i] ?? [];
    const parts = [];
    if (item.kind === "node") {
      const n = v.nodes[item.id];
      parts.push(`${this.#name(i)}${n.op === "input" || n.op === "parameter" || n.op === "constant" ? `, ${n.op}` : ""}: ${numbers(n, v.overlay)}`);
    } else {
      const g = v.structure?.groups[item.group];
      parts.push(`${this.#name(i)}: a collapsed group of ${g?.nodes ?? 0} node${g?.nodes === 1 ? "" : "s"}, Enter expands it`);
    }
    const c = this.context;
    if (c && c.of !== i) {
      const list = c.kind === "inputs" ? this.ins[c.of] : this.outs[c.of];
      const k = list?.indexOf(i) ?? -1;
      if (k >= 0 && list.length > 1) parts.push(c.kind === "inputs" ? `input ${k + 1} of ${list.length} of ${this.#name(c.of)}` : `${k + 1} of ${list.length} fed by ${this.#name(c.of)}`);
    }
    parts.push(ins.length ? `inputs ${names(ins)}` : "no inputs");
    parts.push(outs.length ? `feeds ${names(outs)}` : "the output");
    return parts.join("; ");
  }

  /** Says the current item (or `text`) in the live region. @param {string} [text] */
  #say(text) {
    const i = this.#item();
    const said = text ?? (i === null ? "" : this.#describe(i));
    // The same words again (↑ at the first) are said again: the region is emptied first,
    // and filled a moment later, which screen readers hear as a change.
    clearTimeout(this.again);
    if (this.live.textContent === said) {
      this.live.textContent = "";
      this.again = setTimeout(() => (this.live.textContent = said), 60);
    } else {
      this.live.textContent = said;
    }
  }
}

/** A node's value and gradient (or tangent, or the step-through's partial sum) in words.
 * @param {NodeReport} n @param {import("./stepper.js").Overlay | null} overlay */
function numbers(n, overlay) {
  // A tensor's value and gradient say its shape, first entries and norm (show).
  const value = overlay?.kind === "forward" && overlay.visited && !overlay.visited.has(n.id) ? "not computed yet" : show(n.value, n.shape);
  if (n.op === "constant") return `value ${value}, a constant: no gradient`;
  if (!overlay) return `value ${value}, gradient ${show(n.grad, n.shape)}`;
  const drawn = gradText(n, overlay);
  if (drawn === null) return `value ${value}`;
  const words = drawn.replace(/^∂ \?$/, "gradient not reached yet").replace(/^∂ /, "gradient ").replace(/^ẋ /, "tangent ").replace(/ \+ …$/, " so far");
  return `value ${value}, ${words}`;
}
