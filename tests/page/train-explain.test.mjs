// Explaining the numbers on the training page (issue §5): hovering a weight's edge shows w,
// ∂L/∂w and the optimiser's next update; hovering a neuron, its formula with the selected
// point's numbers plugged in. Every number shown is checked against what the trainer
// reports (layers, updatePreview, activationsAt) to the digits shown.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, usePlayground, pointOnPage } from "./playground-page.mjs";

const { openTraining } = usePlayground();
const open = (hash = "", width = 1400, height = 1000) => openTraining(hash, width, height);

/** Trains until the limit in the link (`limit=n`) stops it. */
async function trainToLimit(page, n) {
  await page.evaluate(() => window.gradscope.play());
  await page.waitForFunction((n) => Number(document.querySelector("#steps").dataset.value) === n && document.querySelector("#play").textContent.includes("Play"), n, { polling: 50, timeout: 30000 });
}

/** A number as the page writes it: a true minus sign, "∞" and "NaN" spelled out. */
function num(text) {
  const t = text.trim().replaceAll("−", "-");
  if (t === "∞") return Infinity;
  if (t === "-∞") return -Infinity;
  return Number(t);
}

/** `shown` is `actual` to `digits` significant digits, as the page rounds (or, for
 * `slack` > 0, within that many units of the last digit shown). */
function assertShown(shown, actual, digits, what, slack = 0) {
  if (actual === 0) return assert.equal(shown, 0, `${what}: shown ${shown}, expected 0`);
  const rounded = Number(actual.toPrecision(digits));
  const unit = 10 ** (Math.floor(Math.log10(Math.abs(rounded))) - digits + 1);
  assert.ok(Math.abs(shown - rounded) <= slack * unit * (1 + 1e-9) + 1e-300, `${what}: shown ${shown}, expected ${actual} to ${digits} digits (${rounded})`);
}

/** The tooltip's lines, or null while it is hidden. */
const tipLines = (page) =>
  page.evaluate(() => {
    const t = document.querySelector("#network-tip");
    return t.hidden ? null : [...t.children].map((d) => d.textContent);
  });

/** The line of `lines` that starts with `start`. */
function line(lines, start) {
  const found = lines.find((l) => l.startsWith(start));
  assert.ok(found, `a line starting "${start}" in:\n${lines.join("\n")}`);
  return found;
}

/** The number after `label` ("w = ") up to the next space or the end. */
function numberAfter(text, label) {
  const i = text.indexOf(label);
  assert.ok(i >= 0, `"${label}" in "${text}"`);
  return num(text.slice(i + label.length).split(/\s/)[0]);
}

/** The Δw or Δb of an update line: "next update Δw = <rule> = −0.0003  (SGD, lr 0.1)". */
function updateValue(text) {
  const m = text.match(/(?:= |: )(\S+) {2}\([^()]*\)$/);
  assert.ok(m, `an update and its optimiser in "${text}"`);
  return num(m[1]);
}

/** Puts the pointer on the edge of layer `l`'s weight from input `i` to neuron `j` (from
 * 0) and waits for its tooltip; returns where the pointer is. */
async function hoverEdge(page, l, i, j) {
  const at = await page.evaluate(([l, i, j]) => window.gradscope.edgeSpot(l, i, j), [l, i, j]);
  assert.ok(at, `the edge of W${l + 1}[${i + 1},${j + 1}] can be picked out`);
  await page.mouse.move(at.x, at.y);
  await page.waitForFunction((t) => document.querySelector("#network-tip").dataset.target === t, `edge ${l} ${i} ${j}`, { polling: 50, timeout: 5000 });
  await assertPlaced(page, at);
  return at;
}

/** Puts the pointer on neuron `i` of column `c` (0: the inputs) and waits for its tooltip. */
async function hoverNeuron(page, c, i) {
  const at = await page.evaluate(([c, i]) => window.gradscope.neuronSpot(c, i), [c, i]);
  assert.ok(at, `neuron ${i} of column ${c} is drawn`);
  await page.mouse.move(at.x, at.y);
  await page.waitForFunction((t) => document.querySelector("#network-tip").dataset.target === t, `neuron ${c} ${i}`, { polling: 50, timeout: 5000 });
  await assertPlaced(page, at);
  return at;
}

/** The tooltip is inside the viewport and not under the pointer. */
async function assertPlaced(page, at) {
  const { box, vw, vh } = await page.evaluate(() => ({
    box: document.querySelector("#network-tip").getBoundingClientRect().toJSON(),
    vw: document.documentElement.clientWidth,
    vh: document.documentElement.clientHeight,
  }));
  assert.ok(box.left >= 0 && box.top >= 0 && box.right <= vw && box.bottom <= vh, `the tooltip ${JSON.stringify(box)} is inside the ${vw}×${vh} viewport`);
  const under = at.x >= box.left && at.x <= box.right && at.y >= box.top && at.y <= box.bottom;
  assert.ok(!under, `the tooltip ${JSON.stringify(box)} leaves the pointer at (${at.x}, ${at.y}) free`);
}

/** Checks the weight tooltip of W(l+1)[i+1, j+1] against the trainer; returns the numbers. */
async function checkWeight(page, l, i, j, names) {
  await hoverEdge(page, l, i, j);
  const lines = await tipLines(page);
  const { layers, updates, steps } = await page.evaluate(() => ({
    layers: window.gradscope.layers(),
    updates: window.gradscope.updatePreview(),
    steps: Number(document.querySelector("#steps").dataset.value),
  }));
  const k = i * layers[l].outputs + j;
  assert.equal(lines[0], `W${l + 1}[${i + 1},${j + 1}]: the weight from ${names.from} to ${names.to}`);
  const w = numberAfter(line(lines, "w = "), "w = ");
  const g = numberAfter(line(lines, "∂L/∂w = "), "∂L/∂w = ");
  assert.match(line(lines, "∂L/∂w = "), new RegExp(`on step ${steps}'s batch`));
  const update = line(lines, "next update Δw = ");
  const dw = updateValue(update);
  assertShown(w, layers[l].w[k], 6, "w");
  assertShown(g, layers[l].w_grad[k], 6, "∂L/∂w");
  assertShown(dw, updates[l].dw[k], 6, "Δw, against updatePreview");
  return { lines, update, w: layers[l].w[k], g: layers[l].w_grad[k], dw: updates[l].dw[k], shownDw: dw };
}

test("SGD: a weight's tooltip shows w, ∂L/∂w on the last step's batch and Δw = −lr·∂L/∂w, as the trainer has them", async () => {
  const { page, errors } = await open("#dataset=moons&hidden=4,3&activations=tanh,tanh&optimizer=sgd&learning_rate=0.1&seed=2&limit=25");
  // Before the first step there is no gradient: the tooltip says so rather than show zeros.
  await hoverEdge(page, 0, 1, 2);
  assert.match(line(await tipLines(page), "∂L/∂w"), /after the first step/);
  await page.mouse.move(5, 5);
  await trainToLimit(page, 25);
  const cases = [
    { l: 0, i: 1, j: 2, from: "x2", to: "h1[3]" },
    { l: 1, i: 2, j: 1, from: "h1[3]", to: "h2[2]" },
    { l: 2, i: 0, j: 0, from: "h2[1]", to: "z3[1]" },
  ];
  for (const c of cases) {
    const got = await checkWeight(page, c.l, c.i, c.j, c);
    assert.match(got.update, /^next update Δw = −lr·∂L\/∂w = \S+ {2}\(SGD, lr 0\.1\)$/);
    // SGD's update is −lr·g: the shown Δw is that, to the last digit shown (the engine rounds lr·g to f32).
    assertShown(got.shownDw, -0.1 * got.g, 6, "Δw = −lr·∂L/∂w", 1);
    if (c.l === 1) await page.screenshot({ path: `${SHOTS}train-explain-weight.png` });
  }
  // The same numbers through the Step button: the tooltip follows the new step.
  await page.click("#step-once");
  const after = await checkWeight(page, 1, 2, 1, cases[1]);
  assert.match(line(after.lines, "∂L/∂w"), /on step 26's batch/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("Adam and momentum: the Δw shown is the optimiser's own next update (updatePreview), not −lr·∂L/∂w", async () => {
  for (const opt of [
    { hash: "optimizer=adam&learning_rate=0.03", words: "(Adam, lr 0.03)", rule: "−lr·m̂/(√v̂ + ε): " },
    { hash: "optimizer=momentum&learning_rate=0.03&momentum=0.9", words: "(SGD + momentum, lr 0.03, μ 0.9)", rule: "−lr·v, v ← μ·v + ∂L/∂w: " },
  ]) {
    const { page, errors } = await open(`#dataset=circles&hidden=5&activations=tanh&${opt.hash}&seed=4&limit=40`);
    await trainToLimit(page, 40);
    let unlikeSgd = 0;
    const edges = [[0, 0, 0], [0, 1, 3], [1, 2, 0], [1, 4, 0]];
    for (const [l, i, j] of edges) {
      const got = await checkWeight(page, l, i, j, { from: l === 0 ? `x${i + 1}` : `h1[${i + 1}]`, to: l === 0 ? `h1[${j + 1}]` : "z2[1]" });
      assert.equal(got.update, `next update Δw = ${opt.rule}${got.update.match(/: (\S+) {2}\(/)[1]}  ${opt.words}`);
      if (Math.abs(got.dw - -0.03 * got.g) > 0.1 * Math.abs(got.dw)) unlikeSgd++;
    }
    // Adam's step is about lr whatever the gradient's size; momentum's adds up the past ones.
    assert.ok(unlikeSgd >= 3, `${unlikeSgd} of ${edges.length} updates differ from −lr·∂L/∂w by more than 10%`);
    assert.deepEqual(errors, []);
    await page.close();
  }
});


/** A training point with no other point within 10 px, so that a click picks it alone. */
function lonePoint(page) {
  return page.evaluate(() => {
    const r = document.querySelector("#plot").getBoundingClientRect();
    const e = window.gradscope.extent();
    const pts = window.gradscope.points();
    const px = pts.map(([x, y]) => [((x + e) / (2 * e)) * r.width, ((e - y) / (2 * e)) * r.height]);
    return pts.findIndex((_, i) => px.every(([x, y], j) => j === i || (x - px[i][0]) ** 2 + (y - px[i][1]) ** 2 > 100));
  });
}

/** Clicks point `i` on the plot and waits for the line under the plot to name it. */
async function select(page, i) {
  const { x, y } = await pointOnPage(page, i);
  await page.mouse.click(x, y);
  await page.waitForFunction((i) => document.querySelector("#selected-point").dataset.point === String(i), i, { polling: 50, timeout: 5000 });
}

/** The terms of a sum as the tooltip writes it, `0.31·x1 − 1.2·(−0.3) + 0.05`: each
 * term's weight (signed) and what it multiplies, the last the bias, and how many terms
 * were left out ("+ … (k more terms)"). */
function terms(sum) {
  const more = sum.match(/ \+ … \((\d+) more terms\)/);
  const text = sum.replace(/ \+ … \(\d+ more terms\)/, "");
  const parts = text.split(/ (?=[+−] )/);
  const out = parts.map((p, k) => {
    const t = p.trim();
    const sign = k > 0 && t.startsWith("−") ? -1 : 1;
    const body = k > 0 ? t.slice(2) : t;
    const [w, of] = body.split("·");
    return { w: sign * num(w), of: of ?? null };
  });
  return { products: out.slice(0, -1), bias: out[out.length - 1].w, more: more ? Number(more[1]) : 0 };
}

/** Checks the tooltip of neuron `j` of layer `l` (from 0) at point `p` against the trainer. */
async function checkNeuron(page, l, j, p, inputNames) {
  await hoverNeuron(page, l + 1, j);
  const lines = await tipLines(page);
  const { layers, updates, act, config } = await page.evaluate((p) => ({
    layers: window.gradscope.layers(),
    updates: window.gradscope.updatePreview(),
    act: window.gradscope.activationsAt(p),
    config: window.gradscope.config,
  }), p);
  const layer = layers[l];
  const last = l === layers.length - 1;
  const name = `${last ? "z" : "h"}${l + 1}[${j + 1}]`;
  const fn = last ? "linear" : config.activations[l];
  if (last) assert.match(lines[0], new RegExp(`^${escape(name)}: the output`));
  else assert.equal(lines[0], `${name}: neuron ${j + 1} of hidden layer ${l + 1} (${fn})`);
  const unwrap = (s) => (fn === "linear" ? s : (assert.ok(s.startsWith(`${fn}(`) && s.endsWith(")"), `${fn}(…) in "${s}"`), s.slice(fn.length + 1, -1)));
  // The formula with the weights: each term's weight is W's, times the name of its input.
  const formula = terms(unwrap(line(lines, `${name} = `).slice(name.length + 3)));
  const shownTerms = formula.products.length;
  assert.equal(shownTerms + formula.more, layer.inputs, "every input has a term, shown or counted");
  if (layer.inputs > 6) assert.equal(formula.more, layer.inputs - 4);
  formula.products.forEach((t, i) => {
    assertShown(t.w, layer.w[i * layer.outputs + j], 4, `${name}'s weight ${i + 1}`);
    assert.equal(t.of, inputNames[i]);
  });
  assertShown(formula.bias, layer.b[j], 4, `${name}'s bias in the formula`);
  // At the point: each input's value, from activationsAt (the features, or the layer before's h).
  assert.ok(lines.includes(`at point ${p}:`), lines.join("\n"));
  const k = lines.indexOf(`at point ${p}:`);
  const plugged = terms(unwrap(lines[k + 1].replace(/^ {2}= /, "")));
  const values = l === 0 ? act.inputs : act.layers[l - 1].h;
  plugged.products.forEach((t, i) => {
    assertShown(t.w, layer.w[i * layer.outputs + j], 4, `${name}'s weight ${i + 1} at the point`);
    assert.match(t.of, /^\(.*\)$/, "each value in parentheses");
    assertShown(num(t.of.slice(1, -1)), values[i], 4, `${name}'s input ${i + 1} at the point`);
  });
  assertShown(plugged.bias, layer.b[j], 4, `${name}'s bias at the point`);
  // The result: z, and h = activation(z), both the engine's.
  const result = lines[k + 2];
  const { z, h } = { z: act.layers[l].z[j], h: act.layers[l].h[j] };
  if (fn === "linear") {
    assertShown(num(result.replace(/^ {2}= /, "")), h, 6, `${name}`);
  } else {
    const m = result.match(new RegExp(`^ {2}= ${fn}\\((\\S+)\\) = (\\S+)$`));
    assert.ok(m, `"  = ${fn}(z) = h" in "${result}"`);
    assertShown(num(m[1]), z, 6, `z of ${name}`);
    assertShown(num(m[2]), h, 6, `${name}`);
  }
  // The bias: b, ∂L/∂b and Δb.
  const bias = line(lines, `bias b${l + 1}[${j + 1}]: b = `);
  assertShown(numberAfter(bias, "b = "), layer.b[j], 6, "b");
  assertShown(numberAfter(line(lines, "∂L/∂b = "), "∂L/∂b = "), layer.b_grad[j], 6, "∂L/∂b");
  const db = line(lines, "next update Δb = ");
  assertShown(updateValue(db), updates[l].db[j], 6, "Δb");
  return { lines, h };
}

const escape = (s) => s.replace(/[[\]().*+?^$|\\]/g, "\\$&");

test("a neuron's tooltip plugs the selected point's numbers into its formula: the weights, the inputs, z and h are the engine's", async () => {
  const { page, errors } = await open("#dataset=moons&hidden=5,3&activations=tanh,relu&loss=logistic&optimizer=sgd&learning_rate=0.1&seed=3&limit=60");
  await trainToLimit(page, 60);
  const p = await lonePoint(page);
  assert.ok(p >= 0, "a point alone on the plot");
  await select(page, p);
  // A tanh neuron of layer 1 reads the features; a relu neuron of layer 2 reads h1.
  await checkNeuron(page, 0, 2, p, ["x1", "x2"]);
  await page.screenshot({ path: `${SHOTS}train-explain-neuron.png` });
  await checkNeuron(page, 1, 0, p, ["h1[1]", "h1[2]", "h1[3]", "h1[4]", "h1[5]"]);
  // The output: its logit, and for the logistic loss σ of it, the probability of class 1.
  const out = await checkNeuron(page, 2, 0, p, ["h2[1]", "h2[2]", "h2[3]"]);
  assert.match(out.lines[0], /^z3\[1\]: the output, one logit/);
  assertShown(numberAfter(line(out.lines, "P(class 1) = σ(z3[1]) = "), "σ(z3[1]) = "), 1 / (1 + Math.exp(-out.h)), 6, "σ(z)");
  // An input feature: its value at the point.
  await hoverNeuron(page, 0, 1);
  const x2 = await tipLines(page);
  assert.equal(x2[0], "x2: input feature 2 of 2");
  const inputs = await page.evaluate((p) => window.gradscope.activationsAt(p).inputs, p);
  assertShown(numberAfter(line(x2, `at point ${p}: x2 = `), "x2 = "), inputs[1], 6, "x2 at the point");
  assert.deepEqual(errors, []);
  await page.close();
});

test("softmax: an output is named a logit of its class; a wide layer's sum shows its first terms and counts the rest; features other than x1, x2 are named", async () => {
  const { page, errors } = await open("#dataset=spiral&classes=3&loss=softmax_cross_entropy&features=x1,x2,x1_squared,sin_x2&hidden=12,4&activations=relu,tanh&optimizer=adam&learning_rate=0.01&seed=1&limit=30");
  await trainToLimit(page, 30);
  const p = await lonePoint(page);
  await select(page, p);
  await checkNeuron(page, 0, 1, p, ["x1", "x2", "x1²", "sin x2"]);
  const wide = await checkNeuron(page, 1, 3, p, Array.from({ length: 12 }, (_, i) => `h1[${i + 1}]`));
  assert.ok(wide.lines.some((l) => l.includes(" + … (8 more terms)")), wide.lines.join("\n"));
  const out = await checkNeuron(page, 2, 2, p, ["h2[1]", "h2[2]", "h2[3]", "h2[4]"]);
  assert.equal(out.lines[0], "z3[3]: the output, the logit of class 2");
  assert.ok(out.lines.some((l) => /softmax of all 3 logits/.test(l)), out.lines.join("\n"));
  await hoverNeuron(page, 0, 2);
  assert.equal((await tipLines(page))[0], "x1²: input feature 3 of 4");
  assert.deepEqual(errors, []);
  await page.close();
});

test("with no point selected, a neuron's tooltip says how to choose one and still shows its weights and bias", async () => {
  const { page, errors } = await open("#dataset=xor&hidden=4&activations=sigmoid&optimizer=sgd&seed=7&limit=10");
  await trainToLimit(page, 10);
  assert.equal(await page.evaluate(() => window.gradscope.selected()), null);
  await hoverNeuron(page, 1, 1);
  const lines = await tipLines(page);
  const layers = await page.evaluate(() => window.gradscope.layers());
  assert.equal(lines[0], "h1[2]: neuron 2 of hidden layer 1 (sigmoid)");
  assert.match(line(lines, "h1[2] = sigmoid("), /^h1\[2\] = sigmoid\(−?[\d.]+·x1 [+−] [\d.]+·x2 [+−] [\d.e−]+\)$/);
  assert.ok(lines.includes("Click a point on the output plot to see the numbers at that point."), lines.join("\n"));
  assertShown(numberAfter(line(lines, "bias b1[2]: b = "), "b = "), layers[0].b[1], 6, "b");
  assertShown(numberAfter(line(lines, "∂L/∂b = "), "∂L/∂b = "), layers[0].b_grad[1], 6, "∂L/∂b");
  await page.screenshot({ path: `${SHOTS}train-explain-no-point.png` });
  await hoverNeuron(page, 0, 0);
  assert.deepEqual(await tipLines(page), ["x1: input feature 1 of 2", "Click a point on the output plot to see the numbers at that point."]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the tooltip goes when the pointer leaves the network or is near nothing, follows training a few times a second, and leaves the view's controls working", async () => {
  const { page, errors } = await open("#dataset=moons&hidden=4&activations=tanh&seed=1&speed=30");
  const at = await hoverEdge(page, 0, 0, 1);
  // Nowhere near an edge or a neuron: above the network, inside its canvas.
  const empty = await page.evaluate(() => {
    const r = document.querySelector("#network").getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + 4 };
  });
  await page.mouse.move(empty.x, empty.y);
  assert.equal(await tipLines(page), null, "hidden away from everything");
  assert.equal(await page.evaluate(() => window.gradscope.edgeSpot(0, 9, 0)), null, "no such edge");
  await page.mouse.move(at.x, at.y);
  assert.ok(await tipLines(page), "shown again");
  // Off the canvas altogether.
  await page.mouse.move(5, 5);
  await page.waitForFunction(() => document.querySelector("#network-tip").hidden, null, { polling: 50, timeout: 2000 });

  // While training, with the pointer still, its numbers follow the steps, a few times a second.
  await hoverEdge(page, 0, 0, 1);
  const updates = await page.evaluate(async () => {
    const tip = document.querySelector("#network-tip");
    let n = 0;
    const seen = new Set();
    const watch = new MutationObserver(() => {
      n++;
      seen.add(tip.dataset.step);
    });
    watch.observe(tip, { childList: true });
    window.gradscope.play();
    await new Promise((r) => setTimeout(r, 2000));
    window.gradscope.pause();
    watch.disconnect();
    return { n, steps: seen.size };
  });
  assert.ok(updates.n >= 2 && updates.n <= 12, `${updates.n} updates of the tooltip in 2 s of training`);
  assert.ok(updates.steps >= 2, `the tooltip showed ${updates.steps} different steps`);
  assert.ok((await tipLines(page)).some((l) => l.startsWith("∂L/∂w = ")));

  // The view's own control still redraws it, and a click on the canvas changes nothing.
  const before = await page.evaluate(() => document.querySelector("#network").toDataURL());
  await page.check("#color-by-weight");
  const recoloured = await page.evaluate(() => document.querySelector("#network").toDataURL());
  assert.notEqual(recoloured, before, "colour by weight redraws the edges");
  const n = (await page.evaluate(() => window.gradscope.points())).length;
  await page.mouse.click(at.x, at.y);
  assert.equal((await page.evaluate(() => window.gradscope.points())).length, n, "a click on the network adds no point");
  assert.deepEqual(errors, []);
  await page.close();
});

test("on a phone-sized page the tooltip stays inside the viewport and off the pointer, and a scroll hides it", async () => {
  const { page, errors } = await open("#dataset=moons&hidden=6,6&activations=tanh,tanh&seed=1&limit=5", 390, 844);
  await trainToLimit(page, 5);
  await page.locator("#network").scrollIntoViewIfNeeded();
  // A scroll hides the tooltip (the network moved from under the pointer): let its event pass.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  // The output neuron is at the right edge, the inputs at the left: both placed inside.
  for (const [c, i] of [[3, 0], [0, 0], [1, 5], [2, 0]]) await hoverNeuron(page, c, i);
  await hoverEdge(page, 2, 5, 0);
  await page.screenshot({ path: `${SHOTS}train-explain-phone.png` });
  assert.deepEqual(errors, []);
  await page.close();
});
