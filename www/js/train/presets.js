// @ts-check
// The setups the Preset menu offers, by the option's value: what each changes from the
// defaults.

/** @typedef {import("../../pkg/gradscope.js").Config} Config */

/** @type {Record<string, Partial<Config>>} */
export const PRESETS = {
  // The lecture's logistic regression: one sigmoid neuron (a linear layer and the
  // logistic loss), L2.
  lecture: {
    dataset: "blobs", classes: 2, noise: 0.3, hidden: [], activations: [], loss: "logistic",
    optimizer: "sgd", learning_rate: 0.1, batch_size: 32, regularization: "l2", lambda: 0.01,
  },
  // micrograd's demo: moons, a 16-16 relu MLP, hinge loss.
  micrograd: {
    dataset: "moons", classes: 2, points: 100, noise: 0.1, test_fraction: 0, hidden: [16, 16],
    activations: ["relu", "relu"], loss: "hinge", optimizer: "sgd", learning_rate: 0.1,
    batch_size: 100, regularization: "l2", lambda: 0.0001,
  },
  spiral3: {
    dataset: "spiral", classes: 3, points: 500, noise: 0.03, hidden: [32, 32], activations: ["relu", "relu"],
    loss: "softmax_cross_entropy", optimizer: "adam", learning_rate: 0.01, batch_size: 32,
    regularization: "none", lambda: 0,
  },
  // The lecture's warning, in a chart: through six narrow sigmoid layers each backward step
  // multiplies by σ′ ≤ ¼, so the first layers' gradients are orders of magnitude below the
  // last's and they barely learn. The same network with ReLU (slope 1 where active) beside it.
  vanishing: {
    dataset: "circles", classes: 2, noise: 0.1, hidden: [4, 4, 4, 4, 4, 4], activations: Array(6).fill("sigmoid"),
    loss: "logistic", optimizer: "sgd", learning_rate: 0.03, batch_size: 32, regularization: "none", lambda: 0,
  },
  // "Two layers can represent any continuous function": a curve approximated as it learns,
  // and TF Playground's six Gaussians over the plane.
  sine: {
    problem: "regression", dataset: "sine", points: 200, noise: 0.05, hidden: [16, 16], activations: ["tanh", "tanh"],
    loss: "mse", optimizer: "adam", learning_rate: 0.01, batch_size: 16, regularization: "none", lambda: 0,
  },
  gaussians: {
    problem: "regression", dataset: "gaussians", points: 500, noise: 0, hidden: [16, 16], activations: ["relu", "relu"],
    loss: "mse", optimizer: "adam", learning_rate: 0.01, batch_size: 16, regularization: "none", lambda: 0,
  },
  flowing: {
    dataset: "circles", classes: 2, noise: 0.1, hidden: [4, 4, 4, 4, 4, 4], activations: Array(6).fill("relu"),
    loss: "logistic", optimizer: "sgd", learning_rate: 0.03, batch_size: 32, regularization: "none", lambda: 0,
  },
};
