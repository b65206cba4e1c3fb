// @ts-check
// Figures for slides and notes: a view's drawing, with its legend, as an SVG file or as a
// PNG at twice its size. A figure is a size and a function that draws it onto any 2-D
// context: the SVG is that function run against a recording context (svg-context.js), the
// PNG the same function on a canvas scaled by 2. Figures side by side make one figure
// (`arrange`), and a legend is a row of keys drawn into the figure (`keysHeight`,
// `drawKeys`), so that the file says everything the page says around the view.

import { SvgContext } from "./svg-context.js";

/**
 * A figure: its size in CSS pixels, and how to draw it there. `draw` gets a context whose
 * unit is a CSS pixel and `scale`, the device pixels to one of them (1 for SVG, 2 for the
 * PNG), for code that snaps to pixels.
 * @typedef {object} Figure
 * @property {string} name for the file: gradscope-NAME.svg
 * @property {string} title the SVG's <title>
 * @property {number} width
 * @property {number} height
 * @property {(ctx: CanvasRenderingContext2D, scale: number) => void} draw
 */

/** The largest side of a canvas in Chrome and Firefox, and an area that even a phone makes. */
const MAX_SIDE = 32767;
const MAX_AREA = 16384 * 16384 / 4;

export const INK = "#111827";
export const MUTED = "#5b6270";
export const LINE = "#e3e6eb";
export const SANS = "system-ui, sans-serif";
export const MONO = "ui-monospace, SFMono-Regular, Menlo, monospace";

/** The figure as an SVG document. @param {Figure} figure */
export function figureSvg(figure) {
  const svg = new SvgContext(figure.width, figure.height);
  figure.draw(svg.asContext2d(), 1);
  return svg.toSvg({ title: figure.title });
}

/** The PNG scale for a figure: `wanted`, or less where the canvas would be too large. @param {Figure} figure @param {number} wanted */
export function pngScale(figure, wanted = 2) {
  const side = Math.max(figure.width, figure.height, 1);
  const area = Math.max(figure.width * figure.height, 1);
  return Math.min(wanted, MAX_SIDE / side, Math.sqrt(MAX_AREA / area));
}

/** The figure drawn on a canvas `scale` times its size, on white. @param {Figure} figure @param {number} scale */
export function figureCanvas(figure, scale) {
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(figure.width * scale));
  canvas.height = Math.max(1, Math.round(figure.height * scale));
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("this browser has no 2-D canvas");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.scale(scale, scale);
  figure.draw(ctx, scale);
  return canvas;
}

/** The figure as a PNG, 2× (or as much as a canvas allows: see pngScale). @param {Figure} figure @returns {Promise<Blob>} */
export function figurePng(figure, wanted = 2) {
  const canvas = figureCanvas(figure, pngScale(figure, wanted));
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the PNG could not be made"))), "image/png"));
}

/** Saves `blob` as `filename`, by a link with `download`. @param {Blob} blob @param {string} filename */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once it starts; the URL is kept a while for slow ones.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Saves the figure as gradscope-NAME.svg or .png; returns the PNG's scale (1 for SVG),
 * less than 2 only for a figure too large for a canvas at 2×. @param {Figure} figure @param {"svg" | "png"} format */
export async function saveFigure(figure, format) {
  const scale = format === "svg" ? 1 : pngScale(figure);
  const blob = format === "svg" ? new Blob([figureSvg(figure)], { type: "image/svg+xml" }) : await figurePng(figure, scale);
  download(blob, `gradscope-${figure.name}.${format}`);
  return scale;
}

/**
 * Figures in columns, each column's figures one under another, `gap` apart, as one figure.
 * @param {string} name @param {string} title @param {Figure[][]} columns @param {number} [gap]
 * @returns {Figure}
 */
export function arrange(name, title, columns, gap = 24) {
  const cols = columns.filter((c) => c.length);
  const widths = cols.map((c) => Math.max(...c.map((f) => f.width)));
  const heights = cols.map((c) => c.reduce((h, f) => h + f.height, 0) + gap * (c.length - 1));
  return {
    name,
    title,
    width: widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, cols.length - 1),
    height: Math.max(0, ...heights),
    draw(ctx, scale) {
      let x = 0;
      cols.forEach((column, i) => {
        let y = 0;
        for (const f of column) {
          ctx.save();
          ctx.translate(x, y);
          ctx.beginPath();
          ctx.rect(0, 0, f.width, f.height);
          ctx.clip();
          f.draw(ctx, scale);
          ctx.restore();
          y += f.height + gap;
        }
        x += widths[i] + gap;
      });
    },
  };
}

/** Draws a key's swatch in the box from (x, y), the swatch's width and `height` (the row's) high.
 * @typedef {(ctx: CanvasRenderingContext2D, x: number, y: number, height: number) => void} Swatch */
/**
 * One key of a legend: a text, and before it, if any, a swatch `swatch` wide drawn by `draw`.
 * @typedef {{ text: string, font?: string, color?: string, swatch?: number, draw?: Swatch }} Key
 */

const KEY_FONT = `13px ${SANS}`;
const ROW = 20;
const KEY_GAP = 14;
const SWATCH_GAP = 6;

/** A 2-D context to measure text with. */
let measurer = /** @type {CanvasRenderingContext2D | null} */ (null);
/** @param {string} text @param {string} font */
export function textWidth(text, font) {
  if (!measurer) measurer = document.createElement("canvas").getContext("2d");
  if (!measurer) return text.length * 7;
  measurer.font = font;
  return measurer.measureText(text).width;
}

/** Where each key goes, in rows at most `width` wide; a key too long for a row goes on
 * over the next rows, broken between words. @param {Key[]} keys @param {number} width */
function layoutKeys(keys, width) {
  /** @type {{ key: Key, x: number, row: number }[]} */
  const placed = [];
  let [x, row] = [0, 0];
  for (const key of keys) {
    const font = key.font ?? KEY_FONT;
    const lead = key.swatch ? key.swatch + (key.text ? SWATCH_GAP : 0) : 0;
    let w = lead + textWidth(key.text, font);
    if (x > 0 && x + w > width) {
      x = 0;
      row++;
    }
    if (w <= width) {
      placed.push({ key, x, row });
      x += w + KEY_GAP;
      continue;
    }
    // Longer than a row: as many words as fit on each line, the swatch before the first.
    const words = key.text.split(" ");
    let line = "";
    let first = true;
    for (const word of words) {
      const next = line ? `${line} ${word}` : word;
      if (line && (first ? lead : 0) + textWidth(next, font) > width) {
        placed.push({ key: first ? { ...key, text: line } : { ...key, text: line, swatch: 0 }, x: 0, row: row++ });
        first = false;
        line = word;
      } else line = next;
    }
    const rest = first ? { ...key, text: line } : { ...key, text: line, swatch: 0 };
    placed.push({ key: rest, x: 0, row });
    w = (first ? lead : 0) + textWidth(line, font);
    x = w + KEY_GAP;
  }
  return { placed, rows: keys.length ? row + 1 : 0 };
}

/** The height the keys take in rows `width` wide, with `pad` above and below. @param {Key[]} keys @param {number} width @param {number} [pad] */
export function keysHeight(keys, width, pad = 8) {
  const { rows } = layoutKeys(keys, width);
  return rows ? rows * ROW + 2 * pad : 0;
}

/** Draws the keys in rows `width` wide from (x, y), `pad` below y; returns the height taken.
 * @param {CanvasRenderingContext2D} ctx @param {Key[]} keys @param {number} x @param {number} y @param {number} width @param {number} [pad] */
export function drawKeys(ctx, keys, x, y, width, pad = 8) {
  const { placed, rows } = layoutKeys(keys, width);
  ctx.save();
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  for (const { key, x: kx, row } of placed) {
    const top = y + pad + row * ROW;
    let left = x + kx;
    if (key.swatch && key.draw) {
      ctx.save();
      key.draw(ctx, left, top, ROW);
      ctx.restore();
      left += key.swatch + (key.text ? SWATCH_GAP : 0);
    }
    ctx.font = key.font ?? KEY_FONT;
    ctx.fillStyle = key.color ?? INK;
    ctx.fillText(key.text, left, top + ROW / 2);
  }
  ctx.restore();
  return rows ? rows * ROW + 2 * pad : 0;
}

/** A key's swatch: a line across its box, solid or dashed. @param {string} color @param {number} width @param {number[]} [dash] @param {number} [swatch] @returns {Swatch} */
export function lineSwatch(color, width, dash = [], swatch = 18) {
  return (ctx, x, y, h) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    ctx.moveTo(x, y + h / 2);
    ctx.lineTo(x + swatch, y + h / 2);
    ctx.stroke();
  };
}

/** A key's swatch: a bar of colours left to right, `stops` evenly spaced. @param {string[]} stops @param {number} width @param {string | null} [border] @returns {Swatch} */
export function barSwatch(stops, width, border = null) {
  return (ctx, x, y, h) => {
    const g = ctx.createLinearGradient(x, 0, x + width, 0);
    stops.forEach((c, i) => g.addColorStop(stops.length > 1 ? i / (stops.length - 1) : 0, c));
    ctx.fillStyle = g;
    roundRectPath(ctx, x, y + h / 2 - 5, width, 10, 3);
    ctx.fill();
    if (border) {
      ctx.strokeStyle = border;
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  };
}

/** @param {CanvasRenderingContext2D} ctx @param {number} x @param {number} y @param {number} w @param {number} h @param {number} r */
export function roundRectPath(ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

/** A thin line across the figure, between a view and its legend.
 * @param {CanvasRenderingContext2D} ctx @param {number} y @param {number} width */
export function rule(ctx, y, width) {
  ctx.save();
  ctx.strokeStyle = LINE;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, y + 0.5);
  ctx.lineTo(width, y + 0.5);
  ctx.stroke();
  ctx.restore();
}
