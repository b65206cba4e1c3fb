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
