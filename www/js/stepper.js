// @ts-check
// The algorithm one node at a time, as the lecture tells it.
//
// Forward visits the nodes in topological order (the arena order), computing each value
// from values already known. Backward starts at the output with ∂f/∂f = 1 and visits the
// nodes in reverse: each passes upstream × local to its inputs, and a node used on several
// paths sums what arrives. Forward mode (tangents) walks the topological order again,
// each node's tangent the sum of local × tangent over its inputs. Every number shown comes
// from the engine's report. A program's arena order is the order it ran in, so its
// captions also name the source line (and the loop step or call) each node came from,
// and at a tensor op the rule in matrix form.

import { HIDDEN, fmt } from "./format.js";
import { infixSymbol, isLeaf, nodeName } from "./ops.js";
import { backwardRule } from "./rules.js";
import { SourceLines } from "./source.js";
import { brief, glimpse, isTensor } from "./tensor.js";

export { nodeName };

/** @typedef {import("../pkg/gradscope.js").NodeReport<number>} NodeReport */
/** @typedef {import("../pkg/gradscope.js").Evaluation} Evaluation */
/** @typedef {import("../pkg/gradscope.js").RunReport} RunReport */
/** @typedef {"forward" | "backward" | "tangent"} Direction */
/** @typedef {{ node: number, caption: string, line?: number }} Step */
/** A program's text and its last run's report: where each node came from.
 * @typedef {{ source: string, report: RunReport }} ProgramSource */
/**
 * What the graph view draws on top of the plain graph: where a walk through it stands.
 * @typedef {object} Overlay
 * @property {Direction} kind
 * @property {Set<number>} [visited] nodes done (absent: forward mode shown whole)
 * @property {number | null} [current] the node of the last step
 * @property {Map<number, number>} [partial] backward: what has arrived so far at each node
 * @property {Map<number, Float64Array>} [partialTensor] the same, entry by entry, at tensor nodes
 * @property {Set<number>} [complete] backward: nodes whose every consumer has passed its share
 * @property {ArrayLike<number> | null} [tangents] forward mode: the tangent of every node
 */

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
 * names its node and says what happens there. `tangents` is needed for "tangent"; a
 * program's steps (forward and backward) also name their source line, from `program`.
 * @param {Direction} direction @param {Evaluation} evaluation @param {ArrayLike<number> | null} [tangents]
 * @param {ProgramSource | null} [program]
 * @returns {Step[]} */
export function buildSteps(direction, evaluation, tangents = null, program = null) {
  if (program && direction !== "tangent") return programSteps(direction, evaluation, program);
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
      caption = `Start at the output: ∂f/∂f = ${fmt(g)}.`; // 1, or "?" in an exercise
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

/** Whom the backward pass at node `id` heard from: the edges into it from consumers the
 * output depends on. @param {NodeReport[]} nodes @param {number} root */
function arrivals(nodes, root) {
  const needed = upstreamOf(nodes, root);
  /** @type {Map<number, { flowed: number[], by: number }[]>} */
  const arriving = new Map();
  for (const m of nodes) {
    if (!needed.has(m.id)) continue;
    for (const e of m.edges) {
      if (!arriving.has(e.from)) arriving.set(e.from, []);
      arriving.get(e.from)?.push({ flowed: e.flowed, by: m.id });
    }
  }
  return { needed, arriving };
}

/** A program's steps: each caption starts with the line the node came from, its loop step
 * or call, and the line's text (`line 5 (for t in range(4), step 2): h = tanh(W @ h) →`);
 * numbers are a tensor's shape and first entries; backward, a tensor op states its rule
 * in matrix form with the shapes.
 * @param {"forward" | "backward"} direction @param {Evaluation} evaluation @param {ProgramSource} program
 * @returns {Step[]} */
function programSteps(direction, evaluation, { source, report }) {
  const { nodes, root } = evaluation;
  const lines = new SourceLines(source);
  /** @type {Map<number, string>} */
  const groupLabels = new Map();
  /** The loop steps and calls a node was made in, outermost first.
   * @param {number | undefined} g @returns {string} */
  const groupLabel = (g) => {
    if (g === undefined) return "";
    const known = groupLabels.get(g);
    if (known !== undefined) return known;
    const group = report.groups[g];
    const own = group.kind === "iteration" ? `${lines.slice(group.start, group.end)}, step ${(group.index ?? 0) + 1}` : `in ${group.name}`;
    const outer = groupLabel(group.parent);
    const label = outer ? `${outer} › ${own}` : own;
    groupLabels.set(g, label);
    return label;
  };
  /** @param {number} id */
  const lineOf = (id) => {
    const origin = report.origins[id];
    return origin ? lines.lineOf(origin.start) : undefined;
  };
  /** `line 5 (for t in range(4), step 2): h = tanh(W @ h)`. @param {number} id */
  const where = (id) => {
    const line = lineOf(id);
    if (line === undefined) return "";
    const group = groupLabel(report.origins[id].group);
    return `line ${line}${group ? ` (${group})` : ""}: ${lines.lineText(line)} → `;
  };
  /** @param {NodeReport} n */
  const valueOf = (n) => glimpse(n.value, n.shape);
  if (direction === "forward") {
    return nodes.map((n) => {
      let what;
      if (n.op === "input") what = `${n.label} = ${valueOf(n)}: an input, given from outside (its slider).`;
      else if (n.op === "parameter") what = `${n.label} = ${valueOf(n)}: a leaf, known before the pass starts.`;
      else if (n.op === "constant") what = `the constant ${n.label}${isTensor(n.shape) ? ` = ${valueOf(n)}` : ""}.`;
      else {
        // A scalar op shows its arithmetic; a tensor op the source text it computes.
        const scalar = [n, ...n.inputs.map((i) => nodes[i])].every((m) => !isTensor(m.shape));
        const o = report.origins[n.id];
        const text = o ? lines.slice(o.start, o.end) : "";
        const how = scalar ? formula(n, nodes) : text;
        what = `${nodeName(n)} = ${how ? `${how} = ` : ""}${valueOf(n)}.`;
      }
      return { node: n.id, caption: where(n.id) + what, line: lineOf(n.id) };
    });
  }
  const { needed, arriving } = arrivals(nodes, root);
  // The output by the name the program gave it, if its line assigns one (L = …).
  const outputName = /^([A-Za-z_]\w*)\s*=[^=]/.exec(lines.lineText(lineOf(root) ?? 1))?.[1];
  const steps = [];
  for (let i = root; i >= 0; i--) {
    if (!needed.has(i) || nodes[i].op === "constant") continue;
    const n = nodes[i];
    const g = glimpse(n.grad, n.shape);
    let caption;
    if (i === root) {
      const named = outputName && outputName !== nodeName(n) ? ` (${outputName} in the program)` : "";
      caption = isTensor(n.shape)
        ? `Start at the output${named} with the seed given to backward: ∂f/∂${nodeName(n)} = ${g}, so f = Σ seed ⊙ ${nodeName(n)}.`
        : `Start at the output f${named}: ∂f/∂f = 1.`;
    } else {
      const arrived = arriving.get(i) ?? [];
      if (arrived.length > 1) {
        const shown = arrived.slice(0, 4).map((e) => (isTensor(n.shape) ? glimpse(e.flowed, n.shape, 2) : fmt(e.flowed[0])));
        const more = arrived.length > 4 ? ` + … (${arrived.length - 4} more)` : "";
        caption =
          `${nodeName(n)} is used on ${arrived.length} paths, so its gradients are summed${isTensor(n.shape) ? ", entry by entry" : ""}: ` +
          `${shown.join(" + ")}${more} = ${g}.`;
      } else {
        caption = `∂f/∂${nodeName(n)} = ${g}, from its one consumer.`;
      }
    }
    const passes = n.edges.flatMap((e, which) => {
      const from = nodes[e.from];
      if (from.op === "constant") return [];
      // Its value was used, its gradient is not: the path ends here.
      if (n.op === "detach") return [`nothing to ${nodeName(from)}: detach stops the gradient here`];
      const rule = backwardRule(nodes, n, which);
      // The rule gives this path's share; a node on several paths sums the shares later.
      const paths = arriving.get(e.from)?.length ?? 1;
      const share = paths > 1 ? ` (one of its ${paths} paths)` : "";
      if (rule) return [`to ${nodeName(from)}${share}: ${rule} = ${glimpse(e.flowed, from.shape)}`];
      return [
        e.local
          ? `to ${nodeName(from)}: upstream ${fmt(n.grad[0])} × local ${fmt(e.local[0])} = ${fmt(e.flowed[0])}`
          : `to ${nodeName(from)}: ${glimpse(e.flowed, from.shape)}`,
      ];
    });
    if (passes.length) caption += ` It passes ${passes.join("; ")}.`;
    steps.push({ node: i, caption: where(i) + caption, line: lineOf(i) });
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
  /** @type {Map<number, Float64Array>} */
  const partialTensor = new Map();
  const overlay = { kind: direction, visited, current, partial, partialTensor, complete, tangents };
  if (direction === "backward") {
    // Running sums: every visited consumer has passed its share along each of its edges
    // (a tensor's entry by entry, so its row can show the sum so far).
    for (const id of visited) {
      for (const e of evaluation.nodes[id].edges) {
        // A share an exercise hides hides the sum it goes into (and HIDDEN + HIDDEN is ∞).
        const sum = partial.get(e.from) || 0;
        partial.set(e.from, sum === HIDDEN || e.flowed[0] === HIDDEN ? HIDDEN : sum + e.flowed[0]);
        if (e.flowed.length > 1) {
          const sum = partialTensor.get(e.from) ?? new Float64Array(e.flowed.length);
          e.flowed.forEach((x, k) => (sum[k] += x));
          partialTensor.set(e.from, sum);
        }
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
  const sum = overlay.partialTensor?.get(node.id);
  if (partial === undefined) return "∂ ?";
  return `∂ ${sum && isTensor(node.shape) ? brief(sum, node.shape) : fmt(partial)} + …`;
}
