// @ts-check
// The loop the lecture describes: forward, backward, step, over and over. Rust runs many
// steps per call (one crossing of the wasm boundary), as many as fit a time budget per
// animation frame so the page never freezes; on the GPU, in chunks of about two frames.
// After each, the views are redrawn from what the trainer reports.

import { $ } from "../dom.js";
import { messageOf } from "../errors.js";
import { render } from "./render.js";
import { showProblem } from "./status.js";

/** @typedef {import("./state.js").State} State */
/** @typedef {import("./state.js").Run} Run */
/** @typedef {import("../../pkg/gradscope.js").Progress} Progress */

const FRAME_BUDGET_MS = 8; // training time per animation frame, leaving room to draw
const GPU_CHUNK_MS = 2 * 16; // the GPU's steps per submission: about two frames
const FRAME_TIMES = 120; // intervals kept for `frameTimes`

const playButton = $("#play", HTMLButtonElement);

/** @param {State} state */
export function play(state) {
  const { run, loop } = state;
  if (!run || loop.playing) return;
  if (run.stopped) {
    run.stopped = "";
    showProblem("");
  }
  loop.playing = true;
  playButton.textContent = "❚❚ Pause";
  requestAnimationFrame((now) => frame(state, now));
}

/** @param {State} state */
export function pause(state) {
  state.loop.playing = false;
  state.loop.lastFrame = null;
  playButton.textContent = "▶ Play";
}

/** @param {State} state */
export const playOrPause = (state) => (state.loop.playing ? pause(state) : play(state));

/** One step on the CPU, paused: the Step button. @param {State} state */
export function stepOnce(state) {
  if (!state.run) return;
  pause(state);
  runSteps(state, state.run, 1);
  render(state);
}

/** @param {State} state @param {number} now */
function frame(state, now) {
  const { run, loop, backend } = state;
  if (!loop.playing || !run) {
    loop.lastFrame = null;
    return;
  }
  if (loop.lastFrame !== null) {
    loop.frameTimes.push(now - loop.lastFrame);
    if (loop.frameTimes.length > FRAME_TIMES) loop.frameTimes.shift();
  }
  loop.lastFrame = now;
  if (backend.training.active === "gpu") {
    if (!backend.trainingInFlight) trainOnGpu(state, run);
  } else {
    const dt = runSteps(state, run, run.cpuSteps);
    // Adapt the number of steps per call to the budget: small networks do hundreds.
    const perStep = Math.max(dt / run.cpuSteps, 1e-3);
    // At most doubling per frame, so a misjudged frame cannot grow into a long freeze.
    run.cpuSteps = Math.max(1, Math.min(2 * run.cpuSteps, 2000, Math.round(FRAME_BUDGET_MS / perStep)));
    render(state);
  }
  if (loop.playing) requestAnimationFrame((t) => frame(state, t));
}

/** Runs `n` steps on the CPU; returns the time they took.
 * @param {State} state @param {Run} run @param {number} n */
function runSteps(state, run, n) {
  const t0 = performance.now();
  showProgress(state, run, run.trainer.step(n));
  return performance.now() - t0;
}

/** Starts `run.gpuSteps` steps on the GPU; they are taken over (and the views redrawn)
 * when they are read back, unless the network was replaced or changed meanwhile.
 * @param {State} state @param {Run} run */
function trainOnGpu(state, run) {
  const n = run.gpuSteps;
  const t0 = performance.now();
  let pending;
  try {
    pending = state.backend.train(run.trainer, n);
  } catch (e) {
    // Thrown before anything was submitted: the trainer has nothing to train on.
    stop(state, run, messageOf(e));
    return;
  }
  pending.then((steps) => {
    if (!steps) return;
    // Points added or removed meanwhile: these steps trained on the old data; drop them.
    if (!run.trainer.accepts(steps)) return steps.free();
    showProgress(state, run, run.trainer.finishGpuSteps(steps));
    const perStep = Math.max((performance.now() - t0) / n, 1e-3);
    run.gpuSteps = Math.max(1, Math.min(2 * n, 5000, Math.round(GPU_CHUNK_MS / perStep)));
    render(state);
  });
}

/** @param {State} state @param {Run} run @param {Progress} progress */
function showProgress(state, run, progress) {
  if (progress.stopped) stop(state, run, progress.stopped);
}

/** Training stopped by itself (it diverged, or has no points): say why, and pause.
 * @param {State} state @param {Run} run @param {string} why */
function stop(state, run, why) {
  run.stopped = why;
  showProblem(why);
  pause(state);
}
