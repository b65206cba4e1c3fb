// Issue 15 §2, memory: the wasm memory of a long session stays where it was once warm.
// WebAssembly memory never shrinks, so a leak or a cache that grows with use shows as
// growth of `memory.buffer`: a count, not a time, so a test can assert it. 100,000
// training steps and 1,000 heatmaps (the plot's and the network's thumbnails), as a long
// lesson would take them, on both page kinds of network.

import { test } from "node:test";
import assert from "node:assert/strict";
import { usePlayground } from "./playground-page.mjs";

const { openTraining } = usePlayground();

const MB = 1024 * 1024;

// The wide batch takes fewer steps (each is 50 times the work); a per-step leak would show
// in 10,000 as surely.
for (const { steps, ...net } of [
  { hidden: [8, 8], activations: ["tanh", "tanh"], batch_size: 10, steps: 100_000 },
  { hidden: [16, 16], activations: ["relu", "relu"], batch_size: 500, steps: 10_000 },
]) {
  const name = `${net.hidden.join("-")} ${net.activations[0]}, batch ${net.batch_size}`;
  test(`${name}: ${steps.toLocaleString("en")} steps and 1,000 heatmaps leave the wasm memory within 2 MB of where it was warm`, async () => {
    const { page, errors } = await openTraining();
    const report = await page.evaluate(async ({ net, steps }) => {
      // The page's own build (its import map names it), whose init() again hands back the
      // instance the page already started.
      const pkg = await import("gradscope");
      const { memory } = await pkg.default();
      const trainer = new pkg.Trainer({ dataset: "spiral", points: 500, ...net, learning_rate: 0.01 });
      const session = (steps, heatmaps) => {
        let finite = 0;
        for (let i = 0; i < steps / 1000; i++) trainer.step(1000);
        for (let i = 0; i < heatmaps; i++) {
          const map = trainer.grid(100);
          if (i % 10 === 0) trainer.neurons(20);
          if (Number.isFinite(map[0])) finite++;
        }
        return finite;
      };
      session(2000, 20); // warm: every buffer a step and a view need is made
      const warm = memory.buffer.byteLength;
      const finite = session(steps, 1000);
      const progress = trainer.step(1);
      return { warm, after: memory.buffer.byteLength, finite, step: progress.step };
    }, { net, steps });
    console.log(`${name}: wasm memory ${(report.warm / MB).toFixed(1)} MB warm, ${(report.after / MB).toFixed(1)} MB after`);
    // The work was done: every step taken, every heatmap a number.
    assert.equal(report.step, 2000 + steps + 1);
    assert.equal(report.finite, 1000);
    assert.ok(report.after - report.warm <= 2 * MB, `grew by ${((report.after - report.warm) / MB).toFixed(2)} MB`);
    assert.deepEqual(errors, []);
  });
}
