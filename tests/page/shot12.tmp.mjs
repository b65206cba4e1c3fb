import { launch, URL_BASE } from "./browser.mjs";
const b = await launch();
const page = await b.newPage({ viewport: { width: 1400, height: 900 } });
const errs = []; page.on("pageerror", (e) => errs.push(e.message));
async function preset(words) {
  const v = await page.$eval("#preset", (s, w) => [...s.options].find((o) => o.textContent.includes(w))?.value, words);
  await page.selectOption("#preset", v); await page.waitForTimeout(800);
}
await page.goto(`${URL_BASE}/index.html`);
await page.waitForFunction(() => window.gradscope?.ready === true);
await preset("as pasted"); await page.screenshot({ path: "screenshots/i12-lecture.png" });
await preset("unrolled four"); await page.screenshot({ path: "screenshots/i12-cell.png" });
const expand = await page.$("text=Expand all"); if (expand) { await expand.click(); await page.waitForTimeout(500); }
await page.screenshot({ path: "screenshots/i12-cell-expanded.png" });
await preset("a branch"); await page.screenshot({ path: "screenshots/i12-branch-pos.png" });
await page.fill("#var-x, input[name=x]", "-1").catch(() => {});
await page.waitForTimeout(800); await page.screenshot({ path: "screenshots/i12-branch-neg.png" });
await preset("fully connected"); await page.waitForTimeout(800); await page.screenshot({ path: "screenshots/i12-fc.png" });
console.log(errs);
await b.close();
