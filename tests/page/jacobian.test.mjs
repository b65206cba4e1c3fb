// The node panel (issue 12 §2 and §4): a node of a program clicked in the graph opens its
// values, its local Jacobian beside the vector–Jacobian product, and the whole program's
// Jacobian by both modes. Numbers are checked against what the test computes itself from
// the nodes' values; screenshots go to screenshots/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, usePlayground, typeText } from "./playground-page.mjs";
import { fmt } from "../../www/js/format.js";

const { open } = usePlayground();

const FC = "seed(1)\nW = randn(3, 4)\nx = randn(4, 1)\nh = W @ x\nL = sum(h * h)";
const RELU = "z = [1.5, -2.0, 0.0, 3.0]\nh = relu(z)\nsum(h)";
const LARGE = "W = randn(300, 300)\nx = randn(300, 1)\nsum(W @ x)";
const LAYER = "seed(2)\nW = randn(4, 6)\nx = randn(6, 1)\nh = relu(W @ x)\nh.backward(ones(4, 1))";

/** The program's nodes as the graph has them. */
const graphNodes = (page) => page.evaluate(() => window.gradscope.view.nodes);

/** Clicks the (first) node of op `op` in the graph, with the graph scrolled into view. */
async function clickNode(page, op) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const node = (await graphNodes(page)).find((n) => n.op === op);
  assert.ok(node, `a ${op} node`);
  const r = await page.evaluate((id) => window.gradscope.view.nodeScreenRect(id), node.id);
  const box = await page.locator("#graph").boundingBox();
  await page.mouse.click(box.x + (r.x0 + r.x1) / 2, box.y + (r.y0 + r.y1) / 2);
  await page.waitForSelector("#node-panel:not([hidden])");
  return node;
}

/** The tooltip's first line over cell (i, j) of a heatmap (`localMap` or `wholeMap`). */
async function hoverCell(page, map, i, j) {
  await page.locator(map === "localMap" ? ".np-local canvas" : ".np-whole canvas").scrollIntoViewIfNeeded();
  const p = await page.evaluate(([m, i, j]) => window.gradscope.panel[m].cellCenterClient(i, j), [map, i, j]);
  await page.mouse.move(p.x, p.y);
  const tip = page.locator(map === "localMap" ? ".np-local .heatmap-tip .title" : ".np-whole .heatmap-tip .title");
  await tip.waitFor({ state: "visible" });
  return tip.textContent();
}

const numbers = async (page, selector) => (await page.getAttribute(selector, "data-values")).split(",").map(Number);

/** |a − b| small against the size of b. */
function close(a, b, what) {
  assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

test("an FC layer: ∂h/∂W is 3 × 12 with one block a row, and the VJP shown is 2h·xᵀ; ∂h/∂x is W itself", async () => {
  const { page, errors } = await open();
  await typeText(page, FC);
  const matmul = await clickNode(page, "matmul");
  assert.equal(await page.textContent(".np-op"), "matmul");
  assert.equal(await page.textContent(".np-name"), "h");
  assert.equal(await page.textContent(".np-shape"), "3×1");
  assert.equal(await page.textContent(".np-source code"), "W @ x");
  // The value and gradient tables are real tables, 3 rows of one column.
  assert.equal(await page.locator(".np-values table").count(), 2);
  assert.equal(await page.locator(".np-values table").first().locator("tbody tr").count(), 3);

  await page.selectOption("#np-input", { label: "W (3×4)" });
  const size = page.locator(".np-local .np-size");
  assert.equal(await size.getAttribute("data-rows"), "3");
  assert.equal(await size.getAttribute("data-cols"), "12");
  assert.equal(await size.getAttribute("data-nonzeros"), "12");
  assert.match(await size.textContent(), /3 × 12 = 36 entries · 12 non-zeros \(33\.3%\)/);
  assert.match(await page.textContent(".np-structure"), /row i of h depends only on row i of W: 3 blocks of 4 non-zeros/);
  assert.equal(await page.getAttribute(".np-local canvas", "data-nonzeros"), "12");
  assert.match(await page.getAttribute(".np-local canvas", "aria-label"), /3 × 12, 12 of 36 entries non-zero/);

  // The test's own numbers: upstream ∂L/∂h = 2h, and ∂L/∂W[i,j] = 2h[i]·x[j].
  const nodes = await graphNodes(page);
  const h = nodes[matmul.id].value;
  const x = nodes.find((n) => n.label === "x").value;
  const W = nodes.find((n) => n.label === "W").value;
  const upstream = await numbers(page, ".np-upstream");
  h.forEach((hi, i) => close(upstream[i], 2 * hi, `upstream[${i}]`));
  const vjp = await numbers(page, ".np-vjp-result");
  assert.equal(vjp.length, 12);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) close(vjp[i * 4 + j], 2 * h[i] * x[j], `∂L/∂W[${i},${j}]`);
  assert.equal(await page.getAttribute(".np-flowed", "data-maxdiff"), "0");
  assert.match(await page.textContent(".np-point"), /these 12 numbers directly, without the J's 3 × 12 = 36 entries \(288 B as float64\)/);

  // Row 1 holds x in W's row 1 (columns 4…7); elsewhere exact zeros.
  assert.equal(await hoverCell(page, "localMap", 1, 6), `∂h[1]/∂W[1,2] = ${fmt(x[2])}`);
  assert.equal(await hoverCell(page, "localMap", 0, 5), "∂h[0]/∂W[1,1] = 0 (exactly 0)");
  await page.locator("#node-panel").screenshot({ path: `${SHOTS}jacobian-fc-W.png` });

  await page.selectOption("#np-input", { label: "x (4×1)" });
  assert.equal(await size.getAttribute("data-cols"), "4");
  assert.equal(await size.getAttribute("data-nonzeros"), "12");
  assert.match(await page.textContent(".np-structure"), /∂h\/∂x is W itself/);
  assert.equal(await hoverCell(page, "localMap", 2, 1), `∂h[2]/∂x[1] = ${fmt(W[2 * 4 + 1])}`);
  const vjpX = await numbers(page, ".np-vjp-result");
  for (let j = 0; j < 4; j++) close(vjpX[j], [0, 1, 2].reduce((s, i) => s + 2 * h[i] * W[i * 4 + j], 0), `∂L/∂x[${j}]`);
  await page.locator("#node-panel").screenshot({ path: `${SHOTS}jacobian-fc-x.png` });
  await page.screenshot({ path: `${SHOTS}jacobian-page.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("ReLU: 4 × 4, diagonal 1, 0, 0, 1 where the input is > 0, exact zeros elsewhere", async () => {
  const { page, errors } = await open();
  await typeText(page, RELU);
  await clickNode(page, "relu");
  const size = page.locator(".np-local .np-size");
  assert.match(await size.textContent(), /4 × 4 = 16 entries · 2 non-zeros/);
  assert.equal(await size.getAttribute("data-nonzeros"), "2");
  assert.match(await page.textContent(".np-structure"), /diagonal, at most 4 non-zeros.*here 2 of 4 inputs are > 0/);
  const diagonal = [];
  for (let k = 0; k < 4; k++) {
    const line = await hoverCell(page, "localMap", k, k);
    assert.match(line, new RegExp(`^∂h\\[${k}\\]/∂z\\[${k}\\] = `));
    diagonal.push(Number(line.split(" = ")[1].split(" ")[0]));
  }
  assert.deepEqual(diagonal, [1, 0, 0, 1]);
  assert.equal(await hoverCell(page, "localMap", 0, 3), "∂h[0]/∂z[3] = 0 (exactly 0)");
  // Upstream ones (a sum) times the diagonal: the gradient is the mask itself.
  assert.deepEqual(await numbers(page, ".np-vjp-result"), [1, 0, 0, 1]);
  await page.mouse.move(0, 0);
  await page.locator("#node-panel").screenshot({ path: `${SHOTS}jacobian-relu.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a 300 × 90,000 Jacobian is summarised, not built, and the page stays responsive", async () => {
  const { page, errors } = await open();
  await typeText(page, LARGE);
  await clickNode(page, "matmul");
  // The page answers at once: the summary is there within the bound, no canvas drawn.
  await page.waitForFunction(() => document.querySelector(".np-local .np-refused:not([hidden])") !== null, null, { timeout: 3000 });
  assert.equal(await page.locator(".np-local .heatmap").isHidden(), true);
  assert.match(await page.textContent(".np-local .np-size"), /300 × 90,000 = 27,000,000 entries · at most 90,000 non-zeros/);
  assert.match(await page.textContent(".np-structure"), /row i of \(W @ x\) depends only on row i of W: 300 blocks of 300 non-zeros/);
  assert.match(await page.textContent(".np-local .np-refused"), /the Jacobian would be 300 × 90000, more than 4194304 entries/);
  assert.match(await page.textContent(".np-point"), /these 90,000 numbers directly, without the J's 300 × 90,000 = 27,000,000 entries \(216 MB as float64\)/);
  const t0 = Date.now();
  assert.equal(await page.evaluate(() => 1 + 1), 2);
  // A hang detector, not a timing: building the 27,000,000 entries would hold the page far longer.
  assert.ok(Date.now() - t0 < 10000, "the page answers");

  // The whole Jacobian: forward mode would need 90,000 passes and is refused; reverse takes one.
  await page.selectOption("#np-leaf", "W");
  await page.click(".np-whole button");
  await page.waitForSelector(".np-agree:not([hidden])", { timeout: 20000 });
  assert.match(await page.textContent('.np-modes tr[data-mode="forward"]'), /refused: the Jacobian needs 90000 passes/);
  assert.equal(await page.getAttribute('.np-modes tr[data-mode="reverse"] td[data-passes]', "data-passes"), "1");
  assert.match(await page.textContent(".np-whole .np-size"), /1 × 90,000 = 90,000 entries .* too large to draw/);
  await page.locator("#node-panel").screenshot({ path: `${SHOTS}jacobian-large.png` });

  // Its other input draws: ∂(W @ x)/∂x is W, 300 × 300.
  await page.selectOption("#np-input", "1");
  assert.equal(await page.getAttribute(".np-local canvas", "data-cols"), "300");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the whole Jacobian by both modes: forward fills a column a pass, reverse a row, and they agree", async () => {
  const { page, errors } = await open();
  await typeText(page, LAYER);
  await clickNode(page, "relu");
  await page.selectOption("#np-leaf", "W");
  await page.click(".np-whole button");
  await page.waitForSelector(".np-agree:not([hidden])", { timeout: 20000 });
  const table = page.locator(".np-modes");
  assert.equal(await table.getAttribute("data-rows"), "4");
  assert.equal(await table.getAttribute("data-cols"), "24");
  const passes = (mode) => page.getAttribute(`.np-modes tr[data-mode="${mode}"] td[data-passes]`, "data-passes");
  assert.equal(await passes("forward"), "24", "forward: one pass per column");
  assert.equal(await passes("reverse"), "4", "reverse: one pass per row");
  assert.equal(await page.getAttribute(".np-agree", "data-maxdiff"), "0");
  for (const mode of ["forward", "reverse"]) {
    const ms = Number(await page.getAttribute(`.np-modes tr[data-mode="${mode}"] td[data-ms]`, "data-ms"));
    assert.ok(Number.isFinite(ms) && ms > 0, `${mode}: ${ms} ms a run`);
  }
  assert.equal(await page.getAttribute(".np-whole canvas", "data-rows"), "4");
  assert.equal(await page.getAttribute(".np-whole canvas", "data-cols"), "24");
  // h = relu(W @ x): row i is x in W's row i where h[i] > 0, and all zero where it is not.
  const nodes = await graphNodes(page);
  const h = nodes.find((n) => n.op === "relu").value;
  const x = nodes.find((n) => n.label === "x").value;
  const nonzeros = Number(await page.getAttribute(".np-whole canvas", "data-nonzeros"));
  assert.equal(nonzeros, 6 * h.filter((v) => v > 0).length);
  const on = h.findIndex((v) => v > 0);
  assert.equal(await hoverCell(page, "wholeMap", on, on * 6 + 2), `∂h[${on}]/∂W[${on},2] = ${fmt(x[2])}`);
  await page.mouse.move(0, 0);
  await page.locator("#node-panel").screenshot({ path: `${SHOTS}jacobian-whole.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("the panel keeps its input as values change, and closes by ×, Escape, another graph or an expression", async () => {
  const { page, errors } = await open();
  await typeText(page, "seed(1)\nW = randn(3, 4)\nx = randn(4, 1)\nh = relu(W @ x + b)\nsum(h)");
  // A drag pans the graph and opens nothing.
  const box = await page.locator("#graph").boundingBox();
  await page.mouse.move(box.x + 40, box.y + 40);
  await page.mouse.down();
  await page.mouse.move(box.x + 120, box.y + 90, { steps: 5 });
  await page.mouse.up();
  assert.equal(await page.isHidden("#node-panel"), true);

  await clickNode(page, "+");
  await page.selectOption("#np-input", { label: "b (scalar)" });
  assert.match(await page.textContent(".np-structure"), /one column: every entry of \(W @ x \+ b\) depends on the one number b/);
  const before = await page.textContent(".np-values td");
  await page.fill('input[type=number][data-var="b"]', "2");
  await page.waitForFunction((old) => document.querySelector(".np-values td")?.textContent !== old, before, { timeout: 3000 });
  assert.equal(await page.inputValue("#np-input"), "1", "the chosen input is kept");
  assert.equal(await page.isVisible("#node-panel"), true);

  await page.click(".np-close");
  assert.equal(await page.isHidden("#node-panel"), true);
  await clickNode(page, "relu");
  // Escape in the editor is the editor's (Tab then leaves it); elsewhere it closes the panel.
  await page.focus("#expr");
  await page.keyboard.press("Escape");
  assert.equal(await page.isVisible("#node-panel"), true);
  await page.focus("#np-input");
  await page.keyboard.press("Escape");
  assert.equal(await page.isHidden("#node-panel"), true);
  await clickNode(page, "relu");
  await typeText(page, "seed(1)\nW = randn(3, 4)\nx = randn(4, 1)\nsum(W @ x)");
  assert.equal(await page.isHidden("#node-panel"), true, "another graph closes it");
  await clickNode(page, "matmul");
  await typeText(page, "x * y");
  assert.equal(await page.isHidden("#node-panel"), true, "an expression closes it");
  assert.deepEqual(errors, []);
  await page.close();
});
