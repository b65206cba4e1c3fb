// @ts-check
// Which choices go together, from the engine's rules (`Trainer.rules()`), so that the page
// states none of its own: the choices that cannot go with the classes, the nearest setups
// that can, and the words for both.

import { Trainer } from "gradscope";
import { choiceText } from "./fields.js";

/** @typedef {import("../../pkg/gradscope.js").Config} Config */
/** @typedef {import("../../pkg/gradscope.js").Rules} Rules */
/** @typedef {import("../../pkg/gradscope.js").DatasetKind} DatasetKind */
/** @typedef {import("../../pkg/gradscope.js").Loss} Loss */
/** @typedef {import("../../pkg/gradscope.js").Feature} Feature */
/**
 * The engine's rules with the class counts by name: `datasets.moons` is [2].
 * @typedef {Omit<Rules, "datasets" | "losses"> & {
 *   datasets: Record<DatasetKind, number[]>, losses: Record<Loss, number[]> }} RuleBook
 */
/** The three choices that must agree (with the problem). @typedef {"dataset" | "classes" | "loss"} Choice */
/** @typedef {Pick<Required<Config>, Choice | "problem">} Setup */
/** @typedef {import("../../pkg/gradscope.js").Problem} Problem */

/** @type {Choice[]} */
const CHOICES = ["dataset", "classes", "loss"];

/** The engine's rules, read once. @returns {RuleBook} */
export function readRules() {
  const r = Trainer.rules();
  return { ...r, datasets: byName(r.datasets), losses: byName(r.losses) };
}

/**
 * @template {string} K
 * @param {{ name: K, classes: number[] }[]} list
 * @returns {Record<K, number[]>}
 */
function byName(list) {
  return /** @type {Record<K, number[]>} */ (Object.fromEntries(list.map((a) => [a.name, a.classes])));
}

/** The datasets of `problem` ("own" is of both), in the engine's order.
 * @param {RuleBook} rules @param {Problem} problem @returns {DatasetKind[]} */
export const datasetsOf = (rules, problem) => rules.problems.find((p) => p.problem === problem)?.datasets ?? [];

/** The classification datasets the engine draws from a seed: all but "own", the user's points.
 * @param {RuleBook} rules */
export const generatedDatasets = (rules) => datasetsOf(rules, "classification").filter((d) => d !== "own");

/** What a switch to `problem` changes: a dataset of that problem (the one the run had last
 * time it was of it, else the first) and a loss it can be trained with.
 * @param {RuleBook} rules @param {Required<Config>} defaults @param {Problem} problem
 * @param {Partial<Record<Problem, DatasetKind>>} last */
export function problemPatch(rules, defaults, problem, last) {
  if (problem === "regression") return { problem, dataset: last.regression ?? "sine", loss: rules.regression_loss };
  return { problem, dataset: last.classification ?? defaults.dataset, loss: defaults.loss, classes: defaults.classes };
}

/** Every number of classes some dataset can have, smallest first. @param {RuleBook} rules */
export const classCounts = (rules) => [...new Set(Object.values(rules.datasets).flat())].sort((a, b) => a - b);

/** The choices among dataset and loss that cannot go with `setup`'s classes.
 * @param {RuleBook} rules @param {Setup} setup
 * @returns {("dataset" | "loss")[]} */
export function conflicts(rules, setup) {
  const posed = datasetsOf(rules, setup.problem).includes(setup.dataset);
  if (setup.problem === "regression") {
    return [
      ...(posed ? [] : /** @type {const} */ (["dataset"])),
      ...(setup.loss === rules.regression_loss ? [] : /** @type {const} */ (["loss"])),
    ];
  }
  if (!posed) return ["dataset"];
  return [
    ...(rules.datasets[setup.dataset].includes(setup.classes) ? [] : /** @type {const} */ (["dataset"])),
    ...(rules.losses[setup.loss].includes(setup.classes) ? [] : /** @type {const} */ (["loss"])),
  ];
}

const orWords = (/** @type {number[]} */ list) => list.join(" or ");

/** Why `setup`'s classes do not go with its dataset or loss, in the page's words.
 * @param {RuleBook} rules @param {Setup} setup */
export function conflictReasons(rules, setup) {
  if (setup.problem === "regression" || !datasetsOf(rules, setup.problem).includes(setup.dataset)) {
    return conflicts(rules, setup).map((k) =>
      k === "dataset"
        ? `${choiceText("#dataset", setup.dataset)} is not a ${setup.problem} dataset`
        : `a regression is trained with the ${choiceText("#loss", rules.regression_loss)} loss`,
    );
  }
  return conflicts(rules, setup).map((k) =>
    k === "dataset"
      ? `${choiceText("#dataset", setup.dataset)} has ${orWords(rules.datasets[setup.dataset])} classes only`
      : `the ${choiceText("#loss", setup.loss)} loss is for ${orWords(rules.losses[setup.loss])} classes only`,
  );
}

/** What the menu adds to a dataset's or a loss's option when it cannot have `classes`:
 * "2 classes only"; "" when it can. @param {number[]} allowed the classes it can have
 * @param {number} classes */
export const onlyFor = (allowed, classes) => (allowed.includes(classes) ? "" : `${orWords(allowed)} classes only`);

/** The nearest setups the rules allow that keep what was just picked: the fewest of the
 * other choices (dataset, classes, loss) changed. Each is a patch of what was picked and
 * what changed, in the order the rules list the choices. None switches to the user's own
 * points: their classes are the file's, not a choice (`generatedDatasets`).
 * @param {RuleBook} rules @param {Required<Config>} next @param {Partial<Config>} picked
 * @returns {Partial<Config>[]} */
export function alternatives(rules, next, picked) {
  const free = CHOICES.filter((k) => !(k in picked));
  const datasets = generatedDatasets(rules);
  const losses = /** @type {Loss[]} */ (Object.keys(rules.losses));
  const classes = classCounts(rules);
  /** @type {Setup[]} */
  const setups = [];
  // (A regression has one loss and no classes: nothing to offer there.)
  for (const dataset of datasets) for (const k of classes) for (const loss of losses) setups.push({ problem: "classification", dataset, classes: k, loss });
  const changed = (/** @type {Setup} */ s) => free.filter((k) => s[k] !== next[k]);
  const keeps = (/** @type {Setup} */ s) => CHOICES.every((k) => free.includes(k) || s[k] === next[k]);
  const fitting = setups.filter((s) => keeps(s) && !conflicts(rules, s).length);
  const fewest = Math.min(...fitting.map((s) => changed(s).length));
  return fitting
    .filter((s) => changed(s).length === fewest)
    .map((s) => {
      const whole = { ...next, ...s };
      const keys = [...Object.keys(picked), ...changed(s)];
      return /** @type {Partial<Config>} */ (Object.fromEntries(keys.map((k) => [k, whole[/** @type {keyof Config} */ (k)]])));
    });
}

/** A setup as words for a button: "spiral, 3 classes, softmax cross-entropy".
 * @param {Partial<Config>} patch */
export function describe(patch) {
  return [
    patch.dataset !== undefined && choiceText("#dataset", patch.dataset),
    patch.classes !== undefined && `${patch.classes} classes`,
    patch.loss !== undefined && choiceText("#loss", patch.loss),
  ]
    .filter((words) => words)
    .join(", ");
}

/** One activation per hidden layer, the engine's default where the list is short: the
 * network the trainer builds from `config`. @param {RuleBook} rules @param {Required<Config>} config */
export function normalize(rules, config) {
  config.activations = config.hidden.map((_, i) => config.activations[i] ?? rules.default_activation);
  return config;
}

/** How the page writes a feature: "x1²" for x1_squared. @param {RuleBook} rules @param {Feature} name */
export const featureLabel = (rules, name) => rules.features.find((f) => f.name === name)?.label ?? name;
