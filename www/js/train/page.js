// @ts-check
// The training page: a classifier learning live, TensorFlow-Playground style.
//
// Data flow: the controls and the link give a configuration (url.js, controls.js); the
// engine's rules say whether it can be trained (rules.js) and a trainer runs it
// (changes.js), stepped by the loop (loop.js) on the backend the measurement chose
// (backend.js); the views draw what the trainer reports (render.js: plot.js, curves.js,
// network.js). All of it is in one state object (state.js).

import init from "gradscope";
import { $ } from "../dom.js";
import { messageOf } from "../errors.js";
import { restart } from "./changes.js";
import { wireControls } from "./controls.js";
import { keepOptionWords } from "./fields.js";
import { wireTrainExport } from "./figures.js";
import { buildChoices, syncPace } from "./form.js";
import { edgeSpot, neuronSpot, wireHover } from "./hover.js";
import { pause, play } from "./loop.js";
import { drawNetworkOf, drawPlot, plotFrame, render } from "./render.js";
import { createState } from "./state.js";
import { showProblem } from "./status.js";
import { readUrl } from "./url.js";
import { TRAINING, setUpEmbed } from "../embed.js";
import { mountThemeControls, onThemeChange } from "../theme.js";

/** @typedef {import("./state.js").State} State */

/** What the page tests (and the console) can ask, as `window.gradscope`; `backend` is set
 * once a backend is chosen. @param {State} state */
function probesOf(state) {
  return {
    ready: true,
    play: () => play(state),
    pause: () => pause(state),
    get config() {
      return state.config;
    },
    get pace() {
      return state.pace;
    },
    /** The weights and biases of the run, per layer (for comparing runs). */
    weights: () => state.run?.trainer.layers().map(({ w, b }) => ({ w, b })) ?? [],
    /** The training points of the run. */
    trainPoints: () => state.run?.data.train.length ?? 0,
    defaults: state.defaults,
    /** Intervals between the last frames while training, in ms. */
    frameTimes: () => [...state.loop.frameTimes],
    /** The labels of the current points, and the points. */
    labels: () => Array.from(state.run?.data.labels ?? []),
    points: () => structuredClone(state.run?.data.points ?? []),
    /** A regression's targets, the network's curve along x2 = 0 at `n` points, and how the
     * plot maps the data onto its canvas. */
    targets: () => structuredClone(state.run?.data.targets ?? []),
    /** @param {number} n */
    curve: (n) => Array.from(state.run?.trainer.curve(n) ?? []),
    plotFrame: () => (state.run ? plotFrame(state.run) : null),
    /** The loss curves' points, from the run's first step (a loaded run's is not 0). */
    history: () => structuredClone(state.run?.history ?? []),
    /** Each layer's gradient norm as charted, and the dead ReLUs as last counted. */
    health: () => structuredClone(state.run?.health ?? []),
    dead: () => structuredClone(state.run?.dead ?? []),
    /** Half the side of the plane the plot shows, the selected point, and the objective's
     * gradient at a point with the current weights. */
    extent: () => state.run?.trainer.extent ?? null,
    selected: () => state.run?.selected ?? null,
    /** @param {number} i */
    gradientAt: (i) => state.run?.trainer.gradientAt(i) ?? null,
    /** What the network view's tooltips show: the weights with the last step's gradients,
     * the optimiser's next update, and the network at a point. */
    layers: () => state.run?.trainer.layers() ?? [],
    updatePreview: () => state.run?.trainer.updatePreview() ?? [],
    /** @param {number} i */
    activationsAt: (i) => state.run?.trainer.activationsAt(i) ?? null,
    /** Where the network view draws neuron `i` of column `c` (0: the inputs), and the point
     * of the edge of layer `l`'s weight from input `i` to neuron `j` (from 0) that picks it
     * out most clearly, in client pixels; null if there is none.
     * @param {number} c @param {number} i */
    neuronSpot: (c, i) => neuronSpot(state, c, i),
    /** @param {number} l @param {number} i @param {number} j */
    edgeSpot: (l, i, j) => edgeSpot(state, l, i, j),
    /** @type {"cpu" | "gpu" | null} */
    backend: null,
    /** The training steps in each timed call of the last measurement. */
    measurementPlan: () => ({ ...state.backend.lastPlan }),
    /** Destroys the WebGPU device, as a driver reset would (for the fallback test). */
    loseGpu: () => state.backend.lose(),
  };
}

async function main() {
  setUpEmbed(TRAINING); // before anything is drawn, so that the views are sized for an embed
  await init();
  const state = createState();
  buildChoices(state.rules);
  keepOptionWords();
  const { backend } = state;
  const probes = probesOf(state);
  backend.onChange = () => {
    probes.backend = backend.heatmap.active;
    drawPlot(state);
  };
  const { config, pace, refused } = readUrl(state.defaults, state.rules);
  state.config = config;
  state.pace = pace;
  syncPace(pace);
  wireControls(state);
  wireHover(state);
  wireTrainExport(state);
  restart(state);
  mountThemeControls();
  // A new theme or palette: every view drawn again in its colours.
  onThemeChange(() => render(state));
  // A network view that changes size (the window, an embedding frame) is drawn again; while
  // training, the next frame draws it.
  const network = $("#network", HTMLCanvasElement);
  new ResizeObserver(() => {
    const dpr = window.devicePixelRatio || 1;
    const stale = network.width !== Math.round(network.clientWidth * dpr) || network.height !== Math.round(network.clientHeight * dpr);
    if (stale && !state.loop.playing) drawNetworkOf(state);
  }).observe(network);
  if (refused.length) showProblem(`Not used from the link, so the defaults are shown for these: ${refused.join("; ")}.`);
  await backend.open();
  backend.cancelRemeasure(); // measured here, not again
  if (state.run) await backend.measure(state.run.trainer);
  // The menu is followed from the first measurement on (until then, nothing to choose by).
  $("#backend-choice").addEventListener("change", () => backend.choose());
  Object.assign(window, { gradscope: probes });
  backend.choose();
}

main().catch((e) => showProblem(`gradscope could not start: ${messageOf(e)}`));
