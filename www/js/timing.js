// Timing for the benchmark page and the training page's choice of backend.

/** The median time in ms of `run` (sync or async) over `times` runs, after one warm-up run
 * (which compiles pipelines and allocates buffers). */
export async function medianMs(run, times = 3) {
  await run();
  const ms = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[times >> 1];
}
