// @ts-check
// The configuration in the URL fragment, so that a link reproduces the run:
//
//   #dataset=moons&classes=2&…&hidden=8,8&activations=tanh,tanh&…&seed=1&speed=max&limit=&limit_unit=steps
//
// Every field is written: the configuration's, then how training is run (pace.js). A link
// is untrusted text: each field is checked against what the control that sets it allows,
// and a refusal names that control as the page labels it. A run on the user's own points
// writes dataset=own, but a link cannot carry the points: it opens on the default dataset.

import { Trainer } from "gradscope";
import { $ } from "../dom.js";
import { messageOf } from "../errors.js";
import { fmt } from "../format.js";
import { FIELDS, PACE_FIELDS, controlOf, labelOf, optionWords } from "./fields.js";
import { PACE_DEFAULTS, SPEEDS } from "./pace.js";
import { conflictReasons, conflicts, datasetsOf, normalize } from "./rules.js";

/** @typedef {import("../../pkg/gradscope.js").Config} Config */
/** @typedef {import("./fields.js").Field} Field */
/** @typedef {import("./fields.js").LinkField} LinkField */
/** @typedef {import("./fields.js").PaceField} PaceField */
/** @typedef {import("./state.js").Pace} Pace */
/** @typedef {import("./rules.js").RuleBook} RuleBook */
/** One field of a link, read: its value, or why it was refused.
 * @typedef {{ value: unknown, why?: undefined } | { why: string }} Parsed */

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const MAX_NUMBER_LENGTH = 24; // no control's value is longer; a longer one is a broken link

/** Puts `config` and `pace` in the URL, replacing the page's entry in the history.
 * @param {Required<Config>} config @param {Pace} pace */
export function writeUrl(config, pace) {
  const p = new URLSearchParams();
  for (const k of /** @type {Field[]} */ (Object.keys(FIELDS))) {
    const v = config[k];
    p.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  for (const k of /** @type {PaceField[]} */ (Object.keys(PACE_FIELDS))) p.set(k, String(pace[k] ?? "")); // no limit: empty
  window.history.replaceState(null, "", `#${p}`);
}

/** The configuration and pace in the URL, checked field by field: a part the page does
 * not allow is replaced by its default, and `refused` says which, in the words of its
 * control.
 * @param {Required<Config>} defaults @param {RuleBook} rules
 * @returns {{ config: Required<Config>, pace: Pace, refused: string[] }} */
export function readUrl(defaults, rules) {
  const p = new URLSearchParams(location.hash.slice(1));
  const config = structuredClone(defaults);
  /** @type {Pace} */
  const pace = { ...PACE_DEFAULTS };
  /** @type {string[]} */
  const refused = [];
  /** @param {LinkField} key @param {string} raw @param {string} why */
  const refuse = (key, raw, why) => refused.push(`${labelOf(key)} “${clip(raw)}” ${why}`);
  // A run on own points: its dataset, number of points and classes are the default's instead.
  const own = p.get("dataset") === "own";
  for (const [key, raw] of p) {
    if (!(key in FIELDS) && !(key in PACE_FIELDS)) {
      refused.push(`“${clip(key)}” is not a setting of this page`);
      continue;
    }
    const field = /** @type {LinkField} */ (key);
    if (own && field === "dataset") {
      refuse(field, raw, "is your own points, which are not in the link: load their file again (Load CSV…)");
      continue;
    }
    if (own && (field === "points" || field === "classes")) continue; // the file's, gone with its points
    const parsed = parseField(rules, field, raw);
    if (parsed.why !== undefined) refuse(field, raw, parsed.why);
    else Object.assign(field in PACE_FIELDS ? pace : config, { [field]: parsed.value });
  }
  // Hidden layers from a link without activations: the default throughout, as `normalize`
  // fills in.
  if (p.has("hidden") && !p.has("activations")) config.activations = [];
  if (config.activations.length > config.hidden.length) {
    refuse("activations", p.get("activations") ?? "", `names more layers than the ${config.hidden.length} hidden ones`);
    config.activations = [];
  }
  // A dataset or loss of the other problem is refused, for the problem's own.
  if (!datasetsOf(rules, config.problem).includes(config.dataset)) {
    // (Own points were refused above, and the default dataset is a classification's.)
    if (!own && p.has("dataset")) refuse("dataset", config.dataset, `is not a ${config.problem} dataset`);
    config.dataset = config.problem === "regression" ? "sine" : defaults.dataset;
  }
  if (config.problem === "regression" && config.loss !== rules.regression_loss) {
    // (The default loss is a classification's: only a loss the link names is refused.)
    if (p.has("loss")) refuse("loss", config.loss, "cannot train a regression, which is fitted by squared error");
    config.loss = rules.regression_loss;
  }
  // Classes that the dataset or the loss cannot have are refused, keeping the other two.
  if (conflicts(rules, config).length) {
    refuse("classes", String(config.classes), `cannot be used: ${conflictReasons(rules, config).join(", and ")}`);
    config.classes = defaults.classes;
  }
  normalize(rules, config);
  // What the controls allow, the engine allows; should it not, the defaults say so.
  const why = refusal(config);
  if (why) return { config: structuredClone(defaults), pace, refused: [`the whole setup (${why})`] };
  return { config, pace, refused };
}

/** Why the engine refuses `config`, or "" if it takes it. @param {Required<Config>} config */
function refusal(config) {
  try {
    new Trainer(config).free();
    return "";
  } catch (e) {
    return messageOf(e);
  }
}

/** The fields without a control of their own, or whose control's value is not the field's
 * (the speed slider's position is the index of its stop), and how each is read.
 * @type {Partial<Record<LinkField, (raw: string, rules: RuleBook) => Parsed>>} */
const PARSERS = {
  features: parseFeatures,
  hidden: parseHidden,
  activations: parseActivations,
  seed: parseSeed,
  init_seed: parseSeed,
  speed: parseSpeed,
  limit: parseLimit,
};

/** One field of a link, checked against its control. A select of words takes one of its
 * options. A select of numbers takes any number between its smallest and largest option
 * (a preset or a link may ask for one in between, which is then added to the list), a
 * whole number if every option is one; a slider its range.
 * @param {RuleBook} rules @param {LinkField} key @param {string} raw
 * @returns {Parsed} */
function parseField(rules, key, raw) {
  const parse = PARSERS[key];
  if (parse) return parse(raw, rules);
  const control = controlOf(key);
  if (control instanceof HTMLSelectElement) {
    const options = [...control.options].map((o) => o.value);
    if (!options.every((o) => NUMBER.test(o))) {
      const choices = options.map((o) => optionWords(control, o)).join(", ");
      return options.includes(raw) ? { value: raw } : { why: `is not one of its choices (${choices})` };
    }
    const numbers = options.map(Number);
    return parseNumber(raw, Math.min(...numbers), Math.max(...numbers), numbers.every(Number.isInteger));
  }
  if (control instanceof HTMLInputElement) return parseNumber(raw, Number(control.min), Number(control.max), false);
  throw new Error(`the page has no control for ${key}`);
}

/** @param {string} raw @param {number} min @param {number} max @param {boolean} integer
 * @returns {Parsed} */
function parseNumber(raw, min, max, integer) {
  const v = Number(raw);
  const ok = raw.length <= MAX_NUMBER_LENGTH && NUMBER.test(raw) && v >= min && v <= max && (!integer || Number.isInteger(v));
  return ok ? { value: v } : { why: `takes ${integer ? "a whole number" : "a number"} from ${fmt(min)} to ${fmt(max)}` };
}

/** @param {string} raw @param {RuleBook} rules @returns {Parsed} */
function parseFeatures(raw, rules) {
  const names = raw === "" ? [] : raw.split(",");
  const known = rules.features.map((f) => f.name);
  const unknown = names.find((n) => !known.some((k) => k === n));
  if (unknown !== undefined) return { why: `has no feature “${clip(unknown)}” (${known.join(", ")})` };
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return { why: `lists ${twice} twice` };
  return names.length ? { value: names } : { why: "needs at least one feature" };
}

/** @param {string} raw @param {RuleBook} rules @returns {Parsed} */
function parseHidden(raw, rules) {
  const widths = raw === "" ? [] : raw.split(",");
  const { max_layers, max_width } = rules;
  const ok = widths.length <= max_layers && widths.every((w) => /^\d{1,3}$/.test(w) && Number(w) >= 1 && Number(w) <= max_width);
  return ok ? { value: widths.map(Number) } : { why: `takes up to ${max_layers} layers of 1 to ${max_width} neurons, as whole numbers` };
}

/** Activations are checked against the hidden layers once those are known (`readUrl`).
 * @param {string} raw @param {RuleBook} rules @returns {Parsed} */
function parseActivations(raw, rules) {
  const names = raw === "" ? [] : raw.split(",");
  const bad = names.find((a) => !rules.activations.some((k) => k === a));
  return bad === undefined ? { value: names } : { why: `has no activation “${clip(bad)}” (${rules.activations.join(", ")})` };
}

/** @param {string} raw @returns {Parsed} */
function parseSeed(raw) {
  // Whole numbers JavaScript holds exactly, as the Regenerate button makes them.
  const ok = /^\d{1,15}$/.test(raw);
  return ok ? { value: Number(raw) } : { why: "takes a whole number of at most 15 digits" };
}

/** @param {string} raw @returns {Parsed} */
function parseSpeed(raw) {
  const speed = SPEEDS.find((s) => String(s) === raw);
  return speed !== undefined ? { value: speed } : { why: `takes one of ${SPEEDS.slice(0, -1).join(", ")} (steps per second) or max` };
}

/** The limit, from the link or typed in its field: a whole number in the field's range,
 * or nothing for no limit. @param {string} raw @returns {Parsed} */
export function parseLimit(raw) {
  if (raw === "") return { value: null };
  const field = $("#limit", HTMLInputElement);
  const parsed = parseNumber(raw, Number(field.min), Number(field.max), true);
  return parsed.why === undefined ? parsed : { why: `${parsed.why}, or nothing for no limit` };
}

/** A link's value as a message quotes it: short, whatever its length. @param {string} raw */
const clip = (raw) => (raw.length > 16 ? `${raw.slice(0, 12)}… (${raw.length} characters)` : raw);
