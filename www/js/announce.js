// @ts-check
// What a screen reader hears of the playground's results without looking for them: the
// value and gradient line said politely once evaluations pause (typing or dragging a
// slider evaluates on every frame, which would be a stream of numbers), and an error in
// the text said assertively once typing pauses (an error while a word is half typed is no
// news). The page's own boxes stay as they are; this watches them and speaks in two
// visually hidden live regions.

/** Quiet time after the last new result before it is said. */
export const RESULT_MS = 700;
/** Quiet time after the last edit before an error is said. */
export const ERROR_MS = 1000;
/** Rows of the results said at most (a program may have many leaves). */
const ROWS = 6;

/**
 * Watches `results` (the results table's body) and `error` (the box under the editor).
 * @param {{ results: HTMLElement, error: HTMLElement, polite: HTMLElement, assertive: HTMLElement }} parts
 */
export function announceResults({ results, error, polite, assertive }) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let resultTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let errorTimer;
  /** @param {HTMLElement} region @param {string} text */
  const say = (region, text) => {
    region.textContent = text;
  };
  new MutationObserver(() => {
    clearTimeout(resultTimer);
    resultTimer = setTimeout(() => {
      if (!error.hidden) return; // the numbers are the last good text's, and said so
      say(polite, resultLine(results));
    }, RESULT_MS);
  }).observe(results, { childList: true, subtree: true, characterData: true });
  new MutationObserver(() => {
    clearTimeout(errorTimer);
    if (error.hidden) {
      say(assertive, "");
      return;
    }
    errorTimer = setTimeout(() => {
      if (error.hidden) return;
      // The message, then the line it is on (the snippet under it, where there is one).
      const message = (error.querySelector(".message")?.textContent ?? error.textContent ?? "").trim();
      const line = error.querySelector(".source")?.textContent?.trim();
      say(assertive, `Error: ${message}${line ? `. At: ${line}` : ""}`);
    }, ERROR_MS);
  }).observe(error, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["hidden"] });
}

/** "f = 11.6521; ∂f/∂x1 = 5.5; ∂f/∂x2 = 1.71634": the results table's rows, read out.
 * @param {HTMLElement} body */
export function resultLine(body) {
  const rows = [...body.querySelectorAll("tr")];
  const said = rows.slice(0, ROWS).map((tr) => {
    const [head, ...cells] = [...tr.children].map((c) => (c.textContent ?? "").trim());
    return `${head} = ${cells.join(" ")}`;
  });
  if (rows.length > ROWS) said.push(`and ${rows.length - ROWS} more in the results table`);
  return said.join("; ");
}

/** Says `text` in the live region `region` now, even if it is what the region said last
 * (a second Check that ends as the first did is news too).
 * @param {HTMLElement} region @param {string} text */
export function sayNow(region, text) {
  region.textContent = region.textContent === text ? `${text}\u00a0` : text;
}
