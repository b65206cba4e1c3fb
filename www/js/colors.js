// @ts-check
// Gradient magnitude to colour, on a log scale.
//
// Gradient magnitudes span many orders, so colour follows log10|g| between the smallest and
// largest non-zero finite magnitudes on screen. A sequential yellow-orange-red ramp: a faint
// edge carries little gradient, a strong one the most (on a dark page the ramp runs the
// other way, so "faint" is still the end nearest the background); or viridis, with the
// colour-blind-safe palette (js/theme.js). Zero and NaN get their
// own colours, outside the ramp, so they are never mistaken for "small"; so does a number
// an exercise hides (format.js's HIDDEN), which must not colour anything by its size.

import { HIDDEN } from "./format.js";

/** @typedef {[number, number, number]} Rgb */

/** The usual ramp on a light page: pale yellow (little) to dark red (most). @type {Rgb[]} */
const RAMP = [
  [254, 217, 118],
  [254, 178, 76],
  [253, 141, 60],
  [240, 59, 32],
  [189, 0, 38],
  [110, 0, 40],
];
/** On a dark page the faint end is the dark one: deep red (little) to pale yellow (most),
 * its darkest stop still clear of the background. @type {Rgb[]} */
const RAMP_DARK = [
  [132, 36, 58],
  [189, 0, 38],
  [240, 59, 32],
  [253, 141, 60],
  [254, 178, 76],
  [254, 217, 118],
];
/** Colour-blind safe: viridis, which stays ordered in lightness for every kind of colour
 * vision (and in grey). Light page: yellow (little) to purple (most). @type {Rgb[]} */
const VIRIDIS = [
  [253, 231, 37],
  [122, 209, 81],
  [34, 168, 132],
  [42, 120, 142],
  [65, 68, 135],
  [68, 1, 84],
];
/** Viridis on a dark page: purple (little, lifted off the background) to yellow (most). @type {Rgb[]} */
const VIRIDIS_DARK = [
  [82, 48, 130],
  [59, 82, 139],
  [33, 145, 140],
  [53, 183, 121],
  [144, 215, 67],
  [253, 231, 37],
];

/** The ramp for the page's theme and palette now. */
export function currentRamp() {
  const root = document.documentElement;
  const dark = root.dataset.theme === "dark";
  return root.dataset.palette === "safe" ? (dark ? VIRIDIS_DARK : VIRIDIS) : dark ? RAMP_DARK : RAMP;
}

export const ZERO_COLOR = "#c9ced6";
export const NAN_COLOR = "#7b3fbf";
/** A hidden number's colour: a mid grey, neither 0's nor any size's. */
export const HIDDEN_COLOR = "#8a94a3";

/** @param {number} t position on the scale, 0 to 1 */
function ramp(t) {
  const r = currentRamp();
  const x = Math.min(1, Math.max(0, t)) * (r.length - 1);
  const i = Math.min(r.length - 2, Math.floor(x));
  const f = x - i;
  const c = r[i].map((v, k) => Math.round(v + f * (r[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** A log scale fitted to the magnitudes given (zeros and non-finite ones are ignored),
 * spanning at most `decades` below the largest: smaller ones take the lowest colour, so a
 * single vanishing gradient cannot squeeze every other colour together. */
export class LogScale {
  /** @param {Iterable<number>} values @param {number} [decades] */
  constructor(values, decades = Infinity) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v === HIDDEN) continue;
      const m = Math.abs(v);
      if (m > 0 && Number.isFinite(m)) {
        lo = Math.min(lo, Math.log10(m));
        hi = Math.max(hi, Math.log10(m));
      }
    }
    if (lo === Infinity) {
      lo = 0;
      hi = 0;
    }
    lo = Math.max(lo, hi - decades);
    // Show at least one decade, so two nearly equal gradients don't look maximally different.
    if (hi - lo < 1) {
      const mid = (hi + lo) / 2;
      lo = mid - 0.5;
      hi = mid + 0.5;
    }
    this.lo = lo;
    this.hi = hi;
  }

  /** Position of |v| on the scale, 0 (smallest) to 1 (largest); null for 0 or NaN. */
  /** @param {number} v */
  position(v) {
    const m = Math.abs(v);
    if (Number.isNaN(m) || m === 0 || v === HIDDEN) return null;
    if (m === Infinity) return 1;
    return Math.max(0, (Math.log10(m) - this.lo) / (this.hi - this.lo));
  }

  /** @param {number} v */
  color(v) {
    if (Number.isNaN(v)) return NAN_COLOR;
    if (v === HIDDEN) return HIDDEN_COLOR;
    const t = this.position(v);
    return t === null ? ZERO_COLOR : ramp(t);
  }

  /** The legend bar's colours, left to right, evenly spaced. */
  stops() {
    const n = currentRamp().length;
    return Array.from({ length: n }, (_, i) => ramp(i / (n - 1)));
  }

  /** CSS for a left-to-right legend bar. */
  gradientCss() {
    return `linear-gradient(to right, ${this.stops().join(", ")})`;
  }
}
