// @ts-check
// The status line under the run bar: a problem (in red), or a note on what the page just
// did, with buttons for what it could do instead.

import { $, el } from "../dom.js";

const line = $("#status");

/** A problem, in red; "" clears the line. @param {string} text */
export function showProblem(text) {
  line.className = "";
  line.replaceChildren(text);
}

/** What the page just did or could do; each action is offered as a button.
 * @param {string} text
 * @param {{ label: string, run: () => void }[]} [actions] */
export function showNote(text, actions = []) {
  line.className = "note";
  line.replaceChildren(text);
  for (const { label, run } of actions) {
    line.append(" ", el("button", { type: "button", textContent: label, onclick: run }));
  }
}
