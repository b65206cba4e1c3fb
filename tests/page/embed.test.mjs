// Hosting and embedding: the static folder `./build.sh dist` writes, served under a path
// prefix by a plain static server; the pages as embeds in an iframe (?embed=1, hide=,
// show=), with damaged parameters; the Share panel's link and snippet, and Copy.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { URL_BASE } from "./browser.mjs";
import { SHOTS, tourFrame, usePlayground, typeText } from "./playground-page.mjs";

const { openPath, browser } = usePlayground();

const DIST = new URL("../../dist/", import.meta.url).pathname;
const PREFIX = "courses/dl/gradscope";

/** `python3 -m http.server` on a free port, serving a temporary folder in which the repo's
 * dist/ sits at PREFIX. Returns the prefix's address and how to stop it all. */
async function serveDistUnderPrefix() {
  assert.ok(existsSync(join(DIST, "index.html")), `there is no dist/ (${DIST}): run ./build.sh dist`);
  const root = mkdtempSync(join(tmpdir(), "gradscope-host-"));
  mkdirSync(join(root, "courses/dl"), { recursive: true });
  symlinkSync(DIST, join(root, PREFIX));
  const server = spawn("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", root], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stop = () => {
    server.kill();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const port = await new Promise((resolve, reject) => {
      let said = "";
      const timer = setTimeout(() => reject(new Error(`the static server did not start: ${said}`)), 10000);
      // Its request log keeps coming on stderr: read to the end, so the pipe never fills.
      const read = (chunk) => {
        said += chunk;
        const m = said.match(/port (\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      server.stdout.on("data", read);
      server.stderr.on("data", read);
      server.on("exit", (code) => reject(new Error(`the static server exited (${code}): ${said}`)));
    });
    return { base: `http://127.0.0.1:${port}/${PREFIX}/`, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

/** A fresh page that records every failed request, response of 400 or more, request
 * outside `inside`, and page error. */
async function watchedPage(inside, viewport = { width: 1280, height: 800 }) {
  const page = await browser().newPage({ viewport });
  const problems = { failed: [], outside: [], errors: [] };
  page.on("requestfailed", (r) => problems.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => r.status() >= 400 && problems.failed.push(`${r.url()}: HTTP ${r.status()}`));
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(inside) && !url.startsWith("data:") && !url.startsWith("blob:")) problems.outside.push(url);
  });
  page.on("pageerror", (e) => problems.errors.push(e.message));
  page.on("dialog", (d) => {
    problems.errors.push(`unexpected dialog: ${d.message()}`);
    d.dismiss();
  });
  return { page, problems };
}

const ready = (target) => target.waitForFunction(() => window.gradscope?.ready === true, null, { polling: 50, timeout: 15000 });

test("the dist folder under a path prefix: every page loads from a plain static server, nothing fails, each works", async () => {
  const { base, stop } = await serveDistUnderPrefix();
  try {
    // The playground: a graph computed, and Share's links under the prefix.
    {
      const { page, problems } = await watchedPage(base);
      // Its first load, every response gzipped as most static hosts send it (level 6):
      // issue 15's budget is 200 kB (page-weight.mjs prints it file by file).
      /** @type {Promise<number>[]} */
      const sizes = [];
      const count = (/** @type {import("playwright-core").Response} */ r) => sizes.push(r.body().then((b) => gzipSync(b, { level: 6 }).length, () => 0));
      page.on("response", count);
      await page.goto(`${base}index.html#e=x1*x2%2Bsin(x2)&x1=2&x2=5`);
      await ready(page);
      await page.waitForLoadState("networkidle");
      page.off("response", count);
      const firstLoad = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
      console.log(`the playground's first load from dist/: ${sizes.length} files, ${(firstLoad / 1000).toFixed(1)} kB gzipped`);
      assert.ok(firstLoad <= 200_000, `the playground's first load is ${firstLoad} bytes gzipped, over 200 kB`);
      assert.equal(Number(await page.getAttribute('td[data-var="x1"]', "data-grad")), 5);
      assert.ok(await page.evaluate(() => window.gradscope.nodes) > 0, "a graph drawn");
      await page.click("#share");
      const link = await page.inputValue("#share-link");
      assert.ok(link.startsWith(`${base}index.html#e=`), `the shared link is under the prefix: ${link}`);
      assert.ok((await page.inputValue("#share-snippet")).includes(`src="${base}index.html?embed=1#`));
      await page.screenshot({ path: `${SHOTS}dist-index.png` });
      // A program: its package, fetched now, comes from under the prefix too (Share's
      // dialog closed first: the page behind a modal dialog is inert).
      await page.keyboard.press("Escape");
      await typeText(page, "W = [[1, 2], [3, 4]]\nsum(W @ W)");
      assert.equal(await page.getAttribute('td[data-var="W"]', "data-grad"), "7,11,9,13");
      assert.deepEqual(problems, { failed: [], outside: [], errors: [] }, "index.html");
      await page.close();
    }
    // The training page: a step taken.
    {
      const { page, problems } = await watchedPage(base, { width: 1400, height: 900 });
      await page.goto(`${base}train.html`);
      await ready(page);
      await page.click("#step-once");
      await page.waitForFunction(() => document.querySelector("#steps").textContent === "1", null, { timeout: 5000 });
      assert.deepEqual(problems, { failed: [], outside: [], errors: [] }, "train.html");
      await page.close();
    }
    // The tour: a step whose view is the playground, then one whose view is the training
    // page, each embedded from under the prefix.
    {
      const { page, problems } = await watchedPage(base);
      await page.goto(`${base}tour.html#step=4`);
      for (const [n, page_] of [[4, "index.html"], [14, "train.html"]]) {
        if (n !== 4) await page.selectOption("#tour-steps", String(n - 1));
        const frame = await tourFrame(page, n);
        assert.ok(frame.url().startsWith(`${base}${page_}?embed=1`), `step ${n}'s view is under the prefix: ${frame.url()}`);
        assert.ok((await page.getAttribute("#tour-open", "href")).startsWith(`${base}${page_}#`));
      }
      assert.deepEqual(problems, { failed: [], outside: [], errors: [] }, "tour.html");
      await page.close();
    }
    // The benchmark page: loaded (its wasm too), not run (it runs only when asked, ?auto=1).
    {
      const { page, problems } = await watchedPage(base);
      // Chromium validates relaxed SIMD, so the page imports that build (js/pkg-map.js).
      const wasm = page.waitForResponse((r) => r.url().endsWith("/pkg/relaxed/gradscope_bg.wasm"));
      await page.goto(`${base}bench.html`);
      assert.equal((await wasm).status(), 200);
      await page.waitForLoadState("networkidle");
      assert.equal(await page.locator("#tables table").count(), 0, "no benchmark ran");
      assert.ok(await page.isEnabled("#run"));
      assert.deepEqual(problems, { failed: [], outside: [], errors: [] }, "bench.html");
      await page.close();
    }
  } finally {
    stop();
  }
});

/** A host page (a course's page) with the embed `src` in an iframe of the given size;
 * returns the frame once its page is ready. */
async function hostEmbed(src, width, height) {
  const page = await browser().newPage({ viewport: { width: width + 80, height: height + 140 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.setContent(
    `<!doctype html><html><body style="margin:20px 40px;font-family:sans-serif;background:#f3f4f6">` +
      `<h1 style="font-size:20px">Week 3: backpropagation</h1>` +
      `<iframe src="${src.replaceAll("&", "&amp;")}" width="${width}" height="${height}" style="border:0;background:#fff" title="gradscope"></iframe>` +
      `</body></html>`,
  );
  const frame = await (await page.waitForSelector("iframe")).contentFrame();
  await ready(frame);
  return { page, frame, errors };
}

/** Which of `selectors` are visible in `frame`, as a map. */
async function visibility(frame, selectors) {
  const seen = {};
  for (const s of selectors) seen[s] = await frame.locator(s).first().isVisible();
  return seen;
}

const noScroll = (frame) =>
  frame.evaluate(() => {
    const d = document.documentElement;
    return { width: innerWidth, height: innerHeight, scrolls: d.scrollHeight > d.clientHeight || d.scrollWidth > d.clientWidth };
  });

test("the playground embedded in an iframe: only the graph and the chosen controls, sized to the frame, and it works", async () => {
  const hash = "#e=x*y%2Bsin(x)&x=2&y=3";
  const { page, frame, errors } = await hostEmbed(`${URL_BASE}/index.html?embed=1&hide=caption,fit${hash}`, 640, 420);
  const shown = await visibility(frame, ["#graph", ".graph > .legend", "#expr", "#variables", "#step", "#play", "#reset", "input[value=backward]", ".embed-open"]);
  assert.ok(Object.values(shown).every(Boolean), `shown: ${JSON.stringify(shown)}`);
  const cut = await visibility(frame, ["header", "#fit", "#preset", "#results", "#gradcheck", "#descend", "#tangent-var", "#share"]);
  assert.ok(Object.values(cut).every((v) => !v), `hidden: ${JSON.stringify(cut)}`);
  assert.deepEqual(await noScroll(frame), { width: 640, height: 420, scrolls: false });
  // The graph fills what the controls leave.
  const graph = await frame.locator("#graph").boundingBox();
  assert.ok(graph.width >= 630 && graph.height >= 150, `the graph is ${graph.width}×${graph.height}`);

  // The link to the whole page: the same view, without the embed's parameters.
  const open = frame.locator(".embed-open");
  assert.equal(await open.getAttribute("target"), "_blank");
  assert.equal(await open.getAttribute("rel"), "noopener");
  assert.equal(await open.textContent(), "open in gradscope ↗");
  const href = new URL(await open.getAttribute("href"));
  assert.equal(href.origin + href.pathname, `${URL_BASE}/index.html`);
  assert.equal(href.search, "");
  assert.equal(href.hash, await frame.evaluate(() => location.hash));

  // Typing in the box redraws the graph, the fragment follows with the query kept, and the
  // link follows the fragment.
  const nodes = await frame.evaluate(() => window.gradscope.nodes);
  await typeText(frame, "x*y*y+sin(x)*x");
  await frame.waitForFunction((n) => window.gradscope.nodes > n, nodes);
  await frame.waitForFunction(() => location.hash.startsWith("#e=x*y*y%2Bsin(x)*x"));
  assert.equal(await frame.evaluate(() => location.search), "?embed=1&hide=caption,fit");
  await open.hover();
  assert.ok((await open.getAttribute("href")).endsWith("/index.html#e=x*y*y%2Bsin(x)*x&x=2&y=3"), await open.getAttribute("href"));
  // Step walks the backward pass.
  await frame.click("#step");
  assert.ok(Number(await frame.getAttribute("#step-progress", "value")) > 0);
  await page.screenshot({ path: `${SHOTS}embed-playground.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("the training page embedded: the plot, the network, Play / Step / Reset and what the link shows; Play trains", async () => {
  const { page, frame, errors } = await hostEmbed(`${URL_BASE}/train.html?embed=1&hide=curves&show=dataset,rate#dataset=xor&hidden=6`, 900, 600);
  const shown = await visibility(frame, ["#plot", "#network", "#play", "#step-once", "#reset", "#steps", "#dataset", "#learning-rate", "#layer-controls", ".embed-open"]);
  assert.ok(Object.values(shown).every(Boolean), `shown: ${JSON.stringify(shown)}`);
  const cut = await visibility(frame, ["header", "#curves", "#grad-health", "#noise", "#loss", "#preset", "#backend-choice", "#speed", "#save-model", "#share"]);
  assert.ok(Object.values(cut).every((v) => !v), `hidden: ${JSON.stringify(cut)}`);
  assert.deepEqual(await noScroll(frame), { width: 900, height: 600, scrolls: false });
  const config = await frame.evaluate(() => window.gradscope.config);
  assert.equal(config.dataset, "xor", "the fragment is read as always");
  assert.deepEqual(config.hidden, [6]);
  const plot = await frame.evaluate(() => document.querySelector("#plot").getBoundingClientRect().toJSON()); // in the frame
  assert.ok(plot.width >= 300 && plot.y + plot.height <= 600, `the plot is ${plot.width} wide, its bottom at ${plot.y + plot.height}`);
  const href = new URL(await frame.getAttribute(".embed-open", "href"));
  assert.equal(href.search, "");
  assert.equal(href.pathname, "/train.html");
  assert.match(href.hash, /dataset=xor/);

  await frame.click("#play");
  await frame.waitForFunction(() => Number(document.querySelector("#steps").textContent) > 20, null, { timeout: 10000 });
  await frame.click("#play"); // pause
  // A setting moved into the embed's bar still sets the run.
  await frame.selectOption("#learning-rate", "0.1");
  assert.equal(await frame.evaluate(() => window.gradscope.config.learning_rate), 0.1);
  assert.equal(await frame.evaluate(() => location.search), "?embed=1&hide=curves&show=dataset,rate");
  await page.screenshot({ path: `${SHOTS}embed-training.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test("embeds at 640×420 and 900×600 fill the frame without a scrollbar", async () => {
  for (const [path, w, h] of [
    ["index.html?embed=1&show=result", 640, 420],
    ["index.html?embed=1", 900, 600],
    ["train.html?embed=1", 640, 420],
    ["train.html?embed=1&show=dataset,noise,rate", 900, 600],
  ]) {
    const { page, errors } = await openPath(path, { width: w, height: h });
    assert.deepEqual(await noScroll(page), { width: w, height: h, scrolls: false }, path);
    const foot = await page.locator(".embed-foot").boundingBox();
    assert.ok(Math.abs(foot.y + foot.height - h) < 1, `${path}: the footer ends at ${foot.y + foot.height}, not ${h}`);
    await page.screenshot({ path: `${SHOTS}embed-${path.split(".")[0]}-${w}x${h}.png` });
    assert.deepEqual(errors, [], path);
    await page.close();
  }
});

/** The embed note's text, and whether anything but its OK button is an element in it. */
const noteOf = (page) =>
  page.evaluate(() => {
    const note = document.querySelector(".embed-note");
    return { text: note.hidden ? "" : note.firstChild.textContent, elements: note.querySelectorAll(":scope > :not(button)").length };
  });

test("hide= and show= with unknown and damaged names: a note names them, the rest applies, nothing is inserted as HTML", async () => {
  const evil = '<img src=x onerror="window.pwned=1">';
  const { page, errors } = await openPath(`index.html?embed=1&hide=legend,Banana,${encodeURIComponent(evil)},,&show=result,STEP&foo=%3Cb%3Ebold%3C/b%3E`);
  assert.ok(await page.evaluate(() => document.body.classList.contains("embed")));
  assert.equal(await page.isVisible(".graph > .legend"), false, "legend, hidden");
  assert.equal(await page.isVisible("#results"), true, "result, shown");
  assert.equal(await page.isVisible("#step"), true, "step was shown already");
  const note = await noteOf(page);
  assert.match(note.text, /no control named “Banana” and “<img src=x onerr… \(36 characters\)”/);
  assert.match(note.text, /its names are expr, variables, pass, step, caption, fit, legend, examples, descent, result/);
  assert.match(note.text, /“foo” is not a setting of an embed/);
  assert.equal(note.elements, 0, "the note is text");
  const injected = await page.evaluate(() => ({ img: document.querySelectorAll("img").length, b: document.querySelectorAll("b").length, pwned: "pwned" in window }));
  assert.deepEqual(injected, { img: 0, b: 0, pwned: false });
  await page.click(".embed-note button");
  assert.equal(await page.isVisible(".embed-note"), false, "the note can be put away");
  assert.deepEqual(errors, []);
  await page.close();

  // Values that are not values: the whole page (the default), said so.
  for (const [query, said] of [
    ["?embed=banana&hide=legend", /embed “banana” is not 1 \(embedded\) or 0.*hide and show choose what an embedded page shows/],
    ["?embed=1&embed=1", /embed is given 2 times/],
    [`?embed=${"1".repeat(5000)}`, /embed “1111111111111111… \(5000 characters\)”/],
  ]) {
    const { page, errors } = await openPath(`index.html${query}`);
    assert.equal(await page.evaluate(() => document.body.classList.contains("embed")), false, query);
    assert.ok(await page.isVisible("header"), query);
    assert.ok(await page.isVisible("#share"), query);
    assert.match((await noteOf(page)).text, said);
    assert.deepEqual(errors, []);
    await page.close();
  }

  // A list too long to be one, a repeated list: left out, the defaults shown.
  for (const [query, said] of [
    [`?embed=1&hide=${"legend,".repeat(60)}`, /hide is 420 characters long/],
    ["?embed=1&hide=legend&hide=expr", /hide is given 2 times/],
  ]) {
    const { page, errors } = await openPath(`index.html${query}`);
    assert.ok(await page.evaluate(() => document.body.classList.contains("embed")), query);
    assert.ok(await page.isVisible(".graph > .legend"), `${query}: the legend, by default`);
    assert.match((await noteOf(page)).text, said);
    assert.deepEqual(errors, []);
    await page.close();
  }

  // The training page: its names, in any case; its own fragment's refusals still said.
  {
    const { page, errors } = await openPath(`train.html?embed=1&hide=NETWORK,${encodeURIComponent("<script>window.pwned=1</script>")}&show=rate#dataset=moons&loss=banana`, { width: 900, height: 600 });
    assert.equal(await page.isVisible("#network"), false);
    assert.equal(await page.isVisible("#learning-rate"), true);
    assert.match((await noteOf(page)).text, /no control named “<script>window.p… \(31 characters\)”/);
    assert.match(await page.textContent("#status"), /Loss “banana”/);
    // The page's own two (the theme's, run first, and the page's module), nothing inserted.
    assert.deepEqual(
      await page.evaluate(() => ({ scripts: [...document.scripts].map((s) => s.getAttribute("src") ?? s.type), pwned: "pwned" in window })),
      // pkg-map.js's import map is the one script the page writes.
      { scripts: ["js/theme-boot.js", "js/pkg-map.js", "importmap", "js/train/page.js"], pwned: false },
    );
    assert.deepEqual(errors, []);
    await page.close();
  }
});

/** The attributes of the one element the snippet is, read as HTML by the browser. */
const parseSnippet = (page, html) =>
  page.evaluate((html) => {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const f = doc.body.firstElementChild;
    return {
      elements: doc.body.querySelectorAll("*").length,
      tag: f?.tagName,
      attributes: Object.fromEntries([...(f?.attributes ?? [])].map((a) => [a.name, a.value])),
    };
  }, html);

test("Share: the link, and a snippet whose iframe opens the same view embedded with the chosen controls", async () => {
  const { page, errors } = await openPath("index.html");
  // Shared at once after typing: the URL is written first.
  await typeText(page, "a*b-exp(a)");
  await page.fill('input[type=number][data-var="a"]', "0.5");
  await page.click("#share");
  assert.ok(await page.isVisible("dialog#share-panel"));
  const link = await page.inputValue("#share-link");
  assert.equal(link, page.url());
  assert.match(link, /index\.html#e=a\*b-exp\(a\)&a=0\.5&b=1$/);
  // Choose what the embed shows, and its size: the snippet follows.
  await page.uncheck('input[data-part="legend"]');
  await page.check('input[data-part="result"]');
  await page.fill("#share-width", "700");
  const snippet = await page.inputValue("#share-snippet");
  const parsed = await parseSnippet(page, snippet);
  assert.equal(parsed.elements, 1);
  assert.equal(parsed.tag, "IFRAME");
  const { src, ...rest } = parsed.attributes;
  assert.deepEqual(rest, { width: "700", height: "520", style: "border:0", title: "gradscope: the computation graph of f = a*b-exp(a)", loading: "lazy" });
  assert.equal(src, `${URL_BASE}/index.html?embed=1&hide=legend&show=result#e=a*b-exp(a)&a=0.5&b=1`);
  assert.equal(await page.getAttribute("#share-preview", "href"), src);
  await page.screenshot({ path: `${SHOTS}share-playground.png` });
  // Escape closes it.
  await page.keyboard.press("Escape");
  assert.equal(await page.isVisible("dialog#share-panel"), false);

  // The snippet's src: the same view, embedded, as chosen.
  const embed = await browser().newPage({ viewport: { width: 700, height: 520 } });
  await embed.goto(src);
  await ready(embed);
  assert.equal(await embed.inputValue("#expr"), "a*b-exp(a)");
  assert.equal(await embed.inputValue('input[type=number][data-var="a"]'), "0.5");
  assert.equal(await embed.isVisible(".graph > .legend"), false);
  assert.equal(await embed.isVisible("#results"), true);
  assert.equal(await embed.isVisible("header"), false);
  await embed.close();

  // Text from the page goes into the snippet escaped: it is one iframe whatever was typed.
  await typeText(page, 'x"><b>bold</b>&amp;');
  await page.click("#share");
  const odd = await parseSnippet(page, await page.inputValue("#share-snippet"));
  assert.equal(odd.elements, 1);
  assert.equal(odd.attributes.title, 'gradscope: the computation graph of f = x"><b>bold</b>&amp;');
  assert.equal(new URL(odd.attributes.src).hash, new URL(page.url()).hash);
  assert.deepEqual(errors, []);
  await page.close();
});

test("Share on the training page: the snippet opens the same run embedded", async () => {
  const { page, errors } = await openPath("train.html#dataset=spiral&classes=3&loss=softmax_cross_entropy&hidden=5,3", { width: 1400, height: 900 });
  await page.click("#share");
  await page.check('input[data-part="dataset"]');
  await page.uncheck('input[data-part="stats"]');
  const parsed = await parseSnippet(page, await page.inputValue("#share-snippet"));
  assert.equal(parsed.attributes.title, "gradscope: a network learning spiral");
  assert.equal(parsed.attributes.width, "900");
  assert.equal(parsed.attributes.height, "600");
  assert.match(parsed.attributes.src, /\/train\.html\?embed=1&hide=stats&show=dataset#problem=classification&dataset=spiral&classes=3&/);
  await page.screenshot({ path: `${SHOTS}share-training.png` });
  const embed = await browser().newPage({ viewport: { width: 900, height: 600 } });
  await embed.goto(parsed.attributes.src);
  await ready(embed);
  const config = await embed.evaluate(() => window.gradscope.config);
  assert.deepEqual([config.dataset, config.classes, config.hidden], ["spiral", 3, [5, 3]]);
  assert.equal(await embed.isVisible("#dataset"), true);
  assert.equal(await embed.isVisible("#steps"), false);
  await embed.close();
  assert.deepEqual(errors, []);
  await page.close();
});

test("Copy puts the link on the clipboard; where the page may not, it selects the text", async () => {
  const allowed = await browser().newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  {
    const page = await allowed.newPage();
    await page.goto(`${URL_BASE}/index.html#e=x*x&x=3`);
    await ready(page);
    await page.click("#share");
    await page.click('button[aria-label="Copy the link"]');
    await page.waitForFunction(() => document.querySelector("#share-status").textContent === "Copied the link.");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await page.inputValue("#share-link"));
    await page.click('button[aria-label="Copy the embed code"]');
    await page.waitForFunction(() => document.querySelector("#share-status").textContent === "Copied the embed code.");
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^<iframe src="[^"]+\/index\.html\?embed=1#e=x\*x&amp;x=3"/);
  }
  await allowed.close();

  const refused = await browser().newContext();
  await refused.addInitScript(() => {
    Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new DOMException("not allowed", "NotAllowedError")) } });
  });
  {
    const page = await refused.newPage();
    await page.goto(`${URL_BASE}/train.html`);
    await ready(page);
    await page.click("#share");
    await page.click('button[aria-label="Copy the embed code"]');
    await page.waitForFunction(() => document.querySelector("#share-status").textContent.includes("selected"));
    const selection = await page.evaluate(() => {
      const f = document.activeElement;
      return { id: f.id, whole: f.selectionStart === 0 && f.selectionEnd === f.value.length && f.value.length > 0 };
    });
    assert.deepEqual(selection, { id: "share-snippet", whole: true });
    assert.match(await page.textContent("#share-status"), /press Ctrl\+C/);
  }
  await refused.close();
});

test("a compressed link (#z=) embeds as well, and a resized frame keeps the graph fitted and the network drawn to size", async () => {
  const program = ["y = x", ...Array.from({ length: 40 }, (_, i) => `y = y * 1.0 + 0.5  # step ${i} of the padding that makes it long`), "y"].join("\n");
  const { page, errors } = await openPath("index.html");
  await typeText(page, program);
  await page.click("#share");
  const src = (await parseSnippet(page, await page.inputValue("#share-snippet"))).attributes.src;
  assert.match(src, /\/index\.html\?embed=1#z=[A-Za-z0-9_-]+$/);
  await page.close();

  const embed = await browser().newPage({ viewport: { width: 640, height: 420 } });
  await embed.goto(src);
  await ready(embed);
  assert.equal(await embed.inputValue("#expr"), program);
  assert.ok(await embed.evaluate(() => document.body.classList.contains("embed")));
  /** Whether the graph is as Fit leaves it at the canvas's present size. */
  const fitted = () =>
    embed.evaluate(() => {
      const view = window.gradscope.view;
      const before = { ...view.view };
      view.fit();
      return ["scale", "tx", "ty"].every((k) => Math.abs(view.view[k] - before[k]) < 1e-9);
    });
  assert.ok(await fitted(), "fitted at 640×420");
  await embed.setViewportSize({ width: 900, height: 600 });
  await embed.waitForTimeout(300);
  assert.ok(await fitted(), "fitted again at 900×600");
  await embed.close();

  const training = await browser().newPage({ viewport: { width: 640, height: 420 } });
  await training.goto(`${URL_BASE}/train.html?embed=1`);
  await ready(training);
  await training.setViewportSize({ width: 900, height: 600 });
  await training.waitForTimeout(300);
  const canvas = await training.evaluate(() => {
    const c = document.querySelector("#network");
    return { width: c.width, height: c.height, want: [Math.round(c.clientWidth * devicePixelRatio), Math.round(c.clientHeight * devicePixelRatio)] };
  });
  assert.deepEqual([canvas.width, canvas.height], canvas.want);
  await training.close();
  assert.deepEqual(errors, []);
});
