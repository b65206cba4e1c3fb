// The expression playground as a person uses it, in headless Chromium driven by Playwright.
// `./build.sh test` serves www/ and sets GRADSCOPE_URL; screenshots go to screenshots/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, settled, usePlayground, typeText } from "./playground-page.mjs";

const { open } = usePlayground();

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
  await typeText(page, "ln(x1)+x1*x2-sin(x2)");
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
  await typeText(page, "ln(x1)+x1*x2-sin(x2)");
  await typeText(page, "ln(x1 + x2 *");
  await page.waitForSelector("#expr-error:not([hidden])");
  const message = await page.textContent("#expr-error .message");
  assert.match(message, /expected a number, variable or '\(' after '\*'/);
  assert.equal(await page.getAttribute("#expr", "aria-invalid"), "true");
  await page.screenshot({ path: `${SHOTS}error.png` });
  // The last good graph's numbers are still there.
  assert.equal(Number(await grad(page, "x2")) !== 0, true);
  await typeText(page, "ln(x1 + x2 * 2)");
  await page.waitForSelector("#expr-error", { state: "hidden" });
  assert.ok(await grad(page, "x1"));
  assert.deepEqual(errors, []);
  await page.close();
});

test("user text is never HTML", async () => {
  const { page, errors } = await open();
  await typeText(page, "<img src=x onerror=alert(1)>");
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
  await typeText(page, "x*y");
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

// ---- what the page shows must be true (issue: defects a newcomer found) ----------------

const PRESET_COUNT = 9;

/** The fragment the page wrote, once it has settled on `text`. */
async function writtenHash(page, text) {
  await page.waitForFunction(
    (t) => {
      const m = location.hash.match(/^#e=([^&]*)/);
      return m && decodeURIComponent(m[1]) === t;
    },
    text,
    { polling: 50, timeout: 5000 },
  );
  return new URL(page.url()).hash;
}

/** What a person sees of the view: the text, the values, the result and the graph's size. */
function viewOf(page) {
  return page.evaluate(() => ({
    text: document.querySelector("#expr").value,
    error: document.querySelector("#expr-error").hidden ? null : document.querySelector("#expr-error .message").textContent,
    values: [...document.querySelectorAll("input[type=number][data-var]")].map((i) => [i.dataset.var, i.value]),
    fixed: [...document.querySelectorAll("input[data-learn]")].filter((i) => !i.checked).map((i) => i.dataset.learn),
    tangent: document.querySelector("#tangent-var").value,
    f: document.querySelector("td[data-value]")?.dataset.value,
    nodes: window.gradscope.nodes,
  }));
}

test("every preset's link, and typed text with spaces and typographic operators, reopen as the same view", async () => {
  const { page, errors } = await open();
  const cases = [];
  for (let i = 0; i < PRESET_COUNT; i++) {
    await page.selectOption("#preset", String(i));
    await settled(page);
    const text = await page.inputValue("#expr");
    cases.push({ name: `preset ${i}`, text, hash: await writtenHash(page, text), view: await viewOf(page) });
  }
  for (const text of ["x * y - 2", "x1·x2 − sin(x2)", "a × b ÷ (c + 1)", "  (w  +  1 )  ^ 2 "]) {
    await typeText(page, text);
    cases.push({ name: JSON.stringify(text), text, hash: await writtenHash(page, text), view: await viewOf(page) });
  }
  assert.ok(cases.filter((c) => c.text.includes(" ")).length >= 6, "presets and texts with spaces are covered");
  for (const c of cases) {
    assert.equal(c.view.error, null, `${c.name} parses`);
    assert.ok(!c.hash.includes("+") || !c.text.includes(" "), `${c.name}: a space is not written as '+': ${c.hash}`);
    const { page: again, errors: e2 } = await open(c.hash);
    assert.deepEqual(await viewOf(again), c.view, `${c.name} reopens as the same view from ${c.hash}`);
    assert.deepEqual(e2, []);
    await again.close();
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("held variables, the forward-mode input and the rate are in the link too, and an edited fragment is followed", async () => {
  const { page, errors } = await open("#e=w*x%20%2B%20b&w=2&x=3&b=1");
  await page.uncheck('input[data-learn="x"]');
  await page.selectOption("#tangent-var", "1");
  await page.fill("#lr", "0.05");
  await page.waitForFunction(() => location.hash.includes("rate=0.05") && location.hash.includes("tangent=x"), null, { polling: 50, timeout: 5000 });
  const view = await viewOf(page);
  const { page: again } = await open(new URL(page.url()).hash);
  assert.deepEqual(await viewOf(again), view);
  assert.equal(await again.inputValue("#lr"), "0.05");
  assert.equal(await again.isChecked("input[name=direction][value=tangent]"), true);
  await again.close();
  // Editing the fragment in the same tab is a new link: the page follows it.
  await page.evaluate(() => {
    location.hash = "#e=x%20-%201&x=7";
  });
  await page.waitForFunction(() => document.querySelector("#expr").value === "x - 1", null, { polling: 50, timeout: 5000 });
  assert.equal(await page.getAttribute("td[data-value]", "data-value"), "6");
  assert.deepEqual(errors, []);
  await page.close();
});

/** What the view draws as node `id`'s gradient row now. */
const gradRow = (page, id) => page.evaluate((id) => window.gradscope.view.gradText(id), id);

test("backward step-through shows '+ …' exactly while a consumer has not passed its share", async () => {
  const { page, errors } = await open("#e=ln(x1)%2Bx1*x2-sin(x2)&x1=2&x2=5");
  const nodes = await page.evaluate(() => window.gradscope.view.nodes);
  // The consumers of each node, from the engine's report, independently of the stepper.
  const consumers = nodes.map((n) => nodes.filter((m) => m.inputs.includes(n.id)).map((m) => m.id));
  const fmt6 = (x) => String(Number(x.toPrecision(6))).replace("-", "−");
  await page.check("input[name=direction][value=backward]");
  const total = await page.evaluate(() => document.querySelector("#step-progress").max);
  const visited = new Set();
  let steps = 0;
  let sawPartial = false;
  while (true) {
    await page.click("#step");
    const current = await page.evaluate(() => window.gradscope.view.overlay.current);
    if (visited.has(current)) break; // the last step was shown already
    visited.add(current);
    steps++;
    for (const n of nodes) {
      const text = await gradRow(page, n.id);
      const passed = consumers[n.id].filter((c) => visited.has(c)).length;
      const want =
        n.op === "constant"
          ? "constant"
          : visited.has(n.id) || (consumers[n.id].length > 0 && passed === consumers[n.id].length)
            ? `∂ ${fmt6(n.grad[0])}`
            : passed === 0
              ? "∂ ?"
              : "+ …";
      if (want === "+ …") {
        sawPartial = true;
        assert.ok(text.endsWith(" + …"), `step ${steps}: ${n.label} (${passed}/${consumers[n.id].length} consumers passed) shows ${text}`);
      } else {
        assert.equal(text, want, `step ${steps}: ${n.label} (${passed}/${consumers[n.id].length} consumers passed)`);
      }
    }
    if (steps === 4) {
      const x2 = nodes.find((n) => n.label === "x2").id;
      assert.equal(await gradRow(page, x2), "∂ 1.71634", "at step 4 both consumers of x2 have passed: its gradient is complete");
      await page.screenshot({ path: `${SHOTS}backward-step-4.png` });
    }
    if (steps > nodes.length) break;
  }
  assert.ok(total >= 0 && steps >= 6, `${steps} steps`);
  assert.ok(sawPartial, "the example has a moment where a sum is half done (x1 or x2)");
  assert.deepEqual(errors, []);
  await page.close();
});

test("forward mode speaks of tangents everywhere: labels, tooltips, legend and the mode control", async () => {
  const { page, errors } = await open("#e=ln(x1)%2Bx1*x2-sin(x2)&x1=2&x2=5");
  await page.selectOption("#tangent-var", "1"); // ẋ2 = 1
  assert.equal(await page.isChecked("input[name=direction][value=tangent]"), true);
  assert.equal(await page.isChecked("input[name=direction][value=backward]"), false);
  assert.match(await page.textContent("#legend-quantity"), /tangent/);
  const edges = await page.evaluate(() => {
    const v = window.gradscope.view;
    return v.edges.map((e, i) => ({ i, from: v.nodes[e.from].label, to: v.nodes[e.to].op }));
  });
  const sinEdge = edges.find((e) => e.from === "x2" && e.to === "sin");
  const sinNode = await page.evaluate((i) => window.gradscope.view.edges[i].to, sinEdge.i);
  const x2 = await page.evaluate((i) => window.gradscope.view.edges[i].from, sinEdge.i);
  const label = (await page.evaluate(() => window.gradscope.view.edgeLabels())).find((l) => l.from === x2 && l.to === sinNode);
  assert.equal(label?.text, "0.283662", "the x2 → sin edge carries the tangent cos(5) · 1");
  const p = await page.evaluate((i) => window.gradscope.view.edgeMidpointClient(i), sinEdge.i);
  await page.mouse.move(p.x, p.y);
  const tip = await page.textContent("#tooltip");
  assert.match(tip, /tangent of x2 {2}ẋ = 1/);
  assert.match(tip, /local × tangent = 0\.283662/);
  assert.doesNotMatch(tip, /upstream/);
  await page.screenshot({ path: `${SHOTS}forward-mode-tangents.png` });
  // Step-through in forward mode carries tangents node by node.
  await page.click("#step");
  assert.match(await page.textContent("#step-caption"), /^1\/\d+\. x1: ẋ = 0/);
  // Back to the backward pass: every word is about gradients again.
  await page.check("input[name=direction][value=backward]");
  assert.equal(await page.inputValue("#tangent-var"), "");
  assert.match(await page.textContent("#legend-quantity"), /gradient/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a constant shows that it takes no gradient, never a false ∂ 0", async () => {
  const { page, errors } = await open("#e=0.5*(w1%5E2%2Bw2%5E2)&w1=0.5&w2=-0.3");
  const nodes = await page.evaluate(() => window.gradscope.view.nodes);
  const constants = nodes.filter((n) => n.op === "constant");
  assert.equal(constants.length, 3, "0.5 and two exponents");
  for (const c of constants) assert.equal(await gradRow(page, c.id), "constant", c.label);
  for (const n of nodes.filter((n) => n.op !== "constant")) assert.match(await gradRow(page, n.id), /^∂ /);
  const labels = await page.evaluate(() => window.gradscope.view.edgeLabels());
  const fromConstant = labels.filter((l) => constants.some((c) => c.id === l.from));
  assert.deepEqual(fromConstant, [], "no number is printed on an edge out of a constant");
  await page.screenshot({ path: `${SHOTS}constants.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("leaving the real domain is marked at the node that did it, and explained", async () => {
  const { page, errors } = await open("#e=ln(x)&x=-1");
  const note = await page.textContent("#not-finite");
  assert.match(note, /ln of a negative number \(x = -1\) is not a real number/);
  assert.match(note, /f is not a real number here/);
  assert.equal(await page.textContent("#gradcheck tbody td:last-child"), "f undefined");
  const ln = (await page.evaluate(() => window.gradscope.view.nodes)).find((n) => n.op === "ln");
  assert.match(ln.not_finite, /negative/);
  const r = await page.evaluate((id) => window.gradscope.view.nodeScreenRect(id), ln.id);
  const box = await page.locator("#graph").boundingBox();
  await page.mouse.move(box.x + (r.x0 + r.x1) / 2, box.y + (r.y0 + r.y1) / 2);
  assert.match(await page.textContent("#tooltip"), /ln of a negative number/);
  await page.screenshot({ path: `${SHOTS}domain.png` });
  // Back inside the domain, the note goes.
  await setVariable(page, "x", 2);
  assert.equal(await page.isHidden("#not-finite"), true);
  // An infinite slope with a finite value is explained too.
  await typeText(page, "sqrt(x)");
  await setVariable(page, "x", 0);
  assert.match(await page.textContent("#not-finite"), /slope of sqrt is infinite/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("after a parse error the old numbers are marked as the last good expression's", async () => {
  const { page, errors } = await open("#e=x*y&x=3&y=-4");
  await typeText(page, "x*(y");
  await page.waitForSelector("#expr-error:not([hidden])");
  for (const id of ["#results", "#gradcheck"]) {
    assert.equal(await page.evaluate((id) => document.querySelector(id).classList.contains("stale"), id), true, id);
    assert.equal(await page.evaluate((id) => getComputedStyle(document.querySelector(id)).opacity, id), "0.4");
  }
  assert.match(await page.textContent("#stale-note"), /last expression that parsed: x\*y/);
  await typeText(page, "x*(y+1)");
  await page.waitForSelector("#expr-error", { state: "hidden" });
  assert.equal(await page.evaluate(() => document.querySelector("#results").classList.contains("stale")), false);
  assert.equal(await page.isHidden("#stale-note"), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test("Fit shows a 150-node graph whole, and the step-through's current node stays on screen", async () => {
  const { page, errors } = await open();
  const text = Array.from({ length: 30 }, (_, i) => `sin(x${i % 6}*x${(i * 5) % 6}+${i})`).join("+");
  await typeText(page, text);
  const n = await page.evaluate(() => window.gradscope.nodes);
  assert.ok(n >= 150, `${n} nodes`);
  await page.mouse.move(700, 400);
  await page.mouse.wheel(0, 1500); // zoom away, then ask for the whole graph again
  await page.click("#fit");
  const box = await page.locator("#graph").boundingBox();
  const inside = (r) => r.x0 >= -0.5 && r.y0 >= -0.5 && r.x1 <= box.width + 0.5 && r.y1 <= box.height + 0.5;
  const rects = await page.evaluate((n) => Array.from({ length: n }, (_, i) => window.gradscope.view.nodeScreenRect(i)), n);
  assert.ok(rects.every(inside), "every node is inside the canvas after Fit");
  const w = Math.max(...rects.map((r) => r.x1)) - Math.min(...rects.map((r) => r.x0));
  const h = Math.max(...rects.map((r) => r.y1)) - Math.min(...rects.map((r) => r.y0));
  assert.ok(w > 0.8 * box.width || h > 0.8 * box.height, `the graph fills the canvas: ${w.toFixed(0)} × ${h.toFixed(0)} of ${box.width} × ${box.height}`);
  await page.screenshot({ path: `${SHOTS}fit-150.png` });
  await page.check("input[name=direction][value=backward]");
  for (let i = 0; i < 40; i++) {
    await page.click("#step");
    const current = await page.evaluate(() => window.gradscope.view.overlay.current);
    const r = await page.evaluate((id) => window.gradscope.view.nodeScreenRect(id), current);
    assert.ok(inside(r), `step ${i + 1}: the current node is on screen`);
    assert.ok(r.x1 - r.x0 >= 112 * 0.42, "and large enough to read");
  }
  await page.screenshot({ path: `${SHOTS}step-150.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("error messages are for people: columns, the '(' pointed at, long lines kept in the sidebar, lookalike characters named", async () => {
  const { page, errors } = await open();
  await typeText(page, "(x1 + 2");
  assert.equal(await page.textContent("#expr-error .message"), "expected ')' to close the '(' at column 1");
  assert.equal(await page.textContent("#expr-error mark.related"), "(");
  const long = `${"x1+".repeat(1700)}(`;
  await typeText(page, long);
  await page.waitForSelector("#expr-error:not([hidden])");
  const fits = await page.evaluate(() => {
    const side = document.querySelector(".controls");
    const box = document.querySelector("#expr-error");
    return { side: side.scrollWidth <= side.clientWidth + 1, boxHeight: box.getBoundingClientRect().height, shown: box.textContent.length };
  });
  assert.ok(fits.side, "the sidebar does not overflow sideways");
  assert.ok(fits.shown < 400 && fits.boxHeight < 200, `the error shows the part around the mistake: ${JSON.stringify(fits)}`);
  await typeText(page, "x1·x2 − sin(x2)");
  await page.waitForSelector("#expr-error", { state: "hidden" });
  await typeText(page, "x\u00a0+ 1");
  assert.match(await page.textContent("#expr-error .message"), /no-break space \(U\+00A0\)/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("gradient descent says what happened: a bad rate, a divergence, and sliders that follow the value", async () => {
  const { page, errors } = await open("#e=x%5E4&x=10");
  for (const [rate, words] of [["-0.1", /positive/], ["", /must be a number/], ["0", /moves nothing/]]) {
    await page.fill("#lr", rate);
    await page.click("#descend");
    assert.match(await page.textContent("#descent-status"), words, `rate ${JSON.stringify(rate)}`);
    assert.equal(await page.inputValue('input[type=number][data-var="x"]'), "10", "nothing moved");
  }
  await page.fill("#lr", "1");
  await page.click("#descend-many");
  const status = await page.textContent("#descent-status");
  assert.match(status, /^Diverged: at step \d+ (x|f) would become (−)?∞/);
  const x = Number(await page.inputValue('input[type=number][data-var="x"]'));
  assert.ok(Number.isFinite(x) && Math.abs(x) > 1e6, `the last finite point is kept: x = ${x}`);
  await page.fill('input[type=number][data-var="x"]', "1000");
  const slider = await page.evaluate(() => {
    const s = document.querySelector('input[type=range][data-slider="x"]');
    return { min: Number(s.min), max: Number(s.max), value: Number(s.value) };
  });
  assert.equal(slider.value, 1000);
  assert.ok(slider.min < 1000 && 1000 < slider.max && slider.max <= 10_000, `x = 1000 inside the track: ${JSON.stringify(slider)}`);
  await page.fill('input[type=number][data-var="x"]', "1500");
  assert.equal(await page.evaluate(() => Number(document.querySelector('input[type=range][data-slider="x"]').value)), 1500, "not pinned at the end");
  await page.fill("#lr", "0.001");
  await page.fill('input[type=number][data-var="x"]', "1");
  await page.click("#descend");
  // x ← 1 − 0.001 · 4 = 0.996, and 0.996⁴ = 0.984096.
  assert.match(await page.textContent("#descent-status"), /^1 step: f 1 → 0\.984096\.$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("edge numbers on a medium graph cover no node and no other number", async () => {
  const { page, errors } = await open("#e=0.5*(w1%5E2%2Bw2%5E2)%20-%20lambda*log(sigmoid(w1*x1%2Bw2*x2))&w1=0.5&w2=-0.3&lambda=1&x1=1&x2=2");
  const { labels, nodes } = await page.evaluate(() => ({
    labels: window.gradscope.view.edgeLabels(),
    nodes: window.gradscope.view.layout.nodes,
  }));
  assert.ok(labels.length >= 10, `${labels.length} numbers drawn`);
  const W = 40; // a six-digit number in 10 px monospace is about 40 units wide
  const rect = (p) => ({ x0: p.x - W / 2, y0: p.y - 6, x1: p.x + W / 2, y1: p.y + 6 });
  const hit = (a, b) => a.x0 < b.x1 && a.x1 > b.x0 && a.y0 < b.y1 && a.y1 > b.y0;
  for (const l of labels) {
    const r = rect(l.at);
    for (const n of nodes) assert.ok(!hit(r, { x0: n.x - 56, y0: n.y - 27, x1: n.x + 56, y1: n.y + 27 }), `${l.text} on ${l.from}→${l.to} covers a node`);
    for (const m of labels) if (m !== l) assert.ok(!hit(r, rect(m.at)), `${l.text} covers ${m.text}`);
  }
  await page.screenshot({ path: `${SHOTS}medium-graph.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

// ---- tensor programs ------------------------------------------------------------------------

const numbers = (text) => text.split(",").map(Number);
const close = (a, b) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

test("a program runs in the box: logistic regression in vector form, checked by hand", async () => {
  const { page, errors } = await open();
  await typeText(page, "w = [0.5, -0.3, 0.8]\nx = [1.0, 2.0, -1.0]\np = sigmoid(w @ x)\nL = 0.5 * (w @ w) - lam * ln(p)");
  await setVariable(page, "lam", 2);
  // By hand: p = σ(w·x), L = ½‖w‖² − λ ln p, ∂L/∂λ = −ln p, ∂L/∂w = w − λ(1 − p)x.
  const w = [0.5, -0.3, 0.8];
  const x = [1, 2, -1];
  const p = 1 / (1 + Math.exp(-w.reduce((s, wi, i) => s + wi * x[i], 0)));
  const L = 0.5 * w.reduce((s, wi) => s + wi * wi, 0) - 2 * Math.log(p);
  await page.waitForFunction((want) => Math.abs(Number(document.querySelector("td[data-value]")?.dataset.value) - want) < 1e-9, L);
  assert.ok(close(Number(await page.getAttribute("td[data-value]", "data-value")), L));
  assert.ok(close(Number(await grad(page, "lam")), -Math.log(p)));
  const dw = numbers(await grad(page, "w"));
  dw.forEach((g, i) => assert.ok(close(g, w[i] - 2 * (1 - p) * x[i]), `∂L/∂w[${i}] = ${g}`));
  // A tensor's gradient reads with its shape; the tools for one expression step aside.
  assert.match(await page.textContent(`td[data-var="w"]`), /^\[3\] \[/);
  assert.equal(await page.isVisible("#program-note"), true);
  assert.equal(await page.isVisible("#gradcheck"), false);
  // A program steps through forward and backward; forward mode stays with expressions.
  assert.equal(await page.isDisabled("#step"), false);
  assert.equal(await page.isDisabled("input[name=direction][value=tangent]"), true);
  assert.match(await page.textContent("#legend-quantity"), /L2 norm/);
  await page.screenshot({ path: `${SHOTS}program-logistic.png` });

  // Back to one expression: everything returns.
  await typeText(page, "x*y");
  await page.waitForSelector("#gradcheck", { state: "visible" });
  assert.equal(await page.isDisabled("#step"), false);
  assert.equal(await page.isDisabled("input[name=direction][value=tangent]"), false);
  assert.equal(await page.isVisible("#program-note"), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a branch flips when its input crosses 0, and the graph changes with it", async () => {
  const { page, errors } = await open();
  await typeText(page, "if x > 0:\n    y = x * x\nelse:\n    y = -x\ny");
  await setVariable(page, "x", 1.5);
  await page.waitForFunction(() => document.querySelector(`td[data-var="x"]`)?.dataset.grad === "3");
  const ops = () => page.evaluate(() => window.gradscope.view.nodes.map((n) => n.op));
  assert.deepEqual(await ops(), ["input", "*"]);
  assert.equal(await page.textContent("#control-flow"), "line 1: if x > 0 → if ran (its condition is true: 1)");
  await setVariable(page, "x", -2);
  await page.waitForFunction(() => document.querySelector(`td[data-var="x"]`)?.dataset.grad === "-1");
  assert.deepEqual(await ops(), ["input", "neg"]);
  assert.equal(await page.textContent("#control-flow"), "line 1: if x > 0 → else ran (its condition is false: 0)");
  assert.equal(await page.getAttribute("td[data-value]", "data-value"), "2");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a program's run-time error is marked where it is; its lecture preset runs", async () => {
  const { page, errors } = await open();
  await typeText(page, "A = [[1, 2, 3]]\ny = A @ A");
  await page.waitForSelector("#expr-error:not([hidden])");
  assert.equal(await page.textContent("#expr-error .message"), "cannot multiply 1×3 by 1×3: inner sizes 3 and 1 differ");
  assert.equal(await page.textContent("#expr-error mark.bad"), "A @ A");
  // The lecture's recurrent cell as pasted: the slide's seed has the wrong shape, and the
  // page offers the corrected program.
  const value = await page.$eval("#preset", (s) => [...s.options].find((o) => o.textContent.includes("recurrent cell")).value);
  await page.selectOption("#preset", value);
  await settled(page);
  await page.waitForSelector("#expr-error:not([hidden])");
  assert.match(await page.textContent("#expr-error .message"), /seed is a 1×20 tensor but the output is a 20×1 tensor/);
  await page.click("#use-fix");
  await page.waitForSelector("#expr-error", { state: "hidden" });
  for (const name of ["x", "prev_h", "W_h", "W_x"]) assert.ok(await grad(page, name), `∂f/∂${name} shown`);
  assert.match(await page.textContent(`td[data-var="W_x"]`), /^20×20 \[/);
  assert.equal(numbers(await grad(page, "W_x")).length, 400);
  await page.screenshot({ path: `${SHOTS}program-lecture.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("Tab indents a program's line, Shift-Tab unindents it, and Escape then Tab leaves the box", async () => {
  const { page, errors } = await open();
  await typeText(page, "if x > 0:\n");
  await page.focus("#expr");
  await page.press("#expr", "End");
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Tab");
  assert.equal(await page.inputValue("#expr"), "if x > 0:\n    ");
  await page.keyboard.type("y = x");
  await page.keyboard.press("Shift+Tab");
  assert.equal(await page.inputValue("#expr"), "if x > 0:\ny = x");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  assert.notEqual(await page.evaluate(() => document.activeElement?.id), "expr");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a link carries a program, lines and all", async () => {
  const text = "y = a\nfor i in range(5):\n    y = 0.5 * (y + a / y)\ny";
  const { page, errors } = await open(`#e=${encodeURIComponent(text)}&a=2`);
  assert.equal(await page.inputValue("#expr"), text);
  // Newton's iterations for √2, and the derivative of the iterate, 1/(2√2).
  await page.waitForFunction(() => document.querySelector(`td[data-var="a"]`));
  assert.ok(Math.abs(Number(await page.getAttribute("td[data-value]", "data-value")) - Math.SQRT2) < 1e-12);
  assert.ok(Math.abs(Number(await grad(page, "a")) - 1 / (2 * Math.SQRT2)) < 1e-9);
  assert.equal(await page.textContent("#control-flow"), "line 2: for i in range(5) ran 5 times");
  assert.deepEqual(errors, []);
  await page.close();
});
