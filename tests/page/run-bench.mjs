// Runs www/bench.html in headless Chromium and prints one table of medians with ratios
// (./build.sh bench). A benchmark, not a test: it asserts nothing about speed.
//
// GRADSCOPE_URL serves www/ plainly, GRADSCOPE_ISOLATED_URL (optional) cross-origin
// isolated, so TF.js's wasm backend can run two threads there. RUNS page runs on each
// (default 3); each value is the median over the runs that measured it, each ratio the
// median of the ratios within each run (gradscope and the other side timed in the same
// page); WebGPU is measured in the plain runs only. QUICK=1 uses the page's tiny samples (to try the runner, not for numbers).
// Writes target/bench/browser.json (every run) and browser.md (the tables, for README).
// BENCH=keystroke runs only the playground's keystroke timings (KEYSTROKE_SAMPLES sets
// their count), once, on the plain server.
import { mkdirSync, writeFileSync } from "node:fs";
import { launch, LAVAPIPE, SWIFTSHADER, URL_BASE } from "./browser.mjs";
import { figure } from "../../www/js/bench-measure.js";

const RUNS = Number(process.env.RUNS) || 3;
const OUT = new URL("../../target/bench/", import.meta.url);
const servers = [
  { name: "plain", url: URL_BASE },
  ...(process.env.GRADSCOPE_ISOLATED_URL ? [{ name: "cross-origin isolated", url: process.env.GRADSCOPE_ISOLATED_URL }] : []),
];

const browser = await launch(process.env.WEBGPU === "lavapipe" ? LAVAPIPE : SWIFTSHADER);

/** One page run; resolves with its benchResult. */
async function pageRun(url) {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.title === "DONE" || document.title === "FAILED", null, { polling: 250, timeout: 1_800_000 });
  const result = await page.evaluate(() => window.benchResult ?? { error: window.benchError });
  await page.close();
  if (result.error) throw new Error(`${url}: ${result.error}`);
  return result;
}

const f = (x) => (x === undefined || x === null ? "–" : x < 0.01 && x > 0 ? x.toExponential(1) : figure(x));

if (process.env.BENCH === "keystroke") {
  const samples = Number(process.env.KEYSTROKE_SAMPLES) || 21;
  const { keystroke } = await pageRun(`${URL_BASE}/bench.html?auto=1&only=keystroke&samples=${samples}`);
  console.log(`headless Chromium ${browser.version()}`);
  for (const r of keystroke) {
    console.log(`${r.workload.padEnd(62)} ${String(r.nodes).padStart(5)} nodes: handler ${f(r.sync_ms)} ms, to next frame ${f(r.frame_ms)} ms (${r.frames.toFixed(1)} frames), median of ${r.samples}`);
  }
  await browser.close();
  process.exit(0);
}

const quick = process.env.QUICK === "1" ? "&quick=1" : "";
const runs = [];
for (const server of servers) {
  for (let i = 0; i < RUNS; i++) {
    // The keystroke section once, in the first run: it times the playground, not a backend.
    const keystroke = runs.length === 0 ? 1 : 0;
    const started = Date.now();
    // WebGPU in the plain runs only: isolation does not change it, and lavapipe is slow.
    const webgpu = server.name === "plain" ? 1 : 0;
    const result = await pageRun(`${server.url}/bench.html?auto=1&keystroke=${keystroke}&webgpu=${webgpu}${quick}`);
    runs.push({ server: server.name, ...result });
    console.error(`${server.name} run ${i + 1}/${RUNS}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}
await browser.close();

const median = (xs) => {
  const s = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[(s.length - 1) >> 1] : null;
};
const shown = (unit) => (unit === "GFLOP/s" ? (r) => r / 1e9 : unit.startsWith("ms") ? (r) => 1000 / r : (r) => r);

const first = runs[0];
const lines = [];
const say = (line = "") => lines.push(line);
say(`Browser benchmarks, ${first.date.slice(0, 10)}: headless Chromium (${first.userAgent}), ${first.hardwareConcurrency} logical cores, TF.js ${first.tfjs ?? "absent"}, WebGPU ${first.webgpu ?? "absent"}.`);
say(`${runs.length} page runs (${servers.map((s) => `${runs.filter((r) => r.server === s.name).length} ${s.name}`).join(", ")}); ${quick ? "QUICK settings: not numbers to quote." : `${first.settings.samples} samples of ≥ ${first.settings.sampleMs} ms per value in each run.`}`);
say("Each value is the median over the runs that measured it; each ratio (gradscope ÷ the other side) the median of the ratios within each run. Δ is the largest difference from gradscope's result in any run.");
const combined = {};
for (const [group, { title, unit, sides, pairs }] of Object.entries(first.groups)) {
  const show = shown(unit);
  const name = (id) => sides.find((s) => s.id === id).name;
  // Each ratio column: one of gradscope's sides over another side (the page's pairs).
  const ratioHeads = pairs.map(([a, b]) => (a === sides[0].id ? `÷ ${name(b)}` : `${name(a)} ÷ ${name(b)}`));
  say();
  say(`${title}, ${unit}`);
  say();
  say(`| workload | ${sides.map((s) => s.name).join(" | ")} | ${ratioHeads.join(" | ")} |`);
  say(`|---|${sides.map(() => "---:").join("|")}|${pairs.map(() => "---:").join("|")}|`);
  for (const row of first.rows.filter((r) => r.group === group)) {
    const inRuns = runs.map((r) => r.rows.find((x) => x.id === row.id)?.cells ?? {});
    const values = sides.map((s) => median(inRuns.map((c) => c[s.id]?.rate?.median)));
    const diffs = sides.map((s) => Math.max(...inRuns.map((c) => c[s.id]?.diff ?? -Infinity)));
    const ratios = pairs.map(([a, b]) => median(inRuns.map((c) => (c[a]?.rate && c[b]?.rate ? c[a].rate.median / c[b].rate.median : null))));
    combined[row.id] = { name: row.name, unit, values: Object.fromEntries(sides.map((s, i) => [s.id, values[i] === null ? null : show(values[i])])), ratios: Object.fromEntries(pairs.map(([a, b], i) => [`${a}/${b}`, ratios[i]])), max_diff: Object.fromEntries(sides.map((s, i) => [s.id, diffs[i] === -Infinity ? null : diffs[i]])) };
    const cell = (v, i) => (v === null ? "–" : `${f(show(v))}${diffs[i] > 0 ? ` (Δ ${f(diffs[i])})` : ""}`);
    say(`| ${row.name} | ${values.map(cell).join(" | ")} | ${ratios.map((r) => (r === null ? "–" : `${r.toFixed(2)}×`)).join(" | ")} |`);
  }
}
say();
say("Targets of issue 15 §2, from the median ratios:");
say();
const targets = first.targets.map((t, i) => {
  // Only the runs that could measure it (two threads: the cross-origin isolated ones).
  const perRun = runs.map((r) => r.targets[i]).filter((p) => p.met !== null);
  const width = Math.max(0, ...perRun.map((p) => p.ratios.length));
  const ratios = Array.from({ length: width }, (_, j) => median(perRun.map((p) => p.ratios[j])));
  const met = !perRun.length ? null : width === 0 ? perRun.every((p) => p.met) : ratios.every((x) => x !== null && (t.above ? x > t.at : x >= t.at));
  const target = perRun[0]?.target ?? t.target;
  say(`- ${met === null ? "not measured" : met ? "met" : "not met"}: ${target}${ratios.length ? ` (${ratios.map((x) => (x === null ? "–" : `${x.toFixed(2)}×`)).join(", ")})` : ""}`);
  return { ...t, target, ratios, met, runs: perRun.length };
});
const leaks = runs.flatMap((r) => r.rows.flatMap((row) => Object.entries(row.cells).filter(([, c]) => c.tensors && (c.tensors[1] !== c.tensors[0] || c.tensors[2] !== 0)).map(([s]) => `${r.server}: ${row.id} ${s}`)));
say();
say(leaks.length ? `TF.js tensors not flat: ${leaks.join("; ")}` : "TF.js's tensor count was flat during every timing and back to 0 after every side.");
if (first.keystroke) {
  say();
  for (const r of first.keystroke) say(`- ${r.workload}: ${r.nodes} nodes, handler ${f(r.sync_ms)} ms, to next frame ${f(r.frame_ms)} ms (median of ${r.samples})`);
}
const text = lines.join("\n");
console.log(text);
mkdirSync(OUT, { recursive: true });
writeFileSync(new URL("browser.md", OUT), `${text}\n`);
writeFileSync(new URL("browser.json", OUT), `${JSON.stringify({ combined, targets, runs }, null, 1)}\n`);
console.error(`wrote ${new URL("browser.md", OUT).pathname} and browser.json`);
