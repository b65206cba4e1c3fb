// @ts-check
// The run drawn from what the trainer reports: the numbers in the run bar, the decision
// plot, the loss curves and the network.

import { $ } from "../dom.js";
import { isDark } from "../theme.js";
import { fmt } from "../format.js";
import { drawCurves } from "./curves.js";
import { drawHealth, gradientNorms, showCounts } from "./health.js";
import { refreshHover } from "./hover.js";
import { drawNetwork } from "./network.js";
import { CURVE_POINTS, frameOf, paintPlot } from "./plot.js";
import { featureLabel } from "./rules.js";
import { showSelection } from "./selection.js";

/** @typedef {import("./state.js").State} State */
/** @typedef {import("./state.js").Run} Run */
/** @typedef {import("../../pkg/gradscope.js").Metrics} Metrics */

const HISTORY_MAX = 600; // points on the loss curves; beyond, every other one is dropped
const DEAD_EVERY_MS = 250;

const numbers = {
  steps: $("#steps"),
  epochs: $("#epochs"),
  trainLoss: $("#train-loss"),
  trainAcc: $("#train-acc"),
  testLoss: $("#test-loss"),
  testAcc: $("#test-acc"),
  trainAccName: $("#train-acc-name"),
  testAccName: $("#test-acc-name"),
  rmse: $("#rmse-stats"),
  trainRmse: $("#train-rmse"),
  testRmse: $("#test-rmse"),
};
const legend = $("#plot-legend");

/** Everything, after the run moved or changed. @param {State} state */
export function render(state) {
  const run = state.run;
  if (!run) return;
  const m = run.trainer.evaluate();
  const step = run.trainer.steps;
  showNumbers(run, m, step);
  const last = run.history[run.history.length - 1];
  const layers = run.trainer.layers();
  if (!last || last.step !== step) {
    run.history.push({ step, train: m.train_loss, test: m.test_loss });
    // Before the first step there is no gradient to chart.
    if (step > 0) run.health.push({ step, norms: gradientNorms(layers) });
  }
  if (run.history.length > HISTORY_MAX) run.history = run.history.filter((_, i) => i % 2 === 0);
  if (run.health.length > HISTORY_MAX) run.health = run.health.filter((_, i) => i % 2 === 0);
  // Counting dead ReLUs is a forward pass over the training set: a few times a second.
  const now = performance.now();
  if (now - run.deadAt > DEAD_EVERY_MS || !state.loop.playing) {
    run.dead = run.trainer.deadNeurons();
    run.deadAt = now;
  }
  drawPlot(state);
  drawCurves(run.history, run.marks);
  drawHealth(run.health, layers.length);
  showCounts(layers, run.dead);
  drawNetworkOf(state, layers);
  showSelection(state);
}

/** @param {Run} run @param {Metrics} m @param {number} step */
function showNumbers(run, m, step) {
  numbers.steps.textContent = String(step);
  numbers.epochs.textContent = String(run.trainer.epochs);
  // An empty set has no loss or accuracy: say so rather than NaN.
  const none = "no points";
  const hasTrain = run.data.train.length > 0;
  const hasTest = run.data.test.length > 0;
  numbers.trainLoss.textContent = hasTrain ? fmt(m.train_loss) : none;
  numbers.testLoss.textContent = hasTest ? fmt(m.test_loss) : none;
  // A regression has no accuracy: its R² stands in the same place, and its RMSE beside.
  const regression = run.data.classes === 0;
  numbers.trainAccName.textContent = regression ? "train R²" : "train acc.";
  numbers.testAccName.textContent = regression ? "test R²" : "test acc.";
  numbers.rmse.hidden = !regression;
  const [train, test] = regression ? [m.train_r2, m.test_r2] : [m.train_accuracy, m.test_accuracy];
  const shown = regression ? fmt : percent;
  numbers.trainAcc.textContent = hasTrain ? shown(train) : none;
  numbers.testAcc.textContent = hasTest ? shown(test) : none;
  numbers.trainRmse.textContent = hasTrain ? fmt(m.train_rmse) : none;
  numbers.testRmse.textContent = hasTest ? fmt(m.test_rmse) : none;
  numbers.trainAcc.dataset.value = String(train);
  numbers.testAcc.dataset.value = String(test);
  numbers.trainRmse.dataset.value = String(m.train_rmse);
  numbers.steps.dataset.value = String(step);
}

/** @param {number} x */
const percent = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : fmt(x));

/** The decision plot, from the backend in use: the GPU's first heatmap may still be on its
 * way, and is painted when it arrives. @param {State} state */
export function drawPlot(state) {
  const run = state.run;
  if (!run) return;
  const classes = state.config.problem === "regression" ? 0 : state.config.classes;
  const paint = (/** @type {ArrayLike<number>} */ values) => {
    const run = state.run;
    if (run) paintPlot(values, classes, run.data, plotFrame(run), run.selected);
  };
  legend.hidden = classes !== 0;
  const curve = run.trainer.showsCurve;
  legend.textContent = curve
    ? "The points as (x1, y), filled for training, hollow for testing; the line is the network's output along x1."
    : `The network's output over the plane: orange below 0, ${isDark() ? "the background's near-black" : "white"} at 0, blue above (full at ±1); the points take the colour of their target.`;
  // A fit's curve is a few hundred points: drawn on the CPU, at once.
  if (curve) return paint(run.trainer.curve(CURVE_POINTS));
  const values = state.backend.heatmapProbabilities(run.trainer, paint);
  if (values) paint(values);
}

/** How the plot maps the run's data onto its canvas. @param {Run} run */
export const plotFrame = (run) => frameOf(run.data, run.trainer.extent, run.trainer.showsCurve);

/** The network view, its inputs named as the features' labels, and the tooltip over it;
 * `layers` if already read this frame. @param {State} state @param {import("../../pkg/gradscope.js").LayerState[]} [layers] */
export function drawNetworkOf(state, layers) {
  if (!state.run) return;
  state.hover.geometry = drawNetwork(state.run.trainer, state.config.features.map((f) => featureLabel(state.rules, f)), state.run.dead, layers);
  refreshHover(state);
}
