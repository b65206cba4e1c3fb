// @ts-check
// The "Export ▾" menu beside a view: for each figure it offers, an SVG and a PNG at 2×,
// downloaded at once. The list is asked for each time the menu opens, so it offers what
// is on the page then (the Jacobian panel's figures while the panel shows one).

import { el } from "./dom.js";
import { messageOf } from "./errors.js";
import { saveFigure } from "./figure.js";
import { inLightTheme } from "./theme.js";

/** @typedef {import("./figure.js").Figure} Figure */
/** An item of the menu: what it is called, and the figure it saves, made when clicked.
 * @typedef {{ label: string, name: string, figure: () => Figure }} Entry */

/** The menu, a <details> to put beside the view. `entries` lists what it offers now.
 * @param {() => Entry[]} entries @param {{ summary?: string, title?: string }} [options] */
export function exportMenu(entries, { summary = "Export ▾", title = "Save as a figure for slides and notes: SVG, or PNG at 2×" } = {}) {
  const list = el("div", { className: "export-items" });
  const status = el("p", { className: "export-status hint" });
  status.setAttribute("aria-live", "polite");
  const head = el("summary", { textContent: summary, title });
  const menu = el("details", { className: "export-menu" }, head, el("div", { className: "export-pop" }, list, status));

  const fill = () => {
    status.textContent = "";
    list.replaceChildren(
      ...entries().map((entry) => {
        const row = el("div", { className: "export-item" }, el("span", { textContent: entry.label }));
        for (const [format, text] of /** @type {const} */ ([["svg", "SVG"], ["png", "PNG 2×"]])) {
          const b = el("button", { type: "button", textContent: text });
          b.dataset.figure = entry.name;
          b.dataset.format = format;
          b.setAttribute("aria-label", `${entry.label} as ${format === "svg" ? "SVG" : "PNG at twice its size"}`);
          b.addEventListener("click", async () => {
            try {
              status.textContent = "";
              // Figures are for slides and notes: on white, in the light theme's colours.
              const scale = await inLightTheme(() => saveFigure(entry.figure(), format));
              // A graph too large for a canvas at 2× is saved smaller, and says so.
              if (format === "png" && scale < 2) status.textContent = `Saved at ${Number(scale.toPrecision(2))}×: at 2× it is larger than a browser's canvas (the SVG has it all).`;
              else menu.open = false;
            } catch (e) {
              status.textContent = `Could not export: ${messageOf(e)}`;
            }
          });
          row.append(b);
        }
        return row;
      }),
    );
  };
  menu.addEventListener("toggle", () => menu.open && fill());
  // A click elsewhere or Escape closes it, as a menu.
  document.addEventListener("pointerdown", (ev) => {
    if (menu.open && ev.target instanceof Node && !menu.contains(ev.target)) menu.open = false;
  });
  menu.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && menu.open) {
      ev.stopPropagation();
      menu.open = false;
      head.focus();
    }
  });
  return menu;
}
