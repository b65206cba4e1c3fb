// @ts-check
// How each op of the engine's report reads on the page: one table for the graph's nodes
// and the step-through's sentences. Ops not listed read as their name (sin, ln, max…).

/** @type {Record<string, { node: string, infix?: string }>} */
const OPS = {
  "+": { node: "+", infix: "+" },
  "-": { node: "−", infix: "−" },
  "*": { node: "×", infix: "×" },
  "/": { node: "÷", infix: "÷" },
  "^": { node: "xʸ", infix: "^" },
  neg: { node: "−x" },
};

/** What a node of op `op` shows as its title. @param {string} op */
export const nodeSymbol = (op) => OPS[op]?.node ?? op;

/** The operator written between two operands, or undefined for a call. @param {string} op */
export const infixSymbol = (op) => OPS[op]?.infix;

/** Whether a node is a leaf of the graph: a variable, a parameter or a constant.
 * @param {{ op: string }} n */
export const isLeaf = (n) => n.op === "input" || n.op === "parameter" || n.op === "constant";

/** How a node reads in a sentence: its variable name or constant, else "op#id".
 * @param {{ op: string, label: string, id: number }} n */
export function nodeName(n) {
  if (isLeaf(n)) return n.label;
  const infix = infixSymbol(n.op);
  return `${infix ? `(${infix})` : n.op}#${n.id}`;
}
