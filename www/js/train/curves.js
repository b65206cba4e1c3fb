// @ts-check
// The loss curves: train and test loss against steps, with a dotted line at each live
// change. The loss falls over orders of magnitude, so the vertical axis is logarithmic
// once the curve spans more than two decades; a loss of exactly 0 (hinge loss does reach
// it) then has its own band at the bottom. The axis labels sit in a margin on the left,
// where no line is drawn.

import { $, context2d } from "../dom.js";
import { theme as T } from "../theme.js";

/** @typedef {import("./state.js").LossPoint} LossPoint */
/** @typedef {import("./state.js").Mark} Mark */

const canvas = $("#curves", HTMLCanvasElement);
const scaleNote = $("#curves-scale");

/** The two lines, in the theme's colours (the legend's .line swatches use the same).
 * @returns {[key: "train" | "test", colour: string, dash: number[]][]} */
const lines = () => [["test", T.testLine, [5, 4]], ["train", T.ink, []]];

/** The chart's size in its own pixels: what a figure of it is drawn at. */
export const curvesSize = () => ({ width: canvas.width, height: canvas.height });

/** The losses that can be drawn, their range, and whether the axis is logarithmic.
 * @param {LossPoint[]} history */
export function lossScale(history) {
  const finite = history.flatMap((h) => [h.train, h.test]).filter((v) => Number.isFinite(v) && v >= 0);
  const positive = finite.filter((v) => v > 0);
  const max = Math.max(0, ...finite);
  const min = positive.length ? Math.min(...positive) : 0;
  return { finite, max, min, log: min > 0 && max / min > 100 };
}

/** The curves, onto the page's canvas or onto `ctx` (a figure's, the canvas's size).
 * @param {LossPoint[]} history @param {Mark[]} marks @param {CanvasRenderingContext2D} [target] */
export function drawCurves(history, marks, target) {
  const ctx = target ?? context2d(canvas);
  const [W, H] = [canvas.width, canvas.height];
  const [left, top, bottom] = [50, 8, 6]; // margins: labels on the left
  if (!target) ctx.clearRect(0, 0, W, H); // a figure is drawn on its own white
  const { finite, max, min, log } = lossScale(history);
  if (!target) scaleNote.textContent = log ? "(log scale)" : "";
  if (history.length < 2 || !finite.length) return;
  const zeroBand = log && finite.includes(0) ? 14 : 0;
  const plotBottom = H - bottom - zeroBand; // where the lowest value (or min on a log axis) sits
  const [lo, hi] = log ? [Math.log10(min), Math.log10(max)] : [0, max || 1];
  /** @param {number} v */
  const yOf = (v) => {
    if (log && v === 0) return H - bottom;
    const f = log ? Math.log10(v) : v;
    return plotBottom - ((f - lo) / (hi - lo || 1)) * (plotBottom - top);
  };
  // From the run's first step: 0, or where a loaded run stood.
  const [first, last] = [history[0].step, history[history.length - 1].step];
  /** @param {number} step */
  const xOf = (step) => left + ((step - first) / (last - first || 1)) * (W - left - 6);

  ctx.fillStyle = T.muted;
  ctx.font = "11px system-ui";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  /** @param {number} v @param {number} y */
  const label = (v, y) => ctx.fillText(axisNumber(v), left - 6, Math.min(H - 6, Math.max(7, y)));
  label(max, yOf(max));
  label(log ? min : 0, plotBottom);
  if (zeroBand) label(0, H - bottom);
  ctx.strokeStyle = T.line;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(left - 2, top);
  ctx.lineTo(left - 2, H - bottom);
  ctx.stroke();

  // Live changes: a dotted line at the step, with what changed; a label that would run
  // into the one before it goes a row lower.
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  /** @type {number[]} */
  const rowEnds = [];
  for (const m of marks) {
    const x = Math.round(xOf(m.step)) + 0.5;
    let row = rowEnds.findIndex((end) => end < x);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = x + 3 + ctx.measureText(m.text).width + 4;
    ctx.strokeStyle = T.accent;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, H - bottom);
    ctx.stroke();
    ctx.fillStyle = T.accent;
    ctx.fillText(m.text, x + 3, top + 12 * row);
  }
  for (const [key, colour, dash] of lines()) {
    ctx.beginPath();
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    let started = false;
    for (const h of history) {
      if (!(Number.isFinite(h[key]) && h[key] >= 0)) continue;
      const [x, y] = [xOf(h.step), yOf(h[key])];
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

/** A number for an axis label, narrow enough for its margin: 0.51, 0.0021, 2e−5.
 * @param {number} v */
const axisNumber = (v) => (v === 0 ? "0" : v < 0.001 ? v.toExponential(0).replace("-", "−") : String(Number(v.toPrecision(2))));
