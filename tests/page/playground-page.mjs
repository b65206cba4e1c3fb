// What every page test file needs: one headless Chromium for the file, a fresh page per
// test that is ready when the page says so (`window.gradscope.ready`: the playground's
// first graph drawn, the training page's first run built) and records any page error or
// dialog, the examples menu, and where screenshots go.

import { before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { launch, URL_BASE } from "./browser.mjs";

export const SHOTS = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

/** Registers the file's browser (launched before its tests, closed after) and returns how
 * to open pages in it. */
export function usePlayground() {
  /** @type {import("playwright-core").Browser | undefined} */
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  /** A fresh page at `path` (a page of www/, with a fragment if any), waited for until it
   * is ready if it is the playground or the training page. `errors` collects page errors
   * and dialogs. `colorScheme` is the system setting the page sees (GRADSCOPE_COLOR_SCHEME
   * for a whole run, to audit the dark theme); `touch` makes it a touch screen.
   * @param {string} [path] @param {{ width?: number, height?: number, colorScheme?: "light" | "dark", touch?: boolean }} [viewport] */
  async function openPath(path = "index.html", { width = 1280, height = 800, colorScheme, touch = false } = {}) {
    if (!browser) throw new Error("the browser is not launched yet");
    const scheme = colorScheme ?? /** @type {"light" | "dark" | undefined} */ (process.env.GRADSCOPE_COLOR_SCHEME || undefined);
    const page = await browser.newPage({ viewport: { width, height }, colorScheme: scheme ?? "light", hasTouch: touch });
    /** @type {string[]} */
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => {
      errors.push(`unexpected dialog: ${d.message()}`);
      d.dismiss();
    });
    await page.goto(`${URL_BASE}/${path}`);
    if (path.startsWith("index.html") || path.startsWith("train.html")) {
      await page.waitForFunction(() => window.gradscope?.ready === true, null, { polling: 50, timeout: 15000 });
    }
    return { page, errors };
  }

  /** The tour at fragment `hash`, recording failed requests and responses of 400 or more
   * in any of its frames in `failed` (its steps' frames are waited for with `tourFrame`).
   * @param {string} [hash] @param {Parameters<typeof openPath>[1]} [viewport] */
  async function openTour(hash = "", viewport = {}) {
    const opened = await openPath(`tour.html${hash}`, viewport);
    /** @type {string[]} */
    const failed = [];
    opened.page.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
    opened.page.on("response", (r) => r.status() >= 400 && failed.push(`${r.url()}: HTTP ${r.status()}`));
    return { ...opened, failed };
  }

  return {
    openPath,
    openTour,
    /** The playground at fragment `hash` ("" for none). @param {string} [hash] */
    open: (hash = "") => openPath(`index.html${hash}`),
    /** The training page at fragment `hash`, in a window `width` wide. @param {string} [hash] @param {number} [width] @param {number} [height] */
    openTraining: (hash = "", width = 1400, height = 900) => openPath(`train.html${hash}`, { width, height }),
    /** The browser itself, for a test that needs a page of its own kind. */
    browser: () => browser,
  };
}

/** The frame of the tour's step `n` (from 1) once its page is ready. */
export async function tourFrame(page, n) {
  const frame = await (await page.waitForSelector(`#tour-frame iframe[data-step="${n}"]`, { timeout: 15000 })).contentFrame();
  assert.ok(frame, `step ${n} has a frame`);
  await frame.waitForFunction(() => window.gradscope?.ready === true, null, { polling: 50, timeout: 15000 });
  return frame;
}

/** Once the playground (a page or a frame) has read the box's text: the first text that
 * is not one expression waits for the program reader's package (www/js/programs.js). */
export async function settled(page) {
  await page.waitForFunction(() => window.gradscope.reading === 0, null, { polling: 20, timeout: 15000 });
}

/** Puts `text` in the playground's box, as a paste does, and waits until it is read. */
export async function typeText(page, text) {
  await page.fill("#expr", text);
  await settled(page);
}

/** Loads the example whose name contains `words`. */
export async function preset(page, words) {
  const value = await page.$eval("#preset", (s, w) => [...s.options].find((o) => o.textContent.includes(w))?.value, words);
  assert.ok(value, `an example named like "${words}"`);
  await page.selectOption("#preset", value);
  await settled(page);
}

/** Where the training page's data point `i` is drawn on its plot, in page pixels. */
export function pointOnPage(page, i) {
  return page.evaluate((i) => {
    const r = document.querySelector("#plot").getBoundingClientRect();
    const e = window.gradscope.extent();
    const [x, y] = window.gradscope.points()[i];
    return { x: r.left + ((x + e) / (2 * e)) * r.width, y: r.top + ((e - y) / (2 * e)) * r.height };
  }, i);
}
