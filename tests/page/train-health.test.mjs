// The health of the gradient on the training page (issue 13 §4): each layer's gradient
// size over training, the vanishing-gradient preset beside the same network with ReLU,
// dead ReLUs flagged, and each layer's parameter count.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, usePlayground } from "./playground-page.mjs";

const { openTraining } = usePlayground();
const open = (hash = "") => openTraining(hash, 1400, 1000);

/** Trains the preset `name` for at least `steps` steps, then pauses; returns the median
 * over the last samples (one a rendered frame) of each layer's charted gradient norm. */
async function trainPreset(page, name, steps) {
  await page.selectOption("#preset", name);
  await page.evaluate(() => window.gradscope.play());
  await page.waitForFunction((n) => Number(document.querySelector("#steps").dataset.value) >= n, steps, { polling: 100, timeout: 60000 });
  await page.evaluate(() => window.gradscope.pause());
  const health = await page.evaluate(() => window.gradscope.health());
  assert.ok(health.length >= 5, `${health.length} samples charted`);
  const recent = health.slice(-10);
  const layers = recent[0].norms.length;
  return Array.from({ length: layers }, (_, l) => {
    const xs = recent.map((s) => s.norms[l]).sort((a, b) => a - b);
    return xs[xs.length >> 1];
  });
}

test("six narrow sigmoid layers: the first layer's gradient is orders of magnitude below the last's, and far below ReLU's", async () => {
  const { page, errors } = await open();
  const sigmoid = await trainPreset(page, "vanishing", 1500);
  assert.equal(sigmoid.length, 7, "six hidden layers and the output layer");
  // σ′ ≤ ¼ at every layer on the way back: 6 layers shrink the gradient by up to 4⁶.
  assert.ok(sigmoid[0] * 100 < sigmoid[6], `sigmoid: ‖∂L/∂W1‖ ${sigmoid[0]} against ‖∂L/∂W7‖ ${sigmoid[6]}`);
  await page.locator(".panel[aria-label=Output]").screenshot({ path: `${SHOTS}train-health-sigmoid.png` });
  const relu = await trainPreset(page, "flowing", 1500);
  assert.ok(relu[0] > 100 * sigmoid[0], `relu's first layer ${relu[0]} against sigmoid's ${sigmoid[0]}`);
  await page.locator(".panel[aria-label=Output]").screenshot({ path: `${SHOTS}train-health-relu.png` });
  // The chart has drawn: pixels in the layers' colours.
  const drawn = await page.evaluate(() => {
    const c = document.querySelector("#grad-health");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let coloured = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 80) coloured++;
    return coloured;
  });
  assert.ok(drawn > 200, `${drawn} coloured pixels in the chart`);
  assert.equal(await page.locator("#grad-health-key .layer-key").count(), 7);
  assert.deepEqual(errors, []);
  await page.close();
});

test("dead ReLUs are counted per layer in words, and a tanh network has none", async () => {
  const { page, errors } = await open();
  await trainPreset(page, "flowing", 800);
  const dead = await page.evaluate(() => window.gradscope.dead());
  const text = await page.textContent("#dead-relus");
  const said = dead.flatMap((d, i) => (d.length ? [`layer ${i + 1}: ${d.length} of 4`] : []));
  if (said.length) {
    for (const s of said) assert.ok(text.includes(s), `"${s}" in "${text}"`);
  } else {
    assert.equal(await page.isHidden("#dead-relus"), true);
  }
  // The default network is tanh: nothing can die.
  await page.selectOption("#preset", "spiral3");
  await page.selectOption("#preset", "micrograd");
  const { page: tanh } = await open();
  await tanh.evaluate(() => window.gradscope.play());
  await tanh.waitForFunction(() => Number(document.querySelector("#steps").dataset.value) >= 200, null, { timeout: 30000 });
  await tanh.evaluate(() => window.gradscope.pause());
  assert.deepEqual(await tanh.evaluate(() => window.gradscope.dead()), [[], []]);
  assert.equal(await tanh.isHidden("#dead-relus"), true);
  assert.deepEqual(errors, []);
  await Promise.all([page.close(), tanh.close()]);
});

test("each layer's parameter count and the total are shown, as the lecture asks", async () => {
  const { page, errors } = await open();
  await page.waitForFunction(() => document.querySelector("#param-counts").textContent !== "");
  const config = await page.evaluate(() => window.gradscope.config);
  const widths = [config.features.length, ...config.hidden, 1];
  const counts = widths.slice(1).map((out, i) => widths[i] * out + out);
  const text = await page.textContent("#param-counts");
  counts.forEach((c, i) => assert.ok(text.includes(`W${i + 1} ${widths[i]}×${widths[i + 1]} + b ${widths[i + 1]} = ${c}`), text));
  assert.ok(text.includes(`${counts.reduce((a, b) => a + b)} in all`), text);
  assert.deepEqual(errors, []);
  await page.close();
});
