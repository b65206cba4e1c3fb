// Exercises, "predict, then reveal" (issue 14 §4): a link's quiz= hides numbers of the
// graph; each shows as "?" everywhere the page writes numbers (graph, edges, tooltips,
// node table, Result, gradient check, step captions, live regions); the answers panel
// marks answers right and wrong against autodiff, reads constant expressions, refuses
// garbage at the field and reveals; the builder makes a link that opens the same
// exercise; damaged links open with what is usable and a note.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SHOTS, usePlayground } from "./playground-page.mjs";

const { openPath } = usePlayground();

/** The lecture's f at x1 = 2, x2 = 5. Its nodes: x1 n0, x2 n1, ln n2, × n3, + n4, sin n5, − n6. */
const LINK = "#e=ln(x1)%2Bx1*x2-sin(x2)&x1=2&x2=5";
// Worked out here, not by the page: ∂f/∂x1 = 1/x1 + x2, ∂f/∂x2 = x1 − cos(x2), and the
// local derivative of sin(x2) with respect to x2, cos(x2).
const D_X1 = 1 / 2 + 5;
const D_X2 = 2 - Math.cos(5);
const LOCAL_SIN = Math.cos(5);

/** How the page writes a number (6 significant digits, a real minus). */
const shown = (x) => String(Number(x.toPrecision(6))).replace("-", "−");

/** Everything the page says in words a person or a screen reader can get at: the body's
 * text (the node table and live regions included), every title and data attribute, the
 * tooltip over each node and each labelled edge, each step's caption both ways, and
 * what the canvas draws in the nodes and on the edges. */
async function everythingSaid(page) {
  await page.click("#table-toggle");
  await page.waitForTimeout(250); // the table follows a moment after an evaluation
  const texts = [];
  texts.push(await page.evaluate(() => document.body.innerText));
  texts.push(
    await page.evaluate(() =>
      [...document.querySelectorAll("*")].flatMap((e) => [...e.attributes].filter((a) => a.name === "title" || a.name.startsWith("data-") || a.name.startsWith("aria-")).map((a) => a.value)).join(" | "),
    ),
  );
  // The canvas: each node's gradient row, and each edge's number.
  texts.push(
    await page.evaluate(() => {
      const v = window.gradscope.view;
      return [...v.nodes.map((n) => v.gradText(n.id)), ...v.edgeLabels().map((l) => l.text)].join(" | ");
    }),
  );
  // Hovering each node and each labelled edge: the chain rule's tooltip.
  const spots = await page.evaluate(() => {
    const v = window.gradscope.view;
    const c = v.canvas.getBoundingClientRect();
    const nodes = v.nodes.map((n) => {
      const r = v.nodeScreenRect(n.id);
      return { x: c.left + (r.x0 + r.x1) / 2, y: c.top + (r.y0 + r.y1) / 2 };
    });
    const edges = v.edgeLabels().map((l) => {
      const b = v.toScreen({ x0: l.at.x, y0: l.at.y, x1: l.at.x, y1: l.at.y });
      return { x: c.left + b.x0, y: c.top + b.y0 };
    });
    return [...nodes, ...edges];
  });
  for (const s of spots) {
    await page.mouse.move(s.x, s.y);
    texts.push(await page.textContent("#tooltip"));
  }
  await page.mouse.move(1, 1);
  // The step-through, backward then forward, every caption.
  for (const pass of ["backward", "forward"]) {
    await page.check(`input[name=direction][value=${pass}]`);
    for (let i = 0; i < 8; i++) {
      await page.click("#step");
      texts.push(await page.textContent("#step-caption"));
      texts.push(await page.evaluate(() => window.gradscope.view.nodes.map((n) => window.gradscope.view.gradText(n.id)).join(" ")));
    }
    await page.click("#reset");
  }
  await page.waitForTimeout(800); // the results' live region speaks once evaluations pause
  texts.push(await page.textContent("#results-said"));
  // The graph exported as SVG for slides: its text is the canvas's.
  await page.click("#graph-export > summary");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('#graph-export button[data-figure="graph"][data-format="svg"]')]);
  const svg = readFileSync(await download.path(), "utf8");
  assert.match(svg, />\?</, "the SVG has the ? too");
  texts.push(svg);
  return texts.join("\n");
}

test("a link hiding two gradients and a local derivative shows ? in their place and nowhere gives the numbers away", async () => {
  const { page, errors } = await openPath(`index.html?quiz=grad:x1,grad:x2,local:n5.0${LINK}`);
  assert.deepEqual(await page.$$eval(".exercise-item", (li) => li.map((l) => l.dataset.place)), ["grad:x1", "grad:x2", "local:n5.0"]);
  assert.match(await page.textContent("#exercise"), /At x1 = 2, x2 = 5/);
  assert.match(await page.textContent(".exercise-item:nth-child(3) label"), /∂n5\/∂x2 the local derivative of sin\(x2\) with respect to x2/);
  // "?" where they were: the results, the gradient check, the inputs' gradient rows and the
  // edges that carry them.
  assert.deepEqual(await page.$$eval("#results td[data-var]", (tds) => tds.map((td) => [td.textContent, td.dataset.grad])), [["?", "?"], ["?", "?"]]);
  assert.deepEqual(await page.$$eval("#gradcheck tbody tr", (trs) => trs.map((tr) => tr.textContent)), ["x1???asked", "x2???asked"]);
  const drawn = await page.evaluate(() => {
    const v = window.gradscope.view;
    return { grads: v.nodes.map((n) => v.gradText(n.id)), edges: v.edgeLabels().map((l) => `${l.from}>${l.to} ${l.text}`) };
  });
  assert.deepEqual(drawn.grads, ["∂ ?", "∂ ?", "∂ 1", "∂ 1", "∂ 1", "∂ −1", "∂ 1"]);
  assert.ok(drawn.edges.includes("1>5 ?"), `the edge x2 → sin carries a hidden number: ${drawn.edges}`);
  // The shares x1 gets from ln and ×, which sum to its gradient, are hidden with it.
  assert.ok(drawn.edges.includes("0>2 ?") && drawn.edges.includes("0>3 ?"), `the edges out of x1: ${drawn.edges}`);
  assert.ok(drawn.edges.includes("5>6 −1"), "the edge sin → − is not asked: its number is there");
  // The page is the exercise's: f, the point, descent and forward mode are fixed.
  assert.equal(await page.getAttribute("#expr", "readonly"), "");
  assert.equal(await page.isDisabled("input[data-slider=x1]"), true);
  assert.equal(await page.isDisabled("#descend"), true);
  assert.equal(await page.isDisabled("input[name=direction][value=tangent]"), true);
  // The chips name the nodes as the link does.
  assert.equal(await page.evaluate(() => window.gradscope.view.tags), true);

  const said = await everythingSaid(page);
  for (const [what, x] of [["∂f/∂x1", D_X1], ["∂f/∂x2", D_X2], ["cos(5)", LOCAL_SIN]]) {
    assert.ok(!said.includes(shown(x)), `${what} = ${shown(x)} is said nowhere`);
    assert.ok(!said.includes(String(x)), `${what} = ${x} is said nowhere, not even in full`);
  }
  assert.ok(said.includes("?"), "the hidden numbers are ?");
  assert.ok(said.includes("11.6521"), "f itself is shown (the check can find numbers)");
  assert.ok(said.includes("0.693147"), "ln(2), not asked, is shown");
  await page.screenshot({ path: `${SHOTS}exercise-hidden.png`, fullPage: true });
  assert.deepEqual(errors, []);
});

test("answers marked right and wrong: a number, a constant expression, the wrong sign, garbage at its field, and reveal", async () => {
  const { page, errors } = await openPath(`index.html?quiz=grad:x1,grad:x2,local:n5.0,value:n4${LINK}`);
  const item = (k) => `.exercise-item:nth-child(${k})`;
  await page.fill(`${item(1)} input`, "1/2 + 5"); // a constant expression, by the engine
  await page.fill(`${item(2)} input`, shown(-D_X2)); // the sign wrong
  await page.fill(`${item(3)} input`, String(LOCAL_SIN * (1 + 5e-4))); // within 0.1%
  await page.fill(`${item(4)} input`, "ln(2) + x1"); // a variable: not a constant expression
  await page.click("#exercise-check");
  const status = () => page.$$eval(".exercise-item", (li) => li.map((l) => l.dataset.status));
  assert.deepEqual(await status(), ["right", "wrong", "right", "invalid"]);
  assert.match(await page.textContent(`${item(1)} .exercise-verdict`), /^✓ Right: autodiff gives 5\.5\.$/);
  assert.match(await page.textContent(`${item(2)} .exercise-verdict`), /^✗ Not right: the sign is wrong\./);
  assert.match(await page.textContent(`${item(4)} .exercise-verdict`), /^Not a number: x1 is a variable/);
  assert.equal(await page.getAttribute(`${item(4)} input`, "aria-invalid"), "");
  assert.equal(await page.getAttribute(`${item(4)} input`, "aria-describedby"), "answer-3-said", "the message is the field's description");
  assert.equal(await page.textContent("#exercise-score"), "2 of 4 right");
  // What was answered right is on the graph again; the rest is still "?".
  const grads = () => page.evaluate(() => window.gradscope.view.nodes.map((n) => window.gradscope.view.gradText(n.id)));
  assert.deepEqual((await grads()).slice(0, 2), ["∂ 5.5", "∂ ?"]);

  // Text the engine cannot read: the message is at its field.
  await page.fill(`${item(4)} input`, "ln(2 +");
  await page.click("#exercise-check");
  assert.equal((await status())[3], "invalid");
  assert.match(await page.textContent(`${item(4)} .exercise-verdict`), /^Not a number: .+ Type a number such as -0\.5/);
  // Too small, then right by the value worked out here: ln 2 + 2·5.
  await page.fill(`${item(4)} input`, "1");
  await page.click("#exercise-check");
  assert.match(await page.textContent(`${item(4)} .exercise-verdict`), /too small/);
  await page.fill(`${item(4)} input`, String(Math.log(2) + 10));
  await page.keyboard.press("Enter"); // Enter in a field checks too
  assert.equal((await status())[3], "right");

  // Reveal gives autodiff's number, marked as revealed, not as right.
  await page.click(`${item(2)} .exercise-reveal`);
  assert.equal(await page.inputValue(`${item(2)} input`), shown(D_X2));
  assert.match(await page.textContent(`${item(2)} .exercise-verdict`), /^Revealed: autodiff gives 1\.71634 \(not counted as right\)\.$/);
  assert.equal((await status())[1], "revealed");
  assert.equal(await page.textContent("#exercise-score"), "3 of 4 right, 1 revealed");
  assert.deepEqual((await grads()).slice(0, 2), ["∂ 5.5", "∂ 1.71634"]);
  assert.match(await page.textContent("#exercise-said"), /revealed: 1\.71634\. 3 of 4 right, 1 revealed\./);
  await page.screenshot({ path: `${SHOTS}exercise-checked.png`, fullPage: true });
  assert.deepEqual(errors, []);
});

test("NaN and infinity as exact answers: √x at 0 has an infinite slope, ln at −1 no real value", async () => {
  const { page, errors } = await openPath("index.html?quiz=grad:x#e=sqrt(x)&x=0");
  const verdict = async (answer) => {
    await page.fill(".exercise-item input", answer);
    await page.click("#exercise-check");
    return page.$eval(".exercise-item", (li) => `${li.dataset.status}: ${li.querySelector(".exercise-verdict").textContent}`);
  };
  assert.match(await verdict("1e308"), /^wrong: .*it is not finite here/);
  assert.match(await verdict("nan"), /^wrong: .*it is a number here/);
  assert.match(await verdict("-inf"), /^wrong: .*the sign is wrong/);
  assert.match(await verdict("∞"), /^right: ✓ Right: autodiff gives ∞\./);

  const { page: ln } = await openPath("index.html?quiz=value:n1#e=ln(x)&x=-1");
  assert.deepEqual(await ln.evaluate(() => window.gradscope.view.nodes.map((n) => n.not_finite ?? "")), ["", ""], "where it left the real numbers would say it");
  await ln.fill(".exercise-item input", "0");
  await ln.click("#exercise-check");
  assert.match(await ln.textContent(".exercise-verdict"), /it is not a real number here/);
  await ln.fill(".exercise-item input", "NaN");
  await ln.click("#exercise-check");
  assert.equal(await ln.$eval(".exercise-item", (li) => li.dataset.status), "right");
  assert.deepEqual(errors, []);
});

test("the builder makes the student's link: quick choices and single boxes, the link opens the same exercise, the snippet embeds it", async () => {
  const { page, errors } = await openPath(`index.html${LINK}`);
  await page.click("#make-exercise");
  assert.equal(await page.isVisible("#exercise-builder"), true);
  assert.equal(await page.evaluate(() => window.gradscope.view.tags), true, "the chips name the nodes while building");
  assert.match(await page.textContent("#builder-about"), /f = ln\(x1\) \+ x1 × x2 − sin\(x2\) at x1 = 2, x2 = 5/);
  await page.click("#exercise-builder button[data-quick=inputs]");
  await page.check("#exercise-builder input[data-place='local:n5.0']");
  await page.check("#exercise-builder input[data-place='value:n3']");
  const href = await page.inputValue("#exercise-link");
  assert.match(href, /\?quiz=grad:x1,grad:x2,value:n3,local:n5\.0#e=ln\(x1\)%2Bx1\*x2-sin\(x2\)&x1=2&x2=5$/);
  assert.match(await page.textContent("#builder-count"), /^4 numbers hidden/);
  const snippet = await page.inputValue("#exercise-snippet");
  assert.match(snippet, /^<iframe src="[^"]*\?embed=1&amp;quiz=grad:x1,grad:x2,value:n3,local:n5\.0#e=/);
  assert.equal(await page.getAttribute("#exercise-try", "href"), href);
  await page.screenshot({ path: `${SHOTS}exercise-builder.png` });
  await page.click("#exercise-builder .share-close");
  // The dialog's close event comes a moment after: the chips go then.
  await page.waitForFunction(() => window.gradscope.view.tags === false, null, { timeout: 2000 });

  const { page: student } = await openPath(href.slice(href.indexOf("index.html")));
  assert.deepEqual(await student.$$eval(".exercise-item", (li) => li.map((l) => l.dataset.place)), ["grad:x1", "grad:x2", "value:n3", "local:n5.0"]);
  // The builder on the exercise's page starts from its places.
  await student.click("#make-exercise");
  assert.equal(await student.inputValue("#exercise-link"), href);
  // The embed the snippet gives: the exercise in a frame, answers and all.
  const src = snippet.match(/src="([^"]*)"/)[1].replaceAll("&amp;", "&");
  const { page: embed } = await openPath(src.slice(src.indexOf("index.html")), { width: 800, height: 520 });
  assert.ok(await embed.evaluate(() => document.body.classList.contains("embed")));
  assert.equal(await embed.isVisible("#exercise"), true);
  // The answers beside the graph, the frame not scrolled (the answers scroll in their column).
  const fits = await embed.evaluate(() => {
    const d = document.documentElement;
    const answers = document.querySelector(".controls").getBoundingClientRect();
    const graph = document.querySelector("#graph").getBoundingClientRect();
    return { scrolls: d.scrollHeight > d.clientHeight || d.scrollWidth > d.clientWidth, beside: answers.right <= graph.left };
  });
  assert.deepEqual(fits, { scrolls: false, beside: true });
  await embed.fill(".exercise-item input", String(D_X1));
  await embed.click("#exercise-check");
  assert.equal(await embed.$eval(".exercise-item", (li) => li.dataset.status), "right");
  await embed.screenshot({ path: `${SHOTS}exercise-embed.png` });
  assert.deepEqual(errors, []);
});

/** The note under the header, as text. */
const noteText = (page) => page.evaluate(() => {
  const note = document.querySelector(".embed-note");
  return note.hidden ? "" : [...note.childNodes].filter((c) => c.nodeType === Node.TEXT_NODE).map((c) => c.textContent).join("");
});

test("damaged exercise links open with what is usable and a note that names what was left out", async () => {
  const evil = '<img src=x onerror="window.pwned=1">';
  const quiz = ["grad:x1", "GRAD:x1", "grad:n0", "bogus", encodeURIComponent(evil), "grad:n99", "value:x2", "local:n5.3", "local:n4.0", "grad:n2.0"].join(",");
  const { page, errors } = await openPath(`index.html?quiz=${quiz}${LINK}`);
  assert.deepEqual(await page.$$eval(".exercise-item", (li) => li.map((l) => l.dataset.place)), ["grad:x1", "local:n4.0"]);
  const note = await noteText(page);
  assert.match(note, /“bogus”, “<img src=x onerr… \(36 characters\)” and “grad:n2\.0” are not places to hide/);
  assert.match(note, /no node for “grad:n99” \(its inputs are x1 and x2, its nodes n0 to n6\)/);
  assert.match(note, /cannot ask value:x2 \(the value of x2 is the link's point itself\) and local:n5\.3 \(sin#5 has inputs 0 to 0 only\)/);
  assert.match(note, /names “GRAD:x1” and “grad:n0” more than once: asked once/);
  assert.deepEqual(await page.evaluate(() => ({ img: document.querySelectorAll("img").length, pwned: "pwned" in window })), { img: 0, pwned: false });

  /** Links with no usable exercise: every number shown, and why. */
  for (const [path, said] of [
    [`index.html?quiz=${"grad:x1,".repeat(300)}${LINK}`, /characters long, longer than any list of places/],
    [`index.html?quiz=${Array.from({ length: 7 }, (_, i) => `grad:n${i}`).join(",")}&quiz=grad:x1${LINK}`, /quiz is given 2 times/],
    [`index.html?quiz=grad:x1#e=ln(x1%2B&x1=2`, /does not parse, so its exercise \(quiz\) cannot be asked/],
    [`index.html?quiz=grad:x1#e=${encodeURIComponent("y = x1 * 2\ny")}&x1=2`, /for a single expression, and this is a program/],
    [`index.html?quiz=${LINK}`, /names no place to hide/],
  ]) {
    const { page: p, errors: e } = await openPath(path);
    assert.match(await noteText(p), said, path);
    assert.equal(await p.isVisible("#exercise"), false, `${path}: no exercise`);
    assert.equal(await p.getAttribute("#expr", "readonly"), null, `${path}: f can be edited`);
    assert.deepEqual(e, [], path);
    await p.close();
  }
  assert.deepEqual(errors, []);
});

test("an exercise at 390 px and in the dark theme: no sideways scroll, the answers readable", async () => {
  for (const [name, options] of [
    ["390", { width: 390, height: 844 }],
    ["dark", { width: 1280, height: 900, colorScheme: "dark" }],
  ]) {
    const { page, errors } = await openPath(`index.html?quiz=grad:x1,grad:x2,local:n5.0${LINK}`, options);
    await page.fill(".exercise-item:nth-child(1) input", "5.5");
    await page.fill(".exercise-item:nth-child(2) input", "3");
    await page.click("#exercise-check");
    await page.click(".exercise-item:nth-child(3) .exercise-reveal");
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(wide <= 0, `${name}: no sideways scroll (${wide} px)`);
    await page.screenshot({ path: `${SHOTS}exercise-${name}.png`, fullPage: true });
    if (name === "dark") {
      await page.click("#make-exercise");
      await page.screenshot({ path: `${SHOTS}exercise-builder-dark.png` });
    }
    assert.deepEqual(errors, [], name);
    await page.close();
  }
});
