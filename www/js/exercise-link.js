// @ts-check
// "Predict, then reveal": an exercise in the playground's link. The query names the
// numbers of the graph the page hides, for the student to work out at the link's point:
//
//   index.html?quiz=grad:x1,grad:n6,value:n4,local:n5.0#e=ln(x1)%2Bx1*x2-sin(x2)&x1=2&x2=5
//
// A place is a kind and a node: `grad:` the gradient ∂f/∂node, `value:` the node's value
// (the forward pass), `local:` the local derivative on an edge, ∂node/∂input, its input
// by position (`n5.0` is the edge into n5's first input). A node is an input by its
// variable's name, any other by `n` and its id (the number the graph's chips show while an
// exercise is made or done): the ids of the same text are the same on every load.
//
// Nothing here touches the page: the list read and checked (what cannot be used is left
// out, with a note), written, described in words; the node report with the hidden numbers
// replaced by format.js's HIDDEN, which every formatter writes "?"; and an answer judged.

import { HIDDEN } from "./format.js";
import { clip, listed } from "./embed-link.js";
import { infixSymbol, isLeaf, nodeName } from "./ops.js";

/** @typedef {import("../pkg/gradscope.js").Evaluation} Evaluation */
/** @typedef {import("../pkg/gradscope.js").NodeReport<number>} NodeReport */

/** One hidden number: `which` is the input's position, for a local derivative.
 * @typedef {{ kind: "grad" | "value" | "local", node: number, which: number }} Place */

/** A `quiz=` longer than this is no list a person made: a broken link. */
export const MAX_QUIZ = 2000;
/** Places asked at most: past a page of answers it is no exercise. */
export const MAX_PLACES = 40;
/** An answer counts as right within this fraction of the exact value… */
export const REL_TOL = 1e-3;
/** …or within this of it, whichever is looser (near 0 a relative error means nothing). */
export const ABS_TOL = 1e-6;
/** What a note says the places look like. */
const FORM = "grad:, value: or local: and a node, as in grad:x1, value:n4, local:n5.0";

/** A node as a link names it: an input by its variable, another by its id.
 * @param {NodeReport} n */
export const nodeRef = (n) => (n.op === "input" ? n.label : `n${n.id}`);

/** A place as a link writes it. @param {NodeReport[]} nodes @param {Place} p */
export function placeName(nodes, p) {
  return `${p.kind}:${nodeRef(nodes[p.node])}${p.kind === "local" ? `.${p.which}` : ""}`;
}

/** The `quiz=` value for `places`. @param {NodeReport[]} nodes @param {Place[]} places */
export const quizParam = (nodes, places) => places.map((p) => placeName(nodes, p)).join(",");

/** `href` as a student opens it: its query's quiz set to `places` (none: taken away), the
 * rest as it was. Names are plain words: the commas and colons are left as they are.
 * @param {string} href @param {NodeReport[]} nodes @param {Place[]} places */
export function exerciseUrl(href, nodes, places) {
  const url = new URL(href);
  url.searchParams.delete("quiz");
  const rest = url.searchParams.toString();
  const query = [rest, places.length ? `quiz=${quizParam(nodes, places)}` : ""].filter(Boolean).join("&");
  url.search = query ? `?${query}` : "";
  return url.href;
}

/** Whether the place can be asked, or why not, in words.
 * @param {NodeReport[]} nodes @param {Place} p @param {number} root @returns {string | null} */
function refusal(nodes, p, root) {
  const n = nodes[p.node];
  if (n.op === "constant") return `${n.label} is a constant: it takes no gradient and its value is written in f`;
  if (p.kind === "value" && n.op === "input") return `the value of ${n.label} is the link's point itself`;
  if (p.kind === "grad" && p.node !== root && !nodes.some((m) => m.inputs.includes(p.node))) return `f does not depend on ${nodeName(n)}`;
  if (p.kind !== "local") return null;
  const e = n.edges[p.which];
  if (!e) return n.edges.length ? `${nodeName(n)} has inputs 0 to ${n.edges.length - 1} only` : `${nodeName(n)} has no inputs`;
  if (nodes[e.from].op === "constant") return `the edge from the constant ${nodes[e.from].label} carries nothing`;
  if (!e.local) return `the engine gives no local derivative on that edge`;
  return null;
}

/**
 * The places a `quiz=` value asks of an expression's graph, in the order given; what
 * cannot be used (not a place, a node the graph has not, a constant, one given twice, a
 * list too long) is left out and said in `notes`.
 * @param {string} raw @param {Evaluation} evaluation
 * @returns {{ places: Place[], notes: string[] }}
 */
export function readQuiz(raw, evaluation) {
  const nodes = evaluation.nodes;
  /** @type {string[]} */
  const notes = [];
  if (raw.length > MAX_QUIZ) {
    return { places: [], notes: [`The exercise (quiz) is ${raw.length} characters long, longer than any list of places to hide: left out, every number is shown.`] };
  }
  const given = raw.split(",").map((s) => s.trim()).filter(Boolean);
  if (!given.length) return { places: [], notes: ["The exercise (quiz) names no place to hide: every number is shown."] };
  const inputs = new Map(nodes.filter((n) => n.op === "input").map((n) => [n.label, n.id]));
  /** @type {Place[]} */
  const places = [];
  /** @type {string[]} */
  const unreadable = [];
  /** @type {string[]} */
  const missing = [];
  /** @type {string[]} */
  const twice = [];
  /** @type {string[]} */
  const refused = [];
  const seen = new Set();
  for (const item of given) {
    const m = /^(grad|value|local):([A-Za-z_][A-Za-z0-9_]*?)(?:\.(\d+))?$/i.exec(item);
    const kind = /** @type {Place["kind"] | undefined} */ (m?.[1].toLowerCase());
    if (!m || !kind || (kind === "local") !== (m[3] !== undefined)) {
      unreadable.push(item);
      continue;
    }
    // A variable's name first: `n3` is the variable n3, if the expression has one.
    const ref = m[2];
    const id = inputs.get(ref) ?? (/^n\d+$/.test(ref) ? Number(ref.slice(1)) : undefined);
    if (id === undefined || !(id < nodes.length)) {
      missing.push(item);
      continue;
    }
    const place = at(kind, id, kind === "local" ? Number(m[3]) : 0);
    const why = refusal(nodes, place, evaluation.root);
    if (why) {
      refused.push(`${clip(item)} (${why})`);
      continue;
    }
    const key = placeName(nodes, place);
    if (seen.has(key)) {
      twice.push(item);
      continue;
    }
    seen.add(key);
    places.push(place);
  }
  /** @param {string[]} items */
  const quoted = (items) => `${listed(items.slice(0, 4).map((s) => `“${clip(s)}”`))}${items.length > 4 ? ` and ${items.length - 4} more` : ""}`;
  const them = (/** @type {string[]} */ items) => (items.length === 1 ? "it is" : "they are");
  if (unreadable.length) notes.push(`The exercise's ${quoted(unreadable)} ${unreadable.length === 1 ? "is not a place" : "are not places"} to hide (${FORM}): left out.`);
  if (missing.length) {
    const names = nodes.filter((n) => n.op === "input").map((n) => n.label);
    notes.push(`This expression has no node for ${quoted(missing)} (its inputs are ${listed(names) || "none"}, its nodes n0 to n${nodes.length - 1}): ${them(missing)} left out.`);
  }
  if (refused.length) notes.push(`The exercise cannot ask ${listed(refused.slice(0, 4))}${refused.length > 4 ? ` and ${refused.length - 4} more` : ""}: left out.`);
  if (twice.length) notes.push(`The exercise names ${quoted(twice)} more than once: asked once.`);
  if (places.length > MAX_PLACES) {
    notes.push(`The exercise hides ${places.length} places; the first ${MAX_PLACES} are asked, the rest shown.`);
    places.length = MAX_PLACES;
  }
  return { places, notes };
}

/** @param {Place["kind"]} kind @param {number} node @returns {Place} */
const at = (kind, node, which = 0) => ({ kind, node, which });

/** The places one of the builder's quick choices ticks, in node order.
 * @param {Evaluation} evaluation @param {"inputs" | "grads" | "values" | "locals"} which @returns {Place[]} */
export function allPlaces(evaluation, which) {
  const nodes = evaluation.nodes;
  const candidates = nodes.flatMap((n) => {
    if (which === "inputs") return n.op === "input" ? [at("grad", n.id)] : [];
    if (which === "grads") return [at("grad", n.id)];
    if (which === "values") return [at("value", n.id)];
    return n.edges.map((_, k) => at("local", n.id, k));
  });
  return candidates.filter((p) => refusal(nodes, p, evaluation.root) === null);
}

/** Every place of the graph an exercise can ask, node by node: what the builder offers.
 * @param {Evaluation} evaluation @returns {Place[]} */
export function askable(evaluation) {
  const all = evaluation.nodes.flatMap((n) => [at("value", n.id), at("grad", n.id), ...n.edges.map((_, k) => at("local", n.id, k))]);
  return all.filter((p) => refusal(evaluation.nodes, p, evaluation.root) === null);
}

/** How tightly the infix ops bind, for the parentheses of `textOf`. @type {Record<string, number>} */
const BINDS = { "+": 1, "-": 1, "*": 2, "/": 2, "^": 3 };

/** The expression a node computes, as text with the parentheses it needs (`sin(x2)`,
 * `ln(x1) + x1 × x2`), clipped to `max` characters.
 * @param {NodeReport[]} nodes @param {number} id */
export function textOf(nodes, id, max = 48) {
  /** @param {number} i @param {number} outer how tightly the place it goes binds @returns {string} */
  const go = (i, outer) => {
    const n = nodes[i];
    if (isLeaf(n)) return n.label;
    const infix = infixSymbol(n.op);
    const binds = BINDS[n.op];
    if (infix && binds && n.inputs.length === 2) {
      // Left to right, but x^y^z is x^(y^z): the side that would regroup gets parentheses.
      const [left, right] = n.op === "^" ? [binds + 0.5, binds] : [binds, binds + 0.5];
      const s = `${go(n.inputs[0], left)} ${infix} ${go(n.inputs[1], right)}`;
      return binds < outer ? `(${s})` : s;
    }
    if (n.op === "neg") return `−${go(n.inputs[0], 2.5)}`;
    return `${n.op}(${n.inputs.map((k) => go(k, 0)).join(", ")})`;
  };
  const s = go(id, 0);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** What a place asks, for the answers panel: its symbol, in the graph chips' names
 * (`∂f/∂x1`, `∂n4/∂n2`), and its words.
 * @param {Evaluation} evaluation @param {Place} p @returns {{ symbol: string, words: string }} */
export function describe(evaluation, p) {
  const nodes = evaluation.nodes;
  const n = nodes[p.node];
  const root = p.node === evaluation.root;
  const name = root ? "f" : nodeRef(n);
  const text = textOf(nodes, n.id);
  if (p.kind === "grad") {
    return {
      symbol: `∂f/∂${name}`,
      words: n.op === "input" ? `the gradient of f with respect to the input ${n.label}` : root ? "where the backward pass starts" : `the gradient at ${name} = ${text}`,
    };
  }
  if (p.kind === "value") return { symbol: name, words: `the value of ${text}, in the forward pass` };
  const from = nodes[n.edges[p.which].from];
  const by = from.op === "input" ? from.label : `${nodeRef(from)} = ${textOf(nodes, from.id)}`;
  return { symbol: `∂${name}/∂${nodeRef(from)}`, words: `the local derivative of ${text} with respect to ${by}` };
}

/** The engine's number at a place. @param {Evaluation} evaluation @param {Place} p */
export function truthOf(evaluation, p) {
  const n = evaluation.nodes[p.node];
  if (p.kind === "grad") return n.grad[0];
  if (p.kind === "value") return n.value[0];
  return n.edges[p.which].local?.[0] ?? NaN;
}

/** The report with the numbers at `places` hidden (HIDDEN), and with them what would give
 * one away at a glance: the gradient each consumer passes back to a hidden gradient's node
 * (the shares that sum to it), the gradient carried along a hidden local derivative's edge
 * (upstream × local, one division from it), a hidden value's note of where it left the
 * real numbers (and its consumers', which quote it). Numbers a student could work an
 * answer out from (an upstream gradient, the inputs' values) are the exercise: shown.
 * @param {Evaluation} evaluation @param {Place[]} places @returns {Evaluation} */
export function masked(evaluation, places) {
  if (!places.length) return evaluation;
  /** @param {ArrayLike<number>} xs */
  const hide = (xs) => Array.from(xs, () => HIDDEN);
  const nodes = evaluation.nodes.map((n) => ({
    ...n,
    value: Array.from(n.value),
    grad: Array.from(n.grad),
    edges: n.edges.map((e) => ({ ...e, local: e.local && Array.from(e.local), flowed: Array.from(e.flowed) })),
  }));
  let value = evaluation.value;
  const gradient = Array.from(evaluation.gradient);
  for (const p of places) {
    const n = nodes[p.node];
    if (p.kind === "grad") {
      n.grad = hide(n.grad);
      for (const m of nodes) for (const e of m.edges) if (e.from === p.node) e.flowed = hide(e.flowed);
      const i = evaluation.inputs.indexOf(p.node);
      if (i >= 0) gradient[i] = HIDDEN;
    } else if (p.kind === "value") {
      n.value = hide(n.value);
      n.not_finite = undefined;
      for (const m of nodes) if (m.inputs.includes(p.node)) m.not_finite = undefined;
      if (p.node === evaluation.root) value = HIDDEN;
    } else {
      const e = n.edges[p.which];
      if (e.local) e.local = hide(e.local);
      e.flowed = hide(e.flowed);
    }
  }
  return { ...evaluation, value, gradient, nodes };
}

/** How near an answer must be to `exact`. @param {number} exact */
export const tolerance = (exact) => Math.max(ABS_TOL, REL_TOL * Math.abs(exact));

/** Words for what is not a finite number, as the student may type them. */
const SPECIAL = new Map([
  ["nan", NaN],
  ["inf", Infinity],
  ["+inf", Infinity],
  ["-inf", -Infinity],
  ["infinity", Infinity],
  ["+infinity", Infinity],
  ["-infinity", -Infinity],
  ["∞", Infinity],
  ["+∞", Infinity],
  ["-∞", -Infinity],
]);

/**
 * An answer as a number: a number (`0.5`, `-1e-3`, `−2`), NaN or an infinity (`nan`,
 * `inf`, `-∞`), or a constant expression the engine evaluates (`1/2 + cos(5)`), by
 * `evaluate`, which throws with a message for text it cannot read. Empty text is no
 * answer (null); what cannot be read is a problem, in words for the field.
 * @param {string} text @param {(text: string) => number} evaluate
 * @returns {{ value: number } | { problem: string } | null}
 */
export function readAnswer(text, evaluate) {
  const t = text.trim().replaceAll("−", "-");
  if (t === "") return null;
  const special = SPECIAL.get(t.toLowerCase().replace(/\s+/g, ""));
  if (special !== undefined) return { value: special };
  const n = Number(t);
  if (Number.isFinite(n) && /^[+-]?(\d|\.\d)/.test(t)) return { value: n };
  try {
    return { value: evaluate(t) };
  } catch (e) {
    // The engine's ParseError is an object with a message, not an Error.
    const message = typeof e === "object" && e && "message" in e ? String(e.message) : String(e);
    return { problem: message };
  }
}

/** Whether `answer` is the engine's `exact`, within the tolerance (NaN only for NaN, an
 * infinity only for the same one); if not, a hint that gives no number away.
 * @param {number} answer @param {number} exact @returns {{ right: boolean, hint: string }} */
export function judge(answer, exact) {
  if (Number.isNaN(exact)) return Number.isNaN(answer) ? { right: true, hint: "" } : { right: false, hint: "it is not a real number here" };
  if (Number.isNaN(answer)) return { right: false, hint: "it is a number here" };
  if (!Number.isFinite(exact)) {
    if (answer === exact) return { right: true, hint: "" };
    return { right: false, hint: Number.isFinite(answer) ? "it is not finite here" : "the sign is wrong" };
  }
  if (!Number.isFinite(answer)) return { right: false, hint: "it is finite here" };
  if (Math.abs(answer - exact) <= tolerance(exact)) return { right: true, hint: "" };
  if (exact !== 0 && Math.abs(answer + exact) <= tolerance(exact)) return { right: false, hint: "the sign is wrong" };
  return { right: false, hint: answer > exact ? "too large" : "too small" };
}
