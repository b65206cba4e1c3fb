// The two CPU builds of the engine (build.sh, js/pkg-map.js): Chromium validates relaxed
// SIMD, so the training page imports the fused multiply-add build; a browser without it
// (emulated here by a WebAssembly.validate that refuses everything) gets the plain SIMD
// build, says so, and trains to the same weights within rounding.

import { test } from "node:test";
import assert from "node:assert/strict";
import { usePlayground } from "./playground-page.mjs";
import { URL_BASE } from "./browser.mjs";

const { openTraining, browser } = usePlayground();

/** 50 steps of a 2-16-16-1 relu net at batch 200 (products big enough for the packed
 * kernel) in the page's own build; its weights, its heatmap, and which build it was. */
const train = (page) =>
  page.evaluate(async () => {
    const pkg = await import("gradscope");
    const t = new pkg.Trainer({ dataset: "spiral", points: 400, hidden: [16, 16], activations: ["relu", "relu"], batch_size: 200, learning_rate: 0.05 });
    t.step(50);
    return {
      kernel: document.documentElement.dataset.kernel,
      weights: t.layers().flatMap((l) => [...l.w, ...l.b]),
      heatmap: [...t.grid(64)],
      backend: document.querySelector("#backend")?.textContent ?? "",
    };
  });

test("Chromium runs the relaxed-SIMD build; without relaxed SIMD the page runs the plain one and trains alike", async () => {
  const { page: relaxed, errors } = await openTraining();
  const fused = await train(relaxed);
  assert.equal(fused.kernel, "relaxed-simd");
  assert.match(fused.backend, /^CPU: wasm relaxed SIMD \(FMA\)/);

  const context = await /** @type {import("playwright-core").Browser} */ (browser()).newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(() => {
    WebAssembly.validate = () => false;
  });
  const plainPage = await context.newPage();
  const plainErrors = [];
  plainPage.on("pageerror", (e) => plainErrors.push(e.message));
  await plainPage.goto(`${URL_BASE}/train.html`);
  await plainPage.waitForFunction(() => window.gradscope?.ready === true, null, { polling: 50, timeout: 15000 });
  const plain = await train(plainPage);
  assert.equal(plain.kernel, "simd");
  assert.match(plain.backend, /^CPU: wasm SIMD \(/);
  const urls = await plainPage.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).filter((n) => n.endsWith(".wasm")));
  assert.deepEqual(urls.map((u) => new URL(u).pathname), ["/pkg/gradscope_bg.wasm"], "the plain build's wasm, and only it");

  // Fused multiply-adds round once where a multiply and an add round twice: the same
  // training, not the same bits.
  assert.equal(plain.weights.length, fused.weights.length);
  let worst = 0;
  for (let i = 0; i < plain.weights.length; i++) worst = Math.max(worst, Math.abs(plain.weights[i] - fused.weights[i]));
  console.log(`${plain.weights.length} weights after 50 steps: largest |plain − fused| ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-3, `the builds' weights differ by ${worst}`);
  assert.ok(plain.weights.some((w, i) => w !== fused.weights[i]), "the builds really differ (two kernels ran)");
  // The heatmaps (the views' own tiles, fused in one build) of those weights: class 1's
  // probability at each of 64² points.
  assert.equal(plain.heatmap.length, 64 * 64);
  const apart = Math.max(...plain.heatmap.map((p, i) => Math.abs(p - fused.heatmap[i])));
  console.log(`heatmaps: largest |plain − fused| ${apart.toExponential(2)}`);
  assert.ok(apart < 1e-3, `the builds' heatmaps differ by ${apart}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(plainErrors, []);
  await context.close();
});
