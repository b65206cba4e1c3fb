// @ts-check
// The algorithm one node at a time, as the lecture tells it.
//
// Forward visits the nodes in topological order (the arena order), computing each value
// from values already known. Backward starts at the output with ∂f/∂f = 1 and visits the
// nodes in reverse: each passes upstream × local to its inputs, and a node used on several
// paths sums what arrives. Forward mode (tangents) walks the topological order again,
// each node's tangent the sum of local × tangent over its inputs. Every number shown comes
// from the engine's report.

import { fmt } from "./format.js";
import { infixSymbol } from "./ops.js";
import { brief } from "./tensor.js";

/** @typedef {import("../pkg/gradscope.js").NodeReport<number>} NodeReport */
/** @typedef {import("../pkg/gradscope.js").Evaluation} Evaluation */
/** @typedef {"forward" | "backward" | "tangent"} Direction */
/** @typedef {{ node: number, caption: string }} Step */
/**
 * What the graph view draws on top of the plain graph: where a walk through it stands.
 * @typedef {object} Overlay
 * @property {Direction} kind
 * @property {Set<number>} [visited] nodes done (absent: forward mode shown whole)
 * @property {number | null} [current] the node of the last step
 * @property {Map<number, number>} [partial] backward: what has arrived so far at each node
 * @property {Set<number>} [complete] backward: nodes whose every consumer has passed its share
 * @property {ArrayLike<number> | null} [tangents] forward mode: the tangent of every node
 */

/** @param {NodeReport} n */
const isLeaf = (n) => n.op === "input" || n.op === "parameter" || n.op === "constant";

/** How a node reads in a sentence: its variable name or constant, else "op#id".
 * @param {NodeReport} n */
export function nodeName(n) {
  if (isLeaf(n)) return n.label;
  const infix = infixSymbol(n.op);
  return `${infix ? `(${infix})` : n.op}#${n.id}`;
}

/** @param {NodeReport} n @param {NodeReport[]} nodes */
function formula(n, nodes) {
  const args = n.inputs.map((i) => fmt(nodes[i].value[0]));
  const infix = infixSymbol(n.op);
  if (infix && args.length === 2) return `${args[0]} ${infix} ${args[1]}`;
  if (n.op === "neg") return `−(${args[0]})`;
  return `${n.op}(${args.join(", ")})`;
}

/** The nodes the output depends on: the only ones the backward pass visits.
 * @param {NodeReport[]} nodes @param {number} root */
function upstreamOf(nodes, root) {
  const needed = new Set([root]);
  for (let i = root; i >= 0; i--) {
    if (needed.has(i)) nodes[i].inputs.forEach((x) => needed.add(x));
  }
  return needed;
}

/** For every node, the nodes that pass it a gradient in the backward pass: its consumers
 * that the output depends on (a consumer using it twice, as in x·x, counts once).
 * @param {NodeReport[]} nodes @param {number} root */
export function consumersOf(nodes, root) {
  const needed = upstreamOf(nodes, root);
  /** @type {Map<number, number[]>} */
  const consumers = new Map(nodes.map((n) => [n.id, []]));
  for (const n of nodes) {
    if (!needed.has(n.id)) continue;
    for (const from of new Set(n.inputs)) consumers.get(from)?.push(n.id);
  }
  return consumers;
}

/** The list of steps for one direction ("forward", "backward" or "tangent"); each step
 * names its node and says what happens there. `tangents` is needed for "tangent".
 * @param {Direction} direction @param {Evaluation} evaluation @param {ArrayLike<number> | null} [tangents]
 * @returns {Step[]} */
export function buildSteps(direction, evaluation, tangents = null) {
  const { nodes, root } = evaluation;
  if (direction === "forward") {
    return nodes.map((n) => ({
      node: n.id,
      caption:
        n.op === "input" || n.op === "parameter"
          ? `${n.label} = ${fmt(n.value[0])}: an input, known before the pass starts.`
          : n.op === "constant"
            ? `The constant ${n.label}.`
            : `${nodeName(n)} = ${formula(n, nodes)} = ${fmt(n.value[0])}. The value is stored: the backward pass needs it.`,
    }));
  }
  if (direction === "tangent") return tangentSteps(nodes, tangents ?? []);
  const needed = upstreamOf(nodes, root);
  // Every edge out of a node into a consumer the output depends on brings it a share.
  /** @type {Map<number, { flowed: number[] }[]>} */
  const arrivingAt = new Map();
  for (const m of nodes) {
    if (!needed.has(m.id)) continue;
    for (const e of m.edges) {
      if (!arrivingAt.has(e.from)) arrivingAt.set(e.from, []);
      arrivingAt.get(e.from)?.push(e);
    }
  }
  const steps = [];
  for (let i = root; i >= 0; i--) {
    // Constants receive no gradient: nothing to show there.
    if (!needed.has(i) || nodes[i].op === "constant") continue;
    const n = nodes[i];
    const g = n.grad[0];
    let caption;
    if (i === root) {
      caption = `Start at the output: ∂f/∂f = 1.`;
    } else {
      const arriving = arrivingAt.get(i) ?? [];
      caption =
        arriving.length > 1
          ? `${nodeName(n)} is used on ${arriving.length} paths, so its gradients are summed: ` +
            `${arriving.map((e) => fmt(e.flowed[0])).join(" + ")} = ${fmt(g)}.`
          : `∂f/∂${nodeName(n)} = ${fmt(g)}, from its one consumer.`;
    }
    const passes = n.edges.filter((e) => nodes[e.from].op !== "constant").map((e) => {
      const from = nodeName(nodes[e.from]);
      return e.local
        ? `to ${from}: upstream ${fmt(g)} × local ${fmt(e.local[0])} = ${fmt(e.flowed[0])}`
        : `to ${from}: ${fmt(e.flowed[0])}`;
    });
    if (passes.length) caption += ` It passes ${passes.join("; ")}.`;
    steps.push({ node: i, caption });
  }
  return steps;
}

/** Forward mode one node at a time: ẋ of a node is Σ local × ẋ of its inputs.
 * @param {NodeReport[]} nodes @param {ArrayLike<number>} tangents @returns {Step[]} */
function tangentSteps(nodes, tangents) {
  return nodes.map((n) => {
    const t = tangents[n.id];
    let caption;
    if (n.op === "constant") caption = `The constant ${n.label}: ẋ = 0, a constant does not change.`;
    else if (isLeaf(n)) caption = `${n.label}: ẋ = ${fmt(t)}, the seed (1 for the input we differentiate by, 0 for the others).`;
    else {
      const terms = n.edges
        .filter((e) => e.local && nodes[e.from].op !== "constant")
        .map((e) => `${fmt(e.local?.[0])} × ${fmt(tangents[e.from])}`);
      caption = terms.length
        ? `ẋ of ${nodeName(n)} = Σ local × ẋ of its inputs = ${terms.join(" + ")} = ${fmt(t)}.`
        : `ẋ of ${nodeName(n)} = ${fmt(t)}.`;
    }
    return { node: n.id, caption };
  });
}

/** The overlay the graph view draws after the first `count` steps: which nodes are done,
 * which is current, and in the backward pass what has arrived so far at each node.
 * @param {Direction} direction @param {Step[]} steps @param {number} count
 * @param {Evaluation} evaluation @param {ArrayLike<number> | null} [tangents] */
export function overlayAfter(direction, steps, count, evaluation, tangents = null) {
  const visited = new Set(steps.slice(0, count).map((s) => s.node));
  const current = count > 0 ? steps[count - 1].node : null;
  /** @type {Map<number, number>} */
  const partial = new Map();
  /** @type {Set<number>} */
  const complete = new Set();
  const overlay = { kind: direction, visited, current, partial, complete, tangents };
  if (direction === "backward") {
    // Running sums: every visited consumer has passed its share along each of its edges.
    for (const id of visited) {
      for (const e of evaluation.nodes[id].edges) {
        partial.set(e.from, (partial.get(e.from) || 0) + e.flowed[0]);
      }
    }
    // A node is complete once every consumer has passed its share, even before its turn.
    const consumers = consumersOf(evaluation.nodes, evaluation.root);
    for (const [id, from] of consumers) {
      if (from.length > 0 && from.every((c) => visited.has(c))) complete.add(id);
    }
  }
  return overlay;
}

/** What a node's gradient row reads under an overlay: "∂ 1.5" when known, "∂ 0.5 + …"
 * while some consumer has not yet passed its share, "∂ ?" before any has; "constant" for
 * a constant, which receives no gradient. `null` when the row is not shown at all.
 * @param {NodeReport} node @param {Overlay | null} overlay @returns {string | null} */
export function gradText(node, overlay) {
  if (node.op === "constant") return overlay?.kind === "tangent" ? "ẋ 0" : "constant";
  if (!overlay) return `∂ ${brief(node.grad, node.shape)}`;
  if (overlay.kind === "tangent") {
    const shown = !overlay.visited || overlay.visited.has(node.id);
    return shown ? `ẋ ${fmt(overlay.tangents?.[node.id])}` : "ẋ ?";
  }
  if (overlay.kind === "forward") return null;
  if (overlay.visited?.has(node.id) || overlay.complete?.has(node.id)) return `∂ ${brief(node.grad, node.shape)}`;
  const partial = overlay.partial?.get(node.id);
  return partial === undefined ? "∂ ?" : `∂ ${fmt(partial)} + …`;
}
