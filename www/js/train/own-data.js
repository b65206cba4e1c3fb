// @ts-check
// The user's own points: read from a CSV file or pasted text (`readPoints`: x1,x2,label,
// comma- or tab-separated, a header row optional), trained on as the dataset "own"
// (`Trainer.withPoints`, split by the seed), chosen again from the Dataset menu, and the
// current points downloaded as CSV. Text that cannot be used is refused whole, with the
// line and column the engine names, under the Data panel's controls: the run and its
// points stay as they were until a new run is built.

import { Trainer, readPoints } from "gradscope";
import { $ } from "../dom.js";
import { messageOf } from "../errors.js";
import { startRun } from "./changes.js";
import { choiceText } from "./fields.js";
import { syncControls } from "./form.js";
import { download, onFileChosen, readBytes, showRefusal } from "./files.js";
import { conflictReasons, normalize } from "./rules.js";
import { showNote, showProblem } from "./status.js";

/** @typedef {import("../../pkg/gradscope.js").Config} Config */
/** @typedef {import("../../pkg/gradscope.js").Loss} Loss */
/** @typedef {import("./state.js").State} State */
/** @typedef {import("./state.js").OwnData} OwnData */

// 5000 points of x1,x2,label are far smaller, even with long numbers and comments; a
// larger file is refused before it is read.
const MAX_CSV_BYTES = 8 * 2 ** 20;

const message = $("#data-message");
const pasted = $("#paste-text", HTMLTextAreaElement);

/** @param {State} state */
export function wireOwnData(state) {
  onFileChosen($("#csv-file", HTMLInputElement), message, async (file) => {
    loadPoints(state, file.name, await readBytes(file, MAX_CSV_BYTES), file.name);
  });
  $("#paste-load").addEventListener("click", () => {
    if (loadPoints(state, "pasted text", new TextEncoder().encode(pasted.value), "pasted text")) $("#paste", HTMLDetailsElement).open = false;
  });
  $("#download-csv").addEventListener("click", () => {
    if (state.run) download("points.csv", state.run.trainer.pointsCsv(), "text/csv");
  });
}

/** Reads `bytes` as points and starts a run on them; if they cannot be read or trained
 * on, says why under the controls (`source:` first) and changes nothing. Returns whether
 * they were loaded. @param {State} state @param {string} name what the Dataset menu calls
 * them @param {Uint8Array} bytes @param {string} source how a refusal names them */
function loadPoints(state, name, bytes, source) {
  /** @type {OwnData} */
  let own;
  let started;
  try {
    own = { name, ...readPoints(bytes, state.config.problem) };
    started = trainerOn(state, own);
  } catch (e) {
    showRefusal(message, `${source}: ${messageOf(e)}`);
    return false;
  }
  showRefusal(message, "");
  state.own = own;
  begin(state, started, `Loaded ${name}`);
  return true;
}

/** The Dataset menu's "your data": the points last loaded, again from step 0. @param {State} state */
export function useOwnPoints(state) {
  const own = state.own;
  if (!own) return;
  let started;
  try {
    started = trainerOn(state, own);
  } catch (e) {
    syncControls(state); // the menu shows the dataset still in use
    showProblem(`Not changed: ${messageOf(e)}.`);
    return;
  }
  begin(state, started, `Your data again (${own.name})`);
}

/** A trainer on `own` with the current setup, their classes and count, and a loss that
 * can have their classes (the first the engine lists, should the current one not); and
 * why the loss was changed, if it was. Throws if the engine refuses them.
 * @param {State} state @param {OwnData} own
 * @returns {{ trainer: Trainer, config: Required<Config>, lossChanged: string }} */
function trainerOn({ rules, config: current }, own) {
  // A regression's points have targets, not classes: its own class count stays.
  const classes = own.classes || current.classes;
  /** @type {Required<Config>} */
  const config = normalize(rules, { ...current, dataset: "own", classes, points: own.points.length });
  let lossChanged = "";
  if (config.problem === "classification" && !rules.losses[config.loss].includes(own.classes)) {
    const losses = /** @type {Loss[]} */ (Object.keys(rules.losses));
    const fits = losses.find((l) => rules.losses[l].includes(own.classes));
    if (fits) {
      lossChanged = conflictReasons(rules, config).join(", and ");
      config.loss = fits;
    }
  }
  return { trainer: Trainer.withPoints(config, own), config, lossChanged };
}

/** The run on own points starts, and the note says what it is.
 * @param {State} state @param {{ trainer: Trainer, config: Required<Config>, lossChanged: string }} started @param {string} what */
function begin(state, { trainer, config, lossChanged }, what) {
  state.config = config;
  startRun(state, trainer);
  const { train, test, points } = trainer.data();
  const loss = lossChanged ? ` The loss is now ${choiceText("#loss", config.loss)}: ${lossChanged}.` : "";
  const of = config.problem === "regression" ? "with targets y" : `of ${config.classes} classes`;
  showNote(`${what}: ${points.length} points ${of} (${train.length} for training, ${test.length} for testing), a new run from step 0.${loss}`);
}
