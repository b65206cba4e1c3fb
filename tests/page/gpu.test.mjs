// The WebGPU path against the CPU kernel, in headless Chromium with a software adapter
// (SwiftShader, --enable-unsafe-webgpu), and the fallback when there is no adapter.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { launch, SWIFTSHADER, URL_BASE } from "./browser.mjs";

const browsers = [];

async function open(page, withGpu) {
  const browser = await launch(withGpu ? SWIFTSHADER : []);
  browsers.push(browser);
  const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.message));
  await p.goto(`${URL_BASE}/${page}`);
  return { page: p, errors };
}

after(async () => Promise.all(browsers.map((b) => b.close())));

test("WebGPU products equal the CPU kernel within 1e-4 relative", async () => {
  const { page, errors } = await open("bench.html", true);
  const result = await page.evaluate(async () => {
    const { openGpu } = await import("./js/gpu.js");
    const wasm = await import("./pkg/gradscope.js");
    await wasm.default();
    const { gpu, reason } = await openGpu();
    if (!gpu) return { reason };
    const shapes = [];
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [65, 129, 33], [256, 256, 256]]) {
      for (const seed of [1n, 2n]) {
        const c = new wasm.MatmulCase(m, k, n, seed);
        c.run(1);
        const want = c.c;
        const got = await gpu.multiply(c.a, c.b, m, k, n);
        let err = 0;
        for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
        shapes.push({ shape: `${m}×${k}×${n}`, err, length: got.length, expected: m * n });
        c.free();
      }
    }
    return { name: gpu.name, shapes };
  });
  assert.ok(!result.reason, result.reason);
  for (const s of result.shapes) {
    assert.equal(s.length, s.expected, s.shape);
    assert.ok(s.err <= 1e-4, `${s.shape}: relative error ${s.err}`);
  }
  console.log(`adapter: ${result.name}; largest relative error ${Math.max(...result.shapes.map((s) => s.err)).toExponential(1)}`);
  assert.deepEqual(errors, []);
});

test("a whole network's forward pass on the GPU equals the CPU forward", async () => {
  const { page, errors } = await open("bench.html", true);
  const diff = await page.evaluate(async () => {
    const { openGpu } = await import("./js/gpu.js");
    const wasm = await import("./pkg/gradscope.js");
    await wasm.default();
    const { gpu } = await openGpu();
    const results = [];
    for (const config of [
      {},
      { hidden: [16, 16], activations: ["relu", "sigmoid"], dataset: "spiral", classes: 3, loss: "softmax_cross_entropy" },
    ]) {
      const trainer = new wasm.Trainer(config);
      trainer.step(100);
      const res = 40;
      const e = trainer.extent;
      const x = new Float32Array(res * res * 2);
      for (let r = 0; r < res; r++) for (let c = 0; c < res; c++) {
        x[2 * (r * res + c)] = -e + ((c + 0.5) * 2 * e) / res;
        x[2 * (r * res + c) + 1] = e - ((r + 0.5) * 2 * e) / res;
      }
      const logits = await gpu.forward(trainer.layers(), trainer.config.activations, x, res * res);
      const probs = trainer.grid(res);
      const k = trainer.config.classes;
      let max = 0;
      for (let i = 0; i < res * res; i++) {
        let p;
        if (k === 2) p = [1 - 1 / (1 + Math.exp(-logits[i])), 1 / (1 + Math.exp(-logits[i]))];
        else {
          const z = Array.from(logits.slice(i * k, i * k + k));
          const m = Math.max(...z);
          const s = z.reduce((t, v) => t + Math.exp(v - m), 0);
          p = z.map((v) => Math.exp(v - m) / s);
        }
        for (let j = 0; j < k; j++) max = Math.max(max, Math.abs(p[j] - probs[i * k + j]));
      }
      results.push(max);
      trainer.free();
    }
    return results;
  });
  for (const d of diff) assert.ok(d <= 1e-4, `largest probability difference ${d}`);
  assert.deepEqual(errors, []);
});

test("without WebGPU the training page says so once and trains on the CPU", async () => {
  const { page, errors } = await open("train.html", false);
  await page.waitForFunction(() => window.gradscope?.ready === true && window.gradscope.backend, null, { polling: 50, timeout: 15000 });
  assert.match(await page.textContent("#backend"), /^CPU: wasm SIMD/);
  assert.match(await page.textContent("#backend"), /no adapter|no WebGPU/);
  await page.click("#play");
  await page.waitForFunction(() => Number(document.querySelector("#steps").dataset.value) > 100, null, { polling: 100, timeout: 15000 });
  assert.deepEqual(errors, []);
});

test("with WebGPU the training page measures both backends and shows its choice", async () => {
  const { page, errors } = await open("train.html", true);
  await page.waitForFunction(() => window.gradscope?.ready === true && window.gradscope.backend, null, { polling: 50, timeout: 30000 });
  const text = await page.textContent("#backend");
  // A software adapter is slower than the CPU kernel: the measurement must say so.
  assert.match(text, /^(CPU: wasm SIMD|WebGPU: .+) \(measured/);
  assert.match(text, /swiftshader/i);
  await page.selectOption("#backend-choice", "gpu");
  await page.waitForFunction(() => document.querySelector("#backend").textContent.startsWith("WebGPU"), null, { polling: 50, timeout: 10000 });
  await page.click("#play");
  await page.waitForFunction(() => Number(document.querySelector("#steps").dataset.value) > 100, null, { polling: 100, timeout: 15000 });
  await page.click("#play");
  await page.waitForTimeout(1500); // let a GPU heatmap arrive
  const blue = await page.evaluate(() => {
    const c = document.querySelector("#plot");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 2] > d[i] + 60) n++;
    return n;
  });
  assert.ok(blue > 5000, `blue pixels ${blue}`);
  assert.deepEqual(errors, []);
});
