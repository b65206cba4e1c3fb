// @ts-check
// The computation graph on a canvas: nodes from the engine's layout, edges coloured by the
// magnitude of the gradient that flowed along them (log scale), pan, zoom and hover.
//
// The view draws what it is given and computes no derivatives: values, gradients, local
// derivatives and edge gradients all come from the engine's node report.

import { context2d } from "./dom.js";
import { fmt } from "./format.js";
import { LogScale, NAN_COLOR } from "./colors.js";
import { gradText } from "./stepper.js";
import { nodeSymbol } from "./ops.js";
import { brief, isTensor, magnitude } from "./tensor.js";

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
 */
/** @typedef {{ kind: "node", id: number } | { kind: "edge", index: number }} Hit */

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
    this.view = { scale: 1, tx: 0, ty: 0 };
    this.colorScale = new LogScale([]);
    /** Called with what the pointer is over, and the event. @type {(hit: Hit | null, ev: PointerEvent | null) => void} */
    this.onHover = () => {};
    /** Called when the colour scale changes, for the legend. @type {(scale: LogScale) => void} */
    this.onScale = () => {};
    /** Called with the node clicked (a pointerup without drag), or null off the nodes. @type {(id: number | null) => void} */
    this.onSelect = () => {};
    this.#listen();
    new ResizeObserver(() => this.#resize()).observe(canvas);
    this.#resize();
  }

  /** A new graph structure (new expression): replaces everything and fits it to the view.
   * @param {Evaluation} evaluation @param {Layout} layout */
  setGraph(evaluation, layout) {
    this.layout = layout;
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
      return { from: e.from, to: e.to, index: i, which: 0, segments, polyline: null, box: { x0, y0, x1, y1 }, label: null, local: null, flowed: 0 };
    });
    this.#placeLabels();
    this.hover = null;
    this.setValues(evaluation, { draw: false });
    this.fit();
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
    // Edges come in the layout in node order, input order: match them to the report's edges.
    let k = 0;
    for (const node of this.nodes) {
      node.edges.forEach((e, which) => {
        const edge = this.edges[k++];
        if (edge) {
          edge.which = which;
          // One number per edge: a tensor's edge carries the norm of its gradient (and
          // forward mode, scalar only, needs no local derivative of it).
          const shape = this.nodes[e.from].shape;
          edge.local = e.local && !isTensor(shape) ? e.local[0] : null;
          edge.flowed = magnitude(e.flowed, shape);
        }
      });
    }
    this.#rescale();
    if (draw) this.draw();
  }

  /** Step-through or forward-mode state drawn on top (or null for the plain view).
   * @param {Overlay | null} overlay */
  setOverlay(overlay) {
    if (overlay === null && this.overlay === null) return;
    this.overlay = overlay;
    this.#rescale();
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
    return this.nodes[edge.from].op === "constant";
  }

  /** What the edge carries under the overlay: a gradient, or in forward mode a tangent.
   * @param {Edge} edge */
  #edgeQuantity(edge) {
    const o = this.overlay;
    if (o && o.kind === "tangent" && o.tangents) {
      // Forward mode: what flows forward along an edge is local × tangent of its source; a
      // constant has no tangent, so nothing flows from it.
      if (this.nodes[edge.from].op === "constant") return 0;
      return edge.local === null ? o.tangents[edge.to] : edge.local * o.tangents[edge.from];
    }
    return edge.flowed;
  }

  #rescale() {
    this.colorScale = new LogScale(this.edges.map((e) => this.#edgeQuantity(e)));
    this.onScale(this.colorScale);
  }

  fit() {
    if (!this.layout.nodes.length) return;
    const { width, height } = this.#cssSize();
    const pad = 24;
    const w = Math.max(this.layout.width, NODE_W + 40);
    const h = Math.max(this.layout.height, NODE_H + 20);
    // The whole graph, however small that makes it: below a readable zoom the nodes are
    // drawn as coloured boxes, and wheel or step-through zooms in where it matters.
    const scale = Math.min((width - 2 * pad) / w, (height - 2 * pad) / h, 1.6);
    this.view.scale = scale;
    this.view.tx = (width - w * scale) / 2;
    this.view.ty = (height - h * scale) / 2;
    this.draw();
  }

  /** Pans (and zooms in to a readable size if needed) so node `id` is on screen, with
   * room around it: the step-through's current node never leaves the view.
   * @param {number | null | undefined} id */
  follow(id) {
    if (id === null || id === undefined || !this.layout.nodes[id]) return;
    const n = this.layout.nodes[id];
    const { width, height } = this.#cssSize();
    const margin = 30;
    if (this.view.scale < READABLE) {
      this.view.scale = Math.min(0.8, Math.max(READABLE, Math.min(width, height) / (6 * NODE_W)));
      this.view.tx = width / 2 - n.x * this.view.scale;
      this.view.ty = height / 2 - n.y * this.view.scale;
    } else {
      const r = this.nodeScreenRect(id);
      if (r.x0 >= margin && r.y0 >= margin && r.x1 <= width - margin && r.y1 <= height - margin) return;
      this.view.tx = width / 2 - n.x * this.view.scale;
      this.view.ty = height / 2 - n.y * this.view.scale;
    }
    this.draw();
  }

  /** Node `id`'s box in canvas (CSS pixel) coordinates. @param {number} id @returns {Box} */
  nodeScreenRect(id) {
    const n = this.layout.nodes[id];
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
    this.draw();
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
    c.addEventListener("pointerdown", (ev) => {
      drag = { x: ev.clientX, y: ev.clientY, tx: this.view.tx, ty: this.view.ty, moved: false };
      c.setPointerCapture(ev.pointerId);
    });
    c.addEventListener("pointermove", (ev) => {
      if (drag && (ev.buttons & 1)) {
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
    c.addEventListener("pointerup", (ev) => {
      // A tap without dragging selects, for touch screens without hover.
      if (drag && !drag.moved) this.#updateHover(ev);
      if (drag && !drag.moved) {
        const hit = this.hitTest(this.#toWorld(ev.clientX, ev.clientY));
        this.onSelect(hit && hit.kind === "node" ? hit.id : null);
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
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.layout.nodes[i];
      if (Math.abs(p.x - n.x) <= NODE_W / 2 && Math.abs(p.y - n.y) <= NODE_H / 2) {
        return { kind: "node", id: i };
      }
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

  // ---- drawing ------------------------------------------------------------------------------

  draw() {
    const ctx = this.ctx;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.layout.nodes.length) return;
    ctx.setTransform(dpr * this.view.scale, 0, 0, dpr * this.view.scale, dpr * this.view.tx, dpr * this.view.ty);
    ctx.globalAlpha = this.dimmed ? 0.35 : 1;
    for (const e of this.edges) this.#drawEdge(e);
    const readable = this.view.scale >= READABLE;
    this.nodes.forEach((n, i) => (readable ? this.#drawNode(n, this.layout.nodes[i]) : this.#drawNodeBox(n, this.layout.nodes[i])));
    for (const e of this.edges) if (this.#labelled(e)) this.#drawEdgeLabel(e);
    ctx.globalAlpha = 1;
  }

  /** Whether the edge's number is drawn: on graphs small enough to read, at a readable
   * zoom, where there is room, and only for what is known and flows.
   * @param {Edge} e */
  #labelled(e) {
    return this.nodes.length <= MAX_LABELLED_NODES && this.view.scale > 0.55 && e.label !== null && !this.#fromConstant(e) && this.#edgeShown(e);
  }

  /** Whether an edge's gradient is known at this point of a step-through. @param {Edge} e */
  #edgeShown(e) {
    const o = this.overlay;
    if (!o) return true;
    if (o.kind === "tangent") return !o.visited || o.visited.has(e.to);
    if (o.kind === "forward") return false;
    return o.visited?.has(e.to) ?? true;
  }

  /** @param {Edge} e */
  #drawEdge(e) {
    const ctx = this.ctx;
    const q = this.#edgeQuantity(e);
    const shown = this.#edgeShown(e) && !this.#fromConstant(e);
    const hovered = this.hover && this.hover.kind === "edge" && this.hover.index === e.index;
    const current = this.overlay && this.overlay.current === e.to && this.overlay.kind !== "forward";
    const t = shown ? this.colorScale.position(q) : null;
    ctx.strokeStyle = shown ? this.colorScale.color(q) : "#d5d9e0";
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
    ctx.fillStyle = "rgba(255,255,255,0.9)";
    ctx.fillRect(m.x - w / 2, m.y - 7, w, 13);
    ctx.fillStyle = "#5b6270";
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
    const fill = n.op === "input" || n.op === "parameter" ? "#e3efff" : n.op === "constant" ? "#f1f2f4" : "#ffffff";

    if (current) {
      ctx.fillStyle = "rgba(37, 99, 235, 0.18)";
      roundRect(ctx, x - 6, y - 6, NODE_W + 12, NODE_H + 12, 12);
      ctx.fill();
    }
    ctx.fillStyle = fill;
    ctx.strokeStyle = current ? "#2563eb" : hovered ? "#1f2937" : n.not_finite ? BAD : isRoot ? "#111827" : "#9aa3b2";
    ctx.lineWidth = current || isRoot || hovered ? 2.2 : 1.2;
    roundRect(ctx, x, y, NODE_W, NODE_H, 8);
    ctx.fill();
    ctx.stroke();

    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    const label = n.op === "input" || n.op === "parameter" || n.op === "constant" ? n.label : nodeSymbol(n.op);
    ctx.fillStyle = "#111827";
    ctx.font = "600 13px system-ui, sans-serif";
    ctx.fillText(truncate(ctx, label, NODE_W - 10), pos.x, y + 13);

    ctx.font = "11px ui-monospace, SFMono-Regular, Menlo, monospace";
    const valueKnown = !o || o.kind !== "forward" || (o.visited?.has(n.id) ?? true);
    ctx.fillStyle = valueKnown && n.not_finite ? BAD : "#374151";
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
      ctx.fillStyle = n.op === "constant" ? "#8a919e" : colorOf !== undefined && Number.isNaN(colorOf) ? NAN_COLOR : "#9a3412";
      if (n.op === "constant") ctx.font = "italic 11px system-ui, sans-serif";
      ctx.fillText(truncate(ctx, text, NODE_W - 24), pos.x + 4, y + 43);
    }
    if (n.not_finite && valueKnown) this.#drawDomainMark(x, y);
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
    ctx.fillStyle = current ? "#bfd3fb" : n.op === "input" || n.op === "parameter" ? "#cfe0fa" : n.op === "constant" ? "#e6e8ec" : "#ffffff";
    ctx.strokeStyle = n.not_finite ? BAD : current ? "#2563eb" : "#9aa3b2";
    ctx.lineWidth = current || n.not_finite ? 6 : 2;
    roundRect(ctx, pos.x - NODE_W / 2, pos.y - NODE_H / 2, NODE_W, NODE_H, 8);
    ctx.fill();
    ctx.stroke();
  }
}

/** @param {CanvasRenderingContext2D} ctx @param {number} x @param {number} y
 * @param {number} w @param {number} h @param {number} r */
function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

/** @param {CanvasRenderingContext2D} ctx @param {string} text @param {number} width */
function truncate(ctx, text, width) {
  // A node is about 15 characters wide: measure only what could fit.
  let s = text.length > 24 ? text.slice(0, 24) : text;
  if (s === text && ctx.measureText(text).width <= width) return text;
  while (s.length > 1 && ctx.measureText(s + "…").width > width) s = s.slice(0, -1);
  return s + "…";
}
