// @ts-check
// The network as a program: the text of one forward and backward pass of the current
// network at one data point, with its current weights, in the playground's language, and
// the link that opens it there. The program computes what `Trainer.gradientAt` computes
// (the network of `Net::build` in src/nn/mlp.rs for a batch of one point), so the
// playground's gradients are the training page's for that point.

import { writeFragment, DEFAULT_RATE } from "../fragment.js";

/** @typedef {import("../../pkg/gradscope.js").Config} Config */
/** @typedef {import("../../pkg/gradscope.js").Dataset} Dataset */
/** @typedef {import("../../pkg/gradscope.js").Feature} Feature */
/** @typedef {import("../../pkg/gradscope.js").LayerState} LayerState */

/** The longest program the playground reads from a link (fragment.js's MAX_TEXT). */
export const MAX_PROGRAM = 100_000;

/** The shortest decimal text that reads back as the float32 `v` (the trainer's weights
 * are f32): exact, and about half as long as `String(v)` of the widened number.
 * @param {number} v */
export function f32Text(v) {
  const f = Math.fround(v);
  if (!Number.isFinite(f) || f === 0) return String(f);
  for (let p = 1; p <= 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return String(s);
  }
  return String(f);
}

/** A feature of `(x1, x2)`, as src/nn/data.rs `Feature::of` computes it (in f64, then
 * stored as f32 by the trainer). @param {Feature} f @param {[number, number]} p */
export function featureOf(f, [x1, x2]) {
  switch (f) {
    case "x1": return x1;
    case "x2": return x2;
    case "x1_squared": return x1 * x1;
    case "x2_squared": return x2 * x2;
    case "x1_x2": return x1 * x2;
    case "sin_x1": return Math.sin(x1);
    case "sin_x2": return Math.sin(x2);
  }
}

/** What a program needs to know of the run. @typedef {object} Source
 * @property {Required<Config>} config
 * @property {Dataset} data
 * @property {LayerState[]} layers the trainer's weights
 * @property {number} step
 * @property {string[]} featureNames each feature as a person reads it ("x1²") */

/** The program for one forward and backward pass at point `index`.
 * @param {Source} src @param {number} index @returns {string} */
export function programText(src, index) {
  const { config, data, layers, step } = src;
  const [x1, x2] = data.points[index];
  const label = data.labels[index];
  const target = data.classes === 0 ? (data.targets ?? [])[index] : null;
  const split = data.test.includes(index) ? "test" : "train";
  const row = (/** @type {ArrayLike<number>} */ xs) => `[${Array.from(xs, f32Text).join(", ")}]`;
  const lines = [
    `# The network of the training page at point ${index} (x1 = ${x1}, x2 = ${x2}, ${target === null ? `class ${label}` : `y = ${target}`}, ${split}), step ${step}:`,
    "# one forward pass to the loss; the playground's backward pass gives the gradients.",
    `x = ${row(config.features.map((f) => featureOf(f, [x1, x2])))}  # the features: ${src.featureNames.join(", ")}`,
  ];
  let h = "x";
  layers.forEach((layer, l) => {
    const n = l + 1;
    const rows = [];
    for (let i = 0; i < layer.inputs; i++) rows.push(row(layer.w.slice(i * layer.outputs, (i + 1) * layer.outputs)));
    lines.push(`W${n} = [${rows.join(", ")}]  # ${layer.inputs} inputs × ${layer.outputs} outputs`);
    lines.push(`b${n} = ${row(layer.b)}`);
    const pre = `${h} @ W${n} + b${n}`;
    if (l === layers.length - 1) {
      lines.push(`z = ${pre}  # the logits: the last layer is linear`);
    } else {
      const act = config.activations[l] ?? "tanh";
      const name = `h${n}`;
      lines.push(act === "linear" ? `${name} = ${pre}` : `${name} = ${act}(${pre})`);
      h = name;
    }
  });
  // A regression's target is a number of its own: squared error to it, as the engine (in f32).
  if (target !== null) lines.push(`data_loss = (z[0] - ${f32Text(target)}) ** 2  # squared error to the point's target y`);
  else lines.push(...lossLines(config.loss, label));
  const reg = regulariser(config, layers.length);
  lines.push(reg ? `L = data_loss + ${reg.text}  # ${reg.why}` : "L = data_loss");
  return lines.join("\n");
}

/** The data loss of one point, as src/nn/mlp.rs `data_loss`: one-logit losses read the
 * label as ±1, softmax cross-entropy as a class index. @param {Config["loss"]} loss @param {number} label */
function lossLines(loss, label) {
  const y = label === 1 ? 1 : -1;
  const sign = `class ${label} → y = ${y}`;
  const m = y === 1 ? "z[0]" : "-z[0]";
  switch (loss) {
    case "softmax_cross_entropy":
      return [`data_loss = -log_softmax(z)[${label}]  # softmax cross-entropy, class ${label}`];
    case "hinge":
      return [`m = ${m}  # the margin y·z, ${sign}`, "data_loss = relu(1 - m)  # hinge"];
    case "mse":
      return [`data_loss = (z[0] - ${y}) ** 2  # squared error to y = ${y} (${sign})`];
    default:
      return [
        `m = ${m}  # the margin y·z, ${sign}`,
        "data_loss = relu(-m) + ln(1 + exp(-abs(m)))  # logistic: ln(1 + e^(−m)), written as the engine computes it",
      ];
  }
}

/** The regulariser over the weight matrices (not the biases), as `Net::build` adds it,
 * or null. @param {Required<Config>} config @param {number} count */
function regulariser(config, count) {
  const { regularization: r, lambda } = config;
  if (r === "none" || lambda === 0) return null;
  const ws = Array.from({ length: count }, (_, l) => `W${l + 1}`);
  if (r === "l2") {
    return { text: `${f32Text(lambda / 2)} * (${ws.map((w) => `sum(${w} ** 2)`).join(" + ")})`, why: `L2: λ/2 · ΣW², λ = ${lambda}` };
  }
  return { text: `${f32Text(lambda)} * (${ws.map((w) => `sum(abs(${w}))`).join(" + ")})`, why: `L1: λ · Σ|W|, λ = ${lambda}` };
}

/** The playground's link (relative to the training page) for `text`.
 * @param {string} text @returns {Promise<string>} */
export async function programLink(text) {
  const view = { text, values: [], tensors: [], fixed: [], tangentOf: null, rate: DEFAULT_RATE };
  return `index.html${await writeFragment(view)}`;
}
