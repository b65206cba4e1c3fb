// @ts-check
// The playground's examples: the lecture's expressions, then programs that show what a
// graph built as the program runs can do (loops, branches, a batch, detach, max). The
// benchmark page times keystrokes on the recurrent cell, so it lives here, not in main.js.

/**
 * An example: its text and the values of its free names. `fix` is a corrected text for an
 * example whose error is the point (the slide's seed); `select` names the node a view of
 * one op (the Jacobian panel) may open at.
 * @typedef {object} Preset
 * @property {string} name
 * @property {string} expr
 * @property {Record<string, number>} at
 * @property {string} [fix]
 * @property {string} [select]
 */

/** The lecture's snippet (its "dynamic graph" slides) as pasted; `seed` is its last line.
 * @param {string} seed */
const lectureCell = (seed) =>
  "from torch.autograd import Variable\n" +
  "x = Variable(torch.randn(1, 20))\nprev_h = Variable(torch.randn(1, 20))\n" +
  "W_h = Variable(torch.randn(20, 20))\nW_x = Variable(torch.randn(20, 20))\n" +
  "i2h = torch.mm(W_x, x.t())\nh2h = torch.mm(W_h, prev_h.t())\nnext_h = i2h + h2h\nnext_h = next_h.tanh()\n" +
  seed;

/** The lecture's cell unrolled over four inputs: the same weights at every step, so their
 * gradients are summed over the steps (backpropagation through time). */
export const RECURRENT_CELL =
  "# The same W_h and W_x at every step: their gradients are summed over the steps.\n" +
  "seed(0)\nW_h = randn(20, 20)\nW_x = randn(20, 20)\nxs = randn(4, 20)\nh = zeros(20)\n" +
  "for t in range(4):\n    h = tanh(W_h @ h + W_x @ xs[t])\nL = sum(h * h)";

/** @type {Preset[]} */
export const PRESETS = [
  { name: "Lecture: ln(x1) + x1·x2 − sin(x2)", expr: "ln(x1)+x1*x2-sin(x2)", at: { x1: 2, x2: 5 } },
  { name: "Lecture: x1·x2 + sin(x2)", expr: "x1*x2+sin(x2)", at: { x1: 2, x2: 5 } },
  { name: "Lecture: −log σ(w·x)", expr: "-log(1/(1+exp(-w*x)))", at: { w: 0.5, x: 1.5 } },
  {
    name: "Logistic regression loss with L2",
    expr: "0.5*(w1^2+w2^2) - lambda*log(sigmoid(w1*x1+w2*x2))",
    at: { w1: 0.5, w2: -0.3, lambda: 1, x1: 1, x2: 2 },
  },
  { name: "Add distributes the gradient", expr: "(a + b) * 3", at: { a: 2, b: -1 } },
  { name: "Mul switches the gradient", expr: "x * y", at: { x: 3, y: -4 } },
  { name: "Max routes the gradient", expr: "max(x, y) * 2", at: { x: 4, y: 1 } },
  { name: "ReLU gates the gradient", expr: "relu(w*x + b)", at: { w: 0.8, x: -2, b: 0.5 } },
  { name: "Several paths are summed", expr: "x*x + x", at: { x: 3 } },
  {
    // As on the slide: its seed is 1×20 but next_h is 20×1, and the engine says so.
    name: "Program (PyTorch): the lecture's recurrent cell, as pasted from the slide",
    expr: lectureCell("next_h.backward(torch.ones(1, 20))"),
    at: {},
    fix: lectureCell(
      "# The slide seeds with torch.ones(1, 20), but next_h is 20×1: the seed must have its shape.\n" +
        "next_h.backward(torch.ones(20, 1))",
    ),
  },
  {
    name: "Program: logistic regression in vector form, with L2",
    expr: "w = [0.5, -0.3, 0.8]\nx = [1.0, 2.0, -1.0]\np = sigmoid(w @ x)\nL = 0.5 * (w @ w) - lam * ln(p)",
    at: { lam: 1 },
  },
  {
    name: "Program: a fully connected layer with ReLU",
    expr: "seed(1)\nW = randn(3, 4)\nx = randn(4)\nb = zeros(3)\nh = relu(W @ x + b)\nL = sum(h * h)",
    at: {},
    select: "relu",
  },
  { name: "Program: a recurrent cell unrolled four steps (a for loop)", expr: RECURRENT_CELL, at: {} },
  { name: "Program: a branch (move x across 0)", expr: "if x > 0:\n    y = x * x\nelse:\n    y = -x\ny", at: { x: 1.5 } },
  { name: "Program: Newton's method for √a, differentiated through", expr: "y = a\nfor i in range(5):\n    y = 0.5 * (y + a / y)\ny", at: { a: 2 } },
  {
    name: "Program: a softmax classifier on a batch of 4 points",
    expr:
      "# 4 points in 2-D, 3 classes; Y holds the labels one-hot.\nseed(0)\nX = randn(4, 2)\n" +
      "Y = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]]\nW = randn(2, 3)\nb = zeros(3)\n" +
      "logp = log_softmax(X @ W + b, axis=1)\n# The mean negative log-likelihood of the right classes.\nL = -mean(sum(Y * logp, axis=1))",
    at: {},
  },
  {
    name: "Program: detach stops a gradient",
    expr:
      "# detach(y) is y's value, but no gradient flows back through it:\n# ∂L/∂y is detach(y) alone, not 2y.\n" +
      "w = [0.5, -1.0, 2.0]\nx = [1.0, 2.0, 3.0]\ny = w @ x\nL = y * detach(y)",
    at: {},
  },
  {
    name: "Program: amax routes the gradient (ties split it)",
    expr:
      "# amax passes its gradient to the largest entry; tied entries share it.\n# Move d above 0 and the third entry takes it all.\n" +
      "z = [1.0, 3.0, 3.0, 2.0]\nbump = [0.0, 0.0, 1.0, 0.0]\nL = 2 * amax(z + d * bump)",
    at: { d: 0 },
  },
];
