// @ts-check
// The Share button and its panel (a modal <dialog>): the link to this view, and an
// <iframe> snippet that embeds it, each in a read-only field with a Copy button.
// Checkboxes choose what the embed shows, and two fields its size; the snippet follows
// live. The links are made from `location`, so they are right under any path prefix.

import { $, el } from "./dom.js";
import { embedUrl, iframeSnippet, plainUrl } from "./embed-link.js";

/** @typedef {import("./embed-link.js").EmbedPage} EmbedPage */

/** An embed's width and height, in CSS pixels, that the panel takes. */
const MIN_SIZE = 160;
const MAX_SIZE = 4000;

/** Adds the Share button to the page's header; the panel is made when first opened.
 * @param {EmbedPage} page @param {() => Promise<unknown>} flush the view's pending state
 *   written into the URL */
export function wireShare(page, flush) {
  const button = headerButton("share", "Share", "A link to this view, and the code to embed it in a page");
  $("header").append(button); // at its end, on the right
  openPanelOn(button, flush, () => sharePanel(page));
}

/** A button of the header that opens a panel. @param {string} id @param {string} text @param {string} title */
export function headerButton(id, text, title) {
  const button = el("button", { type: "button", id, className: "share-button", textContent: text });
  button.setAttribute("aria-haspopup", "dialog");
  button.title = title;
  return button;
}

/** Clicking `button` writes the view's pending state into the URL, then opens the panel
 * `make` makes (the first time), brought up to date.
 * @param {HTMLButtonElement} button @param {() => Promise<unknown>} flush
 * @param {() => { dialog: HTMLDialogElement, update: () => void }} make */
export function openPanelOn(button, flush, make) {
  /** @type {{ dialog: HTMLDialogElement, update: () => void } | null} */
  let panel = null;
  button.addEventListener("click", async () => {
    await flush().catch(() => {});
    panel ??= make();
    panel.update();
    if (!panel.dialog.open) panel.dialog.showModal();
  });
}

/** A Copy button for `field`, saying in `status` what it did.
 * @param {HTMLInputElement | HTMLTextAreaElement} field @param {string} what @param {HTMLElement} status */
export function copyButton(field, what, status) {
  const b = el("button", { type: "button", className: "share-copy", textContent: "Copy" });
  b.setAttribute("aria-label", `Copy ${what}`);
  b.addEventListener("click", () => void copy(field, what, status));
  return b;
}

/** The status line of a panel: what Copy did. */
export function statusLine(id = "share-status") {
  const status = el("p", { id, className: "share-status" });
  status.setAttribute("role", "status");
  return status;
}

/** A modal panel as Share's is: its heading, `children`, then the status line and a Close
 * button; keys pressed in it are its own, not the page's (Space plays the training page).
 * @param {string} id @param {string} title @param {HTMLElement} status @param {(Node | string)[]} children */
export function panelDialog(id, title, status, children) {
  const close = el("button", { type: "button", className: "share-close", textContent: "Close" });
  const dialog = el(
    "dialog",
    { className: "share", id },
    el("h2", { id: `${id}-title`, textContent: title }),
    ...children,
    status,
    el("div", { className: "share-actions" }, close),
  );
  dialog.setAttribute("aria-labelledby", `${id}-title`);
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => (status.textContent = ""));
  dialog.addEventListener("keydown", (ev) => ev.stopPropagation());
  document.body.append(dialog);
  return dialog;
}

/** @param {EmbedPage} page */
function sharePanel(page) {
  const shown = new Set(page.parts.filter((p) => p.shown).map((p) => p.name));
  const link = el("input", { type: "text", id: "share-link", className: "share-field", readOnly: true, spellcheck: false });
  const snippet = el("textarea", { id: "share-snippet", className: "share-field", readOnly: true, rows: 5, spellcheck: false });
  const status = statusLine();
  const preview = el("a", { id: "share-preview", textContent: "try the embed ↗", target: "_blank", rel: "noopener" });
  /** @param {string} id @param {number} value */
  const sizeField = (id, value) => el("input", { type: "number", id, min: String(MIN_SIZE), max: String(MAX_SIZE), step: "10", value: String(value) });
  const width = sizeField("share-width", page.size.width);
  const height = sizeField("share-height", page.size.height);

  const update = () => {
    link.value = plainUrl(location.href);
    const src = embedUrl(location.href, page, shown);
    preview.href = src;
    snippet.value = iframeSnippet(src, sizeOf(width, page.size.width), sizeOf(height, page.size.height), `gradscope: ${page.describe()}`);
  };

  const checks = page.parts.map((part) => {
    const box = el("input", { type: "checkbox", checked: shown.has(part.name) });
    box.dataset.part = part.name;
    box.addEventListener("change", () => {
      if (box.checked) shown.add(part.name);
      else shown.delete(part.name);
      update();
    });
    return el("label", { className: "share-check" }, box, ` ${part.label} `, el("code", { textContent: part.name }));
  });
  for (const field of [width, height]) field.addEventListener("input", update);

  // The dialog opens on the link's Copy: Enter copies it at once.
  const copyLink = copyButton(link, "the link", status);
  copyLink.autofocus = true;
  const dialog = panelDialog("share-panel", "Share this view", status, [
    el("label", { htmlFor: "share-link", textContent: "Link (it opens the page as it is now)" }),
    el("div", { className: "share-row" }, link, copyLink),
    el(
      "fieldset",
      { className: "share-parts" },
      el("legend", { textContent: "An embed shows the view and" }),
      ...checks,
    ),
    el(
      "div",
      { className: "share-size" },
      el("label", {}, "width ", width),
      el("label", {}, "height ", height),
      el("span", { className: "hint", textContent: "pixels" }),
      preview,
    ),
    el("label", { htmlFor: "share-snippet", textContent: "Embed code: paste it into a page" }),
    el("div", { className: "share-row" }, snippet, copyButton(snippet, "the embed code", status)),
  ]);
  return { dialog, update };
}

/** A size field's whole number of pixels; another is marked and the default used.
 * @param {HTMLInputElement} field @param {number} fallback */
function sizeOf(field, fallback) {
  const v = field.valueAsNumber;
  const ok = Number.isInteger(v) && v >= MIN_SIZE && v <= MAX_SIZE;
  field.toggleAttribute("aria-invalid", !ok);
  field.title = ok ? "" : `a whole number from ${MIN_SIZE} to ${MAX_SIZE}: ${fallback} is used`;
  return ok ? v : fallback;
}

/** Puts the field's text on the clipboard; where the page may not (no permission, an old
 * browser, a frame without it), selects it for the person to copy.
 * @param {HTMLInputElement | HTMLTextAreaElement} field @param {string} what @param {HTMLElement} status */
async function copy(field, what, status) {
  try {
    if (!navigator.clipboard?.writeText) throw new Error("no clipboard");
    await navigator.clipboard.writeText(field.value);
    status.textContent = `Copied ${what}.`;
  } catch {
    field.focus();
    field.select();
    status.textContent = `The page may not copy here: ${what} is selected, press Ctrl+C (⌘C on a Mac) to copy it.`;
  }
}
