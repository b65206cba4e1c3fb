// @ts-check
// The backward rule at a tensor op in matrix form, with the shapes: the lecture's
// "vectorization" of the chain rule (at h = W x, ∂L/∂W = ∂L/∂h · xᵀ, m×1 · 1×n). One place
// for the step-through's captions and the graph's tooltips. A scalar op has no rule here:
// upstream × local says it all.

import { nodeName } from "./ops.js";
import { isTensor, shapeText } from "./tensor.js";

/** @typedef {import("../pkg/gradscope.js").NodeReport<number>} NodeReport */

/** f′ of the element-wise ops, written with the op's output `h` and its input `z`.
 * @type {Record<string, (h: string, z: string) => string>} */
const DERIVATIVE = {
  tanh: (h) => `1 − ${h}²`,
  sigmoid: (h) => `${h} ⊙ (1 − ${h})`,
  relu: (_, z) => `[${z} > 0]`,
  exp: (h) => h,
  ln: (_, z) => `1 ⊘ ${z}`,
  sqrt: (h) => `1 ⊘ (2·${h})`,
  sin: (_, z) => `cos(${z})`,
  cos: (_, z) => `−sin(${z})`,
  tan: (h) => `1 + ${h}²`,
  abs: (_, z) => `sign(${z})`,
};

/** A shape in words: `20×1`, `[3]`, or "a number". @param {number[]} shape */
const sized = (shape) => (isTensor(shape) ? shapeText(shape) : "a number");

/** A factor of a product as a matrix, as NumPy's @ takes it: a vector [n] is a 1×n row on
 * the left and an n×1 column on the right; a number is 1×1.
 * @param {number[]} shape @param {"left" | "right"} side @returns {[number, number]} */
function asMatrix(shape, side) {
  if (shape.length === 2) return [shape[0], shape[1]];
  if (shape.length === 1) return side === "left" ? [1, shape[0]] : [shape[0], 1];
  return [1, 1];
}

/** The axes of `out` that an operand of shape `shape` was broadcast along (NumPy's rule:
 * shapes line up from the right; a missing or size-1 axis is repeated). `null` when the
 * operand was not broadcast at all. @param {number[]} shape @param {number[]} out */
function broadcastAxes(shape, out) {
  if (!isTensor(out)) return null;
  if (!isTensor(shape)) return out.map((_, i) => i);
  const padded = [...Array(out.length - shape.length).fill(1), ...shape];
  const axes = out.flatMap((n, i) => (padded[i] === 1 && n > 1 ? [i] : []));
  return axes.length ? axes : null;
}

/** The element-wise binary ops' rule, before any sum over broadcast axes.
 * @param {string} op @param {number} which @param {string} up @param {NodeReport} a @param {NodeReport} b @param {NodeReport} n */
function binaryCore(op, which, up, a, b, n) {
  const other = which === 0 ? b : a;
  const times = isTensor(other.shape) ? "⊙" : "·";
  switch (op) {
    case "+":
      return up;
    case "-":
      return which === 0 ? up : `−${up}`;
    case "*":
      return `${up} ${times} ${nodeName(other)}`;
    case "/":
      return which === 0 ? `${up} ⊘ ${nodeName(b)}` : `−${up} ⊙ ${nodeName(a)} ⊘ ${nodeName(b)}²`;
    case "^":
      return which === 0 ? `${up} ⊙ ${nodeName(b)}·${nodeName(a)}^(${nodeName(b)} − 1)` : `${up} ⊙ ln(${nodeName(a)})·${nodeName(n)}`;
    case "max":
    case "min":
      return `${up} where ${nodeName(which === 0 ? a : b)} is the ${op === "max" ? "larger" : "smaller"}, else 0`;
    default:
      return `${up} ⊙ ∂${nodeName(n)}/∂${nodeName(which === 0 ? a : b)}`;
  }
}

/** The backward rule along the edge into input `which` of node `n`, in matrix form with
 * the shapes (`∂f/∂W = ∂f/∂h · xᵀ (20×1 · 1×20)`), or null where every shape is a number.
 * `out` names the output whose gradient flows.
 * @param {NodeReport[]} nodes @param {NodeReport} n @param {number} which @param {string} [out]
 * @returns {string | null} */
export function backwardRule(nodes, n, which, out = "f") {
  const ins = n.inputs.map((i) => nodes[i]);
  const from = ins[which];
  if (!from || ![n, ...ins].some((m) => isTensor(m.shape))) return null;
  const up = `∂${out}/∂${nodeName(n)}`;
  const to = `∂${out}/∂${nodeName(from)}`;
  const z = nodeName(from);
  const h = nodeName(n);
  if (n.op in DERIVATIVE) {
    return `${to} = ${up} ⊙ ${n.op}′(${z}), ${n.op}′ = ${DERIVATIVE[n.op](h, z)} (element by element, ${sized(n.shape)})`;
  }
  switch (n.op) {
    case "matmul": {
      const [m, k] = asMatrix(ins[0].shape, "left");
      const [, cols] = asMatrix(ins[1].shape, "right");
      return which === 0
        ? `${to} = ${up} · ${nodeName(ins[1])}ᵀ (${m}×${cols} · ${cols}×${k})`
        : `${to} = ${nodeName(ins[0])}ᵀ · ${up} (${k}×${m} · ${m}×${cols})`;
    }
    case "neg":
      return `${to} = −${up} (element by element, ${sized(n.shape)})`;
    case "+":
    case "-":
    case "*":
    case "/":
    case "^":
    case "max":
    case "min": {
      const core = binaryCore(n.op, which, up, ins[0], ins[1], n);
      const axes = broadcastAxes(from.shape, n.shape);
      if (!axes) return `${to} = ${core} (element by element, ${sized(n.shape)})`;
      const over = isTensor(from.shape) ? `axis ${axes.join(" and ")}` : "every entry";
      const what = isTensor(from.shape) ? (axes.length === 1 ? "the broadcast axis" : "the broadcast axes") : "every broadcast axis";
      return `${to} = Σ over ${over} of ${core} (${sized(n.shape)} → ${sized(from.shape)}): summed over ${what}`;
    }
    case "sum":
    case "mean": {
      const count = from.value.length / Math.max(1, n.value.length);
      const scaled = n.op === "mean" ? `${up} ⊘ ${count}` : up;
      return isTensor(n.shape)
        ? `${to} = ${scaled}, copied back along the ${n.op === "mean" ? "averaged" : "summed"} axis (${sized(n.shape)} → ${sized(from.shape)})`
        : `${to} = ${scaled} in every entry (${sized(from.shape)}): each term counts once${n.op === "mean" ? `, over ${count}` : ""}`;
    }
    case "amax":
      return (
        `${to} = ${up} routed to the largest entr${isTensor(n.shape) ? "y of each slice" : "y"} ` +
        `(tied entries split it equally), 0 elsewhere (${sized(from.shape)})`
      );
    case "logsumexp":
      return `${to} = ${up} ⊙ softmax(${z}) (${sized(from.shape)})`;
    case "softmax":
      return `${to} = ${h} ⊙ (${up} − Σ ${up} ⊙ ${h}), the sum along the softmax's axis (${sized(n.shape)})`;
    case "log_softmax":
      return `${to} = ${up} − softmax(${z}) ⊙ Σ ${up}, the sum along the softmax's axis (${sized(n.shape)})`;
    case "transpose":
      return `${to} = (${up})ᵀ (${sized(n.shape)} → ${sized(from.shape)})`;
    case "index":
      return `${to} = ${up} put back where ${h} took its entries, 0 elsewhere (${sized(n.shape)} into ${sized(from.shape)})`;
    case "detach":
      return `${to} gets nothing from here: detach passes no gradient back`;
    case "softmax_ce":
      return which === 0 ? `${to} = ${up} · (softmax(${z}) − one-hot labels) ⊘ N (${sized(from.shape)})` : "the labels take no gradient";
    default:
      return null;
  }
}

/** The lecture's form of the rule at h = W x with x a column: its ∂L/∂h is a 1×m row, so
 * ∂L/∂W = (∂L/∂h)ᵀ · xᵀ; null elsewhere.
 * @param {NodeReport[]} nodes @param {NodeReport} n @param {number} which @param {string} [out] */
export function lectureForm(nodes, n, which, out = "f") {
  if (n.op !== "matmul" || which !== 0) return null;
  const [a, b] = n.inputs.map((i) => nodes[i]);
  const [m, k] = asMatrix(a.shape, "left");
  const [, cols] = asMatrix(b.shape, "right");
  if (cols !== 1 || m === 1) return null;
  const [dh, dw] = [`∂${out}/∂${nodeName(n)}`, `∂${out}/∂${nodeName(a)}`];
  return `the lecture's form, ${dh} a 1×${m} row: ${dw} = (${dh})ᵀ · ${nodeName(b)}ᵀ (${m}×1 · 1×${k})`;
}
