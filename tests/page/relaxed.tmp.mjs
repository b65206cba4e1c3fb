import { launch, URL_BASE } from "./browser.mjs";
const b = await launch();
const page = await b.newPage();
await page.goto(`${URL_BASE}/bench.html`);
const r = await page.evaluate(async () => {
  const out = {};
  for (const [name, path] of [["plain", "./pkg/gradscope.js"], ["relaxed", "./tmp-relaxed/gradscope.js"], ["plain2", "./pkg/gradscope.js?2"], ["relaxed2", "./tmp-relaxed/gradscope.js?2"]]) {
    const pkg = await import(path);
    await pkg.default();
    for (const n of [256, 512]) {
      const c = new pkg.MatmulCase(n, n, n, 1n);
      c.run(3);
      const rates = [];
      for (let s = 0; s < 5; s++) {
        let k = 0; const t0 = performance.now(); let t = t0;
        while (t - t0 < 200) { c.run(1); k++; t = performance.now(); }
        rates.push((2 * n ** 3 * k) / ((t - t0) / 1000) / 1e9);
      }
      rates.sort((a, b) => a - b);
      out[`${name} ${n}`] = rates[2].toFixed(1);
      if (n === 256) out[`${name} c0`] = c.c[0];
      c.free();
    }
    // training step
    const t = new pkg.Trainer({ hidden: [16, 16], activations: ["relu", "relu"], batch_size: 500, points: 500, test_fraction: 0, optimizer: "sgd", learning_rate: 0.03 });
    t.step(20);
    let k = 0; const t0 = performance.now(); while (performance.now() - t0 < 1000) { t.step(10); k += 10; }
    out[`${name} relu500 steps/s`] = Math.round(k / ((performance.now() - t0) / 1000));
    const t8 = new pkg.Trainer({ hidden: [8, 8], activations: ["tanh", "tanh"], batch_size: 10, points: 500, test_fraction: 0, optimizer: "sgd", learning_rate: 0.03 });
    t8.step(200);
    k = 0; const t1 = performance.now(); while (performance.now() - t1 < 1000) { t8.step(100); k += 100; }
    out[`${name} tanh10 steps/s`] = Math.round(k / ((performance.now() - t1) / 1000));
    const g = new pkg.Trainer({ hidden: [16, 16], activations: ["relu", "relu"], batch_size: 500, points: 500 });
    g.grid(256); k = 0; const t2 = performance.now(); while (performance.now() - t2 < 1000) { g.grid(256); k++; }
    out[`${name} heatmap relu 256 ms`] = ((performance.now() - t2) / k).toFixed(2);
  }
  return out;
});
console.log(r);
await b.close();
