// The program editor (www/js/editor.js) and the links (www/js/fragment.js), in headless
// Chromium driven by Playwright: where line numbers and marks land on the screen, what the
// caret and the mouse report, and links long, damaged or hostile.
// GRADSCOPE_URL names the served www/; screenshots go to screenshots/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, usePlayground, typeText } from "./playground-page.mjs";
import { deflateRawSync, inflateRawSync } from "node:zlib";

const { open } = usePlayground();

const FIRST_PRESET = "ln(x1)+x1*x2-sin(x2)";
const SIX_LINES = "seed(1)\nW = randn(3, 4)\nx = randn(4)\nb = zeros(3)\nh = relu(W @ x + b)\nL = sum(h * h)";

/** The plain link of a text, as the page writes it. */
const plainLink = (text) => `#e=${encodeURIComponent(text)}`;
/** A compressed link of a plain fragment's query (what follows the '#'), packed by Node's zlib. */
const packedLink = (query) => `#z=${deflateRawSync(Buffer.from(query)).toString("base64url")}`;

/** Where line `line` (from 1) of the textarea's text is on the screen now, and the width
 * of a character, from the textarea's own box, padding, line height, font and scroll. */
function lineBox(page, line) {
  return page.evaluate((line) => {
    const box = document.querySelector("#expr");
    const r = box.getBoundingClientRect();
    const s = getComputedStyle(box);
    const lineHeight = parseFloat(s.lineHeight);
    const ctx = document.createElement("canvas").getContext("2d");
    ctx.font = s.font;
    return {
      top: r.top + parseFloat(s.paddingTop) + (line - 1) * lineHeight - box.scrollTop,
      left: r.left + parseFloat(s.paddingLeft) - box.scrollLeft,
      lineHeight,
      charWidth: ctx.measureText("x").width,
      box: { top: r.top, bottom: r.bottom, left: r.left, right: r.right },
    };
  }, line);
}

/** The boxes of the elements `selector` finds, on the screen, with their text. */
function rects(page, selector) {
  return page.$$eval(selector, (es) =>
    es.map((e) => {
      const r = e.getBoundingClientRect();
      return { text: e.textContent, top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height, className: e.className };
    }),
  );
}

const near = (a, b, tolerance = 1.5) => Math.abs(a - b) <= tolerance;
/** Whether an inline box (as tall as the font, not the line) is centred on `line`'s box. */
const onLine = (r, line) => Math.abs((r.top + r.bottom) / 2 - (line.top + line.lineHeight / 2)) < line.lineHeight / 4;

test("a single expression is the one-line box it was: no line numbers, one row", async () => {
  const { page, errors } = await open();
  assert.equal(await page.inputValue("#expr"), FIRST_PRESET);
  assert.equal(await page.isVisible(".editor-gutter"), false);
  assert.equal(await page.getAttribute("#expr", "rows"), "1");
  const { lineHeight, box } = await lineBox(page, 1);
  assert.ok(box.bottom - box.top < 2 * lineHeight, `one line tall: ${box.bottom - box.top}px`);
  // The mirror under the text holds the same text, invisible.
  assert.equal(await page.textContent(".editor-marks"), FIRST_PRESET);
  assert.equal(await page.$eval(".editor-marks", (e) => getComputedStyle(e).color), "rgba(0, 0, 0, 0)");
  assert.equal(await page.$eval("#expr", (e) => getComputedStyle(e).backgroundColor), "rgba(0, 0, 0, 0)");
  await page.locator(".controls").screenshot({ path: `${SHOTS}editor-one-line.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a program has one number per line in the gutter, each on its line, and they scroll with the text", async () => {
  const { page, errors } = await open(plainLink(SIX_LINES));
  assert.equal(await page.isVisible(".editor-gutter"), true);
  const numbers = await rects(page, ".editor-numbers > div");
  assert.deepEqual(
    numbers.map((n) => n.text),
    ["1", "2", "3", "4", "5", "6"],
  );
  for (const [i, n] of numbers.entries()) {
    const line = await lineBox(page, i + 1);
    assert.ok(near(n.top, line.top) && near(n.height, line.lineHeight), `number ${i + 1} at ${n.top}, its line at ${line.top}`);
    assert.ok(n.right <= line.box.left + 0.5, "the numbers are left of the text");
  }
  await page.locator(".controls").screenshot({ path: `${SHOTS}editor-six-lines.png` });

  // 30 lines: the box stops at 12 rows and scrolls; the numbers follow.
  const long = Array.from({ length: 30 }, (_, i) => `y${i} = ${i} * x`).join("\n");
  await typeText(page, long);
  assert.equal(await page.getAttribute("#expr", "rows"), "12");
  assert.equal((await rects(page, ".editor-numbers > div")).length, 30);
  await page.$eval("#expr", (e) => (e.scrollTop = e.scrollHeight));
  await page.waitForFunction(() => {
    const box = document.querySelector("#expr").getBoundingClientRect();
    const last = document.querySelector(".editor-numbers > div:last-child").getBoundingClientRect();
    return last.bottom <= box.bottom && last.top >= box.top;
  });
  const last = (await rects(page, ".editor-numbers > div")).at(-1);
  assert.ok(near(last.top, (await lineBox(page, 30)).top), "line 30's number is on line 30 after scrolling");
  const first = (await rects(page, ".editor-numbers > div"))[0];
  assert.ok(first.bottom <= (await lineBox(page, 1)).box.top + 0.5, "line 1's number is scrolled out of sight with line 1");
  // Back to one expression: no gutter.
  await typeText(page, "x * 2");
  assert.equal(await page.isVisible(".editor-gutter"), false);
  assert.equal(await page.getAttribute("#expr", "rows"), "1");
  assert.deepEqual(errors, []);
  await page.close();
});

test("an error mid-program is underlined on its line in the editor, and said under it", async () => {
  const text = SIX_LINES.replace("zeros(3)", "zeros(3, 2)");
  const { page, errors } = await open(plainLink(text));
  await page.waitForSelector("#expr-error:not([hidden])");
  assert.equal(await page.textContent("#expr-error .message"), "cannot broadcast [3] with 3×2 for '+'");
  assert.equal(await page.getAttribute("#expr", "aria-invalid"), "true");
  const [mark] = await rects(page, ".editor-marks .mark-error");
  assert.equal(mark.text, "W @ x + b");
  const line = await lineBox(page, 5);
  assert.ok(onLine(mark, line), `the underline (${mark.top}–${mark.bottom}) is on line 5 (${line.top}, ${line.lineHeight} tall)`);
  const column = "h = relu(".length;
  assert.ok(near(mark.left, line.left + column * line.charWidth), `it starts under column ${column + 1}: ${mark.left} vs ${line.left + column * line.charWidth}`);
  assert.ok(near(mark.right - mark.left, mark.text.length * line.charWidth), "and is as wide as the span");
  assert.match(await page.$eval(".editor-marks .mark-error", (e) => getComputedStyle(e).textDecorationStyle), /wavy/);
  // The gutter names the line, and so does the message's snippet.
  assert.deepEqual(await page.$$eval(".editor-numbers .error", (es) => es.map((e) => e.textContent)), ["5"]);
  assert.equal(await page.textContent("#expr-error .source"), "line 5: h = relu(W @ x + b)");
  const box = await page.$eval(".editor", (e) => e.getBoundingClientRect().bottom);
  const message = await page.$eval("#expr-error .message", (e) => e.getBoundingClientRect().top);
  assert.ok(message >= box, "the message is beneath the editor");
  await page.locator(".controls").screenshot({ path: `${SHOTS}editor-error.png` });

  // An error at the end of a line marks a space there, on that line.
  await typeText(page, "x = 1\ny = (x +\nz = 2");
  const [related] = await rects(page, ".editor-marks .mark-related");
  assert.equal(related.text, "(");
  assert.ok(onLine(related, await lineBox(page, 2)), "the '(' is marked on line 2");
  await typeText(page, "ln(x1 + x2 *");
  const [end] = await rects(page, ".editor-marks .mark-error");
  assert.equal(end.text, " ");
  assert.ok(near(end.left, (await lineBox(page, 1)).left + 12 * (await lineBox(page, 1)).charWidth), "after the '*'");

  // On a long line scrolled sideways the underline stays under its characters.
  const wide = `${"x1+".repeat(60)}x1 $ 2`;
  await typeText(page, wide);
  assert.equal(await page.textContent(".editor-marks .mark-error"), "$");
  const left = await page.$eval("#expr", (e) => {
    e.scrollLeft = e.scrollWidth;
    return e.scrollLeft;
  }); // as far as it goes: the '$' is near the end
  assert.ok(left > 1000, `scrolled ${left}px`);
  await page.waitForFunction((x) => document.querySelector(".editor-marks").style.transform.startsWith(`translate(${-x}px`), left);
  const [dollar] = await rects(page, ".editor-marks .mark-error");
  const scrolled = await lineBox(page, 1);
  assert.ok(near(dollar.left, scrolled.left + wide.indexOf("$") * scrolled.charWidth), `under the '$' at ${dollar.left}`);
  assert.ok(dollar.left > scrolled.box.left && dollar.right < scrolled.box.right, "and in sight");

  // Fixed: no mark, no message, no aria-invalid.
  await typeText(page, SIX_LINES);
  await page.waitForSelector("#expr-error", { state: "hidden" });
  assert.equal(await page.locator(".editor-marks span").count(), 0);
  assert.equal(await page.getAttribute("#expr", "aria-invalid"), null);
  assert.equal(await page.locator(".editor-numbers .error").count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test("highlight() and markLine() draw behind the text on their lines; an edit drops the highlights", async () => {
  const { page, errors } = await open(plainLink(SIX_LINES));
  const start = SIX_LINES.indexOf("relu(W @ x + b)");
  await page.evaluate((start) => window.gradscope.editor.highlight([{ start, end: start + "relu(W @ x + b)".length }]), start);
  const [mark] = await rects(page, ".editor-marks .mark-highlight");
  assert.equal(mark.text, "relu(W @ x + b)");
  const line5 = await lineBox(page, 5);
  assert.ok(onLine(mark, line5) && near(mark.left, line5.left + 4 * line5.charWidth), "the highlight lies on 'relu(…)' of line 5");
  assert.notEqual(await page.$eval(".editor-marks .mark-highlight", (e) => getComputedStyle(e).backgroundColor), "rgba(0, 0, 0, 0)");

  await page.evaluate(() => window.gradscope.editor.markLine(3));
  const [band] = await rects(page, ".editor-line-mark");
  const line3 = await lineBox(page, 3);
  assert.ok(near(band.top, line3.top) && near(band.height, line3.lineHeight), `the band ${band.top} is line 3, ${line3.top}`);
  assert.ok(band.left <= line3.box.left + 0.5 && band.right >= line3.box.right - 20, "across the whole line");
  assert.deepEqual(await page.$$eval(".editor-numbers .marked", (es) => es.map((e) => e.textContent)), ["3"]);
  await page.locator(".controls").screenshot({ path: `${SHOTS}editor-highlight-and-line.png` });

  // Marks are text, never HTML; overlapping ranges both show.
  await page.evaluate(() => window.gradscope.editor.highlight([{ start: 0, end: 7 }, { start: 3, end: 12 }]));
  assert.equal(await page.textContent(".editor-marks"), SIX_LINES);
  assert.equal((await page.$$eval(".editor-marks .mark-highlight", (es) => es.map((e) => e.textContent))).join(""), SIX_LINES.slice(0, 12));

  await page.evaluate(() => window.gradscope.editor.highlight([]));
  assert.equal(await page.locator(".editor-marks .mark-highlight").count(), 0);
  await page.evaluate(() => window.gradscope.editor.markLine(null));
  assert.equal(await page.isVisible(".editor-line-mark"), false);
  assert.equal(await page.locator(".editor-numbers .marked").count(), 0);

  await page.evaluate(() => window.gradscope.editor.highlight([{ start: 0, end: 4 }]));
  await page.focus("#expr");
  await page.keyboard.press("Control+End");
  await page.keyboard.type(" + 1");
  assert.equal(await page.locator(".editor-marks .mark-highlight").count(), 0, "a highlight of the old text is gone");
  assert.equal(await page.textContent(".editor-marks"), `${SIX_LINES} + 1`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the caret's line and the line under the mouse are reported as they change", async () => {
  const { page, errors } = await open(plainLink(SIX_LINES));
  await page.evaluate(() => {
    window.caretLines = [];
    window.hoverLines = [];
    window.gradscope.editor.onCaretLine = (line) => window.caretLines.push(line);
    window.gradscope.editor.onHoverLine = (line) => window.hoverLines.push(line);
  });
  const line3 = await lineBox(page, 3);
  await page.mouse.click(line3.left + 3 * line3.charWidth, line3.top + line3.lineHeight / 2);
  await page.waitForFunction(() => window.caretLines.at(-1) === 3);
  const seen = (await page.evaluate(() => window.caretLines.length)) - 1; // focusing may report the old caret's line first
  await page.keyboard.press("ArrowDown");
  await page.waitForFunction(() => window.caretLines.at(-1) === 4);
  await page.keyboard.press("ArrowRight"); // the same line: nothing new
  await page.keyboard.press("Control+Home");
  await page.waitForFunction(() => window.caretLines.at(-1) === 1);
  assert.deepEqual((await page.evaluate(() => window.caretLines)).slice(seen), [3, 4, 1]);

  const line5 = await lineBox(page, 5);
  await page.mouse.move(line5.left + 40, line5.top + line5.lineHeight / 2);
  await page.waitForFunction(() => window.hoverLines.at(-1) === 5);
  await page.mouse.move(line5.left + 60, line5.top + line5.lineHeight * 0.9); // still line 5
  const line6 = await lineBox(page, 6);
  await page.mouse.move(line6.box.left - 10, line6.top + 2); // over the gutter's 6
  await page.waitForFunction(() => window.hoverLines.at(-1) === 6);
  await page.mouse.move(900, 700);
  await page.waitForFunction(() => window.hoverLines.at(-1) === null);
  assert.deepEqual((await page.evaluate(() => window.hoverLines)).slice(-3), [5, 6, null]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("Tab indents through the editor and the page re-reads the text, as typing does", async () => {
  const { page, errors } = await open(plainLink("y = x\ny"));
  await page.focus("#expr");
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Home");
  await page.keyboard.press("Tab");
  assert.equal(await page.inputValue("#expr"), "y = x\n    y");
  // The indented last line is a block with no header: the page says so.
  await page.waitForSelector("#expr-error:not([hidden])");
  await page.keyboard.press("Shift+Tab");
  await page.waitForSelector("#expr-error", { state: "hidden" });
  assert.equal(await page.getAttribute("td[data-value]", "data-value"), "1");
  assert.deepEqual(errors, []);
  await page.close();
});

// ---- links --------------------------------------------------------------------------------------

/** A program of about 2 kB: a chain of 60 lines. */
const BIG = ["y0 = x"].concat(Array.from({ length: 60 }, (_, i) => `y${i + 1} = 0.5 * y${i} + sin(y${i}) * 0.25  # step ${i + 1}`)).join("\n") + "\ny60";

test("a 2 kB program makes a compressed link that reopens as exactly that program; short links stay plain", async () => {
  assert.ok(BIG.length >= 2000, `${BIG.length} characters`);
  const { page, errors } = await open();
  await typeText(page, BIG);
  await page.fill('input[type=number][data-var="x"]', "0.7");
  // The link is written (compressed, asynchronously) after each change: the program's
  // first, then x's. Wait for the one with x = 0.7, whatever the machine's load.
  const unpacked = (hash) => (hash.startsWith("#z=") ? inflateRawSync(Buffer.from(hash.slice(3), "base64url")).toString("utf8") : "");
  for (let tries = 0; !unpacked(new URL(page.url()).hash).endsWith("&x=0.7") && tries < 300; tries++) await page.waitForTimeout(50);
  await page.waitForFunction(() => document.querySelector("td[data-value]")?.dataset.value);
  const f = await page.getAttribute("td[data-value]", "data-value");
  const hash = new URL(page.url()).hash;
  const plain = unpacked(hash);
  assert.equal(plain, `e=${encodeURIComponent(BIG)}&x=0.7`, "the z= part packs the plain fragment");
  assert.ok(hash.length < plain.length / 2, `compressed ${plain.length} → ${hash.length} characters`);

  const { page: again, errors: e2 } = await open(hash);
  // Ready means the link's view is on screen: no waiting for it.
  assert.equal(await again.inputValue("#expr"), BIG);
  assert.equal(await again.inputValue('input[type=number][data-var="x"]'), "0.7");
  assert.equal(await again.getAttribute("td[data-value]", "data-value"), f);
  assert.equal(await again.isHidden("#expr-error"), true);

  // A short text goes back to a plain link, one a person can read.
  await typeText(again, "x * 3");
  await again.waitForFunction(() => location.hash.startsWith("#e=x%20*%203"), null, { polling: 50, timeout: 15000 });
  assert.deepEqual([...errors, ...e2], []);
  await Promise.all([page.close(), again.close()]);
});

test("a compressed write that finishes after a newer one began does not put back the older view", async () => {
  const { page, errors } = await open();
  // Compression held back until the test lets it go, so the older write is still packing.
  await page.evaluate(() => {
    const Real = CompressionStream;
    window.CompressionStream = class {
      constructor(format) {
        const real = new Real(format);
        const gate = new Promise((resolve) => (window.releaseCompression = resolve));
        this.writable = real.writable;
        this.readable = real.readable.pipeThrough(new TransformStream({ transform: async (chunk, out) => out.enqueue((await gate, chunk)) }));
      }
    };
  });
  const before = await page.evaluate(() => window.gradscope.urlWrites);
  await typeText(page, BIG);
  await page.waitForFunction(() => window.releaseCompression);
  await typeText(page, "x * 3");
  await page.waitForFunction(() => location.hash === "#e=x%20*%203&x=1", null, { polling: 50, timeout: 15000 });
  await page.evaluate(() => window.releaseCompression());
  await page.waitForFunction((n) => window.gradscope.urlWrites >= n + 2, before);
  assert.equal(new URL(page.url()).hash, "#e=x%20*%203&x=1");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a damaged z= link opens the first preset with a message saying why, and the page works", async () => {
  const cases = [
    ["#z=not*base64!", /could not be read: its z= part is not base64url text/],
    [`#z=${Buffer.from("this is not deflate data at all, just bytes").toString("base64url")}`, /could not be read: the compressed data is damaged/],
    [packedLink(`e=${encodeURIComponent(SIX_LINES)}`).slice(0, -4), /could not be read: the compressed data is damaged/], // cut short
    [`#z=${deflateRawSync(Buffer.from([0x65, 0x3d, 0xff, 0xfe, 0x78])).toString("base64url")}`, /could not be read: the unpacked data is not UTF-8 text/],
    [`#z=${deflateRawSync(Buffer.alloc(2 << 20, 0x61)).toString("base64url")}`, /could not be read: it unpacks to more than 1 MB/],
    [packedLink("x=1&y=2"), /could not be read: the unpacked data holds no program/],
  ];
  for (const [hash, words] of cases) {
    const { page, errors } = await open(hash);
    await page.waitForSelector("#expr-error:not([hidden])");
    assert.match(await page.textContent("#expr-error .message"), words, hash.slice(0, 40));
    assert.match(await page.textContent("#expr-error .message"), /^This link's program could not be read: /);
    assert.equal(await page.inputValue("#expr"), FIRST_PRESET);
    assert.equal(await page.getAttribute("#expr", "aria-invalid"), null, "the text in the box is not what is wrong");
    assert.ok(await page.getAttribute('td[data-var="x1"]', "data-grad"), "the preset's results are shown");
    if (words.source.includes("damaged")) await page.locator(".controls").screenshot({ path: `${SHOTS}editor-damaged-link.png` });
    // It works: the next edit replaces the message with the new text's results.
    await typeText(page, "x * y");
    await page.waitForSelector("#expr-error", { state: "hidden" });
    await page.waitForSelector('td[data-var="y"]');
    assert.deepEqual(errors, [], hash.slice(0, 40));
    await page.close();
  }
  // The same in a tab already open, when its fragment is changed.
  const { page, errors } = await open("#e=x-1&x=3");
  await page.evaluate(() => (location.hash = "#z=AAAA"));
  await page.waitForFunction(() => document.querySelector("#expr-error .message")?.textContent.startsWith("This link's program could not be read"));
  assert.equal(await page.inputValue("#expr"), FIRST_PRESET);
  assert.deepEqual(errors, []);
  await page.close();
});

test("HTML inside a compressed link is text: in the box, in the error, in a note", async () => {
  const html = "<img src=x onerror=window.pwned=1>";
  const { page, errors } = await open(packedLink(`e=${encodeURIComponent(html)}`));
  assert.equal(await page.inputValue("#expr"), html);
  assert.equal(await page.textContent("#expr-error .message"), "unexpected character '<'");
  assert.equal(await page.textContent(".editor-marks"), html);
  assert.equal(await page.locator("img").count(), 0);
  await page.close();
  // A tensor named with HTML, dropped: the note says its name as text.
  const name = "<b onmouseover=alert(1)>W</b>";
  const { page: p2, errors: e2 } = await open(packedLink(`e=x*2&x=3&v.${encodeURIComponent(name)}=${encodeURIComponent("[[1,2],[3]]")}`));
  assert.equal(await p2.inputValue("#expr"), "x*2");
  assert.equal(await p2.textContent("#expr-error .message"), `The link's value for ${name} was left out: its rows have different lengths.`);
  assert.equal(await p2.locator("#expr-error b, img").count(), 0);
  assert.equal(await p2.evaluate(() => window.pwned), undefined);
  assert.deepEqual([...errors, ...e2], []);
  await p2.close();
});

test("tensor values round-trip through links, plain and compressed; what is not a tensor is dropped with a note", async () => {
  const { page, errors } = await open();
  const result = await page.evaluate(async () => {
    const { writeFragment, readFragment } = await import("./js/fragment.js");
    const tensors = [
      ["W", [[1, 2.5, -3], [4, 5e-7, 6]]],
      ["b", [0.5, -1]],
      ["name with spaces & +", [[1]]],
    ];
    const view = { text: "L = sum(W @ b)", values: [["lam", 0.25]], tensors, fixed: ["lam"], tangentOf: null, rate: "0.1" };
    const plain = await writeFragment(view);
    const long = { ...view, text: `${"# a comment line to make it long\n".repeat(40)}L = sum(W @ b)` };
    const packed = await writeFragment(long);
    const hand = "#e=x&v.A=[[1,2],[3,4]]&v.B=[1,%22a%22]&v.C=[[[1]]]&v.D=[1e999]&v.E=[[1,2],[3]]&v.F=[]&v.G=3&v.H=[1,2" +
      `&v.I=${JSON.stringify(Array(4097).fill(0))}&v.J=${JSON.stringify(Array.from({ length: 64 }, () => Array(64).fill(1)))}`;
    return {
      plain,
      packed: packed.slice(0, 3),
      again: (await readFragment(plain)).view,
      againLong: (await readFragment(packed)).view,
      view,
      long,
      hand: await readFragment(hand),
    };
  });
  assert.match(result.plain, /^#e=/);
  assert.match(result.plain, /&v\.W=%5B%5B1%2C2\.5%2C-3%5D%2C%5B4%2C5e-7%2C6%5D%5D&/);
  assert.equal(result.packed, "#z=");
  assert.deepEqual(result.again, result.view);
  assert.deepEqual(result.againLong, result.long);
  const { view, notes } = result.hand;
  assert.deepEqual(
    view.tensors.map(([name, t]) => [name, t.length, Array.isArray(t[0]) ? t[0].length : 0]),
    [["A", 2, 2], ["J", 64, 64]],
  );
  assert.deepEqual(view.values, [], "a tensor key is never a scalar value");
  assert.deepEqual(notes, [
    "The link's value for B was left out: its entries are not all finite numbers.",
    "The link's value for C was left out: it has more than two dimensions.",
    "The link's value for D was left out: its entries are not all finite numbers.",
    "The link's value for E was left out: its rows have different lengths.",
    "The link's value for F was left out: it is empty.",
    "The link's value for G was left out: it is not a list of numbers.",
    "The link's value for H was left out: it is not JSON.",
    "The link's value for I was left out: it has more than 4096 numbers.",
  ]);
  assert.deepEqual(errors, []);
  await page.close();
});
