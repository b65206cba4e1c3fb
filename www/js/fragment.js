// @ts-check
// The playground's state in the URL fragment, so a link reproduces the view:
//
//   #e=<expression>&<variable>=<value>…&v.<tensor>=<JSON array>…&fixed=x1,x2&tangent=x1&rate=0.05
//     &view.pass=backward&view.step=4&view.node=relu
//
// The `view.` fields say where the view stands: a pass being stepped through and how many
// of its steps are done, and the node whose panel is open (its number, or the first node
// of that op). Their dot keeps them apart from variables, as `v.` does for tensors.
//
// Every part is percent-encoded on the way out, a space as %20 and never '+', because the
// reader takes '+' literally: a hand-typed `#e=x+y` means x + y. People read and edit such
// links, so they stay plain while short; a longer one (a program of many lines) is written
//
//   #z=<base64url of the deflate-raw of the plain fragment without its '#'>
//
// which the browser's CompressionStream packs and DecompressionStream unpacks, both
// asynchronous: writing and reading a fragment return promises. A fragment is untrusted
// text: what does not read as the field it claims to be is dropped (with a note, for a
// tensor), and a compressed part that cannot be unpacked is a problem the page says, not a
// blank page.

import { clip } from "./embed-link.js";

/**
 * @typedef {object} View
 * @property {string} text the expression as typed
 * @property {[string, number][]} values each variable's value
 * @property {[string, number[] | number[][]][]} tensors each tensor leaf's entries, a vector
 *   or the rows of a matrix (finite, rectangular, at most MAX_TENSOR numbers)
 * @property {string[]} fixed variables gradient descent leaves alone
 * @property {string | null} tangentOf the forward-mode input, if one is chosen
 * @property {string} rate the gradient-descent rate as typed
 * @property {Direction | null} [pass] the pass being stepped through, if any
 * @property {number} [step] how many of its steps are done (0: none yet)
 * @property {string | null} [node] the node whose panel is open: its number, or an op
 */

/** @typedef {import("./stepper.js").Direction} Direction */

/**
 * What a fragment gave: the view, or null when it names no program; why it could not be
 * read, if its compressed part is damaged (then `view` is null); and what was left out.
 * @typedef {object} Link
 * @property {View | null} view
 * @property {string | null} problem a sentence for the person who opened the link
 * @property {string[]} notes parts dropped, each said in a sentence
 */

/** The rate the page starts with, left out of links. */
export const DEFAULT_RATE = "0.1";
/** Longer text is cut: nothing a person types, and a link must not hang the page. */
const MAX_TEXT = 100_000;
/** A plain fragment longer than this is written compressed, if that is shorter. */
export const COMPRESS_OVER = 1000;
/** What a compressed fragment may unpack to: a 100,000-character program percent-encoded
 * fits; a small link that inflates without end (a "zip bomb") stops here. */
export const MAX_UNPACKED = 1 << 20;
/** Entries of one tensor from a link: a 64×64 matrix. */
export const MAX_TENSOR = 4096;
// `z` is not among them: a link with `e` is plain, and its `z` is a variable like any other.
const FIELDS = new Set(["e", "fixed", "tangent", "rate"]);
const TENSOR = "v.";
/** The passes `view.pass` may name. @type {Direction[]} */
const PASSES = ["forward", "backward", "tangent"];
/** A step count or a node's number longer than this is no count: a broken link. */
const MAX_COUNT = 1_000_000;
const UNREADABLE = "This link's program could not be read:";

/** The plain fragment for `view`, with its leading '#'. @param {View} view */
export function plainFragment(view) {
  const enc = encodeURIComponent;
  const parts = [`e=${enc(view.text)}`];
  for (const [name, v] of view.values) parts.push(`${enc(name)}=${enc(String(v))}`);
  for (const [name, entries] of view.tensors) parts.push(`${TENSOR}${enc(name)}=${enc(JSON.stringify(entries))}`);
  if (view.fixed.length) parts.push(`fixed=${view.fixed.map(enc).join(",")}`);
  if (view.tangentOf) parts.push(`tangent=${enc(view.tangentOf)}`);
  if (view.rate !== DEFAULT_RATE) parts.push(`rate=${enc(view.rate)}`);
  if (view.pass) parts.push(`view.pass=${view.pass}`, `view.step=${view.step ?? 0}`);
  if (view.node) parts.push(`view.node=${enc(view.node)}`);
  return `#${parts.join("&")}`;
}

/** The fragment for `view`: plain, or compressed when the plain one is long. Never
 * rejects: if the browser cannot compress, the link is plain.
 * @param {View} view @returns {Promise<string>} */
export async function writeFragment(view) {
  const plain = plainFragment(view);
  if (plain.length <= COMPRESS_OVER || typeof CompressionStream === "undefined") return plain;
  try {
    const packed = `#z=${toBase64Url(await deflate(plain.slice(1)))}`;
    return packed.length < plain.length ? packed : plain;
  } catch {
    return plain;
  }
}

/** What a fragment describes. Never rejects: a damaged link is a `problem`.
 * @param {string} hash `location.hash`, with or without its '#'
 * @returns {Promise<Link>} */
export async function readFragment(hash) {
  const params = paramsOf(hash.replace(/^#/, ""));
  const packed = params.get("z");
  if (packed === undefined || params.has("e")) return readParams(params);
  try {
    const link = readParams(paramsOf(await unpack(packed)));
    if (!link.view) throw new LinkProblem("the unpacked data holds no program");
    return link;
  } catch (e) {
    const why = e instanceof LinkProblem ? e.message : "the compressed data is damaged";
    return { view: null, problem: `${UNREADABLE} ${why}.`, notes: [] };
  }
}

/** Why a compressed part could not be unpacked, in words for the page. */
class LinkProblem extends Error {}

/** The text a `z=` part packs. @param {string} packed @returns {Promise<string>} */
async function unpack(packed) {
  const bytes = fromBase64Url(packed);
  if (!bytes) throw new LinkProblem("its z= part is not base64url text (was the link cut short or changed?)");
  if (typeof DecompressionStream === "undefined") throw new LinkProblem("this browser cannot unpack compressed links");
  const unpacked = await inflate(bytes, MAX_UNPACKED);
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(unpacked);
  } catch {
    throw new LinkProblem("the unpacked data is not UTF-8 text");
  }
  return text;
}

/** Each `key=value` part, percent-decoded. Not URLSearchParams: it reads '+' as a space.
 * @param {string} query */
function paramsOf(query) {
  /** @type {Map<string, string>} */
  const params = new Map();
  for (const part of query.split("&")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    try {
      params.set(decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      // A malformed escape: ignore that part.
    }
  }
  return params;
}

/** @param {Map<string, string>} params @returns {Link} */
function readParams(params) {
  const text = params.get("e");
  if (text === undefined) return { view: null, problem: null, notes: [] };
  /** @type {string[]} */
  const notes = [];
  /** @type {[string, number][]} */
  const values = [];
  /** @type {[string, number[] | number[][]][]} */
  const tensors = [];
  for (const [key, raw] of params) {
    if (key.startsWith(TENSOR)) {
      const name = key.slice(TENSOR.length);
      const entries = tensorOf(raw);
      if (typeof entries === "string") notes.push(`The link's value for ${name || "a tensor with no name"} was left out: ${entries}.`);
      else if (name) tensors.push([name, entries]);
      continue;
    }
    if (key.startsWith("view.")) continue;
    const v = Number(raw);
    if (!FIELDS.has(key) && raw.trim() !== "" && Number.isFinite(v)) values.push([key, v]);
  }
  // Only what the link sets: a view that is not stepped reads back as it was written.
  const { pass, step, node } = placeOf(params, notes);
  const where = { ...(pass ? { pass, step } : {}), ...(node ? { node } : {}) };
  const rate = Number(params.get("rate"));
  const view = {
    text: text.slice(0, MAX_TEXT),
    values,
    tensors,
    fixed: (params.get("fixed") ?? "").split(",").filter(Boolean),
    tangentOf: params.get("tangent") ?? null,
    rate: params.has("rate") && Number.isFinite(rate) ? String(rate) : DEFAULT_RATE,
    ...where,
  };
  return { view, problem: null, notes };
}

/** Where the link's view stands (`view.pass`, `view.step`, `view.node`), each checked:
 * one that cannot be read is left out, with a note.
 * @param {Map<string, string>} params @param {string[]} notes
 * @returns {{ pass: Direction | null, step: number, node: string | null }} */
function placeOf(params, notes) {
  const said = (/** @type {string} */ raw) => `“${clip(raw)}”`;
  const rawPass = params.get("view.pass");
  const pass = PASSES.find((p) => p === rawPass?.trim().toLowerCase()) ?? null;
  if (rawPass !== undefined && !pass) notes.push(`The link's pass ${said(rawPass)} is not forward, backward or tangent: no pass is stepped through.`);
  const rawStep = params.get("view.step");
  let step = 0;
  if (rawStep !== undefined) {
    const n = /^\d{1,7}$/.test(rawStep.trim()) ? Number(rawStep) : NaN;
    if (!(n <= MAX_COUNT)) notes.push(`The link's step ${said(rawStep)} is not a count of steps: the pass starts at its beginning.`);
    else if (!pass && rawPass === undefined) notes.push("The link gives a step but no pass (view.pass): left out.");
    else step = n;
  }
  const rawNode = params.get("view.node");
  const node = rawNode === undefined ? null : rawNode.trim();
  if (node !== null && !/^(\d{1,7}|[A-Za-z_][A-Za-z0-9_]{0,30})$/.test(node)) {
    notes.push(`The link's node ${said(rawNode ?? "")} is neither a node's number nor an op's name: no node is opened.`);
    return { pass, step, node: null };
  }
  return { pass, step, node: node || null };
}

/** A tensor's entries from its JSON: a list of finite numbers, or a list of equally long
 * such lists; otherwise why not, in words.
 * @param {string} json @returns {number[] | number[][] | string} */
function tensorOf(json) {
  let value;
  try {
    value = JSON.parse(json);
  } catch {
    return "it is not JSON";
  }
  /** @param {unknown} x @returns {x is number} */
  const finite = (x) => typeof x === "number" && Number.isFinite(x); // JSON reads 1e999 as Infinity
  if (!Array.isArray(value)) return "it is not a list of numbers";
  if (value.length === 0) return "it is empty";
  if (value.every(finite)) return value.length <= MAX_TENSOR ? value : `it has more than ${MAX_TENSOR} numbers`;
  if (!value.every(Array.isArray)) return "its entries are not all finite numbers";
  const columns = value[0].length;
  if (columns === 0) return "it is empty";
  if (!value.every((row) => row.length === columns)) return "its rows have different lengths";
  if (value.some((row) => row.some(Array.isArray))) return "it has more than two dimensions";
  if (!value.every((row) => row.every(finite))) return "its entries are not all finite numbers";
  if (value.length * columns > MAX_TENSOR) return `it has more than ${MAX_TENSOR} numbers`;
  return value;
}

// ---- packing ----------------------------------------------------------------------------------

/** @param {string} text @returns {Promise<Uint8Array>} */
async function deflate(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The inflated bytes, read a chunk at a time so that more than `cap` stops the reading.
 * @param {Uint8Array<ArrayBuffer>} bytes @param {number} cap */
async function inflate(bytes, cap) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
  /** @type {Uint8Array[]} */
  const chunks = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > cap) throw new LinkProblem(`it unpacks to more than ${cap / (1 << 20)} MB`);
      chunks.push(value);
    }
  } catch (e) {
    reader.cancel().catch(() => {}); // the stream is dropped either way
    throw e instanceof LinkProblem ? e : new LinkProblem("the compressed data is damaged");
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}

/** @param {Uint8Array} bytes */
function toBase64Url(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The bytes of base64url text (padding optional), or null if it is not that.
 * @param {string} text */
function fromBase64Url(text) {
  const body = text.replace(/={1,2}$/, "");
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) return null;
  const binary = atob(body.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (body.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
