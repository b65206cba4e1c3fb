// @ts-check
// A page inside another (an iframe in a course's page), and links to share it.
//
//   index.html?embed=1&hide=caption,legend&show=result#e=x1*x2&x1=3
//   train.html?embed=1&show=dataset,rate#dataset=spiral&…
//
// `embed=1` shows only the graph (or the training view) and a few controls, sized to the
// frame, with a small "open in gradscope ↗" link to the same view, whole. Each page names
// its controls (its `parts`): those shown by default can be hidden by `hide=`, the others
// added by `show=`. The three parameters sit in the query, before the '#', so that each
// page's own fragment (a program, a run) is read and written as it always was: a write of
// the fragment (history.replaceState with "#…") keeps the query.
//
// A link is untrusted text: a value the page does not know is left out, with a note that
// names it (clipped), and the rest is used; nothing from a link is inserted as HTML.

import { $, el } from "./dom.js";
import { plainUrl, readEmbed } from "./embed-link.js";
import { wireShare } from "./share.js";

/** @typedef {import("./embed-link.js").EmbedPage} EmbedPage */
/** @typedef {import("./embed-link.js").EmbedLink} EmbedLink */

/** The playground: the graph with its legend, and the controls around it. @type {EmbedPage} */
export const PLAYGROUND = {
  parts: [
    { name: "expr", label: "the f = box", selector: "label.field:has(#expr)", shown: true },
    { name: "variables", label: "the variables' sliders", selector: "#variables, #leaf-grids", shown: true },
    { name: "pass", label: "Forward / Backward / Forward mode", selector: ".toolbar [role=radiogroup]", shown: true },
    { name: "step", label: "Step, Play, Reset", selector: "#step, #play, #reset, #step-progress", shown: true },
    { name: "caption", label: "what each step does, in words", selector: "#step-caption", shown: true },
    { name: "fit", label: "Fit (and a program's Expand / Collapse all)", selector: "#fit, #group-tools, #group-note", shown: true },
    { name: "legend", label: "the colour legend", selector: ".graph > .legend", shown: true },
    { name: "examples", label: "the examples menu", selector: "label.field.preset", shown: false },
    { name: "descent", label: "gradient descent (rate, Step, ×20)", selector: ".descent, #descent-status", shown: false },
    { name: "result", label: "the result: f and its gradients", selector: "#results, #not-finite, #stale-note", shown: false },
    { name: "panel", label: "a program node's panel (its Jacobians), opened by a click", selector: "#node-panel", shown: false },
  ],
  // An exercise's answers panel (hidden without one) is the point of an exercise's embed.
  always: "#graph-wrap, #expr-error, #exercise",
  barAfter: ".toolbar",
  own: ["quiz"],
  size: { width: 800, height: 520 },
  describe() {
    const text = document.querySelector("#expr");
    const first = (text instanceof HTMLTextAreaElement ? text.value : "").split("\n")[0].trim();
    const program = text instanceof HTMLTextAreaElement && text.value.trim().includes("\n");
    const shown = first.length > 40 ? `${first.slice(0, 40)}…` : first;
    return program ? "the computation graph of a program" : shown ? `the computation graph of f = ${shown}` : "a computation graph";
  },
};

/** The training page: the plot and the network, Play / Step / Reset, and a few settings.
 * @type {EmbedPage} */
export const TRAINING = {
  parts: [
    { name: "play", label: "Play", selector: "#play", shown: true },
    { name: "step", label: "Step", selector: "#step-once", shown: true },
    { name: "reset", label: "Reset", selector: "#reset", shown: true },
    { name: "stats", label: "step, epoch, losses and accuracies", selector: ".run-bar:not(.pace-bar) > .stat:not(.backend-box)", shown: true },
    { name: "network", label: "the network", selector: ".network-view, #network-tip, .panel.wide > .legend", shown: true },
    { name: "layers", label: "layers, neurons and activations", selector: ".layers-bar, #layer-controls", shown: true },
    { name: "curves", label: "the loss curves", selector: "#curves, .panel > p.hint:has(.line.train)", shown: true },
    { name: "health", label: "the gradient's health: each layer's ‖∂L/∂W‖", selector: "#grad-health, .panel > p.hint:has(#grad-health-key), #param-counts, #dead-relus", shown: false },
    { name: "dataset", label: "the dataset menu", selector: "label.row:has(#dataset)", shown: false, bar: true },
    { name: "noise", label: "noise", selector: "label.row:has(#noise)", shown: false, bar: true },
    { name: "features", label: "the features", selector: "#features", shown: false, bar: true },
    { name: "rate", label: "the learning rate", selector: "label.row:has(#learning-rate)", shown: false, bar: true },
    { name: "speed", label: "the speed", selector: ".speed-pick", shown: false, bar: true },
  ],
  always: "#plot, #plot-legend, #status",
  barAfter: ".run-bar",
  size: { width: 900, height: 600 },
  describe() {
    const dataset = document.querySelector("#dataset");
    const option = dataset instanceof HTMLSelectElement ? dataset.selectedOptions[0] : null;
    const words = option?.dataset.label ?? option?.textContent ?? "";
    return words ? `a network learning ${words}` : "a network learning";
  },
};

/**
 * Reads the query, and either makes the page an embed or gives it its Share button.
 * Called before anything is drawn, so that the views are sized for the embed.
 * @param {EmbedPage} page
 * @param {{ flush?: () => Promise<unknown> }} [options] `flush`: the view's pending state
 *   written into the URL (the playground writes it a moment after a change)
 * @returns {EmbedLink & { addNote: (text: string) => void }} the link, and how to add to its
 *   note what the page itself left out of it (the playground's exercise, once read)
 */
export function setUpEmbed(page, { flush = async () => {} } = {}) {
  const link = readEmbed(location.search, page);
  const note = el("p", { className: "embed-note", hidden: link.notes.length === 0, textContent: link.notes.join(" ") });
  note.setAttribute("role", "status");
  const dismiss = el("button", { type: "button", textContent: "OK", title: "Hide this note" });
  dismiss.addEventListener("click", () => (note.hidden = true));
  note.append(dismiss);
  /** @param {string} text */
  const addNote = (text) => {
    note.insertBefore(document.createTextNode(`${note.childNodes.length > 1 ? " " : ""}${text}`), dismiss);
    note.hidden = false;
  };
  if (link.embed) {
    embedPage(page, link.shown, note, flush);
  } else {
    $("header").after(note);
    wireShare(page, flush);
  }
  return { ...link, addNote };
}

/** Keeps of the page only `page.always` and the parts in `shown` (the bar's moved over the
 * view), each element's ancestors and nothing else, and adds the footer: the note and the
 * link to the whole page.
 * @param {EmbedPage} page @param {Set<string>} shown @param {HTMLElement} note
 * @param {() => Promise<unknown>} flush */
function embedPage(page, shown, note, flush) {
  document.body.classList.add("embed");
  const bar = el("div", { className: "embed-bar" });
  /** @type {Element[]} */
  const keep = [...document.querySelectorAll(page.always)];
  // The page's heading stays, for screen readers only.
  const title = document.querySelector("header h1");
  if (title) {
    title.classList.add("embed-title");
    keep.push(title);
  }
  for (const part of page.parts) {
    if (!shown.has(part.name)) continue;
    document.body.classList.add(`embed-${part.name}`);
    const found = [...document.querySelectorAll(part.selector)];
    if (part.bar) bar.append(...found);
    keep.push(...found);
  }
  if (bar.children.length) {
    $(page.barAfter).after(bar);
    keep.push(bar);
  }
  const open = el("a", { className: "embed-open", textContent: "open in gradscope ↗", target: "_blank", rel: "noopener" });
  open.title = "This view on the whole page, in a new tab";
  const refresh = () => (open.href = plainUrl(location.href));
  refresh();
  // The playground writes the URL a moment after a change: the link is brought up to date
  // before it is followed.
  for (const event of ["pointerenter", "focus", "pointerdown"]) open.addEventListener(event, () => void flush().then(refresh, refresh));
  open.addEventListener("click", refresh);
  window.addEventListener("hashchange", refresh);
  const foot = el("footer", { className: "embed-foot" }, note, open);
  document.body.append(foot);
  keep.push(foot);
  prune(keep);
}

/** Hides everything in the body that neither is in `keep` nor holds an element of it.
 * (A class, not `hidden`: the pages set `hidden` on their own elements as they go.)
 * @param {Element[]} keep */
function prune(keep) {
  const kept = new Set(keep);
  /** @type {Set<Element>} */
  const path = new Set();
  for (const k of keep) for (let e = k.parentElement; e && e !== document.body; e = e.parentElement) path.add(e);
  for (const parent of [document.body, ...path]) {
    for (const child of parent.children) {
      if (!kept.has(child) && !path.has(child) && !(child instanceof HTMLScriptElement)) child.classList.add("embed-cut");
    }
  }
}
