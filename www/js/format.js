// @ts-check
// Numbers as a person reads them: 6 significant digits, and NaN and infinities spelled out
// (never a crash, never "undefined"), and a number an exercise hides as "?".

/** A number an exercise hides (exercise-link.js puts it in the node report in place of the
 * engine's): every formatter here writes it "?", and the colour scale leaves it out. No
 * evaluation gives it: it is not a rounded result, and the page's graphs do not reach 1e307. */
export const HIDDEN = 8.98846567431158e307 * 1.0000001;

/** 6 significant digits: 11.6521, 1.71634, -0.000123, 1.5e+21.
 * @param {number | null | undefined} x */
export const fmt = (x) => fmtDigits(x, 6);

/** As `fmt`, to `digits` significant digits (1 to 6): for numbers shown many to a line,
 * such as the terms of a formula. @param {number | null | undefined} x @param {number} digits */
export function fmtDigits(x, digits) {
  if (x === null || x === undefined) return "–";
  if (x === HIDDEN) return "?";
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "∞";
  if (x === -Infinity) return "−∞";
  if (x === 0) return "0";
  const s = String(Number(x.toPrecision(Math.min(6, Math.max(1, digits)))));
  return s.replaceAll("-", "−"); // the exponent's sign too (1e−7)
}

/** Full precision, for data attributes and copying: what the engine computed.
 * @param {number} x */
export function full(x) {
  if (x === HIDDEN) return "?";
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return String(x);
}

/** A duration given in ms, in the unit that reads best, to 2 significant digits: "35 µs",
 * "1.2 ms", "3.4 s"; under a microsecond "< 1 µs", never "0 µs".
 * @param {number | null | undefined} ms */
export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  /** @param {number} x */
  const sig = (x) => Number(x.toPrecision(2));
  if (sig(ms * 1000) < 1) return "< 1 µs";
  if (sig(ms * 1000) < 1000) return `${sig(ms * 1000)} µs`;
  if (sig(ms) < 1000) return `${sig(ms)} ms`;
  return `${sig(ms / 1000)} s`;
}
