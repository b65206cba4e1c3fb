import { launch, URL_BASE } from "./browser.mjs";
const b = await launch();
const page = await b.newPage();
await page.goto(`${URL_BASE}/train.html`);
await page.waitForFunction(() => window.gradscope?.ready === true);
const r = await page.evaluate(async () => {
  const pkg = await import("gradscope");
  const out = { kernel: document.documentElement.dataset.kernel };
  for (const [name, hidden, act, res] of [["relu16 256", 16, "relu", 256], ["tanh8 256", 8, "tanh", 256], ["tanh8 100", 8, "tanh", 100]]) {
    const g = new pkg.Trainer({ hidden: [hidden, hidden], activations: [act, act], batch_size: 10, points: 500 });
    for (let i = 0; i < 5; i++) g.grid(res);
    const s = [];
    for (let r = 0; r < 5; r++) { let k = 0; const t0 = performance.now(); while (performance.now() - t0 < 200) { g.grid(res); k++; } s.push((performance.now() - t0) / k); }
    s.sort((a, b) => a - b); out[name] = s[2].toFixed(2) + " ms";
  }
  for (const [name, hidden, act, batch] of [["tanh8 b10", 8, "tanh", 10], ["tanh8 b500", 8, "tanh", 500], ["relu16 b500", 16, "relu", 500]]) {
    const t = new pkg.Trainer({ hidden: [hidden, hidden], activations: [act, act], batch_size: batch, points: 500, test_fraction: 0, optimizer: "sgd", learning_rate: 0.03, dataset: "moons", loss: "logistic" });
    t.step(50);
    const s = [];
    const per = batch === 10 ? 200 : 10;
    for (let r = 0; r < 5; r++) { let k = 0; const t0 = performance.now(); while (performance.now() - t0 < 200) { t.step(per); k += per; } s.push(k / ((performance.now() - t0) / 1000)); }
    s.sort((a, b) => a - b); out[name] = Math.round(s[2]) + " steps/s";
  }
  return out;
});
console.log(r);
await b.close();
