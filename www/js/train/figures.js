// @ts-check
// The training page's figures (issue 14 §3): the decision map with its points, the
// network, the loss curves and the gradient's health, each drawn by its view's own code
// (the plot as it last painted, the others from the run now) with axes and a legend drawn
// into the figure; and all four together. One Export menu in the run bar saves any of them
// as SVG or as PNG at 2×.

import { exportMenu } from "../export-menu.js";
import { INK, MONO, MUTED, SANS, arrange, barSwatch, drawKeys, keysHeight, lineSwatch } from "../figure.js";
import { fmt, fmtDigits } from "../format.js";
import { curvesSize, drawCurves, lossScale } from "./curves.js";
import { LAYER_COLORS, drawHealth, healthSize } from "./health.js";
import { drawNetwork, edgeScale, networkSize } from "./network.js";
import { CLASS_COLORS, css } from "./palette.js";
import { lastPaint, paintPlot, plotSize } from "./plot.js";
import { featureLabel } from "./rules.js";

/** @typedef {import("../figure.js").Figure} Figure */
/** @typedef {import("../figure.js").Key} Key */
/** @typedef {import("./state.js").State} State */
/** @typedef {import("./state.js").Run} Run */

const PAD = 12;
const AXIS_FONT = `11px ${SANS}`;
const LEGEND_PAD = 6;

/** @param {State} state */
function runOf(state) {
  if (!state.run) throw new Error("there is no run to export yet");
  return state.run;
}

/** A figure of a chart `size` big: `drawChart` draws it at (left, top), `keys` go under
 * it, and `axes` draws its labels around it (the chart's box given).
 * @param {{ name: string, title: string, size: { width: number, height: number }, margin: { left: number, bottom: number },
 *   drawChart: (ctx: CanvasRenderingContext2D, scale: number) => void, axes?: (ctx: CanvasRenderingContext2D, box: { x: number, y: number, w: number, h: number }) => void,
 *   keys: Key[], border?: boolean }} spec @returns {Figure} */
function chartFigure({ name, title, size, margin, drawChart, axes, keys, border = true }) {
  const box = { x: PAD + margin.left, y: PAD, w: size.width, h: size.height };
  const width = Math.ceil(box.x + box.w + PAD);
  const legendTop = box.y + box.h + margin.bottom;
  const height = Math.ceil(legendTop + keysHeight(keys, width - 2 * PAD, LEGEND_PAD) + PAD / 2);
  return {
    name,
    title,
    width,
    height,
    draw(ctx, scale) {
      ctx.save();
      ctx.translate(box.x, box.y);
      ctx.beginPath();
      ctx.rect(0, 0, box.w, box.h);
      ctx.clip();
      drawChart(ctx, scale);
      ctx.restore();
      if (border) {
        ctx.save();
        ctx.strokeStyle = "#e3e6eb";
        ctx.lineWidth = 1;
        ctx.strokeRect(box.x - 0.5, box.y - 0.5, box.w + 1, box.h + 1);
        ctx.restore();
      }
      if (axes) {
        ctx.save();
        ctx.font = AXIS_FONT;
        ctx.fillStyle = MUTED;
        axes(ctx, box);
        ctx.restore();
      }
      drawKeys(ctx, keys, PAD, legendTop, width - 2 * PAD, LEGEND_PAD);
    },
  };
}

/** Writes `text` at (x, y), aligned and on the baseline given.
 * @param {CanvasRenderingContext2D} ctx @param {string} text @param {number} x @param {number} y
 * @param {CanvasTextAlign} align @param {CanvasTextBaseline} baseline */
function label(ctx, text, x, y, align, baseline) {
  ctx.textAlign = align;
  ctx.textBaseline = baseline;
  ctx.fillText(text, x, y);
}

/** A filled or hollow dot, as the plot draws a training or a test point. @param {string} color @param {boolean} hollow @returns {import("../figure.js").Swatch} */
const dot = (color, hollow) => (ctx, x, y, h) => {
  ctx.beginPath();
  ctx.arc(x + 6, y + h / 2, 4, 0, 2 * Math.PI);
  ctx.fillStyle = hollow ? "#ffffff" : color;
  ctx.fill();
  ctx.lineWidth = hollow ? 2 : 1;
  ctx.strokeStyle = hollow ? color : "#ffffff";
  ctx.stroke();
};

/** The decision map as the plot painted it last, with its axes and what its colours mean.
 * @param {State} state @returns {Figure} */
export function plotFigure(state) {
  runOf(state);
  const last = lastPaint;
  if (!last) throw new Error("the plot is not painted yet");
  const { frame, classes } = last;
  const e = frame.extent;
  /** @type {Key[]} */
  const keys = [];
  const grey = "#6b7280";
  if (frame.curve) {
    keys.push({ text: "the network's output y(x1)", swatch: 18, draw: lineSwatch(INK, 2.5) });
    keys.push({ text: "training point", swatch: 12, draw: dot(css(CLASS_COLORS[1].rgb), false) });
    keys.push({ text: "test point", swatch: 12, draw: dot(css(CLASS_COLORS[1].rgb), true) });
  } else if (classes === 0) {
    const [orange, blue] = [CLASS_COLORS[0].rgb, CLASS_COLORS[1].rgb].map((c) => css(/** @type {[number, number, number]} */ (c.map((v) => Math.round(255 + (v - 255) * 0.8)))));
    keys.push({ text: "−1", font: `12px ${MONO}`, color: MUTED });
    keys.push({ text: "+1", font: `12px ${MONO}`, color: MUTED, swatch: 96, draw: barSwatch([orange, "#ffffff", blue], 90, "#c5cad3") });
    keys.push({ text: "the network's output over the plane; points in the colour of their target", color: MUTED });
    keys.push({ text: "training point (filled)", swatch: 12, draw: dot(grey, false) });
    keys.push({ text: "test point (hollow)", swatch: 12, draw: dot(grey, true) });
  } else {
    for (let c = 0; c < classes; c++) keys.push({ text: `class ${c}`, swatch: 12, draw: dot(css(CLASS_COLORS[c].rgb), false) });
    keys.push({ text: "filled: training point", color: MUTED });
    keys.push({ text: "hollow: test point", color: MUTED });
    keys.push({ text: "shade: the most probable class, paler where the network is less sure", color: MUTED });
  }
  const [lo, hi] = frame.curve ? [frame.curve.lo, frame.curve.hi] : [-e, e];
  const tick = (/** @type {number} */ v) => fmtDigits(v, 3);
  return chartFigure({
    name: "train-plot",
    title: "gradscope: the decision map",
    size: plotSize(),
    margin: { left: 30, bottom: 30 },
    drawChart: (ctx) => paintPlot(last.values, last.classes, last.data, last.frame, last.selected, ctx),
    axes: (ctx, b) => {
      label(ctx, tick(-e), b.x, b.y + b.h + 4, "left", "top");
      label(ctx, tick(e), b.x + b.w, b.y + b.h + 4, "right", "top");
      label(ctx, tick(hi), b.x - 4, b.y, "right", "top");
      label(ctx, tick(lo), b.x - 4, b.y + b.h, "right", "bottom");
      ctx.font = `600 12px ${SANS}`;
      ctx.fillStyle = INK;
      label(ctx, "x1", b.x + b.w / 2, b.y + b.h + 4, "center", "top");
      label(ctx, frame.curve ? "y" : "x2", b.x - 4, b.y + b.h / 2, "right", "middle");
    },
    keys,
  });
}

/** The network as the view draws it now, its inputs named by their features.
 * @param {State} state @returns {Figure} */
export function networkFigure(state) {
  const run = runOf(state);
  const layers = run.trainer.layers();
  const labels = state.config.features.map((f) => featureLabel(state.rules, f));
  const { scale, byWeight } = edgeScale(layers);
  const num = `12px ${MONO}`;
  /** @type {Key[]} */
  const keys = byWeight
    ? [{ text: "weight: blue > 0, orange < 0", swatch: 96, draw: barSwatch(["rgb(234,88,12)", "#ffffff", "rgb(37,99,235)"], 90) }]
    : [
        { text: "|∂L/∂w| in the last step" },
        { text: fmt(10 ** scale.lo), font: num, color: MUTED },
        { text: fmt(10 ** scale.hi), font: num, color: MUTED, swatch: 146, draw: barSwatch(scale.stops(), 140) },
      ];
  keys.push({ text: "thickness: |w|", color: MUTED });
  keys.push({ text: "each square: an input or a neuron over the plane (blue > 0, orange < 0)", color: MUTED });
  if (run.dead.some((d) => d.length)) {
    keys.push({
      text: "crossed out: a dead ReLU",
      swatch: 12,
      draw: (ctx, x, y, h) => {
        ctx.strokeStyle = "#c81e1e";
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + h / 2 - 5, 10, 10);
        ctx.beginPath();
        ctx.moveTo(x + 1, y + h / 2 - 5);
        ctx.lineTo(x + 11, y + h / 2 + 5);
        ctx.moveTo(x + 11, y + h / 2 - 5);
        ctx.lineTo(x + 1, y + h / 2 + 5);
        ctx.stroke();
      },
    });
  }
  const size = networkSize();
  return chartFigure({
    name: "train-network",
    title: "gradscope: the network",
    size,
    margin: { left: 0, bottom: 4 },
    border: false,
    drawChart: (ctx) => drawNetwork(run.trainer, labels, run.dead, layers, { ctx, ...size }),
    keys,
  });
}

/** The x axis of a chart over steps: the first and last step under its ends.
 * @param {number} first @param {number} last */
const stepAxis = (first, last) => (/** @type {CanvasRenderingContext2D} */ ctx, /** @type {{ x: number, y: number, w: number, h: number }} */ b) => {
  // The charts draw from 50 px in (their labels' margin) to their right edge.
  label(ctx, `step ${first}`, b.x + 50, b.y + b.h + 4, "left", "top");
  label(ctx, `step ${last}`, b.x + b.w, b.y + b.h + 4, "right", "top");
};

/** The loss curves as drawn now. @param {State} state @returns {Figure} */
export function curvesFigure(state) {
  const run = runOf(state);
  const { log } = lossScale(run.history);
  /** @type {Key[]} */
  const keys = [
    { text: "train loss", swatch: 18, draw: lineSwatch("#111827", 2) },
    { text: "test loss", swatch: 18, draw: lineSwatch("#9ca3af", 2, [5, 4]) },
  ];
  if (log) keys.push({ text: "(log scale)", color: MUTED });
  if (run.marks.length) keys.push({ text: "a live change", swatch: 18, draw: lineSwatch("#2563eb", 1, [2, 3]) });
  const [first, last] = run.history.length ? [run.history[0].step, run.history[run.history.length - 1].step] : [0, 0];
  return chartFigure({
    name: "train-curves",
    title: "gradscope: the loss curves",
    size: curvesSize(),
    margin: { left: 0, bottom: 18 },
    drawChart: (ctx) => drawCurves(run.history, run.marks, ctx),
    axes: stepAxis(first, last),
    keys,
  });
}

/** The gradient's health as drawn now. @param {State} state @returns {Figure} */
export function healthFigure(state) {
  const run = runOf(state);
  const layers = run.trainer.layers().length;
  /** @type {Key[]} */
  const keys = Array.from({ length: layers }, (_, l) => ({
    text: l === layers - 1 ? `W${l + 1} (output)` : `W${l + 1}`,
    swatch: 16,
    draw: lineSwatch(LAYER_COLORS[l % LAYER_COLORS.length], 3),
  }));
  keys.push({ text: "‖∂L/∂W‖ of each layer at each step (faint) and its moving average, log scale", color: MUTED });
  const samples = run.health;
  const [first, last] = samples.length ? [samples[0].step, samples[samples.length - 1].step] : [0, 0];
  return chartFigure({
    name: "train-health",
    title: "gradscope: the health of the gradient",
    size: healthSize(),
    margin: { left: 0, bottom: 18 },
    drawChart: (ctx) => drawHealth(samples, layers, ctx),
    axes: stepAxis(first, last),
    keys,
  });
}

/** The network beside the plot, the curves and the health under the plot. @param {State} state */
export function allFigure(state) {
  return arrange("train", "gradscope: training a network", [[networkFigure(state)], [plotFigure(state), curvesFigure(state), healthFigure(state)]]);
}

/** The Export menu, at the top right of the Output panel. @param {State} state */
export function wireTrainExport(state) {
  const menu = exportMenu(() => [
    { label: "Decision map, with its points", name: "train-plot", figure: () => plotFigure(state) },
    { label: "Network", name: "train-network", figure: () => networkFigure(state) },
    { label: "Loss curves", name: "train-curves", figure: () => curvesFigure(state) },
    { label: "Gradient health", name: "train-health", figure: () => healthFigure(state) },
    { label: "All four", name: "train", figure: () => allFigure(state) },
  ], { summary: "Export figures ▾" });
  menu.id = "train-export";
  document.querySelector("section[aria-label=Output]")?.prepend(menu);
  return menu;
}
