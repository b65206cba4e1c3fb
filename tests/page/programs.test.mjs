// Programs in the playground as a person uses them (issue 12): stepping through one
// forward and backward with each step naming its source line, the rules in matrix form at
// tensor ops, every example running, and the benchmark page's keystroke timings.
// `./build.sh test` serves www/ and sets GRADSCOPE_URL; screenshots go to screenshots/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, preset, usePlayground, typeText } from "./playground-page.mjs";

const { openPath: open } = usePlayground();

const caption = (page) => page.textContent("#step-caption");

/** Steps until the last step; returns every caption, in order. */
async function stepToEnd(page, limit = 400) {
  const captions = [];
  for (let i = 0; i < limit; i++) {
    await page.click("#step");
    const c = await caption(page);
    captions.push(c);
    const m = /^(\d+)\/(\d+)\./.exec(c);
    assert.ok(m, `a numbered caption: ${c}`);
    if (m[1] === m[2]) return captions;
  }
  throw new Error(`more than ${limit} steps`);
}

/** The page's number format: 6 significant digits, a real minus sign. */
const fmt6 = (x) => String(Number(x.toPrecision(6))).replaceAll("-", "−");

/** Lines the editor was asked to mark, recorded on the page (through the editor's own
 * markLine when the page has an editor, else on a stand-in). */
async function recordMarkedLines(page) {
  await page.evaluate(() => {
    const g = window.gradscope;
    const editor = g.editor ?? (g.editor = {});
    const real = typeof editor.markLine === "function" ? editor.markLine.bind(editor) : null;
    window.markedLines = [];
    editor.markLine = (line) => {
      window.markedLines.push(line);
      real?.(line);
    };
  });
  return () => page.evaluate(() => window.markedLines);
}

test("a program steps forward and backward, each step naming its source line and loop step", async () => {
  const { page, errors } = await open();
  await preset(page, "recurrent cell unrolled");
  await page.waitForSelector("#expr-error", { state: "hidden" });
  assert.equal(await page.isDisabled("#step"), false);
  assert.equal(await page.isDisabled("input[name=direction][value=tangent]"), true, "forward mode stays expression-only");
  assert.match(await page.getAttribute("input[name=direction][value=tangent]", "title"), /single expressions/);
  const marked = await recordMarkedLines(page);

  await page.check("input[name=direction][value=forward]");
  assert.match(await caption(page), /in the order the program made them/);
  const forward = await stepToEnd(page);
  const nodes = await page.evaluate(() => window.gradscope.nodes);
  assert.equal(forward.length, nodes, "forward visits every node once");
  for (const c of forward) assert.match(c, /^\d+\/\d+\. line \d+( \(.+, step \d\))?: .+ → /, c);
  assert.match(forward[0], /^1\/\d+\. line 3: W_h = randn\(20, 20\) → W_h = 20×20 \[/);
  const inLoop = forward.filter((c) => c.includes("(for t in range(4), step 2): h = tanh(W_h @ h + W_x @ xs[t])"));
  assert.ok(inLoop.some((c) => /→ tanh#\d+ = tanh\(W_h @ h \+ W_x @ xs\[t\]\) = \[20\] \[/.test(c)), inLoop.join("\n"));
  assert.match(forward.at(-1), /line 9: L = sum\(h \* h\) → sum#\d+ = sum\(h \* h\) = [\d.]+\.$/);
  assert.ok((await marked()).includes(8), "the editor is told the loop's line");

  await page.check("input[name=direction][value=backward]");
  const backward = await stepToEnd(page);
  for (const c of backward) assert.match(c, /^\d+\/\d+\. line \d+/, c);
  assert.match(backward[0], /Start at the output f \(L in the program\): ∂f\/∂f = 1\./);
  // Back through the loop from its last step to its first.
  const stepsSeen = backward.map((c) => /step (\d)\)/.exec(c)?.[1]).filter(Boolean).map(Number);
  assert.deepEqual([...new Set(stepsSeen)], [4, 3, 2, 1]);
  assert.ok(backward.some((c) => /∂f\/∂W_h = ∂f\/∂matmul#\d+ · tanh#\d+ᵀ \(20×1 · 1×20\)/.test(c)), "the matmul's rule with shapes");
  assert.ok(backward.some((c) => /⊙ tanh′\(\(\+\)#\d+\), tanh′ = 1 − tanh#\d+²/.test(c)), "the element-wise rule");
  // The last step is at a leaf: its gradient is the one in the results.
  const last = backward.at(-1);
  const leaf = /→ (?:∂f\/∂)?(\w+) (?:is used on|=)/.exec(last)?.[1];
  assert.ok(leaf, last);
  const shown = /= (?:\d+×\d+|\[\d+\]) \[([^\]]*)\]\.$/.exec(last)?.[1].split(", ").filter((x) => x !== "…");
  const grad = (await page.getAttribute(`td[data-var="${leaf}"]`, "data-grad")).split(",").map(Number);
  assert.deepEqual(shown, grad.slice(0, shown.length).map(fmt6), `${leaf}'s last caption states its gradient`);
  assert.equal(await page.evaluate(() => window.markedLines.at(-1)), 3, "the last step marks W_h's line");
  await page.click("#reset");
  assert.equal(await page.evaluate(() => window.markedLines.at(-1)), null, "stopping clears the mark");
  assert.deepEqual(errors, []);
  await page.close();
});

test("mid-way back through a program: a screenshot, the partial sums, and a slider that moves the numbers", async () => {
  const { page, errors } = await open();
  await preset(page, "recurrent cell unrolled");
  await page.check("input[name=direction][value=backward]");
  for (let i = 0; i < 8; i++) await page.click("#step");
  const c = await caption(page);
  assert.match(c, /^8\/26\. line 8 \(for t in range\(4\), step 3\)/);
  // W_h has had one of its four shares: its row shows the sum so far, a tensor's.
  const wh = (await page.evaluate(() => window.gradscope.view.nodes)).find((n) => n.label === "W_h").id;
  assert.match(await page.evaluate((id) => window.gradscope.view.gradText(id), wh), /^∂ 20×20 ‖.*‖ \+ …$/);
  await page.screenshot({ path: `${SHOTS}program-step-backward.png` });
  assert.deepEqual(errors, []);
  await page.close();

  // In a branch, a value that keeps the branch keeps the walk; one that flips it ends it.
  const { page: p2, errors: e2 } = await open();
  await preset(p2, "a branch");
  await p2.check("input[name=direction][value=backward]");
  await p2.click("#step");
  await p2.click("#step");
  assert.match(await caption(p2), /^2\/2\. line 1: if x > 0: → x is used on 2 paths, so its gradients are summed: 1\.5 \+ 1\.5 = 3\./);
  await p2.fill('input[type=number][data-var="x"]', "2");
  assert.match(await caption(p2), /^2\/2\. .* 2 \+ 2 = 4\./);
  await p2.fill('input[type=number][data-var="x"]', "-1");
  assert.equal(await caption(p2), "", "another graph: the walk starts again");
  assert.deepEqual(e2, []);
  await p2.close();
});

test("at a matmul the rule is stated in matrix form with shapes, in the caption and the tooltip", async () => {
  const { page, errors } = await open();
  await preset(page, "fully connected layer");
  await page.check("input[name=direction][value=backward]");
  const captions = await stepToEnd(page);
  const at = captions.find((c) => c.includes("It passes to W"));
  assert.match(at, /to W: ∂f\/∂W = ∂f\/∂matmul#3 · xᵀ \(3×1 · 1×4\) = 3×4 \[/);
  assert.match(at, /to x: ∂f\/∂x = Wᵀ · ∂f\/∂matmul#3 \(4×3 · 3×1\) = \[4\] \[/);
  assert.ok(captions.some((c) => /relu′ = \[\(\+\)#4 > 0\]/.test(c)), "ReLU's rule: its gradient gated by z > 0");
  await page.click("#reset");
  // Hovering the matmul node: its rules, and the lecture's row form of ∂L/∂W.
  const nodes = await page.evaluate(() => window.gradscope.view.nodes);
  const mm = nodes.find((n) => n.op === "matmul");
  const r = await page.evaluate((id) => window.gradscope.view.nodeScreenRect(id), mm.id);
  const box = await page.locator("#graph").boundingBox();
  await page.mouse.move(box.x + (r.x0 + r.x1) / 2, box.y + (r.y0 + r.y1) / 2);
  const tip = await page.textContent("#tooltip");
  assert.match(tip, /backward, in matrix form:/);
  assert.match(tip, /∂f\/∂W = ∂f\/∂matmul#3 · xᵀ \(3×1 · 1×4\)/);
  assert.match(tip, /∂f\/∂W = \(∂f\/∂matmul#3\)ᵀ · xᵀ \(3×1 · 1×4\)/, "the lecture's form, ∂L/∂h a row");
  assert.match(tip, /∂f\/∂x = Wᵀ · ∂f\/∂matmul#3 \(4×3 · 3×1\)/);
  await page.screenshot({ path: `${SHOTS}program-matmul-tooltip.png` });
  // A bias added to a batch is broadcast over its rows: its gradient is summed over them.
  await preset(page, "softmax classifier");
  await page.check("input[name=direction][value=backward]");
  const softmax = await stepToEnd(page);
  const bias = /to b: ∂f\/∂b = Σ over axis 0 of ∂f\/∂\(\+\)#5 \(4×3 → \[3\]\): summed over the broadcast axis = \[3\]/;
  assert.ok(softmax.some((c) => bias.test(c)), softmax.join("\n"));
  assert.deepEqual(errors, []);
  await page.close();
});

test("every example runs; the slide's snippet as pasted shows its shape error and the corrected program", async () => {
  const { page, errors } = await open();
  const names = await page.$$eval("#preset option", (os) => os.filter((o) => o.value !== "").map((o) => o.textContent));
  assert.ok(names.filter((n) => n.startsWith("Program")).length >= 9, names.join("\n"));
  for (const name of names) {
    await preset(page, name);
    if (name.includes("as pasted")) {
      await page.waitForSelector("#expr-error:not([hidden])");
      const message = await page.textContent("#expr-error .message");
      assert.match(message, /1×20/, "the engine's message names the seed's shape");
      assert.match(message, /20×1/, "and the output's");
      assert.match(await page.textContent("#preset-fix"), /^The slide's seed has the wrong shape; the corrected program:/);
      assert.match(await page.textContent("#preset-fix pre"), /next_h\.backward\(torch\.ones\(20, 1\)\)/);
      assert.match(await page.textContent("#preset-fix pre mark"), /torch\.ones\(20, 1\)|seed/, "the changed lines are marked");
      await page.screenshot({ path: `${SHOTS}program-lecture-fix.png` });
      // Its graph never finished: there is nothing to step through, and the caption says so.
      await page.click("#step");
      assert.match(await caption(page), /stopped with an error/);
      await page.click("text=Use the corrected version");
      await page.waitForSelector("#expr-error", { state: "hidden" });
      assert.equal(await page.isHidden("#preset-fix"), true);
      for (const leaf of ["x", "prev_h", "W_h", "W_x"]) {
        assert.ok(await page.getAttribute(`td[data-var="${leaf}"]`, "data-grad"), `∂f/∂${leaf} shown`);
      }
      assert.match(await page.textContent(`td[data-var="W_x"]`), /^20×20 \[/);
      continue;
    }
    await page.waitForSelector("#expr-error", { state: "hidden" });
    assert.equal(await page.isHidden("#preset-fix").catch(() => true), true, name);
    assert.ok(await page.getAttribute("td[data-value]", "data-value"), `${name}: a value`);
    if (!name.startsWith("Program")) continue;
    // Each program's walk back runs to its end, every step naming a line.
    await page.check("input[name=direction][value=backward]");
    for (const c of await stepToEnd(page)) assert.match(c, /^\d+\/\d+\. line \d+/, `${name}: ${c}`);
    await page.click("#reset");
  }
  // A text edited away from the example is no longer the example: the note goes.
  await preset(page, "as pasted");
  await page.waitForSelector("#preset-fix:not([hidden])");
  await typeText(page, `${await page.inputValue("#expr")}\n`);
  assert.equal(await page.isHidden("#preset-fix"), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test("detach and amax: what the gradients say", async () => {
  const { page, errors } = await open();
  await preset(page, "detach");
  // y = w·x = 4.5 and L = y · detach(y): ∂L/∂w = detach(y) · x, not 2y · x.
  assert.equal(await page.getAttribute('td[data-var="w"]', "data-grad"), "4.5,9,13.5");
  await page.check("input[name=direction][value=backward]");
  assert.ok((await stepToEnd(page)).some((c) => /It passes nothing to matmul#2: detach stops the gradient here\./.test(c)));
  await preset(page, "amax");
  // Tied at 3: the gradient 2 is split between the two; past the tie, one takes it all.
  assert.equal(await page.getAttribute('td[data-var="z"]', "data-grad"), "0,1,1,0");
  await page.fill('input[type=number][data-var="d"]', "0.5");
  await page.waitForFunction(() => document.querySelector('td[data-var="z"]')?.dataset.grad === "0,0,2,0");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the first load reads expressions only; the program reader is fetched for the first program, and a failed fetch is said and tried again", async () => {
  const { page, errors } = await open();
  const fetched = () => page.evaluate(() => performance.getEntriesByType("resource").filter((r) => r.name.includes("/pkg/programs/")).length);
  await typeText(page, "x1 * x2 + sin(x1)");
  assert.equal(await fetched(), 0, "an expression needs no program reader");
  // Offline for that package: the program is read as an expression, and the page says why.
  await page.route("**/pkg/programs/**", (route) => route.abort());
  await typeText(page, "W = [[1, 2], [3, 4]]\nsum(W @ W)");
  await page.waitForSelector("#expr-error:not([hidden])");
  assert.match(await page.textContent("#expr-error .message"), /The tensor-program reader could not be loaded .*an edit tries again\./);
  assert.equal(await page.getAttribute("#expr", "aria-invalid"), "true");
  // Its glue back but not its wasm: the same message, and again no reader kept broken.
  await page.unroute("**/pkg/programs/**");
  let wasmAborted = 0;
  await page.route("**/pkg/programs/*.wasm", (route) => (wasmAborted++, route.abort()));
  await typeText(page, "W = [[1, 2], [3, 4]]\nsum(W @ W)  ");
  assert.equal(wasmAborted, 1, "the glue loaded and asked for its wasm");
  assert.equal(await page.isVisible("#expr-error"), true);
  assert.match(await page.textContent("#expr-error .message"), /The tensor-program reader could not be loaded/);
  // Online again: the next edit fetches it and the program runs.
  await page.unroute("**/pkg/programs/*.wasm");
  await typeText(page, "W = [[1, 2], [3, 4]]\nsum(W @ W) ");
  await page.waitForSelector("#expr-error", { state: "hidden" });
  assert.ok(await fetched() > 0);
  assert.equal(await page.isVisible("#stale-note"), false, "the loading note is gone once the program ran");
  assert.equal(await page.getAttribute('td[data-var="W"]', "data-grad"), "7,11,9,13"); // ones·Wᵀ + Wᵀ·ones
  assert.deepEqual(errors, []);
  await page.close();
});

test("the benchmark page times keystrokes in the playground (a run with few samples, no thresholds)", async () => {
  const { page, errors } = await open("bench.html?auto=1&only=keystroke&samples=3&warmup=1");
  await page.waitForFunction(() => document.title === "DONE", null, { polling: 250, timeout: 120_000 });
  const rows = await page.evaluate(() => window.benchResult.keystroke);
  // Each program twice: a keystroke that keeps its graph and one that changes it.
  assert.equal(rows.length, 4);
  assert.deepEqual(rows.map((r) => /same graph|another graph/.exec(r.workload)?.[0]), ["same graph", "another graph", "same graph", "another graph"]);
  for (const r of rows) {
    assert.match(r.workload, /^keystroke → redrawn graph: /);
    assert.ok(r.nodes > 0 && r.sync_ms > 0 && r.frame_ms >= r.sync_ms && r.samples === 3, JSON.stringify(r));
    console.log(`${r.workload}: ${r.nodes} nodes, handler ${r.sync_ms.toFixed(1)} ms, next frame ${r.frame_ms.toFixed(1)} ms`);
  }
  assert.match(await page.textContent("main"), /How this is measured/);
  assert.deepEqual(errors, []);
  await page.close();
});
