// The training view: a classifier learning live in headless Chromium.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { launch, URL_BASE } from "./browser.mjs";

const SHOTS = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

async function open(hash = "") {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${URL_BASE}/train.html${hash}`);
  await page.waitForFunction(() => window.gradscope?.ready === true, null, { polling: 50, timeout: 15000 });
  return { page, errors };
}

const steps = (page) => page.evaluate(() => Number(document.querySelector("#steps").dataset.value));

/** Pixels of the decision heatmap that are clearly orange (class 0) and clearly blue (class 1). */
function classPixels(page) {
  return page.evaluate(() => {
    const c = document.querySelector("#plot");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let orange = 0;
    let blue = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
      if (r > b + 60 && g > b) orange++;
      if (b > r + 60) blue++;
    }
    return { orange, blue };
  });
}

test("play learns two moons to 95% within 15 s, and pause stops", async () => {
  const { page, errors } = await open();
  await page.click("#play");
  const t0 = Date.now();
  await page.waitForFunction(
    () => Number(document.querySelector("#train-acc").dataset.value) >= 0.95,
    null,
    { polling: 100, timeout: 15000 },
  );
  const ms = Date.now() - t0;
  const shown = await page.textContent("#train-acc");
  assert.match(shown, /^(9[5-9]|100)\.\d%$/);
  await page.waitForTimeout(2000); // keep training: measure frames with the heatmap updating
  const frames = (await page.evaluate(() => window.gradscope.frameTimes())).sort((a, b) => a - b);
  console.log(`frame interval while training: median ${frames[frames.length >> 1].toFixed(1)} ms, 90th percentile ${frames[Math.floor(frames.length * 0.9)].toFixed(1)} ms`);
  const { orange, blue } = await classPixels(page);
  assert.ok(orange > 5000 && blue > 5000, `heatmap orange ${orange}, blue ${blue}`);
  await page.keyboard.press("Space"); // pause
  const paused = await steps(page);
  await page.waitForTimeout(600);
  assert.equal(await steps(page), paused, "the step counter moved while paused");
  console.log(`95% train accuracy after ${ms} ms; ${paused} steps when paused`);
  await page.screenshot({ path: `${SHOTS}train.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a link with nonsense loads defaults and says what it could not use", async () => {
  const { page, errors } = await open("#dataset=moons&hidden=4,x&loss=banana&learning_rate=abc&batch_size=16");
  const status = await page.textContent("#status");
  assert.match(status, /hidden/);
  assert.match(status, /loss/);
  assert.match(status, /learning_rate/);
  const config = await page.evaluate(() => window.gradscope.config);
  assert.equal(config.batch_size, 16, "the usable parts are kept");
  assert.equal(config.loss, "logistic");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a diverging run pauses, explains, and keeps the last good weights", async () => {
  const { page, errors } = await open("#loss=mse&optimizer=sgd&learning_rate=1000000");
  await page.click("#play");
  await page.waitForFunction(() => document.querySelector("#status").textContent.includes("learning rate"), null, {
    polling: 100,
    timeout: 15000,
  });
  assert.equal(await page.textContent("#play"), "▶ Play");
  assert.notEqual(await page.textContent("#train-loss"), "NaN");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the configuration is in the URL and a link reproduces it", async () => {
  const { page } = await open();
  await page.selectOption("#dataset", "circles");
  await page.click("#add-layer");
  await page.waitForTimeout(300);
  const hash = new URL(page.url()).hash;
  const { page: p2, errors } = await open(hash);
  const config = await p2.evaluate(() => window.gradscope.config);
  assert.equal(config.dataset, "circles");
  assert.deepEqual(config.hidden, [8, 8, 4]);
  assert.deepEqual(errors, []);
  await Promise.all([page.close(), p2.close()]);
});

test("clicking the plot adds points", async () => {
  const { page, errors } = await open();
  await page.click("#clear");
  assert.deepEqual(await page.evaluate(() => window.gradscope.labels()), []);
  const box = await page.locator("#plot").boundingBox();
  await page.mouse.click(box.x + box.width * 0.25, box.y + box.height * 0.25);
  await page.keyboard.down("Shift");
  await page.mouse.click(box.x + box.width * 0.75, box.y + box.height * 0.75);
  await page.keyboard.up("Shift");
  // A click adds the chosen class (0), a shift-click the other one.
  assert.deepEqual(await page.evaluate(() => window.gradscope.labels()), [0, 1]);
  await page.click("#step-once");
  assert.equal(await steps(page), 1);
  assert.deepEqual(errors, []);
  await page.close();
});
