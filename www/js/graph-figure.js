// @ts-check
// The computation graph as a figure (issue 14 §3): the whole graph at zoom 1 (every node,
// readable, whatever the view's pan and zoom: what slides need), drawn by the view's own
// code, with the legend under it as the page shows it; and, while the node panel shows a
// Jacobian, the graph with that heatmap under it. The Export menu at the end of the
// graph's legend saves them as SVG or as PNG at 2×.

import { ZERO_COLOR, NAN_COLOR } from "./colors.js";
import { $ } from "./dom.js";
import { exportMenu } from "./export-menu.js";
import { MONO, MUTED, arrange, barSwatch, drawKeys, keysHeight, lineSwatch, rule } from "./figure.js";
import { fmt } from "./format.js";
import { barStops } from "./heatmap.js";

/** @typedef {import("./figure.js").Figure} Figure */
/** @typedef {import("./figure.js").Key} Key */
/** @typedef {import("./graph-view.js").GraphView} GraphView */

const PAD = 16;
const MIN_WIDTH = 420;

/** The legend's keys, as the page's legend under the graph says them now (its words for
 * what the edges carry, the scale's ends, the tensor key when a program has one).
 * @param {GraphView} view @returns {Key[]} */
function legendKeys(view) {
  const scale = view.colorScale;
  const num = `12px ${MONO}`;
  /** @type {Key[]} */
  const keys = [
    { text: $("#legend-quantity").textContent ?? "" },
    { text: fmt(10 ** scale.lo), font: num, color: MUTED },
    { text: fmt(10 ** scale.hi), font: num, color: MUTED, swatch: 166, draw: barSwatch(scale.stops(), 160) },
    { text: "0", swatch: 18, draw: lineSwatch(ZERO_COLOR, 3, [5, 3]) },
    { text: "NaN", swatch: 18, draw: lineSwatch(NAN_COLOR, 3, [5, 3]) },
    { text: "from a constant (carries nothing)", swatch: 18, draw: lineSwatch("#d5d9e0", 2) },
  ];
  if (!$("#legend-tensor").hidden) {
    keys.push({
      text: "tensor nodes: value (left) and gradient (right), −max to +max of each, exact 0 grey",
      swatch: 62,
      draw: barSwatch(barStops(), 60, "#c5cad3"),
    });
  }
  keys.push({ text: "log scale", color: MUTED });
  return keys;
}

/** The whole graph with its legend, or null when there is no graph. @param {GraphView} view @returns {Figure | null} */
export function graphFigure(view) {
  const box = view.figureBox();
  if (!box) return null;
  const graphW = box.x1 - box.x0 + 2 * PAD;
  const graphH = box.y1 - box.y0 + 2 * PAD;
  const width = Math.ceil(Math.max(graphW, MIN_WIDTH));
  const keys = legendKeys(view);
  const legendW = width - 28;
  const height = Math.ceil(graphH + keysHeight(keys, legendW));
  // A narrow graph sits in the middle of the legend's width.
  const dx = (width - graphW) / 2 + PAD - box.x0;
  return {
    name: "graph",
    title: "gradscope: the computation graph",
    width,
    height,
    draw(ctx) {
      ctx.save();
      ctx.translate(dx, PAD - box.y0);
      view.drawFigure(ctx);
      ctx.restore();
      rule(ctx, graphH, width);
      drawKeys(ctx, keys, 14, graphH, legendW);
    },
  };
}

/** The Export menu, at the end of the graph's legend: the graph, and the graph with the
 * node panel's Jacobians while it shows any.
 * @param {GraphView} view @param {() => Figure[]} panelFigures the panel's heatmaps on screen */
export function wireGraphExport(view, panelFigures) {
  const need = () => {
    const f = graphFigure(view);
    if (!f) throw new Error("there is no graph to export");
    return f;
  };
  const menu = exportMenu(() => {
    const entries = [{ label: "The graph, with its legend", name: "graph", figure: need }];
    if (panelFigures().length) {
      entries.push({
        label: "The graph and the node panel's Jacobian",
        name: "graph-jacobian",
        figure: () => arrange("graph-jacobian", "gradscope: the computation graph and a Jacobian", [[need(), ...panelFigures()]]),
      });
    }
    return entries;
  });
  menu.id = "graph-export";
  // At the end of the legend it exports with the graph: the toolbar above has no room
  // to spare at common widths (Fit would wrap onto a row of its own).
  (document.querySelector(".graph .legend") ?? document.querySelector(".graph"))?.append(menu);
  return menu;
}
