// A program's graph as groups and as it changes (issue 12 §1–3): loop iterations and
// calls as boxes that collapse and expand, a branch that flips marked and said without
// losing the view, tensor nodes' heatmaps, tensor leaves as editable grids, and the code
// and the graph pointing at each other.
// `./build.sh test` serves www/ and sets GRADSCOPE_URL; screenshots go to screenshots/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, preset, usePlayground, typeText } from "./playground-page.mjs";

const { open } = usePlayground();

/** What the view lays out: nodes and groups, and which groups are collapsed. */
const items = (page) =>
  page.evaluate(() => {
    const v = window.gradscope.view;
    return {
      nodes: v.items.filter((i) => i.kind === "node").length,
      groups: v.items.filter((i) => i.kind === "group").map((i) => v.structure.groups[i.group]),
      total: v.nodes.length,
    };
  });

/** Page coordinates of the item drawing group `g` (a collapsed box), or of node `id`. */
function itemPoint(page, which) {
  return page.evaluate((which) => {
    const v = window.gradscope.view;
    const i = which.group !== undefined ? v.items.findIndex((it) => it.kind === "group" && it.group === which.group) : v.itemOf[which.node];
    const p = v.layout.nodes[i];
    const r = document.querySelector("#graph").getBoundingClientRect();
    return { x: r.left + v.view.tx + p.x * v.view.scale, y: r.top + v.view.ty + p.y * v.view.scale };
  }, which);
}

/** Where node `id` is drawn on the canvas (not the page, which may scroll to show the
 * node panel). */
const inCanvas = (page, id) =>
  page.evaluate((id) => {
    const v = window.gradscope.view;
    const p = v.layout.nodes[v.itemOf[id]];
    return { x: v.view.tx + p.x * v.view.scale, y: v.view.ty + p.y * v.view.scale };
  }, id);

const CELL_64 = "seed(0)\nW = randn(64, 64) * 0.1\nb = randn(64, 1)\nh = zeros(64, 1)\nfor t in range(200):\n    h = tanh(W @ h + b)\nL = sum(h * h)";

test("the unrolled cell starts with its steps collapsed to boxes; a click expands one in place, and all of them open and close", async () => {
  const { page, errors } = await open();
  await preset(page, "unrolled four steps");
  let now = await items(page);
  // 4 steps of 20×20 weights do not fit readable: one box a step, labelled by its source.
  assert.deepEqual(now.groups.map((g) => `${g.header} · ${g.detail}`), [1, 2, 3, 4].map((k) => `for t in range(4) · step ${k}`));
  assert.ok(now.groups.every((g) => g.collapsed && g.nodes === 5), JSON.stringify(now.groups));
  assert.match(await page.textContent("#group-note"), /4 groups collapsed/);
  await page.screenshot({ path: `${SHOTS}groups-cell-collapsed.png` });

  // Expanding step 2: its 5 nodes are drawn, and its first node is where the box was.
  const g = await page.evaluate(() => window.gradscope.view.structure.groups.findIndex((x) => x.detail === "step 2"));
  const box = await itemPoint(page, { group: g });
  await page.mouse.click(box.x, box.y);
  now = await items(page);
  assert.equal(now.groups.length, 3);
  assert.equal(now.nodes, now.total - 15);
  const first = await page.evaluate((g) => window.gradscope.view.structure.nodeGroup.indexOf(g), g);
  const moved = await itemPoint(page, { node: first });
  assert.ok(Math.hypot(moved.x - box.x, moved.y - box.y) < 2, `the step's first node stays under the click: ${JSON.stringify([box, moved])}`);
  // Its box is drawn around its nodes, with a header that collapses it again.
  const header = await page.evaluate((g) => window.gradscope.view.groupBoxes[g], g);
  assert.ok(header, "the expanded step has a box");
  await page.screenshot({ path: `${SHOTS}groups-cell-one-open.png` });

  await page.click("#expand-all");
  now = await items(page);
  assert.equal(now.groups.length, 0);
  assert.equal(now.nodes, now.total);
  // Each step's box lies right of the one before: the loop reads left to right.
  const boxes = await page.evaluate(() => window.gradscope.view.groupBoxes);
  for (let k = 1; k < 4; k++) assert.ok(boxes[k].x0 > boxes[k - 1].x1, `step ${k + 1}'s box starts after step ${k}'s ends`);
  await page.screenshot({ path: `${SHOTS}groups-cell-expanded.png` });

  await page.click("#collapse-all");
  now = await items(page);
  assert.deepEqual(now.groups.map((g) => [g.header, g.detail, g.nodes]), [["for t in range(4)", "4 steps", 20]]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a cell unrolled 200 times starts as one box for the loop, which opens onto a box a step", async () => {
  const { page, errors } = await open();
  await typeText(page, CELL_64);
  await page.waitForFunction(() => window.gradscope.nodes > 600);
  let now = await items(page);
  assert.deepEqual(now.groups.map((g) => [g.header, g.detail]), [["for t in range(200)", "200 steps"]]);
  assert.ok(now.nodes < 12, `a handful of nodes besides the loop: ${now.nodes}`);
  await page.screenshot({ path: `${SHOTS}groups-cell-200.png` });
  const box = await itemPoint(page, { group: await page.evaluate(() => window.gradscope.view.items.find((i) => i.kind === "group").group) });
  await page.mouse.click(box.x, box.y);
  now = await items(page);
  assert.equal(now.groups.length, 200);
  assert.ok(now.groups.every((g, k) => g.detail === `step ${k + 1}` && g.collapsed));
  assert.deepEqual(errors, []);
  await page.close();
});

test("a branch that flips changes the graph in place: what came and went is marked and said, the zoom and the selection stay", async () => {
  const { page, errors } = await open();
  await typeText(page, "if x > 0:\n    y = x * x * x\nelse:\n    y = -x\nz = y + x\nz");
  await page.fill('input[type=number][data-var="x"]', "1.5");
  await page.waitForFunction(() => document.querySelector("td[data-value]")?.dataset.value === String(1.5 ** 3 + 1.5));
  // Zoomed in by hand, and the leaf x selected (its panel open).
  await page.evaluate(() => {
    const v = window.gradscope.view;
    v.view.scale *= 0.8;
    v.draw();
  });
  const scale = await page.evaluate(() => window.gradscope.view.view.scale);
  const x = await itemPoint(page, { node: 0 });
  await page.mouse.click(x.x, x.y);
  await page.waitForFunction(() => window.gradscope.panel?.open === true);
  const where = await inCanvas(page, 0);

  await page.fill('input[type=number][data-var="x"]', "-2");
  await page.waitForFunction(() => document.querySelector("td[data-value]")?.dataset.value === "0");
  const change = await page.textContent("#graph-change");
  assert.match(change, /line 1: if x > 0 now runs else \(its condition is 0: false\), not if/);
  assert.match(change, /1 node appeared, 2 went away/);
  const marks = await page.evaluate(() => {
    const c = window.gradscope.view.changes;
    return c && { appeared: [...c.appeared].map((id) => window.gradscope.view.nodes[id].op), gone: c.gone.length };
  });
  assert.deepEqual(marks, { appeared: ["neg"], gone: 2 });
  await page.screenshot({ path: `${SHOTS}groups-branch-flipped.png` });
  assert.equal(await page.evaluate(() => window.gradscope.view.view.scale), scale, "the zoom is kept");
  const there = await inCanvas(page, 0);
  assert.ok(Math.hypot(there.x - where.x, there.y - where.y) < 1, `x, in both graphs, stays where it was: ${JSON.stringify([where, there])}`);
  assert.equal(await page.evaluate(() => window.gradscope.panel.open && window.gradscope.panel.node), 0, "x is still selected");
  assert.equal(await page.evaluate(() => window.gradscope.view.selected), 0);
  // The marks fade: after a moment they are gone.
  await page.waitForFunction(() => window.gradscope.view.changes === null, null, { timeout: 5000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a tensor node shows its value and gradient as heatmaps; hovering a cell gives both numbers", async () => {
  const { page, errors } = await open();
  await typeText(page, "W = [[1.0, -2.0], [0.5, 3.0]]\nx = [2.0, -1.0]\nh = W @ x\nsum(h * h)");
  await page.waitForFunction(() => window.gradscope.nodes > 3);
  const id = await page.evaluate(() => window.gradscope.view.nodes.findIndex((n) => n.op === "matmul"));
  // The value map is the node's left half: its second row is entry [1].
  const at = await page.evaluate((id) => {
    const v = window.gradscope.view;
    const r = v.nodeScreenRect(id);
    const c = document.querySelector("#graph").getBoundingClientRect();
    const s = v.view.scale;
    return { x: c.left + r.x0 + (6 + 23) * s, y: c.top + r.y0 + (21 + 21) * s };
  }, id);
  await page.mouse.move(at.x, at.y);
  await page.waitForFunction(() => !document.querySelector("#tooltip").hidden);
  const tip = await page.textContent("#tooltip");
  // h = W x = [4, −2]; ∂/∂h of sum(h²) = 2h = [8, −4]: entry [1] is −2 and −4.
  assert.match(tip, /\[1\]: value −2, gradient −4/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a tensor leaf is a grid: a cell edited, new random values and the program's values re-run the program, and the link keeps them", async () => {
  const { page, errors } = await open();
  await typeText(page, "W = [[1.0, 2.0], [3.0, 4.0]]\nx = [1.0, 1.0]\nsum(W @ x)");
  await page.waitForSelector('[data-leaf="W"] button.cell');
  const f = () => page.getAttribute("td[data-value]", "data-value");
  assert.equal(await f(), "10");
  // W[0, 1]: 2 → 7 adds 5 to the sum.
  await page.click('[data-leaf="W"] tr:nth-child(1) td:nth-child(2) button.cell');
  await page.fill('[data-leaf="W"] input.cell-edit', "7");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("td[data-value]").dataset.value === "15");
  // Not a number: refused where it was typed, and nothing re-runs.
  await page.click('[data-leaf="W"] tr:nth-child(2) td:nth-child(1) button.cell');
  await page.fill('[data-leaf="W"] input.cell-edit', "abc");
  await page.keyboard.press("Enter");
  assert.equal(await page.getAttribute('[data-leaf="W"] input.cell-edit', "aria-invalid"), "true");
  await page.keyboard.press("Escape");
  assert.equal(await f(), "15");
  // The link carries the edited W: a new page opened on it computes the same.
  await page.waitForFunction(() => location.hash.includes("v.W="));
  const hash = await page.evaluate(() => location.hash);
  const { page: again, errors: e2 } = await open(hash);
  assert.equal(await again.getAttribute("td[data-value]", "data-value"), "15");
  await again.close();
  // New random values change the sum; the program's values bring back 10.
  await page.click('[data-leaf="W"] button.random');
  await page.waitForFunction(() => document.querySelector("td[data-value]").dataset.value !== "15");
  await page.click('[data-leaf="W"] button.reset');
  await page.waitForFunction(() => document.querySelector("td[data-value]").dataset.value === "10");
  assert.equal(await page.isHidden('[data-leaf="W"] button.reset'), true);
  assert.deepEqual([...errors, ...e2], []);
  await page.close();
});

test("hovering a node highlights the text that made it; the caret's line marks that line's nodes", async () => {
  const { page, errors } = await open();
  await typeText(page, "a = [1.0, 2.0]\nb = tanh(a)\nc = sum(b * b)\nc");
  await page.waitForFunction(() => window.gradscope.nodes > 3);
  const tanh = await page.evaluate(() => window.gradscope.view.nodes.findIndex((n) => n.op === "tanh"));
  const p = await itemPoint(page, { node: tanh });
  await page.mouse.move(p.x, p.y);
  await page.waitForFunction(() => document.querySelector(".editor-marks .mark-highlight"));
  assert.equal(await page.textContent(".editor-marks .mark-highlight"), "tanh(a)");
  // The caret on line 3 marks its nodes: b * b and the sum.
  await page.mouse.move(5, 5);
  await page.click("#expr");
  await page.evaluate(() => {
    const e = document.querySelector("#expr");
    const at = e.value.indexOf("c = sum");
    e.setSelectionRange(at, at);
    e.dispatchEvent(new KeyboardEvent("keyup"));
  });
  await page.waitForFunction(() => window.gradscope.view.lineNodes.size > 0);
  const ops = await page.evaluate(() => [...window.gradscope.view.lineNodes].map((id) => window.gradscope.view.nodes[id].op).sort());
  assert.deepEqual(ops, ["*", "sum"]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("typing that leaves the graph as it was (a comment, a space) keeps the groups as opened and the view; another loop count lays it out again", async () => {
  const { page, errors } = await open();
  await preset(page, "unrolled four steps");
  const g = await page.evaluate(() => window.gradscope.view.structure.groups.findIndex((x) => x.detail === "step 2"));
  const box = await itemPoint(page, { group: g });
  await page.mouse.click(box.x, box.y);
  const before = await page.evaluate(() => ({ ...window.gradscope.view.view }));
  const text = await page.inputValue("#expr");
  // A comment on the first line moves every span after it: the opened step stays open.
  await typeText(page, text.replace("seed(0)", "seed(0)  # the same draws"));
  await page.waitForFunction(() => window.gradscope.editor && document.querySelector("#expr").value.includes("same draws"));
  let now = await items(page);
  assert.deepEqual(now.groups.map((x) => x.detail), ["step 1", "step 3", "step 4"]);
  assert.deepEqual(await page.evaluate(() => ({ ...window.gradscope.view.view })), before, "the zoom and pan are kept");
  // Five steps are another graph: laid out afresh, collapsed as the page chooses.
  await typeText(page, text.replace("range(4)", "range(5)"));
  await page.waitForFunction(() => window.gradscope.view.structure?.groups.length === 5);
  now = await items(page);
  assert.ok(now.groups.every((x) => x.collapsed));
  assert.deepEqual(errors, []);
  await page.close();
});

test("what review found: a failed run leaves the boxes alone, x * x is one edge with both chain rules, a name bound in a loop has no grid, z is a variable in links", async () => {
  const { page, errors } = await open();
  await preset(page, "unrolled four steps");
  const text = await page.inputValue("#expr");
  // A mistake found while running: the last graph stays, dimmed, and clicking its boxes
  // does nothing (the program has no run to lay out now) instead of throwing.
  await typeText(page, text.replace("W_x @ xs[t]", "W_x @ ones(2)"));
  await page.waitForFunction(() => !document.querySelector("#expr-error").hidden);
  const box = await itemPoint(page, { group: 0 });
  await page.mouse.click(box.x, box.y);
  await page.click("#expand-all");
  assert.equal((await items(page)).groups.length, 4, "the dimmed graph is as it was");

  // x * x: the two edges from x are drawn as one, and its tooltip has both rules.
  await typeText(page, "x = [1.0, 2.0]\nsum(x * x)");
  await page.waitForFunction(() => window.gradscope.nodes === 3);
  const mid = await page.evaluate(() => window.gradscope.view.edgeMidpointClient(window.gradscope.view.edges.findIndex((e) => e.parts.length === 2)));
  await page.mouse.move(mid.x, mid.y);
  await page.waitForFunction(() => !document.querySelector("#tooltip").hidden);
  const tip = await page.textContent("#tooltip");
  assert.doesNotMatch(tip, /collapsed group/);

  // `x = randn(3)` in a loop is a new leaf each step: no grid for it; W bound once has one.
  await typeText(page, "W = randn(3, 3)\nh = zeros(3)\nfor t in range(3):\n    x = randn(3)\n    h = tanh(W @ h + x)\nsum(h)");
  await page.waitForSelector('[data-leaf="W"]');
  assert.equal(await page.locator('[data-leaf="x"]').count(), 0);

  // A variable named z keeps its value through a link.
  const { page: linked, errors: e2 } = await open("#e=x*z&x=2&z=3");
  assert.equal(await linked.getAttribute("td[data-value]", "data-value"), "6");
  await linked.close();
  assert.deepEqual([...errors, ...e2], []);
  await page.close();
});

test("the tensor legend shows for programs only, and a program's page fits 390 px without scrolling sideways", async () => {
  const { page, errors } = await open();
  assert.equal(await page.isVisible("#legend-tensor"), false, "an expression has no tensor nodes to explain");
  await page.setViewportSize({ width: 390, height: 844 });
  await preset(page, "unrolled four steps");
  assert.equal(await page.isVisible("#legend-tensor"), true);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "no sideways scroll at 390 px");
  assert.deepEqual(errors, []);
  await page.close();
});
