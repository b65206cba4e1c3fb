// The guided tour (tour.html, issue 14 §5): every step's live view loads, with no page
// error and no failed request, and is the view the step speaks of; Next / Back, the arrow
// keys and the menu move and keep the step in the URL, the browser's Back goes to the
// step before; a link opens its step, a damaged one step 1 with a note; on a phone the view
// is the screen's width. And the playground's link fields the tour relies on
// (view.pass, view.step, view.node): read, written back, and refused with a note.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, tourFrame, usePlayground } from "./playground-page.mjs";
import { STEPS } from "../../www/js/tour/steps.js";

const { open, openTour } = usePlayground();

/** What step `n`'s view shows, as numbers and states to check against what the step says. */
function viewIn(frame) {
  return frame.evaluate(() => {
    const g = /** @type {any} */ (window).gradscope;
    const seen = (/** @type {string} */ s) => !!document.querySelector(s)?.checkVisibility();
    const common = { embed: document.body.classList.contains("embed"), note: document.querySelector(".embed-note")?.hidden === false ? document.querySelector(".embed-note")?.textContent : null };
    if (!g.view) {
      return { ...common, page: "train", hidden: g.config.hidden, activations: g.config.activations, network: seen("#network"), health: seen("#grad-health"), curves: seen("#curves"), play: seen("#play") };
    }
    const error = document.querySelector("#expr-error");
    return {
      ...common,
      page: "playground",
      ops: g.view.nodes.map((/** @type {{ op: string }} */ n) => n.op).join(" "),
      f: Number(document.querySelector("#results td[data-value]")?.getAttribute("data-value")),
      error: error?.hidden ? null : error?.textContent,
      pass: /** @type {HTMLInputElement | null} */ (document.querySelector("input[name=direction]:checked"))?.value,
      caption: document.querySelector("#step-caption")?.textContent ?? "",
      panel: g.panel?.open ? g.panel.node : null,
      panelTitle: seen("#node-panel") ? document.querySelector("#node-panel .np-op")?.textContent : null,
      results: seen("#results"),
      descent: seen("#descend"),
      learning: [...document.querySelectorAll("input[data-learn]")].filter((b) => /** @type {HTMLInputElement} */ (b).checked).map((b) => /** @type {HTMLElement} */ (b).dataset.learn),
    };
  });
}

/** What each step's view must show: the graph's ops in order (or the network), and the
 * state the step's words speak of. */
const EXPECT = {
  neuron: (v) => {
    assert.equal(v.ops, "input input input input input * * + + sigmoid");
    assert.ok(Math.abs(v.f - 1 / (1 + Math.exp(-(0.8 * 1 - 0.5 * 2 + 0.1)))) < 1e-12, `σ(w·x + b): ${v.f}`);
    assert.equal(v.results, true);
  },
  "fully-connected": (v) => assert.equal(v.ops, "parameter parameter parameter matmul + sigmoid sum"),
  "stacking-layers": (v) => {
    assert.deepEqual(v.hidden, [4]);
    assert.equal(v.network, true, "the network is drawn");
    assert.equal(v.play, true);
  },
  "computation-graph": (v) => {
    assert.equal(v.ops, "input input ln * + sin -");
    assert.ok(Math.abs(v.f - (Math.log(2) + 10 - Math.sin(5))) < 1e-12);
    assert.equal(v.caption, "", "no pass is being stepped");
  },
  "forward-pass": (v) => {
    assert.equal(v.pass, "forward");
    assert.match(v.caption, /^3\/7\. ln#2 = ln\(2\) = 0\.693147\. The value is stored/);
  },
  "backward-pass": (v) => {
    assert.equal(v.pass, "backward");
    assert.match(v.caption, /^3\/7\. .*upstream 1 × local 1 = 1/);
  },
  "gradient-patterns": (v) => {
    assert.equal(v.ops, "input input input input max + *");
    assert.equal(v.f, 18);
  },
  "paths-summed": (v) => {
    assert.equal(v.ops, "input input * sin +");
    assert.equal(v.pass, "backward");
    assert.match(v.caption, /^2\/5\. .*It passes to x2: upstream 1 × local 0\.283662/);
  },
  "forward-mode": (v) => {
    assert.equal(v.pass, "tangent");
    assert.match(v.caption, /^3\/7\. ẋ of ln#2/);
  },
  "dynamic-graph": (v) => {
    assert.equal(v.error, null, "the corrected snippet runs");
    assert.equal(v.ops, "parameter parameter parameter parameter transpose matmul transpose matmul + tanh constant");
  },
  "control-flow": (v) => {
    assert.equal(v.ops.split(" ").length, 21, "five iterations of Newton's step");
    assert.ok(Math.abs(v.f - Math.SQRT2) < 1e-12, `√2: ${v.f}`);
  },
  "logistic-regression": (v) => {
    assert.equal(v.descent, true, "gradient descent is shown");
    assert.deepEqual(v.learning.sort(), ["w1", "w2"], "only the weights move");
  },
  jacobians: (v) => {
    assert.equal(v.ops, "parameter parameter parameter matmul + relu * sum");
    assert.equal(v.panel, 5, "the panel is open on the relu");
    assert.equal(v.panelTitle, "relu");
  },
  training: (v) => {
    assert.deepEqual(v.hidden, [4, 4, 4, 4, 4, 4]);
    assert.deepEqual(v.activations, Array(6).fill("sigmoid"));
    assert.equal(v.health, true, "the gradient's health is charted");
    assert.equal(v.curves, true);
  },
};

test("the tour's every step loading: its view ready in the frame, no page error or failed request, the view it speaks of", async () => {
  assert.deepEqual(STEPS.map((s) => s.slug), Object.keys(EXPECT), "a check for every step, in order");
  const { page, errors, failed } = await openTour("#step=1");
  for (let n = 1; n <= STEPS.length; n++) {
    const frame = await tourFrame(page, n);
    const view = await viewIn(frame);
    const slug = STEPS[n - 1].slug;
    assert.equal(view.embed, true, `${slug}: an embed`);
    assert.equal(view.note, null, `${slug}: the embed's link is read without a note`);
    if (view.page === "playground") assert.equal(view.error, null, `${slug}: no error under the box`);
    EXPECT[slug](view);
    assert.equal(await page.textContent("#tour-count"), `Step ${n} of ${STEPS.length}`);
    assert.equal(await page.textContent("#tour-title"), STEPS[n - 1].title);
    const sentences = await page.locator("#tour-text p").count();
    assert.ok(sentences >= 2 && sentences <= 3, `${slug}: two or three sentences (${sentences})`);
    // The full page's link is the same view, without the embed's parameters.
    const whole = new URL(await page.getAttribute("#tour-open", "href"));
    assert.equal(whole.pathname.split("/").pop(), STEPS[n - 1].page);
    assert.equal(whole.search, "");
    assert.equal(whole.hash, STEPS[n - 1].fragment);
    if (["computation-graph", "backward-pass", "jacobians", "training"].includes(slug)) await page.screenshot({ path: `${SHOTS}tour-${slug}.png` });
    if (n < STEPS.length) await page.click("#tour-next");
  }
  assert.equal(await page.isDisabled("#tour-next"), true, "no step after the last");
  assert.deepEqual(errors, []);
  assert.deepEqual(failed, []);
  await page.close();
});

test("Next, Back, the arrow keys and the menu move, each keeping the step in the URL; the browser's Back goes to the step before", async () => {
  const { page, errors } = await openTour();
  await tourFrame(page, 1);
  assert.equal(new URL(page.url()).hash, "#step=1", "no step asked: step 1, written");
  assert.equal(await page.isDisabled("#tour-back"), true);
  await page.click("#tour-next");
  await tourFrame(page, 2);
  assert.equal(new URL(page.url()).hash, "#step=2");
  await page.mouse.click(100, 700); // on the step's words, outside any field and the frame
  await page.keyboard.press("ArrowRight");
  await tourFrame(page, 3);
  assert.equal(new URL(page.url()).hash, "#step=3");
  await page.keyboard.press("ArrowLeft");
  await tourFrame(page, 2);
  assert.equal(new URL(page.url()).hash, "#step=2");
  await page.click("#tour-back");
  await tourFrame(page, 1);
  assert.equal(new URL(page.url()).hash, "#step=1");
  await page.keyboard.press("ArrowLeft");
  assert.equal(new URL(page.url()).hash, "#step=1", "no step before the first");
  // The menu jumps; arrows in it choose among its options, not the step.
  await page.selectOption("#tour-steps", String(STEPS.findIndex((s) => s.slug === "jacobians")));
  const jac = await tourFrame(page, 13);
  assert.equal(new URL(page.url()).hash, "#step=13");
  assert.equal((await viewIn(jac)).panel, 5);
  // An arrow in the menu is the menu's: where it moves the choice (Chromium on Linux moves
  // it to the next option), the tour follows that choice, once.
  await page.focus("#tour-steps");
  await page.keyboard.press("ArrowRight");
  const chosen = Number(await page.inputValue("#tour-steps")) + 1;
  assert.ok(chosen === 13 || chosen === 14, `the menu's choice: ${chosen}`);
  await tourFrame(page, chosen);
  assert.equal(new URL(page.url()).hash, `#step=${chosen}`);
  if (chosen === 14) {
    await page.click("#tour-back");
    await tourFrame(page, 13);
  }
  // Keys pressed in the frame are its page's: ArrowRight there moves along the graph.
  const frame = await tourFrame(page, 13);
  await frame.focus("#graph");
  await page.keyboard.press("ArrowRight");
  assert.equal(new URL(page.url()).hash, "#step=13", "an arrow in the frame is the frame's");
  // The browser's Back: the step before, then the one before that; Forward again.
  if (chosen === 14) {
    await page.goBack();
    await tourFrame(page, 14);
    await page.goBack();
    await tourFrame(page, 13);
  }
  await page.goBack();
  await tourFrame(page, 1);
  assert.equal(await page.textContent("#tour-count"), `Step 1 of ${STEPS.length}`);
  await page.goBack();
  await tourFrame(page, 2);
  await page.goForward();
  await tourFrame(page, 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a link opens its step, by number or by name; a damaged one opens step 1 and says why", async () => {
  {
    const { page, errors } = await openTour("#step=6");
    const v = await viewIn(await tourFrame(page, 6));
    assert.equal(v.pass, "backward");
    assert.equal(await page.textContent("#tour-title"), "The backward pass: upstream × local");
    assert.equal(await page.isHidden("#tour-note"), true);
    assert.equal(await page.inputValue("#tour-steps"), "5");
    assert.deepEqual(errors, []);
    await page.close();
  }
  {
    const { page } = await openTour("#step=forward-mode");
    assert.equal((await viewIn(await tourFrame(page, 9))).pass, "tangent");
    await page.close();
  }
  for (const [hash, words] of [
    ["#step=99", /“99” is not a step of this tour \(1 to 14, or a name such as fully-connected\): step 1 is shown/],
    ["#step=0", /“0” is not a step/],
    ["#step=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", /“<img src=x onerr… \(28 characters\)”/],
    ["#step=2&step=3", /gives the step 2 times/],
    ["#walk=3", /asks for no step: step 1 is shown\. \(“walk” is not a setting of the tour\.\)/],
  ]) {
    const { page, errors } = await openTour(hash);
    await tourFrame(page, 1);
    assert.equal(await page.isVisible("#tour-note"), true, `${hash}: a note`);
    assert.match(await page.textContent("#tour-note"), words);
    assert.equal(await page.locator("#tour-note *").count(), 0, "the link's text is text, never markup");
    assert.equal(new URL(page.url()).hash, "#step=1", `${hash}: the address says the step shown`);
    assert.deepEqual(errors, [], hash);
    // Moving on, the note has said its piece.
    await page.click("#tour-next");
    await tourFrame(page, 2);
    assert.equal(await page.isHidden("#tour-note"), true);
    await page.close();
  }
});

test("the tour on a phone and in the dark: no sideways scroll, the view the screen's width and most of its height", async () => {
  const { page, errors } = await openTour("#step=4", { width: 390, height: 844, colorScheme: "dark" });
  await tourFrame(page, 4);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, "no sideways scroll");
  const box = await page.locator("#tour-frame iframe").boundingBox();
  assert.equal(Math.round(box.width), 390);
  assert.ok(box.height >= 560, `tall enough to use: ${box.height}`);
  const frame = await tourFrame(page, 4);
  assert.equal(await frame.evaluate(() => document.documentElement.dataset.theme), "dark", "the view follows the theme");
  assert.equal(await frame.evaluate(() => document.documentElement.scrollWidth <= 390), true);
  await page.screenshot({ path: `${SHOTS}tour-390-dark.png`, fullPage: true });
  for (const n of [13, 14]) {
    await page.selectOption("#tour-steps", String(n - 1));
    await tourFrame(page, n);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}tour-390-dark-${STEPS[n - 1].slug}.png`, fullPage: true });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("the playground's view.pass, view.step and view.node: read from a link, written back as the view moves, refused with a note", async () => {
  // A pass stepped to its step, and the node panel opened on a node by its op.
  {
    const { page, errors } = await open("#e=x1*x2%2Bsin(x2)&x1=2&x2=5&view.pass=forward&view.step=2");
    assert.equal(await page.inputValue("input[name=direction]:checked"), "forward");
    assert.match(await page.textContent("#step-caption"), /^2\/5\. /);
    await page.click("#step");
    await page.waitForFunction(() => location.hash.includes("view.step=3"), null, { polling: 50, timeout: 5000 });
    assert.match(new URL(page.url()).hash, /&view\.pass=forward&view\.step=3$/);
    await page.click("#reset");
    await page.waitForFunction(() => !location.hash.includes("view."), null, { polling: 50, timeout: 5000 });
    assert.equal(new URL(page.url()).hash, "#e=x1*x2%2Bsin(x2)&x1=2&x2=5", "reset: the link is the plain view again");
    assert.deepEqual(errors, []);
    await page.close();
  }
  {
    const program = encodeURIComponent("W = [[1, -2], [3, 4]]\nx = [1, 1]\nh = relu(W @ x)\nL = sum(h)");
    const { page, errors } = await open(`#e=${program}&view.node=relu`);
    await page.waitForSelector("#node-panel:not([hidden])");
    const id = await page.evaluate(() => window.gradscope.panel.node);
    assert.equal(await page.evaluate((i) => window.gradscope.view.nodes[i].op, id), "relu");
    await page.waitForFunction((i) => location.hash.endsWith(`view.node=${i}`), id, { polling: 50, timeout: 5000 });
    await page.click(".np-close");
    await page.waitForFunction(() => !location.hash.includes("view.node"), null, { polling: 50, timeout: 5000 });
    assert.deepEqual(errors, []);
    await page.close();
  }
  // Damaged fields: each left out with a note under the box, the rest of the view used.
  for (const [hash, words] of [
    ["#e=x*y&x=1&y=2&view.pass=sideways", /pass “sideways” is not forward, backward or tangent/],
    ["#e=x*y&x=1&y=2&view.pass=backward&view.step=-1", /step “-1” is not a count of steps/],
    ["#e=x*y&x=1&y=2&view.pass=backward&view.step=50", /step 50 is past the pass's last \(3\): the pass is shown done/],
    ["#e=x*y&x=1&y=2&view.step=2", /gives a step but no pass/],
    ["#e=x*y&x=1&y=2&view.node=relu", /Only a program's nodes have a panel/],
    ["#e=W%20%3D%20%5B1%2C%202%5D%0AL%20%3D%20sum(W)&view.node=99", /This graph has no node “99”/],
    ["#e=x*y&x=1&y=2&view.node=%3Cb%3Ehi%3C%2Fb%3E", /node “<b>hi<\/b>” is neither a node's number nor an op's name/],
  ]) {
    const { page, errors } = await open(hash);
    const message = await page.textContent("#expr-error");
    assert.match(message, words, hash);
    assert.equal(await page.locator("#expr-error b").count(), 0, "text, never markup");
    assert.deepEqual(errors, [], hash);
    await page.close();
  }
});
