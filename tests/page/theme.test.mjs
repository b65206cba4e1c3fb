// Dark mode, the colour-blind-safe palette and phones (issue 14, §6): the theme menu
// switches and is remembered; with the system dark and "System" chosen the page and its
// canvas are dark; the legend shows the colours the edges are drawn in, in either palette;
// at 390 px wide neither page scrolls sideways; on a touch screen one finger pans the graph
// and two pinch-zoom it. Screenshots (390 × 844, light and dark) go to screenshots/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, usePlayground } from "./playground-page.mjs";

const { openPath } = usePlayground();

/** "rgb(r, g, b)" (or "rgb(r,g,b)") to [r, g, b]. @param {string} css */
const rgbOf = (css) => {
  const m = css.match(/rgba?\((\d+),\s*(\d+),\s*(\d+)/);
  assert.ok(m, `a colour: ${css}`);
  return [+m[1], +m[2], +m[3]];
};
const dist = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
const isDark = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b < 40;

/** The body's background colour as computed. */
const bodyBackground = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor).then(rgbOf);

/** The graph canvas's pixel at its CSS point (x, y) from the top left. */
const graphPixel = (page, x, y) =>
  page.evaluate(([x, y]) => {
    const c = /** @type {HTMLCanvasElement} */ (document.querySelector("#graph"));
    const dpr = window.devicePixelRatio || 1;
    return [...c.getContext("2d").getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data.slice(0, 3)];
  }, [x, y]);

/** How many of the graph canvas's pixels are within 6 of `rgb` on every channel. */
const pixelsLike = (page, rgb) =>
  page.evaluate((rgb) => {
    const c = /** @type {HTMLCanvasElement} */ (document.querySelector("#graph"));
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - rgb[0]) <= 6 && Math.abs(d[i + 1] - rgb[1]) <= 6 && Math.abs(d[i + 2] - rgb[2]) <= 6) n++;
    }
    return n;
  }, rgb);

/** The legend bar's pixels as shown on screen, one in from its left and right ends (a
 * screenshot of it, decoded in the page), and its width.
 * @returns {Promise<[number[], number[], number]>} */
async function legendEnds(page, selector = "#legend-bar") {
  const png = await page.locator(selector).screenshot();
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = new OffscreenCanvas(img.width, img.height);
    const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (c.getContext("2d"));
    ctx.drawImage(img, 0, 0);
    const y = Math.floor(img.height / 2);
    const at = (x) => [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)];
    return [at(1), at(img.width - 2), img.width];
  }, png.toString("base64"));
}

/** The colours the graph gives its largest gradient and its smallest; with `width`, the
 * colours of the gradients at the middles of a `width`-pixel bar's second and last-but-one
 * pixels (what the legend's ends should show). @param {number} [width] */
const scaleEnds = (page, width) =>
  page.evaluate((w) => {
    const s = window.gradscope.view.colorScale;
    const at = (/** @type {number} */ t) => s.color(10 ** (s.lo + t * (s.hi - s.lo)));
    return w ? [at(1.5 / w), at((w - 1.5) / w)] : [at(0), at(1)];
  }, width ?? 0).then((ends) => ends.map(rgbOf));

test("the theme menu switches the page between light and dark, and is remembered", async () => {
  const { page, errors } = await openPath("index.html", { colorScheme: "light" });
  assert.equal(await page.inputValue("#theme-choice"), "system");
  assert.equal(await page.getAttribute("html", "data-theme"), "light");
  assert.ok(!isDark(await bodyBackground(page)), "light under a light system");
  await page.selectOption("#theme-choice", "dark");
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  assert.ok(isDark(await bodyBackground(page)), "dark once Dark is chosen");
  assert.ok(isDark(await graphPixel(page, 3, 3)), "the canvas redrawn dark");
  await page.reload();
  await page.waitForFunction(() => window.gradscope?.ready === true);
  assert.equal(await page.inputValue("#theme-choice"), "dark", "remembered");
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  // The other pages read the same choice.
  await page.goto(page.url().replace("index.html", "bench.html"));
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  assert.ok(isDark(await bodyBackground(page)));
  await page.selectOption("#theme-choice", "light");
  assert.equal(await page.getAttribute("html", "data-theme"), "light");
  assert.deepEqual(errors, []);
  await page.close();
});

test("with the system dark and System chosen, every page is dark, its canvases too", async () => {
  const { page, errors } = await openPath("index.html", { colorScheme: "dark" });
  assert.equal(await page.inputValue("#theme-choice"), "system");
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  assert.ok(isDark(await bodyBackground(page)), "the body");
  // No flash of white: the theme is on <html> before <body> exists, let alone paints.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (!document.body) return;
      // @ts-ignore: a note for the test
      window.themeAtBody = document.documentElement.dataset.theme ?? "none";
      observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
  });
  await page.reload();
  await page.waitForFunction(() => window.gradscope?.ready === true);
  assert.equal(await page.evaluate(() => /** @type {any} */ (window).themeAtBody), "dark", "set before the body is parsed");
  assert.ok(isDark(await graphPixel(page, 3, 3)), "the graph's background on the canvas");
  // Light chosen over a dark system wins.
  await page.selectOption("#theme-choice", "light");
  assert.ok(!isDark(await graphPixel(page, 3, 3)), "the canvas redrawn light");
  await page.selectOption("#theme-choice", "system");
  assert.ok(isDark(await graphPixel(page, 3, 3)));
  assert.deepEqual(errors, []);

  const { page: train, errors: trainErrors } = await openPath("train.html", { width: 1400, height: 900, colorScheme: "dark" });
  assert.ok(isDark(await bodyBackground(train)));
  // The plot's field fades to the background near the boundary, and the loss chart is on it.
  const corner = await train.evaluate(() => {
    const c = /** @type {HTMLCanvasElement} */ (document.querySelector("#network"));
    return [...c.getContext("2d").getImageData(2, 2, 1, 1).data];
  });
  assert.ok(corner[3] === 0 || isDark(corner), `the network view's background: ${corner}`);
  assert.deepEqual(trainErrors, []);
  await page.close();
  await train.close();
});

test("the legend shows the colours the edges are drawn in, light, dark and colour-blind safe", async () => {
  const { page, errors } = await openPath("index.html", { colorScheme: "light" });
  for (const [theme, safe] of [["light", false], ["dark", false], ["dark", true], ["light", true]]) {
    await page.selectOption("#theme-choice", theme);
    await page.setChecked("#palette-safe", safe);
    const what = `${theme}${safe ? ", colour-blind safe" : ""}`;
    const [, hi] = await scaleEnds(page);
    const [left, right, width] = await legendEnds(page);
    const [nearLo, nearHi] = await scaleEnds(page, width);
    assert.ok(dist(left, nearLo) <= 3, `${what}: the legend's left end ${left} is the smallest gradients' colour ${nearLo}`);
    assert.ok(dist(right, nearHi) <= 3, `${what}: the legend's right end ${right} is the largest gradients' colour ${nearHi}`);
    // The edge that carries the largest gradient (5, x1 into ×) is drawn in that colour.
    assert.ok((await pixelsLike(page, hi)) >= 30, `${what}: the largest gradient's edge is drawn in ${hi}`);
  }
  // The two palettes differ where it matters: the top of the scale.
  await page.setChecked("#palette-safe", false);
  const usual = (await scaleEnds(page))[1];
  await page.setChecked("#palette-safe", true);
  const safe = (await scaleEnds(page))[1];
  assert.ok(dist(usual, safe) > 40, `the palettes differ: ${usual} and ${safe}`);
  assert.deepEqual(safe, [68, 1, 84], "viridis's end on a light page");
  // The tensor scale's bar follows the palette too: orange, not red, for positive.
  const heat = await page.evaluate(() => /** @type {HTMLElement} */ (document.querySelector(".heat-bar")).style.background);
  assert.match(heat, /rgb\(127, 59, 8\)/);
  await page.reload();
  await page.waitForFunction(() => window.gradscope?.ready === true);
  assert.equal(await page.isChecked("#palette-safe"), true, "remembered");
  assert.equal(await page.getAttribute("html", "data-palette"), "safe");
  assert.deepEqual(errors, []);
  await page.close();
});

for (const scheme of /** @type {const} */ (["light", "dark"])) {
  for (const path of ["index.html", "train.html"]) {
    test(`${path} at 390 × 844 (${scheme}): no sideways scrolling`, async () => {
      const { page, errors } = await openPath(path, { width: 390, height: 844, colorScheme: scheme, touch: true });
      const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0);
      assert.ok(width <= 390, `scrollWidth ${width}`);
      const name = path.replace(".html", "");
      await page.screenshot({ path: `${SHOTS}phone-${name}-${scheme}.png` });
      if (path === "index.html") {
        await page.locator("#graph").scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${SHOTS}phone-${name}-graph-${scheme}.png` });
      }
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
}

test("on a touch screen, one finger pans the graph and two pinch-zoom it", async () => {
  const { page, errors } = await openPath("index.html", { width: 390, height: 844, touch: true });
  await page.locator("#graph").scrollIntoViewIfNeeded();
  const box = await page.locator("#graph").boundingBox();
  assert.ok(box);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const cdp = await page.context().newCDPSession(page);
  /** @param {string} type @param {[number, number][]} points */
  const touch = (type, points) =>
    cdp.send("Input.dispatchTouchEvent", { type, touchPoints: points.map(([x, y], id) => ({ x, y, id })) });
  const view = () => page.evaluate(() => ({ ...window.gradscope.view.view }));

  // One finger: the graph moves with it, by as much.
  const before = await view();
  await touch("touchStart", [[cx, cy]]);
  for (let k = 1; k <= 6; k++) await touch("touchMove", [[cx + 10 * k, cy + 5 * k]]);
  await touch("touchEnd", []);
  const panned = await view();
  assert.ok(Math.abs(panned.tx - before.tx - 60) <= 2, `panned right by 60: ${before.tx} → ${panned.tx}`);
  assert.ok(Math.abs(panned.ty - before.ty - 30) <= 2, `and down by 30: ${before.ty} → ${panned.ty}`);
  assert.equal(panned.scale, before.scale, "one finger does not zoom");

  // Two fingers apart, four times as far: four times the zoom, about their middle.
  const worldAtMiddle = (v) => [(cx - box.x - v.tx) / v.scale, (cy - box.y - v.ty) / v.scale];
  const held = worldAtMiddle(panned);
  await touch("touchStart", [[cx - 20, cy], [cx + 20, cy]]);
  for (let k = 1; k <= 6; k++) await touch("touchMove", [[cx - 20 - 10 * k, cy], [cx + 20 + 10 * k, cy]]);
  await touch("touchEnd", []);
  const zoomed = await view();
  assert.ok(Math.abs(zoomed.scale / panned.scale - 4) < 0.05 || zoomed.scale === 6, `zoomed ×4: ${panned.scale} → ${zoomed.scale}`);
  const stays = worldAtMiddle(zoomed);
  assert.ok(Math.abs(stays[0] - held[0]) < 1 && Math.abs(stays[1] - held[1]) < 1, `the point between the fingers stays: ${held} → ${stays}`);
  // And pinching in zooms out again.
  await touch("touchStart", [[cx - 80, cy], [cx + 80, cy]]);
  for (let k = 1; k <= 6; k++) await touch("touchMove", [[cx - 80 + 10 * k, cy], [cx + 80 - 10 * k, cy]]);
  await touch("touchEnd", []);
  const back = await view();
  assert.ok(back.scale < zoomed.scale * 0.3, `zoomed out: ${zoomed.scale} → ${back.scale}`);
  await page.screenshot({ path: `${SHOTS}phone-index-pinched.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a figure exported from a dark page is drawn in the light theme's colours, and the page stays dark", async () => {
  const { page, errors } = await openPath("index.html", { colorScheme: "dark" });
  await page.click("#graph-export > summary");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click('#graph-export button[data-figure="graph"][data-format="svg"]'),
  ]);
  const { readFileSync } = await import("node:fs");
  const svg = readFileSync(await download.path(), "utf8").toLowerCase();
  for (const dark of ["#111418", "rgb(17,20,24)", "#1a1f26", "rgb(26,31,38)", "#e6e8eb"]) assert.ok(!svg.includes(dark), `no dark-theme colour ${dark} in the figure`);
  assert.ok(svg.includes("#e3efff") || svg.includes("rgb(227,239,255)"), "an input's light fill");
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  assert.ok(isDark(await graphPixel(page, 3, 3)), "the canvas still dark");
  assert.deepEqual(errors, []);
  await page.close();
});
