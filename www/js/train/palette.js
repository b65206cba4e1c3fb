// @ts-check
// The training page's colours by meaning: one per class, on the plot and in the class
// menu. The network view reuses the first two for a value's sign (orange < 0 < blue).

/** @typedef {[number, number, number]} Rgb */

/** The colour of each class, and its name in the class menu. There is one for every class
 * the engine allows (Rules: at most 3).
 * @type {{ rgb: Rgb, name: string }[]} */
export const CLASS_COLORS = [
  { rgb: [245, 158, 11], name: "orange" },
  { rgb: [37, 99, 235], name: "blue" },
  { rgb: [22, 163, 74], name: "green" },
];

/** CSS for an RGB colour. @param {Rgb} rgb */
export const css = ([r, g, b]) => `rgb(${r},${g},${b})`;
