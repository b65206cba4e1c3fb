// The network as a program: select a point on the training page's plot, open the network's
// forward and backward pass at it in the playground, and find there the gradients the
// training page computes for that point (Trainer.gradientAt).

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, usePlayground, pointOnPage } from "./playground-page.mjs";

const { openTraining, openPath } = usePlayground();

/** The training page, ready, with window.open stubbed (the tab the button opens is read from its link instead). */
async function open(hash = "") {
  const opened = await openTraining(hash, 1400, 1000);
  await opened.page.evaluate(() => {
    window.open = () => null;
  });
  return opened;
}

const steps = (page) => page.evaluate(() => Number(document.querySelector("#steps").dataset.value));

/** Trains at least `n` steps, then pauses. */
async function train(page, n) {
  await page.evaluate(() => window.gradscope.play());
  await page.waitForFunction((n) => Number(document.querySelector("#steps").dataset.value) >= n, n, { polling: 50, timeout: 20000 });
  await page.evaluate(() => window.gradscope.pause());
}


/** A point with no other point within 10 px, so that a click on it is unambiguous; of
 * those, the one with the largest loss. (At a point the network is sure of, the gradient is
 * a small difference of probabilities near 1, which float32 holds to a few digits only:
 * there the training page's f32 gradient is too coarse to compare to 1e-4.) */
async function loneTrainPoint(page) {
  return page.evaluate(() => {
    const r = document.querySelector("#plot").getBoundingClientRect();
    const e = window.gradscope.extent();
    const pts = window.gradscope.points();
    const px = pts.map(([x, y]) => [((x + e) / (2 * e)) * r.width, ((e - y) / (2 * e)) * r.height]);
    let best = 0;
    let bestLoss = -Infinity;
    for (let i = 0; i < pts.length; i++) {
      const lone = px.every(([x, y], j) => j === i || (x - px[i][0]) ** 2 + (y - px[i][1]) ** 2 > 100);
      if (!lone) continue;
      const loss = window.gradscope.gradientAt(i).loss;
      if (loss > bestLoss) [best, bestLoss] = [i, loss];
    }
    return best;
  });
}

/** Clicks point `i` on the plot and waits for the line under the plot to name it. */
async function select(page, i) {
  const { x, y } = await pointOnPage(page, i);
  await page.mouse.click(x, y);
  await page.waitForFunction((i) => document.querySelector("#selected-point").dataset.point === String(i), i, { polling: 50, timeout: 5000 });
}

/** Opens the program the button builds, returning the link (absolute) and the point. */
async function programLink(page) {
  const before = await page.$eval("#program-link", (a) => a.getAttribute("href") ?? "");
  await page.click("#open-program");
  await page.waitForFunction((b) => {
    const a = document.querySelector("#program-link");
    return !a.hidden && (a.getAttribute("href") ?? "") !== b;
  }, before, { polling: 50, timeout: 5000 });
  return page.$eval("#program-link", (a) => ({ href: a.href, point: Number(a.dataset.point), step: Number(a.dataset.step) }));
}

/** The playground at `href`, once its results table has a row for W1. */
async function playground(href) {
  const opened = await openPath(href.slice(href.indexOf("index.html")), { width: 1400, height: 900 });
  await opened.page.waitForSelector('td[data-var="W1"]', { timeout: 20000 });
  return opened;
}

/** `a` and `b` agree to float32 precision: relative 1e-4, entries far below the layer's
 * largest compared on that scale. */
function assertClose(a, b, what) {
  assert.equal(a.length, b.length, `${what}: ${a.length} entries, expected ${b.length}`);
  const scale = Math.max(...b.map(Math.abs), 1e-30);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  let worstRel = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(b[i]) > 1e-2 * scale) worstRel = Math.max(worstRel, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  console.log(`${what}: scale ${scale.toExponential(2)}, max |Δ|/scale ${worst.toExponential(2)}, max relative (entries > 1% of scale) ${worstRel.toExponential(2)}`);
  for (let i = 0; i < a.length; i++) {
    const tol = 1e-4 * Math.max(Math.abs(b[i]), 1e-3 * scale) + 1e-12;
    assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: playground ${a[i]}, training page ${b[i]}`);
  }
}

const CASES = [
  { name: "tanh, logistic, L2", hash: "#dataset=moons&hidden=5,3&activations=tanh,tanh&loss=logistic&regularization=l2&lambda=0.01&seed=3", layers: 3 },
  { name: "relu, softmax cross-entropy (spiral, 3 classes), L2", preset: "spiral3", patch: "l2", layers: 3 },
  { name: "relu, hinge, L1", hash: "#dataset=xor&hidden=6&activations=relu&loss=hinge&regularization=l1&lambda=0.001&seed=5", layers: 2 },
  { name: "a regression: six Gaussians, tanh, squared error to the target, L2", hash: "#problem=regression&dataset=gaussians&hidden=5&activations=tanh&regularization=l2&lambda=0.01&seed=4", layers: 2 },
  { name: "tanh, squared error, no hidden layer, features x1² and sin x2", hash: "#dataset=circles&hidden=&activations=&features=x1,x2,x1_squared,sin_x2&loss=mse&seed=2", layers: 1 },
];

for (const c of CASES) {
  test(`the program at a point gives the training page's gradients: ${c.name}`, async () => {
    const { page, errors } = await open(c.hash ?? "");
    if (c.preset) {
      await page.selectOption("#preset", c.preset);
      await page.waitForFunction(() => window.gradscope.config.classes === 3, null, { polling: 50, timeout: 5000 });
      if (c.patch === "l2") {
        await page.selectOption("#regularization", "l2");
        await page.selectOption("#lambda", "0.001");
        await page.waitForFunction(() => window.gradscope.config.regularization === "l2" && window.gradscope.config.lambda === 0.001, null, { polling: 50, timeout: 5000 });
      }
    }
    await train(page, 40);
    const i = await loneTrainPoint(page);
    await select(page, i);
    const line = await page.textContent("#selected-point");
    assert.match(line, new RegExp(`^point ${i}: \\(−?\\d+\\.\\d\\d, −?\\d+\\.\\d\\d\\), (class \\d|y = \\S+), (train|test) · L at this point = `));
    assert.equal(await page.evaluate(() => window.gradscope.selected()), i);
    const { href, point, step } = await programLink(page);
    assert.equal(point, i);
    assert.equal(step, await steps(page), "the link is of the weights shown");
    const expected = await page.evaluate((i) => window.gradscope.gradientAt(i), i);
    assert.equal(expected.layers.length, c.layers);
    const shownLoss = Number(await page.$eval("#selected-point", (p) => p.dataset.loss));
    assert.ok(Math.abs(shownLoss - expected.loss) <= 1e-6 * Math.max(1, Math.abs(expected.loss)), "the line shows gradientAt's loss");

    const pg = await playground(href);
    const got = await pg.page.evaluate((n) => {
      const read = (name) => document.querySelector(`td[data-var="${name}"]`)?.dataset.grad?.split(",").map(Number) ?? null;
      const layers = [];
      for (let l = 1; l <= n; l++) layers.push({ w_grad: read(`W${l}`), b_grad: read(`b${l}`) });
      const f = document.querySelector("td[data-value]")?.dataset.value;
      return { layers, loss: Number(f) };
    }, c.layers);
    const relLoss = Math.abs(got.loss - expected.loss) / Math.max(1e-6, Math.abs(expected.loss));
    assert.ok(relLoss <= 1e-4, `loss: playground ${got.loss}, training page ${expected.loss}`);
    expected.layers.forEach((layer, l) => {
      assert.ok(got.layers[l].w_grad, `the playground has ∂f/∂W${l + 1}`);
      assertClose(got.layers[l].w_grad, Array.from(layer.w_grad), `∂L/∂W${l + 1}`);
      assertClose(got.layers[l].b_grad, Array.from(layer.b_grad), `∂L/∂b${l + 1}`);
    });
    if (c.preset) {
      await page.screenshot({ path: `${SHOTS}train-selected-point.png` });
      await pg.page.screenshot({ path: `${SHOTS}train-as-program.png` });
      // Stepping backward zooms in to where the step is: the ops can be read.
      await pg.page.check("input[name=direction][value=backward]");
      for (let k = 0; k < 6; k++) await pg.page.click("#step");
      await pg.page.screenshot({ path: `${SHOTS}train-as-program-step.png` });
    }
    assert.deepEqual(pg.errors, []);
    assert.deepEqual(errors, []);
    await pg.page.close();
    await page.close();
  });
}

test("with no point selected the program is at the first training point; a click off the points adds one; Clear and a new run drop the selection", async () => {
  const { page, errors } = await open("#dataset=moons&hidden=4&activations=tanh&seed=1");
  assert.match(await page.textContent("#program-note"), /no point selected: at the first training point, \d+/);
  const { point } = await programLink(page);
  const first = await page.evaluate(() => window.gradscope.trainPoints() > 0);
  assert.ok(first);
  assert.match(await page.textContent("#status"), new RegExp(`first training point, ${point}`));

  // A click far from every point adds one, as before.
  const n = (await page.evaluate(() => window.gradscope.points())).length;
  const empty = await page.evaluate(() => {
    const r = document.querySelector("#plot").getBoundingClientRect();
    const e = window.gradscope.extent();
    const px = window.gradscope.points().map(([x, y]) => [((x + e) / (2 * e)) * r.width, ((e - y) / (2 * e)) * r.height]);
    for (let gx = 5; gx < r.width; gx += 5)
      for (let gy = 5; gy < r.height; gy += 5) if (px.every(([x, y]) => (x - gx) ** 2 + (y - gy) ** 2 > 400)) return { x: r.left + gx, y: r.top + gy };
    return null;
  });
  assert.ok(empty, "a place with no point near");
  await page.mouse.click(empty.x, empty.y);
  await page.waitForFunction((n) => window.gradscope.points().length === n + 1, n, { polling: 50, timeout: 5000 });
  assert.equal(await page.evaluate(() => window.gradscope.selected()), null);

  // The added point can be selected, stays selected while training, and Clear drops it.
  await select(page, n);
  assert.match(await page.textContent("#program-note"), new RegExp(`^at point ${n}$`));
  await train(page, 20);
  assert.equal(await page.evaluate(() => window.gradscope.selected()), n);
  assert.match(await page.textContent("#selected-point"), new RegExp(`^point ${n}:`));
  // Clicking the selected point again lets it go, Escape too; Alt-click adds a point on
  // top of one (a plot dense with points has no empty place to click).
  const at = await pointOnPage(page, n);
  await page.mouse.click(at.x, at.y);
  assert.equal(await page.evaluate(() => window.gradscope.selected()), null);
  await select(page, n);
  await page.keyboard.press("Escape");
  assert.equal(await page.evaluate(() => window.gradscope.selected()), null);
  await page.keyboard.down("Alt");
  await page.mouse.click(at.x, at.y);
  await page.keyboard.up("Alt");
  await page.waitForFunction((n) => window.gradscope.points().length === n + 2, n, { polling: 50, timeout: 5000 });
  assert.equal(await page.evaluate(() => window.gradscope.selected()), null);
  await page.click("#clear");
  await page.waitForFunction(() => window.gradscope.points().length === 0, null, { polling: 50, timeout: 5000 });
  assert.equal(await page.evaluate(() => window.gradscope.selected()), null);
  assert.equal(await page.textContent("#selected-point"), "");
  assert.ok(await page.$eval("#open-program", (b) => b.disabled), "no points, nothing to open");

  // A new run (Regenerate) drops it too.
  await page.click("#regenerate");
  await page.waitForFunction(() => window.gradscope.points().length > 0, null, { polling: 50, timeout: 5000 });
  await select(page, await loneTrainPoint(page));
  const seed = await page.evaluate(() => window.gradscope.config.seed);
  await page.click("#regenerate");
  await page.waitForFunction((s) => window.gradscope.config.seed !== s, seed, { polling: 50, timeout: 5000 });
  assert.equal(await page.evaluate(() => window.gradscope.selected()), null);
  // The button is reachable and labelled for the keyboard.
  assert.equal(await page.$eval("#open-program", (b) => b.textContent), "Open as a program");
  assert.deepEqual(errors, []);
  await page.close();
});
