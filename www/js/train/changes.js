// @ts-check
// What a change of the configuration does to the run. One that cannot go with the rest is
// refused, saying why and offering what would work; one the running trainer can take is
// applied live (training goes on from the same weights, and the loss curve is marked);
// any other starts a new run, and the page says why.

import { Trainer } from "gradscope";
import { messageOf } from "../errors.js";
import { choiceText, labelOf, valueText } from "./fields.js";
import { syncControls } from "./form.js";
import { pause } from "./loop.js";
import { render } from "./render.js";
import { alternatives, conflictReasons, conflicts, describe, normalize } from "./rules.js";
import { newRun } from "./state.js";
import { showNote, showProblem } from "./status.js";
import { writeUrl } from "./url.js";

/** @typedef {import("../../pkg/gradscope.js").Config} Config */
/** @typedef {import("../../pkg/gradscope.js").Dataset} Dataset */
/** @typedef {import("../../pkg/gradscope.js").Reconfiguration} Reconfiguration */
/** @typedef {import("./fields.js").Field} Field */
/** @typedef {import("./state.js").State} State */

/** What a live change says on the loss curve's mark.
 * @type {Partial<Record<Field, (config: Required<Config>) => string>>} */
const MARK_TEXT = {
  learning_rate: (c) => `lr ${c.learning_rate}`,
  optimizer: (c) => choiceText("#optimizer", c.optimizer),
  momentum: (c) => `μ ${c.momentum}`,
  batch_size: (c) => `batch ${c.batch_size}`,
  regularization: (c) => (c.regularization === "none" ? "no reg." : choiceText("#regularization", c.regularization)),
  lambda: (c) => `λ ${c.lambda}`,
  noise: (c) => `noise ${c.noise}`,
};

/** Why a field needs a new run, for the note that says a run was restarted.
 * @type {Partial<Record<Field, string>>} */
const NEEDS = {
  problem: "new points and a new output layer",
  dataset: "new points",
  classes: "new points and a new output layer",
  points: "new points",
  test_fraction: "a new split of the points",
  seed: "new points",
  init_seed: "new initial weights",
  features: "a new input layer",
  hidden: "a new network",
  activations: "a new network",
  loss: "a new network (the loss is its last node)",
};

/** A new run of `state.config`, from step 0: a new trainer (`build`'s, else one of the
 * configuration, on the user's own points if its dataset is "own"), measured again for the
 * choice of backend. If the engine refuses, the old run goes on and the page says why.
 * @param {State} state @param {(state: State) => Trainer} [build] */
export function restart(state, build = trainerOf) {
  let trainer;
  try {
    trainer = build(state);
  } catch (e) {
    pause(state);
    showProblem(`This setup cannot be trained: ${messageOf(e)}`);
    return;
  }
  startRun(state, trainer);
}

/** A trainer of `state.config` from step 0; own points are never part of a configuration,
 * so a run on them is built from those kept in `state.own`. @param {State} state */
export function trainerOf({ config, own }) {
  if (config.dataset !== "own") return new Trainer(config);
  if (!own) throw new Error("no points of your own are loaded: load a CSV file");
  return Trainer.withPoints(config, own);
}

/** `trainer` becomes the run (paused, the old one freed), at whatever step it stands: the
 * views, controls and link follow `state.config`, which the caller has set to agree with
 * it. @param {State} state @param {Trainer} trainer */
export function startRun(state, trainer) {
  pause(state);
  state.run?.trainer.free();
  state.run = newRun(trainer);
  state.backend.newNetwork();
  state.backend.remeasureSoon(trainer);
  showProblem("");
  syncControls(state);
  writeUrl(state.config, state.pace);
  render(state);
}

/** The Reset button: the same run again from step 0, the same initial weights and batches
 * (the seed is kept), on exactly the same points and split, also those added or removed
 * by hand (`Trainer.withData`); `points`, those of the run being left.
 * @param {State} state @param {Dataset | undefined} [points] */
export function reset(state, points = state.run?.data) {
  restart(state, points ? ({ config }) => Trainer.withData(config, points) : trainerOf);
}

/** The New initialisation button: new initial weights (and batches) from a random 32-bit
 * `init_seed`, on the same points, from step 0; Reset then replays this one.
 * @param {State} state */
export function newInitialisation(state) {
  const points = state.run?.data;
  // Not 0: 0 is the initialisation the data seed alone gives.
  const init = crypto.getRandomValues(new Uint32Array(1))[0] || 1;
  state.config = { ...state.config, init_seed: init };
  reset(state, points);
  if (state.run) showNote(`A new initialisation (${init}), on the same points, at step 0.`);
}

/** A control asks for `patch`. @param {State} state @param {Partial<Config>} patch */
export function change(state, patch) {
  const { rules } = state;
  const next = normalize(rules, { ...state.config, ...patch });
  if (conflicts(rules, next).length) {
    syncControls(state); // the control shows the setup still in use
    const ways = alternatives(rules, next, patch).map((alt) => ({ label: `use ${describe(alt)}`, run: () => change(state, alt) }));
    showNote(`Not changed: ${conflictReasons(rules, next).join(", and ")}.${ways.length ? " Instead (a new run):" : ""}`, ways);
    return;
  }
  const trainer = state.run?.trainer;
  /** @type {Reconfiguration} */
  let answer = { restart: Object.keys(patch), optimizer_reset: false, points_redrawn: false };
  if (trainer) {
    try {
      answer = trainer.reconfigure(next);
    } catch (e) {
      syncControls(state);
      showProblem(`Not changed: ${messageOf(e)}.`);
      return;
    }
  }
  const steps = trainer?.steps ?? 0;
  state.config = next;
  if (answer.restart.length) {
    restart(state);
    // The engine names the fields that need a new run as the configuration does.
    const first = /** @type {Field} */ (answer.restart[0]);
    const needs = first === "seed" && next.dataset === "own" ? "a new split of your points" : NEEDS[first];
    if (steps > 0) showNote(`Training started again from step 0: changing ${labelOf(first)} needs ${needs}.`);
    return;
  }
  liveChanged(state, patch, answer, steps);
}

/** After a live change: controls, link and views follow, the loss curve gets a mark, and
 * the status line says what happened to the run.
 * @param {State} state @param {Partial<Config>} patch @param {Reconfiguration} answer @param {number} steps */
function liveChanged(state, patch, answer, steps) {
  const { run, config } = state;
  if (!run) return;
  const changed = /** @type {Field[]} */ (Object.keys(patch)).filter((k) => k in MARK_TEXT);
  if (changed.length) run.marks.push({ step: steps, text: changed.map((k) => MARK_TEXT[k]?.(config)).join(", ") });
  if (answer.points_redrawn) run.data = run.trainer.data();
  if ("batch_size" in patch) state.backend.remeasureSoon(run.trainer); // the cost per step changed
  syncControls(state);
  writeUrl(config, state.pace);
  const what = changed.map((k) => `${labelOf(k)} ${valueText(config, k)}`);
  const extra = answer.optimizer_reset
    ? `; ${choiceText("#optimizer", config.optimizer)} starts from zero moments`
    : answer.points_redrawn
      ? "; the same points, drawn again with the new noise"
      : "";
  showNote(`From step ${steps} on: ${what.join(", ")}, the same weights${extra}.`);
  render(state);
}
