// @ts-check
// The guided tour (tour.html): the lecture's ideas in its order, a step a screen, each with
// a few sentences on what to look at and the live view that shows it, an embed of one of
// the two pages in a frame.
//
//   tour.html#step=4          (or #step=computation-graph, the step's name)
//
// Back / Next, ← and → (not while a form field has the focus; keys pressed in the frame go
// to its page), the menu of steps. Each move is a new entry in the history, so the
// browser's Back goes to the step before. A link is untrusted text: a step that is not one
// opens step 1 and says so.

import { $, el } from "../dom.js";
import { clip, embedUrl } from "../embed-link.js";
import { PLAYGROUND, TRAINING } from "../embed.js";
import { mountThemeControls } from "../theme.js";
import { STEPS } from "./steps.js";

/** @typedef {import("./steps.js").Step} Step */

const ui = {
  back: $("#tour-back", HTMLButtonElement),
  next: $("#tour-next", HTMLButtonElement),
  count: $("#tour-count"),
  menu: $("#tour-steps", HTMLSelectElement),
  note: $("#tour-note"),
  title: $("#tour-title"),
  text: $("#tour-text"),
  open: $("#tour-open", HTMLAnchorElement),
  frame: $("#tour-frame"),
};

/** The step a fragment names (from 0), and what could not be read of it, in a sentence.
 * @param {string} hash `location.hash`, with or without its '#'
 * @returns {{ index: number, note: string | null }} */
export function readStep(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const keys = [...new Set(params.keys())];
  const others = keys.filter((k) => k !== "step");
  const extra = others.length ? ` (${others.slice(0, 3).map((k) => `“${clip(k)}”`).join(", ")} ${others.length === 1 ? "is not a setting" : "are not settings"} of the tour.)` : "";
  const values = params.getAll("step");
  if (values.length === 0) return { index: 0, note: extra ? `The link asks for no step: step 1 is shown.${extra}` : null };
  const raw = values[0].trim().toLowerCase();
  const byNumber = /^\d{1,3}$/.test(raw) ? Number(raw) - 1 : -1;
  const index = byNumber >= 0 && byNumber < STEPS.length ? byNumber : STEPS.findIndex((s) => s.slug === raw);
  if (values.length > 1) return { index: 0, note: `The link gives the step ${values.length} times, so which is meant is unclear: step 1 is shown.${extra}` };
  if (index < 0) {
    return {
      index: 0,
      note: `The link's step “${clip(values[0])}” is not a step of this tour (1 to ${STEPS.length}, or a name such as ${STEPS[1].slug}): step 1 is shown.${extra}`,
    };
  }
  return { index, note: extra ? `Step ${index + 1} is shown.${extra}` : null };
}

/** The embed `step` loads in the frame, and its whole page, as addresses.
 * @param {Step} step */
export function viewOf(step) {
  const page = step.page === "train.html" ? TRAINING : PLAYGROUND;
  const whole = new URL(`${step.page}${step.fragment}`, location.href).href;
  const shown = new Set(page.parts.filter((p) => p.shown).map((p) => p.name));
  for (const name of step.show) shown.add(name);
  for (const name of step.hide) shown.delete(name);
  return { embed: embedUrl(whole, page, shown), whole };
}

/** The step on screen (from 0). */
let current = -1;

/** Shows step `index`: its words, its view in a new frame, the buttons and the count.
 * @param {number} index */
function show(index) {
  if (index === current) return;
  current = index;
  const step = STEPS[index];
  const { embed, whole } = viewOf(step);
  ui.title.textContent = step.title;
  ui.text.replaceChildren(...step.text.map((sentence) => el("p", { textContent: sentence })));
  ui.count.textContent = `Step ${index + 1} of ${STEPS.length}`;
  ui.menu.value = String(index);
  ui.back.disabled = index === 0;
  ui.next.disabled = index === STEPS.length - 1;
  ui.open.href = whole;
  // A new frame rather than a new src: navigating a frame adds to the window's history,
  // and the browser's Back must go to the step before, not to the frame's last view.
  const frame = el("iframe", { src: embed, title: `${step.title}: the live view` });
  frame.dataset.step = String(index + 1);
  ui.frame.replaceChildren(frame);
  document.title = `gradscope tour, ${index + 1}/${STEPS.length}: ${step.title}`;
}

/** Moves to step `index` (kept in range) and records it in the history. @param {number} index */
function go(index) {
  const to = Math.max(0, Math.min(STEPS.length - 1, index));
  if (to === current) return;
  ui.note.hidden = true;
  show(to);
  history.pushState(null, "", `#step=${to + 1}`);
}

/** The step the address names, with its note if the link was damaged (then the address is
 * corrected to the step shown). */
function fromAddress() {
  const { index, note } = readStep(location.hash);
  ui.note.hidden = note === null;
  ui.note.textContent = note ?? "";
  show(index);
  if (note !== null || location.hash === "") history.replaceState(null, "", `#step=${index + 1}`);
}

/** Whether a key pressed at `target` is the field's own (an arrow moves its caret or its
 * choice). @param {EventTarget | null} target */
function inField(target) {
  return target instanceof HTMLElement && (target.isContentEditable || target.matches("input, select, textarea"));
}

function main() {
  mountThemeControls();
  STEPS.forEach((s, i) => ui.menu.append(el("option", { value: String(i), textContent: `${i + 1}. ${s.title}` })));
  ui.back.addEventListener("click", () => go(current - 1));
  ui.next.addEventListener("click", () => go(current + 1));
  ui.menu.addEventListener("change", () => go(Number(ui.menu.value)));
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || inField(e.target)) return;
    if (e.key === "ArrowLeft") go(current - 1);
    else if (e.key === "ArrowRight") go(current + 1);
    else return;
    e.preventDefault();
  });
  // The focus gone into the view: the frame is ringed (the frame element itself never
  // matches :focus while its page has the focus).
  const ringFrame = () => ui.frame.classList.toggle("focus-in", document.activeElement instanceof HTMLIFrameElement);
  window.addEventListener("blur", () => {
    ringFrame();
    setTimeout(ringFrame);
  });
  window.addEventListener("focus", ringFrame);
  // The browser's Back and Forward, and a fragment edited by hand.
  window.addEventListener("popstate", fromAddress);
  fromAddress();
}

main();
