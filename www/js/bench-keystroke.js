// @ts-check
// The benchmark page's "keystroke to redrawn graph": the playground itself, in a frame the
// size of a desktop window, timed as a person typing into a program (issue 12 §6). What
// is timed is whatever the page does on a keystroke: parse, run, differentiate, lay out
// and draw, including drawing long loops collapsed once the graph view does that.

import { el } from "./dom.js";
import { RECURRENT_CELL } from "./presets.js";
import { median } from "./bench-measure.js";

/**
 * One program's keystrokes: medians in ms of the input handler and of the time to the
 * next rendered frame, that time in 60 Hz frames, and the graph's node count.
 * @typedef {{ workload: string, nodes: number, sync_ms: number, frame_ms: number, frames: number, samples: number }} KeystrokeRow
 */

/** The programs typed into: the preset's recurrent cell, and a long unrolled one; each
 * with an edit that changes its graph (the loop count), beside the trailing space that
 * does not (the page then keeps its layout and only redraws the numbers). */
export const KEYSTROKE_PROGRAMS = [
  { name: "the recurrent cell, 4 steps, 20×20 weights", text: RECURRENT_CELL, edit: ["range(4)", "range(5)"] },
  {
    name: "a 64×64 cell unrolled 200 times",
    text: "seed(0)\nW = randn(64, 64)\nb = randn(64, 1)\nh = randn(64, 1)\nfor t in range(200):\n    h = tanh(W @ h + b)\nL = sum(h)",
    edit: ["range(200)", "range(199)"],
  },
];

const FRAME_MS = 1000 / 60;


/** Resolves once `ready()` holds, checking every 50 ms, or rejects after `ms`.
 * @param {() => boolean} ready @param {number} ms @param {string} what @returns {Promise<void>} */
function until(ready, ms, what) {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (ready()) resolve();
      else if (performance.now() - start > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 50);
    };
    check();
  });
}

/** One keystroke into the playground's box: its text set and an `input` event sent, as
 * typing does; ms until the page's handler returned, and until the next frame rendered.
 * @param {Window & typeof globalThis} win @param {HTMLTextAreaElement} box @param {string} text
 * @returns {Promise<{ sync: number, frame: number }>} */
function keystroke(win, box, text) {
  return new Promise((resolve) => {
    box.value = text;
    const t0 = win.performance.now();
    box.dispatchEvent(new win.Event("input", { bubbles: true }));
    const sync = win.performance.now() - t0;
    win.requestAnimationFrame(() => {
      // A message posted from the frame's callback is handled after that frame's style,
      // layout and paint: the graph is on screen by then.
      const channel = new win.MessageChannel();
      channel.port1.onmessage = () => resolve({ sync, frame: win.performance.now() - t0 });
      channel.port2.postMessage(null);
    });
  });
}

/** Runs the section: appends its heading, method, frame and table to `report`, and
 * returns a row per program. `samples` timed keystrokes follow `warmup` untimed ones.
 * @param {HTMLElement} report @param {{ samples?: number, warmup?: number }} [options]
 * @returns {Promise<KeystrokeRow[]>} */
export async function keystrokes(report, { samples = 21, warmup = 5 } = {}) {
  const frame = el("iframe", { src: "index.html", title: "the playground, being typed into" });
  frame.className = "keystroke-frame";
  const head = ["program", "nodes", "handler ms", "to next frame ms", "frames (÷16.7)"];
  const table = el("table", {}, el("tr", {}, ...head.map((h) => el("th", { textContent: h }))));
  report.append(
    el("h2", { textContent: "Playground: keystroke to redrawn graph" }),
    el("p", {
      textContent:
        "How this is measured: the playground (index.html) runs in the frame below, 1280×800 like a desktop window and " +
        "drawn at a quarter of its size (on screen, so its frames are not throttled). Each program is typed into the box " +
        "once; then a keystroke sets the box to the same text with a trailing space added or removed (the same graph: " +
        "the page keeps its layout and redraws the numbers), or with the loop count changed back and forth (another " +
        "graph: laid out again, groups chosen again), and sends an input event, as typing does. 'handler' is the time until the page's input handler returns (parse, run, differentiate, " +
        "lay out, draw the canvas); 'to next frame' is the time until the next frame has been rendered (a " +
        `requestAnimationFrame callback, then a message posted from it, handled after that frame's paint). Medians of ${samples} ` +
        `keystrokes after ${warmup} untimed ones; frames are the latter over 16.7 ms, one frame at 60 Hz.`,
    }),
    el("div", { className: "keystroke-window" }, frame),
    table,
  );
  await new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  const win = /** @type {Window & typeof globalThis} */ (frame.contentWindow);
  /** @returns {{ ready?: boolean, nodes?: number, reading?: number }} */
  const probe = () => /** @type {{ gradscope?: { ready?: boolean, nodes?: number, reading?: number } }} */ (/** @type {unknown} */ (win)).gradscope ?? {};
  await until(() => probe().ready === true, 30_000, "the playground to start");
  const box = /** @type {HTMLTextAreaElement} */ (win.document.querySelector("#expr"));
  /** @type {KeystrokeRow[]} */
  const rows = [];
  const variants = KEYSTROKE_PROGRAMS.flatMap((program) => [
    { program, what: "a trailing space, same graph", other: `${program.text} ` },
    { program, what: `${program.edit[0]} ↔ ${program.edit[1]}, another graph`, other: program.text.replace(program.edit[0], program.edit[1]) },
  ]);
  for (const { program, what, other } of variants) {
    await keystroke(win, box, program.text);
    // The first program waits for the program reader's package (programs.js), untimed.
    await until(() => probe().reading === 0, 30_000, "the program reader to load");
    const error = win.document.querySelector("#expr-error");
    if (error instanceof win.HTMLElement && !error.hidden) throw new Error(`${program.name} did not run: ${error.textContent}`);
    const sync = [];
    const toFrame = [];
    for (let i = 0; i < warmup + samples; i++) {
      const t = await keystroke(win, box, i % 2 ? program.text : other);
      if (i < warmup) continue;
      sync.push(t.sync);
      toFrame.push(t.frame);
    }
    const row = {
      workload: `keystroke → redrawn graph: ${program.name} (${what})`,
      nodes: probe().nodes ?? 0,
      sync_ms: median(sync),
      frame_ms: median(toFrame),
      frames: median(toFrame) / FRAME_MS,
      samples,
    };
    rows.push(row);
    const cells = [`${program.name} (${what})`, String(row.nodes), row.sync_ms.toFixed(1), row.frame_ms.toFixed(1), row.frames.toFixed(1)];
    table.append(el("tr", {}, ...cells.map((text) => el("td", { textContent: text }))));
  }
  return rows;
}

/** Whether the page was asked for this section alone (`?only=keystroke`), and its counts. */
export function keystrokeOptions() {
  const q = new URLSearchParams(location.search);
  /** @param {string} name @param {number} fallback */
  const count = (name, fallback) => {
    const n = Number(q.get(name));
    return Number.isInteger(n) && n > 0 ? n : fallback;
  };
  return { only: q.get("only") === "keystroke", samples: count("samples", 21), warmup: count("warmup", 5) };
}
