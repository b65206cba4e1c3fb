// @ts-check
// A recording 2-D context: the part of CanvasRenderingContext2D that the page's views draw
// with, written out as SVG. A view's own drawing code runs against it unchanged, so the
// exported figure is the figure on the page: the same paths, colours, text and images.
//
// Our own, and small on purpose: canvas2svg, the usual library for this, is unmaintained,
// and the views use only a few dozen calls. What is supported:
//   paths     beginPath moveTo lineTo bezierCurveTo quadraticCurveTo arc arcTo ellipse rect
//             closePath fill (nonzero/evenodd) stroke clip; fillRect strokeRect clearRect
//   text      fillText strokeText (maxWidth too) measureText; font textAlign textBaseline
//   images    drawImage (3, 5 and 9 arguments, any canvas or image), putImageData,
//             createImageData; imageSmoothingEnabled (off: image-rendering pixelated)
//   paint     fillStyle strokeStyle as CSS colours, createLinearGradient,
//             createRadialGradient, createPattern; globalAlpha
//   lines     lineWidth lineCap lineJoin miterLimit setLineDash getLineDash lineDashOffset
//   state     save restore translate scale rotate transform setTransform resetTransform
//             getTransform
// Not: shadows, filters, compositing other than source-over, getImageData, Path2D
// arguments, isPointInPath. clearRect of the whole figure drops what was drawn; of a part,
// it paints the figure's white background there.
//
// An image drawn without smoothing (a heatmap's cells) is kept as PNG data with each of its
// pixels blown up to a block, about twice its drawn size, and marked image-rendering
// pixelated: square cells in every SVG reader, also those that smooth all images.
// Geometry is transformed as it is added, as the canvas does; line widths and dashes are
// scaled by the transform's mean scale (exact for the views' translations and uniform
// scales). Text stays text: a <text> element, its baseline as the canvas puts it (measured
// by a real canvas with the same font), escaped for XML.

/** @typedef {[number, number, number, number, number, number]} Matrix a b c d e f, as DOMMatrix */
/** @typedef {string | SvgGradient | SvgPattern} Paint */
/**
 * @typedef {object} DrawState
 * @property {Matrix} m
 * @property {Paint} fill
 * @property {Paint} stroke
 * @property {number} lineWidth
 * @property {CanvasLineCap} lineCap
 * @property {CanvasLineJoin} lineJoin
 * @property {number} miterLimit
 * @property {number[]} dash
 * @property {number} dashOffset
 * @property {string} font
 * @property {CanvasTextAlign} textAlign
 * @property {CanvasTextBaseline} textBaseline
 * @property {number} alpha
 * @property {boolean} smoothing
 * @property {string | null} clip the id of the clip path in force
 */

/** A real 2-D context for what only a browser knows: colour parsing, fonts and text metrics. */
let scratchContext = /** @type {CanvasRenderingContext2D | null} */ (null);
function scratch() {
  if (!scratchContext) {
    const ctx = document.createElement("canvas").getContext("2d");
    if (!ctx) throw new Error("this browser has no 2-D canvas");
    scratchContext = ctx;
  }
  return scratchContext;
}

/** Characters XML 1.0 does not allow at all: dropped, so any text makes a valid file. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text for XML content or a quoted attribute. @param {string} s */
export function escapeXml(s) {
  return String(s)
    .replace(NOT_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** A number for the file: three decimals are a thousandth of a pixel. @param {number} v */
const num = (v) => {
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? "0" : String(r);
};

/** A CSS colour as the canvas reads it (an invalid one leaves `previous`), then as SVG
 * wants it: an opaque colour and its opacity apart, which every SVG reader understands.
 * @param {string} value @param {string} previous */
function normalizeColor(value, previous) {
  const c = scratch();
  c.fillStyle = previous;
  c.fillStyle = value;
  return /** @type {string} */ (c.fillStyle);
}

/** @param {string} css a colour as the canvas gives it back: #rrggbb or rgba(r, g, b, a)
 * @returns {{ color: string, opacity: number }} */
function splitColor(css) {
  const m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(css);
  if (!m) return { color: css, opacity: 1 };
  return { color: `rgb(${m[1]},${m[2]},${m[3]})`, opacity: m[4] === undefined ? 1 : Number(m[4]) };
}

/** The pixels of any image source as a PNG data URL, the part (sx, sy, sw, sh) of it,
 * each pixel `blow` × `blow` pixels (nearest neighbour).
 * @param {CanvasImageSource} image @param {number} [sx] @param {number} [sy] @param {number} [sw] @param {number} [sh] @param {number} [blow] */
function dataUrlOf(image, sx, sy, sw, sh, blow = 1) {
  const { width, height } = sourceSize(image);
  const [x, y, w, h] = [sx ?? 0, sy ?? 0, sw ?? width, sh ?? height];
  if (image instanceof HTMLCanvasElement && blow === 1 && x === 0 && y === 0 && w === image.width && h === image.height) return image.toDataURL("image/png");
  const copy = document.createElement("canvas");
  copy.width = Math.max(1, Math.round(w * blow));
  copy.height = Math.max(1, Math.round(h * blow));
  const ctx = copy.getContext("2d");
  if (!ctx) throw new Error("this browser has no 2-D canvas");
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(image, x, y, w, h, 0, 0, copy.width, copy.height);
  return copy.toDataURL("image/png");
}

/** The longest side, in pixels, of an image blown up for crisp cells (see drawImage). */
const BLOWN_SIDE = 2048;

/** @param {CanvasImageSource} image @returns {{ width: number, height: number }} */
function sourceSize(image) {
  if (image instanceof HTMLImageElement) return { width: image.naturalWidth, height: image.naturalHeight };
  if (image instanceof HTMLVideoElement) return { width: image.videoWidth, height: image.videoHeight };
  if (image instanceof SVGImageElement) return { width: image.width.baseVal.value, height: image.height.baseVal.value };
  const sized = /** @type {{ width: number, height: number }} */ (/** @type {unknown} */ (image));
  return { width: Number(sized.width), height: Number(sized.height) };
}

/** @param {Matrix} m @param {number} x @param {number} y @returns {[number, number]} */
const apply = ([a, b, c, d, e, f], x, y) => [a * x + c * y + e, b * x + d * y + f];

/** @param {Matrix} m @param {Matrix} n @returns {Matrix} m × n */
function multiply([a, b, c, d, e, f], [A, B, C, D, E, F]) {
  return [a * A + c * B, b * A + d * B, a * C + c * D, b * C + d * D, a * E + c * F + e, b * E + d * F + f];
}

/** The transform's mean scale, for line widths. @param {Matrix} m */
const meanScale = ([a, b, c, d]) => Math.sqrt(Math.abs(a * d - b * c));

/** The ellipse the unit circle becomes under `m`: its semi-axes and the first one's angle
 * in degrees (a circle for the views' uniform scales). @param {Matrix} m */
function ellipseOf([a, b, c, d]) {
  const p = a * a + c * c;
  const q = a * b + c * d;
  const r = b * b + d * d;
  const mean = (p + r) / 2;
  const spread = Math.hypot((p - r) / 2, q);
  return { rx: Math.sqrt(mean + spread), ry: Math.sqrt(Math.max(0, mean - spread)), angle: (Math.atan2(2 * q, p - r) * 90) / Math.PI };
}

const IDENTITY = /** @type {Matrix} */ ([1, 0, 0, 1, 0, 0]);
const TAU = 2 * Math.PI;

/** What createLinearGradient and createRadialGradient return: stops kept for the file. */
export class SvgGradient {
  /** @param {"linear" | "radial"} kind @param {number[]} at x0 y0 x1 y1, or x0 y0 r0 x1 y1 r1 */
  constructor(kind, at) {
    this.kind = kind;
    this.at = at;
    /** @type {{ offset: number, color: string }[]} */
    this.stops = [];
  }

  /** @param {number} offset @param {string} color */
  addColorStop(offset, color) {
    if (!(offset >= 0 && offset <= 1)) throw new RangeError("a colour stop's offset is between 0 and 1");
    this.stops.push({ offset, color: normalizeColor(color, "#000000") });
  }
}

/** What createPattern returns: the tile's pixels, copied when it was made. */
export class SvgPattern {
  /** @param {CanvasImageSource} image @param {string | null} repetition */
  constructor(image, repetition) {
    const { width, height } = sourceSize(image);
    this.width = width;
    this.height = height;
    this.href = dataUrlOf(image);
    this.repetition = repetition || "repeat";
  }
}

/** The part of CanvasRenderingContext2D the views use, recorded as SVG (see the top of the file). */
export class SvgContext {
  /** @param {number} width @param {number} height the figure's size, in CSS pixels */
  constructor(width, height) {
    this.width = width;
    this.height = height;
    /** For code that asks its context for its canvas's size. */
    this.canvas = { width, height };
    /** @type {string[]} */
    this.defs = [];
    /** @type {string[]} */
    this.body = [];
    this.ids = 0;
    /** The clip of the <g> open in `body`, if any: elements under one clip share it. @type {string | null} */
    this.openClip = null;
    /** @type {DrawState} */
    this.s = {
      m: [...IDENTITY],
      fill: "#000000",
      stroke: "#000000",
      lineWidth: 1,
      lineCap: "butt",
      lineJoin: "miter",
      miterLimit: 10,
      dash: [],
      dashOffset: 0,
      font: "10px sans-serif",
      textAlign: "start",
      textBaseline: "alphabetic",
      alpha: 1,
      smoothing: true,
      clip: null,
    };
    /** @type {DrawState[]} */
    this.stack = [];
    /** The path being built, in figure coordinates. @type {string[]} */
    this.path = [];
    /** The current point and the start of the subpath, in figure coordinates. @type {[number, number] | null} */
    this.current = null;
    /** @type {[number, number] | null} */
    this.subpathStart = null;
  }

  // ---- state ------------------------------------------------------------------------------

  save() {
    this.stack.push({ ...this.s, m: [...this.s.m], dash: [...this.s.dash] });
  }

  restore() {
    const s = this.stack.pop();
    if (s) this.s = s;
  }

  get fillStyle() {
    return this.s.fill;
  }
  set fillStyle(v) {
    this.s.fill = this.#paint(v, this.s.fill);
  }
  get strokeStyle() {
    return this.s.stroke;
  }
  set strokeStyle(v) {
    this.s.stroke = this.#paint(v, this.s.stroke);
  }

  /** @param {unknown} v @param {Paint} previous @returns {Paint} */
  #paint(v, previous) {
    if (v instanceof SvgGradient || v instanceof SvgPattern) return v;
    if (typeof v !== "string") return previous;
    return normalizeColor(v, typeof previous === "string" ? previous : "#000000");
  }

  get lineWidth() {
    return this.s.lineWidth;
  }
  set lineWidth(v) {
    if (Number.isFinite(v) && v > 0) this.s.lineWidth = v;
  }
  get lineCap() {
    return this.s.lineCap;
  }
  set lineCap(v) {
    if (["butt", "round", "square"].includes(v)) this.s.lineCap = v;
  }
  get lineJoin() {
    return this.s.lineJoin;
  }
  set lineJoin(v) {
    if (["miter", "round", "bevel"].includes(v)) this.s.lineJoin = v;
  }
  get miterLimit() {
    return this.s.miterLimit;
  }
  set miterLimit(v) {
    if (Number.isFinite(v) && v > 0) this.s.miterLimit = v;
  }
  get lineDashOffset() {
    return this.s.dashOffset;
  }
  set lineDashOffset(v) {
    if (Number.isFinite(v)) this.s.dashOffset = v;
  }
  /** @param {number[]} segments */
  setLineDash(segments) {
    if (segments.some((v) => !Number.isFinite(v) || v < 0)) return;
    this.s.dash = segments.length % 2 ? [...segments, ...segments] : [...segments];
  }
  getLineDash() {
    return [...this.s.dash];
  }

  get font() {
    return this.s.font;
  }
  set font(v) {
    const c = scratch();
    c.font = this.s.font;
    c.font = v;
    this.s.font = c.font;
  }
  get textAlign() {
    return this.s.textAlign;
  }
  set textAlign(v) {
    if (["start", "end", "left", "right", "center"].includes(v)) this.s.textAlign = v;
  }
  get textBaseline() {
    return this.s.textBaseline;
  }
  set textBaseline(v) {
    if (["top", "hanging", "middle", "alphabetic", "ideographic", "bottom"].includes(v)) this.s.textBaseline = v;
  }
  get globalAlpha() {
    return this.s.alpha;
  }
  set globalAlpha(v) {
    if (Number.isFinite(v) && v >= 0 && v <= 1) this.s.alpha = v;
  }
  get imageSmoothingEnabled() {
    return this.s.smoothing;
  }
  set imageSmoothingEnabled(v) {
    this.s.smoothing = !!v;
  }

  // ---- transforms -------------------------------------------------------------------------

  /** @param {number} a @param {number} b @param {number} c @param {number} d @param {number} e @param {number} f */
  transform(a, b, c, d, e, f) {
    if ([a, b, c, d, e, f].every(Number.isFinite)) this.s.m = multiply(this.s.m, [a, b, c, d, e, f]);
  }
  /** @param {number} x @param {number} y */
  translate(x, y) {
    this.transform(1, 0, 0, 1, x, y);
  }
  /** @param {number} x @param {number} y */
  scale(x, y) {
    this.transform(x, 0, 0, y, 0, 0);
  }
  /** @param {number} angle */
  rotate(angle) {
    this.transform(Math.cos(angle), Math.sin(angle), -Math.sin(angle), Math.cos(angle), 0, 0);
  }
  /** @param {number | DOMMatrix2DInit} [a] @param {number} [b] @param {number} [c] @param {number} [d] @param {number} [e] @param {number} [f] */
  setTransform(a, b, c, d, e, f) {
    if (typeof a === "object" || a === undefined) {
      const m = new DOMMatrix(a === undefined ? undefined : [a.a ?? a.m11 ?? 1, a.b ?? a.m12 ?? 0, a.c ?? a.m21 ?? 0, a.d ?? a.m22 ?? 1, a.e ?? a.m41 ?? 0, a.f ?? a.m42 ?? 0]);
      this.s.m = [m.a, m.b, m.c, m.d, m.e, m.f];
      return;
    }
    const m = /** @type {Matrix} */ ([a, b ?? 0, c ?? 0, d ?? 1, e ?? 0, f ?? 0]);
    if (m.every(Number.isFinite)) this.s.m = m;
  }
  resetTransform() {
    this.s.m = [...IDENTITY];
  }
  getTransform() {
    return new DOMMatrix(this.s.m);
  }

  // ---- paths ------------------------------------------------------------------------------

  beginPath() {
    this.path = [];
    this.current = null;
    this.subpathStart = null;
  }

  /** @param {number} x @param {number} y */
  moveTo(x, y) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    const p = apply(this.s.m, x, y);
    this.path.push(`M${num(p[0])} ${num(p[1])}`);
    this.current = p;
    this.subpathStart = p;
  }

  /** @param {number} x @param {number} y */
  lineTo(x, y) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    if (!this.current) return this.moveTo(x, y);
    const p = apply(this.s.m, x, y);
    this.path.push(`L${num(p[0])} ${num(p[1])}`);
    this.current = p;
  }

  /** @param {number} x1 @param {number} y1 @param {number} x2 @param {number} y2 @param {number} x @param {number} y */
  bezierCurveTo(x1, y1, x2, y2, x, y) {
    if (![x1, y1, x2, y2, x, y].every(Number.isFinite)) return;
    if (!this.current) this.moveTo(x1, y1);
    const [a, b, c] = [apply(this.s.m, x1, y1), apply(this.s.m, x2, y2), apply(this.s.m, x, y)];
    this.path.push(`C${num(a[0])} ${num(a[1])} ${num(b[0])} ${num(b[1])} ${num(c[0])} ${num(c[1])}`);
    this.current = c;
  }

  /** @param {number} x1 @param {number} y1 @param {number} x @param {number} y */
  quadraticCurveTo(x1, y1, x, y) {
    if (![x1, y1, x, y].every(Number.isFinite)) return;
    if (!this.current) this.moveTo(x1, y1);
    const [a, c] = [apply(this.s.m, x1, y1), apply(this.s.m, x, y)];
    this.path.push(`Q${num(a[0])} ${num(a[1])} ${num(c[0])} ${num(c[1])}`);
    this.current = c;
  }

  /** @param {number} x @param {number} y @param {number} w @param {number} h */
  rect(x, y, w, h) {
    if (![x, y, w, h].every(Number.isFinite)) return;
    this.path.push(this.#rectPath(x, y, w, h));
    this.current = apply(this.s.m, x, y);
    this.subpathStart = this.current;
  }

  /** @param {number} x @param {number} y @param {number} w @param {number} h */
  #rectPath(x, y, w, h) {
    const m = this.s.m;
    const pts = [apply(m, x, y), apply(m, x + w, y), apply(m, x + w, y + h), apply(m, x, y + h)];
    return `M${pts.map((p) => `${num(p[0])} ${num(p[1])}`).join("L")}Z`;
  }

  closePath() {
    if (!this.current) return;
    this.path.push("Z");
    this.current = this.subpathStart;
  }

  /** @param {number} x @param {number} y @param {number} r @param {number} start @param {number} end @param {boolean} [ccw] */
  arc(x, y, r, start, end, ccw = false) {
    this.ellipse(x, y, r, r, 0, start, end, ccw);
  }

  /** An arc of an ellipse (radii rx, ry, turned by `rotation`), from angle `start` to
   * `end`, as the canvas draws it: a line to its start from the current point.
   * @param {number} x @param {number} y @param {number} rx @param {number} ry @param {number} rotation
   * @param {number} start @param {number} end @param {boolean} [ccw] */
  ellipse(x, y, rx, ry, rotation, start, end, ccw = false) {
    if (![x, y, rx, ry, rotation, start, end].every(Number.isFinite)) return;
    if (rx < 0 || ry < 0) throw new DOMException("The radius provided is negative.", "IndexSizeError");
    // In the ellipse's own frame, a unit circle: its points at angle t are (cos t, sin t).
    const frame = multiply(this.s.m, [Math.cos(rotation) * rx, Math.sin(rotation) * rx, -Math.sin(rotation) * ry, Math.cos(rotation) * ry, x, y]);
    const at = (/** @type {number} */ t) => apply(frame, Math.cos(t), Math.sin(t));
    let sweep = ccw ? start - end : end - start;
    if (sweep >= TAU) sweep = TAU;
    else sweep = ((sweep % TAU) + TAU) % TAU;
    const dir = ccw ? -1 : 1;
    const p0 = at(start);
    if (this.current) this.path.push(`L${num(p0[0])} ${num(p0[1])}`);
    else {
      this.path.push(`M${num(p0[0])} ${num(p0[1])}`);
      this.subpathStart = p0;
    }
    this.current = p0;
    if (sweep === 0 || (rx === 0 && ry === 0)) return;
    const { rx: ex, ry: ey, angle } = ellipseOf(frame);
    const det = frame[0] * frame[3] - frame[1] * frame[2];
    // SVG's sweep flag 1 is clockwise on screen; the canvas's clockwise is too, unless the
    // transform mirrors it.
    const flag = (ccw ? 0 : 1) ^ (det < 0 ? 1 : 0);
    // A full turn is two halves: one SVG arc cannot end where it starts.
    const pieces = sweep > Math.PI ? 2 : 1;
    for (let k = 1; k <= pieces; k++) {
      const p = at(start + (dir * sweep * k) / pieces);
      this.path.push(`A${num(ex)} ${num(ey)} ${num(angle)} 0 ${flag} ${num(p[0])} ${num(p[1])}`);
      this.current = p;
    }
  }

  /** A corner of radius `r` between the lines to (x1, y1) and on to (x2, y2), as the canvas
   * draws it. @param {number} x1 @param {number} y1 @param {number} x2 @param {number} y2 @param {number} r */
  arcTo(x1, y1, x2, y2, r) {
    if (![x1, y1, x2, y2, r].every(Number.isFinite)) return;
    if (r < 0) throw new DOMException("The radius provided is negative.", "IndexSizeError");
    if (!this.current) this.moveTo(x1, y1);
    const inv = new DOMMatrix(this.s.m).inverse();
    const cur = /** @type {[number, number]} */ (this.current);
    const p0 = { x: inv.a * cur[0] + inv.c * cur[1] + inv.e, y: inv.b * cur[0] + inv.d * cur[1] + inv.f };
    const v1 = { x: p0.x - x1, y: p0.y - y1 };
    const v2 = { x: x2 - x1, y: y2 - y1 };
    const l1 = Math.hypot(v1.x, v1.y);
    const l2 = Math.hypot(v2.x, v2.y);
    const cross = v1.x * v2.y - v1.y * v2.x;
    if (l1 === 0 || l2 === 0 || r === 0 || Math.abs(cross) < 1e-12 * l1 * l2) return this.lineTo(x1, y1);
    const cos = (v1.x * v2.x + v1.y * v2.y) / (l1 * l2);
    const half = Math.acos(Math.max(-1, Math.min(1, cos))) / 2;
    const t = r / Math.tan(half);
    this.lineTo(x1 + (v1.x / l1) * t, y1 + (v1.y / l1) * t);
    const end = { x: x1 + (v2.x / l2) * t, y: y1 + (v2.y / l2) * t };
    const p = apply(this.s.m, end.x, end.y);
    const { rx, ry, angle } = ellipseOf(this.s.m);
    const m = this.s.m;
    const det = m[0] * m[3] - m[1] * m[2];
    // The corner turns the short way: clockwise on screen when the turn from the first line
    // to the second is (v1 points back along the first line).
    const flag = (cross < 0 ? 1 : 0) ^ (det < 0 ? 1 : 0);
    this.path.push(`A${num(r * rx)} ${num(r * ry)} ${num(angle)} 0 ${flag} ${num(p[0])} ${num(p[1])}`);
    this.current = p;
  }

  /** @param {CanvasFillRule | unknown} [rule] */
  fill(rule) {
    if (!this.path.length) return;
    this.#emitFill(this.path.join(""), rule === "evenodd");
  }

  stroke() {
    if (!this.path.length) return;
    this.#emitStroke(this.path.join(""));
  }

  /** @param {CanvasFillRule | unknown} [rule] */
  clip(rule) {
    const id = `clip${++this.ids}`;
    const parent = this.s.clip ? ` clip-path="url(#${this.s.clip})"` : "";
    const d = this.path.join("") || "M0 0Z";
    this.defs.push(`<clipPath id="${id}" clipPathUnits="userSpaceOnUse"${parent}><path d="${d}"${rule === "evenodd" ? ' clip-rule="evenodd"' : ""}/></clipPath>`);
    this.s.clip = id;
  }

  /** @param {number} x @param {number} y @param {number} w @param {number} h */
  fillRect(x, y, w, h) {
    if ([x, y, w, h].every(Number.isFinite) && w !== 0 && h !== 0) this.#emitFill(this.#rectPath(x, y, w, h), false);
  }

  /** @param {number} x @param {number} y @param {number} w @param {number} h */
  strokeRect(x, y, w, h) {
    if ([x, y, w, h].every(Number.isFinite)) this.#emitStroke(this.#rectPath(x, y, w, h));
  }

  /** @param {number} x @param {number} y @param {number} w @param {number} h */
  clearRect(x, y, w, h) {
    if (![x, y, w, h].every(Number.isFinite)) return;
    const m = this.s.m;
    const corners = [apply(m, x, y), apply(m, x + w, y), apply(m, x, y + h), apply(m, x + w, y + h)];
    const xs = corners.map((p) => p[0]);
    const ys = corners.map((p) => p[1]);
    if (Math.min(...xs) <= 0 && Math.min(...ys) <= 0 && Math.max(...xs) >= this.width && Math.max(...ys) >= this.height && !this.s.clip) {
      this.body = [];
      this.openClip = null;
      return;
    }
    this.#element(`<path d="${this.#rectPath(x, y, w, h)}" fill="#ffffff"/>`);
  }

  // ---- text -------------------------------------------------------------------------------

  /** @param {string} text */
  measureText(text) {
    const c = scratch();
    c.font = this.s.font;
    c.textAlign = this.s.textAlign;
    c.textBaseline = this.s.textBaseline;
    return c.measureText(text);
  }

  /** @param {string} text @param {number} x @param {number} y @param {number} [maxWidth] */
  fillText(text, x, y, maxWidth) {
    this.#text(String(text), x, y, maxWidth, "fill");
  }

  /** @param {string} text @param {number} x @param {number} y @param {number} [maxWidth] */
  strokeText(text, x, y, maxWidth) {
    this.#text(String(text), x, y, maxWidth, "stroke");
  }

  /** @param {string} text @param {number} x @param {number} y @param {number | undefined} maxWidth @param {"fill" | "stroke"} how */
  #text(text, x, y, maxWidth, how) {
    if (![x, y].every(Number.isFinite) || (maxWidth !== undefined && !(maxWidth > 0))) return;
    const metrics = this.measureText(text);
    // Every text is written on its alphabetic baseline, where the canvas put it: SVG
    // readers differ in their other baselines, never in this one. (Chrome's
    // alphabeticBaseline is negative below the line textBaseline names.)
    const shift = typeof metrics.alphabeticBaseline === "number" ? -metrics.alphabeticBaseline : baselineShift(this.s.textBaseline, metrics);
    const anchor = { start: "start", left: "start", center: "middle", end: "end", right: "end" }[this.s.textAlign];
    const font = fontAttributes(this.s.font);
    let attrs = `x="${num(x)}" y="${num(y + shift)}"${font}`;
    if (anchor !== "start") attrs += ` text-anchor="${anchor}"`;
    if (maxWidth !== undefined && metrics.width > maxWidth) attrs += ` textLength="${num(maxWidth)}" lengthAdjust="spacingAndGlyphs"`;
    if (how === "fill") attrs += this.#paintAttributes("fill", this.s.fill);
    else attrs += ` fill="none"${this.#paintAttributes("stroke", this.s.stroke)} stroke-width="${num(this.s.lineWidth)}"`;
    const m = this.s.m;
    if (m.some((v, i) => v !== IDENTITY[i])) attrs += ` transform="matrix(${m.map(num).join(" ")})"`;
    this.#element(`<text ${attrs} xml:space="preserve">${escapeXml(text)}</text>`);
  }

  // ---- images -----------------------------------------------------------------------------

  /** @param {number} sw @param {number} sh @returns {ImageData} */
  createImageData(sw, sh) {
    if (typeof sw === "object") {
      const like = /** @type {ImageData} */ (/** @type {unknown} */ (sw));
      return new ImageData(like.width, like.height);
    }
    return new ImageData(Math.abs(sw), Math.abs(sh));
  }

  /** @returns {ImageData} */
  getImageData() {
    throw new Error("an SVG figure has no pixels to read back");
  }

  /** Pixels put at (dx, dy) of the figure, without the transform, as the canvas does.
   * @param {ImageData} data @param {number} dx @param {number} dy */
  putImageData(data, dx, dy) {
    const copy = document.createElement("canvas");
    copy.width = data.width;
    copy.height = data.height;
    copy.getContext("2d")?.putImageData(data, 0, 0);
    this.#element(
      `<image x="${num(dx)}" y="${num(dy)}" width="${data.width}" height="${data.height}" preserveAspectRatio="none" image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="${copy.toDataURL("image/png")}"/>`,
    );
  }

  /** drawImage(image, dx, dy), (image, dx, dy, dw, dh) or (image, sx, sy, sw, sh, dx, dy, dw, dh).
   * @param {CanvasImageSource} image @param {number[]} args */
  drawImage(image, ...args) {
    const { width, height } = sourceSize(image);
    let [sx, sy, sw, sh] = [0, 0, width, height];
    let dx, dy, dw, dh;
    if (args.length >= 8) [sx, sy, sw, sh, dx, dy, dw, dh] = args;
    else if (args.length >= 4) [dx, dy, dw, dh] = args;
    else [dx, dy, dw, dh] = [args[0], args[1], width, height];
    if (![sx, sy, sw, sh, dx, dy, dw, dh].every(Number.isFinite) || !width || !height || !sw || !sh) return;
    // Drawn without smoothing (a heatmap's cells), a small image scaled up is stored with
    // each pixel blown up to a block, about twice the size it is drawn: its cells stay
    // square in every reader, also those that smooth images whatever image-rendering says
    // (librsvg, slide programs).
    const k = meanScale(this.s.m);
    const wanted = Math.ceil(Math.max((2 * Math.abs(dw) * k) / Math.abs(sw), (2 * Math.abs(dh) * k) / Math.abs(sh)));
    const blow = this.s.smoothing ? 1 : Math.max(1, Math.min(wanted, Math.floor(BLOWN_SIDE / Math.max(Math.abs(sw), Math.abs(sh)))));
    const href = dataUrlOf(image, sx, sy, sw, sh, blow);
    let attrs = `x="${num(dx)}" y="${num(dy)}" width="${num(dw)}" height="${num(dh)}" preserveAspectRatio="none"`;
    // Drawn without smoothing (a heatmap's cells): the pixels stay square when scaled.
    if (!this.s.smoothing) attrs += ` image-rendering="optimizeSpeed" style="image-rendering:pixelated"`;
    if (this.s.alpha < 1) attrs += ` opacity="${num(this.s.alpha)}"`;
    const m = this.s.m;
    if (m.some((v, i) => v !== IDENTITY[i])) attrs += ` transform="matrix(${m.map(num).join(" ")})"`;
    this.#element(`<image ${attrs} href="${href}"/>`);
  }

  // ---- paints -----------------------------------------------------------------------------

  /** @param {number} x0 @param {number} y0 @param {number} x1 @param {number} y1 */
  createLinearGradient(x0, y0, x1, y1) {
    return new SvgGradient("linear", [x0, y0, x1, y1]);
  }

  /** @param {number} x0 @param {number} y0 @param {number} r0 @param {number} x1 @param {number} y1 @param {number} r1 */
  createRadialGradient(x0, y0, r0, x1, y1, r1) {
    return new SvgGradient("radial", [x0, y0, r0, x1, y1, r1]);
  }

  /** @param {CanvasImageSource} image @param {string | null} repetition */
  createPattern(image, repetition) {
    return new SvgPattern(image, repetition);
  }

  // ---- writing ----------------------------------------------------------------------------

  /** The attributes that paint with `paint` (`fill` or `stroke`), with globalAlpha; a
   * gradient or pattern becomes a definition in the user space of now.
   * @param {"fill" | "stroke"} what @param {Paint} paint */
  #paintAttributes(what, paint) {
    const alpha = this.s.alpha;
    if (typeof paint === "string") {
      const { color, opacity } = splitColor(paint);
      const o = opacity * alpha;
      return ` ${what}="${color}"${o < 1 ? ` ${what}-opacity="${num(o)}"` : ""}`;
    }
    const id = `paint${++this.ids}`;
    const transform = `matrix(${this.s.m.map(num).join(" ")})`;
    if (paint instanceof SvgGradient) {
      const stops = paint.stops
        .map((s) => {
          const { color, opacity } = splitColor(s.color);
          return `<stop offset="${num(s.offset)}" stop-color="${color}"${opacity < 1 ? ` stop-opacity="${num(opacity)}"` : ""}/>`;
        })
        .join("");
      const a = paint.at.map(num);
      this.defs.push(
        paint.kind === "linear"
          ? `<linearGradient id="${id}" gradientUnits="userSpaceOnUse" x1="${a[0]}" y1="${a[1]}" x2="${a[2]}" y2="${a[3]}" gradientTransform="${transform}">${stops}</linearGradient>`
          : `<radialGradient id="${id}" gradientUnits="userSpaceOnUse" fx="${a[0]}" fy="${a[1]}" fr="${a[2]}" cx="${a[3]}" cy="${a[4]}" r="${a[5]}" gradientTransform="${transform}">${stops}</radialGradient>`,
      );
    } else {
      const pixelated = this.s.smoothing ? "" : ' image-rendering="optimizeSpeed" style="image-rendering:pixelated"';
      this.defs.push(
        `<pattern id="${id}" patternUnits="userSpaceOnUse" width="${paint.width}" height="${paint.height}" patternTransform="${transform}">` +
          `<image width="${paint.width}" height="${paint.height}"${pixelated} href="${paint.href}"/></pattern>`,
      );
    }
    return ` ${what}="url(#${id})"${alpha < 1 ? ` ${what}-opacity="${num(alpha)}"` : ""}`;
  }

  /** @param {string} d @param {boolean} evenodd */
  #emitFill(d, evenodd) {
    this.#element(`<path d="${d}"${this.#paintAttributes("fill", this.s.fill)}${evenodd ? ' fill-rule="evenodd"' : ""}/>`);
  }

  /** @param {string} d */
  #emitStroke(d) {
    const s = this.s;
    const k = meanScale(s.m);
    let attrs = ` fill="none"${this.#paintAttributes("stroke", s.stroke)} stroke-width="${num(s.lineWidth * k)}"`;
    if (s.lineCap !== "butt") attrs += ` stroke-linecap="${s.lineCap}"`;
    if (s.lineJoin !== "miter") attrs += ` stroke-linejoin="${s.lineJoin}"`;
    else if (s.miterLimit !== 4) attrs += ` stroke-miterlimit="${num(s.miterLimit)}"`;
    if (s.dash.length && s.dash.some((v) => v > 0)) {
      attrs += ` stroke-dasharray="${s.dash.map((v) => num(v * k)).join(" ")}"`;
      if (s.dashOffset) attrs += ` stroke-dashoffset="${num(s.dashOffset * k)}"`;
    }
    this.#element(`<path d="${d}"${attrs}/>`);
  }

  /** Adds an element, inside a group clipped by the clip in force (one group for a run of
   * elements under the same clip: its user space is the figure's, whatever their own
   * transforms). @param {string} markup */
  #element(markup) {
    const clip = this.s.clip;
    if (clip !== this.openClip) {
      if (this.openClip) this.body.push("</g>");
      if (clip) this.body.push(`<g clip-path="url(#${clip})">`);
      this.openClip = clip;
    }
    this.body.push(markup);
  }

  /** The SVG document: what was drawn, on a white ground, `title` for its name.
   * @param {{ title?: string, background?: string | null }} [options] */
  toSvg({ title = "", background = "#ffffff" } = {}) {
    const [w, h] = [num(this.width), num(this.height)];
    const body = [...this.body];
    if (this.openClip) body.push("</g>");
    return [
      `<?xml version="1.0" encoding="UTF-8"?>`,
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
      title ? `<title>${escapeXml(title)}</title>` : "",
      this.defs.length ? `<defs>${this.defs.join("\n")}</defs>` : "",
      background ? `<rect width="${w}" height="${h}" fill="${escapeXml(background)}"/>` : "",
      ...body,
      `</svg>`,
      "",
    ]
      .filter((line, i, all) => line !== "" || i === all.length - 1)
      .join("\n");
  }

  /** Itself as the type the views' drawing code declares: it answers every call they make.
   * @returns {CanvasRenderingContext2D} */
  asContext2d() {
    return /** @type {CanvasRenderingContext2D} */ (/** @type {unknown} */ (this));
  }
}

/** Where the alphabetic baseline is below the line `baseline` names, for a browser whose
 * TextMetrics does not say. @param {CanvasTextBaseline} baseline @param {TextMetrics} m */
function baselineShift(baseline, m) {
  const ascent = m.fontBoundingBoxAscent ?? m.actualBoundingBoxAscent ?? 0;
  const descent = m.fontBoundingBoxDescent ?? m.actualBoundingBoxDescent ?? 0;
  if (baseline === "top" || baseline === "hanging") return ascent;
  if (baseline === "middle") return (ascent - descent) / 2;
  if (baseline === "bottom" || baseline === "ideographic") return -descent;
  return 0;
}

/** A CSS font as SVG's font attributes: "italic 600 13px system-ui, sans-serif".
 * @param {string} font */
function fontAttributes(font) {
  const m = /^\s*((?:\S+\s+)*?)(\d*\.?\d+)px(?:\s*\/\s*\S+)?\s+(.+?)\s*$/.exec(font);
  if (!m) return ` style="font: ${escapeXml(font)}"`;
  const words = m[1].trim().split(/\s+/).filter(Boolean);
  let out = ` font-family="${escapeXml(m[3])}" font-size="${num(Number(m[2]))}"`;
  for (const w of words) {
    if (/^(italic|oblique)$/i.test(w)) out += ` font-style="${w}"`;
    else if (/^(bold|bolder|lighter|\d{3})$/i.test(w)) out += ` font-weight="${w}"`;
    else if (/^small-caps$/i.test(w)) out += ` font-variant="small-caps"`;
  }
  return out;
}
