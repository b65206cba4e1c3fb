// @ts-check
// The playground's state in the URL fragment, so a link reproduces the view:
//
//   #e=<expression>&<variable>=<value>…&fixed=x1,x2&tangent=x1&rate=0.05
//
// Every part is percent-encoded on the way out, a space as %20 and never '+', because the
// reader takes '+' literally: a hand-typed `#e=x+y` means x + y. A fragment is untrusted
// text: what does not read as the field it claims to be is dropped.

/**
 * @typedef {object} View
 * @property {string} text the expression as typed
 * @property {[string, number][]} values each variable's value
 * @property {string[]} fixed variables gradient descent leaves alone
 * @property {string | null} tangentOf the forward-mode input, if one is chosen
 * @property {string} rate the gradient-descent rate as typed
 */

/** The rate the page starts with, left out of links. */
export const DEFAULT_RATE = "0.1";
/** Longer text is cut: nothing a person types, and a link must not hang the page. */
const MAX_TEXT = 100_000;
const FIELDS = new Set(["e", "fixed", "tangent", "rate"]);

/** The fragment for `view`, with its leading '#'. @param {View} view */
export function writeFragment(view) {
  const enc = encodeURIComponent;
  const parts = [`e=${enc(view.text)}`];
  for (const [name, v] of view.values) parts.push(`${enc(name)}=${enc(String(v))}`);
  if (view.fixed.length) parts.push(`fixed=${view.fixed.map(enc).join(",")}`);
  if (view.tangentOf) parts.push(`tangent=${enc(view.tangentOf)}`);
  if (view.rate !== DEFAULT_RATE) parts.push(`rate=${enc(view.rate)}`);
  return `#${parts.join("&")}`;
}

/** The view a fragment describes, or null if it names no expression.
 * @param {string} hash `location.hash`, with or without its '#'
 * @returns {View | null} */
export function readFragment(hash) {
  // Not URLSearchParams: it reads '+' as a space.
  /** @type {Map<string, string>} */
  const params = new Map();
  for (const part of hash.replace(/^#/, "").split("&")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    try {
      params.set(decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      // A malformed escape: ignore that part.
    }
  }
  const text = params.get("e");
  if (text === undefined) return null;
  /** @type {[string, number][]} */
  const values = [];
  for (const [key, raw] of params) {
    const v = Number(raw);
    if (!FIELDS.has(key) && raw.trim() !== "" && Number.isFinite(v)) values.push([key, v]);
  }
  const rate = Number(params.get("rate"));
  return {
    text: text.slice(0, MAX_TEXT),
    values,
    fixed: (params.get("fixed") ?? "").split(",").filter(Boolean),
    tangentOf: params.get("tangent") ?? null,
    rate: params.has("rate") && Number.isFinite(rate) ? String(rate) : DEFAULT_RATE,
  };
}
