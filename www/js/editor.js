// @ts-check
// The program editor: the expression box, with line numbers once the text has several
// lines and a layer of marks drawn behind its text (an error's span, highlighted ranges,
// the current line of a step-through).
//
// The textarea stays the real editor (its text, caret, selection, undo, `input` events);
// its background is transparent, and under it lies a mirror with the same font, padding
// and lines whose text is invisible and whose marks are coloured spans. The mirror and the
// gutter are moved with the textarea's scroll. Both are aria-hidden: the textarea and the
// error box below it say everything to a screen reader. User text only ever goes in as
// textContent.
//
// Positions are JavaScript string indices (UTF-16 code units), lines count from 1 like the
// gutter: callers holding the engine's UTF-8 byte offsets convert them first.

import { el } from "./dom.js";

/**
 * A part of the text to mark, from `start` up to (not including) `end`.
 * @typedef {object} Range
 * @property {number} start
 * @property {number} end
 * @property {string} [className] how it is drawn; "highlight" if not given
 */

/** Rows the box grows to; a longer text scrolls. */
const MAX_ROWS = 12;
const INDENT = "    ";
/** Characters of source shown either side of an error in the message's snippet. */
const CONTEXT = 40;

export class Editor {
  /**
   * Wraps `textarea` (left where it is, inside the editor) and shows errors in `errorBox`.
   * @param {HTMLTextAreaElement} textarea
   * @param {{ errorBox: HTMLElement }} options
   */
  constructor(textarea, { errorBox }) {
    this.textarea = textarea;
    this.errorBox = errorBox;
    /** Called with the caret's line when the caret moves to another line (typing, arrows,
     * a click). @type {(line: number) => void} */
    this.onCaretLine = () => {};
    /** Called with the line under the mouse when it moves onto another line of the text,
     * and with null when it leaves the text. @type {(line: number | null) => void} */
    this.onHoverLine = () => {};

    this.numbers = el("div", { className: "editor-numbers" });
    this.gutter = el("div", { className: "editor-gutter" }, this.numbers);
    this.lineMark = el("div", { className: "editor-line-mark", hidden: true });
    this.marks = el("pre", { className: "editor-marks" });
    this.layer = el("div", { className: "editor-layer" }, this.lineMark, this.marks);
    for (const e of [this.gutter, this.layer]) e.setAttribute("aria-hidden", "true");
    this.body = el("div", { className: "editor-body" }, this.layer);
    this.root = el("div", { className: "editor" }, this.gutter, this.body);
    textarea.replaceWith(this.root);
    this.body.append(textarea);

    /** @type {{ start: number, end: number, message: string, related: Range | null } | null} */
    this.error = null;
    /** @type {Range[]} */
    this.highlights = [];
    /** @type {number | null} */
    this.markedLine = null;
    /** Set by Escape: the next Tab leaves the editor. */
    this.released = false;
    /** @type {number | null} */
    this.caretLine = null;
    /** @type {number | null} */
    this.hoverLine = null;
    this.#listen();
    this.refresh();
  }

  /** The text as it is now. */
  get text() {
    return this.textarea.value;
  }

  /** The number of lines of the text. */
  get lineCount() {
    return lineStarts(this.text).length;
  }

  /** The line (from 1) that string index `index` is on. @param {number} index */
  lineOf(index) {
    return lineOfIndex(lineStarts(this.text), index);
  }

  /** Fits the box, the gutter and the marks to a changed text: called on every input, and
   * by whoever sets the textarea's value from code (which fires no `input`). Highlights
   * were ranges of the old text, so they go; the error stays until it is cleared or
   * replaced (the page does either on every change). */
  refresh() {
    this.highlights = [];
    const lines = this.lineCount;
    this.textarea.rows = Math.min(Math.max(lines, 1), MAX_ROWS);
    // One line is the one-line box it always was: numbers only for a program.
    this.root.classList.toggle("lines", lines > 1);
    if (this.numbers.childElementCount !== lines) {
      this.numbers.replaceChildren(...Array.from({ length: lines }, (_, i) => el("div", { textContent: String(i + 1) })));
      this.gutter.style.setProperty("--digits", String(String(lines).length));
    }
    this.#render();
  }

  /**
   * Marks `start`–`end` as wrong in the text (a wavy underline on its line), the `related`
   * range too if given (the '(' an error refers to), and says `message` under the editor
   * with a snippet of the source around it.
   * @param {number} start @param {number} end @param {string} message @param {Range} [related]
   */
  showError(start, end, message, related) {
    this.error = { start, end: Math.max(start, end), message, related: related ?? null };
    this.textarea.setAttribute("aria-invalid", "true");
    this.#say(message, this.#snippet());
    this.#render();
  }

  /** A message under the editor that marks nothing in the text (a link that could not be
   * read, say); it goes when the next edit clears the error. @param {string} message */
  showMessage(message) {
    this.error = null;
    this.textarea.removeAttribute("aria-invalid");
    this.#say(message, null);
    this.#render();
  }

  clearError() {
    this.error = null;
    this.errorBox.hidden = true;
    this.errorBox.replaceChildren();
    this.textarea.removeAttribute("aria-invalid");
    this.#render();
  }

  /** Highlights these ranges of the text (the source of a hovered node, say); `[]` clears.
   * They belong to the text they were given for: an edit drops them. @param {Range[]} ranges */
  highlight(ranges) {
    this.highlights = ranges.map((r) => ({ start: r.start, end: r.end, className: r.className ?? "highlight" }));
    this.#render();
  }

  /** Marks a whole line (from 1; the current line of a step-through), or none with null.
   * @param {number | null} line */
  markLine(line) {
    this.markedLine = line;
    this.#placeLineMark();
    this.#markGutter();
  }

  // ---- drawing --------------------------------------------------------------------------------

  /** The mirror's text, cut into spans where marks begin and end. */
  #render() {
    const text = this.text;
    const n = text.length;
    /** @type {{ start: number, end: number, className: string }[]} */
    const ranges = [];
    const clamp = (/** @type {number} */ i) => Math.min(Math.max(0, i), n);
    for (const r of this.highlights) ranges.push({ start: clamp(r.start), end: clamp(r.end), className: `mark-${r.className}` });
    /** Where an error with nothing to underline (at the end of a line) gets a space. */
    let placeholder = -1;
    if (this.error) {
      const { start, end, related } = this.error;
      if (related) ranges.push({ start: clamp(related.start), end: clamp(related.end), className: "mark-related" });
      const a = clamp(start);
      // An empty span is the character at it, unless that is the line's end.
      const b = end > start ? clamp(end) : a < n && text[a] !== "\n" ? a + 1 : a;
      if (/^\n*$/.test(text.slice(a, b))) placeholder = a;
      else ranges.push({ start: a, end: b, className: "mark-error" });
    }
    const cuts = [...new Set([0, n, placeholder, ...ranges.flatMap((r) => [r.start, r.end])])].filter((i) => i >= 0).sort((x, y) => x - y);
    /** @type {(Node | string)[]} */
    const parts = [];
    for (let k = 0; k < cuts.length; k++) {
      const a = cuts[k];
      if (a === placeholder) parts.push(el("span", { className: "mark-error", textContent: " " }));
      if (k + 1 === cuts.length) break;
      const b = cuts[k + 1];
      const classes = ranges.filter((r) => r.start <= a && r.end >= b && r.start < r.end).map((r) => r.className);
      const piece = text.slice(a, b);
      parts.push(classes.length ? el("span", { className: classes.join(" "), textContent: piece }) : piece);
    }
    this.marks.replaceChildren(...parts);
    this.#markGutter();
    this.#follow(); // and places the line mark
  }

  /** The gutter says which lines hold the error and the marked line. */
  #markGutter() {
    const errorLine = this.error ? this.lineOf(this.error.start) : null;
    [...this.numbers.children].forEach((e, i) => {
      e.classList.toggle("error", i + 1 === errorLine);
      e.classList.toggle("marked", i + 1 === this.markedLine);
    });
  }

  #placeLineMark() {
    const line = this.markedLine;
    const valid = line !== null && line >= 1 && line <= this.lineCount;
    this.lineMark.hidden = !valid;
    if (!valid) return;
    const { top, lineHeight } = this.#metrics();
    this.lineMark.style.top = `${top + (line - 1) * lineHeight - this.textarea.scrollTop}px`;
    this.lineMark.style.height = `${lineHeight}px`;
  }

  /** The mirror and the numbers scroll with the text. Moved, not scrolled: a transform has
   * no scroll limit, so the textarea's scrollbars cannot put them out of step. */
  #follow() {
    const { scrollLeft: x, scrollTop: y } = this.textarea;
    this.marks.style.transform = `translate(${-x}px, ${-y}px)`;
    this.numbers.style.transform = `translateY(${-y}px)`;
    this.#placeLineMark();
  }

  /** The textarea's first line's top (inside its box) and its line height, in CSS pixels. */
  #metrics() {
    const style = getComputedStyle(this.textarea);
    const lineHeight = parseFloat(style.lineHeight) || 1.35 * parseFloat(style.fontSize);
    return { top: parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop), lineHeight };
  }

  /** The message in the error box, and the snippet if there is one.
   * @param {string} message @param {HTMLElement | null} snippet */
  #say(message, snippet) {
    const box = this.errorBox;
    box.replaceChildren(el("div", { className: "message", textContent: message }));
    if (snippet) box.append(snippet);
    box.hidden = false;
  }

  /** The error's line (from the related range's, if that is earlier) with the span marked;
   * a long line is cut to the part around the error, so a 5,000-character paste cannot
   * push the sidebar aside. The editor's underline is the place; this says it to a screen
   * reader (announce.js reads it out once typing pauses) and keeps it in sight when the line is scrolled away. */
  #snippet() {
    const text = this.text;
    if (!this.error) return null;
    const { start, end, message, related } = this.error;
    const marks = [{ start, end: Math.max(end, start + 1), className: "bad", title: message }];
    if (related && related.end <= start) marks.unshift({ start: related.start, end: related.end, className: "related", title: "the '(' it would close" });
    const lineEnd = text.indexOf("\n", Math.max(start, end - 1));
    const from = Math.max(0, marks[0].start - CONTEXT, text.lastIndexOf("\n", marks[0].start - 1) + 1);
    const to = Math.min(text.length, end + CONTEXT, lineEnd < 0 ? text.length : lineEnd);
    /** @type {(string | Node)[]} */
    const parts = [];
    if (this.lineCount > 1) parts.push(el("span", { className: "where", textContent: `line ${this.lineOf(start)}: ` }));
    if (from > 0 && text[from - 1] !== "\n") parts.push("…");
    let at = from;
    for (const m of marks) {
      if (m.start < at) continue;
      // A span at a line's end marks a space, not the line break.
      const marked = text.slice(m.start, m.end).replace(/\n+$/, "") || " ";
      parts.push(text.slice(at, m.start), el("mark", { className: m.className, textContent: marked, title: m.title }));
      at = m.end;
    }
    if (at < to) parts.push(text.slice(at, to));
    if (to < text.length && text[to] !== "\n") parts.push("…");
    return el("code", { className: "source" }, ...parts);
  }

  // ---- input ----------------------------------------------------------------------------------

  #listen() {
    const box = this.textarea;
    box.addEventListener("input", () => {
      this.refresh();
      this.#caretMoved();
    });
    box.addEventListener("scroll", () => this.#follow());
    box.addEventListener("keydown", (ev) => this.#onKey(ev));
    for (const type of ["keyup", "click", "focus", "select", "selectionchange"]) box.addEventListener(type, () => this.#caretMoved());
    document.addEventListener("selectionchange", () => document.activeElement === box && this.#caretMoved());
    // The gutter too: a number is on its line.
    this.root.addEventListener("mousemove", (ev) => this.#hovered(this.#lineAtY(ev.clientY)));
    this.root.addEventListener("mouseleave", () => this.#hovered(null));
    // A resized box (its corner dragged) shows other lines.
    new ResizeObserver(() => this.#follow()).observe(box);
  }

  #caretMoved() {
    const box = this.textarea;
    const caret = box.selectionDirection === "backward" ? box.selectionStart : box.selectionEnd;
    const line = this.lineOf(caret);
    if (line === this.caretLine) return;
    this.caretLine = line;
    this.onCaretLine(line);
  }

  /** @param {number | null} line */
  #hovered(line) {
    if (line === this.hoverLine) return;
    this.hoverLine = line;
    this.onHoverLine(line);
  }

  /** The line of the text at viewport height `y`, or null above the first or below the
   * last. @param {number} y */
  #lineAtY(y) {
    const { top, lineHeight } = this.#metrics();
    const offset = y - this.textarea.getBoundingClientRect().top - top + this.textarea.scrollTop;
    const line = Math.floor(offset / lineHeight) + 1;
    return offset >= 0 && line <= this.lineCount ? line : null;
  }

  /** Tab and Shift-Tab indent and unindent the caret's line by four spaces while the text
   * has several lines (a program's blocks are indented). On one line, and right after
   * Escape, Tab moves on to the next control as usual, so the keyboard is never trapped.
   * @param {KeyboardEvent} ev */
  #onKey(ev) {
    if (ev.key === "Escape") {
      this.released = true;
      return;
    }
    const release = this.released;
    this.released = false;
    if (ev.key !== "Tab" || release || !this.text.includes("\n")) return;
    const box = this.textarea;
    const { selectionStart: start, selectionEnd: end, value } = box;
    const lineStart = value.lastIndexOf("\n", start - 1) + 1;
    ev.preventDefault();
    if (ev.shiftKey) {
      const spaces = /^ {0,4}/.exec(value.slice(lineStart))?.[0].length ?? 0;
      box.setRangeText("", lineStart, lineStart + spaces, "preserve");
      box.setSelectionRange(Math.max(lineStart, start - spaces), Math.max(lineStart, end - spaces));
    } else {
      box.setRangeText(INDENT, start, start, "end");
    }
    // setRangeText fires no input: the page re-reads the text on this one as on typing.
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

/** The index each line of `text` starts at. @param {string} text */
function lineStarts(text) {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** The line (from 1) holding index `index`, by binary search over the line starts.
 * @param {number[]} starts @param {number} index */
function lineOfIndex(starts, index) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
