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

/** The 1-based line of string index `i`. @param {string} text @param {number} i */
export function lineAt(text, i) {
  let line = 1;
  for (let k = text.indexOf("\n"); k >= 0 && k < i; k = text.indexOf("\n", k + 1)) line++;
  return line;
}
