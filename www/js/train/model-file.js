// @ts-check
// The run as a file. Save model downloads all that the run is (configuration, points,
// weights, the optimiser's moments, the step count and where the batches stand) as JSON
// (`Trainer.save`); Load model reads one back (`Trainer.load`) to train on exactly as if
// it had never stopped. A damaged file, or one that is no model, is refused with the
// engine's reason beside the buttons, and the current run goes on as it was.

import { Trainer } from "gradscope";
import { $ } from "../dom.js";
import { messageOf } from "../errors.js";
import { startRun } from "./changes.js";
import { choiceText } from "./fields.js";
import { download, onFileChosen, readBytes, showRefusal } from "./files.js";
import { showNote } from "./status.js";

/** @typedef {import("./state.js").State} State */

// The largest run (5000 points, the widest and deepest network, Adam's two moments per
// weight) saves to a few MB.
const MAX_MODEL_BYTES = 64 * 2 ** 20;

const message = $("#model-message");

/** @param {State} state */
export function wireModelFile(state) {
  $("#save-model").addEventListener("click", () => {
    const trainer = state.run?.trainer;
    if (trainer) download(`gradscope-model-step-${trainer.steps}.json`, trainer.save(), "application/json");
  });
  onFileChosen($("#model-file", HTMLInputElement), message, async (file) => {
    const text = new TextDecoder().decode(await readBytes(file, MAX_MODEL_BYTES));
    let trainer;
    try {
      trainer = Trainer.load(text);
    } catch (e) {
      showRefusal(message, `${file.name}: ${messageOf(e)}`);
      return;
    }
    showRefusal(message, "");
    useModel(state, trainer, file.name);
  });
}

/** The loaded run replaces the current one, paused at its step; its points, if its own,
 * become the page's own points (the Dataset menu offers them under the file's name).
 * @param {State} state @param {Trainer} trainer @param {string} name */
function useModel(state, trainer, name) {
  const config = trainer.config;
  const data = trainer.data();
  if (config.dataset === "own") state.own = { name, points: data.points, labels: data.labels, classes: data.classes, targets: data.targets ?? [] };
  state.config = config;
  startRun(state, trainer);
  const dataset = config.dataset === "own" ? "your data" : choiceText("#dataset", config.dataset);
  showNote(
    `Loaded ${name}: step ${trainer.steps}, epoch ${trainer.epochs}, ${dataset} (${data.points.length} points), ` +
      `${config.hidden.length ? `hidden layers ${config.hidden.join("-")}` : "no hidden layer"}; paused, Play trains on from here.`,
  );
}
