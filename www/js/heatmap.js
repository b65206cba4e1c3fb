// @ts-check
// A tensor's entries as a small picture: one pixel per entry on a diverging scale (blue
// below zero, white at zero, red above), scaled to the largest |entry| of that tensor, so
// the pattern reads whatever the magnitude. The numbers themselves are in the tooltips.

import { NAN_COLOR } from "./colors.js";

const NEGATIVE = [37, 99, 235];
const POSITIVE = [220, 38, 38];
const NAN_RGB = [0x7b, 0x3f, 0xbf];

/** The largest finite |entry|, or 0. @param {ArrayLike<number>} xs */
export function maxAbs(xs) {
  let m = 0;
  for (let i = 0; i < xs.length; i++) {
    const a = Math.abs(xs[i]);
    if (a > m && a !== Infinity) m = a;
  }
  return m;
}

/** The colour of `x` on a scale reaching ±`scale`, as RGB: infinities take the end of the
 * scale, NaN its own colour. @param {number} x @param {number} scale @returns {number[]} */
export function divergingRgb(x, scale) {
  if (Number.isNaN(x)) return NAN_RGB;
  const t = x === Infinity ? 1 : x === -Infinity ? -1 : scale > 0 ? Math.max(-1, Math.min(1, x / scale)) : 0;
  const end = t < 0 ? NEGATIVE : POSITIVE;
  const f = Math.abs(t);
  return end.map((c) => Math.round(255 + f * (c - 255)));
}

/** CSS for a legend bar, −1 to 1 left to right. */
export function divergingCss() {
  const stops = [-1, -0.5, 0, 0.5, 1].map((t) => `rgb(${divergingRgb(t, 1).join(",")})`);
  return `linear-gradient(to right, ${stops.join(", ")})`;
}

export { NAN_COLOR };

/** A rows × cols canvas, a pixel an entry (row-major), to be drawn scaled up with image
 * smoothing off. @param {ArrayLike<number>} xs @param {number} rows @param {number} cols */
export function heatmapCanvas(xs, rows, cols) {
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, cols);
  canvas.height = Math.max(1, rows);
  const ctx = canvas.getContext("2d");
  if (!ctx) return canvas;
  const image = ctx.createImageData(canvas.width, canvas.height);
  const scale = maxAbs(xs);
  for (let i = 0; i < rows * cols && i < xs.length; i++) {
    const [r, g, b] = divergingRgb(xs[i], scale);
    image.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** Rows and columns of a tensor drawn as a grid: a vector of n is one column of n, as
 * the engine's n-vectors act as columns in `W @ x`. @param {number[]} shape */
export function gridOf(shape) {
  if (shape.length === 2) return { rows: shape[0], cols: shape[1] };
  if (shape.length === 1) return { rows: shape[0], cols: 1 };
  return { rows: 1, cols: 1 };
}
