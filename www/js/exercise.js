// @ts-check
// The answers panel of an exercise (exercise-link.js): a field a hidden place, where the
// student types the number worked out (or a constant expression, read by the engine);
// Check marks each right or wrong, with a hint, against the engine's number; Reveal gives
// it, marked as revealed, not right. A place answered right or revealed is shown on the
// graph again (`onChange`). Text goes in as textContent and values only.

import { el } from "./dom.js";
import { fmt, full } from "./format.js";
import { sayNow } from "./announce.js";
import { ABS_TOL, REL_TOL, describe, judge, placeName, readAnswer, truthOf } from "./exercise-link.js";

/** @typedef {import("./exercise-link.js").Place} Place */
/** @typedef {import("../pkg/gradscope.js").Evaluation} Evaluation */
/** @typedef {"open" | "right" | "wrong" | "invalid" | "revealed"} Status */
/** @typedef {{ place: Place, exact: number, status: Status, input: HTMLInputElement, verdict: HTMLElement, reveal: HTMLButtonElement, row: HTMLElement }} Item */

const PERCENT = `${REL_TOL * 100}%`;

export class ExercisePanel {
  /** @param {HTMLElement} box the panel's (empty) section @param {(text: string) => number} evaluate
   *   a constant expression's value, from the engine; throws with a message */
  constructor(box, evaluate) {
    this.box = box;
    this.evaluate = evaluate;
    /** @type {Item[]} */
    this.items = [];
    /** Called when a place is answered right or revealed: the graph shows it again. */
    this.onChange = () => {};
    this.score = el("p", { id: "exercise-score", className: "exercise-score" });
    this.said = el("p", { id: "exercise-said", className: "visually-hidden" });
    this.said.setAttribute("aria-live", "polite");
  }

  /** Every place the exercise asks. */
  all() {
    return this.items.map((i) => i.place);
  }

  /** The places still hidden: not answered right, not revealed. */
  hidden() {
    return this.items.filter((i) => i.status !== "right" && i.status !== "revealed").map((i) => i.place);
  }

  /** Builds the panel for `places` of the graph `truth` (the engine's numbers), at the
   * point said by `point`; `leave` is the link to the same view without the exercise.
   * @param {Evaluation} truth @param {Place[]} places @param {string} point @param {string} leave */
  start(truth, places, point, leave) {
    const form = el("form", { className: "exercise-form", noValidate: true });
    const list = el("ol", { className: "exercise-items" });
    this.items = places.map((place, k) => this.#item(truth, place, k));
    list.append(...this.items.map((i) => i.row));
    const check = el("button", { type: "submit", id: "exercise-check", textContent: "Check" });
    const revealAll = el("button", { type: "button", id: "exercise-reveal-all", textContent: "Reveal all" });
    revealAll.addEventListener("click", () => {
      for (const i of this.items) if (i.status !== "right") this.#reveal(i);
      this.#scored("Revealed every answer not yet right.");
    });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.check();
    });
    form.append(list, el("div", { className: "exercise-actions" }, check, revealAll, this.score));
    const open = el("a", { href: leave, id: "exercise-leave", textContent: "Leave the exercise" });
    this.box.replaceChildren(
      el("h2", { id: "exercise-title", textContent: "Exercise: predict, then reveal" }),
      el("p", {
        className: "hint",
        textContent:
          `At ${point}, each ? on the graph is a number to work out. Type it below: a number, ` +
          `or a constant expression such as 1/2 + cos(5). It counts as right within ${PERCENT} ` +
          `of autodiff's value (or ${ABS_TOL} of it, near 0). The point and f are fixed here.`,
      }),
      form,
      el("p", { className: "hint exercise-leave" }, open, " shows every number, and lets you change f and the point."),
      this.said,
    );
    this.box.setAttribute("aria-labelledby", "exercise-title");
    this.box.hidden = false;
    this.#scored(null);
  }

  /** Checks every answer typed and not yet right or revealed, and says the score. */
  check() {
    const counts = { right: 0, wrong: 0, invalid: 0, empty: 0 };
    for (const i of this.items) {
      if (i.status === "right" || i.status === "revealed") continue;
      const answer = readAnswer(i.input.value, this.evaluate);
      if (answer === null) {
        counts.empty++;
        this.#mark(i, "open", "");
      } else if ("problem" in answer) {
        counts.invalid++;
        this.#mark(i, "invalid", `Not a number: ${answer.problem}. Type a number such as -0.5, nan or inf, or a constant expression such as 2 + 1/2.`);
      } else {
        const { right, hint } = judge(answer.value, i.exact);
        counts[right ? "right" : "wrong"]++;
        if (right) this.#mark(i, "right", `✓ Right: autodiff gives ${fmt(i.exact)}.`);
        else this.#mark(i, "wrong", `✗ Not right${hint ? `: ${hint}` : ""}. Try again, or reveal it.`);
      }
    }
    const parts = [
      counts.right && `${counts.right} newly right`,
      counts.wrong && `${counts.wrong} wrong`,
      counts.invalid && `${counts.invalid} not a number`,
      counts.empty && `${counts.empty} not answered`,
    ].filter(Boolean);
    this.#scored(`Checked: ${parts.join(", ") || "nothing new to check"}.`);
    if (counts.right) this.onChange();
  }

  /** @param {Evaluation} truth @param {Place} place @param {number} k @returns {Item} */
  #item(truth, place, k) {
    const { symbol, words } = describe(truth, place);
    const id = `answer-${k}`;
    const input = el("input", { type: "text", id, className: "exercise-answer", autocomplete: "off", spellcheck: false });
    input.setAttribute("aria-describedby", `${id}-said`);
    input.setAttribute("autocapitalize", "off");
    const reveal = el("button", { type: "button", className: "exercise-reveal", textContent: "Reveal" });
    reveal.setAttribute("aria-label", `Reveal ${symbol}`);
    const verdict = el("p", { id: `${id}-said`, className: "exercise-verdict" });
    const label = el("label", { htmlFor: id }, el("span", { className: "exercise-symbol", textContent: symbol }), " ", el("span", { className: "exercise-words", textContent: words }));
    const row = el("li", { className: "exercise-item" }, label, el("div", { className: "exercise-row" }, input, reveal), verdict);
    row.dataset.place = placeName(truth.nodes, place);
    /** @type {Item} */
    const item = { place, exact: truthOf(truth, place), status: "open", input, verdict, reveal, row };
    reveal.addEventListener("click", () => {
      this.#reveal(item);
      this.#scored(`${symbol} revealed: ${fmt(item.exact)}.`);
    });
    // An answer edited after a verdict is unchecked again.
    input.addEventListener("input", () => item.status !== "open" && this.#mark(item, "open", ""));
    return item;
  }

  /** @param {Item} i */
  #reveal(i) {
    if (i.status === "revealed") return;
    i.input.value = fmt(i.exact);
    i.input.title = full(i.exact);
    this.#mark(i, "revealed", `Revealed: autodiff gives ${fmt(i.exact)} (not counted as right).`);
    this.onChange();
  }

  /** @param {Item} i @param {Status} status @param {string} text */
  #mark(i, status, text) {
    i.status = status;
    i.row.dataset.status = status;
    i.verdict.textContent = text;
    i.input.toggleAttribute("aria-invalid", status === "invalid");
    // Right and revealed are done: the number is on the graph now.
    const done = status === "right" || status === "revealed";
    i.input.readOnly = done;
    i.reveal.disabled = done;
  }

  /** The score line, and what a check or a reveal did said to screen readers.
   * @param {string | null} news */
  #scored(news) {
    const right = this.items.filter((i) => i.status === "right").length;
    const revealed = this.items.filter((i) => i.status === "revealed").length;
    const score = `${right} of ${this.items.length} right${revealed ? `, ${revealed} revealed` : ""}`;
    this.score.textContent = score;
    if (news) sayNow(this.said, `${news} ${score}.`);
  }
}
