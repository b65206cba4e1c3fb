// Accessibility (issue 14, part 6): an axe-core audit of every page with no serious or
// critical violation; the graph by keyboard (Tab to it, arrows along its edges, Enter for
// the chain rule); the table of nodes that mirrors it; live regions for results and
// errors; and Tab reaching every control of every page with a visible focus.
// `./build.sh test` serves www/ and sets GRADSCOPE_URL; screenshots go to screenshots/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { SHOTS, preset, tourFrame, usePlayground, typeText } from "./playground-page.mjs";
import { nodeName } from "../../www/js/ops.js";
import { show } from "../../www/js/tensor.js";

const { open, openPath, openTraining, openTour } = usePlayground();
const AXE = createRequire(import.meta.url).resolve("axe-core");

/** A program with a loop (its iterations are groups), tensor leaves small enough for grids,
 * and a free scalar: most of what the playground can show at once. */
/** The lecture's f at the slide's point, for the exercises' states. */
const EXERCISE = "#e=ln(x1)%2Bx1*x2-sin(x2)&x1=2&x2=5";

const PROGRAM = "seed(0)\nW = randn(3, 3)\nh = randn(3, 1)\nfor t in range(3):\n    h = tanh(W @ h)\nL = a * sum(h * h)";

/** axe-core's violations on the page as it is now, each printed with its targets for the
 * log; the serious and critical ones returned. */
async function audit(page, what, { all = false } = {}) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    // @ts-ignore: axe is the script just added
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n")[1]?.trim() ?? ""}`) }));
  });
  console.log(`axe, ${what}: ${violations.length} violation${violations.length === 1 ? "" : "s"}`);
  for (const v of violations) {
    console.log(`  [${v.impact}] ${v.id}: ${v.help}`);
    for (const t of v.targets) console.log(`      ${t}`);
  }
  return all ? violations : violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** The tour at `hash`, once the frame of its step is ready. */
async function openTourReady(hash, viewport) {
  const opened = await openTour(hash, viewport);
  await tourFrame(opened.page, Number(hash.match(/\d+/)?.[0] ?? 1));
  return opened;
}

/** The element with the focus, as a selector-ish name. */
const focused = (page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    return e ? `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}` : "";
  });

/** What the graph's live region says now. */
const graphSaid = (page) => page.textContent("#graph-said");

/** The keyboard's current node or box, as the canvas names it. */
const current = (page) => page.getAttribute("#graph", "data-current");

/** The playground on PROGRAM with the node panel open on the loop's first matmul: values,
 * local Jacobian, whole Jacobian. */
async function openProgramPanel() {
  const opened = await open();
  const { page } = opened;
  await typeText(page, PROGRAM);
  await page.waitForFunction(() => (window.gradscope.view.structure?.groups.length ?? 0) > 0);
  await page.evaluate(() => {
    const v = window.gradscope.view;
    v.onSelect(v.nodes.find((n) => n.op === "matmul").id);
  });
  await page.waitForSelector("#node-panel:not([hidden])");
  return opened;
}

test("axe finds no serious or critical violation on any page", async () => {
  /** @type {[string, import("playwright-core").Page, string[]][]} */
  const pages = [];
  const { page: plain, errors: e1 } = await open();
  pages.push(["the playground, its first expression", plain, e1]);

  const { page: program, errors: e2 } = await openProgramPanel();
  assert.ok((await program.locator(".leaf-grid button.cell").count()) >= 12, "the tensor leaves have grids");
  await program.click("#table-toggle"); // the table of nodes shown, too
  pages.push(["the playground, a program with groups, grids, the node panel and the table", program, e2]);

  const { page: cell, errors: e3 } = await open();
  await preset(cell, "unrolled four steps");
  await cell.click("#expand-all");
  await cell.evaluate(() => {
    const v = window.gradscope.view;
    v.onSelect(v.nodes.find((n) => n.op === "tanh").id);
  });
  await cell.waitForSelector("#node-panel:not([hidden])");
  pages.push(["the playground, the unrolled cell expanded, a 20-row tensor's panel", cell, e3]);

  // An exercise (exercise.test.mjs): one answer right, one wrong, one revealed, one not a number.
  const { page: quiz, errors: e6 } = await openPath(`index.html?quiz=grad:x1,grad:x2,local:n5.0,value:n4${EXERCISE}`);
  await quiz.fill(".exercise-item:nth-child(1) input", "5.5");
  await quiz.fill(".exercise-item:nth-child(2) input", "3");
  await quiz.fill(".exercise-item:nth-child(4) input", "ln(");
  await quiz.click("#exercise-check");
  await quiz.click(".exercise-item:nth-child(3) .exercise-reveal");
  assert.deepEqual(await quiz.$$eval(".exercise-item", (li) => li.map((l) => l.dataset.status)), ["right", "wrong", "revealed", "invalid"]);
  pages.push(["the playground, an exercise checked", quiz, e6]);
  const { page: builder, errors: e7 } = await openPath(`index.html${EXERCISE}`);
  await builder.click("#make-exercise");
  await builder.click("#exercise-builder button[data-quick=inputs]");
  pages.push(["the playground, the exercise builder open", builder, e7]);
  const { page: quizEmbed, errors: e8 } = await openPath(`index.html?embed=1&quiz=grad:x1${EXERCISE}`, { width: 800, height: 520 });
  pages.push(["the playground, an exercise embedded", quizEmbed, e8]);

  const { page: train, errors: e4 } = await openTraining();
  pages.push(["the training page", train, e4]);
  const { page: bench, errors: e5 } = await openPath("bench.html");
  pages.push(["the benchmarks page, not run", bench, e5]);
  const { page: tour, errors: e9 } = await openTourReady("#step=13");
  pages.push(["the tour, its Jacobians step", tour, e9]);
  // The tour is new: not even a minor violation (axe audits the frame's page as its own).
  assert.deepEqual(await audit(tour, "the tour, every violation", { all: true }), [], "the tour: no violation at all");
  await tour.click("#tour-next");
  await tourFrame(tour, 14);
  // Its tables, notes and targets after a run (tiny samples: the state, not the numbers).
  const { page: benchRun, errors: e10 } = await openPath("bench.html?auto=1&quick=1&keystroke=0");
  await benchRun.waitForFunction(() => document.title === "DONE", null, { polling: 250, timeout: 300_000 });
  pages.push(["the benchmarks page after a quick run", benchRun, e10]);

  for (const [what, page, errors] of pages) {
    const bad = await audit(page, what);
    assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.targets.join(" | ")}`), [], `${what}: no serious or critical violation`);
    assert.deepEqual(errors, [], what);
  }
  await program.screenshot({ path: `${SHOTS}a11y-program-panel.png`, fullPage: true });
  for (const [, page] of pages) await page.close();
});

test("axe finds no serious or critical violation in the dark theme, nor with the colour-blind-safe palette", async () => {
  for (const safe of [false, true]) {
    for (const [what, path, size] of /** @type {const} */ ([
      ["the playground", "index.html", { width: 1280, height: 800 }],
      ["the training page", "train.html", { width: 1400, height: 900 }],
      ["the benchmarks page", "bench.html", { width: 1280, height: 800 }],
      ["the playground at 390 px", "index.html", { width: 390, height: 844 }],
      ["an exercise", `index.html?quiz=grad:x1,local:n5.0${EXERCISE}`, { width: 1280, height: 800 }],
      ["the tour, its computation-graph step", "tour.html#step=4", { width: 1280, height: 800 }],
      ["the tour at 390 px, its training step", "tour.html#step=14", { width: 390, height: 844 }],
    ])) {
      const { page, errors } = path.startsWith("tour.html") ? await openTourReady(path.slice(9), { ...size, colorScheme: "dark" }) : await openPath(path, { ...size, colorScheme: "dark" });
      if (safe) await page.check("#palette-safe");
      const name = `${what}, dark${safe ? ", colour-blind safe" : ""}`;
      const bad = await audit(page, name);
      assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.targets.join(" | ")}`), [], `${name}: no serious or critical violation`);
      assert.deepEqual(errors, [], name);
      await page.close();
    }
  }
});

test("the graph by keyboard: Tab to it, arrows along the edges of ln(x1)+x1*x2-sin(x2), Enter for the chain rule, Escape back", async () => {
  const { page, errors } = await open();
  assert.equal(await page.inputValue("#expr"), "ln(x1)+x1*x2-sin(x2)");
  const names = await page.evaluate(() => window.gradscope.view.nodes.map((n) => `${n.op}:${n.label}`));
  assert.deepEqual(names, ["input:x1", "input:x2", "ln:ln", "*:*", "+:+", "sin:sin", "-:-"], "the graph the test walks");

  // The canvas is the next stop after the toolbar, described, and starts at the output.
  await page.focus("#fit");
  await page.keyboard.press("Tab");
  assert.equal(await focused(page), "canvas#graph");
  assert.equal(await page.getAttribute("#graph", "role"), "application");
  assert.match(await page.textContent("#graph-help"), /Arrow keys move from node to node along the edges/);
  assert.equal(await current(page), "(−)#6");
  assert.match(await graphSaid(page), /^\(−\)#6: value 11\.6521, gradient 1; inputs \(\+\)#4, sin#5; the output$/);
  // Its ring is drawn on the canvas, and the canvas has its own outline.
  assert.deepEqual(await page.evaluate(() => [window.gradscope.view.focusItem, window.gradscope.view.focusShown]), [6, true]);
  const ring = await page.$eval("#graph", (c) => [getComputedStyle(c).outlineStyle, getComputedStyle(c).outlineWidth]);
  assert.deepEqual(ring, ["solid", "3px"]);

  /** Presses `key` and checks the node it makes current, and what is said. */
  const press = async (key, name, said) => {
    await page.keyboard.press(key);
    assert.equal(await current(page), name, `${key} goes to ${name}`);
    if (said) assert.match(await graphSaid(page), said, `${key}: what is said`);
    const item = await page.evaluate(() => window.gradscope.view.focusItem);
    assert.equal(nodeName((await page.evaluate((i) => window.gradscope.view.nodes[i], item))), name, "the ring is on it");
  };
  // ← to the first input of −, ↓ to its second, ← to sin's input, → back along the same edge.
  await press("ArrowLeft", "(+)#4", /^\(\+\)#4: value 10\.6931, gradient 1; input 1 of 2 of \(−\)#6; inputs ln#2, \(×\)#3; feeds \(−\)#6$/);
  await press("ArrowDown", "sin#5", /^sin#5: value −0\.958924, gradient −1; input 2 of 2 of \(−\)#6; inputs x2; feeds \(−\)#6$/);
  await press("ArrowDown", "sin#5", /\(the last\)$/);
  await press("ArrowLeft", "x2", /^x2, input: value 5, gradient 1\.71634; no inputs; feeds \(×\)#3, sin#5$/);
  await press("ArrowLeft", "x2", /has no inputs: it is a leaf/);
  await press("ArrowRight", "sin#5", /2 of 2 fed by x2/);
  // ↑ after → : the other node x2 feeds.
  await press("ArrowUp", "(×)#3", /^\(×\)#3: value 10, gradient 1; 1 of 2 fed by x2; inputs x1, x2; feeds \(\+\)#4$/);
  await press("Home", "x1", /^x1, input: value 2, gradient 5\.5; no inputs; feeds ln#2, \(×\)#3$/);
  // Without a move before it, ↓ goes down the column: x1, then x2.
  await press("ArrowDown", "x2");
  await press("End", "(−)#6");
  await press("ArrowRight", "(−)#6", /feeds nothing: it is the output/);
  await press("ArrowLeft", "(+)#4");
  await press("ArrowLeft", "ln#2");
  await press("ArrowDown", "(×)#3", /input 2 of 2 of \(\+\)#4/);

  // Enter: the chain rule at × as hovering shows it, with each input edge's upstream × local.
  assert.equal(await page.isHidden("#tooltip"), true);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#tooltip:not([hidden])");
  const tip = await page.textContent("#tooltip");
  assert.match(tip, /\(×\)#3 {2}\(\*\)/);
  assert.match(tip, /∂f\/∂\(×\)#3 = 1/);
  assert.match(tip, /x1 → \(×\)#3.*local {2}∂\(×\)#3\/∂x1 = 5.*upstream × local = 5/s);
  assert.match(tip, /x2 → \(×\)#3.*local {2}∂\(×\)#3\/∂x2 = 2.*upstream × local = 2/s);
  const said = await graphSaid(page);
  assert.match(said, /^\(×\)#3 {2}\(\*\); value = 10; ∂f\/∂\(×\)#3 = 1; x1 → \(×\)#3; .*upstream × local = 5; x2 → \(×\)#3; /);
  // The tooltip sits by the node.
  const [tipBox, node, canvas] = [await page.locator("#tooltip").boundingBox(), await page.evaluate(() => window.gradscope.view.nodeScreenRect(3)), await page.locator("#graph").boundingBox()];
  assert.ok(Math.abs(tipBox.x - (canvas.x + node.x1)) < 40 && Math.abs(tipBox.y - (canvas.y + node.y1)) < 40, JSON.stringify({ tipBox, node }));
  await page.screenshot({ path: `${SHOTS}a11y-graph-enter.png` });
  await page.keyboard.press("Escape");
  assert.equal(await page.isHidden("#tooltip"), true, "Escape hides the chain rule");
  assert.equal(await focused(page), "canvas#graph", "and the keys go on");
  await press("ArrowRight", "(+)#4");

  // Zoomed in far, the view follows the current node.
  for (let i = 0; i < 8; i++) await page.keyboard.press("+");
  await press("Home", "x1");
  await press("End", "(−)#6");
  const inView = await page.evaluate(() => {
    const v = window.gradscope.view;
    const r = v.nodeScreenRect(6);
    const c = v.canvas.getBoundingClientRect();
    return r.x0 >= 0 && r.y0 >= 0 && r.x1 <= c.width && r.y1 <= c.height;
  });
  assert.ok(inView, "the output is on screen after End, however far zoomed in");
  await page.screenshot({ path: `${SHOTS}a11y-graph-zoomed.png` });

  // Tab leaves the canvas (no trap), and the ring goes with the focus.
  await page.keyboard.press("Tab");
  assert.notEqual(await focused(page), "canvas#graph");
  assert.equal(await page.evaluate(() => window.gradscope.view.focusShown), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a program's graph by keyboard: Enter opens the node panel, Space collapses a loop step and expands it again", async () => {
  const { page, errors } = await open();
  await typeText(page, PROGRAM);
  await page.waitForFunction(() => (window.gradscope.view.structure?.groups.length ?? 0) > 0);
  await page.focus("#fit");
  await page.keyboard.press("Tab");
  assert.equal(await focused(page), "canvas#graph");
  // From the output back to the last step's tanh: ← along the inputs until there.
  const path = [];
  for (let i = 0; i < 6 && !(await current(page)).startsWith("tanh"); i++) {
    await page.keyboard.press("ArrowLeft");
    path.push(await current(page));
    if (!(await current(page)).startsWith("tanh")) {
      // The tensor input of a product with the scalar a: the second one, if the first is a leaf.
      const said = await graphSaid(page);
      if (/no inputs/.test(said)) await page.keyboard.press("ArrowDown");
    }
  }
  const tanh = await current(page);
  assert.match(tanh, /^tanh#\d+$/, `reached a tanh: ${path.join(" → ")}`);
  assert.match(await graphSaid(page), /^tanh#\d+: value 3×1 \[.*\] ‖·‖ = .*, gradient 3×1 \[/);
  const id = Number(tanh.split("#")[1]);

  await page.keyboard.press("Enter");
  await page.waitForSelector("#node-panel:not([hidden])");
  assert.equal(await page.textContent(".np-op"), "tanh");
  assert.equal(await page.evaluate(() => window.gradscope.panel.node), id);
  assert.equal(await focused(page), "canvas#graph", "the focus stays on the graph");
  await page.keyboard.press("Escape");
  await page.waitForSelector("#node-panel", { state: "hidden" });

  // Space: the step this tanh is in collapses to one box, which is current.
  const groups = () => page.evaluate(() => window.gradscope.view.items.filter((i) => i.kind === "group").length);
  assert.equal(await groups(), 0);
  await page.keyboard.press(" ");
  assert.equal(await groups(), 1);
  assert.match(await current(page), /^for t in range\(3\) · step 3$/);
  assert.match(await graphSaid(page), /^for t in range\(3\) · step 3: a collapsed group of 2 nodes, Enter expands it; inputs .*; feeds /);
  await page.screenshot({ path: `${SHOTS}a11y-graph-collapsed.png` });
  // Enter on the box expands it; its first node is current.
  await page.keyboard.press("Enter");
  assert.equal(await groups(), 0);
  assert.match(await current(page), /^\(matmul\)#\d+$|^matmul#\d+$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a node panel's heatmap by keyboard: arrows move its cell, the tooltip shows and says what hovering shows", async () => {
  const { page, errors } = await open();
  await typeText(page, "seed(1)\nW = randn(3, 4)\nx = randn(4, 1)\nh = W @ x\nL = sum(h * h)");
  await page.evaluate(() => {
    const v = window.gradscope.view;
    v.onSelect(v.nodes.find((n) => n.op === "matmul").id);
  });
  await page.waitForSelector("#node-panel:not([hidden])");
  const map = page.locator(".np-local canvas");
  assert.match(await map.getAttribute("aria-label"), /3 × 12, .*Arrow keys move from cell to cell/);
  await map.focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowDown");
  const tip = page.locator(".np-local .heatmap-tip");
  await tip.waitFor({ state: "visible" });
  const byKeys = await tip.textContent();
  assert.ok(byKeys.length > 0);
  const said = await page.textContent(".np-local .heatmap-said");
  assert.equal(said.replaceAll("; ", ""), byKeys, "the live region says the tooltip's lines");
  await page.locator("#node-panel").screenshot({ path: `${SHOTS}a11y-heatmap-keys.png` });
  // The same cell hovered shows the same words.
  const p = await page.evaluate(() => window.gradscope.panel.localMap.cellCenterClient(1, 1));
  await page.mouse.move(p.x, p.y);
  assert.equal(await tip.textContent(), byKeys);
  // Escape hides the tooltip first, then (the next one) closes the panel.
  await map.focus();
  await page.keyboard.press("ArrowLeft");
  await tip.waitFor({ state: "visible" });
  await page.keyboard.press("Escape");
  assert.equal(await tip.isHidden(), true);
  assert.equal(await page.isVisible("#node-panel"), true);
  await page.keyboard.press("Escape");
  await page.waitForSelector("#node-panel", { state: "hidden" });
  assert.deepEqual(errors, []);
  await page.close();
});

test("the table of nodes mirrors the graph: a row a node, its numbers the graph's and the results'; capped on a large graph", async () => {
  const { page, errors } = await open();
  await page.fill('input[type=number][data-var="x1"]', "3");
  // Rebuilt once evaluations pause, not for each.
  const before = await page.evaluate(() => window.gradscope.table.builds);
  for (const v of ["3.1", "3.2", "3.3", "3.4", "3.5"]) await page.fill('input[type=number][data-var="x1"]', v);
  await page.waitForFunction((b) => window.gradscope.table.builds > b, before);
  await page.waitForTimeout(400);
  assert.ok((await page.evaluate(() => window.gradscope.table.builds)) - before <= 2, "a build once the values settle, not one a change");

  const nodes = await page.evaluate(() => window.gradscope.view.nodes);
  const rows = await page.$$eval("#node-table tbody tr", (trs) =>
    trs.map((tr) => ({
      node: Number(/** @type {HTMLElement} */ (tr).dataset.node),
      cells: [...tr.children].map((c) => c.textContent),
      value: /** @type {HTMLElement} */ (tr.children[2]).dataset.nodeValue,
      grad: /** @type {HTMLElement} */ (tr.children[3]).dataset.nodeGrad,
    })),
  );
  assert.equal(rows.length, nodes.length);
  rows.forEach((r, k) => {
    const n = nodes[k];
    assert.equal(r.node, n.id);
    assert.equal(r.cells[0], nodeName(n));
    assert.equal(r.cells[1], n.op);
    assert.equal(r.cells[2], show(n.value, n.shape));
    assert.equal(r.value, n.value.map(String).join(","));
    assert.equal(r.grad, n.grad.map(String).join(","));
  });
  // The output's value and the inputs' gradients are the results table's.
  const results = await page.evaluate(() => ({
    f: document.querySelector("#results td[data-value]").dataset.value,
    x1: document.querySelector('#results td[data-var="x1"]').dataset.grad,
    x2: document.querySelector('#results td[data-var="x2"]').dataset.grad,
  }));
  assert.equal(rows[6].value, results.f);
  assert.equal(rows[0].grad, results.x1);
  assert.equal(rows[1].grad, results.x2);
  assert.equal(rows[0].value, "3.5");
  // Each input edge's local derivative: ∂(x1·x2)/∂x1 = x2 = 5, ∂(x1·x2)/∂x2 = x1.
  assert.equal(rows[3].cells[4], "x1: local 5, carried 5; x2: local 3.5, carried 3.5");
  assert.equal(rows[0].cells[5], "ln#2, (×)#3");
  assert.equal(await page.textContent(".node-table-note"), "7 nodes.");
  // Hidden to the eye (but not to a screen reader) until the toggle shows it.
  assert.equal(await page.$eval("#node-table", (e) => e.getBoundingClientRect().width), 1);
  await page.click("#table-toggle");
  assert.equal(await page.getAttribute("#table-toggle", "aria-pressed"), "true");
  assert.ok((await page.$eval("#node-table", (e) => e.getBoundingClientRect().width)) > 300);
  await page.locator("#node-table").screenshot({ path: `${SHOTS}a11y-node-table.png` });

  // A graph of thousands of nodes: the first rows, and a note of how many there are.
  const sum = Array.from({ length: 1200 }, (_, i) => `x*${i + 1}`).join("+");
  const t0 = Date.now();
  await typeText(page, sum);
  await page.waitForFunction(() => window.gradscope.view.nodes.length > 2000);
  await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 200);
  const total = await page.evaluate(() => window.gradscope.view.nodes.length);
  assert.equal(await page.textContent(".node-table-note"), `The first 200 of ${total.toLocaleString("en")} nodes; the canvas draws them all (click a node there for its panel).`);
  const ms = await page.evaluate(async () => {
    const t = performance.now();
    window.gradscope.table.render();
    return performance.now() - t;
  });
  // Logged, not asserted: timings on shared machines say nothing certain.
  console.log(`table of ${total} nodes: ${ms.toFixed(1)} ms a build (${Date.now() - t0} ms to the first)`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("results are said politely once values settle, errors assertively once typing pauses", async () => {
  const { page, errors } = await open();
  await page.waitForFunction(() => document.querySelector("#results-said").textContent !== "");
  await page.fill('input[type=number][data-var="x2"]', "4");
  await page.fill('input[type=number][data-var="x2"]', "5");
  await page.fill('input[type=number][data-var="x1"]', "1");
  await page.waitForFunction(() => document.querySelector("#results-said").textContent.includes("∂f/∂x1 = 6;"));
  assert.equal(await page.textContent("#results-said"), "f = 5.95892; ∂f/∂x1 = 6; ∂f/∂x2 = 0.716338");
  assert.equal(await page.getAttribute("#results-said", "aria-live"), "polite");

  await typeText(page, "ln(x1 + ");
  await page.waitForSelector("#expr-error:not([hidden])");
  assert.equal(await page.textContent("#error-said"), "", "not while a word may be half typed");
  await page.waitForFunction(() => document.querySelector("#error-said").textContent !== "", null, { timeout: 3000 });
  assert.match(await page.textContent("#error-said"), /^Error: .+\. At: .*ln\(x1 \+/);
  assert.equal(await page.getAttribute("#error-said", "aria-live"), "assertive");
  await typeText(page, "ln(x1 + 1)");
  await page.waitForSelector("#expr-error", { state: "hidden" });
  assert.equal(await page.textContent("#error-said"), "", "a corrected error is not said");
  assert.deepEqual(errors, []);
  await page.close();
});

/**
 * Tabs through the whole page from the top and returns what took the focus, and each
 * control the page has (visible, enabled, in the tab order) that it never reached. At
 * each stop, whether the focus is visible: an outline of 2 px or more (or a box shadow) on
 * the control, or on the box that draws it (the editor, a file button's label).
 * @param {import("playwright-core").Page} page
 */
async function tabThrough(page, { escapeFrom = [] } = {}) {
  await page.evaluate(() => {
    let n = 0;
    for (const e of document.querySelectorAll("*")) /** @type {HTMLElement} */ (e).dataset.tabKey ??= String(n++);
    /** @type {HTMLElement} */ (document.activeElement)?.blur();
    window.scrollTo(0, 0);
  });
  // Tab starts where the page was last clicked (or focused): at the top of the page.
  await page.mouse.click(2, 2);
  const expected = await page.evaluate(() => {
    const radios = new Set();
    return [...document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")]
      .filter((e) => {
        const h = /** @type {HTMLElement} */ (e);
        if (h.tabIndex < 0 || /** @type {HTMLInputElement} */ (h).disabled || !h.checkVisibility()) return false;
        if (h.closest("[inert], [hidden]")) return false;
        // A group of radios is one stop.
        if (h instanceof HTMLInputElement && h.type === "radio") {
          if (radios.has(h.name)) return false;
          radios.add(h.name);
        }
        return true;
      })
      .map((e) => {
        const h = /** @type {HTMLElement} */ (e);
        return { key: h.dataset.tabKey, name: `${h.tagName.toLowerCase()}${h.id ? `#${h.id}` : ""}${h.className ? `.${String(h.className).split(" ")[0]}` : ""}`, radio: h instanceof HTMLInputElement && h.type === "radio" ? h.name : null };
      });
  });
  const reached = new Map();
  const invisible = [];
  for (let i = 0; i < expected.length + 40; i++) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate(() => {
      const e = /** @type {HTMLElement} */ (document.activeElement);
      if (!e || e === document.body) return null;
      /** @param {Element} x */
      const ring = (x) => {
        const cs = getComputedStyle(x);
        return (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2) || cs.boxShadow !== "none";
      };
      // A control drawn by another box (the editor's text, a file button's input, which
      // is transparent) shows its focus on that box.
      const drawer = e.closest(".editor, .file-button");
      const own = drawer === null && getComputedStyle(e).opacity !== "0";
      return {
        key: e.dataset.tabKey,
        name: `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}`,
        radio: e instanceof HTMLInputElement && e.type === "radio" ? e.name : null,
        // A frame (the tour's view) holds the focus for its page, which decides what is
        // focus-visible in it; the frame element matches neither :focus nor :focus-visible,
        // so its ring is all there is to check.
        visible: (e instanceof HTMLIFrameElement || e.matches(":focus-visible")) && (own ? ring(e) : drawer !== null && ring(drawer)),
        rect: e.getBoundingClientRect().width > 0,
      };
    });
    if (!stop) break; // past the last control
    if (reached.has(stop.key)) break;
    reached.set(stop.key, stop);
    if (!stop.visible || !stop.rect) invisible.push(stop.name);
    if (escapeFrom.includes(stop.name)) await page.keyboard.press("Escape");
  }
  const reachedRadios = new Set([...reached.values()].map((s) => s.radio).filter(Boolean));
  const missed = expected.filter((e) => !reached.has(e.key) && !(e.radio && reachedRadios.has(e.radio))).map((e) => e.name);
  return { reached: [...reached.values()].map((s) => s.name), missed, invisible, expected: expected.length };
}

test("Tab reaches every control of every page, each with a visible focus", async () => {
  const { page: plain, errors: e1 } = await open();
  const { page: program, errors: e2 } = await openProgramPanel();
  const { page: train, errors: e3 } = await openTraining();
  const { page: bench, errors: e4 } = await openPath("bench.html");
  const { page: quiz, errors: e5 } = await openPath(`index.html?quiz=grad:x1,local:n5.0${EXERCISE}`);
  const { page: tour, errors: e6 } = await openTourReady("#step=2");
  const cases = [
    ["the playground", plain, e1, {}],
    // Its answers, Reveal, Check, Reveal all and the link out; f is read-only, still a stop.
    ["the playground with an exercise", quiz, e5, {}],
    // A program's lines take Tab for indenting; Escape gives Tab back to the page.
    ["the playground with a program and its node panel", program, e2, { escapeFrom: ["textarea#expr"] }],
    ["the training page", train, e3, {}],
    ["the benchmarks page", bench, e4, {}],
    ["the tour", tour, e6, {}],
  ];
  for (const [what, page, errors, options] of cases) {
    const { reached, missed, invisible, expected } = await tabThrough(page, options);
    console.log(`${what}: Tab reaches ${reached.length} of ${expected} controls: ${reached.join(" ")}`);
    assert.deepEqual(missed, [], `${what}: controls Tab never reaches`);
    assert.deepEqual(invisible, [], `${what}: controls whose focus is not visible`);
    assert.ok(reached.length >= expected, `${what}: ${reached.length} stops for ${expected} controls`);
    assert.deepEqual(errors, [], what);
  }
  // What the graph's and the network's stops look like.
  await plain.focus("#fit");
  await plain.keyboard.press("Tab");
  await plain.screenshot({ path: `${SHOTS}a11y-tab-graph.png` });
  await train.focus("#remove-layer");
  while ((await focused(train)) !== "canvas#network") await train.keyboard.press("Tab");
  await train.keyboard.press("ArrowRight");
  await train.waitForSelector("#network-tip:not([hidden])");
  assert.match(await train.textContent("#network-said"), /^h1\[1\]: neuron 1 of hidden layer 1/);
  await train.keyboard.press("Enter");
  assert.equal(await train.getAttribute("#network-tip", "data-target"), "edge 0 0 0");
  assert.match(await train.textContent("#network-said"), /^W1\[1,1\]: the weight from x1 to h1\[1\]/);
  await train.screenshot({ path: `${SHOTS}a11y-tab-network.png` });
  // The plot next: the arrow keys select points, said as the line under it names them.
  while ((await focused(train)) !== "canvas#plot") await train.keyboard.press("Tab");
  await train.keyboard.press("ArrowRight");
  await train.keyboard.press("ArrowRight");
  assert.equal(await train.evaluate(() => window.gradscope.selected?.() ?? Number(document.querySelector("#selected-point").dataset.point)), 1);
  assert.match(await train.textContent("#plot-said"), /^point 1: \(.*\), class \d, (train|test) · L at this point = /);
  await train.keyboard.press("End");
  const last = await train.evaluate(() => Number(document.querySelector("#selected-point").dataset.point));
  await train.keyboard.press("ArrowRight");
  assert.equal(await train.evaluate(() => Number(document.querySelector("#selected-point").dataset.point)), 0, `after the last (${last}), the first`);
  await train.keyboard.press("Escape");
  assert.equal(await train.textContent("#selected-point"), "", "Escape lets it go");
  for (const [, page] of cases) await page.close();
});
