// @ts-check
// Where things are in the program's text: the engine's spans are UTF-8 byte offsets,
// JavaScript's strings are indexed by UTF-16 code units.

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
