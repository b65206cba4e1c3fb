// What a first visit to each page loads, gzipped at level 6 as most static hosts send it:
// every response until the page is ready, counted file by file. A measurement, not a test
// (`node page-weight.mjs` with GRADSCOPE_URL serving www/ or dist/; README quotes it).
import { gzipSync } from "node:zlib";
import { launch, URL_BASE } from "./browser.mjs";

const browser = await launch();
for (const path of ["index.html", "train.html", "tour.html"]) {
  const page = await browser.newPage();
  /** @type {Promise<[string, number, number]>[]} */
  const files = [];
  page.on("response", (r) => {
    files.push(r.body().then((b) => [new URL(r.url()).pathname, b.length, gzipSync(b, { level: 6 }).length], () => [r.url(), 0, 0]));
  });
  await page.goto(`${URL_BASE}/${path}`);
  if (path !== "tour.html") await page.waitForFunction(() => window.gradscope?.ready === true, null, { timeout: 30000 });
  await page.waitForLoadState("networkidle");
  const rows = await Promise.all(files);
  const sum = (/** @type {(r: [string, number, number]) => boolean} */ pick) => rows.filter(pick).reduce((n, r) => n + r[2], 0);
  const kb = (/** @type {number} */ n) => `${(n / 1000).toFixed(0)} kB`;
  console.log(`${path}: ${rows.length} files, ${kb(sum(() => true))} gzipped (wasm ${kb(sum((r) => r[0].endsWith(".wasm")))}, the rest ${kb(sum((r) => !r[0].endsWith(".wasm")))})`);
  await page.close();
}
await browser.close();
