// @ts-check
// The one way the benchmark page times anything, for every side alike (issue 15 §1): warm
// up until the rate settles, then K samples, each repeating the call until the timer has
// run long enough to be read well; units per second per sample, reported as the median
// with the spread. An asynchronous call (a GPU read-back, TF.js's data()) is awaited inside
// the sample, so what is timed always ends with the result in JavaScript's hands.

import { yieldToPage } from "./timing.js";

/**
 * How long to warm up and sample.
 * @typedef {object} Settings
 * @property {number} samples K, the number of timed samples (the median of K is reported)
 * @property {number} sampleMs a sample repeats the call until this many ms have passed
 * @property {number} warmupMs one warm-up round lasts at least this long
 * @property {number} warmupRounds at most this many rounds, until two in a row agree
 */

/** A full run: samples of 100 ms and more, so performance.now()'s coarse steps (0.1 ms or
 * worse where the page is not cross-origin isolated) are a small part of each. */
export const FULL = { samples: 5, sampleMs: 100, warmupMs: 100, warmupRounds: 6 };
/** `?quick=1`: the same procedure with tiny samples, for tests and development. */
export const QUICK = { samples: 5, sampleMs: 4, warmupMs: 4, warmupRounds: 2 };

/**
 * A measured rate: units per second, median and spread of the samples.
 * @typedef {{ median: number, min: number, max: number, samples: number, calls: number }} Rate
 */

/** The median of an odd or even count (the lower middle one for even).
 * @param {number[]} xs */
export const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

/** Calls `fn` until `ms` have passed (at least once); awaits it only if it returns a
 * promise, so a synchronous call pays no microtask. Returns the calls and the elapsed ms.
 * @param {() => unknown} fn @param {number} ms */
async function repeatFor(fn, ms) {
  let calls = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    const r = fn();
    if (r instanceof Promise) await r;
    calls++;
    t = performance.now();
  } while (t - t0 < ms);
  return { calls, ms: t - t0 };
}

/** Times `fn`, each call doing `units` units of work (flops, heatmaps, steps), and returns
 * units per second. Warm-up rounds go on until one is within 10 % of the one before (the
 * JIT, XNNPACK's packing, WebGPU's pipelines have settled) or `warmupRounds` have run.
 * @param {() => unknown} fn @param {number} units @param {Settings} settings
 * @returns {Promise<Rate>} */
export async function measure(fn, units, settings) {
  let last = 0;
  for (let round = 0; round < settings.warmupRounds; round++) {
    const { calls, ms } = await repeatFor(fn, settings.warmupMs);
    const rate = calls / ms;
    if (round > 0 && Math.abs(rate - last) <= 0.1 * last) break;
    last = rate;
  }
  const rates = [];
  let total = 0;
  for (let s = 0; s < settings.samples; s++) {
    await yieldToPage(); // lets the page draw between samples, never inside one
    const { calls, ms } = await repeatFor(fn, settings.sampleMs);
    rates.push((calls * units * 1000) / ms);
    total += calls;
  }
  return { median: median(rates), min: Math.min(...rates), max: Math.max(...rates), samples: rates.length, calls: total };
}

/** The largest |a[i] − b[i]| (Infinity if the lengths differ or a value is not finite).
 * @param {ArrayLike<number>} a @param {ArrayLike<number>} b */
export function maxDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d;
  }
  return diff;
}

/** A number for the benchmark tables (the page's and the runner's): 3 significant digits
 * or so, thousands grouped. @param {number} x */
export const figure = (x) => (x >= 1000 ? Math.round(x).toLocaleString("en-US") : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
