// @ts-check
// The tour's steps, in the lecture's order: each a title, two or three sentences on what to
// look at, and the live view that shows it, as a link to one of the two pages. The views
// are the pages' own links (the playground's fragment, the training page's configuration)
// and their examples, so a step shows what the page would show for that link.

import { DEFAULT_RATE, plainFragment } from "../fragment.js";
import { PRESETS } from "../presets.js";
import { PRESETS as TRAINING_PRESETS } from "../train/presets.js";

/** @typedef {import("../fragment.js").View} View */
/** @typedef {import("../../pkg/gradscope.js").Config} Config */

/**
 * A step of the tour: what it is called (its `slug` in `#step=`), what it says, and its
 * view: a page of the site, the embed's `hide=` and `show=`, and that page's fragment.
 * @typedef {object} Step
 * @property {string} slug
 * @property {string} title
 * @property {string[]} text two or three sentences, in the lecture's words
 * @property {"index.html" | "train.html"} page
 * @property {string[]} hide the parts the embed hides (embed.js)
 * @property {string[]} show the parts it adds
 * @property {string} fragment the page's own link, with its '#'
 */

/** An example of the playground by (part of) its name: its text and values. @param {string} words */
function example(words) {
  const found = PRESETS.find((p) => p.name.includes(words));
  if (!found) throw new Error(`the playground has no example named like ${words}`);
  return found;
}

/** The playground's link for `text` at `at`, with the rest of the view as given.
 * @param {string} text @param {Record<string, number>} at @param {Partial<View>} [rest] */
function playground(text, at, rest = {}) {
  return plainFragment({ text, values: Object.entries(at), tensors: [], fixed: [], tangentOf: null, rate: DEFAULT_RATE, ...rest });
}

/** The training page's link for a configuration (fields the page does not get keep their
 * defaults) and how it is run. @param {Partial<Config>} config @param {Record<string, string>} [pace] */
function training(config, pace = {}) {
  const fields = Object.entries(config).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]);
  return `#${new URLSearchParams([...fields, ...Object.entries(pace)])}`;
}

const lecture = example("ln(x1) + x1·x2 − sin(x2)");
const twoPaths = example("x1·x2 + sin(x2)");
const logistic = example("Logistic regression loss with L2");
const fcRelu = example("a fully connected layer with ReLU");
const newton = example("Newton's method");
const cell = example("the lecture's recurrent cell, as pasted");

/** @type {Step[]} */
export const STEPS = [
  {
    slug: "neuron",
    title: "A neuron",
    text: [
      "A neuron takes inputs, sums them in a weighted manner, adds a bias, and passes the result through a non-linear function: here the sigmoid, 1 / (1 + e^−x).",
      "The inputs x1, x2 and the weights w1, w2, b are on the left of the graph, the neuron's activation on the right.",
      "Learning is a modification of the weights: move a weight's slider and watch the activation, and the gradient ∂ on every node, change.",
    ],
    page: "index.html",
    hide: ["pass", "step", "caption"],
    show: ["result"],
    fragment: playground("sigmoid(w1*x1 + w2*x2 + b)", { w1: 0.8, x1: 1, w2: -0.5, x2: 2, b: 0.1 }),
  },
  {
    slug: "fully-connected",
    title: "A fully connected layer",
    text: [
      "Several neurons connected to the same input make a fully connected layer, f(x, W) = σ(Wx + b): a multi-class classifier whose every output is the score of one class.",
      "Each row of W holds one neuron's weights; the tensor nodes draw W, x and h as heatmaps, the value on the left and the gradient on the right.",
      "Click a cell of W's grid above the graph to change one weight (sum(h) stands in for a loss at the end).",
    ],
    page: "index.html",
    hide: ["step", "caption"],
    show: [],
    fragment: playground(
      "# Three neurons on the same four inputs: one score per class.\nseed(0)\nW = randn(3, 4)\nx = randn(4)\nb = zeros(3)\nh = sigmoid(W @ x + b)\nL = sum(h)",
      {},
    ),
  },
  {
    slug: "stacking-layers",
    title: "Stacking layers",
    text: [
      "Stack layers and the output of the first is the input to the second: a 2-layered neural network (the input is not counted), whose middle layer, neither input nor output, is hidden.",
      "Every neuron is drawn as a small heatmap of its output over the plane: press Play and watch the hidden neurons become the features the output combines.",
      "Add a layer with + layer: more layers increase the representational power of the function.",
    ],
    page: "train.html",
    hide: ["curves"],
    show: [],
    fragment: training({ dataset: "circles", classes: 2, noise: 0.1, hidden: [4], activations: ["tanh"] }, { limit: "3000", limit_unit: "steps" }),
  },
  {
    slug: "computation-graph",
    title: "The computation graph",
    text: [
      "We view the function f(x1, x2) = ln(x1) + x1x2 − sin(x2) as a computation graph: a directed acyclic graph of primitive computations (ln, ×, sin, +, −) whose derivatives are known.",
      "The inputs are on the left and the output on the right; each node shows its value and the gradient of f with respect to it (∂).",
      "Hover a node or an edge (or tap it) for the chain rule at that point.",
    ],
    page: "index.html",
    hide: ["pass", "step", "caption"],
    show: ["result"],
    fragment: playground(lecture.expr, lecture.at),
  },
  {
    slug: "forward-pass",
    title: "The forward pass stores the values",
    text: [
      "Step 1 of training is the forward pass: compute each node's output in topological order, from the inputs to f; press Step to go on.",
      "Note that every node keeps its value: we must store the intermediate outputs of all layers, because the gradient equations have terms with those values in them (the local gradient of x1·x2 needs x1 and x2).",
    ],
    page: "index.html",
    hide: [],
    show: [],
    fragment: playground(lecture.expr, lecture.at, { pass: "forward", step: 3 }),
  },
  {
    slug: "backward-pass",
    title: "The backward pass: upstream × local",
    text: [
      "The backward pass starts at the output, where ∂f/∂f = 1, and moves back one module at a time to the inputs.",
      "What a node passes back to an input is the upstream gradient (given by the module after it) times its local gradient (its own derivative): the caption over the graph names both.",
      "Press Step and watch the edges light up, coloured by how much gradient flows along them.",
    ],
    page: "index.html",
    hide: [],
    show: [],
    fragment: playground(lecture.expr, lecture.at, { pass: "backward", step: 3 }),
  },
  {
    slug: "gradient-patterns",
    title: "Gradient patterns: add, mul, max",
    text: [
      "Addition distributes the upstream gradient to all its inputs; multiplication is a gradient switcher, multiplying it by the value of the other term; max selects the path of the input that was largest in the forward pass, and the other gets 0.",
      "Here c and the max both get d = 3, d gets max(a, b) + c = 6, a gets 3 and b nothing.",
      "Move b above 4: the gradient switches to b.",
    ],
    page: "index.html",
    hide: ["pass", "step", "caption"],
    show: ["result"],
    fragment: playground("(max(a, b) + c) * d", { a: 4, b: 1, c: 2, d: 3 }),
  },
  {
    slug: "paths-summed",
    title: "Several paths are summed",
    text: [
      "In f(x1, x2) = x1x2 + sin(x2), x2 feeds two nodes, so its gradient arrives along two paths and the two are summed: x̄2 = ā1·cos(x2) + ā2·x1.",
      "Press Step through the backward pass and watch x2: its ∂ reads 0.283662 +…, a partial sum, until the second path (through ×) has added x1 = 2.",
    ],
    page: "index.html",
    hide: [],
    show: ["result"],
    fragment: playground(twoPaths.expr, twoPaths.at, { pass: "backward", step: 2 }),
  },
  {
    slug: "forward-mode",
    title: "Forward mode and its cost",
    text: [
      "Forward-mode automatic differentiation starts from the inputs and propagates gradients forward: with ẋ1 = 1 and ẋ2 = 0, each node's tangent is ẋ = Σ local × ẋ, and the output's tangent is ∂f/∂x1 alone.",
      "So forward mode takes one pass per input, reverse mode one per output: its complexity is proportional to the input size.",
      "In most cases our inputs (images, weights) are large and our output (the loss) is small, which is why we backpropagate.",
    ],
    page: "index.html",
    hide: [],
    show: ["result"],
    fragment: playground(lecture.expr, lecture.at, { tangentOf: "x1", pass: "tangent", step: 3 }),
  },
  {
    slug: "dynamic-graph",
    title: "A dynamic graph",
    text: [
      "In PyTorch a graph is created on the fly: each line that runs adds its nodes (i2h, h2h, next_h), and next_h.backward() uses the dynamically built graph.",
      "This is the lecture's snippet; its seed torch.ones(1, 20) does not have next_h's shape (20×1), so it is corrected to torch.ones(20, 1) (the full page's Examples menu has the slide's version and its error).",
      "Hover a node: the line that made it is marked in the code.",
    ],
    page: "index.html",
    hide: ["variables", "step", "caption"],
    show: [],
    fragment: playground(cell.fix ?? cell.expr, cell.at),
  },
  {
    slug: "control-flow",
    title: "Control flow",
    text: [
      "Computation graphs are not limited to mathematical functions: a program with loops and if statements builds its graph as it runs, and we backpropagate through the algorithm.",
      "Here five iterations of Newton's method compute √a, each iteration a box (click one to expand it), and ∂y/∂a comes out as 1/(2√a) = 0.353553.",
    ],
    page: "index.html",
    hide: ["step", "caption"],
    show: ["result"],
    fragment: playground(newton.expr, newton.at),
  },
  {
    slug: "logistic-regression",
    title: "Logistic regression with L2",
    text: [
      "Machine-learning functions (input → model → loss) are computation graphs too: p = σ(wᵀx), and the loss L = ½‖w‖² − λ log p.",
      "We define only the forward function; the backward pass gives ∂L/∂w1 and ∂L/∂w2 without our writing a gradient function.",
      "Press gradient descent's Step: the weights move by w ← w − rate · ∂L/∂w (the data x1, x2 and λ are held fixed) and L goes down.",
    ],
    page: "index.html",
    hide: ["step", "caption"],
    show: ["descent", "result"],
    fragment: playground(logistic.expr, logistic.at, { fixed: ["lambda", "x1", "x2"] }),
  },
  {
    slug: "jacobians",
    title: "The Jacobians of FC and ReLU layers",
    text: [
      "The full Jacobian of a ReLU layer is large (output dim × input dim) but sparse: only the diagonal is non-zero, 1 where the input is > 0 and 0 otherwise, since max funnels gradients through the selected input.",
      "The panel under the graph shows it beside the vector–Jacobian product, upstream × J, that backpropagation computes instead.",
      "Click the @ node (W @ x) for the FC layer's: with respect to W, one block of xᵀ per output row, zeros elsewhere.",
    ],
    page: "index.html",
    hide: ["variables", "step", "caption", "legend"],
    show: ["panel"],
    fragment: playground(fcRelu.expr, fcRelu.at, { node: fcRelu.select ?? "relu" }),
  },
  {
    slug: "training",
    title: "Training a network, and the gradient's health",
    text: [
      "Training is the forward pass, the backward pass and the update w ← w − α ∂L/∂w, over and over: press Play.",
      "If gradients do not flow backwards properly, learning slows or stops: through these six sigmoid layers each backward step multiplies by σ′ ≤ ¼, so the chart under the loss curves shows the first layer's ‖∂L/∂W‖ orders of magnitude below the last's, and the loss stays near ln 2.",
      "In the full page, the Preset menu has the same six layers with ReLU, which learn.",
    ],
    page: "train.html",
    hide: ["layers"],
    show: ["health"],
    fragment: training(TRAINING_PRESETS.vanishing, { limit: "3000", limit_unit: "steps" }),
  },
];
