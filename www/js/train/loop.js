// @ts-check
// The loop the lecture describes: forward, backward, step, over and over. Rust runs many
// steps per call (one crossing of the wasm boundary), as many as fit a time budget per
// animation frame so the page never freezes; on the GPU, in chunks of about two frames.
// At a set speed, each frame takes only the steps due since the last one (fractions carry
// over), and no batch of steps goes past the limit. After each, the views are redrawn
// from what the trainer reports.

import { $ } from "../dom.js";
import { messageOf } from "../errors.js";
import { limitReached, stepsLeft } from "./pace.js";
import { render } from "./render.js";
import { showNote, showProblem } from "./status.js";

/** @typedef {import("./state.js").State} State */
/** @typedef {import("./state.js").Run} Run */
/** @typedef {import("../../pkg/gradscope.js").Progress} Progress */

const FRAME_BUDGET_MS = 8; // training time per animation frame, leaving room to draw
const GPU_CHUNK_MS = 2 * 16; // the GPU's steps per submission: about two frames
const FRAME_TIMES = 120; // intervals kept for `frameTimes`
// At a set speed, what a gap between frames (a hidden tab, a slow frame) may pile up: no
// burst of more than this much time's steps afterwards.
const CATCH_UP_S = 0.1;

const playButton = $("#play", HTMLButtonElement);

/** @param {State} state */
export function play(state) {
  const { run, loop } = state;
  if (!run || loop.playing) return;
  if (stepsLeft(state) === 0) {
    showNote(`Still at the limit: ${limitReached(state)}. Raise the limit or clear it to train on.`);
    return;
  }
  if (run.stopped) {
    run.stopped = "";
    showProblem("");
  }
  loop.playing = true;
  loop.credit = 1; // the first step at once, then at the speed
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

/** One step on the CPU, paused: the Step button. It is asked for by hand, so it is taken at
 * the limit too. @param {State} state */
export function stepOnce(state) {
  const run = state.run;
  if (!run) return;
  pause(state);
  showProgress(state, run, run.trainer.step(1));
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
  const due = stepsDue(state, loop.lastFrame === null ? 0 : now - loop.lastFrame);
  loop.lastFrame = now;
  if (stepsLeft(state) === 0) {
    stopAtLimit(state, run); // the limit was lowered to where the run already is
    return;
  }
  if (backend.training.active === "gpu") {
    // The last few steps before a limit are taken on the CPU in this frame, rather than a
    // GPU round trip for so few.
    if (!backend.trainingInFlight) {
      if (stepsLeft(state) < run.gpuSteps) trainOnCpu(state, run, due);
      else trainOnGpu(state, run, due);
    }
  } else {
    trainOnCpu(state, run, due);
  }
  if (loop.playing) requestAnimationFrame((t) => frame(state, t));
}

/** The steps due at the set speed, `dt` ms after the last frame (all that fit, at "max").
 * @param {State} state @param {number} dt */
function stepsDue({ pace, loop }, dt) {
  if (pace.speed === "max") {
    loop.credit = 1; // should the speed be set now, its first step comes at once
    return Infinity;
  }
  loop.credit = Math.min(loop.credit + (pace.speed * dt) / 1000, Math.max(1, pace.speed * CATCH_UP_S));
  return Math.floor(loop.credit);
}

/** `n` steps were taken (or started): at a set speed, they are no longer owed.
 * @param {State} state @param {number} n */
function spend({ pace, loop }, n) {
  if (pace.speed !== "max") loop.credit -= n;
}

/** Up to `due` steps on the CPU, as many as fit the frame budget, none past the limit.
 * @param {State} state @param {Run} run @param {number} due */
function trainOnCpu(state, run, due) {
  const n = Math.min(run.cpuSteps, due);
  if (n < 1) return; // none due yet at this speed
  const t0 = performance.now();
  const taken = runSteps(state, run, n);
  const dt = performance.now() - t0;
  if (taken) {
    // Adapt the number of steps per call to the budget: small networks do hundreds.
    const perStep = Math.max(dt / taken, 1e-3);
    // At most doubling per frame, so a misjudged frame cannot grow into a long freeze.
    run.cpuSteps = Math.max(1, Math.min(2 * taken, 2000, Math.round(FRAME_BUDGET_MS / perStep)));
  }
  render(state);
}

/** Runs up to `n` steps on the CPU, no more than the limit leaves, and stops there;
 * returns how many were taken.
 * @param {State} state @param {Run} run @param {number} n */
function runSteps(state, run, n) {
  const start = run.trainer.steps;
  const k = Math.min(n, stepsLeft(state));
  if (k >= 1) {
    const progress = run.trainer.step(k);
    if (progress.stopped) showProgress(state, run, progress);
  }
  const taken = run.trainer.steps - start;
  spend(state, taken);
  if (state.loop.playing && stepsLeft(state) === 0) stopAtLimit(state, run);
  return taken;
}

/** Starts up to `due` steps on the GPU, no more than `run.gpuSteps` nor the limit leaves;
 * they are taken over (and the views redrawn) when they are read back, unless the network
 * was replaced or changed meanwhile.
 * @param {State} state @param {Run} run @param {number} due */
function trainOnGpu(state, run, due) {
  const n = Math.min(run.gpuSteps, due, stepsLeft(state));
  if (n < 1) return;
  const t0 = performance.now();
  let pending;
  try {
    pending = state.backend.train(run.trainer, n);
  } catch (e) {
    // Thrown before anything was submitted: the trainer has nothing to train on.
    stop(state, run, messageOf(e));
    return;
  }
  spend(state, n); // owed no longer, whenever they arrive
  pending.then((steps) => {
    if (!steps) return;
    // Points added or removed meanwhile: these steps trained on the old data; drop them.
    if (!run.trainer.accepts(steps)) return steps.free();
    showProgress(state, run, run.trainer.finishGpuSteps(steps));
    const perStep = Math.max((performance.now() - t0) / n, 1e-3);
    run.gpuSteps = Math.max(1, Math.min(2 * n, 5000, Math.round(GPU_CHUNK_MS / perStep)));
    if (state.loop.playing && state.run === run && stepsLeft(state) === 0) stopAtLimit(state, run);
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

/** Training reached the limit: not a problem, a note. @param {State} state @param {Run} run */
function stopAtLimit(state, run) {
  run.stopped = `Stopped at the limit: ${limitReached(state)}.`;
  showNote(run.stopped);
  pause(state);
}
