// @ts-check
// The output plot. A classification: each class's probability over the plane as a heatmap,
// the points on top (test points hollow, the selected one ringed). A regression over the
// plane: the network's output as a heatmap on a diverging scale, the points coloured by
// their target on the same scale. A fit of y = f(x1): the points as (x1, y) and the
// network's curve through them. And what a click lands on: a point, or a place.

import { $, context2d } from "../dom.js";
import { CLASS_COLORS, css } from "./palette.js";
import { theme as T } from "../theme.js";

/** @typedef {import("../../pkg/gradscope.js").Dataset} Dataset */
/** @typedef {import("./palette.js").Rgb} Rgb */

/**
 * How the plot maps the data onto its canvas: the plane `[-extent, extent]²`, or, for a fit
 * of y = f(x1) (`curve` set), x1 across over `[-extent, extent]` and y up over `[lo, hi]`.
 * @typedef {{ extent: number, curve: null | { lo: number, hi: number } }} PlotFrame
 */

/** Cells per side of the heatmap. */
export const HEATMAP = 100;
/** Points along a fit's curve. */
export const CURVE_POINTS = 200;

const canvas = $("#plot", HTMLCanvasElement);
const discretize = $("#discretize", HTMLInputElement);

/** The frame for `data`: for a curve, y over the targets' range with a margin, and at
 * least [-1.2, 1.2] (the datasets' own range), so that the axis does not move as the
 * network learns. @param {Dataset} data @param {number} extent @param {boolean} curve
 * @returns {PlotFrame} */
export function frameOf(data, extent, curve) {
  if (!curve) return { extent, curve: null };
  const ys = data.targets ?? [];
  const lo = Math.min(-1.2, ...ys.map((y) => y - 0.1 * Math.abs(y)));
  const hi = Math.max(1.2, ...ys.map((y) => y + 0.1 * Math.abs(y)));
  return { extent, curve: { lo, hi } };
}

/**
 * What the plot painted last, to paint it again onto a figure's context (figures.js).
 * @type {{ values: ArrayLike<number>, classes: number, data: Dataset, frame: PlotFrame, selected: number | null } | null}
 */
export let lastPaint = null;

/** The plot's size in its own pixels: what a figure of it is drawn at. */
export const plotSize = () => ({ width: canvas.width, height: canvas.height });

/** Paints the plot: `values` are class 1's probability (`HEATMAP²`, top row first) for
 * two classes, each class's (`HEATMAP² × classes`) for more, the network's output per cell (`HEATMAP²`) for a
 * regression over the plane, or its output along the curve (`CURVE_POINTS`) for a fit;
 * onto the page's canvas, or onto `ctx` (a figure's, the canvas's size).
 * @param {ArrayLike<number>} values @param {number} classes 0 for a regression
 * @param {Dataset} data @param {PlotFrame} frame @param {number | null} [selected] the point to ring
 * @param {CanvasRenderingContext2D} [ctx] */
export function paintPlot(values, classes, data, frame, selected = null, ctx) {
  if (!ctx) {
    ctx = context2d(canvas);
    lastPaint = { values, classes, data, frame, selected };
  }
  if (frame.curve) paintCurve(ctx, values, data, frame);
  else paintPlane(ctx, values, classes, data, frame);
  if (selected !== null && selected < data.points.length) {
    const [x, y] = position(data, selected, frame);
    for (const [width, color] of /** @type {const} */ ([[4, T.bg], [2, T.ink]])) {
      ctx.beginPath();
      ctx.arc(x, y, 9, 0, 2 * Math.PI);
      ctx.lineWidth = width;
      ctx.strokeStyle = color;
      ctx.stroke();
    }
  }
}

/** A regression's value as a colour: orange below 0, white at 0, blue above, full at ±1
 * (or only its sign, discretised). @param {number} v @param {boolean} discrete @returns {Rgb} */
function diverging(v, discrete) {
  if (!Number.isFinite(v)) return [128, 128, 128]; // NaN: grey, never a crash
  const t = discrete ? Math.sign(v) * 0.8 : Math.max(-1, Math.min(1, v));
  const end = CLASS_COLORS[t < 0 ? 0 : 1].rgb;
  const s = Math.abs(t) * 0.8;
  return /** @type {Rgb} */ (T.bgRgb.map((w, j) => Math.round(w + (end[j] - w) * s)));
}

/** The heatmap over the plane and the points on it.
 * @param {CanvasRenderingContext2D} ctx @param {ArrayLike<number>} values @param {number} classes
 * @param {Dataset} data @param {PlotFrame} frame */
function paintPlane(ctx, values, classes, data, frame) {
  const img = ctx.createImageData(HEATMAP, HEATMAP);
  const discrete = discretize.checked;
  /** Class k's probability at cell c: two classes come as class 1's alone.
   * @param {number} c @param {number} k */
  const p = (c, k) => (classes === 2 ? (k === 1 ? values[c] : 1 - values[c]) : values[c * classes + k]);
  for (let c = 0; c < HEATMAP * HEATMAP; c++) {
    let rgb;
    if (classes === 0) {
      rgb = diverging(values[c], discrete);
    } else {
      let best = 0;
      for (let k = 1; k < classes; k++) if (p(c, k) > p(c, best)) best = k;
      // Confidence fades the colour towards white near the boundary.
      const confidence = discrete ? 1 : Math.max(0, (p(c, best) - 1 / classes) / (1 - 1 / classes));
      const strength = discrete ? 0.45 : 0.15 + 0.55 * confidence;
      rgb = CLASS_COLORS[best].rgb.map((v, j) => Math.round(T.bgRgb[j] + (v - T.bgRgb[j]) * strength));
    }
    for (let j = 0; j < 3; j++) img.data[4 * c + j] = rgb[j];
    img.data[4 * c + 3] = 255;
  }
  const off = new OffscreenCanvas(HEATMAP, HEATMAP);
  context2d(off).putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  const colorOf = (/** @type {number} */ i) =>
    css(classes === 0 ? diverging((data.targets ?? [])[i] * 1.25, false) : CLASS_COLORS[data.labels[i]].rgb);
  // A regression's points take the heatmap's colours: a dark rim keeps them apart from it.
  paintPoints(ctx, data, frame, colorOf, classes === 0 ? T.unlabelled : T.bg);
}

/** Axes, the points as (x1, y), and the network's curve through them.
 * @param {CanvasRenderingContext2D} ctx @param {ArrayLike<number>} curve @param {Dataset} data
 * @param {PlotFrame} frame */
function paintCurve(ctx, curve, data, frame) {
  const { width, height } = canvas;
  ctx.fillStyle = T.bg;
  ctx.fillRect(0, 0, width, height);
  // The axes through 0, and their names.
  ctx.strokeStyle = T.grid;
  ctx.lineWidth = 1;
  const [x0, y0] = toCanvas([0, 0], frame);
  ctx.beginPath();
  ctx.moveTo(0, y0);
  ctx.lineTo(width, y0);
  ctx.moveTo(x0, 0);
  ctx.lineTo(x0, height);
  ctx.stroke();
  ctx.fillStyle = T.muted;
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillText("x1", width - 18, y0 - 5);
  ctx.fillText("y", x0 + 5, 13);
  paintPoints(ctx, data, frame, () => css(CLASS_COLORS[1].rgb), T.bg);
  // The curve, clipped to the plot where it leaves it; a NaN breaks the line.
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, width, height);
  ctx.clip();
  ctx.beginPath();
  let drawing = false;
  const n = curve.length;
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(curve[k])) {
      drawing = false;
      continue;
    }
    const x1 = -frame.extent + (2 * frame.extent * k) / Math.max(1, n - 1);
    const [x, y] = toCanvas([x1, curve[k]], frame);
    if (drawing) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
    drawing = true;
  }
  ctx.strokeStyle = T.ink;
  ctx.lineWidth = 2.5;
  ctx.stroke();
  ctx.restore();
}

/** Train points filled, test points hollow, in `colorOf(i)`.
 * @param {CanvasRenderingContext2D} ctx @param {Dataset} data @param {PlotFrame} frame
 * @param {(i: number) => string} colorOf @param {string} rim */
function paintPoints(ctx, data, frame, colorOf, rim) {
  const testSet = new Set(data.test);
  for (let i = 0; i < data.points.length; i++) {
    const [x, y] = position(data, i, frame);
    const color = colorOf(i);
    const isTest = testSet.has(i);
    ctx.beginPath();
    ctx.arc(x, y, 4, 0, 2 * Math.PI);
    ctx.fillStyle = isTest ? T.bg : color;
    ctx.fill();
    ctx.lineWidth = isTest ? 2 : 1;
    ctx.strokeStyle = isTest ? color : rim;
    ctx.stroke();
  }
}

/** Where data point `i` is drawn, in canvas pixels: at (x1, x2), or at (x1, y) on a curve.
 * @param {Dataset} data @param {number} i @param {PlotFrame} frame @returns {[number, number]} */
function position(data, i, frame) {
  const [x1, x2] = data.points[i];
  return toCanvas(frame.curve ? [x1, (data.targets ?? [])[i]] : [x1, x2], frame);
}

/** The point a click lands on: the nearest within `radius` screen pixels, or null.
 * @param {MouseEvent} ev @param {Dataset} data @param {PlotFrame} frame @param {number} [radius] */
export function pointAt(ev, data, frame, radius = 7) {
  const r = canvas.getBoundingClientRect();
  let best = null;
  let bestD = radius * radius;
  for (let i = 0; i < data.points.length; i++) {
    const [cx, cy] = position(data, i, frame);
    const dx = r.left + (cx / canvas.width) * r.width - ev.clientX;
    const dy = r.top + (cy / canvas.height) * r.height - ev.clientY;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

/** A place of the plot in canvas pixels: `(x1, x2)` of the plane, or `(x1, y)` of a curve.
 * @param {[number, number]} place @param {PlotFrame} frame @returns {[number, number]} */
function toCanvas([x, y], { extent, curve }) {
  const [lo, hi] = curve ? [curve.lo, curve.hi] : [-extent, extent];
  return [((x + extent) / (2 * extent)) * canvas.width, ((hi - y) / (hi - lo)) * canvas.height];
}

/** Where a mouse event on the plot is: the point of the plane, or on a curve the point
 * `(x1, 0)` and the height `y` there (what a click adds to a fit).
 * @param {MouseEvent} ev @param {PlotFrame} frame @returns {{ point: [number, number], y: number }} */
export function placeAt(ev, { extent, curve }) {
  const r = canvas.getBoundingClientRect();
  const x1 = ((ev.clientX - r.left) / r.width) * 2 * extent - extent;
  const [lo, hi] = curve ? [curve.lo, curve.hi] : [-extent, extent];
  const up = hi - ((ev.clientY - r.top) / r.height) * (hi - lo);
  return curve ? { point: [x1, 0], y: up } : { point: [x1, up], y: NaN };
}
