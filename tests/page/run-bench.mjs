// Runs www/bench.html?auto=1 in headless Chromium and prints its table (./build.sh bench).
// A benchmark, not a test: it asserts nothing about speed. BENCH=keystroke runs only the
// playground's keystroke timings (KEYSTROKE_SAMPLES sets their count).
import { launch, LAVAPIPE, SWIFTSHADER, URL_BASE } from "./browser.mjs";

const only = process.env.BENCH === "keystroke" ? `&only=keystroke&samples=${Number(process.env.KEYSTROKE_SAMPLES) || 21}` : "";
const url = `${URL_BASE}/bench.html?auto=1${only}`;
const browser = await launch(process.env.WEBGPU === "lavapipe" ? LAVAPIPE : SWIFTSHADER);
const page = await browser.newPage();
page.on("pageerror", (e) => console.error("page error:", e.message));
await page.goto(url);
await page.waitForFunction(() => document.title === "DONE", null, { polling: 250, timeout: 600_000 });
const results = await page.evaluate(() => window.benchResult);
console.log(`headless Chromium ${browser.version()}`);
const f = (x) => (x === undefined || x === null ? "–" : x < 0.01 && x > 0 ? x.toExponential(1) : x < 100 ? x.toFixed(2) : x.toFixed(0));
for (const r of results) {
  if ("sync_ms" in r) {
    const frame = `to next frame ${f(r.frame_ms)} ms (${r.frames.toFixed(1)} frames)`;
    console.log(`${r.workload.padEnd(62)} ${String(r.nodes).padStart(5)} nodes: handler ${f(r.sync_ms)} ms, ${frame}, median of ${r.samples}`);
  } else if ("gradscope" in r) {
    console.log(`${r.workload.padEnd(62)} gradscope ${f(r.gradscope).padStart(9)}  plain JS ${f(r.plain_js).padStart(9)}  ratio ${f(r.ratio)}`);
  } else {
    console.log(`${r.workload.padEnd(62)} GFLOP/s: CPU ${f(r.cpu_gflops)}, TF.js wasm ${f(r.tfjs_wasm_gflops)}, plain JS ${f(r.naive_js_gflops)}, WebGPU ${f(r.gpu_gflops)}, TF.js WebGPU ${f(r.tfjs_webgpu_gflops)}; ms: CPU ${f(r.cpu_ms)}, WebGPU ${f(r.gpu_ms)}; max diff ${f(r.max_diff)}`);
  }
}
await browser.close();
