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
    /** @type {number[]} */
    this.starts = [0];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
    // Byte offsets equal string indices until the first character past ASCII.
    const wide = text.search(/[^\x00-\x7f]/);
    this.ascii = wide < 0 ? text.length : wide;
  }

  /** The string index of byte offset `byte`. @param {number} byte */
  index(byte) {
    return byte <= this.ascii ? byte : byteToIndex(this.text, byte);
  }

  /** The text of the byte span `start..end`. @param {number} start @param {number} end */
  slice(start, end) {
    return this.text.slice(this.index(start), this.index(end));
  }

  /** The line (from 1) that byte offset `byte` is on. @param {number} byte */
  lineOf(byte) {
    const i = this.index(byte);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Line `line`'s text (from 1), without its indentation. @param {number} line */
  lineText(line) {
    const end = line < this.starts.length ? this.starts[line] - 1 : this.text.length;
    return this.text.slice(this.starts[line - 1], end).trim();
  }
}
