// @ts-check
// The health of the gradient (issue 13 §4, the lecture: "if gradients do not flow backwards
// properly, learning slows or stops"): each layer's ‖∂L/∂W‖ over training on a log scale,
// the ReLUs that died (0 on every training point: no gradient flows through them again),
// and how many parameters each layer has. Numbers from the trainer; this file draws.

import { $, context2d } from "../dom.js";
import { fmt } from "../format.js";
import { norm } from "../tensor.js";
import { theme as T } from "../theme.js";

/** @typedef {import("../../pkg/gradscope.js").LayerState} LayerState */
/** One sample of the chart: the step and each layer's gradient norm. @typedef {{ step: number, norms: number[] }} HealthPoint */

const canvas = $("#grad-health", HTMLCanvasElement);
const key = $("#grad-health-key");
const params = $("#param-counts");
const deadNote = $("#dead-relus");

/** The chart's size in its own pixels: what a figure of it is drawn at. */
export const healthSize = () => ({ width: canvas.width, height: canvas.height });

/** A colour a layer, first to last: the same in the chart and its key. */
export const LAYER_COLORS = ["#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#be185d", "#4b5563", "#65a30d"];

/** Each layer's ‖∂L/∂W‖ (L2 over the layer's weight matrix) at the last step.
 * @param {LayerState[]} layers */
export function gradientNorms(layers) {
  return layers.map((l) => norm(l.w_grad));
}

/** `W·x + b` has inputs × outputs weights and outputs biases. @param {LayerState[]} layers */
export function parameterCounts(layers) {
  return layers.map((l) => l.inputs * l.outputs + l.outputs);
}

/** The chart: a line a layer, log scale (gradient norms span orders of magnitude, and a
 * vanishing one is many orders below the others). Zeros and non-finite norms are gaps.
 * Onto the page's canvas, or onto `target` (a figure's context, the canvas's size).
 * @param {HealthPoint[]} samples @param {number} layerCount @param {CanvasRenderingContext2D} [target] */
export function drawHealth(samples, layerCount, target) {
  const ctx = target ?? context2d(canvas);
  const [W, H] = [canvas.width, canvas.height];
  const [left, top, bottom] = [50, 8, 6];
  if (!target) ctx.clearRect(0, 0, W, H); // a figure is drawn on its own white
  const logs = samples.flatMap((s) => s.norms.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10));
  if (!target) showKey(layerCount);
  if (samples.length < 2 || logs.length === 0) return;
  let [lo, hi] = [Math.min(...logs), Math.max(...logs)];
  if (hi - lo < 1) [lo, hi] = [(lo + hi) / 2 - 0.5, (lo + hi) / 2 + 0.5];
  const [first, last] = [samples[0].step, samples[samples.length - 1].step];
  const xOf = (/** @type {number} */ step) => left + ((step - first) / (last - first || 1)) * (W - left - 4);
  const yOf = (/** @type {number} */ v) => H - bottom - ((Math.log10(v) - lo) / (hi - lo)) * (H - bottom - top);
  // Decades on the axis, labelled.
  ctx.font = "11px system-ui";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const step = Math.max(1, Math.ceil((hi - lo) / 5));
  for (let d = Math.ceil(lo); d <= Math.floor(hi); d += step) {
    const y = yOf(10 ** d);
    ctx.strokeStyle = T.soft;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(W, y);
    ctx.stroke();
    ctx.fillStyle = T.muted;
    ctx.fillText(d >= -2 && d <= 3 ? fmt(10 ** d) : `1e${d}`.replace("-", "−"), left - 4, y);
  }
  // A batch's gradient is noisy: each sample faintly, and over it a moving average (of
  // the logarithm, over about ten samples) that shows the trend.
  for (let l = 0; l < layerCount; l++) {
    ctx.strokeStyle = LAYER_COLORS[l % LAYER_COLORS.length];
    for (const smooth of [false, true]) {
      ctx.globalAlpha = smooth ? 1 : 0.25;
      ctx.lineWidth = smooth ? 2 : 1;
      ctx.beginPath();
      let pen = false;
      let mean = NaN;
      for (const s of samples) {
        const v = s.norms[l];
        if (!(v > 0) || !Number.isFinite(v)) {
          pen = false;
          continue;
        }
        mean = Number.isNaN(mean) ? Math.log10(v) : mean + SMOOTHING * (Math.log10(v) - mean);
        const [x, y] = [xOf(s.step), yOf(smooth ? 10 ** mean : v)];
        if (pen) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        pen = true;
      }
      ctx.stroke();
    }
  }
  ctx.globalAlpha = 1;
}

/** The weight of a new sample in the moving average. */
const SMOOTHING = 0.1;

/** The key: a swatch and a name a layer (the last is the output layer).
 * @param {number} layerCount */
function showKey(layerCount) {
  if (key.childElementCount === layerCount) return;
  key.replaceChildren(
    ...Array.from({ length: layerCount }, (_, l) => {
      const item = document.createElement("span");
      item.className = "layer-key";
      const swatch = document.createElement("span");
      swatch.className = "swatch-line";
      swatch.style.background = LAYER_COLORS[l % LAYER_COLORS.length];
      item.append(swatch, l === layerCount - 1 ? `W${l + 1} (output)` : `W${l + 1}`);
      return item;
    }),
  );
}

/** Parameters per layer and in all, and the dead ReLUs per hidden layer, in words.
 * @param {LayerState[]} layers @param {number[][]} dead */
export function showCounts(layers, dead) {
  const counts = parameterCounts(layers);
  const total = counts.reduce((a, b) => a + b, 0);
  params.textContent =
    `Parameters: ${layers.map((l, i) => `W${i + 1} ${l.inputs}×${l.outputs} + b ${l.outputs} = ${counts[i]}`).join("; ")}; ` +
    `${total} in all.`;
  const died = dead.map((d, i) => (d.length ? `layer ${i + 1}: ${d.length} of ${layers[i].outputs}` : "")).filter(Boolean);
  deadNote.textContent = died.length
    ? `Dead ReLUs (0 on every training point, so no gradient flows through them: crossed out in the network): ${died.join("; ")}.`
    : "";
  deadNote.hidden = died.length === 0;
}
