// @ts-check
// A program's text as the engine points into it: spans are UTF-8 byte offsets (Rust's
// strings), the page's strings are UTF-16. Shared by the error marks and the step-through,
// which names the line each node came from.

/** UTF-8 byte offset (from the engine) to a JavaScript string index.
 * @param {string} text @param {number} byte */
export function byteToIndex(text, byte) {
  let bytes = 0;
  let i = 0;
  for (const ch of text) {
    if (bytes >= byte) break;
    const c = ch.codePointAt(0) ?? 0;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    i += ch.length;
  }
  return i;
}

/** The lines of a text and the string index where each begins, so that the line of a
 * span is a binary search, not a walk over the text for each of a run's nodes. */
export class SourceLines {
  /** @param {string} text */
  constructor(text) {
    this.text = text;
    /** Where each line starts, as a string index and as a UTF-8 byte offset. @type {number[]} */
    this.starts = [0];
    /** @type {number[]} */
    this.byteStarts = [0];
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // A surrogate pair is one 4-byte character: 2 + 2 here.
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xe000 ? 2 : 3;
      if (c === 10) {
        this.starts.push(i + 1);
        this.byteStarts.push(bytes);
      }
    }
  }

  /** The line (from 0) that byte offset `byte` is on. @param {number} byte */
  #lineIndex(byte) {
    let lo = 0;
    let hi = this.byteStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.byteStarts[mid] <= byte) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The string index of byte offset `byte`: its line found by a binary search, then a
   * walk along that line only, so a program's thousands of spans cost little. @param {number} byte */
  index(byte) {
    const line = this.#lineIndex(byte);
    const start = this.starts[line];
    return start + byteToIndex(this.text.slice(start, this.starts[line + 1] ?? this.text.length), byte - this.byteStarts[line]);
  }

  /** The text of the byte span `start..end`. @param {number} start @param {number} end */
  slice(start, end) {
    return this.text.slice(this.index(start), this.index(end));
  }

  /** The line (from 1) that byte offset `byte` is on. @param {number} byte */
  lineOf(byte) {
    return this.#lineIndex(byte) + 1;
  }

  /** Line `line`'s text (from 1), without its indentation. @param {number} line */
  lineText(line) {
    const end = line < this.starts.length ? this.starts[line] - 1 : this.text.length;
    return this.text.slice(this.starts[line - 1], end).trim();
  }
}

/** The text of a byte span, its line (from 1), and the name it was assigned to when the
 * span is the whole right-hand side of `name = …` (so a node reads as `h`, as the lecture
 * names it, rather than as its op).
 * @param {string} text @param {{ start: number, end: number }} span */
export function spanText(text, span) {
  const a = byteToIndex(text, span.start);
  const b = Math.max(a, byteToIndex(text, span.end));
  const lineStart = text.lastIndexOf("\n", a - 1) + 1;
  const lineEnd = text.indexOf("\n", b);
  const before = text.slice(lineStart, a);
  const after = text.slice(b, lineEnd < 0 ? text.length : lineEnd);
  const assigned = /^\s*([A-Za-z_]\w*)\s*=\s*$/.exec(before);
  // A closing ')' may trail the span (a parenthesised right-hand side), or a comment.
  const name = assigned && /^[\s)]*(#.*)?$/.test(after) ? assigned[1] : null;
  return { text: text.slice(a, b), line: text.slice(0, a).split("\n").length, name };
}
