// @ts-check
// The computation graph on a canvas: nodes from the engine's layout, edges coloured by the
// magnitude of the gradient that flowed along them (log scale), pan, zoom and hover.
//
// The view draws what it is given and computes no derivatives: values, gradients, local
// derivatives and edge gradients all come from the engine's node report.
//
// What is laid out are *items*: a node each for an expression; for a program, a node each
// except inside collapsed groups (loop iterations, calls), which are one box each. Expanded
// groups are drawn as labelled boxes behind their items. Tensor nodes show two heatmaps,
// value and gradient.

import { context2d } from "./dom.js";
import { roundRectPath } from "./figure.js";
import { fmt } from "./format.js";
import { LogScale, NAN_COLOR } from "./colors.js";
import { theme as T } from "./theme.js";
import { gradText } from "./stepper.js";
import { isLeaf, nodeSymbol } from "./ops.js";
import { brief, isTensor, magnitude, norm, shapeText } from "./tensor.js";
import { gridOf, heatmapCanvas } from "./heatmap.js";

/** @typedef {import("../pkg/gradscope.js").Evaluation} Evaluation */
/** @typedef {import("../pkg/gradscope.js").NodeReport<number>} NodeReport */
/** @typedef {import("../pkg/gradscope.js").Layout} Layout */
/** @typedef {import("./stepper.js").Overlay} Overlay */
/** @typedef {{ x: number, y: number }} Point */
/** @typedef {[Point, Point, Point, Point]} Segment a cubic Bézier: start, two controls, end */
/** @typedef {{ x0: number, y0: number, x1: number, y1: number }} Box */
/**
 * An edge as drawn: its curve, where its number goes, and what it carries now.
 * @typedef {object} Edge
 * @property {number} from
 * @property {number} to
 * @property {number} index its place in the layout's edge list
 * @property {number} which which input of `to` it is
 * @property {Segment[]} segments
 * @property {Point[] | null} polyline sampled on the first hover near it
 * @property {Box} box
 * @property {Point | null} label
 * @property {number | null} local the local derivative, if the op's Jacobian is diagonal
 * @property {number} flowed upstream × local, what flowed back along it
 * @property {{ node: number, which: number }[]} parts the node edges it draws (several, into or out of a collapsed group)
 */
/**
 * What is under the pointer: a node (and the heatmap cell, for a tensor), an edge, or a
 * group (its collapsed box, or the header of its expanded box).
 * @typedef {{ kind: "node", id: number, cell?: { index: number, row: number, col: number } }
 *   | { kind: "edge", index: number } | { kind: "group", group: number }} Hit
 */
/** @typedef {{ kind: "node", id: number } | { kind: "group", group: number }} Item */
/**
 * A group as the view draws it: its source (`for t in range(4)`) and which run of it
 * (`step 2`; empty for a call), its parent, its size, and whether it is collapsed.
 * @typedef {{ header: string, detail: string, parent: number | null, collapsed: boolean, nodes: number }} GroupView
 */
/**
 * How a program's graph is grouped: the items laid out, the item of every node, the groups,
 * and the innermost group of every node.
 * @typedef {{ items: Item[], itemOf: number[], groups: GroupView[], nodeGroup: (number | null)[] }} Structure
 */

/** @type {Layout} */
const NO_LAYOUT = { layers: 0, nodes: [], edges: [], width: 0, height: 0 };

const NODE_W = 112;
const NODE_H = 54;
const SAMPLES = 16; // points per curve segment for hit testing
const LABEL_W = 56; // room kept for an edge's number ("−0.524979" at 10 px), in layout units
const LABEL_H = 14;
const MAX_LABELLED_NODES = 80; // larger graphs show no edge numbers: too many to read
const READABLE = 0.42; // below this zoom node text is too small to read: draw boxes only
const BAD = "#c81e1e"; // a value that left the real domain
const GROUP_PAD = 14; // room between a group's box and the items inside it
const GROUP_HEADER = 18; // the label strip on top of an expanded group's box
const HEAT_W = 46; // each of a tensor node's two heatmaps, in layout units
const HEAT_H = 28;
const HEAT_TOP = 21; // below the node's title line
const CHANGE_MS = 1600; // how long appeared and vanished nodes stay marked

/** Where each edge enters and leaves, as a smooth curve through the layout's bend points.
 * @param {[number, number][]} points @returns {Segment[]} */
function edgeCurve(points) {
  const pts = points.map(([x, y]) => ({ x, y }));
  pts[0] = { x: pts[0].x + NODE_W / 2, y: pts[0].y };
  const last = pts.length - 1;
  pts[last] = { x: pts[last].x - NODE_W / 2 - 4, y: pts[last].y };
  // Cubic segments with horizontal tangents: reads as flow from left to right.
  /** @type {Segment[]} */
  const segments = [];
  for (let i = 0; i < last; i++) {
    const a = pts[i];
    const b = pts[i + 1];
    const dx = (b.x - a.x) / 2;
    segments.push([a, { x: a.x + dx, y: a.y }, { x: b.x - dx, y: b.y }, b]);
  }
  return segments;
}

/** @param {Segment} segment @param {number} t @returns {Point} */
function bezier([a, c1, c2, b], t) {
  const u = 1 - t;
  return {
    x: u * u * u * a.x + 3 * u * u * t * c1.x + 3 * u * t * t * c2.x + t * t * t * b.x,
    y: u * u * u * a.y + 3 * u * u * t * c1.y + 3 * u * t * t * c2.y + t * t * t * b.y,
  };
}

/** Points along the curve, for hit testing. @param {Segment[]} segments */
function polylineOf(segments) {
  return segments.flatMap((s) => Array.from({ length: SAMPLES + 1 }, (_, k) => bezier(s, k / SAMPLES)));
}

/** @param {Point} p @param {Point} a @param {Point} b */
function distanceToSegment(p, a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy || 1;
  const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

export class GraphView {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = context2d(canvas);
    /** @type {NodeReport[]} */
    this.nodes = [];
    /** @type {Edge[]} */
    this.edges = [];
    /** @type {Evaluation | null} */
    this.evaluation = null;
    this.layout = NO_LAYOUT;
    /** @type {Overlay | null} */
    this.overlay = null;
    this.dimmed = false;
    /** @type {Hit | null} */
    this.hover = null;
    /** The laid-out items and, for a program, its groups. @type {Item[]} */
    this.items = [];
    /** @type {number[]} */
    this.itemOf = [];
    /** @type {Structure | null} */
    this.structure = null;
    /** Each expanded group's box, in layout units. @type {(Box | null)[]} */
    this.groupBoxes = [];
    /** A tensor node's heatmaps, made when first drawn. @type {Map<string, HTMLCanvasElement>} */
    this.heatmaps = new Map();
    /** Nodes that just appeared, and boxes where nodes just went away, with when.
     * @type {{ appeared: Set<number>, gone: Box[], since: number } | null} */
    this.changes = null;
    /** The node whose panel is open, outlined. @type {number | null} */
    this.selected = null;
    /** Nodes made by the source line under the caret or the mouse, marked. @type {Set<number>} */
    this.lineNodes = new Set();
    /** The item current for the keyboard (graph-keys.js), ringed while the canvas has the
     * keyboard's focus. @type {number | null} */
    this.focusItem = null;
    this.focusShown = false;
    /** Whether each operation node carries its name in an exercise link (`n4`) over its
     * corner: while an exercise is made or done (exercise-link.js). */
    this.tags = false;
    /** Called after a new graph, new values or a new overlay, for what mirrors the view
     * (the keyboard's current node, the table of nodes). @type {Set<(what: "graph" | "values" | "overlay") => void>} */
    this.watchers = new Set();
    this.view = { scale: 1, tx: 0, ty: 0 };
    this.colorScale = new LogScale([]);
    /** Called with what the pointer is over, and the event. @type {(hit: Hit | null, ev: PointerEvent | null) => void} */
    this.onHover = () => {};
    /** Called when the colour scale changes, for the legend. @type {(scale: LogScale) => void} */
    this.onScale = () => {};
    /** Called with the node clicked (a tap without a drag), or null. @type {(id: number | null) => void} */
    this.onSelect = () => {};
    /** Called when a group's box or header is clicked: collapse or expand it. @type {(group: number) => void} */
    this.onToggleGroup = () => {};
    this.#listen();
    new ResizeObserver(() => this.#resize()).observe(canvas);
    this.#resize();
  }

  /** A new graph structure (new expression): replaces everything and fits it to the view;
   * or, with `keep`, keeps the zoom and moves the view so that node `keep.to` sits where
   * node `keep.from` of the old graph was (a branch flipped, a group collapsed).
   * @param {Evaluation} evaluation @param {Layout} layout @param {Structure | null} [structure]
   * @param {{ keep?: { from: number, to: number } | null }} [options] */
  setGraph(evaluation, layout, structure = null, { keep = null } = {}) {
    const anchor = keep && this.itemOf[keep.from] !== undefined ? this.layout.nodes[this.itemOf[keep.from]] : null;
    const screen = anchor && { x: this.view.tx + anchor.x * this.view.scale, y: this.view.ty + anchor.y * this.view.scale };
    this.layout = layout;
    this.structure = structure;
    this.items = structure ? structure.items : evaluation.nodes.map((n) => ({ kind: /** @type {const} */ ("node"), id: n.id }));
    this.itemOf = structure ? structure.itemOf : evaluation.nodes.map((n) => n.id);
    this.edges = layout.edges.map((e, i) => {
      const segments = edgeCurve(e.points);
      // The bounding box of the bend points (a curve stays inside it); the sampled polyline
      // for hit testing is computed on the first hover near the edge, not for every edge.
      let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const s of segments) {
        for (const p of [s[0], s[3]]) {
          x0 = Math.min(x0, p.x);
          y0 = Math.min(y0, p.y);
          x1 = Math.max(x1, p.x);
          y1 = Math.max(y1, p.y);
        }
      }
      return { from: e.from, to: e.to, index: i, which: 0, segments, polyline: null, box: { x0, y0, x1, y1 }, label: null, local: null, flowed: 0, parts: [] };
    });
    /** Item edge by its ends, to match the nodes' edges to it. @type {Map<string, number>} */
    this.edgeIndex = new Map(this.edges.map((e, i) => [`${e.from}>${e.to}`, i]));
    this.#placeLabels();
    this.#boxGroups();
    // What was under the pointer is gone with the old graph.
    this.hover = null;
    this.onHover(null, null);
    this.setValues(evaluation, { draw: false });
    const placed = keep && screen && this.layout.nodes[this.itemOf[keep.to]];
    if (placed && screen) {
      this.view.tx = screen.x - placed.x * this.view.scale;
      this.view.ty = screen.y - placed.y * this.view.scale;
      this.draw();
    } else {
      this.fit();
    }
    this.#changed("graph");
  }

  /** @param {"graph" | "values" | "overlay"} what */
  #changed(what) {
    for (const w of this.watchers) w(what);
  }

  /** The box of every expanded group: around its items (and the boxes of the groups in
   * it), with room for its header. Collapsed groups are items and get none. */
  #boxGroups() {
    const st = this.structure;
    this.groupBoxes = [];
    if (!st) return;
    /** @type {(Box | null)[]} */
    const boxes = st.groups.map(() => null);
    /** @param {number | null} g @param {Box} b */
    const grow = (g, b) => {
      for (let k = g; k !== null; k = st.groups[k].parent) {
        if (st.groups[k].collapsed) continue;
        const c = boxes[k];
        boxes[k] = c ? { x0: Math.min(c.x0, b.x0), y0: Math.min(c.y0, b.y0), x1: Math.max(c.x1, b.x1), y1: Math.max(c.y1, b.y1) } : { ...b };
      }
    };
    this.items.forEach((item, i) => {
      const p = this.layout.nodes[i];
      const b = { x0: p.x - NODE_W / 2, y0: p.y - NODE_H / 2, x1: p.x + NODE_W / 2, y1: p.y + NODE_H / 2 };
      if (item.kind === "node") grow(st.nodeGroup[item.id], b);
      else grow(st.groups[item.group].parent, b);
    });
    // Inner boxes first: an outer box takes its children's padded boxes into account.
    const depth = (/** @type {number} */ g) => {
      let d = 0;
      for (let k = st.groups[g].parent; k !== null; k = st.groups[k].parent) d++;
      return d;
    };
    const order = st.groups.map((_, g) => g).sort((a, b) => depth(b) - depth(a));
    for (const g of order) {
      const b = boxes[g];
      if (!b) continue;
      const padded = { x0: b.x0 - GROUP_PAD, y0: b.y0 - GROUP_PAD - GROUP_HEADER, x1: b.x1 + GROUP_PAD, y1: b.y1 + GROUP_PAD };
      boxes[g] = padded;
      grow(st.groups[g].parent, padded);
    }
    this.groupBoxes = boxes;
  }

  /** Marks, for a moment, the nodes that appeared and where nodes went away: a branch that
   * flipped or a loop that ran another number of times is visible as what it changed.
   * @param {Set<number>} appeared new node ids @param {Box[]} gone old boxes, in layout units of the new view */
  markChanges(appeared, gone) {
    this.changes = { appeared, gone, since: performance.now() };
    const tick = () => {
      if (!this.changes) return;
      this.draw();
      if (performance.now() - this.changes.since < CHANGE_MS) requestAnimationFrame(tick);
      else {
        this.changes = null;
        this.draw();
      }
    };
    requestAnimationFrame(tick);
  }

  /** Node `id`'s box in layout units, or its collapsed group's. @param {number} id @returns {Box | null} */
  nodeBox(id) {
    return this.itemBox(this.itemOf[id]);
  }

  /** Item `i`'s box in layout units. @param {number} i @returns {Box | null} */
  itemBox(i) {
    const p = this.layout.nodes[i];
    return p ? { x0: p.x - NODE_W / 2, y0: p.y - NODE_H / 2, x1: p.x + NODE_W / 2, y1: p.y + NODE_H / 2 } : null;
  }

  /** Turns layout units into the view's screen units, for a box kept across graphs.
   * @param {Box} b */
  toScreen(b) {
    const { scale, tx, ty } = this.view;
    return { x0: tx + b.x0 * scale, y0: ty + b.y0 * scale, x1: tx + b.x1 * scale, y1: ty + b.y1 * scale };
  }

  /** @param {Box} b a box in screen units @returns {Box} */
  fromScreen(b) {
    const { scale, tx, ty } = this.view;
    return { x0: (b.x0 - tx) / scale, y0: (b.y0 - ty) / scale, x1: (b.x1 - tx) / scale, y1: (b.y1 - ty) / scale };
  }

  /** Marks the nodes a source line made (or the boxes of the groups that hold them).
   * @param {Set<number>} ids */
  setLineNodes(ids) {
    if (ids.size === 0 && this.lineNodes.size === 0) return;
    this.lineNodes = ids;
    this.draw();
  }

  /** Shows or hides the nodes' names for exercise links. @param {boolean} on */
  setTags(on) {
    if (on === this.tags) return;
    this.tags = on;
    this.draw();
  }

  /** The node outlined as selected (its panel is open), or null. @param {number | null} id */
  setSelected(id) {
    this.selected = id;
    this.draw();
  }

  /** Where each edge's number goes: the first point along its curve (from the middle out)
   * where the label covers no node, no arrowhead and no label placed before it; none if
   * there is no such point, rather than a number over a node. */
  #placeLabels() {
    for (const e of this.edges) e.label = null;
    // Numbers are drawn only on graphs small enough to read (`#labelled`): on larger ones
    // finding their places would be work for nothing on every keystroke.
    if (this.layout.nodes.length > MAX_LABELLED_NODES) return;
    const pad = 3;
    /** @type {Box[]} */
    const taken = this.layout.nodes.map((n) => ({
      x0: n.x - NODE_W / 2 - pad,
      y0: n.y - NODE_H / 2 - pad,
      x1: n.x + NODE_W / 2 + pad,
      y1: n.y + NODE_H / 2 + pad,
    }));
    // The arrowheads, 9 units long, ending at each node's left side.
    for (const n of this.layout.nodes) taken.push({ x0: n.x - NODE_W / 2 - 11, y0: n.y - 10, x1: n.x - NODE_W / 2, y1: n.y + 10 });
    /** The room a number centred at `p` takes. @param {Point} p @returns {Box} */
    const labelBox = (p) => ({ x0: p.x - LABEL_W / 2, y0: p.y - LABEL_H / 2, x1: p.x + LABEL_W / 2, y1: p.y + LABEL_H / 2 });
    /** @param {Box} r */
    const free = (r) => !taken.some((b) => r.x0 < b.x1 && r.x1 > b.x0 && r.y0 < b.y1 && r.y1 > b.y0);
    for (const e of this.edges) {
      const line = (e.polyline ??= polylineOf(e.segments));
      const mid = line.length >> 1;
      for (let d = 0; d <= mid && !e.label; d++) {
        const p = [line[mid - d], line[mid + d]].find((q) => q && free(labelBox(q)));
        if (p) {
          e.label = p;
          taken.push(labelBox(p)); // placed numbers cover no later one
        }
      }
    }
  }

  /** New values and gradients on the same structure (a slider moved).
   * @param {Evaluation} evaluation */
  setValues(evaluation, { draw = true } = {}) {
    this.evaluation = evaluation;
    this.nodes = evaluation.nodes;
    this.heatmaps.clear();
    if (!this.structure) {
      // Edges come in the layout in node order, input order: match them to the report's edges.
      let k = 0;
      for (const node of this.nodes) {
        node.edges.forEach((e, which) => {
          const edge = this.edges[k++];
          if (edge) {
            edge.which = which;
            edge.parts = [{ node: node.id, which }];
            // One number per edge: a tensor's edge carries the norm of its gradient (and
            // forward mode, scalar only, needs no local derivative of it).
            const shape = this.nodes[e.from].shape;
            edge.local = e.local && !isTensor(shape) ? e.local[0] : null;
            edge.flowed = magnitude(e.flowed, shape);
          }
        });
      }
    } else {
      this.#gatherEdges();
    }
    this.#rescale();
    if (draw) this.draw();
    this.#changed("values");
  }

  /** A program's edges between items: an edge into or out of a collapsed group stands for
   * every node edge it replaces. What it carries is the gradient that crossed it: for each
   * node it leaves, the sum of what its consumers on the other side sent back (the total
   * that node received from there), and the L2 norm over all of those. */
  #gatherEdges() {
    const index = this.edgeIndex ?? new Map();
    /** Per item edge, per source node, the summed gradient. @type {Map<number, Map<number, Float64Array>>} */
    const sums = new Map();
    for (const e of this.edges) {
      e.parts = [];
      e.local = null;
      e.flowed = 0;
    }
    for (const node of this.nodes) {
      node.edges.forEach((ne, which) => {
        const from = this.itemOf[ne.from];
        const to = this.itemOf[node.id];
        if (from === to) return;
        const k = index.get(`${from}>${to}`);
        if (k === undefined) return;
        const edge = this.edges[k];
        edge.parts.push({ node: node.id, which });
        let bySource = sums.get(k);
        if (!bySource) sums.set(k, (bySource = new Map()));
        let acc = bySource.get(ne.from);
        if (!acc) bySource.set(ne.from, (acc = new Float64Array(ne.flowed.length)));
        for (let i = 0; i < acc.length; i++) acc[i] += ne.flowed[i];
      });
    }
    for (const [k, bySource] of sums) {
      const edge = this.edges[k];
      const only = edge.parts.length === 1 ? edge.parts[0] : null;
      if (only) {
        // One node edge: exactly the expression view's edge (and its local derivative).
        const ne = this.nodes[only.node].edges[only.which];
        const shape = this.nodes[ne.from].shape;
        edge.which = only.which;
        edge.local = ne.local && !isTensor(shape) ? ne.local[0] : null;
        edge.flowed = magnitude(ne.flowed, shape);
        continue;
      }
      const all = [...bySource.values()].flatMap((a) => [...a]);
      edge.flowed = norm(all);
    }
  }

  /** Step-through or forward-mode state drawn on top (or null for the plain view).
   * @param {Overlay | null} overlay */
  setOverlay(overlay) {
    if (overlay === null && this.overlay === null) return;
    this.overlay = overlay;
    this.#rescale();
    this.draw();
    this.#changed("overlay");
  }

  /** The keyboard's current item, and whether its ring is drawn (the canvas has the focus
   * and it came by keyboard). @param {number | null} item @param {boolean} shown */
  setFocus(item, shown) {
    if (item === this.focusItem && shown === this.focusShown) return;
    this.focusItem = item;
    this.focusShown = shown;
    this.draw();
  }

  /** @param {boolean} dimmed */
  setDimmed(dimmed) {
    if (dimmed === this.dimmed) return;
    this.dimmed = dimmed;
    this.draw();
  }

  /** Whether nothing flows along this edge by the rules: a constant takes no gradient and
   * has no tangent, so its edge carries neither (drawn plain, without a number).
   * @param {Edge} edge */
  #fromConstant(edge) {
    const item = this.items[edge.from];
    return item?.kind === "node" && this.nodes[item.id]?.op === "constant";
  }

  /** What the edge carries under the overlay: a gradient, or in forward mode a tangent.
   * @param {Edge} edge */
  #edgeQuantity(edge) {
    const o = this.overlay;
    if (o && o.kind === "tangent" && o.tangents) {
      // Forward mode: what flows forward along an edge is local × tangent of its source; a
      // constant has no tangent, so nothing flows from it.
      if (this.#fromConstant(edge)) return 0;
      return edge.local === null ? o.tangents[edge.to] : edge.local * o.tangents[edge.from];
    }
    return edge.flowed;
  }

  #rescale() {
    this.colorScale = new LogScale(this.edges.map((e) => this.#edgeQuantity(e)));
    this.onScale(this.colorScale);
  }

  /** The zoom at which `layout` fits the canvas, and whether its text is readable there.
   * @param {Layout} layout */
  fitScale(layout) {
    const { width, height } = this.#cssSize();
    const pad = 24;
    const w = Math.max(layout.width, NODE_W + 40);
    const h = Math.max(layout.height, NODE_H + 20);
    const scale = Math.min((width - 2 * pad) / w, (height - 2 * pad) / h, 1.6);
    return { scale, readable: scale >= READABLE };
  }

  /** The view as the last fit left it, with the canvas's size then: a resize fits again a
   * view nobody has moved since (controls above it that grew, an embedding frame resized).
   * @type {{ scale: number, tx: number, ty: number, width: number, height: number } | null} */
  #fitted = null;

  fit() {
    if (!this.layout.nodes.length) return;
    const { width, height } = this.#cssSize();
    const w = Math.max(this.layout.width, NODE_W + 40);
    const h = Math.max(this.layout.height, NODE_H + 20);
    // The whole graph, however small that makes it: below a readable zoom the nodes are
    // drawn as coloured boxes, and wheel or step-through zooms in where it matters.
    const { scale } = this.fitScale(this.layout);
    this.view.scale = scale;
    this.view.tx = (width - w * scale) / 2;
    this.view.ty = (height - h * scale) / 2;
    this.#fitted = { ...this.view, width, height };
    this.draw();
  }

  /** Pans (and zooms in to a readable size if needed) so node `id` is on screen, with
   * room around it: the step-through's current node never leaves the view.
   * @param {number | null | undefined} id */
  follow(id) {
    if (id === null || id === undefined) return;
    this.followItem(this.itemOf[id]);
  }

  /** As `follow`, for item `i` (a node, or a collapsed group's box). @param {number} i */
  followItem(i) {
    const n = this.layout.nodes[i];
    if (!n) return;
    const { width, height } = this.#cssSize();
    const margin = 30;
    if (this.view.scale < READABLE) {
      this.view.scale = Math.min(0.8, Math.max(READABLE, Math.min(width, height) / (6 * NODE_W)));
      this.view.tx = width / 2 - n.x * this.view.scale;
      this.view.ty = height / 2 - n.y * this.view.scale;
    } else {
      const r = this.itemScreenRect(i);
      if (r.x0 >= margin && r.y0 >= margin && r.x1 <= width - margin && r.y1 <= height - margin) return;
      this.view.tx = width / 2 - n.x * this.view.scale;
      this.view.ty = height / 2 - n.y * this.view.scale;
    }
    this.draw();
  }

  /** Node `id`'s box in canvas (CSS pixel) coordinates. @param {number} id @returns {Box} */
  nodeScreenRect(id) {
    return this.itemScreenRect(this.itemOf[id]);
  }

  /** Item `i`'s box in canvas (CSS pixel) coordinates. @param {number} i @returns {Box} */
  itemScreenRect(i) {
    const n = this.layout.nodes[i];
    const { scale, tx, ty } = this.view;
    return {
      x0: tx + (n.x - NODE_W / 2) * scale,
      y0: ty + (n.y - NODE_H / 2) * scale,
      x1: tx + (n.x + NODE_W / 2) * scale,
      y1: ty + (n.y + NODE_H / 2) * scale,
    };
  }

  /** The text of node `id`'s gradient (or tangent) row as drawn now; null if none.
   * @param {number} id */
  gradText(id) {
    return gradText(this.nodes[id], this.overlay);
  }

  /** The edges whose number is drawn now, with the text: what a person reads on them. */
  edgeLabels() {
    return this.edges
      .filter((e) => this.#labelled(e))
      .map((e) => ({ from: e.from, to: e.to, text: fmt(this.#edgeQuantity(e)), at: e.label }));
  }

  #cssSize() {
    const r = this.canvas.getBoundingClientRect();
    return { width: r.width || 800, height: r.height || 500 };
  }

  #resize() {
    const { width, height } = this.#cssSize();
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    const f = this.#fitted;
    const unmoved = f && f.scale === this.view.scale && f.tx === this.view.tx && f.ty === this.view.ty;
    if (unmoved && (f.width !== width || f.height !== height)) this.fit();
    else this.draw();
  }

  /** @param {number} clientX @param {number} clientY @returns {Point} */
  #toWorld(clientX, clientY) {
    const r = this.canvas.getBoundingClientRect();
    return {
      x: (clientX - r.left - this.view.tx) / this.view.scale,
      y: (clientY - r.top - this.view.ty) / this.view.scale,
    };
  }

  #listen() {
    const c = this.canvas;
    /** @type {{ x: number, y: number, tx: number, ty: number, moved: boolean } | null} */
    let drag = null;
    c.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const r = c.getBoundingClientRect();
      const mx = ev.clientX - r.left;
      const my = ev.clientY - r.top;
      // Lines and pages (deltaMode 1 and 2) to pixels, so every mouse zooms at one speed.
      const pixels = ev.deltaY * (ev.deltaMode === 1 ? 16 : ev.deltaMode === 2 ? 800 : 1);
      const k = Math.exp(-pixels * 0.0015);
      const s = Math.min(6, Math.max(0.05, this.view.scale * k));
      // Zoom about the cursor: the point under it stays put.
      this.view.tx = mx - ((mx - this.view.tx) * s) / this.view.scale;
      this.view.ty = my - ((my - this.view.ty) * s) / this.view.scale;
      this.view.scale = s;
      this.draw();
    }, { passive: false });
    // Fingers on the canvas: one pans (as the mouse drags), two pinch-zoom about their
    // middle, the point between them staying between them.
    /** @type {Map<number, { x: number, y: number }>} */
    const touches = new Map();
    /** @type {{ d: number, scale: number, wx: number, wy: number } | null} */
    let pinch = null;
    const startPinch = () => {
      const [a, b] = [...touches.values()];
      const r = c.getBoundingClientRect();
      const mx = (a.x + b.x) / 2 - r.left;
      const my = (a.y + b.y) / 2 - r.top;
      pinch = {
        d: Math.max(1, Math.hypot(a.x - b.x, a.y - b.y)),
        scale: this.view.scale,
        wx: (mx - this.view.tx) / this.view.scale,
        wy: (my - this.view.ty) / this.view.scale,
      };
      drag = null; // a pinch is never a tap, and the pan starts afresh after it
    };
    c.addEventListener("pointerdown", (ev) => {
      if (ev.pointerType === "touch") {
        touches.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
        if (touches.size === 2) {
          c.setPointerCapture(ev.pointerId);
          startPinch();
          return;
        }
        if (touches.size > 2) return;
      }
      drag = { x: ev.clientX, y: ev.clientY, tx: this.view.tx, ty: this.view.ty, moved: false };
      c.setPointerCapture(ev.pointerId);
    });
    c.addEventListener("pointermove", (ev) => {
      if (ev.pointerType === "touch" && touches.has(ev.pointerId)) {
        touches.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
        if (pinch && touches.size >= 2) {
          const [a, b] = [...touches.values()];
          const r = c.getBoundingClientRect();
          const mx = (a.x + b.x) / 2 - r.left;
          const my = (a.y + b.y) / 2 - r.top;
          const s = Math.min(6, Math.max(0.05, (pinch.scale * Math.hypot(a.x - b.x, a.y - b.y)) / pinch.d));
          this.view.scale = s;
          this.view.tx = mx - pinch.wx * s;
          this.view.ty = my - pinch.wy * s;
          this.draw();
          return;
        }
      }
      if (drag && (ev.buttons & 1 || ev.pointerType === "touch")) {
        const dx = ev.clientX - drag.x;
        const dy = ev.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        this.view.tx = drag.tx + dx;
        this.view.ty = drag.ty + dy;
        this.draw();
        return;
      }
      this.#updateHover(ev);
    });
    /** @param {PointerEvent} ev */
    const lift = (ev) => {
      if (!touches.delete(ev.pointerId)) return false;
      if (pinch) {
        if (touches.size < 2) pinch = null;
        // The finger left on the glass pans on from where it is.
        const [rest] = [...touches.values()];
        if (rest && touches.size === 1) drag = { x: rest.x, y: rest.y, tx: this.view.tx, ty: this.view.ty, moved: true };
        return true;
      }
      return false;
    };
    c.addEventListener("pointercancel", (ev) => {
      lift(ev);
      drag = null;
    });
    c.addEventListener("pointerup", (ev) => {
      if (lift(ev)) return; // the end of a pinch
      // A tap without dragging selects, for touch screens without hover; on a group's box
      // or header it collapses or expands the group.
      if (drag && !drag.moved) {
        this.#updateHover(ev);
        const hit = this.hitTest(this.#toWorld(ev.clientX, ev.clientY));
        if (hit?.kind === "group") this.onToggleGroup(hit.group);
        else this.onSelect(hit?.kind === "node" ? hit.id : null);
      }
      drag = null;
    });
    c.addEventListener("pointerleave", () => {
      if (!drag) this.#setHover(null, null);
    });
    c.addEventListener("dblclick", () => this.fit());
  }

  /** @param {PointerEvent} ev */
  #updateHover(ev) {
    const p = this.#toWorld(ev.clientX, ev.clientY);
    this.#setHover(this.hitTest(p), ev);
  }

  /** @param {Hit | null} hit @param {PointerEvent | null} ev */
  #setHover(hit, ev) {
    const same = JSON.stringify(hit) === JSON.stringify(this.hover);
    this.hover = hit;
    if (!same) this.draw();
    this.onHover(hit, ev);
  }

  /** The middle of edge `i` in client (page) coordinates, for pointing at it.
   * @param {number} i */
  edgeMidpointClient(i) {
    const edge = this.edges[i];
    const line = (edge.polyline ??= polylineOf(edge.segments));
    const p = line[Math.floor(line.length / 2)];
    const r = this.canvas.getBoundingClientRect();
    return { x: r.left + this.view.tx + p.x * this.view.scale, y: r.top + this.view.ty + p.y * this.view.scale };
  }

  /** The node or edge under a point in layout coordinates.
   * @param {Point} p @returns {Hit | null} */
  hitTest(p) {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const n = this.layout.nodes[i];
      if (Math.abs(p.x - n.x) <= NODE_W / 2 && Math.abs(p.y - n.y) <= NODE_H / 2) {
        const item = this.items[i];
        if (item.kind === "group") return { kind: "group", group: item.group };
        const cell = this.#cellAt(this.nodes[item.id], n, p);
        return cell ? { kind: "node", id: item.id, cell } : { kind: "node", id: item.id };
      }
    }
    // An expanded group's header strip toggles it.
    for (let g = this.groupBoxes.length - 1; g >= 0; g--) {
      const b = this.groupBoxes[g];
      if (b && p.x >= b.x0 && p.x <= b.x1 && p.y >= b.y0 && p.y <= b.y0 + GROUP_HEADER) return { kind: "group", group: g };
    }
    const tolerance = 6 / this.view.scale;
    /** @type {{ d: number, index: number } | null} */
    let best = null;
    for (const e of this.edges) {
      const b = e.box;
      if (p.x < b.x0 - tolerance || p.x > b.x1 + tolerance || p.y < b.y0 - tolerance || p.y > b.y1 + tolerance) continue;
      const line = (e.polyline ??= polylineOf(e.segments));
      for (let k = 1; k < line.length; k++) {
        const d = distanceToSegment(p, line[k - 1], line[k]);
        if (d < tolerance && (!best || d < best.d)) best = { d, index: e.index };
      }
    }
    return best ? { kind: "edge", index: best.index } : null;
  }

  /** The entry of a tensor node's heatmaps under `p` (the value's or the gradient's: the
   * same entry), or null. @param {NodeReport} n @param {Point} pos @param {Point} p */
  #cellAt(n, pos, p) {
    if (!n || !isTensor(n.shape)) return null;
    const { rows, cols } = gridOf(n.shape);
    const y = p.y - (pos.y - NODE_H / 2 + HEAT_TOP);
    for (const x0 of [pos.x - NODE_W / 2 + 6, pos.x + NODE_W / 2 - 6 - HEAT_W]) {
      const x = p.x - x0;
      if (x >= 0 && x < HEAT_W && y >= 0 && y < HEAT_H) {
        const row = Math.min(rows - 1, Math.floor((y / HEAT_H) * rows));
        const col = Math.min(cols - 1, Math.floor((x / HEAT_W) * cols));
        return { index: row * cols + col, row, col };
      }
    }
    return null;
  }

  // ---- drawing ------------------------------------------------------------------------------

  draw() {
    const ctx = this.ctx;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    // The theme's background, on the canvas itself: what is read back (a test, a copied
    // frame) is what the reader sees.
    ctx.fillStyle = T.bg;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.layout.nodes.length) return;
    ctx.setTransform(dpr * this.view.scale, 0, 0, dpr * this.view.scale, dpr * this.view.tx, dpr * this.view.ty);
    // Only what is on screen: a long loop expanded has thousands of items.
    const { width, height } = this.#cssSize();
    this.#paint(this.fromScreen({ x0: 0, y0: 0, x1: width, y1: height }));
  }

  /** The whole graph, at zoom 1, onto `ctx` as it is transformed (layout units): the
   * figure that graph-figure.js saves. As the view draws it, without what the pointer is over
   * and the fading marks of what just changed. @param {CanvasRenderingContext2D} ctx */
  drawFigure(ctx) {
    const kept = { ctx: this.ctx, view: this.view, hover: this.hover, changes: this.changes };
    Object.assign(this, { ctx, view: { scale: 1, tx: 0, ty: 0 }, hover: null, changes: null });
    try {
      this.#paint(null);
    } finally {
      Object.assign(this, kept);
    }
  }

  /** What `drawFigure` covers, in layout units: every item with its outlines and the
   * cards of a collapsed group, every group's box and every edge; null for no graph.
   * @returns {Box | null} */
  figureBox() {
    if (!this.layout.nodes.length) return null;
    const room = 8; // a selected node's outline, a collapsed group's cards
    const b = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    /** @param {Box} r */
    const add = (r) => Object.assign(b, { x0: Math.min(b.x0, r.x0), y0: Math.min(b.y0, r.y0), x1: Math.max(b.x1, r.x1), y1: Math.max(b.y1, r.y1) });
    this.layout.nodes.forEach((p) => add({ x0: p.x - NODE_W / 2 - room, y0: p.y - NODE_H / 2 - room, x1: p.x + NODE_W / 2 + room, y1: p.y + NODE_H / 2 + room }));
    for (const g of this.groupBoxes) if (g) add(g);
    for (const e of this.edges) add(e.box);
    return b;
  }

  /** Everything, in layout units, onto `this.ctx` as it is transformed; only the items
   * in `seen` (all of them for null). @param {Box | null} seen */
  #paint(seen) {
    const ctx = this.ctx;
    ctx.globalAlpha = this.dimmed ? 0.35 : 1;
    const readable = this.view.scale >= READABLE;
    this.groupBoxes.forEach((b, g) => b && this.#drawGroupBox(g, b, readable));
    for (const e of this.edges) this.#drawEdge(e);
    this.items.forEach((item, i) => {
      const pos = this.layout.nodes[i];
      if (seen && (pos.x + NODE_W < seen.x0 || pos.x - NODE_W > seen.x1 || pos.y + NODE_H < seen.y0 || pos.y - NODE_H > seen.y1)) return;
      if (item.kind === "group") this.#drawCollapsedGroup(item.group, i, pos, readable);
      else if (readable) this.#drawNode(this.nodes[item.id], pos);
      else this.#drawNodeBox(this.nodes[item.id], pos);
    });
    for (const e of this.edges) if (this.#labelled(e)) this.#drawEdgeLabel(e);
    this.#drawLineMarks();
    this.#drawChanges();
    ctx.globalAlpha = 1;
    this.#drawFocus();
  }

  /** The keyboard's current item: a dark blue ring with a white rim, outside the other
   * marks (selected, current step, source line), as thick on screen at any zoom. */
  #drawFocus() {
    const i = this.focusItem;
    const p = i === null ? undefined : this.layout.nodes[i];
    if (!this.focusShown || !p) return;
    const ctx = this.ctx;
    const px = 1 / this.view.scale; // one CSS pixel in layout units
    const pad = 7 + 3 * px;
    ctx.save();
    ctx.lineWidth = 6 * px;
    ctx.strokeStyle = T.bg;
    roundRectPath(ctx, p.x - NODE_W / 2 - pad, p.y - NODE_H / 2 - pad, NODE_W + 2 * pad, NODE_H + 2 * pad, 12);
    ctx.stroke();
    ctx.lineWidth = 3 * px;
    ctx.strokeStyle = T.accentDeep;
    ctx.stroke();
    ctx.restore();
  }

  /** Whether the edge's number is drawn: on graphs small enough to read, at a readable
   * zoom, where there is room, and only for what is known and flows.
   * @param {Edge} e */
  #labelled(e) {
    return this.items.length <= MAX_LABELLED_NODES && this.view.scale > 0.55 && e.label !== null && !this.#fromConstant(e) && this.#edgeShown(e);
  }

  /** Whether an edge's gradient is known at this point of a step-through. @param {Edge} e */
  #edgeShown(e) {
    const o = this.overlay;
    if (!o) return true;
    // A collapsed group's edge is known once any node edge it stands for is.
    const consumers = e.parts.length ? e.parts.map((p) => p.node) : [e.to];
    if (o.kind === "tangent") return !o.visited || consumers.some((c) => o.visited?.has(c));
    if (o.kind === "forward") return false;
    return o.visited ? consumers.some((c) => o.visited?.has(c)) : true;
  }

  /** @param {Edge} e */
  #drawEdge(e) {
    const ctx = this.ctx;
    const q = this.#edgeQuantity(e);
    const shown = this.#edgeShown(e) && !this.#fromConstant(e);
    const hovered = this.hover && this.hover.kind === "edge" && this.hover.index === e.index;
    const o = this.overlay;
    const current = o && o.current !== null && o.current !== undefined && this.itemOf[o.current] === e.to && o.kind !== "forward";
    const t = shown ? this.colorScale.position(q) : null;
    ctx.strokeStyle = shown ? this.colorScale.color(q) : T.edgeOff;
    ctx.lineWidth = (shown && t !== null ? 1.5 + 3 * t : 1.5) + (hovered || current ? 2 : 0);
    ctx.setLineDash(shown && (q === 0 || Number.isNaN(q)) ? [5, 4] : []);
    ctx.beginPath();
    const [a] = e.segments[0];
    ctx.moveTo(a.x, a.y);
    for (const [, c1, c2, b] of e.segments) ctx.bezierCurveTo(c1.x, c1.y, c2.x, c2.y, b.x, b.y);
    ctx.stroke();
    ctx.setLineDash([]);
    // Arrowhead at the consumer.
    const [, , c2, b] = e.segments[e.segments.length - 1];
    const ang = Math.atan2(b.y - c2.y, b.x - c2.x);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.beginPath();
    ctx.moveTo(b.x + 4, b.y);
    ctx.lineTo(b.x + 4 - 9 * Math.cos(ang - 0.4), b.y - 9 * Math.sin(ang - 0.4));
    ctx.lineTo(b.x + 4 - 9 * Math.cos(ang + 0.4), b.y - 9 * Math.sin(ang + 0.4));
    ctx.fill();
  }

  /** @param {Edge} e */
  #drawEdgeLabel(e) {
    const ctx = this.ctx;
    const m = e.label;
    if (!m) return;
    const text = fmt(this.#edgeQuantity(e));
    ctx.font = "10px ui-monospace, SFMono-Regular, Menlo, monospace";
    const w = ctx.measureText(text).width + 6;
    ctx.fillStyle = T.labelBg;
    ctx.fillRect(m.x - w / 2, m.y - 7, w, 13);
    ctx.fillStyle = T.muted;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(text, m.x, m.y);
  }

  /** @param {NodeReport} n @param {{ x: number, y: number }} pos */
  #drawNode(n, pos) {
    const ctx = this.ctx;
    const o = this.overlay;
    const x = pos.x - NODE_W / 2;
    const y = pos.y - NODE_H / 2;
    const isRoot = this.evaluation && n.id === this.evaluation.root;
    const hovered = this.hover && this.hover.kind === "node" && this.hover.id === n.id;
    const current = o && o.current === n.id;
    const fill = n.op === "input" || n.op === "parameter" ? T.inputFill : n.op === "constant" ? T.constFill : T.nodeFill;

    if (this.selected === n.id) {
      ctx.strokeStyle = "#7c3aed";
      ctx.lineWidth = 3;
      roundRectPath(ctx, x - 4, y - 4, NODE_W + 8, NODE_H + 8, 11);
      ctx.stroke();
    }
    if (current) {
      ctx.fillStyle = "rgba(37, 99, 235, 0.18)";
      roundRectPath(ctx, x - 6, y - 6, NODE_W + 12, NODE_H + 12, 12);
      ctx.fill();
    }
    ctx.fillStyle = fill;
    ctx.strokeStyle = current ? T.accent : hovered ? T.hover : n.not_finite ? T.bad : isRoot ? T.ink : T.stroke;
    ctx.lineWidth = current || isRoot || hovered ? 2.2 : 1.2;
    roundRectPath(ctx, x, y, NODE_W, NODE_H, 8);
    ctx.fill();
    ctx.stroke();

    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    const label = n.op === "input" || n.op === "parameter" || n.op === "constant" ? n.label : nodeSymbol(n.op);
    ctx.fillStyle = T.ink;
    if (isTensor(n.shape)) {
      this.#drawTensorNode(n, label, x, y);
      return;
    }
    ctx.font = "600 13px system-ui, sans-serif";
    ctx.fillText(truncate(ctx, label, NODE_W - 10), pos.x, y + 13);

    ctx.font = "11px ui-monospace, SFMono-Regular, Menlo, monospace";
    const valueKnown = !o || o.kind !== "forward" || (o.visited?.has(n.id) ?? true);
    ctx.fillStyle = valueKnown && n.not_finite ? T.bad : T.ink2;
    ctx.fillText(truncate(ctx, valueKnown ? `= ${brief(n.value, n.shape)}` : "= ?", NODE_W - 8), pos.x, y + 29);

    const text = gradText(n, o);
    if (text) {
      // The number the row shows, for its colour swatch: only a finished one.
      const finished = !text.endsWith("?") && !text.endsWith("…") && n.op !== "constant";
      const colorOf = finished ? (o && o.kind === "tangent" ? o.tangents?.[n.id] : magnitude(n.grad, n.shape)) : undefined;
      if (colorOf !== undefined) {
        ctx.fillStyle = this.colorScale.color(colorOf);
        ctx.fillRect(pos.x - NODE_W / 2 + 8, y + 40, 6, 6);
      }
      ctx.fillStyle = n.op === "constant" ? T.faint : colorOf !== undefined && Number.isNaN(colorOf) ? NAN_COLOR : T.grad;
      if (n.op === "constant") ctx.font = "italic 11px system-ui, sans-serif";
      ctx.fillText(truncate(ctx, text, NODE_W - 24), pos.x + 4, y + 43);
    }
    if (n.not_finite && valueKnown) this.#drawDomainMark(x, y);
    if (this.tags && !isLeaf(n)) this.#drawTag(`n${n.id}`, x, y);
  }

  /** A node's name in exercise links, on a chip over its top-left corner (a leaf goes by
   * its own label). @param {string} text @param {number} x @param {number} y the corner */
  #drawTag(text, x, y) {
    const ctx = this.ctx;
    ctx.font = "600 10px ui-monospace, SFMono-Regular, Menlo, monospace";
    const w = ctx.measureText(text).width + 6;
    ctx.fillStyle = T.accent;
    roundRectPath(ctx, x - 4, y - 7, w, 13, 4);
    ctx.fill();
    ctx.fillStyle = T.labelBg;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(text, x - 1, y);
    ctx.textAlign = "center";
  }

  /** A tensor node: its op and shape, then its value (left) and gradient (right) as
   * heatmaps; one still unknown at this point of a step-through is a grey box with "?".
   * @param {NodeReport} n @param {string} label @param {number} x @param {number} y the top-left corner */
  #drawTensorNode(n, label, x, y) {
    const ctx = this.ctx;
    const o = this.overlay;
    ctx.font = "600 12px system-ui, sans-serif";
    const shape = shapeText(n.shape);
    ctx.fillText(truncate(ctx, `${label}  ${shape}`, NODE_W - 10), x + NODE_W / 2, y + 11);
    const valueKnown = !o || o.kind !== "forward" || (o.visited?.has(n.id) ?? true);
    const grad = gradText(n, o);
    const gradKnown = n.op !== "constant" && grad !== null && !grad.endsWith("?") && !grad.endsWith("…");
    const { rows, cols } = gridOf(n.shape);
    const cell = this.hover?.kind === "node" && this.hover.id === n.id ? this.hover.cell : undefined;
    [
      { x0: x + 6, known: valueKnown, which: "value", xs: n.value },
      { x0: x + NODE_W - 6 - HEAT_W, known: gradKnown, which: "grad", xs: n.grad },
    ].forEach(({ x0, known, which, xs }) => {
      const y0 = y + HEAT_TOP;
      if (!known) {
        ctx.fillStyle = T.soft;
        ctx.fillRect(x0, y0, HEAT_W, HEAT_H);
        ctx.fillStyle = T.faint;
        ctx.font = "11px system-ui, sans-serif";
        ctx.fillText(n.op === "constant" && which === "grad" ? "no grad" : "?", x0 + HEAT_W / 2, y0 + HEAT_H / 2);
        return;
      }
      const key = `${n.id}:${which}`;
      let image = this.heatmaps.get(key);
      if (!image) this.heatmaps.set(key, (image = heatmapCanvas(xs, rows, cols)));
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(image, x0, y0, HEAT_W, HEAT_H);
      ctx.strokeStyle = T.control;
      ctx.lineWidth = 0.6;
      ctx.strokeRect(x0, y0, HEAT_W, HEAT_H);
      if (cell) {
        // The hovered entry, outlined in both maps.
        ctx.strokeStyle = T.ink;
        ctx.lineWidth = 1.2;
        ctx.strokeRect(x0 + (cell.col * HEAT_W) / cols, y0 + (cell.row * HEAT_H) / rows, HEAT_W / cols, HEAT_H / rows);
      }
    });
    if (n.not_finite && valueKnown) this.#drawDomainMark(x, y);
  }

  /** An expanded group: a light box around its items, its label on a header strip that
   * collapses it when clicked. @param {number} g @param {Box} b @param {boolean} readable */
  #drawGroupBox(g, b, readable) {
    const ctx = this.ctx;
    const st = this.structure;
    if (!st) return;
    const hovered = this.hover?.kind === "group" && this.hover.group === g;
    ctx.fillStyle = "rgba(37, 99, 235, 0.035)";
    ctx.strokeStyle = hovered ? T.accent : T.groupLine;
    ctx.lineWidth = hovered ? 2 : 1;
    ctx.setLineDash([6, 4]);
    roundRectPath(ctx, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0, 10);
    ctx.fill();
    ctx.stroke();
    ctx.setLineDash([]);
    if (!readable) return;
    ctx.fillStyle = hovered ? T.accentDeep : T.groupText;
    ctx.font = "600 11px system-ui, sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    const { header, detail } = st.groups[g];
    ctx.fillText(truncate(ctx, `▾ ${header}${detail ? ` · ${detail}` : ""}`, b.x1 - b.x0 - 12), b.x0 + 8, b.y0 + GROUP_HEADER / 2 + 2);
  }

  /** A collapsed group: one box, a stack of cards, labelled by its source and its size.
   * @param {number} g @param {number} item @param {Point} pos @param {boolean} readable */
  #drawCollapsedGroup(g, item, pos, readable) {
    const ctx = this.ctx;
    const st = this.structure;
    if (!st) return;
    const x = pos.x - NODE_W / 2;
    const y = pos.y - NODE_H / 2;
    const hovered = this.hover?.kind === "group" && this.hover.group === g;
    const o = this.overlay;
    const current = o && o.current !== null && o.current !== undefined && this.itemOf[o.current] === item;
    for (const d of [6, 3]) {
      ctx.fillStyle = T.groupHead;
      ctx.strokeStyle = T.groupLine;
      ctx.lineWidth = 1;
      roundRectPath(ctx, x + d, y - d, NODE_W, NODE_H, 8);
      ctx.fill();
      ctx.stroke();
    }
    ctx.fillStyle = current ? T.groupCurrent : T.groupFill;
    ctx.strokeStyle = current ? T.accent : hovered ? T.accentDeep : T.groupStroke;
    ctx.lineWidth = current || hovered ? 2.2 : 1.4;
    roundRectPath(ctx, x, y, NODE_W, NODE_H, 8);
    ctx.fill();
    ctx.stroke();
    if (!readable) return;
    const group = st.groups[g];
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = T.groupInk;
    ctx.font = "600 11px system-ui, sans-serif";
    ctx.fillText(truncate(ctx, `▸ ${group.header}`, NODE_W - 10), pos.x, y + 13);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = T.groupText;
    const size = `${group.nodes} node${group.nodes === 1 ? "" : "s"}`;
    ctx.fillText(truncate(ctx, group.detail ? `${group.detail} · ${size}` : size, NODE_W - 10), pos.x, y + 29);
    ctx.fillText("click to expand", pos.x, y + 44);
  }

  /** An amber outline on every item that holds a node of the marked source line. */
  #drawLineMarks() {
    if (this.lineNodes.size === 0) return;
    const ctx = this.ctx;
    const items = new Set([...this.lineNodes].map((id) => this.itemOf[id]));
    ctx.save();
    ctx.strokeStyle = "#f59e0b";
    ctx.lineWidth = 3;
    for (const i of items) {
      const p = this.layout.nodes[i];
      if (!p) continue;
      roundRectPath(ctx, p.x - NODE_W / 2 - 3, p.y - NODE_H / 2 - 3, NODE_W + 6, NODE_H + 6, 10);
      ctx.stroke();
    }
    ctx.restore();
  }

  /** Nodes that appeared (a green halo) and places where nodes went away (a dashed red
   * outline), fading out. */
  #drawChanges() {
    const c = this.changes;
    if (!c) return;
    const ctx = this.ctx;
    const fade = Math.max(0, 1 - (performance.now() - c.since) / CHANGE_MS);
    if (fade === 0) return;
    ctx.save();
    ctx.globalAlpha = fade;
    ctx.lineWidth = 4;
    ctx.strokeStyle = "#16a34a";
    for (const id of c.appeared) {
      const b = this.nodeBox(id);
      if (!b) continue;
      roundRectPath(ctx, b.x0 - 5, b.y0 - 5, b.x1 - b.x0 + 10, b.y1 - b.y0 + 10, 12);
      ctx.stroke();
    }
    ctx.strokeStyle = T.bad;
    ctx.lineWidth = 2.5;
    ctx.setLineDash([6, 4]);
    for (const b of c.gone) {
      roundRectPath(ctx, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0, 8);
      ctx.stroke();
    }
    ctx.restore();
  }

  /** A red corner badge on a node whose value left the real numbers here. */
  /** @param {number} x @param {number} y the node's top-left corner */
  #drawDomainMark(x, y) {
    const ctx = this.ctx;
    ctx.fillStyle = BAD;
    ctx.beginPath();
    ctx.arc(x + NODE_W - 2, y + 2, 8, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = "#fff";
    ctx.font = "700 11px system-ui, sans-serif";
    ctx.fillText("!", x + NODE_W - 2, y + 3);
  }

  /** A node too small to read: its box, outlined like the full node, filled by its kind. */
  /** @param {NodeReport} n @param {{ x: number, y: number }} pos */
  #drawNodeBox(n, pos) {
    const ctx = this.ctx;
    const o = this.overlay;
    const current = o && o.current === n.id;
    ctx.fillStyle = current ? T.currentFill : n.op === "input" || n.op === "parameter" ? T.inputFillSmall : n.op === "constant" ? T.constFillSmall : T.nodeFill;
    ctx.strokeStyle = n.not_finite ? T.bad : current ? T.accent : T.stroke;
    ctx.lineWidth = current || n.not_finite ? 6 : 2;
    roundRectPath(ctx, pos.x - NODE_W / 2, pos.y - NODE_H / 2, NODE_W, NODE_H, 8);
    ctx.fill();
    ctx.stroke();
  }
}

/** @param {CanvasRenderingContext2D} ctx @param {string} text @param {number} width */
function truncate(ctx, text, width) {
  // A node is about 15 characters wide: measure only what could fit.
  let s = text.length > 24 ? text.slice(0, 24) : text;
  if (s === text && ctx.measureText(text).width <= width) return text;
  while (s.length > 1 && ctx.measureText(s + "…").width > width) s = s.slice(0, -1);
  return s + "…";
}
