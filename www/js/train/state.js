// @ts-check
// The training page's state, in one object: what the engine allows, the configuration the
// controls show, the user's own points if any, the run that trains it, how fast and how far
// it trains, where the run's work is done, and the animation loop. Every module is handed
// this object; none keeps state of its own.

import { Trainer } from "gradscope";
import { Backend } from "./backend.js";
import { newHover } from "./hover.js";
import { PACE_DEFAULTS } from "./pace.js";
import { readRules } from "./rules.js";

/** @typedef {import("../../pkg/gradscope.js").Config} Config */
/** @typedef {import("../../pkg/gradscope.js").Dataset} Dataset */
/** @typedef {import("./rules.js").RuleBook} RuleBook */
/** @typedef {import("./hover.js").Hover} Hover */

/** One point of the loss curves. @typedef {{ step: number, train: number, test: number }} LossPoint */
/** A live change, marked on the loss curves at its step. @typedef {{ step: number, text: string }} Mark */

/**
 * One trainer from step 0, and what the page keeps of it: a new run starts afresh.
 * @typedef {object} Run
 * @property {Trainer} trainer
 * @property {Dataset} data its points, read again whenever they change
 * @property {LossPoint[]} history
 * @property {Mark[]} marks
 * @property {string} stopped why training stopped by itself, while it stays stopped
 * @property {number} cpuSteps steps per animation frame on the CPU, adapted to the frame budget
 * @property {number} gpuSteps steps per GPU submission, adapted to about two frames
 * @property {import("./health.js").HealthPoint[]} health each layer's gradient norm, sampled with the loss
 * @property {number[][]} dead the dead ReLUs per hidden layer, as last counted
 * @property {number} deadAt when they were counted (performance.now), to count a few times a second
 * @property {number | null} selected the point clicked on the plot (an index into `data.points`), until the points change
 */

/**
 * Points the user loaded (a CSV file, pasted text, or a model file's): what a run on the
 * "own" dataset is built from, kept while a generated dataset is chosen so that the
 * Dataset menu can go back to them. No link carries them.
 * They are as `readPoints` gives them: labels and classes for a classification, targets
 * for a regression; `name` says where they came from, as the page names it (the file's).
 * @typedef {import("../../pkg/gradscope.js").OwnPoints & { name: string }} OwnData
 */

/**
 * How training is run, in the link but no part of the engine's configuration (pace.js).
 * @typedef {object} Pace
 * @property {import("./pace.js").Speed} speed steps per second, or "max": as many as the frame budget allows
 * @property {number | null} limit training stops by itself at this many steps or epochs; null: never
 * @property {"steps" | "epochs"} limit_unit
 */

/**
 * @typedef {object} Loop
 * @property {boolean} playing
 * @property {number} credit steps owed at the set speed, fractions included, carried from frame to frame
 * @property {number[]} frameTimes the last 120 intervals between animation frames while playing
 * @property {number | null} lastFrame when the last frame ran, while playing
 */

/**
 * @typedef {object} State
 * @property {Required<Config>} defaults the engine's defaults
 * @property {RuleBook} rules the engine's rules
 * @property {Required<Config>} config the configuration the controls show and the URL holds
 * @property {OwnData | null} own the user's own points, once loaded
 * @property {Run | null} run the run in progress; null until a trainer could be built
 * @property {Pace} pace
 * @property {Backend} backend
 * @property {Loop} loop
 * @property {Hover} hover what the pointer is over in the network view, and the tooltip's numbers
 */

/** The page's state before its first run: the engine's defaults and rules (read once the
 * engine is loaded), and the defaults as the configuration. @returns {State} */
export function createState() {
  const defaults = Trainer.defaults();
  return {
    defaults,
    rules: readRules(),
    config: structuredClone(defaults),
    own: null,
    run: null,
    pace: { ...PACE_DEFAULTS },
    backend: new Backend(),
    loop: { playing: false, credit: 0, frameTimes: [], lastFrame: null },
    hover: newHover(),
  };
}

/** A run of `trainer`, from its first step. @param {Trainer} trainer @returns {Run} */
export function newRun(trainer) {
  return { trainer, data: trainer.data(), history: [], marks: [], stopped: "", cpuSteps: 1, gpuSteps: 1, health: [], dead: [], deadAt: -Infinity, selected: null };
}
