// The algorithm one node at a time, as the lecture tells it.
//
// Forward visits the nodes in topological order (the arena order), computing each value
// from values already known. Backward starts at the output with ∂f/∂f = 1 and visits the
// nodes in reverse: each passes upstream × local to its inputs, and a node used on several
// paths sums what arrives. Every number shown comes from the engine's report.

import { fmt } from "./format.js";

const INFIX = { "+": "+", "-": "−", "*": "×", "/": "÷", "^": "^" };

/** How a node reads in a sentence: its variable name or constant, else "op#id". */
export function nodeName(n) {
  if (n.op === "input" || n.op === "parameter" || n.op === "constant") return n.label;
  return `${INFIX[n.op] ? `(${INFIX[n.op]})` : n.op}#${n.id}`;
}

function formula(n, nodes) {
  const args = n.inputs.map((i) => fmt(nodes[i].value[0]));
  if (INFIX[n.op] && args.length === 2) return `${args[0]} ${INFIX[n.op]} ${args[1]}`;
  if (n.op === "neg") return `−(${args[0]})`;
  return `${n.op}(${args.join(", ")})`;
}

/** The list of steps for one direction; each step is a function of the evaluation. */
export function buildSteps(direction, evaluation) {
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
  // Backward: only nodes the output depends on, from the output back to the inputs.
  const needed = new Set([root]);
  for (let i = root; i >= 0; i--) {
    if (needed.has(i)) nodes[i].inputs.forEach((x) => needed.add(x));
  }
  const consumers = new Map();
  for (const n of nodes) {
    n.edges.forEach((e) => {
      if (!needed.has(n.id)) return;
      if (!consumers.has(e.from)) consumers.set(e.from, []);
      consumers.get(e.from).push({ node: n, edge: e });
    });
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
      const arriving = consumers.get(i) || [];
      caption =
        arriving.length > 1
          ? `${nodeName(n)} is used on ${arriving.length} paths, so its gradients are summed: ` +
            `${arriving.map((a) => fmt(a.edge.flowed[0])).join(" + ")} = ${fmt(g)}.`
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

/** The overlay the graph view draws after the first `count` steps. */
export function overlayAfter(direction, steps, count, evaluation) {
  const visited = new Set(steps.slice(0, count).map((s) => s.node));
  const current = count > 0 ? steps[count - 1].node : null;
  // Running sums at fan-out nodes: what has arrived so far from visited consumers.
  const partial = new Map();
  if (direction === "backward") {
    for (const id of visited) {
      for (const e of evaluation.nodes[id].edges) {
        partial.set(e.from, (partial.get(e.from) || 0) + e.flowed[0]);
      }
    }
  }
  return { kind: direction, visited, current, partial };
}
