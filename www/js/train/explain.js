// @ts-check
// The numbers behind the network view, in words (issue §5, "explaining the numbers"): for
// a weight, w, ∂L/∂w and the update the optimiser will give it; for a neuron, its formula
// with the numbers of the selected point plugged in, and its bias. Every number is the
// engine's (Trainer.layers, updatePreview, activationsAt); this file only formats them.
//
// Names, as the program of "Open as a program" has them, counted from 1: the features by
// their labels (x1, x1²), h1 … the hidden layers' outputs, z the last layer's logits; W2[3,1]
// is the weight from neuron 3 of h1 to neuron 1 of h2 (row: input, column: neuron, as in
// z = h·W + b), b2[1] that neuron's bias.

import { fmt, fmtDigits } from "../format.js";
import { choiceText } from "./fields.js";

/** @typedef {import("../../pkg/gradscope.js").Config} Config */
/** @typedef {import("../../pkg/gradscope.js").LayerState} LayerState */
/** @typedef {import("../../pkg/gradscope.js").LayerUpdate} LayerUpdate */
/** @typedef {import("../../pkg/gradscope.js").Activations} Activations */

/**
 * What the pointer is over: neuron `index` of column `column` (0: the input features,
 * then one column per layer), or the edge of layer `layer`'s weight from its input `from`
 * to its neuron `to` (all counted from 0).
 * @typedef {{ kind: "neuron", column: number, index: number }
 *   | { kind: "edge", layer: number, from: number, to: number }} Target
 */

/**
 * What the words are made from, all read from the trainer at one step.
 * @typedef {object} Facts
 * @property {LayerState[]} layers the weights, and the gradients of the last step
 * @property {LayerUpdate[]} updates the change the optimiser's next step would make
 * @property {Activations | null} at every neuron at the selected point; null with none selected
 * @property {number | null} point the selected point
 * @property {Required<Config>} config
 * @property {string[]} inputLabels the features as a person reads them ("x1²")
 * @property {number} step the steps taken
 */

/** Terms of a neuron's sum written out; with more inputs, the first `TERMS_SHOWN` of them. */
const TERMS_MAX = 6;
const TERMS_SHOWN = 4;
/** Significant digits of a formula's terms: many to a line, so fewer than the 6 elsewhere. */
const TERM_DIGITS = 4;

/** The name of neuron `index` of column `column` (counted from 0): the feature's label for an
 * input, h2[1] for a hidden neuron, z3[1] for an output. @param {number} column @param {number} index @param {Facts} f */
export function neuronName(column, index, f) {
  if (column === 0) return f.inputLabels[index] ?? `x[${index + 1}]`;
  return `${column === f.layers.length ? "z" : "h"}${column}[${index + 1}]`;
}

/** W2[3,1]: layer `layer`'s weight from its input `from` to its neuron `to` (from 0).
 * @param {number} layer @param {number} from @param {number} to */
export const weightName = (layer, from, to) => `W${layer + 1}[${from + 1},${to + 1}]`;

/** The tooltip's lines for `target`, its title first; an empty line parts its sections. @param {Target} target @param {Facts} f @returns {string[]} */
export function explain(target, f) {
  if (target.kind === "edge") return weightLines(target.layer, target.from, target.to, f);
  return target.column === 0 ? inputLines(target.index, f) : neuronLines(target.column - 1, target.index, f);
}

/** A weight: which, its value, its gradient and its next update.
 * @param {number} l @param {number} i @param {number} j @param {Facts} f */
function weightLines(l, i, j, f) {
  const layer = f.layers[l];
  const k = i * layer.outputs + j;
  return [
    `${weightName(l, i, j)}: the weight from ${neuronName(l, i, f)} to ${neuronName(l + 1, j, f)}`,
    `w = ${fmt(layer.w[k])}`,
    ...gradientLines("w", layer.w_grad[k], f.updates[l]?.dw[k], f),
  ];
}

/** ∂L/∂p and the optimiser's Δp of a parameter `p` ("w", "b"); before the first step
 * there is no gradient yet. @param {string} p @param {number} g @param {number | undefined} delta @param {Facts} f */
function gradientLines(p, g, delta, f) {
  if (f.step === 0) return [`∂L/∂${p} and Δ${p}: after the first step (none taken yet)`];
  const { optimizer, learning_rate: lr, momentum } = f.config;
  const name = choiceText("#optimizer", optimizer);
  const rule =
    optimizer === "sgd" ? `−lr·∂L/∂${p} = ` : optimizer === "momentum" ? `−lr·v, v ← μ·v + ∂L/∂${p}: ` : `−lr·m̂/(√v̂ + ε): `;
  const settings = optimizer === "momentum" ? `lr ${lr}, μ ${momentum}` : `lr ${lr}`;
  return [
    `∂L/∂${p} = ${fmt(g)}  (on step ${f.step}'s batch)`,
    `next update Δ${p} = ${rule}${fmt(delta)}  (${name}, ${settings})`,
  ];
}

/** An input feature: its value at the selected point. @param {number} i @param {Facts} f */
function inputLines(i, f) {
  const name = neuronName(0, i, f);
  const title = `${name}: input feature ${i + 1} of ${f.inputLabels.length}`;
  if (!f.at) return [title, PICK_A_POINT];
  return [title, `at point ${f.point}: ${name} = ${fmt(f.at.inputs[i])}`];
}

const PICK_A_POINT = "Click a point on the output plot to see the numbers at that point.";

/** Neuron `j` of layer `l` (from 0): its formula, with the selected point's numbers
 * plugged in, and its bias. @param {number} l @param {number} j @param {Facts} f */
function neuronLines(l, j, f) {
  const layer = f.layers[l];
  const last = l === f.layers.length - 1;
  const name = neuronName(l + 1, j, f);
  const act = last ? "linear" : (f.config.activations[l] ?? "linear");
  const wrap = (/** @type {string} */ inner) => (act === "linear" ? inner : `${act}(${inner})`);
  const weights = Array.from({ length: layer.inputs }, (_, i) => layer.w[i * layer.outputs + j]);
  const inputs = Array.from({ length: layer.inputs }, (_, i) => neuronName(l, i, f));
  const lines = [last ? outputTitle(name, j, f) : `${name}: neuron ${j + 1} of hidden layer ${l + 1} (${act})`];
  lines.push(`${name} = ${wrap(sum(weights, inputs, layer.b[j]))}`);
  const at = f.at?.layers[l];
  if (!f.at || !at) {
    lines.push(PICK_A_POINT);
  } else {
    // Layer 1 reads the features; the others, the layer before's h.
    const values = l === 0 ? f.at.inputs : f.at.layers[l - 1].h;
    const z = at.z[j];
    const h = at.h[j];
    lines.push(`at point ${f.point}:`);
    lines.push(`  = ${wrap(sum(weights, values.map((v) => `(${fmtDigits(v, TERM_DIGITS)})`), layer.b[j]))}`);
    lines.push(act === "linear" ? `  = ${fmt(h)}` : `  = ${act}(${fmt(z)}) = ${fmt(h)}`);
    if (last) lines.push(...outputMeaning(name, h, f));
  }
  lines.push("", `bias ${biasName(l, j)}: b = ${fmt(layer.b[j])}`);
  lines.push(...gradientLines("b", layer.b_grad[j], f.updates[l]?.db[j], f));
  return lines;
}

/** b2[1]. @param {number} l @param {number} j */
const biasName = (l, j) => `b${l + 1}[${j + 1}]`;

/** An output neuron is a logit: of class 1 for the one-logit losses, of class `j` for softmax.
 * @param {string} name @param {number} j @param {Facts} f */
function outputTitle(name, j, f) {
  if (f.config.problem === "regression") return `${name}: the output, the network's prediction of y`;
  if (f.config.loss === "softmax_cross_entropy") return `${name}: the output, the logit of class ${j}`;
  return `${name}: the output, one logit (class 1 where ${name} > 0)`;
}

/** What an output's value means: for the logistic loss the probability of class 1 is σ of
 * it; softmax turns all the logits together into probabilities; hinge and squared error
 * aim at ±1. @param {string} name @param {number} s @param {Facts} f */
function outputMeaning(name, s, f) {
  if (f.config.problem === "regression") return [`ŷ = ${name}, fitted to the point's y by squared error`];
  switch (f.config.loss) {
    case "logistic":
      // The engine's probability for one logit (train.rs `probabilities`), as the plot shades it.
      return [`P(class 1) = σ(${name}) = ${fmt(1 / (1 + Math.exp(-s)))}`];
    case "softmax_cross_entropy":
      return [`a logit: the softmax of all ${f.layers[f.layers.length - 1].outputs} logits gives the classes' probabilities`];
    default:
      return [`a score aimed at +1 for class 1 and −1 for class 0 (${choiceText("#loss", f.config.loss)})`];
  }
}

/** `w1·a1 − w2·a2 + … + b`, signs as − not + −; past `TERMS_MAX` terms, the first few and a
 * count of the rest. @param {number[]} weights @param {string[]} inputs @param {number} b */
function sum(weights, inputs, b) {
  const shown = weights.length > TERMS_MAX ? TERMS_SHOWN : weights.length;
  let text = "";
  for (let i = 0; i < shown; i++) text += signed(weights[i], `·${inputs[i]}`, i === 0);
  if (shown < weights.length) text += ` + … (${weights.length - shown} more terms)`;
  return text + signed(b, "", text === "");
}

/** ` + 0.31·x1` or ` − 1.2·x2`, and at the start `0.31·x1` or `−1.2·x2`.
 * @param {number} w @param {string} rest @param {boolean} first */
function signed(w, rest, first) {
  const minus = w < 0 || Object.is(w, -0);
  const magnitude = fmtDigits(Math.abs(w), TERM_DIGITS);
  if (first) return `${minus ? "−" : ""}${magnitude}${rest}`;
  return ` ${minus ? "−" : "+"} ${magnitude}${rest}`;
}
