// Figures for slides and notes (issue 14 §3): the computation graph, with its legend, the
// node panel's Jacobian, and the training page's four views, exported as SVG and as PNG at
// 2×. Each SVG is read by a real XML parser, its text compared with what the page draws,
// and it is rendered and compared with the canvas it comes from; each PNG is decoded and
// measured. `./build.sh test` serves www/ and sets GRADSCOPE_URL; screenshots and the
// exported figures go to screenshots/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { SHOTS, usePlayground, typeText } from "./playground-page.mjs";

const { open, openTraining, browser } = usePlayground();

/** Saves figure `name` as `format` from the Export menu `menu` (a selector); the file's
 * bytes, kept in screenshots/ as export-NAME[-TAG].FORMAT. */
async function exportFile(page, menu, name, format, tag = "") {
  if (!(await page.isVisible(`${menu} .export-pop`))) await page.click(`${menu} > summary`);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click(`${menu} button[data-figure="${name}"][data-format="${format}"]`),
  ]);
  assert.equal(download.suggestedFilename(), `gradscope-${name}.${format}`);
  const bytes = readFileSync(await download.path());
  writeFileSync(`${SHOTS}export-${name}${tag ? `-${tag}` : ""}.${format}`, bytes);
  return bytes;
}

/** The SVG as the page's XML parser reads it: whether it parsed, its size, its texts in
 * order, and its images (how each is rendered). */
function parseSvg(page, text) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const error = doc.querySelector("parsererror");
    const svg = doc.documentElement;
    return {
      error: error ? error.textContent : null,
      root: svg.localName,
      ns: svg.namespaceURI,
      width: Number(svg.getAttribute("width")),
      height: Number(svg.getAttribute("height")),
      title: doc.querySelector("title")?.textContent ?? "",
      texts: [...doc.querySelectorAll("text")].map((t) => t.textContent),
      images: [...doc.querySelectorAll("image")].map((i) => ({
        png: (i.getAttribute("href") ?? "").startsWith("data:image/png;base64,"),
        pixelated: i.getAttribute("style")?.includes("pixelated") ?? false,
        width: Number(i.getAttribute("width")),
        tile: i.closest("pattern") !== null, // a pattern's tile (the hatch of exact zeros)
      })),
    };
  }, text);
}

/** A PNG's size as the page decodes it. */
function pngSize(page, bytes) {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    return { width: img.naturalWidth, height: img.naturalHeight };
  }, bytes.toString("base64"));
}

/** Coarse pixel statistics of a PNG (the part `clip` of it, drawn at `size`): the share of
 * pixels that are not near white, and the mean of each channel (0–255). */
function pixelStats(page, bytes, { clip, size } = {}) {
  return page.evaluate(
    async ([b64, clip, size]) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = clip ?? { x: 0, y: 0, width: img.naturalWidth, height: img.naturalHeight };
      const out = size ?? { width: c.width, height: c.height };
      const canvas = document.createElement("canvas");
      canvas.width = out.width;
      canvas.height = out.height;
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, out.width, out.height);
      ctx.drawImage(img, c.x, c.y, c.width, c.height, 0, 0, out.width, out.height);
      const d = ctx.getImageData(0, 0, out.width, out.height).data;
      let ink = 0;
      const sum = [0, 0, 0];
      for (let k = 0; k < d.length; k += 4) {
        if (d[k] < 235 || d[k + 1] < 235 || d[k + 2] < 235) ink++;
        for (let j = 0; j < 3; j++) sum[j] += d[k + j];
      }
      const n = d.length / 4;
      return { nonWhite: ink / n, mean: sum.map((s) => s / n) };
    },
    [bytes.toString("base64"), clip ?? null, size ?? null],
  );
}

/** Asserts that two images' statistics agree within 20%, and that neither is blank. */
function assertLookAlike(a, b, what) {
  const close = (x, y) => Math.abs(x - y) <= 0.2 * Math.max(x, y);
  if (process.env.EXPORT_STATS) console.log(what, JSON.stringify(a), JSON.stringify(b));
  assert.ok(a.nonWhite > 0.01 && b.nonWhite > 0.01, `${what}: neither is blank (${a.nonWhite}, ${b.nonWhite})`);
  assert.ok(close(a.nonWhite, b.nonWhite), `${what}: the share of ink agrees within 20%: ${a.nonWhite} vs ${b.nonWhite}`);
  // Each channel's darkness (255 − its mean): white pages would agree on the means alone.
  a.mean.forEach((m, j) => {
    const [x, y] = [255 - m, 255 - b.mean[j]];
    assert.ok(close(x, y) || Math.abs(x - y) < 0.5, `${what}: channel ${j}'s darkness agrees within 20%: ${x} vs ${y}`);
  });
}

/** The SVG rendered by the browser as an image in a page of its own, screenshotted (the
 * part `clip`, or all of it). */
async function renderSvg(svg, path, clip) {
  const page = await browser().newPage({ viewport: { width: 1600, height: 1200 } });
  await page.setContent(`<body style="margin:0;background:#fff"><img id="f" src="data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}"></body>`);
  await page.$eval("#f", (img) => img.decode());
  const box = await page.locator("#f").boundingBox();
  const shot = await page.screenshot({ path, clip: clip ?? box });
  await page.close();
  return { shot, box };
}

/** Every text the graph's canvas draws now, and how many images: the view drawn once with
 * its context's fillText and drawImage watched. */
const canvasDrawing = (page) =>
  page.evaluate(() => {
    const view = window.gradscope.view;
    const ctx = view.ctx;
    const texts = [];
    let images = 0;
    const [fillText, drawImage] = [ctx.fillText, ctx.drawImage];
    ctx.fillText = function (t, ...rest) {
      texts.push(String(t));
      return fillText.call(this, t, ...rest);
    };
    ctx.drawImage = function (...args) {
      images++;
      return drawImage.apply(this, args);
    };
    try {
      view.draw();
    } finally {
      delete ctx.fillText;
      delete ctx.drawImage;
    }
    return { texts, images };
  });

/** What each node shows, from the page's own node data: its title, its value and its
 * gradient row, as the view writes them. */
const nodeTexts = (page) =>
  page.evaluate(async () => {
    const { nodeSymbol } = await import(new URL("js/ops.js", location.href).href);
    const { brief } = await import(new URL("js/tensor.js", location.href).href);
    const view = window.gradscope.view;
    return view.nodes.map((n) => ({
      title: ["input", "parameter", "constant"].includes(n.op) ? n.label : nodeSymbol(n.op),
      value: `= ${brief(n.value, n.shape)}`,
      grad: view.gradText(n.id),
    }));
  });

test("the lecture's expression exports as an SVG an XML parser reads, with every label, value and gradient the canvas shows, and its legend", async () => {
  const { page, errors } = await open();
  assert.equal(await page.inputValue("#expr"), "ln(x1)+x1*x2-sin(x2)");
  assert.deepEqual([await page.inputValue("#variables input[type=number] >> nth=0"), await page.inputValue("#variables input[type=number] >> nth=1")], ["2", "5"]);
  const results = await page.$$eval("#results tr", (rows) => rows.map((r) => r.innerText.split("\t")));
  assert.deepEqual(results, [["f", "11.6521"], ["∂f/∂x1", "5.5"], ["∂f/∂x2", "1.71634"]]);

  const svg = (await exportFile(page, "#graph-export", "graph", "svg")).toString("utf8");
  const parsed = await parseSvg(page, svg);
  assert.equal(parsed.error, null, "the SVG parses as XML");
  assert.equal(parsed.root, "svg");
  assert.equal(parsed.ns, "http://www.w3.org/2000/svg");
  assert.match(parsed.title, /computation graph/);
  const texts = new Set(parsed.texts);

  // Every node's title, value and gradient, as the page's node data says them.
  const nodes = await nodeTexts(page);
  assert.equal(nodes.length, 7);
  for (const n of nodes) {
    for (const t of [n.title, n.value, n.grad]) assert.ok(texts.has(t), `the SVG says "${t}": ${[...texts].join(" | ")}`);
  }
  // The results table's numbers are the ones on the nodes.
  for (const t of ["x1", "x2", "ln", "sin", "= 11.6521", "∂ 5.5", "∂ 1.71634", "= 2", "= 5"]) assert.ok(texts.has(t), `the SVG says "${t}"`);
  // Everything the canvas writes (the whole graph is on screen), and each edge's number.
  const drawn = await canvasDrawing(page);
  for (const t of drawn.texts) assert.ok(texts.has(t), `the canvas's "${t}" is in the SVG`);
  const edgeLabels = await page.evaluate(() => window.gradscope.view.edgeLabels().map((e) => e.text));
  assert.ok(edgeLabels.length >= 6);
  for (const t of edgeLabels) assert.ok(texts.has(t), `the edge number "${t}" is in the SVG`);
  // The legend, as the page's legend says it.
  const legend = await page.evaluate(() => ["#legend-quantity", "#legend-lo", "#legend-hi"].map((s) => document.querySelector(s).textContent));
  for (const t of [...legend, "0", "NaN", "from a constant (carries nothing)", "log scale"]) assert.ok(texts.has(t), `the legend's "${t}" is in the SVG`);
  assert.ok(!texts.has("tensor nodes: value (left) and gradient (right), −max to +max of each, exact 0 grey"), "no tensor key for an expression");

  // PNG at 2×: twice the SVG's size.
  const png = await exportFile(page, "#graph-export", "graph", "png");
  assert.deepEqual(await pngSize(page, png), { width: 2 * parsed.width, height: 2 * parsed.height });

  // The SVG as a browser renders it, beside the canvas drawing the graph at the figure's
  // zoom and place: the same picture.
  const graphH = await page.evaluate(() => {
    const v = window.gradscope.view;
    const b = v.figureBox();
    return b.y1 - b.y0 + 32;
  });
  const rendered = await renderSvg(svg, `${SHOTS}export-graph-svg-rendered.png`);
  assert.equal(Math.round(rendered.box.width), parsed.width);
  await page.evaluate((width) => {
    const v = window.gradscope.view;
    const b = v.figureBox();
    v.view = { scale: 1, tx: (width - (b.x1 - b.x0 + 32)) / 2 + 16 - b.x0, ty: 16 - b.y0 };
    v.draw();
  }, parsed.width);
  const canvasBox = await page.locator("#graph").boundingBox();
  const canvasShot = await page.screenshot({ path: `${SHOTS}export-graph-canvas.png`, clip: { x: canvasBox.x, y: canvasBox.y, width: parsed.width, height: graphH } });
  const clip = { x: 0, y: 0, width: parsed.width, height: graphH };
  const [fromSvg, fromCanvas] = [await pixelStats(page, rendered.shot, { clip }), await pixelStats(page, canvasShot)];
  assertLookAlike(fromSvg, fromCanvas, "the SVG and the canvas");
  // And the whole figure, SVG against its PNG (the canvas's drawing of the same figure).
  assertLookAlike(await pixelStats(page, rendered.shot), await pixelStats(page, png, { size: { width: parsed.width, height: parsed.height } }), "the SVG and the PNG");
  await page.evaluate(() => window.gradscope.view.fit());
  assert.deepEqual(errors, []);
});

/** A tensor program with a loop (its two steps are groups) whose header has a `<`. */
const LOOP = "seed(3)\nW = randn(3, 3)\nh = randn(3)\ni = 0\nwhile i < 2:\n    h = tanh(W @ h)\n    i = i + 1\nL = sum(h * h)";

test("a tensor program's groups and the open Jacobian panel export with their labels and heatmaps; the PNG is 2×", async () => {
  const { page, errors } = await open();
  await typeText(page, LOOP);
  await page.waitForFunction(() => window.gradscope.view.structure?.groups.length >= 2);
  const groups = await page.evaluate(() => window.gradscope.view.structure.groups.map((g) => `${g.header} · ${g.detail}`));
  assert.ok(groups.includes("while i < 2 · step 1") && groups.includes("while i < 2 · step 2"), groups.join(", "));
  // The first matmul, clicked: the node panel opens on it, with its local Jacobian drawn.
  const matmul = await page.evaluate(() => window.gradscope.view.nodes.find((n) => n.op === "matmul").id);
  const r = await page.evaluate((id) => window.gradscope.view.nodeScreenRect(id), matmul);
  const box = await page.locator("#graph").boundingBox();
  await page.mouse.click(box.x + (r.x0 + r.x1) / 2, box.y + (r.y0 + r.y1) / 2);
  await page.waitForSelector("#node-panel:not([hidden]) .np-local .heatmap-canvas");
  await page.mouse.move(5, 5); // off the graph: nothing hovered
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}export-loop-page.png`, fullPage: true });

  const svg = (await exportFile(page, "#graph-export", "graph-jacobian", "svg")).toString("utf8");
  const parsed = await parseSvg(page, svg);
  assert.equal(parsed.error, null, "the SVG parses as XML (the loop's `<` escaped)");
  assert.ok(svg.includes("while i &lt; 2"), "the header's < is escaped");
  const texts = new Set(parsed.texts);
  // The groups' labels, the tensor nodes' titles, everything the canvas writes.
  const drawn = await canvasDrawing(page);
  for (const t of drawn.texts) assert.ok(texts.has(t), `the canvas's "${t}" is in the SVG`);
  for (const g of ["▾ while i < 2 · step 1", "▾ while i < 2 · step 2"]) assert.ok(parsed.texts.some((t) => t.startsWith(g.slice(0, 14)) && g.startsWith(t.replace(/…$/, ""))), `the group label "${g}" is in the SVG`);
  for (const n of await nodeTexts(page)) assert.ok(parsed.texts.some((t) => t.startsWith(n.title)), `node "${n.title}" is in the SVG`);
  assert.ok(texts.has("tensor nodes: value (left) and gradient (right), −max to +max of each, exact 0 grey"), "the tensor key");
  // The heatmaps: every image the canvas draws (a tensor node's value and gradient), and
  // the panel's Jacobian; all PNG data, pixelated as drawn.
  assert.ok(drawn.images >= 8, `the canvas draws the tensor nodes' heatmaps: ${drawn.images}`);
  const pictures = parsed.images.filter((i) => !i.tile);
  assert.ok(pictures.length >= drawn.images + 1, `the SVG has ${pictures.length} images for ${drawn.images} + the Jacobian`);
  assert.ok(pictures.every((i) => i.png && i.pixelated), JSON.stringify(pictures));
  assert.ok(parsed.images.some((i) => i.tile), "the Jacobian's zeros are hatched");
  const jacobian = await page.evaluate(() => ({ label: window.gradscope.panel.localMap.label, width: window.gradscope.panel.localMap.cols * window.gradscope.panel.localMap.cellW }));
  assert.equal(jacobian.label, "∂(W @ h)/∂W");
  assert.ok(texts.has(`${jacobian.label}: 3 × 9`), "the Jacobian's title");
  assert.ok(pictures.some((i) => i.width === jacobian.width), "the Jacobian's heatmap at its size on the page");
  assert.ok(texts.has("exactly 0: no dependence") && texts.has("linear scale, white near 0"), "the Jacobian's legend");

  const png = await exportFile(page, "#graph-export", "graph-jacobian", "png");
  assert.deepEqual(await pngSize(page, png), { width: 2 * parsed.width, height: 2 * parsed.height });
  const rendered = await renderSvg(svg, `${SHOTS}export-graph-jacobian-svg-rendered.png`);
  assertLookAlike(await pixelStats(page, rendered.shot), await pixelStats(page, png, { size: { width: parsed.width, height: parsed.height } }), "the SVG and the PNG");

  // The panel's own Export: the heatmap alone, with its legend.
  const alone = (await exportFile(page, ".np-local .export-menu", "jacobian-local", "svg")).toString("utf8");
  const one = await parseSvg(page, alone);
  assert.equal(one.error, null);
  assert.ok(one.texts.includes("∂(W @ h)/∂W: 3 × 9") && one.texts.includes("exactly 0: no dependence"), one.texts.join(" | "));
  assert.equal(one.images.filter((i) => !i.tile).length, 1, "the cells are one image");
  assert.ok(one.images.some((i) => i.tile), "and the zeros are hatched by a pattern");
  const alonePng = await exportFile(page, ".np-local .export-menu", "jacobian-local", "png");
  assert.deepEqual(await pngSize(page, alonePng), { width: 2 * one.width, height: 2 * one.height });
  await renderSvg(alone, `${SHOTS}export-jacobian-local-svg-rendered.png`);
  assert.deepEqual(errors, []);
});

test("text with <, & and quotes, a name's or a figure's title, makes valid XML and reads back as it was", async () => {
  const { page, errors } = await open();
  const back = await page.evaluate(async () => {
    const { figureSvg } = await import(new URL("js/figure.js", location.href).href);
    const nasty = `a<b & "c" 'd' </text>]]>\u0001`;
    const svg = figureSvg({
      name: "x",
      title: nasty,
      width: 200,
      height: 60,
      draw(ctx) {
        ctx.font = "600 13px system-ui, sans-serif";
        ctx.fillText(nasty, 10, 30);
        ctx.fillStyle = `rgba(1, 2, 3, 0.5)`;
        ctx.fillRect(0, 0, 10, 10);
      },
    });
    const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    return { error: doc.querySelector("parsererror")?.textContent ?? null, title: doc.querySelector("title")?.textContent, text: doc.querySelector("text")?.textContent };
  });
  assert.equal(back.error, null);
  assert.equal(back.title, `a<b & "c" 'd' </text>]]>`, "the control character, which XML cannot hold, is dropped");
  assert.equal(back.text, `a<b & "c" 'd' </text>]]>`);
  // A program's own text in the graph: its loop header's `<` (names cannot hold `&` or
  // quotes: the language has no such characters).
  await typeText(page, LOOP);
  await page.waitForFunction(() => window.gradscope.view.structure?.groups.length >= 2);
  const svg = (await exportFile(page, "#graph-export", "graph", "svg")).toString("utf8");
  const parsed = await parseSvg(page, svg);
  assert.equal(parsed.error, null);
  assert.ok(parsed.texts.some((t) => t.includes("while i < 2")));
  assert.deepEqual(errors, []);
});

test("the training page exports its decision map, network, loss curves and gradient health, and all four, as SVG and PNG 2×", async () => {
  const { page, errors } = await openTraining();
  for (let k = 0; k < 30; k++) await page.click("#step-once");
  await page.waitForFunction(() => window.gradscope.history().length > 20);
  await page.screenshot({ path: `${SHOTS}export-train-page.png` });

  /** @type {Record<string, string[]>} what each figure must say */
  const says = {
    "train-plot": ["x1", "x2", "class 0", "class 1", "filled: training point", "hollow: test point"],
    "train-network": ["x1", "x2", "|∂L/∂w| in the last step", "thickness: |w|"],
    "train-curves": ["train loss", "test loss", "step 0"],
    "train-health": ["W1", "W2", "W3 (output)", "step 1"],
  };
  const steps = await page.evaluate(() => window.gradscope.history().at(-1).step);
  says["train-curves"].push(`step ${steps}`);
  says.train = Object.values(says).flat();
  for (const [name, words] of Object.entries(says)) {
    const svg = (await exportFile(page, "#train-export", name, "svg")).toString("utf8");
    const parsed = await parseSvg(page, svg);
    assert.equal(parsed.error, null, `${name}: the SVG parses`);
    for (const w of words) assert.ok(parsed.texts.includes(w), `${name} says "${w}": ${parsed.texts.join(" | ")}`);
    const png = await exportFile(page, "#train-export", name, "png");
    assert.deepEqual(await pngSize(page, png), { width: 2 * parsed.width, height: 2 * parsed.height }, `${name}: the PNG is 2×`);
    const rendered = await renderSvg(svg, `${SHOTS}export-${name}-svg-rendered.png`);
    assertLookAlike(await pixelStats(page, rendered.shot), await pixelStats(page, png, { size: { width: parsed.width, height: parsed.height } }), `${name}: the SVG and the PNG`);
    if (name === "train-plot") {
      // The map in the SVG, against the page's canvas itself.
      assert.equal(parsed.images.length, 1, "the map is one image");
      const plot = await page.$eval("#plot", (c) => c.toDataURL("image/png").split(",")[1]);
      const mapClip = { x: 42, y: 12, width: 400, height: 400 };
      assertLookAlike(await pixelStats(page, rendered.shot, { clip: mapClip }), await pixelStats(page, Buffer.from(plot, "base64")), "the plot's SVG and its canvas");
    }
    if (name === "train-network") assert.ok(parsed.images.length >= 2 + 8 + 8 + 1, `a thumbnail an input and a neuron: ${parsed.images.length}`);
  }

  // A fit of y = f(x1): the plot's axes are x1 and y, the curve is the network's output.
  await page.selectOption("#preset", "sine");
  await page.waitForFunction(() => window.gradscope.config.problem === "regression");
  for (let k = 0; k < 5; k++) await page.click("#step-once");
  const fit = await parseSvg(page, (await exportFile(page, "#train-export", "train-plot", "svg", "fit")).toString("utf8"));
  assert.equal(fit.error, null);
  for (const w of ["x1", "y", "the network's output y(x1)", "training point", "test point"]) assert.ok(fit.texts.includes(w), `the fit says "${w}": ${fit.texts.join(" | ")}`);
  assert.deepEqual(errors, []);
});
