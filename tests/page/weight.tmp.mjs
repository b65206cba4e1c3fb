import { launch, URL_BASE } from "./browser.mjs";
import { gzipSync } from "node:zlib";
const b = await launch();
for (const p of ["index.html", "train.html"]) {
  const page = await b.newPage();
  const rows = [];
  page.on("response", async (r) => { try { const body = await r.body(); rows.push([r.url().replace(URL_BASE, ""), body.length, gzipSync(body, { level: 6 }).length]); } catch {} });
  await page.goto(`${URL_BASE}/${p}`);
  await page.waitForFunction(() => window.gradscope?.ready === true);
  await page.waitForTimeout(500);
  rows.sort((a,b)=>b[2]-a[2]); if (p==="index.html") for (const r of rows.slice(0,15)) console.log(r.join(" "));
  let raw = 0, gz = 0, js = 0;
  for (const [u, a, g] of rows) { raw += a; gz += g; if (!u.endsWith(".wasm")) js += g; }
  console.log(p, rows.length, "files", raw, "raw", gz, "gz", js, "gz without wasm");
  await page.close();
}
await b.close();
