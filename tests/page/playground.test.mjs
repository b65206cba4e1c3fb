// The expression playground as a person uses it, in headless Chromium driven by Playwright.
// `./build.sh test` serves www/ and sets GRADSCOPE_URL; screenshots go to screenshots/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { launch, URL_BASE } from "./browser.mjs";

const SHOTS = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A fresh page at `hash`, ready when the first graph is drawn; fails on any page error. */
async function open(hash = "") {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => {
    errors.push(`unexpected dialog: ${d.message()}`);
    d.dismiss();
  });
  await page.goto(`${URL_BASE}/index.html${hash}`);
  await page.waitForFunction(() => window.gradscope?.ready === true, null, { polling: 50, timeout: 15000 });
  return { page, errors };
}

async function typeExpression(page, text) {
  await page.fill("#expr", text);
}

async function setVariable(page, name, value) {
  await page.fill(`input[type=number][data-var="${name}"]`, String(value));
}

const grad = (page, name) => page.getAttribute(`td[data-var="${name}"]`, "data-grad");

/** Distinct edge colours on the canvas: saturated pixels, by hue bucket. */
async function edgeColours(page) {
  return page.evaluate(() => {
    const c = document.querySelector("#graph");
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const buckets = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      if (a < 200 || max - min < 90) continue; // greys, text, background
      const key = `${r >> 4},${g >> 4},${b >> 4}`;
      buckets.set(key, (buckets.get(key) || 0) + 1);
    }
    return [...buckets.entries()].filter(([, n]) => n >= 40).map(([k]) => k);
  });
}

test("the lecture's first expression gives its gradients", async () => {
  const { page, errors } = await open();
  await typeExpression(page, "ln(x1)+x1*x2-sin(x2)");
  await setVariable(page, "x1", 2);
  await setVariable(page, "x2", 5);
  assert.equal(Number(await grad(page, "x1")), 5.5);
  const g2 = Number(await grad(page, "x2"));
  assert.ok(Math.abs(g2 - 1.7163378145367738) < 1e-12, `∂f/∂x2 = ${g2}`);
  assert.ok(Math.abs(Number(await page.getAttribute("td[data-value]", "data-value")) - 11.652071455223084) < 1e-12);
  const colours = await edgeColours(page);
  assert.ok(colours.length >= 2, `edges drawn in ${colours.length} colours: ${colours}`);
  await page.screenshot({ path: `${SHOTS}lecture.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a syntax error is shown under the box, the page stays alive and recovers", async () => {
  const { page, errors } = await open();
  await typeExpression(page, "ln(x1)+x1*x2-sin(x2)");
  await typeExpression(page, "ln(x1 + x2 *");
  await page.waitForSelector("#expr-error:not([hidden])");
  const message = await page.textContent("#expr-error .message");
  assert.match(message, /expected a number, variable or '\(' after '\*'/);
  assert.equal(await page.getAttribute("#expr", "aria-invalid"), "true");
  await page.screenshot({ path: `${SHOTS}error.png` });
  // The last good graph's numbers are still there.
  assert.equal(Number(await grad(page, "x2")) !== 0, true);
  await typeExpression(page, "ln(x1 + x2 * 2)");
  await page.waitForSelector("#expr-error", { state: "hidden" });
  assert.ok(await grad(page, "x1"));
  assert.deepEqual(errors, []);
  await page.close();
});

test("user text is never HTML", async () => {
  const { page, errors } = await open();
  await typeExpression(page, "<img src=x onerror=alert(1)>");
  await page.waitForSelector("#expr-error:not([hidden])");
  assert.equal(await page.textContent("#expr-error .message"), "unexpected character '<'");
  assert.equal(await page.locator("#expr-error img").count(), 0);
  // The same through the URL.
  const { page: p2, errors: e2 } = await open(`#e=${encodeURIComponent("<img src=x onerror=alert(1)>")}`);
  assert.equal(await p2.locator("img").count(), 0);
  assert.deepEqual([...errors, ...e2], []);
  await page.close();
  await p2.close();
});

test("the URL carries the state and a link restores it", async () => {
  const { page } = await open();
  await typeExpression(page, "x*y");
  await setVariable(page, "x", 3);
  await setVariable(page, "y", -4);
  // The URL is written shortly after the last change (browsers rate-limit history updates).
  await page.waitForFunction(() => location.hash.includes("y=-4"), null, { polling: 50, timeout: 5000 });
  const hash = new URL(page.url()).hash;
  assert.match(hash, /e=x\*y/);
  const { page: p2, errors } = await open(hash);
  assert.equal(await p2.inputValue("#expr"), "x*y");
  assert.equal(Number(await grad(p2, "x")), -4);
  assert.equal(Number(await grad(p2, "y")), 3);
  // A hand-typed '+' means plus, not a space.
  const { page: p4 } = await open("#e=x+y&x=2&y=3");
  assert.equal(await p4.inputValue("#expr"), "x+y");
  assert.equal(await p4.getAttribute("td[data-value]", "data-value"), "5");
  await p4.close();
  // Nonsense in the URL is ignored, not obeyed.
  const { page: p3, errors: e3 } = await open("#e=x%2By&x=banana&y=1e999");
  assert.equal(await p3.inputValue("#expr"), "x+y");
  assert.equal(await p3.inputValue('input[data-var="x"]'), "1");
  assert.deepEqual([...errors, ...e3], []);
  await Promise.all([page.close(), p2.close(), p3.close()]);
});

test("non-finite values are shown as such", async () => {
  const { page, errors } = await open("#e=ln(x)%20%2B%201%2Fy&x=-1&y=0");
  assert.equal(await page.getAttribute("td[data-value]", "data-value"), "NaN");
  assert.equal(await page.textContent("td[data-value]"), "NaN");
  assert.equal(await grad(page, "y"), "-Infinity");
  assert.equal(await page.textContent('td[data-var="y"]'), "−∞");
  assert.deepEqual(errors, []);
  await page.close();
});

test("stepping backward narrates the chain rule and sums at fan-out", async () => {
  const { page, errors } = await open("#e=x1*x2%2Bsin(x2)&x1=2&x2=5");
  await page.check("input[name=direction][value=backward]");
  const captions = [];
  for (let i = 0; i < 5; i++) {
    await page.click("#step");
    captions.push(await page.textContent("#step-caption"));
  }
  assert.match(captions[0], /∂f\/∂f = 1/);
  assert.ok(captions.some((c) => /used on 2 paths, so its gradients are summed/.test(c)), captions.join("\n"));
  await page.screenshot({ path: `${SHOTS}backward-step.png` });
  await page.check("input[name=direction][value=forward]");
  await page.click("#step");
  await page.click("#step");
  assert.match(await page.textContent("#step-caption"), /^2\/5/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("forward mode gives one partial per pass", async () => {
  const { page, errors } = await open("#e=ln(x1)%2Bx1*x2-sin(x2)&x1=2&x2=5");
  await page.selectOption("#tangent-var", "0");
  assert.match(await page.textContent("#tangent-note"), /∂f\/∂x1 = 5\.5/);
  await page.screenshot({ path: `${SHOTS}forward-mode.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("hovering an edge shows upstream × local", async () => {
  const { page, errors } = await open("#e=x1*x2%2Bsin(x2)&x1=2&x2=5");
  // Point at the middle of each edge in turn until one shows the chain rule.
  const edges = await page.evaluate(() => window.gradscope.view.edges.length);
  let text = null;
  for (let i = 0; i < edges && !text; i++) {
    const p = await page.evaluate((i) => window.gradscope.view.edgeMidpointClient(i), i);
    await page.mouse.move(p.x, p.y);
    const t = await page.textContent("#tooltip");
    if (t && t.includes("upstream × local")) text = t;
  }
  assert.ok(text, "no edge tooltip found");
  assert.match(text, /local .* = .*upstream .* = .*upstream × local = /s);
  await page.screenshot({ path: `${SHOTS}hover.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("measure: keystroke to redrawn graph for a 200-node expression", async () => {
  const { page, errors } = await open();
  // About 200 nodes: 40 terms of sin(x_i * x_j) + ... over 10 shared variables.
  const terms = Array.from({ length: 40 }, (_, i) => `sin(x${i % 10}*x${(i * 3) % 10}+${i})`);
  const text = terms.join("+");
  const times = [];
  for (let i = 0; i < 30; i++) {
    const t = await page.evaluate((src) => {
      const input = document.querySelector("#expr");
      input.value = src;
      const t0 = performance.now();
      input.dispatchEvent(new Event("input"));
      return performance.now() - t0;
    }, i % 2 ? text : `${text}+x0`);
    times.push(t);
  }
  const variables = await page.evaluate(() => document.querySelectorAll("td[data-grad]").length);
  const nodes = await page.evaluate(() => window.gradscope.nodes);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`keystroke→redraw, ${nodes}-node expression: median ${median.toFixed(2)} ms, max ${times.at(-1).toFixed(2)} ms`);
  const first = await page.evaluate(() => window.gradscope.firstGraphMs);
  console.log(`navigation → first drawn graph: ${first.toFixed(0)} ms`);
  await page.screenshot({ path: `${SHOTS}200-nodes.png` });
  assert.equal(variables, 10);
  assert.ok(nodes >= 200, `${nodes} nodes`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("gradient descent on the variables lowers f", async () => {
  const { page, errors } = await open("#e=(x-3)%5E2%2B(y%2B1)%5E2&x=0&y=0");
  const f = () => page.getAttribute("td[data-value]", "data-value").then(Number);
  assert.equal(await f(), 10);
  await page.fill("#lr", "0.1");
  await page.click("#descend");
  // One step: x ← 0 − 0.1·(−6) = 0.6, y ← 0 − 0.1·2 = −0.2.
  const x = Number(await page.inputValue('input[data-var="x"]'));
  const y = Number(await page.inputValue('input[data-var="y"]'));
  assert.ok(Math.abs(x - 0.6) < 1e-12 && Math.abs(y + 0.2) < 1e-12, `x = ${x}, y = ${y}`);
  await page.click("#descend-many");
  assert.ok((await f()) < 0.01, `f = ${await f()}`);
  // An unticked variable stays where it is.
  await page.uncheck('input[data-learn="y"]');
  await page.fill('input[type=number][data-var="y"]', "5");
  await page.click("#descend");
  assert.equal(await page.inputValue('input[type=number][data-var="y"]'), "5");
  assert.deepEqual(errors, []);
  await page.close();
});
