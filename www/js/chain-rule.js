// @ts-check
// The chain rule at one node or one edge, in words, for the graph's tooltips: upstream ×
// local going back, local × tangent going forward in forward mode. Lines of text only;
// the page decides where they go. At a tensor op the rule is stated in matrix form with
// the shapes (rules.js), as the lecture vectorizes it.

import { fmt } from "./format.js";
import { nodeName } from "./ops.js";
import { backwardRule, lectureForm } from "./rules.js";
import { isTensor, show } from "./tensor.js";

/** @typedef {import("../pkg/gradscope.js").Evaluation} Evaluation */
/** @typedef {import("../pkg/gradscope.js").NodeReport<number>} NodeReport */
/** @typedef {[text: string, className?: string]} Line */
/**
 * Forward mode, when the tooltips speak of tangents: the input differentiated by and the
 * tangent of every node.
 * @typedef {{ by: string, tangents: ArrayLike<number> } | null} Tangents
 */

/** A node: its value, its gradient (or tangent) and, used on several paths, the sum; for
 * a constant, that no gradient flows into it; where the value left the real numbers, why.
 * @param {Evaluation} evaluation @param {NodeReport} n @param {Tangents} forward
 * @returns {Line[]} */
export function nodeLines(evaluation, n, forward) {
  /** @type {Line[]} */
  const lines = [[`${nodeName(n)}  (${n.op})`, "title"], [`value = ${show(n.value, n.shape)}`]];
  if (n.not_finite) lines.push([n.not_finite, "bad"]);
  if (n.op === "constant") {
    lines.push(["a constant: backpropagation computes no gradient for it"]);
    if (forward) lines.push(["and its tangent is 0: it does not change"]);
    return lines;
  }
  const name = nodeName(n);
  const nodes = evaluation.nodes;
  if (forward) {
    lines.push([`tangent ẋ = ∂${name}/∂${forward.by} = ${fmt(forward.tangents[n.id])}`]);
    const ins = n.edges.filter((e) => e.local && nodes[e.from].op !== "constant");
    if (ins.length) {
      lines.push(["Σ local × ẋ of the inputs:"]);
      for (const e of ins) lines.push([`  from ${nodeName(nodes[e.from])}: ${fmt(e.local?.[0])} × ${fmt(forward.tangents[e.from])}`]);
    }
    return lines;
  }
  lines.push([`∂f/∂${name} = ${show(n.grad, n.shape)}`]);
  const rules = n.edges.flatMap((e, which) => {
    const rule = nodes[e.from].op === "constant" ? null : backwardRule(nodes, n, which);
    const lecture = rule ? lectureForm(nodes, n, which) : null;
    return rule ? [rule, ...(lecture ? [`  (${lecture})`] : [])] : [];
  });
  if (rules.length) {
    lines.push(["backward, in matrix form:"]);
    for (const rule of rules) lines.push([`  ${rule}`]);
  }
  const out = nodes.flatMap((m) => m.edges.filter((e) => e.from === n.id).map((e) => ({ m, e })));
  if (out.length > 1) {
    lines.push([`used on ${out.length} paths; their gradients are summed:`]);
    for (const { m, e } of out) lines.push([`  from ${nodeName(m)}: ${show(e.flowed, n.shape)}`]);
    lines.push([`  sum = ${show(n.grad, n.shape)}`]);
  }
  return lines;
}

/** The edge into input `which` of node `to`.
 * @param {Evaluation} evaluation @param {number} to @param {number} which
 * @param {Tangents} forward @returns {Line[]} */
export function edgeLines(evaluation, to, which, forward) {
  const into = evaluation.nodes[to];
  const e = into.edges[which];
  const from = evaluation.nodes[e.from];
  /** @type {Line[]} */
  const lines = [[`${nodeName(from)} → ${nodeName(into)}`, "title"]];
  if (from.op === "constant") {
    lines.push(["from a constant: nothing flows along this edge (no gradient back, no tangent forward)"]);
    return lines;
  }
  // A tensor op's local derivative is element by element (a diagonal Jacobian) where the
  // engine gives one; a product's or a reduction's is a whole Jacobian and is not shown.
  const local = `local  ∂${nodeName(into)}/∂${nodeName(from)} = ${e.local ? show(e.local, into.shape) : "–"}${isTensor(into.shape) && e.local ? " (element by element)" : ""}`;
  if (forward) {
    const t = forward.tangents[from.id];
    lines.push([local], [`tangent of ${nodeName(from)}  ẋ = ${fmt(t)}`], [`local × tangent = ${fmt(e.local ? e.local[0] * t : NaN)}`]);
    lines.push([`(flows forward into ${nodeName(into)})`]);
  } else {
    const rule = backwardRule(evaluation.nodes, into, which);
    if (rule) lines.push([rule]);
    const lecture = lectureForm(evaluation.nodes, into, which);
    if (lecture) lines.push([`(${lecture})`]);
    if (e.local) {
      lines.push([local], [`upstream  ∂f/∂${nodeName(into)} = ${show(into.grad, into.shape)}`]);
      lines.push([`upstream × local = ${show(e.flowed, from.shape)}`]);
    } else {
      lines.push([`gradient along this edge = ${show(e.flowed, from.shape)}`]);
    }
  }
  if (e.local && !isTensor(into.shape) && !Number.isFinite(e.local[0]) && Number.isFinite(from.value[0])) {
    lines.push([`the local derivative is ${fmt(e.local[0])} at ${nodeName(from)} = ${fmt(from.value[0])}`, "bad"]);
  }
  return lines;
}

/** Where a NaN or an infinity arose and why: the node that left the real numbers (from
 * the engine's report), or an edge whose local derivative is infinite.
 * @param {Evaluation} evaluation @returns {string[]} */
export function notFiniteNotes(evaluation) {
  const lines = [];
  const bad = evaluation.nodes.filter((n) => n.not_finite);
  for (const n of bad) lines.push(`${nodeName(n)} = ${show(n.value, n.shape)}: ${n.not_finite}.`);
  if (!Number.isFinite(evaluation.value) && bad.length) {
    lines.push(
      "f is not a real number here. The gradient is still computed by the same local rules " +
        "(upstream × local), but where f is undefined it is no derivative of anything.",
    );
  }
  if (Number.isFinite(evaluation.value)) {
    // A finite f with a non-finite gradient: an infinite slope somewhere on the way back.
    for (const n of evaluation.nodes) {
      for (const e of n.edges) {
        const from = evaluation.nodes[e.from];
        if (e.local && !Number.isFinite(e.local[0]) && Number.isFinite(from.value[0]) && Number.isFinite(n.grad[0]) && n.grad[0] !== 0) {
          lines.push(`∂${nodeName(n)}/∂${nodeName(from)} = ${fmt(e.local[0])} at ${nodeName(from)} = ${fmt(from.value[0])}: the slope of ${n.op} is infinite there, so the gradient is too.`);
        }
      }
    }
  }
  return lines;
}
