// @ts-check
// The configuration's fields as the page shows them: the control that sets each, and the
// words for a field and its values, read from those controls, so that every message
// names a choice as the user sees it ("Momentum μ", "two moons").

import { $ } from "../dom.js";

/** @typedef {import("../../pkg/gradscope.js").Config} Config */
/** @typedef {keyof Config} Field */
/** @typedef {keyof import("./state.js").Pace} PaceField */
/** A field of the link: the configuration's, or how training is run. @typedef {Field | PaceField} LinkField */

/** Every field of the configuration with the control that sets it; a field that several
 * controls or a button set says how the page names it.
 * @type {Record<Field, { control: string } | { label: string }>} */
export const FIELDS = {
  problem: { control: "#problem" },
  dataset: { control: "#dataset" },
  classes: { control: "#classes" },
  points: { control: "#points" },
  noise: { control: "#noise" },
  test_fraction: { control: "#test-fraction" },
  features: { label: "Features" },
  hidden: { label: "Hidden layers" },
  activations: { label: "Activations" },
  loss: { control: "#loss" },
  optimizer: { control: "#optimizer" },
  learning_rate: { control: "#learning-rate" },
  momentum: { control: "#momentum" },
  batch_size: { control: "#batch-size" },
  regularization: { control: "#regularization" },
  lambda: { control: "#lambda" },
  seed: { label: "Seed (Regenerate)" },
  init_seed: { label: "Initialisation (New initialisation)" },
};

/** The link's fields that are not the engine's: how fast training runs and where it stops.
 * @type {Record<PaceField, { control: string }>} */
export const PACE_FIELDS = {
  speed: { control: "#speed" },
  limit: { control: "#limit" },
  limit_unit: { control: "#limit-unit" },
};

/** @param {LinkField} key */
const fieldOf = (key) => (key in PACE_FIELDS ? PACE_FIELDS[/** @type {PaceField} */ (key)] : FIELDS[/** @type {Field} */ (key)]);

/** The control that sets `key`, or null if it has none of its own. @param {LinkField} key */
export function controlOf(key) {
  const f = fieldOf(key);
  return "control" in f ? $(f.control, HTMLElement) : null;
}

/** The label of a field as the page shows it: "Test points", "Momentum μ"; a control
 * outside a label is named by its aria-label. @param {LinkField} key */
export function labelOf(key) {
  const f = fieldOf(key);
  if ("label" in f) return f.label;
  const control = $(f.control);
  const label = control.closest("label");
  const text = [...(label?.childNodes ?? [])].find((n) => n.nodeType === Node.TEXT_NODE);
  return text?.textContent?.trim() ?? control.getAttribute("aria-label") ?? key;
}

/** Each option's own words, kept before annotations are added to them (and its value made
 * explicit: an option without one takes its text). Called once, before anything else. */
export function keepOptionWords() {
  for (const o of document.querySelectorAll("select option")) {
    if (!(o instanceof HTMLOptionElement)) continue;
    o.setAttribute("value", o.value);
    o.dataset.label = o.textContent ?? "";
  }
}

/** The words of `select`'s option `value`: "two moons" for moons.
 * @param {HTMLSelectElement} select @param {string} value */
export function optionWords(select, value) {
  return [...select.options].find((o) => o.value === value)?.dataset.label ?? value;
}

/** The words of option `value` of the select `selector` names.
 * @param {string} selector @param {string} value */
export const choiceText = (selector, value) => optionWords($(selector, HTMLSelectElement), value);

/** The current value of a field as its control shows it.
 * @param {Required<Config>} config @param {Field} key */
export function valueText(config, key) {
  const control = controlOf(key);
  const value = String(config[key]);
  return control instanceof HTMLSelectElement ? optionWords(control, value) : value;
}
