// @ts-check
// Timing for the training page's choice of backend (the benchmark page has its own,
// bench-measure.js, which times every side alike).

/** Gives the event loop a turn: input and drawing are handled in between.
 * @returns {Promise<void>} */
export const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * What `medianWithin` measured.
 * @typedef {object} Measured
 * @property {number | null} ms the median of the timed runs, or the warm-up's time if no
 *   other run finished, or null if the warm-up itself was cut off
 * @property {number} runs how many runs were timed
 * @property {boolean} cutOff whether the budget ran out during a run (which may then still
 *   be going on)
 */

/** The median time in ms of `run` (sync or async), within a time budget, for measuring
 * while a page is in use: after one warm-up run (which compiles pipelines and allocates
 * buffers), runs until `times` runs are timed, `budgetMs` has passed since the start,
 * or `decided(ms)` says the latest run settles the question. Yields to the event loop
 * before every run, so only a single run can hold up the page; an asynchronous run still
 * going when the budget is up is no longer waited for (its result is ignored).
 * @param {() => unknown} run
 * @param {{ times?: number, budgetMs: number, decided?: (ms: number) => boolean }} options
 * @returns {Promise<Measured>} */
export async function medianWithin(run, { times = 3, budgetMs, decided = () => false }) {
  const start = performance.now();
  const OVER = Symbol("over budget");
  /** One run's time in ms, or OVER. @returns {Promise<number | typeof OVER>} */
  const once = async () => {
    await yieldToPage();
    const t0 = performance.now();
    const result = Promise.resolve(run());
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    /** @type {Promise<typeof OVER>} */
    const over = new Promise((resolve) => (timer = setTimeout(resolve, budgetMs - (t0 - start), OVER)));
    const first = await Promise.race([result, over]);
    clearTimeout(timer);
    if (first !== OVER) return performance.now() - t0;
    result.catch(() => {}); // abandoned: its failure is no longer ours to report
    return OVER;
  };
  /** @type {number[]} */
  const ms = [];
  const warmup = await once();
  let cutOff = warmup === OVER;
  while (!cutOff && ms.length < times && performance.now() - start < budgetMs) {
    const t = await once();
    if (t === OVER) {
      cutOff = true;
      break;
    }
    ms.push(t);
    if (decided(t)) break;
  }
  ms.sort((a, b) => a - b);
  const median = ms.length ? ms[(ms.length - 1) >> 1] : warmup === OVER ? null : warmup;
  return { ms: median, runs: ms.length, cutOff };
}
