// @ts-check
// How training is run rather than what is trained: the speed (steps per second, or as
// fast as the frame budget allows) and the limit where it stops by itself (a number of
// steps or of epochs). Both are in the link beside the configuration; the engine knows
// nothing of them.

/** @typedef {import("./state.js").State} State */
/** @typedef {import("./state.js").Pace} Pace */

/** The speed control's stops, slowest first; "max" is as many steps as fit the frame budget. */
export const SPEEDS = /** @type {const} */ ([1, 2, 5, 10, 30, 100, 300, 1000, "max"]);
/** @typedef {(typeof SPEEDS)[number]} Speed */

/** @type {Pace} */
export const PACE_DEFAULTS = { speed: "max", limit: null, limit_unit: "steps" };

/** The speed as the control's readout says it. @param {Pace["speed"]} speed */
export const speedText = (speed) => (speed === "max" ? "as fast as possible" : `${speed} step${speed === 1 ? "" : "s"}/s`);

/** "500 steps", "1 epoch". @param {number} n @param {Pace["limit_unit"]} unit */
export const countText = (n, unit) => `${n} ${n === 1 ? unit.slice(0, -1) : unit}`;

/** How many more steps may be taken before the limit: Infinity without one, 0 at it. For
 * an epoch limit the engine counts them exactly (it knows the points used so far), so
 * training stops at exactly the limit even in large batches of steps.
 * @param {State} state */
export function stepsLeft({ run, pace }) {
  if (!run || pace.limit === null) return Infinity;
  const { trainer } = run;
  if (pace.limit_unit === "steps") return Math.max(0, pace.limit - trainer.steps);
  // No training points: one step, which says there is nothing to train on.
  return trainer.stepsToEpoch(pace.limit) ?? 1;
}

/** What the status line says when training reaches the limit, or when Play is pressed there.
 * @param {State} state */
export function limitReached({ run, pace }) {
  if (pace.limit === null) return "";
  const at = countText(pace.limit, pace.limit_unit);
  return pace.limit_unit === "epochs" ? `${at} (step ${run?.trainer.steps ?? 0})` : at;
}
