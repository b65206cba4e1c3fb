// Issue 13 §1, watching it learn: the speed control, the stop limit, Reset with the same
// initial weights and New initialisation, in headless Chromium: on the CPU (no GPU adapter
// by default), and the speed and the limits once more on a software WebGPU adapter.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, usePlayground } from "./playground-page.mjs";
import { launch, SWIFTSHADER, URL_BASE } from "./browser.mjs";

const { openTraining } = usePlayground();
const open = (hash = "", width = 1400) => openTraining(hash, width, 900);

const steps = (page) => page.evaluate(() => Number(document.querySelector("#steps").dataset.value));
const epochs = (page) => page.evaluate(() => Number(document.querySelector("#epochs").textContent));
const link = (page) => new URLSearchParams(new URL(page.url()).hash.slice(1));
/** Until the Play button reads "Play" again: training stopped (by itself, in these tests). */
const stopped = (page) =>
  page.waitForFunction(() => document.querySelector("#play").textContent === "▶ Play", null, { polling: 20, timeout: 20000 });
/** Press Play, and wait until training stops by itself. */
async function playToStop(page) {
  await page.click("#play");
  await stopped(page);
}

test("at 5 steps/s the loop takes at most 5 steps a second, and goes on taking them", async () => {
  const { page, errors } = await open("#speed=5");
  assert.equal(await page.textContent("#speed-out"), "5 steps/s");
  await page.evaluate(() => {
    window.playedAt = performance.now();
    document.querySelector("#play").click();
  });
  await page.waitForFunction(() => Number(document.querySelector("#steps").dataset.value) >= 4, null, { polling: 20, timeout: 15000 });
  // Both read in the page in one go: the counter and the time since Play.
  const { n, elapsed } = await page.evaluate(() => ({
    n: Number(document.querySelector("#steps").dataset.value),
    elapsed: (performance.now() - window.playedAt) / 1000,
  }));
  console.log(`${n} steps in ${elapsed.toFixed(2)} s at 5 steps/s`);
  // The first step comes at once, then one every 200 ms at most.
  assert.ok(n >= 1 && n <= 5 * elapsed + 2, `${n} steps in ${elapsed} s`);
  // A while later, still in proportion.
  await page.waitForFunction(() => Number(document.querySelector("#steps").dataset.value) >= 9, null, { polling: 20, timeout: 15000 });
  const later = await page.evaluate(() => ({
    n: Number(document.querySelector("#steps").dataset.value),
    elapsed: (performance.now() - window.playedAt) / 1000,
  }));
  assert.ok(later.n <= 5 * later.elapsed + 2, `${later.n} steps in ${later.elapsed} s`);
  await page.click("#play");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the speed slider is keyboard-driven, says its speed and goes in the link", async () => {
  const { page, errors } = await open();
  const slider = page.getByRole("slider", { name: "Speed" });
  assert.equal(await slider.getAttribute("aria-valuetext"), "as fast as possible");
  assert.equal(link(page).get("speed"), "max");
  await slider.focus();
  await page.keyboard.press("ArrowLeft");
  assert.equal(await page.textContent("#speed-out"), "1000 steps/s");
  assert.equal(await slider.getAttribute("aria-valuetext"), "1000 steps/s");
  assert.equal(link(page).get("speed"), "1000");
  await page.keyboard.press("Home");
  assert.equal(await page.textContent("#speed-out"), "1 step/s");
  assert.equal((await page.evaluate(() => window.gradscope.pace)).speed, 1);
  assert.equal(link(page).get("speed"), "1");
  // The other new controls have names too.
  await page.getByRole("spinbutton", { name: "Stop at" }).fill("7");
  await page.keyboard.press("Tab"); // a limit is taken when the field is left (not at each digit)
  await page.getByRole("combobox", { name: "Limit unit" }).selectOption("epochs");
  assert.deepEqual([link(page).get("limit"), link(page).get("limit_unit")], ["7", "epochs"]);
  await page.getByRole("button", { name: "New initialisation" }).focus();
  assert.deepEqual(errors, []);
  await page.close();
});

test("a step limit stops at exactly that step at full speed; Play there says so, a higher limit goes on", async () => {
  const { page, errors } = await open("#limit=500&limit_unit=steps");
  assert.equal(await page.inputValue("#limit"), "500");
  await playToStop(page);
  assert.equal(await steps(page), 500);
  assert.match(await page.textContent("#status"), /stopped at the limit: 500 steps/i);
  // Again at the limit: it says so and stays.
  await page.click("#play");
  assert.equal(await page.textContent("#play"), "▶ Play");
  assert.match(await page.textContent("#status"), /still at the limit: 500 steps/i);
  assert.equal(await steps(page), 500);
  // A raised limit: training goes on to it.
  await page.fill("#limit", "1234");
  await page.press("#limit", "Enter");
  assert.equal(link(page).get("limit"), "1234");
  await playToStop(page);
  assert.equal(await steps(page), 1234);
  assert.match(await page.textContent("#status"), /stopped at the limit: 1234 steps/i);
  // No limit: it runs on.
  await page.fill("#limit", "");
  await page.press("#limit", "Enter");
  assert.equal(link(page).get("limit"), "");
  await page.click("#play");
  await page.waitForFunction(() => Number(document.querySelector("#steps").dataset.value) > 1300, null, { polling: 20, timeout: 15000 });
  await page.click("#play");
  assert.deepEqual(errors, []);
  await page.close();
});

test("an epoch limit stops at exactly that epoch, in the step that completes it", async () => {
  for (const [limit, batch] of [[3, 32], [50, 32], [2, 1000]]) {
    const { page, errors } = await open(`#limit=${limit}&limit_unit=epochs&batch_size=${batch}`);
    await playToStop(page);
    const points = await page.evaluate(() => window.gradscope.trainPoints());
    // Each step uses one batch (the whole set when it is the smaller): the first step that
    // reaches limit · points points used.
    const expected = Math.ceil((limit * points) / Math.min(batch, points));
    assert.equal(await epochs(page), limit);
    assert.equal(await steps(page), expected, `${limit} epochs of ${points} points in batches of ${batch}`);
    assert.match(await page.textContent("#status"), new RegExp(`stopped at the limit: ${limit} epochs \\(step ${expected}\\)`, "i"));
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test("a limit at a set speed (30 steps/s) stops there too, and Step still steps past it", async () => {
  const { page, errors } = await open("#speed=30&limit=6");
  await playToStop(page);
  assert.equal(await steps(page), 6);
  await page.click("#step-once");
  assert.equal(await steps(page), 7, "a step asked for by hand is taken");
  assert.deepEqual(errors, []);
  await page.close();
});

test("Reset gives the identical run again: the same initial weights and the same weights after N steps", async () => {
  const { page, errors } = await open("#limit=300");
  const weights = () => page.evaluate(() => window.gradscope.weights());
  const initial = await weights();
  const seed = link(page).get("seed");
  await playToStop(page);
  const first = await weights();
  assert.notDeepEqual(first, initial, "training moved the weights");
  await page.click("#reset");
  assert.equal(await steps(page), 0);
  assert.deepEqual(await weights(), initial, "Reset: the same initial weights");
  assert.equal(link(page).get("seed"), seed);
  await playToStop(page);
  assert.equal(await steps(page), 300);
  assert.deepEqual(await weights(), first, "the same weights after 300 steps");
  // Points added by hand are kept through a reset, and the run is the same each time.
  const box = await page.locator("#plot").boundingBox();
  await page.mouse.click(box.x + box.width * 0.2, box.y + box.height * 0.3);
  const labels = await page.evaluate(() => window.gradscope.labels());
  await page.click("#reset");
  assert.deepEqual(await page.evaluate(() => window.gradscope.labels()), labels, "the added point is still there");
  await playToStop(page);
  const edited = await weights();
  await page.click("#reset");
  await playToStop(page);
  assert.deepEqual(await weights(), edited);
  assert.deepEqual(errors, []);
  await page.close();
});

test("New initialisation draws new weights from a new 32-bit init seed on the same points, shows it, puts it in the link", async () => {
  const { page, errors } = await open();
  const initial = await page.evaluate(() => window.gradscope.weights());
  const points = await page.evaluate(() => window.gradscope.points());
  await page.click("#step-once");
  await page.click("#new-init");
  const init = link(page).get("init_seed");
  assert.ok(/^\d+$/.test(init) && Number(init) > 0 && Number(init) < 2 ** 32, init);
  assert.equal(link(page).get("seed"), "1", "the data seed is kept");
  assert.equal(await page.textContent("#seed"), `1 · init ${init}`);
  assert.equal((await page.evaluate(() => window.gradscope.config)).init_seed, Number(init));
  assert.equal(await steps(page), 0);
  assert.notDeepEqual(await page.evaluate(() => window.gradscope.weights()), initial);
  assert.deepEqual(await page.evaluate(() => window.gradscope.points()), points, "the same points");
  assert.match(await page.textContent("#status"), new RegExp(`new initialisation \\(${init}\\), on the same points`, "i"));
  // The link reproduces it: the same initial weights.
  const fresh = await page.evaluate(() => window.gradscope.weights());
  const { page: p2 } = await open(new URL(page.url()).hash);
  assert.deepEqual(await p2.evaluate(() => window.gradscope.weights()), fresh);
  assert.deepEqual(errors, []);
  await Promise.all([page.close(), p2.close()]);
});

test("a link with a bad speed, limit or unit falls back to the defaults and says so", async () => {
  const { page, errors } = await open("#speed=banana&limit=-3&limit_unit=weeks&batch_size=16");
  const status = await page.textContent("#status");
  assert.match(status, /Speed “banana” takes one of 1, 2, 5, 10, 30, 100, 300, 1000 \(steps per second\) or max/);
  assert.match(status, /Stop at “-3” takes a whole number from 1 to 1000000000, or nothing for no limit/);
  assert.match(status, /Limit unit “weeks” is not one of its choices \(steps, epochs\)/);
  assert.deepEqual(await page.evaluate(() => window.gradscope.pace), { speed: "max", limit: null, limit_unit: "steps" });
  assert.equal((await page.evaluate(() => window.gradscope.config)).batch_size, 16, "the usable parts are kept");
  assert.equal(await page.textContent("#speed-out"), "as fast as possible");
  assert.equal(await page.inputValue("#limit"), "");
  // Fractions and zero are refused as well; the page writes the defaults back.
  const { page: p2 } = await open("#limit=2.5&speed=7");
  assert.match(await p2.textContent("#status"), /Stop at “2.5”.*Speed “7”/);
  assert.equal(link(p2).get("speed"), "max");
  // A limit typed in the field is checked the same way, and the old one kept.
  await p2.fill("#limit", "40");
  await p2.press("#limit", "Enter");
  await p2.fill("#limit", "-3");
  await p2.press("#limit", "Enter");
  assert.match(await p2.textContent("#status"), /Not changed: Stop at “-3” takes a whole number/);
  assert.equal(await p2.inputValue("#limit"), "40");
  assert.equal((await p2.evaluate(() => window.gradscope.pace)).limit, 40);
  assert.deepEqual(errors, []);
  await Promise.all([page.close(), p2.close()]);
});

test("on the GPU too: a speed is a maximum, and step and epoch limits stop exactly", async () => {
  const gpuBrowser = await launch(SWIFTSHADER);
  try {
    for (const [hash, check] of [
      // A software adapter takes tens of ms a step: short runs.
      ["#limit=90", async (page) => assert.equal(await steps(page), 90)],
      ["#limit=3&limit_unit=epochs", async (page) => {
        const points = await page.evaluate(() => window.gradscope.trainPoints());
        assert.deepEqual([await epochs(page), await steps(page)], [3, Math.ceil((3 * points) / 32)]);
      }],
    ]) {
      const page = await gpuBrowser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${URL_BASE}/train.html${hash}`);
      await page.waitForFunction(() => window.gradscope?.ready === true && window.gradscope.backend, null, { polling: 50, timeout: 30000 });
      await page.selectOption("#backend-choice", "gpu");
      const onGpu = () => document.querySelector("#backend").dataset.training === "gpu";
      await page.waitForFunction(onGpu, null, { polling: 50, timeout: 10000 });
      await playToStop(page);
      await check(page);
      assert.match(await page.textContent("#status"), /stopped at the limit/i);
      // The same page at 10 steps/s, from step 0.
      await page.click("#reset");
      await page.fill("#limit", "");
      await page.press("#limit", "Enter");
      await page.$eval("#speed", (s) => {
        s.value = "3"; // 10 steps/s
        s.dispatchEvent(new Event("input"));
      });
      await page.evaluate(() => {
        window.playedAt = performance.now();
        document.querySelector("#play").click();
      });
      await page.waitForFunction(() => Number(document.querySelector("#steps").dataset.value) >= 5, null, { polling: 20, timeout: 20000 });
      const { n, elapsed } = await page.evaluate(() => ({
        n: Number(document.querySelector("#steps").dataset.value),
        elapsed: (performance.now() - window.playedAt) / 1000,
      }));
      assert.ok(n <= 10 * elapsed + 2, `${n} steps in ${elapsed} s at 10 steps/s on the GPU`);
      assert.equal(await page.getAttribute("#backend", "data-training"), "gpu");
      assert.deepEqual(errors, []);
      await page.close();
    }
  } finally {
    await gpuBrowser.close();
  }
});

test("screenshots of the run bar with the new controls, wide and at 420 px", async () => {
  for (const width of [1400, 420]) {
    const { page, errors } = await open("#speed=300&limit=5&limit_unit=epochs", width);
    await playToStop(page); // the status line with its note, too
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${width} px: no sideways scroll`);
    const bars = await page.evaluate(() => {
      const r = document.querySelector("#status").getBoundingClientRect();
      return { x: r.x, y: 0, width: r.width, height: r.bottom + 8 };
    });
    await page.screenshot({ path: `${SHOTS}train-speed-${width}.png`, clip: bars });
    assert.deepEqual(errors, []);
    await page.close();
  }
});
