// @ts-check
// gradscope's side of each benchmark, each behind one small function that returns a
// prepared call: its inputs made and in wasm memory before any timing, the call doing the
// work and handing the result to JavaScript. A new kernel (a faster product, two cores)
// slots in here without touching how anything is timed.

import { MatmulCase, Trainer } from "gradscope";

/**
 * A workload made ready: `run` is what is timed; `result` (called outside the timing) is
 * what it computes, for comparing sides; `free` releases what was allocated.
 * @typedef {{ run: () => unknown, result?: () => Float32Array | Promise<Float32Array>, free: () => void }} Prepared
 */
/** @typedef {import("../pkg/gradscope.js").Config} Config */
/** @typedef {import("../pkg/gradscope.js").Gpu} Gpu */
/** @typedef {"relu" | "tanh"} Activation */

/** The classifier every network workload uses: two moons, 500 points, all for training,
 * inputs x1 and x2, one logit, logistic loss (sigmoid cross-entropy), plain SGD.
 * @param {number} hidden @param {Activation} activation @param {number} batch @param {number} lr
 * @returns {Partial<Config>} */
export const networkConfig = (hidden, activation, batch, lr) => ({
  dataset: "moons", points: 500, test_fraction: 0, features: ["x1", "x2"], hidden: [hidden, hidden],
  activations: [activation, activation], loss: "logistic", optimizer: "sgd", learning_rate: lr, batch_size: batch,
  regularization: "none",
});

/** C = A·B on the CPU kernel, A and B already in wasm memory; C read back each call, as
 * the other sides hand theirs back.
 * @param {number} m @param {number} k @param {number} n @returns {Prepared & { a: Float32Array, b: Float32Array }} */
export function gradscopeMatmul(m, k, n) {
  const c = new MatmulCase(m, k, n, 1n);
  return {
    a: c.a,
    b: c.b,
    run: () => {
      c.run(1);
      return c.c;
    },
    result: () => {
      c.run(1);
      return c.c;
    },
    free: () => c.free(),
  };
}

/** A worker holding one core's share of the products (matmul-worker.js), asked one thing
 * at a time. Null where the browser reports a single core, or the worker cannot start.
 * @returns {Promise<{ pkg: string, ask: (message: object) => Promise<any>, terminate: () => void } | null>} */
export async function productWorker() {
  if ((navigator.hardwareConcurrency ?? 1) < 2) return null;
  const worker = new Worker(new URL("./matmul-worker.js", import.meta.url), { type: "module" });
  /** @type {((reply: any) => void) | null} */
  let answer = null;
  worker.onmessage = ({ data }) => answer?.(data);
  /** @param {object} message */
  const ask = (message) =>
    new Promise((resolve, reject) => {
      answer = (reply) => (reply.kind === "error" ? reject(new Error(`the product worker: ${reply.message}`)) : resolve(reply));
      worker.onerror = (e) => reject(new Error(`the product worker failed: ${e.message}`));
      worker.postMessage(message);
    });
  // The package this page imported ("gradscope" through its import map), so both
  // instances run the same build (relaxed SIMD or not).
  const pkg = import.meta.resolve("gradscope");
  try {
    await ask({ kind: "init", pkg });
  } catch (e) {
    worker.terminate();
    console.warn(e);
    return null;
  }
  return { pkg, ask, terminate: () => worker.terminate() };
}

/** C = A·B on two cores: this thread computes the top half of C's rows while `worker`
 * computes the bottom half, each in its own wasm instance on the same seeded A and B
 * already in its memory (as TF.js's threads share its tensors); the whole C is handed to
 * JavaScript in a new array, read-back inside the time. Cross-origin isolated, the worker's
 * rows come through shared memory (`sharedProduct`); otherwise they are transferred back
 * in a message.
 * @param {number} m @param {number} k @param {number} n @param {NonNullable<Awaited<ReturnType<typeof productWorker>>>} worker
 * @returns {Prepared & { shared: boolean }} */
export function gradscopeMatmulTwoCores(m, k, n, worker) {
  if (globalThis.crossOriginIsolated) return sharedProduct(m, k, n, worker);
  const c = new MatmulCase(m, k, n, 1n);
  const split = m >> 1;
  const ready = worker.ask({ kind: "case", m, k, n, seed: 1 });
  const run = async () => {
    await ready;
    const theirs = worker.ask({ kind: "run", from: split, to: m });
    c.run_rows(0, split);
    const all = new Float32Array(m * n);
    c.c_rows_into(0, split, all);
    all.set((await theirs).c, split * n);
    return all;
  };
  return { run, result: run, free: () => c.free(), shared: false };
}

/** How long this thread waits for the worker's half before giving up, ms. */
const WORKER_PATIENCE = 10_000;

/** The two-core product through a SharedArrayBuffer (matmul-worker.js's "shared" job): a
 * count in the first flag wakes the worker, and this thread, its own half done, spins on
 * the second until the worker's half is in C, as a thread pool's join does. No message
 * per call, so no wait for either thread's event loop.
 * @param {number} m @param {number} k @param {number} n @param {NonNullable<Awaited<ReturnType<typeof productWorker>>>} worker
 * @returns {Prepared & { shared: boolean }} */
function sharedProduct(m, k, n, worker) {
  const c = new MatmulCase(m, k, n, 1n);
  const split = m >> 1;
  const memory = new SharedArrayBuffer(8 + 4 * m * n);
  const flags = new Int32Array(memory, 0, 2);
  const theirs = new Float32Array(memory, 8 + 4 * split * n, (m - split) * n);
  const ready = worker.ask({ kind: "shared", m, k, n, seed: 1, from: split, to: m, memory });
  let count = 0;
  const run = async () => {
    await ready;
    count += 1;
    Atomics.store(flags, 0, count);
    Atomics.notify(flags, 0);
    c.run_rows(0, split);
    const all = new Float32Array(m * n);
    c.c_rows_into(0, split, all);
    const deadline = performance.now() + WORKER_PATIENCE;
    for (let spins = 1; Atomics.load(flags, 1) !== count; spins++) {
      if (Atomics.load(flags, 1) < 0) throw new Error("the product worker failed (its console says why)");
      if (spins % 4096 === 0 && performance.now() > deadline) throw new Error(`the product worker gave no rows in ${WORKER_PATIENCE / 1000} s`);
    }
    all.set(theirs, split * n);
    return all;
  };
  const free = () => {
    Atomics.store(flags, 0, -1);
    Atomics.notify(flags, 0);
    c.free();
  };
  return { run, result: run, free, shared: true };
}

/** The training page's heatmap: `Trainer.grid(res)` (its grid of features is cached per
 * resolution), the probability of class 1 at each point read back, as the others give it.
 * @param {Trainer} trainer @param {number} res @returns {Prepared} */
export function gradscopeHeatmap(trainer, res) {
  return {
    run: () => trainer.grid(res),
    result: () => trainer.grid(res),
    free: () => {},
  };
}

/** Training steps of `config`: `Trainer.step(perCall)`, the loop inside wasm, as the
 * training page calls it once a frame.
 * @param {Partial<Config>} config @param {number} perCall @returns {Prepared} */
export function gradscopeTraining(config, perCall) {
  const trainer = new Trainer(config);
  return { run: () => trainer.step(perCall), free: () => trainer.free() };
}

/** For checking the other sides: the network's first weights, and all its weights after
 * `steps` full-batch steps (every training point each step, so no order of batches can
 * make two correct sides differ).
 * @param {Partial<Config>} config @param {number} steps */
export function gradscopeTrained(config, steps) {
  const trainer = new Trainer({ ...config, batch_size: 500 });
  const start = trainer.layers();
  const data = trainer.data();
  trainer.step(steps);
  const end = flatWeights(trainer);
  trainer.free();
  return { start, end, data };
}

/** Every weight and bias, layer by layer, as one array.
 * @param {Trainer} trainer */
export const flatWeights = (trainer) => Float32Array.from(trainer.layers().flatMap((l) => [...l.w, ...l.b]));

/** C = A·B on the GPU through `Gpu.multiply`: A and B uploaded from JavaScript arrays,
 * C read back, each call (the API keeps nothing on the GPU between calls).
 * @param {Gpu} gpu @param {Float32Array} a @param {Float32Array} b @param {number} m @param {number} k @param {number} n
 * @returns {Prepared} */
export function gradscopeGpuMatmul(gpu, a, b, m, k, n) {
  return { run: () => gpu.multiply(a, b, m, k, n), result: () => gpu.multiply(a, b, m, k, n), free: () => {} };
}

/** The wasm memory's size before and after `steps` training steps and `heatmaps` heatmaps
 * of the default network (100 × 100, the training page's), in bytes: memory only grows,
 * so the difference is what those calls kept or never gave back.
 * @param {WebAssembly.Memory} memory @param {number} steps @param {number} heatmaps */
export function memoryGrowth(memory, steps, heatmaps) {
  const before = memory.buffer.byteLength;
  const trainer = new Trainer(networkConfig(8, "tanh", 10, 0.03));
  for (let done = 0; done < steps; done += 1000) trainer.step(Math.min(1000, steps - done));
  for (let i = 0; i < heatmaps; i++) trainer.grid(100);
  trainer.free();
  return { before, after: memory.buffer.byteLength, steps, heatmaps };
}
