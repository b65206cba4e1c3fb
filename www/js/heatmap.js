// @ts-check
// A matrix as a grid of coloured cells on a canvas: the node panel's Jacobians.
//
// Diverging colours on a linear scale symmetric about 0: blue negative, near-white small,
// red positive. An exact zero is not "small": in a sparse Jacobian it says that an output
// does not depend on an input at all, so it is drawn outside the scale, grey and hatched,
// and the legend says so. Cells are painted one pixel each into a small canvas and scaled
// up without smoothing, so a quarter of a million of them draw in one call.

import { context2d, el } from "./dom.js";
import { exportMenu } from "./export-menu.js";
import { INK, MONO, MUTED, SANS, barSwatch, drawKeys, keysHeight } from "./figure.js";
import { fmt } from "./format.js";

/** @typedef {import("./figure.js").Figure} Figure */
/** @typedef {import("./figure.js").Key} Key */

/** @typedef {[number, number, number]} Rgb */

/** ColorBrewer's RdBu, from its white out to each end. @type {Rgb[]} */
const REDS = [[247, 247, 247], [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31]];
/** Colour-blind safe: PuOr's orange side in place of the reds, so the two signs differ in
 * blue against orange (which every common colour-vision deficiency keeps apart) as well
 * as in lightness. @type {Rgb[]} */
const ORANGES = [[247, 247, 247], [254, 224, 182], [253, 184, 99], [224, 130, 20], [179, 88, 6], [127, 59, 8]];
/** Positive values' ramp for the palette chosen (js/theme.js). */
const positives = () => (document.documentElement.dataset.palette === "safe" ? ORANGES : REDS);
/** @type {Rgb[]} */
const BLUES = [[247, 247, 247], [209, 229, 240], [146, 197, 222], [67, 147, 195], [33, 102, 172], [5, 48, 97]];
/** An exact zero: a grey darker than the scale's white, so the two never read alike. @type {Rgb} */
const ZERO_RGB = [206, 211, 218];
/** NaN, as in the graph's legend (colors.js). @type {Rgb} */
const NAN_RGB = [123, 63, 191];
const HATCH = "rgba(80, 88, 102, 0.6)";

/** Cells are at least this many CSS pixels a side. */
export const MIN_CELL = 2;
const MAX_CELL = 36;
/** A cell may be up to this many times taller than wide (or wider than tall), so that a
 * 20 × 400 Jacobian's rows are not 2 px thin lines. */
const MAX_ASPECT = 4;
/** The longest side drawn, in CSS pixels (the heatmap scrolls past the panel's width). */
export const MAX_SIDE = 4096;
/** The most cells drawn: beyond, the panel summarises instead of drawing. */
export const MAX_CELLS = 240_000;
const HATCH_CELL = 6; // smaller cells show the zero grey without the hatch
const GRID_CELL = 8; // and no lines between cells
const DIAGONAL_CELL = 10;

/** The largest finite |x|: the ends of the scale. @param {ArrayLike<number>} xs */
export function scaleMax(xs) {
  let max = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) max = Math.max(max, Math.abs(xs[i]));
  return max;
}

/** The colour of `v` on the scale ±`max`; ±∞ takes the ends.
 * @param {number} v @param {number} max @returns {Rgb} */
export function divergingRgb(v, max) {
  if (Number.isNaN(v)) return NAN_RGB;
  if (v === 0) return ZERO_RGB;
  const t = max > 0 ? Math.min(1, Math.abs(v) / max) : 1;
  const ramp = v > 0 ? positives() : BLUES;
  const x = t * (ramp.length - 1);
  const i = Math.min(ramp.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [ramp[i], ramp[i + 1]];
  return [Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2]))];
}

/** @param {Rgb} c */
export const rgbCss = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;

/** WCAG's relative luminance of colour `c`. @param {Rgb} c */
function luminance(c) {
  const [r, g, b] = c.map((v) => {
    const x = v / 255;
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Text that reads on a cell of colour `c`: white or black, whichever contrasts more, which
 * is always at least 4.58:1 (WCAG AA for small text). @param {Rgb} c */
export function inkOn(c) {
  const l = luminance(c);
  return (1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#fff" : "#000");
}

/** The legend bar's colours, −max on the left to +max on the right, evenly spaced, in the
 * palette chosen now. */
export const barStops = () => [...[...BLUES].reverse().map(rgbCss), ...positives().slice(1).map(rgbCss)];
/** CSS for the legend's bar. */
/** CSS for the legend bar. */
export const barCss = () => `linear-gradient(to right, ${barStops().join(", ")})`;

/** A small swatch for the legend. @param {string} className @param {string} title */
const swatch = (className, title) => el("span", { className: `hm-swatch ${className}`, title });

export class Heatmap {
  /** @param {(i: number, j: number, v: number) => string[]} describe the tooltip's lines for cell (i, j)
   * @param {string} [name] what its exported figure's file is called: gradscope-NAME.svg */
  constructor(describe, name = "heatmap") {
    this.describe = describe;
    this.name = name;
    // The keyboard's way in: the canvas takes the focus, the arrow keys move the cursor from
    // cell to cell (the box scrolls to it), and the tooltip's lines are said.
    this.canvas = el("canvas", { className: "heatmap-canvas", tabIndex: 0 });
    this.canvas.setAttribute("role", "application");
    this.canvas.setAttribute("aria-roledescription", "heatmap");
    this.cursor = el("div", { className: "heatmap-cursor", hidden: true });
    this.scroller = el("div", { className: "heatmap-scroll" }, this.canvas, this.cursor);
    this.tip = el("div", { className: "heatmap-tip", hidden: true });
    this.legend = el("div", { className: "heatmap-legend" });
    this.menu = exportMenu(() => [{ label: "This heatmap, with its legend", name: this.name, figure: () => this.figure() }]);
    this.said = el("p", { className: "visually-hidden heatmap-said" });
    this.said.setAttribute("aria-live", "polite");
    this.element = el("div", { className: "heatmap" }, this.scroller, this.tip, this.legend, this.menu, this.said);
    /** The keyboard's cell. @type {{ i: number, j: number } | null} */
    this.key = null;
    /** @type {number[][]} */
    this.matrix = [];
    this.rows = 0;
    this.cols = 0;
    this.cellW = 0;
    this.cellH = 0;
    /** What was drawn last: its name, the scale's end, what its legend shows. */
    this.label = "";
    this.max = 0;
    this.seen = { nan: false, zeros: false, outlined: false };
    this.#listen();
  }

  /** Whether a matrix of this size is drawn rather than summarised.
   * @param {number} rows @param {number} cols */
  static fits(rows, cols) {
    return rows * cols <= MAX_CELLS && rows * MIN_CELL <= MAX_SIDE && cols * MIN_CELL <= MAX_SIDE;
  }

  /**
   * Draws `matrix` (rows of equal length) with the largest cells that fit `width` and
   * `height` (CSS pixels), square where both allow it, but no smaller than MIN_CELL: then
   * it scrolls.
   * @param {number[][]} matrix
   * @param {{ width: number, height?: number, label: string, diagonal?: boolean }} options
   *   `label` names it for a screen reader; `diagonal` outlines the cells (i, i).
   */
  draw(matrix, { width, height = 420, label, diagonal = false }) {
    const rows = matrix.length;
    const cols = rows ? matrix[0].length : 0;
    this.matrix = matrix;
    this.rows = rows;
    this.cols = cols;
    this.#hover(null, null);
    /** @param {number} room @param {number} n */
    const fit = (room, n) => Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor(room / Math.max(n, 1))));
    const fitW = fit(width, cols);
    const fitH = fit(height, rows);
    const square = Math.min(fitW, fitH);
    const cellW = Math.min(fitW, square * MAX_ASPECT);
    const cellH = Math.min(fitH, square * MAX_ASPECT);
    this.cellW = cellW;
    this.cellH = cellH;
    const cell = Math.min(cellW, cellH);
    this.label = label;
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas;
    c.style.width = `${cols * cellW}px`;
    c.style.height = `${rows * cellH}px`;
    c.width = Math.max(1, Math.round(cols * cellW * dpr));
    c.height = Math.max(1, Math.round(rows * cellH * dpr));

    let nonzeros = 0;
    let nan = false;
    let lo = Infinity;
    let hi = -Infinity;
    let max = 0;
    for (const row of matrix) {
      for (const v of row) {
        if (v !== 0) nonzeros++;
        if (Number.isNaN(v)) nan = true;
        else {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
          if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
        }
      }
    }
    const outlined = diagonal && cell >= DIAGONAL_CELL;
    this.max = max;
    this.seen = { nan, zeros: nonzeros < rows * cols, outlined };
    const ctx = context2d(c);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    this.#paint(ctx, dpr);

    c.setAttribute(
      "aria-label",
      `${label}: ${rows} × ${cols}, ${nonzeros} of ${rows * cols} entries non-zero` +
        (lo <= hi ? `, from ${fmt(lo)} to ${fmt(hi)}` : "") +
        (nan ? ", some NaN" : "") +
        ". Arrow keys move from cell to cell, Home and End to the row's ends.",
    );
    Object.assign(c.dataset, { rows: String(rows), cols: String(cols), nonzeros: String(nonzeros) });
    this.#legend(max, this.seen);
    // The legend wraps at the heatmap's width, so what sits beside it keeps its room.
    this.legend.style.maxWidth = `${Math.max(260, Math.min(560, cols * cellW))}px`;
  }

  /** The cells as drawn last, onto `ctx` in device pixels from (0, 0), `dpr` of them a
   * CSS pixel: the page's canvas, or an exported figure's context.
   * @param {CanvasRenderingContext2D} ctx @param {number} dpr */
  #paint(ctx, dpr) {
    const { matrix, rows, cols, cellW, cellH, max } = this;
    const cell = Math.min(cellW, cellH);
    const [width, height] = [Math.max(1, Math.round(cols * cellW * dpr)), Math.max(1, Math.round(rows * cellH * dpr))];
    const pixels = new ImageData(Math.max(cols, 1), Math.max(rows, 1));
    const d = pixels.data;
    for (let i = 0; i < rows; i++) {
      const row = matrix[i];
      for (let j = 0; j < cols; j++) {
        const [r, g, b] = divergingRgb(row[j], max);
        const k = 4 * (i * cols + j);
        d[k] = r;
        d[k + 1] = g;
        d[k + 2] = b;
        d[k + 3] = 255;
      }
    }
    const small = new OffscreenCanvas(pixels.width, pixels.height);
    context2d(small).putImageData(pixels, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, width, height);

    // Cell edges in device pixels, rounded the one way everywhere, so lines meet cells.
    /** @param {number} k */
    const edgeX = (k) => Math.round(k * cellW * dpr);
    /** @param {number} k */
    const edgeY = (k) => Math.round(k * cellH * dpr);
    const line = Math.max(1, Math.round(dpr));
    if (cell >= HATCH_CELL) {
      ctx.fillStyle = hatchPattern(ctx, dpr);
      // A run of zeros in a row is one rectangle: the hatch is continuous across cells.
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          if (matrix[i][j] !== 0) continue;
          let end = j + 1;
          while (end < cols && matrix[i][end] === 0) end++;
          ctx.fillRect(edgeX(j), edgeY(i), edgeX(end) - edgeX(j), edgeY(i + 1) - edgeY(i));
          j = end;
        }
      }
    }
    if (cell >= GRID_CELL) {
      ctx.fillStyle = "#ffffff";
      for (let j = 1; j < cols; j++) ctx.fillRect(edgeX(j), 0, line, height);
      for (let i = 1; i < rows; i++) ctx.fillRect(0, edgeY(i), width, line);
    }
    if (this.seen.outlined) {
      ctx.strokeStyle = "#374151";
      ctx.lineWidth = line;
      for (let i = 0; i < Math.min(rows, cols); i++) {
        const x = edgeX(i) + line;
        const y = edgeY(i) + line;
        ctx.strokeRect(x + line / 2, y + line / 2, edgeX(i + 1) - x - line * 1.5, edgeY(i + 1) - y - line * 1.5);
      }
    }
  }

  /** The heatmap as drawn last, as a figure: its name and size above, the cells, and its
   * legend below. @returns {Figure} */
  figure() {
    const pad = 12;
    const [w, h] = [this.cols * this.cellW, this.rows * this.cellH];
    const width = Math.max(w, 300) + 2 * pad;
    const title = `${this.label}: ${this.rows} × ${this.cols}`;
    const keys = this.#legendKeys();
    const legendH = keysHeight(keys, width - 2 * pad);
    const top = pad + 22;
    return {
      name: this.name,
      title,
      width,
      height: top + h + legendH + pad,
      draw: (ctx, scale) => {
        ctx.save();
        ctx.fillStyle = INK;
        ctx.font = `600 13px ${MONO}`;
        ctx.textAlign = "left";
        ctx.textBaseline = "alphabetic";
        ctx.fillText(title, pad, pad + 12);
        ctx.translate(pad, top);
        ctx.save();
        ctx.scale(1 / scale, 1 / scale);
        this.#paint(ctx, scale);
        ctx.restore();
        ctx.restore();
        drawKeys(ctx, keys, pad, top + h, width - 2 * pad);
      },
    };
  }

  /** The legend's keys, as the page's legend under the heatmap shows them. @returns {Key[]} */
  #legendKeys() {
    const small = `12px ${SANS}`;
    const num = `12px ${MONO}`;
    /** @type {Key[]} */
    const keys = [
      { text: fmt(-this.max), font: num, color: MUTED },
      { text: fmt(this.max), font: num, color: MUTED, swatch: 90, draw: barSwatch(barStops(), 84) },
    ];
    /** A legend's square swatch: `fill` paints it. @param {(ctx: CanvasRenderingContext2D) => void} fill @returns {import("./figure.js").Swatch} */
    const square = (fill) => (ctx, x, y, rowH) => {
      ctx.translate(x, y + rowH / 2 - 7);
      fill(ctx);
      ctx.fillRect(0, 0, 14, 14);
      ctx.strokeStyle = "#9aa3b2";
      ctx.lineWidth = 1;
      ctx.strokeRect(0.5, 0.5, 13, 13);
    };
    if (this.seen.zeros) keys.push({ text: "exactly 0: no dependence", font: small, color: MUTED, swatch: 14, draw: square((ctx) => (ctx.fillStyle = hatchPattern(ctx, 1))) });
    if (this.seen.nan) keys.push({ text: "NaN", font: small, color: MUTED, swatch: 14, draw: square((ctx) => (ctx.fillStyle = rgbCss(NAN_RGB))) });
    if (this.seen.outlined) {
      keys.push({
        text: "the diagonal",
        font: small,
        color: MUTED,
        swatch: 14,
        draw: (ctx, x, y, rowH) => {
          square((c) => (c.fillStyle = "#ffffff"))(ctx, x, y, rowH);
          ctx.strokeStyle = "#374151";
          ctx.lineWidth = 1.5;
          ctx.strokeRect(3, 3, 8, 8);
        },
      });
    }
    keys.push({ text: "linear scale, white near 0", font: small, color: MUTED });
    return keys;
  }

  /** @param {number} max @param {{ nan: boolean, zeros: boolean, outlined: boolean }} seen */
  #legend(max, { nan, zeros, outlined }) {
    const bar = el("span", { className: "hm-bar" });
    bar.style.background = barCss();
    const parts = [
      el("span", { className: "hm-key" }, el("span", { className: "hm-num", textContent: fmt(-max) }), bar, el("span", { className: "hm-num", textContent: fmt(max) })),
      el("span", { className: "hm-key" }, swatch("zero", "grey, hatched"), "exactly 0: no dependence"),
    ];
    if (!zeros) parts[1].classList.add("absent");
    if (nan) parts.push(el("span", { className: "hm-key" }, swatch("nan", "purple"), "NaN"));
    if (outlined) parts.push(el("span", { className: "hm-key" }, swatch("diagonal", "outlined"), "the diagonal"));
    parts.push(el("span", { className: "hm-key hint", textContent: "linear scale, white near 0 · hover a cell (or arrow keys)" }));
    this.legend.replaceChildren(...parts);
  }

  /** The centre of cell (i, j) in client coordinates, for pointing at it.
   * @param {number} i @param {number} j */
  cellCenterClient(i, j) {
    const r = this.canvas.getBoundingClientRect();
    return { x: r.left + (j + 0.5) * this.cellW, y: r.top + (i + 0.5) * this.cellH };
  }

  #listen() {
    const c = this.canvas;
    /** @param {PointerEvent} ev */
    const cellAt = (ev) => {
      const r = c.getBoundingClientRect();
      const i = Math.floor((ev.clientY - r.top) / this.cellH);
      const j = Math.floor((ev.clientX - r.left) / this.cellW);
      return i >= 0 && j >= 0 && i < this.rows && j < this.cols ? { i, j } : null;
    };
    c.addEventListener("pointermove", (ev) => this.#hover(cellAt(ev), ev));
    // A tap shows the cell too, on screens without hover.
    c.addEventListener("pointerdown", (ev) => this.#hover(cellAt(ev), ev));
    c.addEventListener("pointerleave", () => this.#hover(null, null));
    c.addEventListener("focus", () => {
      if (c.matches(":focus-visible")) this.#keyTo(this.key?.i ?? 0, this.key?.j ?? 0);
    });
    c.addEventListener("blur", () => this.#hover(null, null));
    c.addEventListener("keydown", (ev) => {
      if (!this.rows || !this.cols || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      const { i, j } = this.key ?? { i: 0, j: 0 };
      /** @type {Record<string, [number, number]>} */
      const moves = { ArrowUp: [i - 1, j], ArrowDown: [i + 1, j], ArrowLeft: [i, j - 1], ArrowRight: [i, j + 1], Home: [i, 0], End: [i, this.cols - 1] };
      const to = moves[ev.key];
      if (ev.key === "Escape" && !this.tip.hidden) {
        // The tooltip goes first; the next Escape is the page's (it closes the node panel).
        ev.stopPropagation();
        return this.#hover(null, null);
      }
      if (!to) return;
      ev.preventDefault();
      this.#keyTo(to[0], to[1]);
    });
  }

  /** The keyboard's cursor on cell (i, j), kept inside the matrix, shown and said.
   * @param {number} i @param {number} j */
  #keyTo(i, j) {
    if (!this.rows || !this.cols) return;
    const at = { i: Math.max(0, Math.min(this.rows - 1, i)), j: Math.max(0, Math.min(this.cols - 1, j)) };
    this.key = at;
    const p = this.cellCenterClient(at.i, at.j);
    this.#hover(at, { clientX: p.x, clientY: p.y });
    this.cursor.scrollIntoView({ block: "nearest", inline: "nearest" });
    this.said.textContent = [...this.tip.children].map((d) => d.textContent).join("; ");
  }

  /** @param {{ i: number, j: number } | null} at @param {{ clientX: number, clientY: number } | null} ev */
  #hover(at, ev) {
    if (!at || !ev) {
      this.tip.hidden = true;
      this.cursor.hidden = true;
      return;
    }
    const { i, j } = at;
    const lines = this.describe(i, j, this.matrix[i][j]);
    this.tip.replaceChildren(...lines.map((text, k) => el("div", { textContent: text, className: k === 0 ? "title" : "" })));
    this.tip.hidden = false;
    const box = this.element.getBoundingClientRect();
    // Inside the heatmap's box by the tip's own width, below the pointer.
    this.tip.style.left = `${Math.max(0, Math.min(ev.clientX - box.left + 12, box.width - this.tip.offsetWidth - 2))}px`;
    this.tip.style.top = `${ev.clientY - box.top + 16}px`;
    Object.assign(this.cursor.style, { left: `${j * this.cellW}px`, top: `${i * this.cellH}px`, width: `${this.cellW}px`, height: `${this.cellH}px` });
    this.cursor.hidden = false;
  }
}

/** Grey with thin diagonal lines, in device pixels: the cells that are exactly zero.
 * @param {CanvasRenderingContext2D} ctx @param {number} dpr */
function hatchPattern(ctx, dpr) {
  const p = Math.max(4, Math.round(5 * dpr));
  const tile = new OffscreenCanvas(p, p);
  const t = context2d(tile);
  t.fillStyle = rgbCss(ZERO_RGB);
  t.fillRect(0, 0, p, p);
  t.strokeStyle = HATCH;
  t.lineWidth = Math.max(1, 0.8 * dpr);
  t.beginPath();
  // One stroke across the tile and its two corner pieces, so tiles join into lines.
  for (const o of [-p, 0, p]) {
    t.moveTo(o, p);
    t.lineTo(o + p, 0);
  }
  t.stroke();
  const pattern = ctx.createPattern(tile, "repeat");
  if (!pattern) throw new Error("this browser cannot make a canvas pattern");
  return pattern;
}

// ---- a tensor node's small heatmaps, in the graph ----------------------------------------------

/** A rows × cols canvas, a pixel an entry (row-major) on the same scale as the panel's
 * (exact zeros grey, as a ReLU's), to be drawn scaled up with smoothing off.
 * @param {ArrayLike<number>} xs @param {number} rows @param {number} cols */
export function heatmapCanvas(xs, rows, cols) {
  // A node's map is 46 × 28 units: more pixels than NODE_PIXELS a side show nothing more,
  // and a 2²⁰-vector would pass the browser's largest canvas. Larger tensors are sampled,
  // a row and a column at even steps.
  const [h, w] = [Math.max(1, Math.min(rows, NODE_PIXELS)), Math.max(1, Math.min(cols, NODE_PIXELS))];
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  if (!ctx) return canvas;
  const image = ctx.createImageData(w, h);
  const max = scaleMax(xs);
  for (let r = 0; r < h; r++) {
    const row = Math.floor((r * rows) / h);
    for (let c = 0; c < w; c++) {
      const x = xs[row * cols + Math.floor((c * cols) / w)];
      const [red, green, blue] = divergingRgb(x ?? NaN, max);
      image.data.set([red, green, blue, 255], (r * w + c) * 4);
    }
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** The most pixels a side of a graph node's heatmap. */
const NODE_PIXELS = 64;

/** Rows and columns of a tensor drawn as a grid: a vector of n is one column of n, as
 * the engine's n-vectors act as columns in `W @ x`. @param {number[]} shape */
export function gridOf(shape) {
  if (shape.length === 2) return { rows: shape[0], cols: shape[1] };
  if (shape.length === 1) return { rows: shape[0], cols: 1 };
  return { rows: 1, cols: 1 };
}
