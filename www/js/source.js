// @ts-check
// The program text behind the engine's spans: the engine counts UTF-8 bytes, JavaScript
// strings count UTF-16 units, so every span is converted here before text is cut.

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

/** A function from a UTF-8 byte offset to its 1-based line, for many lookups in one text:
 * the byte offsets where lines start are found once, then each lookup is a binary search.
 * @param {string} text @returns {(byte: number) => number} */
export function lineOfByte(text) {
  const starts = [0];
  let bytes = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (ch === "\n") starts.push(bytes);
  }
  return (byte) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= byte) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
