// @ts-check
// The selected point: the line under the plot that names it, with the training objective
// at that point (Trainer.gradientAt), and "Open as a program", which opens the network's
// forward and backward pass at that point (or, with none selected, at the first training
// point) in the playground, in a new tab.

import { $ } from "../dom.js";
import { messageOf } from "../errors.js";
import { fmt, full } from "../format.js";
import { MAX_PROGRAM, programLink, programText } from "./program.js";
import { featureLabel } from "./rules.js";
import { showNote, showProblem } from "./status.js";

/** @typedef {import("./state.js").State} State */
/** @typedef {import("./state.js").Run} Run */

const line = $("#selected-point");
const button = $("#open-program", HTMLButtonElement);
const note = $("#program-note");
const link = $("#program-link", HTMLAnchorElement);

/** The point a program is opened at: the selected one, else the first training point.
 * @param {Run} run @returns {{ index: number, chosen: boolean } | null} */
function programPoint(run) {
  if (run.selected !== null && run.selected < run.data.points.length) return { index: run.selected, chosen: true };
  const first = run.data.train[0];
  return first === undefined ? null : { index: first, chosen: false };
}

/** A coordinate as the line shows it: two decimals, a true minus sign. @param {number} v */
const coord = (v) => v.toFixed(2).replace("-", "−");

/** The line under the plot and the button's note, after a render. @param {State} state */
export function showSelection(state) {
  const run = state.run;
  if (!run) return;
  if (run.selected !== null && run.selected >= run.data.points.length) run.selected = null;
  const i = run.selected;
  if (i === null) {
    line.textContent = "";
    delete line.dataset.loss;
    delete line.dataset.point;
  } else {
    // A forward and backward pass of its own: while training, a few times a second.
    const now = performance.now();
    if (state.loop.playing && line.dataset.point === String(i) && now - shownAt < REFRESH_MS) return showButton(run);
    shownAt = now;
    const [x1, x2] = run.data.points[i];
    const split = run.data.test.includes(i) ? "test" : "train";
    const g = run.trainer.gradientAt(i);
    const value = run.data.classes === 0 ? `y = ${fmt((run.data.targets ?? [])[i])}` : `class ${run.data.labels[i]}`;
    line.textContent = `point ${i}: (${coord(x1)}, ${coord(x2)}), ${value}, ${split} · L at this point = ${fmt(g.loss)}`;
    line.dataset.loss = full(g.loss);
    line.dataset.point = String(i);
  }
  showButton(run);
}

/** When the line under the plot was last computed, and how often while training. */
let shownAt = -Infinity;
const REFRESH_MS = 250;

/** The button and its note: at the selected point, or the first training point. @param {Run} run */
function showButton(run) {
  const at = programPoint(run);
  button.disabled = at === null;
  note.textContent =
    at === null ? "no points to run it at" : at.chosen ? `at point ${at.index}` : `no point selected: at the first training point, ${at.index}`;
}

/** Builds the program at the point, sets the link to it and opens it in a new tab.
 * @param {State} state */
export async function openAsProgram(state) {
  const run = state.run;
  if (!run) return;
  const at = programPoint(run);
  if (!at) return;
  // The trainer's own configuration: the network its weights are of.
  const config = run.trainer.config;
  const text = programText(
    {
      config,
      data: run.data,
      layers: run.trainer.layers(),
      step: run.trainer.steps,
      featureNames: config.features.map((f) => featureLabel(state.rules, f)),
    },
    at.index,
  );
  if (text.length > MAX_PROGRAM) {
    showNote(`This network is too large to open as a program: its text would be ${text.length.toLocaleString("en")} characters, and the playground reads at most ${MAX_PROGRAM.toLocaleString("en")}.`);
    return;
  }
  let href;
  try {
    href = await programLink(text);
  } catch (e) {
    showProblem(`The program could not be opened: ${messageOf(e)}`);
    return;
  }
  link.href = href;
  link.dataset.point = String(at.index);
  link.dataset.step = String(run.trainer.steps);
  link.hidden = false;
  link.textContent = `the program at point ${at.index}, step ${run.trainer.steps} (a new tab)`;
  // The click's user activation outlasts the compression; if a blocker stops the tab, the link stays.
  window.open(href, "_blank", "noopener");
  if (!at.chosen) showNote(`No point was selected, so the program runs at the first training point, ${at.index}.`);
}
