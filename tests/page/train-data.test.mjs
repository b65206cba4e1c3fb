// Your own data and your own model on the training page: points loaded from a CSV file or
// pasted text (and refused whole, with the line and column, when they cannot be used,
// the current run and points kept), downloaded as CSV, a link that named own points, and
// the run saved as a model file and loaded back to train on bit for bit.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { SHOTS, usePlayground } from "./playground-page.mjs";

const { openTraining } = usePlayground();
const open = (hash = "") => openTraining(hash, 1400, 1000);

const steps = (page) => page.evaluate(() => Number(document.querySelector("#steps").dataset.value));
const probe = (page, name) => page.evaluate((name) => window.gradscope[name](), name);
const datasetText = (page) => page.$eval("#dataset", (s) => s.selectedOptions[0]?.textContent ?? "");
const status = (page) => page.textContent("#status");

/** 40 points on two rings, as a CSV file's text with a header row: numbers of all kinds
 * (negative, exponent, many digits) and both classes. */
function rings(classes = 2, n = 40) {
  const points = Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n;
    const r = 0.5 + (i % classes);
    // (`|| 0`: no -0, which the file's text would write as 0)
    return [Number((r * Math.cos(a)).toFixed(6)) || 0, Number((r * Math.sin(a)).toPrecision(9)) || 0];
  });
  points[3] = [1.5e-3, -2.25e-1];
  const labels = points.map((_, i) => i % classes);
  const text = `x1,x2,label\n${points.map(([x, y], i) => `${x},${y},${labels[i]}`).join("\n")}\n`;
  return { points, labels, text };
}

/** Chooses a file for the input `selector`, and waits for what the page made of it: the
 * note that names it, or its refusal (which starts with its name). */
async function choose(page, selector, name, contents, mimeType = "text/csv") {
  await page.setInputFiles(selector, { name, mimeType, buffer: Buffer.isBuffer(contents) ? contents : Buffer.from(contents) });
  await page.waitForFunction(
    (name) => [...document.querySelectorAll("#data-message, #model-message")].some((m) => !m.hidden && m.textContent.startsWith(`${name}: `)) ||
      document.querySelector("#status").textContent.startsWith(`Loaded ${name}`),
    name,
    { polling: 20, timeout: 10000 },
  );
}

const loadCsv = (page, name, contents) => choose(page, "#csv-file", name, contents);
const loadModel = (page, name, contents) => choose(page, "#model-file", name, contents, "application/json");

/** Pastes `text` into Paste points and presses its Load. */
async function paste(page, text) {
  if (!(await page.$eval("#paste", (d) => d.open))) await page.click("#paste summary");
  await page.fill("#paste-text", text);
  await page.click("#paste-load");
}

/** Presses Step `k` times: exactly `k` steps, on the CPU. */
async function stepTimes(page, k) {
  for (let i = 0; i < k; i++) await page.click("#step-once");
}

/** A number as the page shows it (format.js: a real minus sign, in an exponent too, as a
 * small loss after many steps has: "2.1e−5"). */
async function shownNumber(page, selector) {
  return Number((await page.textContent(selector)).replaceAll("−", "-"));
}

/** Trains at least `n` steps, then pauses. */
async function train(page, n) {
  await page.click("#play");
  await page.waitForFunction((n) => Number(document.querySelector("#steps").dataset.value) >= n, n, { polling: 20, timeout: 20000 });
  await page.click("#play");
}

/** Presses `button` and returns the name and text of what it downloads. */
async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), "utf8") };
}

/** The Data panel, as a screenshot. */
const shootData = (page, name) => page.locator('section[aria-label="Data"]').screenshot({ path: `${SHOTS}${name}` });

test("a CSV file with a header row loads: its points and labels, the Dataset menu, and a run that trains", async () => {
  const { page, errors } = await open();
  const file = rings();
  await loadCsv(page, "rings.csv", file.text);
  assert.deepEqual(await probe(page, "points"), file.points);
  assert.deepEqual(await probe(page, "labels"), file.labels);
  assert.equal(await datasetText(page), "your data (rings.csv, 40 points)");
  assert.equal(await page.textContent("#own-summary"), "rings.csv: 40 points, 2 classes"); // the menu is narrow for it
  const config = await page.evaluate(() => window.gradscope.config);
  assert.deepEqual([config.dataset, config.classes, config.points], ["own", 2, 40]);
  assert.match(await status(page), /^Loaded rings\.csv: 40 points of 2 classes \(28 for training, 12 for testing\)/);
  assert.equal(await page.$eval("#data-message", (m) => m.hidden), true);
  // What the file fixes is not a control of the page's for it, and says why.
  for (const id of ["#points", "#classes", "#noise"]) {
    const { disabled, title } = await page.$eval(id, (c) => ({ disabled: c.disabled, title: c.title }));
    assert.ok(disabled, `${id} is disabled for own points`);
    assert.match(title, /^Not for your data: /);
  }
  assert.equal(await page.textContent("#regenerate"), "New split");
  assert.match(page.url(), /dataset=own/);

  await stepTimes(page, 3);
  assert.equal(await steps(page), 3);
  await train(page, 50);
  const loss = await shownNumber(page, "#train-loss");
  assert.ok(Number.isFinite(loss) && loss < 0.7, `train loss ${loss} (shown as ${await page.textContent("#train-loss")})`);
  await shootData(page, "own-data-loaded.png");

  // A new network, Reset and a new split all stay on the file's points.
  await page.click("#add-layer");
  assert.equal((await page.evaluate(() => window.gradscope.config)).hidden.length, 3);
  await page.click("#reset");
  await page.click("#regenerate");
  assert.equal(await steps(page), 0);
  assert.deepEqual(await probe(page, "points"), file.points);
  assert.deepEqual(await probe(page, "labels"), file.labels);
  assert.equal((await page.evaluate(() => window.gradscope.config)).dataset, "own");

  // A generated dataset again, then the file's points again from the menu.
  await page.selectOption("#dataset", "circles");
  const circles = await page.evaluate(() => window.gradscope.config);
  assert.deepEqual([circles.dataset, circles.points], ["circles", 300]);
  assert.equal(await page.$eval("#noise", (c) => c.disabled), false);
  assert.equal(await page.textContent("#regenerate"), "Regenerate");
  assert.equal(await page.$eval("#own-summary", (p) => p.hidden), true);
  await page.selectOption("#dataset", "own");
  assert.deepEqual(await probe(page, "points"), file.points);
  assert.match(await status(page), /^Your data again \(rings\.csv\)/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("pasted tab-separated text without a header row loads", async () => {
  const { page, errors } = await open();
  const rows = [[0.25, -1.5, 1], [1, 2, 0], [-3.125, 0.5, 1], [2.5, 2.5, 0], [-1, -1, 0], [0.75, 0.125, 1]];
  // Space in the box types a space: it does not start training, as it does elsewhere.
  await page.click("#paste summary");
  await page.focus("#paste-text");
  await page.keyboard.type("a b");
  assert.equal(await page.$eval("#paste-text", (t) => t.value), "a b");
  assert.equal(await page.textContent("#play"), "▶ Play");
  await paste(page, `${rows.map((r) => r.join("\t")).join("\r\n")}\r\n`);
  await page.waitForFunction(() => document.querySelector("#status").textContent.startsWith("Loaded pasted text"), null, { timeout: 5000 });
  assert.deepEqual(await probe(page, "points"), rows.map(([x, y]) => [x, y]));
  assert.deepEqual(await probe(page, "labels"), rows.map((r) => r[2]));
  assert.equal(await datasetText(page), "your data (pasted text, 6 points)");
  assert.equal(await page.$eval("#paste", (d) => d.open), false, "the paste box closes once its points are loaded");
  await stepTimes(page, 2);
  assert.ok(Number.isFinite(await shownNumber(page, "#train-loss")));
  assert.deepEqual(errors, []);
  await page.close();
});

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1]);

/** Files that cannot be used, and what their refusal must say. */
const BAD = [
  { name: "text.csv", contents: "x1,x2,label\n0,0,0\n1,abc,1\n", says: "text.csv: line 3, column 2: 'abc' is not a number; expected x2, a number" },
  { name: "missing.csv", contents: "0,0,0\n1,1\n", says: "missing.csv: line 2, column 3: 2 fields where 3 were expected (x1,x2,label): label missing" },
  { name: "extra.csv", contents: "0,0,0\n1,1,1,4\n", says: "extra.csv: line 2, column 4: 4 fields where 3 were expected (x1,x2,label): an extra column" },
  { name: "nan.csv", contents: "0,0,0\n1,1,1\nnan,1,0\n", says: "nan.csv: line 3, column 1: 'nan' is not a finite number; expected x1, a finite number" },
  { name: "huge.csv", contents: "0,0,0\n1,1e400,1\n", says: "huge.csv: line 2, column 2: '1e400' is not a finite number; expected x2, a finite number" },
  { name: "label3.csv", contents: "0,0,0\n1,1,3\n", says: "label3.csv: line 2, column 3: '3' is not a class; expected a label, the class index 0, 1 or 2" },
  { name: "minus.csv", contents: "0,0,0\n1,1,-1\n", says: "minus.csv: line 2, column 3: '-1' is not a class" },
  { name: "empty.csv", contents: "", says: "empty.csv: the file is empty" },
  { name: "header.csv", contents: "x1,x2,label\n", says: "header.csv: the file has a header row but no points" },
  { name: "image.png", contents: PNG, says: "image.png: the file is not text" },
  { name: "one-class.csv", contents: "0,0,1\n1,1,1\n2,0,1\n", says: "one-class.csv: every point is in class 1: a classifier needs points of at least two classes" },
  { name: "many.csv", contents: "0,0,0\n1,x,1\n2,y,0\n3,3\n", says: "many.csv: line 2, column 2: 'x' is not a number; expected x2, a number (and 2 more bad lines)" },
  // Markup in a file is quoted as text, never made part of the page.
  { name: "markup.csv", contents: "0,0,0\n<b>1</b>,1,1\n", says: "markup.csv: line 2, column 1: '<b>1</b>' is not a number" },
  { name: "big.csv", contents: Buffer.alloc(9 * 2 ** 20, "0,0,0\n"), says: "big.csv: the file is 9 MB, more than the 8 MB the page reads" },
];

test("a file or text that cannot be used is refused whole, with the line and column, and the current points stay", async () => {
  const { page, errors } = await open();
  await stepTimes(page, 2);
  const before = { points: await probe(page, "points"), labels: await probe(page, "labels"), weights: await probe(page, "weights") };
  const unchanged = async (what) => {
    assert.deepEqual(await probe(page, "points"), before.points, `${what}: the points changed`);
    assert.deepEqual(await probe(page, "labels"), before.labels, `${what}: the labels changed`);
    assert.deepEqual(await probe(page, "weights"), before.weights, `${what}: the run changed`);
    assert.equal(await steps(page), 2, `${what}: the step count changed`);
    const config = await page.evaluate(() => window.gradscope.config);
    assert.deepEqual([config.dataset, config.points], ["moons", 300], `${what}: the configuration changed`);
    assert.equal(await datasetText(page), "two moons", `${what}: the Dataset menu changed`);
  };
  for (const bad of BAD) {
    await loadCsv(page, bad.name, bad.contents);
    const message = await page.$eval("#data-message", (m) => ({ text: m.textContent, role: m.getAttribute("role"), children: m.children.length }));
    assert.ok(message.text.startsWith(bad.says), `${bad.name}: “${message.text}” does not start with “${bad.says}”`);
    assert.equal(message.role, "alert");
    assert.equal(message.children, 0, `${bad.name}: the message holds elements`);
    await unchanged(bad.name);
    if (bad.name === "text.csv") await shootData(page, "own-data-error.png");
  }
  await paste(page, "1\t2\t0\n3\tfour\t1\n");
  await page.waitForFunction(() => document.querySelector("#data-message").textContent.startsWith("pasted text: "), null, { timeout: 5000 });
  assert.equal(await page.textContent("#data-message"), "pasted text: line 2, column 2: 'four' is not a number; expected x2, a number");
  await unchanged("pasted text");
  // A good file afterwards loads, and the message goes.
  await loadCsv(page, "rings.csv", rings().text);
  assert.deepEqual(await page.$eval("#data-message", (m) => [m.hidden, m.getAttribute("role")]), [true, null]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a 3-class file switches the loss to softmax cross-entropy, and the note says why", async () => {
  const { page, errors } = await open("#loss=hinge");
  const file = rings(3, 45);
  await loadCsv(page, "three.csv", file.text);
  const config = await page.evaluate(() => window.gradscope.config);
  assert.deepEqual([config.dataset, config.classes, config.loss], ["own", 3, "softmax_cross_entropy"]);
  assert.match(await status(page), /The loss is now softmax cross-entropy: the hinge \(max-margin\) loss is for 2 classes only\.$/);
  assert.equal(await page.$eval("#loss", (s) => s.value), "softmax_cross_entropy");
  assert.deepEqual(await probe(page, "labels"), file.labels);
  assert.equal(await page.$eval("#click-class", (s) => s.options.length), 3);
  await stepTimes(page, 2);
  assert.ok(Number.isFinite(await shownNumber(page, "#train-loss")));
  // Back to a dataset of 2 classes only: the file's 3 classes are not kept.
  await page.selectOption("#dataset", "moons");
  const moons = await page.evaluate(() => window.gradscope.config);
  assert.deepEqual([moons.dataset, moons.classes], ["moons", 2]);
  assert.deepEqual(errors, []);
  await page.close();
});

/** The rows of a CSV text with the header x1,x2,label, as numbers. */
function parseCsv(text) {
  const [header, ...rows] = text.trimEnd().split("\n");
  assert.equal(header, "x1,x2,label");
  return rows.map((r) => r.split(",").map(Number));
}

test("Download CSV saves the current points exactly, and the file loads back as the same points", async () => {
  const { page, errors } = await open("#dataset=spiral&classes=3&loss=softmax_cross_entropy&points=200");
  const file = await download(page, "#download-csv");
  assert.equal(file.name, "points.csv");
  const rows = parseCsv(file.text);
  const points = await probe(page, "points");
  const labels = await probe(page, "labels");
  assert.equal(rows.length, 200);
  assert.deepEqual(rows.map(([x, y]) => [x, y]), points, "every number as the trainer has it");
  assert.deepEqual(rows.map((r) => r[2]), labels);
  await loadCsv(page, "points.csv", file.text);
  assert.deepEqual(await probe(page, "points"), points);
  assert.deepEqual(await probe(page, "labels"), labels);
  assert.equal(await datasetText(page), "your data (points.csv, 200 points)");
  assert.deepEqual(errors, []);
  await page.close();
});

/** Saves the model of `page`, loads it into a fresh page, and checks that the two agree,
 * then that `k` more steps in each give identical weights. Returns the fresh page. */
async function saveAndContinue(page, k) {
  const at = await steps(page);
  const saved = await download(page, "#save-model");
  assert.equal(saved.name, `gradscope-model-step-${at}.json`);
  const fresh = await open();
  await loadModel(fresh.page, saved.name, saved.text);
  const loaded = fresh.page;
  assert.match(await status(loaded), new RegExp(`^Loaded ${saved.name.replaceAll(".", "\\.")}: step ${at}, epoch \\d+`));
  assert.equal(await steps(loaded), at);
  assert.equal(await loaded.textContent("#epochs"), await page.textContent("#epochs"));
  assert.deepEqual(await loaded.evaluate(() => window.gradscope.config), await page.evaluate(() => window.gradscope.config));
  assert.deepEqual(await probe(loaded, "points"), await probe(page, "points"));
  assert.deepEqual(await probe(loaded, "weights"), await probe(page, "weights"));
  // The loss curve starts where the run stood.
  assert.equal((await probe(loaded, "history"))[0].step, at);
  await stepTimes(page, k);
  await stepTimes(loaded, k);
  assert.equal(await steps(loaded), at + k);
  assert.deepEqual(await probe(loaded, "weights"), await probe(page, "weights"), `after ${k} more steps, the weights differ`);
  assert.equal(await loaded.textContent("#train-loss"), await page.textContent("#train-loss"));
  return fresh;
}

test("a saved model loads into a fresh page and trains on exactly as the run it came from", async () => {
  const { page, errors } = await open("#hidden=6,5&optimizer=adam&batch_size=16");
  await train(page, 40);
  const fresh = await saveAndContinue(page, 7);
  await fresh.page.locator(".model-bar").scrollIntoViewIfNeeded();
  const box = await fresh.page.evaluate(() => {
    const r = document.querySelector(".model-bar").getBoundingClientRect();
    const h = [...document.querySelectorAll("h2")].find((h) => h.textContent === "Model").getBoundingClientRect();
    return { x: h.left - 8, y: h.top - 4, width: r.right - h.left + 16, height: r.bottom - h.top + 12 };
  });
  await fresh.page.screenshot({ path: `${SHOTS}model-row.png`, clip: box });
  assert.deepEqual([...errors, ...fresh.errors], []);
  await fresh.page.close();
  await page.close();
});

test("a model trained on own points brings them along: the Dataset menu offers them by the file's name", async () => {
  const { page, errors } = await open("#optimizer=momentum&momentum=0.9");
  await loadCsv(page, "rings.csv", rings(3, 60).text);
  await stepTimes(page, 12);
  const fresh = await saveAndContinue(page, 5);
  assert.equal(await datasetText(fresh.page), "your data (gradscope-model-step-12.json, 60 points)");
  assert.equal(await fresh.page.$eval("#noise", (c) => c.disabled), true);
  assert.deepEqual([...errors, ...fresh.errors], []);
  await fresh.page.close();
  await page.close();
});

test("a damaged model file is refused with its reason, and the current run goes on as it was", async () => {
  const { page, errors } = await open("#hidden=3");
  await stepTimes(page, 4);
  const { text } = await download(page, "#save-model");
  await stepTimes(page, 2);
  const weights = await probe(page, "weights");
  const model = JSON.parse(text);
  const layerShort = structuredClone(model);
  layerShort.layers[1].w.pop();
  const damaged = [
    { name: "cut.json", text: text.slice(0, Math.floor(text.length / 2)), says: "cut.json: this is not a gradscope model file: EOF while parsing" },
    { name: "other.json", text: JSON.stringify({ ...model, format: "other" }), says: "other.json: this is not a gradscope model file: its format is 'other', not 'gradscope-model'" },
    { name: "newer.json", text: JSON.stringify({ ...model, version: 2 }), says: "newer.json: the model file is version 2; this gradscope reads version 1" },
    { name: "layer.json", text: JSON.stringify(layerShort), says: "layer.json: the model file is damaged: layer 2 has 2 weights and 1 biases" },
    { name: "picture.json", text: PNG, says: "picture.json: this is not a gradscope model file" },
  ];
  for (const bad of damaged) {
    await loadModel(page, bad.name, bad.text);
    const message = await page.$eval("#model-message", (m) => ({ text: m.textContent, role: m.getAttribute("role") }));
    assert.ok(message.text.startsWith(bad.says), `${bad.name}: “${message.text}”`);
    assert.equal(message.role, "alert");
    assert.equal(await steps(page), 6, `${bad.name}: the step count changed`);
    assert.deepEqual(await probe(page, "weights"), weights, `${bad.name}: the weights changed`);
    if (bad.name === "layer.json") {
      await page.locator("#model-message").scrollIntoViewIfNeeded();
      const box = await page.evaluate(() => {
        const r = document.querySelector("#model-message").getBoundingClientRect();
        const h = [...document.querySelectorAll("h2")].find((h) => h.textContent === "Model").getBoundingClientRect();
        return { x: h.left - 8, y: h.top - 4, width: r.right - h.left + 16, height: r.bottom - h.top + 12 };
      });
      await page.screenshot({ path: `${SHOTS}model-row-refused.png`, clip: box });
    }
  }
  // The run trains on, and the good file still loads.
  await stepTimes(page, 1);
  assert.equal(await steps(page), 7);
  await loadModel(page, "good.json", text);
  assert.equal(await steps(page), 4);
  assert.equal(await page.$eval("#model-message", (m) => m.hidden), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a link that named own points opens on the default dataset, and says to load the file again", async () => {
  const { page, errors } = await open("#dataset=own&classes=3&points=45&loss=softmax_cross_entropy&hidden=5");
  const config = await page.evaluate(() => window.gradscope.config);
  assert.deepEqual([config.dataset, config.classes, config.points, config.loss, config.hidden], ["moons", 2, 300, "softmax_cross_entropy", [5]]);
  const text = await status(page);
  assert.match(text, /Dataset “own” is your own points, which are not in the link: load their file again \(Load CSV…\)/);
  assert.doesNotMatch(text, /Classes|Points/, "the file's classes and count are not refused on their own");
  assert.equal(await page.$eval("#dataset", (s) => [...s.options].some((o) => o.value === "own")), false);
  assert.deepEqual(errors, []);
  await page.close();
});
