// Regression on the training page, the lecture's "two layers can represent any continuous
// function": a curve y = f(x1) approximated as the network learns (the drawn line is the
// engine's output), the plane's regressions as a diverging heatmap, R² and RMSE, points
// added with a target, x1,x2,y files, and links.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, usePlayground } from "./playground-page.mjs";

const { openTraining } = usePlayground();
const open = (hash = "") => openTraining(hash, 1400, 1000);

const steps = (page) => page.evaluate(() => Number(document.querySelector("#steps").dataset.value));
const config = (page) => page.evaluate(() => window.gradscope.config);
const r2 = (page) => page.evaluate(() => [Number(document.querySelector("#train-acc").dataset.value), Number(document.querySelector("#test-acc").dataset.value)]);
const link = (page) => new URLSearchParams(new URL(page.url()).hash.slice(1));

/** Trains at least `n` steps, then pauses. */
async function train(page, n) {
  await page.evaluate(() => window.gradscope.play());
  await page.waitForFunction((n) => Number(document.querySelector("#steps").dataset.value) >= n, n, { polling: 50, timeout: 60000 });
  await page.evaluate(() => window.gradscope.pause());
}

/** Where the plot draws the place (x1, y) of a curve, or (x1, x2) of the plane, in page pixels. */
async function onPlot(page, [a, b]) {
  const frame = await page.evaluate(() => window.gradscope.plotFrame());
  const box = await page.locator("#plot").boundingBox();
  const [lo, hi] = frame.curve ? [frame.curve.lo, frame.curve.hi] : [-frame.extent, frame.extent];
  return [box.x + ((a + frame.extent) / (2 * frame.extent)) * box.width, box.y + ((hi - b) / (hi - lo)) * box.height];
}

test("Regression fits y = sin 2x1: the curve drawn is the network's, and R² and RMSE say how well it fits", async () => {
  const { page, errors } = await open();
  await page.selectOption("#problem", "regression");
  const c = await config(page);
  assert.deepEqual([c.problem, c.dataset, c.loss], ["regression", "sine", "mse"]);
  assert.equal(link(page).get("problem"), "regression");
  // The Dataset menu offers the regression datasets only; the loss is squared error alone.
  const offered = await page.$$eval("#dataset option", (os) => os.filter((o) => !o.hidden).map((o) => o.value));
  assert.deepEqual(offered, ["sine", "abs", "step", "plane", "gaussians"]);
  assert.deepEqual(await page.$$eval("#loss option", (os) => os.filter((o) => !o.disabled).map((o) => o.value)), ["mse"]);
  assert.equal(await page.isDisabled("#classes"), true);
  assert.equal(await page.textContent("#train-acc-name"), "train R²");
  assert.equal(await page.isVisible("#rmse-stats"), true);
  assert.match(await page.textContent("#plot-legend"), /the line is the network's output along x1/);
  const [before] = await r2(page);

  await train(page, 600);
  const [trainR2, testR2] = await r2(page);
  console.log(`R² ${before.toFixed(3)} → train ${trainR2.toFixed(4)}, test ${testR2.toFixed(4)} after ${await steps(page)} steps`);
  assert.ok(trainR2 > 0.9 && testR2 > 0.85 && trainR2 > before, `R² ${before} → ${trainR2}, ${testR2}`);
  const rmse = Number(await page.getAttribute("#train-rmse", "data-value"));
  assert.ok(rmse > 0 && rmse < 0.35, `RMSE ${rmse}`);
  // The RMSE is the root of the (data) loss, the mean squared error.
  const loss = Number(await page.textContent("#train-loss"));
  assert.ok(Math.abs(rmse * rmse - loss) < 1e-3 * Math.max(loss, 0.01) + 5e-6, `RMSE² ${rmse * rmse} vs loss ${loss}`);

  // The drawn line: at several columns its ink is where the engine's output is.
  const n = 200;
  const curve = await page.evaluate((n) => window.gradscope.curve(n), n);
  const frame = await page.evaluate(() => window.gradscope.plotFrame());
  for (const k of [20, 60, 100, 140, 180]) {
    // (The column's centre, where the line drawn through the curve's points crosses it.)
    const x1 = -frame.extent + (2 * frame.extent * k) / (n - 1);
    const [px, py] = await page.$eval(
      "#plot",
      (canvas, [x1, f]) => {
        const ctx = canvas.getContext("2d");
        const x = Math.floor(((x1 + f.extent) / (2 * f.extent)) * canvas.width);
        const column = ctx.getImageData(x, 0, 1, canvas.height).data;
        // The line's ink (darker than the blue points and the grey axes): its middle.
        let [sum, count] = [0, 0];
        for (let y = 0; y < canvas.height; y++) {
          const v = column[4 * y] + column[4 * y + 1] + column[4 * y + 2];
          if (v < 300) [sum, count] = [sum + y + 0.5, count + 1];
        }
        return [x, count ? sum / count : NaN];
      },
      [x1, frame],
    );
    // The curve's height at the column's centre, between its two nearest points.
    const at = ((px + 0.5) / 400) * (n - 1);
    const [i, t] = [Math.floor(at), at - Math.floor(at)];
    const y = curve[i] + t * (curve[i + 1] - curve[i]);
    const expected = ((frame.curve.hi - y) / (frame.curve.hi - frame.curve.lo)) * 400;
    assert.ok(Math.abs(py - expected) <= 1.5, `column ${px}: ink at ${py}, the network's y = ${y} is at ${expected.toFixed(1)}`);
  }
  await page.locator("section[aria-label=Output]").screenshot({ path: `${SHOTS}train-regression-sine.png` });
  await page.locator(".run-bar").first().screenshot({ path: `${SHOTS}train-regression-numbers.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a click on a fit adds a point at the height clicked; on the plane, of target +1, shift-click −1", async () => {
  const { page, errors } = await open("#problem=regression&dataset=abs");
  const before = (await page.evaluate(() => window.gradscope.targets())).length;
  const [x, y] = await onPlot(page, [0.25, 1.05]);
  await page.mouse.click(x, y);
  const points = await page.evaluate(() => window.gradscope.points());
  const targets = await page.evaluate(() => window.gradscope.targets());
  assert.equal(targets.length, before + 1);
  const [x1, x2] = points[points.length - 1];
  assert.equal(x2, 0, "a fit's points lie on x2 = 0");
  const frame = await page.evaluate(() => window.gradscope.plotFrame());
  const pixel = (2 * frame.extent) / 400;
  assert.ok(Math.abs(x1 - 0.25) < 2 * pixel && Math.abs(targets[targets.length - 1] - 1.05) < 2 * ((frame.curve.hi - frame.curve.lo) / 400), `${x1}, ${targets.at(-1)}`);

  await page.selectOption("#dataset", "plane");
  const n = (await page.evaluate(() => window.gradscope.targets())).length;
  const [px, py] = await onPlot(page, [1.2, -1.3]);
  await page.mouse.click(px, py);
  await page.keyboard.down("Shift");
  const [qx, qy] = await onPlot(page, [-1.3, 1.2]);
  await page.mouse.click(qx, qy);
  await page.keyboard.up("Shift");
  const t = await page.evaluate(() => window.gradscope.targets());
  assert.deepEqual(t.slice(n), [1, -1]);
  assert.match(await page.textContent("#plot-legend"), /orange below 0, white at 0, blue above/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("six Gaussians: the heatmap learns the bumps' signs (blue where y > 0, orange where y < 0)", async () => {
  const { page, errors } = await open("#problem=regression&dataset=gaussians&points=500&noise=0&hidden=16,16&activations=relu,relu&learning_rate=0.01&batch_size=16");
  await train(page, 2500);
  const [trainR2] = await r2(page);
  assert.ok(trainR2 > 0.6, `R² ${trainR2}`);
  // At the centre of a positive bump (−1, 0.625) and of a negative one (0, 0.625).
  const colour = async (place) => {
    const [x, y] = await onPlot(page, place);
    const box = await page.locator("#plot").boundingBox();
    return page.$eval("#plot", (c, [u, v]) => Array.from(c.getContext("2d").getImageData(Math.round(u * c.width), Math.round(v * c.height), 1, 1).data), [(x - box.x) / box.width, (y - box.y) / box.height]);
  };
  const [plus, minus] = [await colour([-1, 0.625]), await colour([0, 0.625])];
  assert.ok(plus[2] > plus[0] + 40, `blue at the positive bump: ${plus}`);
  assert.ok(minus[0] > minus[2] + 40, `orange at the negative bump: ${minus}`);
  await page.locator("section[aria-label=Output]").screenshot({ path: `${SHOTS}train-regression-gaussians.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("x1,x2,y files load for a regression, and a bad target names its line and column", async () => {
  const { page, errors } = await open("#problem=regression");
  const rows = Array.from({ length: 30 }, (_, i) => {
    const x = -1.5 + (3 * i) / 29;
    return `${x},0,${(x * x - 1).toFixed(4)}`;
  });
  await page.setInputFiles("#csv-file", { name: "parabola.csv", mimeType: "text/csv", buffer: Buffer.from(`x1,x2,y\n${rows.join("\n")}\n`) });
  await page.waitForFunction(() => document.querySelector("#status").textContent.startsWith("Loaded parabola.csv"), null, { timeout: 10000 });
  assert.match(await page.textContent("#status"), /30 points with targets y/);
  assert.match(await page.textContent("#own-summary"), /parabola\.csv: 30 points, a target y each/);
  const c = await config(page);
  assert.deepEqual([c.problem, c.dataset, c.points], ["regression", "own", 30]);
  const targets = await page.evaluate(() => window.gradscope.targets());
  assert.deepEqual(targets, rows.map((r) => Number(r.split(",")[2])));
  assert.notEqual(await page.evaluate(() => window.gradscope.plotFrame().curve), null, "points on x2 = 0 are a curve");
  await train(page, 50);

  const before = await page.evaluate(() => window.gradscope.targets());
  await page.setInputFiles("#csv-file", { name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from("x1,x2,y\n0,0,1\n1,0,lots\n") });
  await page.waitForFunction(() => !document.querySelector("#data-message").hidden, null, { timeout: 10000 });
  assert.equal(await page.textContent("#data-message"), "bad.csv: line 3, column 3: 'lots' is not a number; expected y, a number");
  assert.deepEqual(await page.evaluate(() => window.gradscope.targets()), before, "the points stay");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a link reproduces a regression; a classification dataset or loss in one is refused, and the problems keep their datasets", async () => {
  const { page, errors } = await open("#problem=regression&dataset=moons&loss=hinge");
  const c = await config(page);
  assert.deepEqual([c.problem, c.dataset, c.loss], ["regression", "sine", "mse"]);
  const status = await page.textContent("#status");
  assert.match(status, /Dataset “moons” is not a regression dataset/);
  assert.match(status, /Loss “hinge” cannot train a regression/);
  await page.selectOption("#dataset", "step");
  // Back to classification: the default dataset and loss, accuracy again; and back.
  await page.selectOption("#problem", "classification");
  let now = await config(page);
  assert.deepEqual([now.problem, now.dataset, now.loss], ["classification", "moons", "logistic"]);
  assert.equal(await page.textContent("#train-acc-name"), "train acc.");
  assert.equal(await page.isVisible("#rmse-stats"), false);
  assert.equal(await page.isDisabled("#classes"), false);
  await page.selectOption("#problem", "regression");
  now = await config(page);
  assert.equal(now.dataset, "step", "the regression's dataset it had last");

  // A link that names only the problem takes its dataset and loss, saying nothing.
  const short = await open("#problem=regression");
  assert.deepEqual((({ dataset, loss }) => [dataset, loss])(await config(short.page)), ["sine", "mse"]);
  assert.equal(await short.page.textContent("#status"), "");
  assert.equal(await short.page.isVisible("#click-class-row"), false, "no class to click in a regression");
  await short.page.close();

  const copy = await open(new URL(page.url()).hash);
  const again = await config(copy.page);
  assert.deepEqual(again, now);
  assert.equal(await copy.page.textContent("#status"), "");
  assert.deepEqual([...errors, ...short.errors, ...copy.errors], []);
  await page.close();
  await copy.page.close();
});
