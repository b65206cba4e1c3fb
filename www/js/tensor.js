// @ts-check
// How a node's numbers read when the node is a tensor: its shape, a few entries and its
// size (the L2 norm, ‖·‖), so that a program's 20×1 node never shows as one number.
// A scalar reads as before.

import { fmt } from "./format.js";

/** Whether a node of this shape is a tensor (rank 1 or 2) rather than a scalar.
 * @param {number[]} shape */
export const isTensor = (shape) => shape.length > 0;

/** `[3]` for a vector, `2×3` for a matrix, as the engine's messages write shapes.
 * @param {number[]} shape */
export function shapeText(shape) {
  return shape.length === 1 ? `[${shape[0]}]` : shape.join("×");
}

/** The L2 norm; NaN if an entry is NaN, ∞ if one is infinite.
 * @param {ArrayLike<number>} xs */
export function norm(xs) {
  let s = 0;
  let big = 0;
  for (let i = 0; i < xs.length; i++) big = Math.max(big, Math.abs(xs[i]));
  if (!Number.isFinite(big)) return big;
  if (big === 0) return 0;
  // Scaled by the largest entry, so a norm of 1e200s does not overflow to ∞.
  for (let i = 0; i < xs.length; i++) s += (xs[i] / big) ** 2;
  return big * Math.sqrt(s);
}

/** The one number that stands for a node's or an edge's values where one number is
 * drawn (an edge's colour): the value itself for a scalar, the norm for a tensor.
 * @param {ArrayLike<number>} xs @param {number[]} shape */
export function magnitude(xs, shape) {
  return isTensor(shape) ? norm(xs) : xs[0];
}

/** A node's numbers in words: `1.5` for a scalar; for a tensor its shape, its first
 * entries and its norm: `2×3 [0.1, −2, 0.3, …] ‖·‖ = 2.1`.
 * @param {ArrayLike<number>} xs @param {number[]} shape */
export function show(xs, shape) {
  if (!isTensor(shape)) return fmt(xs[0]);
  const head = Array.from({ length: Math.min(xs.length, 4) }, (_, i) => fmt(xs[i]));
  const more = xs.length > 4 ? ", …" : "";
  return `${shapeText(shape)} [${head.join(", ")}${more}] ‖·‖ = ${fmt(norm(xs))}`;
}

/** What a node shows in its box, short: the value for a scalar, the shape and norm for
 * a tensor. @param {ArrayLike<number>} xs @param {number[]} shape */
export function brief(xs, shape) {
  return isTensor(shape) ? `${shapeText(shape)} ‖${fmt(norm(xs))}‖` : fmt(xs[0]);
}

/** A node's numbers in a sentence: `1.5` for a scalar; for a tensor its shape and first
 * `count` entries, `3×1 [0.12, −0.5, …]`. @param {ArrayLike<number>} xs @param {number[]} shape */
export function glimpse(xs, shape, count = 3) {
  if (!isTensor(shape)) return fmt(xs[0]);
  const head = Array.from({ length: Math.min(xs.length, count) }, (_, i) => fmt(xs[i]));
  return `${shapeText(shape)} [${head.join(", ")}${xs.length > count ? ", …" : ""}]`;
}
