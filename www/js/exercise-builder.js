// @ts-check
// "Make an exercise": the teacher's panel (a modal dialog, built from Share's pieces). For
// the expression and the point on the page, a row per node with boxes to tick: its value,
// its gradient, the local derivative on each of its input edges; quick choices tick whole
// kinds at once. Out come the student's link and an iframe snippet that embeds it, each
// with Copy. The graph's chips name the nodes (n4) while the panel is open.

import { $, el } from "./dom.js";
import { embedUrl, iframeSnippet, plainUrl } from "./embed-link.js";
import { copyButton, headerButton, openPanelOn, panelDialog, statusLine } from "./share.js";
import { allPlaces, askable, nodeRef, placeName, textOf, exerciseUrl } from "./exercise-link.js";
import { nodeName } from "./ops.js";

/** @typedef {import("./exercise-link.js").Place} Place */
/** @typedef {import("./embed-link.js").EmbedPage} EmbedPage */
/** @typedef {import("../pkg/gradscope.js").Evaluation} Evaluation */
/** What the page has to make an exercise of: the expression's evaluation (every number),
 * the point in words, the places the exercise on the page asks (if any); or why there is
 * nothing to make one of.
 * @typedef {{ evaluation: Evaluation, point: string, places: Place[] } | { problem: string }} Source */

/** The quick choices, by what they tick. @type {[string, "inputs" | "grads" | "locals" | "values"][]} */
const QUICK = [
  ["all input gradients", "inputs"],
  ["all gradients", "grads"],
  ["all local derivatives", "locals"],
  ["all values", "values"],
];

/**
 * Adds "Make an exercise" to the header.
 * @param {EmbedPage} page the playground, for the embed snippet
 * @param {() => Promise<unknown>} flush the view's pending state written into the URL
 * @param {() => Source} source @param {(on: boolean) => void} tags shows the nodes' chips
 */
export function wireExerciseBuilder(page, flush, source, tags) {
  const button = headerButton("make-exercise", "Make an exercise", "Hide numbers of this graph for a student to work out, and get the link");
  // On the header's first line, after the page links, where there is room: the second
  // (the tagline, Share, the theme) is full at the usual widths.
  const nav = document.querySelector("header nav");
  if (nav) nav.after(button);
  else $("header").append(button);
  openPanelOn(button, flush, () => builderPanel(page, source, tags));
}

/** @param {EmbedPage} page @param {() => Source} source @param {(on: boolean) => void} tags */
function builderPanel(page, source, tags) {
  const status = statusLine("exercise-status");
  const about = el("p", { id: "builder-about", className: "builder-about" });
  const table = el("table", { className: "builder-places" });
  const count = el("p", { id: "builder-count", className: "hint" });
  const link = el("input", { type: "text", id: "exercise-link", className: "share-field", readOnly: true, spellcheck: false });
  const snippet = el("textarea", { id: "exercise-snippet", className: "share-field", readOnly: true, rows: 4, spellcheck: false });
  const tryIt = el("a", { id: "exercise-try", textContent: "try it as a student ↗", target: "_blank", rel: "noopener" });
  const quick = QUICK.map(([text, which]) => {
    const b = el("button", { type: "button", textContent: text });
    b.dataset.quick = which;
    return b;
  });
  const none = el("button", { type: "button", textContent: "none" });
  none.dataset.quick = "none";
  const copyLink = copyButton(link, "the student's link", status);
  /** Each box, by the place it hides. @type {Map<string, HTMLInputElement>} */
  let boxes = new Map();
  /** @type {Evaluation | null} */
  let evaluation = null;
  /** @type {Place[]} */
  let places = [];

  const refresh = () => {
    if (!evaluation) return;
    const nodes = evaluation.nodes;
    const ticked = places.filter((p) => boxes.get(placeName(nodes, p))?.checked);
    const href = exerciseUrl(plainUrl(location.href), nodes, ticked);
    link.value = href;
    tryIt.href = href;
    const shown = new Set(page.parts.filter((p) => p.shown).map((p) => p.name));
    // The quiz last, so that it stays as readable as in the link.
    const embedded = exerciseUrl(embedUrl(href, page, shown), nodes, ticked);
    snippet.value = iframeSnippet(embedded, page.size.width, page.size.height, `gradscope exercise: ${page.describe()}`);
    count.textContent = ticked.length
      ? `${ticked.length} number${ticked.length === 1 ? "" : "s"} hidden: ${ticked.map((p) => placeName(nodes, p)).join(", ")}`
      : "Nothing ticked: the link shows every number (no exercise).";
  };

  for (const b of [...quick, none]) {
    b.addEventListener("click", () => {
      if (!evaluation) return;
      const which = b.dataset.quick;
      const chosen = which === "none" ? [] : allPlaces(evaluation, /** @type {"inputs" | "grads" | "locals" | "values"} */ (which));
      const names = new Set(chosen.map((p) => placeName(evaluation?.nodes ?? [], p)));
      // A quick choice adds its kind; "none" clears them all.
      for (const [name, box] of boxes) box.checked = which === "none" ? false : box.checked || names.has(name);
      refresh();
    });
  }

  const update = () => {
    const s = source();
    tags(true);
    if ("problem" in s) {
      evaluation = null;
      about.textContent = s.problem;
      table.replaceChildren();
      boxes = new Map();
      for (const b of [...quick, none, copyLink]) b.disabled = true;
      link.value = "";
      snippet.value = "";
      count.textContent = "";
      return;
    }
    for (const b of [...quick, none, copyLink]) b.disabled = false;
    evaluation = s.evaluation;
    places = askable(evaluation);
    about.textContent =
      `The student opens f = ${textOf(evaluation.nodes, evaluation.root, 80)} at ${s.point}, with a ? at each number ` +
      `you tick, and types what they work out; the page checks it against autodiff. Set f and the point on the page ` +
      `first: in the exercise both are fixed. The chips on the graph (n4) are the nodes' names.`;
    const asked = new Set(s.places.map((p) => placeName(evaluation?.nodes ?? [], p)));
    boxes = new Map();
    table.replaceChildren(...rows(evaluation, places, boxes, asked));
    for (const box of boxes.values()) box.addEventListener("change", refresh);
    refresh();
  };

  const dialog = panelDialog("exercise-builder", "Make an exercise", status, [
    about,
    el("div", { className: "builder-quick", role: "group", ariaLabel: "Quick choices: tick" }, el("span", { className: "hint", textContent: "Tick " }), ...quick, none),
    el("div", { className: "builder-table" }, table),
    count,
    el("label", { htmlFor: "exercise-link", textContent: "The student's link" }),
    el("div", { className: "share-row" }, link, copyLink),
    el("label", { htmlFor: "exercise-snippet", textContent: "Embed code: the exercise in a course's page" }),
    el("div", { className: "share-row" }, snippet, copyButton(snippet, "the embed code", status)),
    el("p", { className: "builder-try" }, tryIt),
  ]);
  dialog.classList.add("exercise-builder");
  dialog.addEventListener("close", () => tags(false));
  return { dialog, update };
}

/** The table's rows: a node each, with a box for each place of it that can be asked.
 * @param {Evaluation} evaluation @param {Place[]} places @param {Map<string, HTMLInputElement>} boxes
 * @param {Set<string>} asked ticked to begin with */
function rows(evaluation, places, boxes, asked) {
  const nodes = evaluation.nodes;
  /** @param {Place} p @param {string} text @param {string} label */
  const box = (p, text, label) => {
    const name = placeName(nodes, p);
    const input = el("input", { type: "checkbox", checked: asked.has(name) });
    input.dataset.place = name;
    input.setAttribute("aria-label", label);
    boxes.set(name, input);
    return el("label", { className: "builder-box" }, input, ` ${text}`);
  };
  const head = el("tr", {}, ...["node", "computes", "hide"].map((t) => {
    const th = el("th", { textContent: t });
    th.scope = "col";
    return th;
  }));
  const body = nodes.flatMap((n) => {
    const own = places.filter((p) => p.node === n.id);
    if (!own.length) return [];
    const who = n.id === evaluation.root ? "f" : nodeRef(n);
    const cells = own.map((p) => {
      if (p.kind === "value") return box(p, "value", `hide the value of ${who}`);
      if (p.kind === "grad") return box(p, `∂f/∂${who}`, `hide the gradient ∂f/∂${who}`);
      const from = nodes[n.edges[p.which].from];
      return box(p, `local ∂${who}/∂${nodeRef(from)}`, `hide the local derivative of ${who} with respect to ${nodeName(from)}`);
    });
    const th = el("th", { textContent: nodeRef(n) });
    th.scope = "row";
    return [el("tr", {}, th, el("td", { className: "builder-text", textContent: n.op === "input" ? "an input" : textOf(nodes, n.id) }), el("td", { className: "builder-boxes" }, ...cells))];
  });
  return [el("thead", {}, head), el("tbody", {}, ...body)];
}
