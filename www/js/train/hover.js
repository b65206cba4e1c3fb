// @ts-check
// Hovering the network view: what the pointer is over (a neuron, or the nearest edge within
// a few pixels: edges are thin), that drawn darker on a layer of its own, and a tooltip by
// the pointer with its numbers (explain.js). The numbers are read from the trainer when
// the pointer moves to something else, and again after each render: while training, a few
// times a second.

import { $, context2d, el } from "../dom.js";
import { explain } from "./explain.js";
import { featureLabel } from "./rules.js";
import { theme as T } from "../theme.js";

/** @typedef {import("./state.js").State} State */
/** @typedef {import("./network.js").Geometry} Geometry */
/** @typedef {import("./explain.js").Target} Target */
/** @typedef {import("./explain.js").Facts} Facts */

/**
 * The hover's state, in the page's state object.
 * @typedef {object} Hover
 * @property {Geometry | null} geometry where the network was last drawn
 * @property {{ x: number, y: number } | null} pointer where the pointer is over the view, in client pixels; null when it is not
 * @property {Target | null} target what the tooltip shows
 * @property {Reading | null} reading the trainer's numbers the tooltip was made from, until the next render
 * @property {number} readAt when they were read (performance.now)
 * @property {Keyed | null} keys the keyboard's neuron (and weight into it), while the keys
 *   and not the pointer lead
 */
/**
 * The keyboard's place in the network view: neuron `index` of column `column`, and with
 * `from` set, the weight into it from neuron `from` of the column before.
 * @typedef {{ column: number, index: number, from: number | null }} Keyed
 */

/** What was read from the trainer for the tooltip: the weights and updates at once, the
 * network at a point when a neuron asks for it.
 * @typedef {Omit<Facts, "at" | "point" | "inputLabels"> & { trainer: import("../../pkg/gradscope.js").Trainer, at: Map<number, import("../../pkg/gradscope.js").Activations | null> }} Reading */

const EDGE_REACH = 4; // px from an edge that still pick it out
const NEURON_MARGIN = 2; // px around a neuron's square that still count as on it
const REFRESH_MS = 250; // while training, the numbers are read again this often
const GAP = 14; // px between the pointer and the tooltip

const canvas = $("#network", HTMLCanvasElement);
const overlay = $("#network-hover", HTMLCanvasElement);
const tip = $("#network-tip");

/** @returns {Hover} */
export const newHover = () => ({ geometry: null, pointer: null, target: null, reading: null, readAt: -Infinity, keys: null });

/** Follows the pointer over the network view. @param {State} state */
export function wireHover(state) {
  const hover = state.hover;
  /** @param {PointerEvent} ev */
  const follow = (ev) => {
    hover.pointer = { x: ev.clientX, y: ev.clientY };
    hover.keys = null; // the pointer leads again
    show(state, false);
  };
  canvas.addEventListener("pointermove", follow);
  // A tap shows it too, on screens without hover; it stays until a tap elsewhere.
  canvas.addEventListener("pointerdown", follow);
  canvas.addEventListener("pointerleave", (ev) => {
    if (ev.pointerType !== "touch") hide(hover);
  });
  document.addEventListener("pointerdown", (ev) => {
    if (ev.target !== canvas) hide(hover);
  });
  // Scrolling moves the network from under a still pointer: the tooltip would be of where
  // it was. The keyboard's tooltip goes with its neuron.
  window.addEventListener("scroll", () => (hover.keys ? show(state, false) : hide(hover)), { passive: true });
  wireKeys(state);
}

/**
 * The network view by keyboard: Tab to it, and the arrow keys move among the neurons (↑/↓
 * in a column, ←/→ across them: the inputs, then each layer), the tooltip showing what
 * hovering would, by the neuron, and said in a polite live region. Enter goes to the
 * weights into the neuron (↑/↓ among them), Escape back to the neuron.
 * @param {State} state
 */
function wireKeys(state) {
  const hover = state.hover;
  const said = $("#network-said");
  canvas.addEventListener("focus", () => {
    if (!canvas.matches(":focus-visible")) return; // a click: the pointer leads
    hover.keys ??= { column: 0, index: 0, from: null };
    show(state, false);
    say();
  });
  canvas.addEventListener("blur", () => {
    if (hover.keys) hide(hover);
  });
  canvas.addEventListener("keydown", (ev) => {
    const g = hover.geometry;
    if (!g || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const k = (hover.keys ??= { column: 0, index: 0, from: null });
    const before = JSON.stringify(k);
    const last = g.columns.length - 1;
    switch (ev.key) {
      case "ArrowUp":
      case "ArrowDown": {
        const by = ev.key === "ArrowUp" ? -1 : 1;
        if (k.from !== null) k.from = clamp(k.from + by, g.columns[k.column - 1].ys.length);
        else k.index = clamp(k.index + by, g.columns[k.column].ys.length);
        break;
      }
      case "ArrowLeft":
      case "ArrowRight":
        k.from = null;
        k.column = Math.max(0, Math.min(last, k.column + (ev.key === "ArrowLeft" ? -1 : 1)));
        k.index = clamp(k.index, g.columns[k.column].ys.length);
        break;
      case "Enter":
        if (k.column > 0 && k.from === null) k.from = 0;
        break;
      case "Escape":
        if (k.from === null) return; // the page's own Escape (the selected point)
        k.from = null;
        break;
      case "Home":
        Object.assign(k, { column: 0, index: 0, from: null });
        break;
      case "End":
        Object.assign(k, { column: last, index: 0, from: null });
        break;
      default:
        return;
    }
    ev.preventDefault();
    show(state, false);
    if (JSON.stringify(k) !== before || ev.key === "Enter") say();
  });
  /** The tooltip's lines, in the live region. */
  function say() {
    said.textContent = tip.hidden ? "" : [...tip.children].map((d) => d.textContent).filter(Boolean).join("; ");
  }
}

/** `i` kept within `0 .. n − 1`. @param {number} i @param {number} n */
const clamp = (i, n) => Math.max(0, Math.min(n - 1, i));

/** The keyboard's target, kept inside the network as drawn now (it may have changed shape),
 * and where its tooltip goes (client pixels). @param {Hover} hover */
function keyedTarget(hover) {
  const g = hover.geometry;
  const k = hover.keys;
  if (!g || !k || !g.columns.length) return null;
  k.column = Math.min(k.column, g.columns.length - 1);
  k.index = clamp(k.index, g.columns[k.column].ys.length);
  if (k.from !== null) k.from = k.column > 0 ? clamp(k.from, g.columns[k.column - 1].ys.length) : null;
  const r = canvas.getBoundingClientRect();
  const s = g.size;
  const to = { x: r.left + g.columns[k.column].x, y: r.top + g.columns[k.column].ys[k.index] + s / 2 };
  if (k.from === null) {
    return { target: /** @type {Target} */ ({ kind: "neuron", column: k.column, index: k.index }), at: { x: to.x + s, y: to.y + s / 2 } };
  }
  const prev = g.columns[k.column - 1];
  const from = { x: r.left + prev.x + s, y: r.top + prev.ys[k.from] + s / 2 };
  return {
    target: /** @type {Target} */ ({ kind: "edge", layer: k.column - 1, from: k.from, to: k.index }),
    at: { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 },
  };
}

/** After a render: the tooltip's numbers read again (while training, a few times a second)
 * and what is under the pointer found again, the network having perhaps changed shape.
 * @param {State} state */
export function refreshHover(state) {
  const hover = state.hover;
  const led = hover.pointer || (hover.keys && document.activeElement === canvas);
  if (led && state.loop.playing && performance.now() - hover.readAt < REFRESH_MS) return;
  hover.reading = null; // of an earlier step, or an earlier network
  if (led) show(state, true);
}

/** The tooltip for what is under the pointer; its numbers read anew if `fresh`, or if it is
 * over something new and they are not read since the last render. @param {State} state @param {boolean} fresh */
function show(state, fresh) {
  const { hover, run } = state;
  const keyed = hover.keys && document.activeElement === canvas ? keyedTarget(hover) : null;
  const at = hover.pointer && hover.geometry && run ? local(hover.pointer) : null;
  const target = keyed ? keyed.target : at && hover.geometry ? targetAt(hover.geometry, at.x, at.y) : null;
  const where = keyed ? keyed.at : hover.pointer;
  if (!run || !target || !where) {
    hidden(hover);
    return;
  }
  if (!fresh && !tip.hidden && hover.target && sameTarget(hover.target, target)) {
    place(where);
    return;
  }
  hover.target = target;
  const lines = linesFor(state, target);
  tip.replaceChildren(...lines.map((text, k) => el("div", { textContent: text, className: k === 0 ? "title" : text === "" ? "gap" : "" })));
  tip.dataset.target = target.kind === "edge" ? `edge ${target.layer} ${target.from} ${target.to}` : `neuron ${target.column} ${target.index}`;
  tip.dataset.step = String(run.trainer.steps);
  tip.hidden = false;
  place(where);
  highlight(hover.geometry, target);
}

/** The tooltip's lines, from what was read since the last render, or read now; nothing
 * the trainer throws escapes (the tooltip says it instead). @param {State} state @param {Target} target */
function linesFor(state, target) {
  const run = /** @type {import("./state.js").Run} */ (state.run);
  const hover = state.hover;
  try {
    if (!hover.reading || hover.reading.trainer !== run.trainer) {
      const trainer = run.trainer;
      hover.reading = { trainer, layers: trainer.layers(), updates: trainer.updatePreview(), config: trainer.config, step: trainer.steps, at: new Map() };
      hover.readAt = performance.now();
    }
    const reading = hover.reading;
    const point = run.selected !== null && run.selected < run.data.points.length ? run.selected : null;
    // The network at the point only for a neuron: an input or a weight does not need it.
    let at = null;
    if (point !== null && target.kind === "neuron") {
      if (!reading.at.has(point)) reading.at.set(point, run.trainer.activationsAt(point));
      at = reading.at.get(point) ?? null;
    }
    const inputLabels = reading.config.features.map((f) => featureLabel(state.rules, f));
    const lines = explain(target, { ...reading, at, point: at ? point : null, inputLabels });
    if (state.loop.playing) lines.push(`step ${reading.step}: read a few times a second while training`);
    return lines;
  } catch (e) {
    return ["The numbers could not be read", String(e instanceof Error ? e.message : e)];
  }
}

/** @param {Target} a @param {Target} b */
function sameTarget(a, b) {
  if (a.kind === "edge" && b.kind === "edge") return a.layer === b.layer && a.from === b.from && a.to === b.to;
  if (a.kind === "neuron" && b.kind === "neuron") return a.column === b.column && a.index === b.index;
  return false;
}

/** The pointer left: nothing shown, nothing followed. @param {Hover} hover */
function hide(hover) {
  hover.pointer = null;
  hover.keys = null;
  hidden(hover);
}

/** @param {Hover} hover */
function hidden(hover) {
  if (tip.hidden && !hover.target) return;
  hover.target = null;
  tip.hidden = true;
  delete tip.dataset.target;
  highlight(null, null);
}

/** A client position in the canvas's CSS pixels. @param {{ x: number, y: number }} p */
function local(p) {
  const r = canvas.getBoundingClientRect();
  return { x: p.x - r.left, y: p.y - r.top };
}

/** Where the tooltip goes: below and right of the pointer, flipped to the other side where
 * the viewport ends, inside it, never under the pointer. @param {{ x: number, y: number }} p */
function place(p) {
  const vw = document.documentElement.clientWidth;
  const vh = document.documentElement.clientHeight;
  const [w, h] = [tip.offsetWidth, tip.offsetHeight];
  /** Beyond the pointer by GAP on the side with room (the larger side, if neither has). */
  const side = (/** @type {number} */ at, /** @type {number} */ size, /** @type {number} */ room) => {
    if (at + GAP + size <= room - 4) return at + GAP;
    if (at - GAP - size >= 4) return at - GAP - size;
    return at > room / 2 ? Math.max(4, at - GAP - size) : at + GAP;
  };
  let left = side(p.x, w, vw);
  const top = side(p.y, h, vh);
  // Too wide for either side: over the pointer's column, but then it is above or below it.
  if (left + w > vw - 4) left = Math.max(4, vw - 4 - w);
  tip.style.left = `${left}px`;
  tip.style.top = `${top}px`;
}

/**
 * What is at (x, y) in the canvas's CSS pixels: a neuron if on (or just around) its square,
 * else the edge nearest within `EDGE_REACH`, else null.
 * @param {Geometry} g @param {number} x @param {number} y @returns {Target | null}
 */
export function targetAt(g, x, y) {
  const s = g.size;
  for (let c = 0; c < g.columns.length; c++) {
    const col = g.columns[c];
    if (x < col.x - NEURON_MARGIN || x > col.x + s + NEURON_MARGIN) continue;
    const i = col.ys.findIndex((top) => y >= top - NEURON_MARGIN && y <= top + s + NEURON_MARGIN);
    if (i >= 0) return { kind: "neuron", column: c, index: i };
  }
  const near = nearestEdges(g, x, y);
  return near.best && near.distance <= EDGE_REACH ? near.best : null;
}

/**
 * The edge nearest to (x, y), its distance, and the distance of the next nearest (how
 * clearly it is picked out). Only the layer whose gap between columns holds x has edges there.
 * @param {Geometry} g @param {number} x @param {number} y
 * @returns {{ best: Target | null, distance: number, runnerUp: number }}
 */
function nearestEdges(g, x, y) {
  /** @type {Target | null} */
  let best = null;
  let [distance, runnerUp] = [Infinity, Infinity];
  const s = g.size;
  for (let l = 0; l + 1 < g.columns.length; l++) {
    const [a, b] = [g.columns[l], g.columns[l + 1]];
    const [x0, x1] = [a.x + s, b.x];
    if (x < x0 - EDGE_REACH || x > x1 + EDGE_REACH) continue;
    a.ys.forEach((ya, i) => {
      b.ys.forEach((yb, j) => {
        const d = segmentDistance(x, y, x0, ya + s / 2, x1, yb + s / 2);
        if (d < distance) {
          [runnerUp, distance] = [distance, d];
          best = { kind: "edge", layer: l, from: i, to: j };
        } else if (d < runnerUp) {
          runnerUp = d;
        }
      });
    });
  }
  return { best, distance, runnerUp };
}

/** The distance from (px, py) to the segment from (ax, ay) to (bx, by).
 * @param {number} px @param {number} py @param {number} ax @param {number} ay @param {number} bx @param {number} by */
function segmentDistance(px, py, ax, ay, bx, by) {
  const [dx, dy] = [bx - ax, by - ay];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** What the pointer is over, drawn on the layer above the network: a weight's edge, thick
 * and dark, with its two neurons; a neuron with its incoming edges, the terms of its sum.
 * @param {Geometry | null} g @param {Target | null} target */
function highlight(g, target) {
  const dpr = window.devicePixelRatio || 1;
  const [W, H] = [canvas.clientWidth, canvas.clientHeight];
  if (overlay.width !== Math.round(W * dpr) || overlay.height !== Math.round(H * dpr)) {
    overlay.width = Math.round(W * dpr);
    overlay.height = Math.round(H * dpr);
  }
  const ctx = context2d(overlay);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  if (!g || !target) return;
  const s = g.size;
  /** @param {number} l @param {number} i @param {number} j @param {number} width */
  const edge = (l, i, j, width) => {
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(g.columns[l].x + s, g.columns[l].ys[i] + s / 2);
    ctx.lineTo(g.columns[l + 1].x, g.columns[l + 1].ys[j] + s / 2);
    ctx.stroke();
  };
  /** @param {number} c @param {number} i */
  const box = (c, i) => ctx.strokeRect(g.columns[c].x - 2, g.columns[c].ys[i] - 2, s + 4, s + 4);
  ctx.strokeStyle = T.ink;
  if (target.kind === "edge") {
    if (!g.columns[target.layer + 1]) return;
    edge(target.layer, target.from, target.to, 3);
    ctx.lineWidth = 2;
    box(target.layer, target.from);
    box(target.layer + 1, target.to);
    return;
  }
  const c = target.column;
  if (c > 0) {
    ctx.globalAlpha = 0.45;
    g.columns[c - 1].ys.forEach((_, i) => edge(c - 1, i, target.index, 1.5));
    ctx.globalAlpha = 1;
  }
  ctx.lineWidth = 2;
  box(c, target.index);
}

/** The centre of neuron `i` of column `c` (0: the inputs) in client pixels, for the page
 * tests; null if there is none. @param {State} state @param {number} c @param {number} i */
export function neuronSpot(state, c, i) {
  const g = state.hover.geometry;
  const top = g?.columns[c]?.ys[i];
  if (!g || top === undefined) return null;
  const r = canvas.getBoundingClientRect();
  return { x: r.left + g.columns[c].x + g.size / 2, y: r.top + top + g.size / 2 };
}

/** A point of the edge of layer `l`'s weight from input `i` to neuron `j` (from 0) where
 * the pointer picks out that edge most clearly, in client pixels, for the page tests; null
 * if none does. @param {State} state @param {number} l @param {number} i @param {number} j */
export function edgeSpot(state, l, i, j) {
  const g = state.hover.geometry;
  if (!g || !g.columns[l + 1] || g.columns[l].ys[i] === undefined || g.columns[l + 1].ys[j] === undefined) return null;
  const s = g.size;
  const [x0, y0] = [g.columns[l].x + s, g.columns[l].ys[i] + s / 2];
  const [x1, y1] = [g.columns[l + 1].x, g.columns[l + 1].ys[j] + s / 2];
  let best = null;
  let margin = 0;
  for (let k = 1; k < 40; k++) {
    const [x, y] = [x0 + ((x1 - x0) * k) / 40, y0 + ((y1 - y0) * k) / 40];
    const near = nearestEdges(g, x, y);
    const t = targetAt(g, x, y);
    if (!t || t.kind !== "edge" || t.layer !== l || t.from !== i || t.to !== j) continue;
    if (near.runnerUp > margin) [best, margin] = [{ x, y }, near.runnerUp];
  }
  if (!best) return null;
  const r = canvas.getBoundingClientRect();
  return { x: r.left + best.x, y: r.top + best.y };
}
