// @ts-check
// The page's few DOM helpers, shared by every page: look an element up by selector (one
// that must exist, with its type), build one from properties and children, and get a
// canvas's 2-D context. User text only ever goes in as textContent or a value, never as
// HTML.

/**
 * The element `selector` names, as the type the caller says it is; throws if the page
 * has none, which is a bug in the page, not something a user can cause.
 * @template {Element} [T=HTMLElement]
 * @param {string} selector
 * @param {{ new (): T }} [type]
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

/**
 * The 2-D context of `canvas`; throws if the browser has none, as the page cannot draw
 * without it.
 * @overload
 * @param {HTMLCanvasElement} canvas
 * @returns {CanvasRenderingContext2D}
 */
/**
 * @overload
 * @param {OffscreenCanvas} canvas
 * @returns {OffscreenCanvasRenderingContext2D}
 */
/** @param {HTMLCanvasElement | OffscreenCanvas} canvas */
export function context2d(canvas) {
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("this browser has no 2-D canvas");
  return ctx;
}
