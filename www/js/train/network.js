// @ts-check
// The network view: one column per layer, each input and neuron drawn as a small heatmap
// of its value over the plane, edges coloured by the gradient that flowed through their
// weight in the last step (or by the weight's sign), thickness by |w|; and its legend.

import { LogScale } from "../colors.js";
import { $, context2d } from "../dom.js";
import { fmt } from "../format.js";
import { CLASS_COLORS } from "./palette.js";
import { theme as T } from "../theme.js";

const LABEL_FONT = "11px system-ui"; // the input labels

/** @typedef {import("../../pkg/gradscope.js").Trainer} Trainer */
/**
 * Where the network was drawn, in CSS pixels of the canvas, for finding what the pointer is
 * over: per column (0: the inputs, then one per layer) its left edge and each neuron's top
 * edge; a neuron is a square `size` on a side, and the edge of `W[i, j]` runs from the
 * middle of input i's right side to the middle of neuron j's left side.
 * @typedef {{ size: number, columns: { x: number, ys: number[] }[] }} Geometry
 */

/** Cells per side of each input's and neuron's heatmap. */
const THUMB = 20;
// A value's sign in the thumbnails: the class colours, blue for positive, orange for negative.
const [NEGATIVE, POSITIVE] = [CLASS_COLORS[0].rgb, CLASS_COLORS[1].rgb];
// A weight's sign on the edges, and in the legend.
const WEIGHT_POSITIVE = "rgba(37,99,235,0.8)";
const WEIGHT_NEGATIVE = "rgba(234,88,12,0.8)";

const canvas = $("#network", HTMLCanvasElement);
const byWeightBox = $("#color-by-weight", HTMLInputElement);
const legend = {
  label: $("#net-legend-label"),
  bar: $("#net-legend-bar"),
  lo: $("#net-legend-lo"),
  hi: $("#net-legend-hi"),
};

/** The view's size in CSS pixels (what a figure of it is drawn at). */
export const networkSize = () => ({ width: canvas.clientWidth || 500, height: canvas.clientHeight || 340 });

/** What the edges' colours mean: the gradient's (or weight's) log scale, and whether
 * they are coloured by the weight's sign instead.
 * @param {import("../../pkg/gradscope.js").LayerState[]} layers @param {boolean} [byWeight] */
export function edgeScale(layers, byWeight = byWeightBox.checked) {
  return { scale: new LogScale(layers.flatMap((l) => (byWeight ? l.w : l.w_grad)), 6), byWeight };
}

/** Draws `trainer`'s network; `inputLabels` names its inputs ("x1²"); the neurons listed
 * in `dead` (per hidden layer) are crossed out; `layers`, the trainer's, if already read;
 * onto the page's canvas, or onto `target` (a figure's context and the size to fill).
 * Returns where it drew each neuron.
 * @param {Trainer} trainer @param {string[]} inputLabels @param {number[][]} [dead]
 * @param {import("../../pkg/gradscope.js").LayerState[]} [layers]
 * @param {{ ctx: CanvasRenderingContext2D, width: number, height: number }} [target] @returns {Geometry} */
export function drawNetwork(trainer, inputLabels, dead = [], layers = trainer.layers(), target) {
  let ctx, W, H;
  if (target) ({ ctx, width: W, height: H } = target);
  else {
    const dpr = window.devicePixelRatio || 1;
    W = canvas.clientWidth;
    H = canvas.clientHeight;
    if (canvas.width !== Math.round(W * dpr) || canvas.height !== Math.round(H * dpr)) {
      canvas.width = Math.round(W * dpr);
      canvas.height = Math.round(H * dpr);
    }
    ctx = context2d(canvas);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
  }
  const neurons = trainer.neurons(THUMB);
  const inputs = trainer.features(THUMB);
  const widths = [layers[0].inputs, ...layers.map((l) => l.outputs)];
  const size = Math.max(4, Math.min(36, (H - 10) / Math.max(...widths) - 6));
  // The input column leaves room for its longest label ("sin x1"), so none is cut off.
  ctx.font = LABEL_FONT;
  const left = Math.max(30, 8 + Math.max(0, ...inputLabels.map((t) => ctx.measureText(t).width)));
  /** Left edge of column `c`. @param {number} c */
  const colX = (c) => left + (c * (W - left - 30 - size)) / Math.max(1, widths.length - 1);
  /** Top edge of neuron `i` of column `c`, the column centred vertically. @param {number} c @param {number} i */
  const rowY = (c, i) => H / 2 + (i - (widths[c] - 1) / 2) * (size + 6) - size / 2;

  const { scale, byWeight } = edgeScale(layers);
  const wmax = Math.max(1e-9, ...layers.flatMap((l) => l.w.map(Math.abs)));
  if (!target) showLegend(scale, byWeight);
  layers.forEach((l, li) => {
    const quantity = byWeight ? l.w : l.w_grad;
    // Between wide layers thousands of edges overlap: there they are drawn thinner and
    // translucent, the largest quantities last, so that where the gradient flows still
    // shows. Up to ~200 edges nothing changes.
    const dense = Math.min(1, Math.sqrt(200 / quantity.length));
    const order = Array.from(quantity.keys()).sort((a, b) => Math.abs(quantity[a]) - Math.abs(quantity[b]));
    ctx.globalAlpha = dense;
    for (const k of order) {
      const [i, j] = [Math.floor(k / l.outputs), k % l.outputs];
      ctx.strokeStyle = byWeight ? (l.w[k] >= 0 ? WEIGHT_POSITIVE : WEIGHT_NEGATIVE) : scale.color(quantity[k]);
      ctx.lineWidth = (0.5 + (3.5 * Math.abs(l.w[k])) / wmax) * Math.sqrt(dense);
      ctx.beginPath();
      ctx.moveTo(colX(li) + size, rowY(li, i) + size / 2);
      ctx.lineTo(colX(li + 1), rowY(li + 1, j) + size / 2);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  });
  // Inputs show their feature over the plane; neurons show their output.
  widths.forEach((w, c) => {
    for (let i = 0; i < w; i++) {
      drawThumb(ctx, column(c === 0 ? inputs : neurons.layers[c - 1], w, i), colX(c), rowY(c, i), size);
      if (c > 0 && dead[c - 1]?.includes(i)) drawDead(ctx, colX(c), rowY(c, i), size);
      if (c === 0) {
        ctx.fillStyle = T.ink2;
        ctx.font = LABEL_FONT;
        ctx.textAlign = "right";
        ctx.fillText(inputLabels[i] ?? "", colX(0) - 4, rowY(0, i) + size / 2 + 4);
      }
    }
  });
  return { size, columns: widths.map((w, c) => ({ x: colX(c), ys: Array.from({ length: w }, (_, i) => rowY(c, i)) })) };
}

/** Column `i` of a row-major matrix with `width` columns.
 * @param {ArrayLike<number>} matrix @param {number} width @param {number} i */
function column(matrix, width, i) {
  const out = new Float32Array(matrix.length / width);
  for (let r = 0; r < out.length; r++) out[r] = matrix[r * width + i];
  return out;
}

// A small heatmap is written as pixels and scaled up in one drawImage: a rectangle per
// cell is too slow for every neuron in every frame.
const thumbCanvas = new OffscreenCanvas(THUMB, THUMB);
const thumbPixels = new ImageData(THUMB, THUMB);

/** A small heatmap of `values` (`THUMB²`, top row first): blue for positive, orange for
 * negative, scaled to the largest |value|.
 * @param {CanvasRenderingContext2D} ctx @param {Float32Array} values
 * @param {number} x @param {number} y @param {number} size */
function drawThumb(ctx, values, x, y, size) {
  let max = 1e-9;
  for (const v of values) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  const px = thumbPixels.data;
  for (let c = 0; c < THUMB * THUMB; c++) {
    const v = values[c] / max;
    const rgb = v >= 0 ? POSITIVE : NEGATIVE;
    const a = Number.isFinite(v) ? Math.abs(v) : 0;
    for (let j = 0; j < 3; j++) px[4 * c + j] = T.bgRgb[j] + (rgb[j] - T.bgRgb[j]) * a;
    px[4 * c + 3] = 255;
  }
  context2d(thumbCanvas).putImageData(thumbPixels, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(thumbCanvas, x, y, size, size);
  ctx.strokeStyle = T.stroke;
  ctx.lineWidth = 1;
  ctx.strokeRect(x, y, size, size);
}

/** A dead ReLU: outlined and crossed out in red. @param {CanvasRenderingContext2D} ctx
 * @param {number} x @param {number} y @param {number} size */
function drawDead(ctx, x, y, size) {
  ctx.strokeStyle = T.bad;
  ctx.lineWidth = 2;
  ctx.strokeRect(x - 1, y - 1, size + 2, size + 2);
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x + size, y + size);
  ctx.moveTo(x + size, y);
  ctx.lineTo(x, y + size);
  ctx.stroke();
}

/** What the edges' colours and thicknesses mean. @param {LogScale} scale @param {boolean} byWeight */
function showLegend(scale, byWeight) {
  legend.label.textContent = byWeight ? "weight: blue > 0, orange < 0" : "|∂L/∂w| in the last step";
  legend.bar.style.background = byWeight ? `linear-gradient(to right, rgb(234,88,12), ${T.bg}, rgb(37,99,235))` : scale.gradientCss();
  legend.lo.textContent = byWeight ? "" : fmt(10 ** scale.lo);
  legend.hi.textContent = byWeight ? "" : fmt(10 ** scale.hi);
}
