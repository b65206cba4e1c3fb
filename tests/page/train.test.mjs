// The training view: a classifier learning live in headless Chromium.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, usePlayground } from "./playground-page.mjs";

const { openTraining, openPath } = usePlayground();
const open = (hash = "") => openTraining(hash, 1400, 900);

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
  assert.match(status, /Hidden layers “4,x”/);
  assert.match(status, /Loss “banana”/);
  assert.match(status, /Learning rate “abc”/);
  const config = await page.evaluate(() => window.gradscope.config);
  assert.equal(config.batch_size, 16, "the usable parts are kept");
  assert.equal(config.loss, "logistic");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a diverging run pauses, explains, and keeps the last good weights", async () => {
  const { page, errors } = await open("#loss=mse&optimizer=sgd&learning_rate=10");
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

/** Steps taken one click at a time, so a test knows the step count. */
async function stepTimes(page, n) {
  for (let i = 0; i < n; i++) await page.click("#step-once");
}

test("issue 9.10: a choice that cannot go with the classes is refused with the reason and a way out, and the run is kept", async () => {
  const { page, errors } = await open(); // two moons, 2 classes, logistic
  await stepTimes(page, 3);
  // The impossible option says why before it is picked.
  assert.match(await page.locator("#classes option").nth(1).textContent(), /^3 \(not with two moons, logistic \(one logit\)\)$/);
  await page.selectOption("#classes", "3");
  const status = await page.textContent("#status");
  assert.match(status, /two moons has 2 classes only/);
  assert.match(status, /logistic \(one logit\) loss is for 2 classes only/);
  assert.equal(await steps(page), 3, "the run was not wiped");
  assert.equal(await page.inputValue("#classes"), "2", "the control shows the setup still in use");
  // The way out: a button for each nearest setup that works.
  const ways = await page.locator("#status button").allTextContents();
  assert.deepEqual(ways, [
    "use Gaussian blobs, 3 classes, softmax cross-entropy",
    "use spiral, 3 classes, softmax cross-entropy",
  ]);
  await page.click("#status button >> text=spiral");
  const config = await page.evaluate(() => window.gradscope.config);
  assert.deepEqual([config.dataset, config.classes, config.loss], ["spiral", 3, "softmax_cross_entropy"]);
  assert.equal(await steps(page), 0);
  assert.match(await page.textContent("#status"), /started again from step 0/);

  // With 3 classes, a one-logit loss is refused the same way.
  await stepTimes(page, 2);
  assert.match(await page.textContent("#loss option[value='hinge']"), /2 classes only/);
  await page.selectOption("#loss", "hinge");
  assert.match(await page.textContent("#status"), /hinge \(max-margin\) loss is for 2 classes only/);
  assert.equal(await steps(page), 2);
  assert.equal(await page.inputValue("#loss"), "softmax_cross_entropy");
  assert.deepEqual(await page.locator("#status button").allTextContents(), ["use 2 classes, hinge (max-margin)"]);
  await page.screenshot({ path: `${SHOTS}train-conflict.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("issue 9.11: regularisation, its rate, batch size, optimiser, momentum, learning rate and noise change live; other changes say they restart", async () => {
  const { page, errors } = await open();
  await stepTimes(page, 4);
  const live = [
    ["#regularization", "l2"],
    ["#lambda", "0.01"],
    ["#batch-size", "64"],
    ["#optimizer", "momentum"],
    ["#momentum", "0.5"],
    ["#learning-rate", "0.1"],
  ];
  for (const [sel, value] of live) {
    await page.selectOption(sel, value);
    assert.equal(await steps(page), 4, `${sel} = ${value} kept the run`);
    assert.match(await page.textContent("#status"), /From step 4 on: .*the same weights/);
  }
  await page.selectOption("#optimizer", "adam");
  assert.match(await page.textContent("#status"), /Adam starts from zero moments/);
  await page.$eval("#noise", (n) => {
    n.value = "0.3";
    n.dispatchEvent(new Event("change"));
  });
  assert.equal(await steps(page), 4);
  assert.match(await page.textContent("#status"), /drawn again with the new noise/);
  const config = await page.evaluate(() => window.gradscope.config);
  assert.deepEqual(
    [config.regularization, config.lambda, config.batch_size, config.optimizer, config.momentum, config.learning_rate, config.noise],
    ["l2", 0.01, 64, "adam", 0.5, 0.1, 0.3],
  );
  await stepTimes(page, 1);
  assert.equal(await steps(page), 5, "training goes on from the same step");
  // A change that needs a new network says so.
  await page.selectOption("#dataset", "circles");
  assert.equal(await steps(page), 0);
  assert.match(await page.textContent("#status"), /started again from step 0: changing Dataset needs new points/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("issue 9.12: keyboard focus stays on a layer's + and activation after they rebuild the controls", async () => {
  const { page, errors } = await open();
  // Which control has the focus: "layer 2 +", "layer 1 select", or the tag outside them.
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    const box = a.closest(".layer-box");
    if (!box) return a.tagName;
    return `layer ${[...box.parentNode.children].indexOf(box) + 1} ${a.tagName === "SELECT" ? "select" : a.textContent}`;
  });
  await page.focus("#layer-controls .layer-box:nth-child(2) button:last-of-type");
  assert.equal(await focused(), "layer 2 +");
  await page.keyboard.press("Enter");
  assert.deepEqual((await page.evaluate(() => window.gradscope.config)).hidden, [8, 9]);
  assert.equal(await focused(), "layer 2 +");
  // The next Space presses the same button again rather than starting training.
  await page.keyboard.press("Space");
  assert.deepEqual((await page.evaluate(() => window.gradscope.config)).hidden, [8, 10]);
  assert.equal(await page.textContent("#play"), "▶ Play");
  await page.focus("#layer-controls .layer-box:nth-child(1) select");
  await page.keyboard.press("ArrowDown"); // tanh → relu
  assert.deepEqual((await page.evaluate(() => window.gradscope.config)).activations, ["relu", "tanh"]);
  assert.equal(await focused(), "layer 1 select");
  assert.deepEqual(errors, []);
  await page.close();
});

/** How many dark (train-curve) pixels the loss curve has in its rightmost `width` columns. */
function curveEnd(page, width) {
  return page.evaluate((width) => {
    const c = document.querySelector("#curves");
    const d = c.getContext("2d").getImageData(c.width - width, 0, width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && d[i] < 80 && d[i + 1] < 80 && d[i + 2] < 80) n++;
    return n;
  }, width);
}

test("issue 9.13: a loss of exactly 0 stays on the curve, and an empty set reads 'no points'", async () => {
  // Separable blobs and a linear classifier with hinge loss: the loss reaches exactly 0.
  const { page, errors } = await open("#dataset=blobs&noise=0&loss=hinge&hidden=&optimizer=sgd&learning_rate=0.1&batch_size=1000&points=100&test_fraction=0");
  await page.click("#play");
  await page.waitForFunction(() => document.querySelector("#train-loss").textContent === "0", null, { polling: 100, timeout: 10000 });
  await page.waitForTimeout(500); // a stretch of zeros at the end of the curve
  await page.click("#play");
  assert.ok((await curveEnd(page, 12)) > 3, "the train curve reaches the right end, at 0");
  await page.screenshot({ path: `${SHOTS}train-zero-loss.png`, clip: await page.locator("#curves").boundingBox() });
  await page.click("#clear");
  for (const id of ["#train-loss", "#train-acc", "#test-loss", "#test-acc"]) assert.equal(await page.textContent(id), "no points", id);
  assert.deepEqual(errors, []);
  await page.close();
});

test("issue 9.14: every field of a link is checked against its control, and refusals name the control", async () => {
  const longSeed = "7".repeat(200_000);
  const { page, errors } = await open(`#hidden=2.5&seed=${longSeed}&momentum=5&features=x1,x1,x1&test_fraction=2&points=300&batch_size=8.5&loss=hinge&classes=3&dataset=spiral`);
  const status = await page.textContent("#status");
  for (const label of ["Hidden layers “2.5”", "Seed (Regenerate) “777777777777… (200000 characters)”", "Momentum μ “5”", "Features “x1,x1,x1”", "Test points “2”", "Batch size “8.5”", "Classes “3”"]) {
    assert.ok(status.includes(label), `${label} in: ${status}`);
  }
  assert.doesNotMatch(status, /test_fraction|batch_size/);
  assert.ok(status.length < 1500, "a long value is not repeated in full");
  const config = await page.evaluate(() => window.gradscope.config);
  const defaults = await page.evaluate(() => window.gradscope.defaults);
  assert.equal(config.momentum, defaults.momentum);
  assert.deepEqual(config.features, defaults.features);
  assert.deepEqual(config.hidden, defaults.hidden);
  assert.equal(config.seed, defaults.seed);
  // The usable parts are kept: 300 points, hinge on spiral with 2 classes.
  assert.deepEqual([config.points, config.loss, config.dataset, config.classes], [300, "hinge", "spiral", 2]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("issue 9.16: the Noise and Test points readouts follow the slider while it moves", async () => {
  const { page, errors } = await open();
  const slide = (sel, value) => page.$eval(sel, (n, value) => {
    n.value = value;
    n.dispatchEvent(new Event("input")); // dragging, not yet released
  }, value);
  await slide("#noise", "0.37");
  assert.equal(await page.textContent("#noise-out"), "0.37");
  await slide("#test-fraction", "0.5");
  assert.equal(await page.textContent("#test-out"), "50%");
  assert.deepEqual(errors, []);
  await page.close();
});

test("issue 9.16: at 420 px wide neither page's header overflows sideways", async () => {
  for (const path of ["train.html", "index.html"]) {
    const { page } = await openPath(path, { width: 420, height: 800 });
    const overflow = await page.evaluate(() => {
      const header = document.querySelector("header");
      const right = Math.max(...[...header.querySelectorAll("*")].map((e) => e.getBoundingClientRect().right));
      return { scroll: header.scrollWidth - header.clientWidth, right };
    });
    assert.equal(overflow.scroll, 0, `${path}: the header scrolls sideways`);
    assert.ok(overflow.right <= 420, `${path}: the header reaches ${overflow.right} px`);
    if (path === "train.html") {
      await page.waitForFunction(() => window.gradscope?.ready === true, null, { polling: 50, timeout: 15000 });
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 420), "the training page fits 420 px");
    }
    await page.screenshot({ path: `${SHOTS}${path.replace(".html", "")}-420.png` });
    await page.close();
  }
});
