// @ts-check
// The page's few DOM helpers, shared by every page: look an element up by selector (one
// that must exist, with its type) and build one from properties and children. User text
// only ever goes in as textContent or a value, never as HTML.

/**
 * The element `selector` names, as the type the caller says it is; throws if the page
 * has none, which is a bug in the page, not something a user can cause.
 * @template {Element} [T=HTMLElement]
 * @param {string} selector
 * @param {{ new (...args: any[]): T }} [type]
 * @returns {T}
 */
export function $(selector, type) {
  const found = document.querySelector(selector);
  if (!found) throw new Error(`the page has no ${selector}`);
  if (type && !(found instanceof type)) throw new Error(`${selector} is not a ${type.name}`);
  return /** @type {T} */ (found);
}

/**
 * A new element with `props` assigned and `children` appended.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Partial<HTMLElementTagNameMap[K]>} [props]
 * @param {(Node | string)[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
}
