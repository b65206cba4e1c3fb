// @ts-check
// The decision plot: each class's probability over the plane as a heatmap, the points on
// top (test points hollow, the selected one ringed), and what a click lands on: a point, or
// a place of the plane.

import { $, context2d } from "../dom.js";
import { CLASS_COLORS, css } from "./palette.js";

/** @typedef {import("../../pkg/gradscope.js").Dataset} Dataset */

/** Cells per side of the heatmap. */
export const HEATMAP = 100;

const canvas = $("#plot", HTMLCanvasElement);
const discretize = $("#discretize", HTMLInputElement);

/** Paints class probabilities `probs` (`HEATMAP² × classes`, top row first) and the points.
 * @param {ArrayLike<number>} probs @param {number} classes @param {Dataset} data
 * @param {number} extent half the side of the plane shown @param {number | null} [selected] the point to ring */
export function paintPlot(probs, classes, data, extent, selected = null) {
  const ctx = context2d(canvas);
  const img = ctx.createImageData(HEATMAP, HEATMAP);
  const discrete = discretize.checked;
  for (let c = 0; c < HEATMAP * HEATMAP; c++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[c * classes + k] > probs[c * classes + best]) best = k;
    // Confidence fades the colour towards white near the boundary.
    const confidence = discrete ? 1 : Math.max(0, (probs[c * classes + best] - 1 / classes) / (1 - 1 / classes));
    const strength = discrete ? 0.45 : 0.15 + 0.55 * confidence;
    const rgb = CLASS_COLORS[best].rgb;
    for (let j = 0; j < 3; j++) img.data[4 * c + j] = Math.round(255 + (rgb[j] - 255) * strength);
    img.data[4 * c + 3] = 255;
  }
  const off = new OffscreenCanvas(HEATMAP, HEATMAP);
  context2d(off).putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);

  const { points, labels, test } = data;
  const testSet = new Set(test);
  for (let i = 0; i < points.length; i++) {
    const [x, y] = toCanvas(points[i], extent);
    const color = css(CLASS_COLORS[labels[i]].rgb);
    const isTest = testSet.has(i);
    ctx.beginPath();
    ctx.arc(x, y, 4, 0, 2 * Math.PI);
    ctx.fillStyle = isTest ? "#ffffff" : color;
    ctx.fill();
    ctx.lineWidth = isTest ? 2 : 1;
    ctx.strokeStyle = isTest ? color : "#ffffff";
    ctx.stroke();
  }
  if (selected !== null && selected < points.length) {
    const [x, y] = toCanvas(points[selected], extent);
    for (const [width, color] of /** @type {const} */ ([[4, "#ffffff"], [2, "#111827"]])) {
      ctx.beginPath();
      ctx.arc(x, y, 9, 0, 2 * Math.PI);
      ctx.lineWidth = width;
      ctx.strokeStyle = color;
      ctx.stroke();
    }
  }
}

/** The point a click lands on: the nearest within `radius` screen pixels, or null.
 * @param {MouseEvent} ev @param {[number, number][]} points @param {number} extent
 * @param {number} [radius] */
export function pointAt(ev, points, extent, radius = 7) {
  const r = canvas.getBoundingClientRect();
  let best = null;
  let bestD = radius * radius;
  for (let i = 0; i < points.length; i++) {
    const [cx, cy] = toCanvas(points[i], extent);
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

/** A point of the plane in canvas pixels. @param {[number, number]} point @param {number} extent
 * @returns {[number, number]} */
function toCanvas([x, y], extent) {
  return [((x + extent) / (2 * extent)) * canvas.width, ((extent - y) / (2 * extent)) * canvas.height];
}

/** The point of the plane under a mouse event on the plot. @param {MouseEvent} ev @param {number} extent
 * @returns {[number, number]} */
export function planePoint(ev, extent) {
  const r = canvas.getBoundingClientRect();
  return [((ev.clientX - r.left) / r.width) * 2 * extent - extent, extent - ((ev.clientY - r.top) / r.height) * 2 * extent];
}
