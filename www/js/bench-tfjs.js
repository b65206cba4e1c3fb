// @ts-check
// TF.js's side of each benchmark, made ready the way its users are told to: tensors for the
// inputs and weights created before any timing, each call inside tf.tidy (or disposing what
// it made) so memory stays flat, and the result read back (dataSync, or data() awaited on
// WebGPU) inside the time. TF.js comes from www/vendor/tfjs (./build.sh bench puts it there):
// @tensorflow/tfjs's tf.min.js, then the wasm and WebGPU backends on top, as its docs load them.

import { el } from "./dom.js";
import { messageOf } from "./errors.js";

/** @typedef {import("./bench-gradscope.js").Prepared} Prepared */
/** @typedef {import("./bench-gradscope.js").Activation} Activation */
/** @typedef {{ w: ArrayLike<number>, b: ArrayLike<number>, inputs: number, outputs: number }} Layer */
/** The backends the page measures: wasm (XNNPACK) on one thread or two, the plain-JS cpu
 * backend, WebGPU. @typedef {"wasm-1" | "wasm-2" | "cpu" | "webgpu"} Backend */

/** @param {string} src @returns {Promise<void>} */
const script = (src) =>
  new Promise((resolve, reject) => {
    const s = el("script", { src });
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });

/** TF.js with its cpu, wasm and WebGPU backends (and WebGL, not measured), or why not.
 * @returns {Promise<{ tf: Tf | null, reason: string }>} */
export async function loadTfjs() {
  try {
    // The union bundle: core with its gradients (tf-core.min.js alone has none) and the cpu backend.
    await script("vendor/tfjs/tf.min.js");
    await script("vendor/tfjs/tf-backend-wasm.min.js");
    await script("vendor/tfjs/tf-backend-webgpu.min.js").catch(() => {});
    const tf = window.tf;
    if (!tf) return { tf: null, reason: "TF.js's scripts loaded but define no tf" };
    tf.wasm.setWasmPaths("vendor/tfjs/");
    return { tf, reason: "" };
  } catch (e) {
    return { tf: null, reason: `${messageOf(e)} (./build.sh bench puts TF.js in www/vendor/tfjs)` };
  }
}

/** Runs `start` while navigator.hardwareConcurrency says `cores`. TF.js's wasm backend caps
 * its thread pool at half that count (it takes every core to run two hardware threads), so
 * on a machine that reports 2 it would start 1 thread whatever setThreadsCount asked for.
 * @template T @param {number} cores @param {() => Promise<T>} start @returns {Promise<T>} */
async function reportingCores(cores, start) {
  if (navigator.hardwareConcurrency >= cores) return start();
  Object.defineProperty(navigator, "hardwareConcurrency", { value: cores, configurable: true });
  try {
    return await start();
  } finally {
    Reflect.deleteProperty(navigator, "hardwareConcurrency"); // the real count again
  }
}

let wasmThreads = 0; // the thread count the registered wasm backend was started with

/** Switches TF.js to `backend`; returns null, or why it cannot. The wasm backend reads its
 * thread count once, when it starts: for the other count it is removed and registered anew
 * from the same factory (only cross-origin isolated pages have the shared memory that
 * threads need).
 * @param {Tf} tf @param {Backend} backend @returns {Promise<string | null>} */
export async function useBackend(tf, backend) {
  try {
    if (backend === "wasm-1" || backend === "wasm-2") {
      const threads = backend === "wasm-2" ? 2 : 1;
      if (threads === 2 && !crossOriginIsolated) return "the page is not cross-origin isolated (no SharedArrayBuffer)";
      if (wasmThreads !== threads) {
        const factory = tf.findBackendFactory("wasm");
        if (!factory) return "TF.js has no wasm backend";
        if (wasmThreads) {
          await tf.setBackend("cpu");
          tf.removeBackend("wasm");
          tf.registerBackend("wasm", factory, 2);
        }
        tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", threads > 1);
        tf.wasm.setThreadsCount(threads);
        wasmThreads = threads;
      }
      const started = threads > 1 ? await reportingCores(2 * threads, () => tf.setBackend("wasm")) : await tf.setBackend("wasm");
      if (!started) return "TF.js's wasm backend did not start";
      await tf.ready();
      const got = tf.wasm.getThreadsCount();
      return got === threads ? null : `TF.js's wasm backend runs ${got} threads, not ${threads}`;
    }
    if (!(await tf.setBackend(backend))) return `TF.js's ${backend} backend did not start`;
    await tf.ready();
    return null;
  } catch (e) {
    return messageOf(e);
  }
}

/** C = A·B with A and B already tensors on the backend; C read back and disposed.
 * @param {Tf} tf @param {Float32Array} a @param {Float32Array} b @param {number} m @param {number} k @param {number} n
 * @returns {Prepared} */
export function tfMatmul(tf, a, b, m, k, n) {
  const A = tf.tensor2d(a, [m, k]);
  const B = tf.tensor2d(b, [k, n]);
  const run = () => {
    const C = tf.matMul(A, B);
    const c = C.dataSync();
    C.dispose();
    return c;
  };
  return { run, result: run, free: () => tf.dispose([A, B]) };
}

/** C = A·B on WebGPU. `resident`: A and B stay on the GPU; otherwise they are uploaded from
 * the arrays each call, the work `Gpu.multiply` does. C's read-back is awaited.
 * @param {Tf} tf @param {Float32Array} a @param {Float32Array} b @param {number} m @param {number} k @param {number} n
 * @param {boolean} resident @returns {Prepared} */
export function tfGpuMatmul(tf, a, b, m, k, n, resident) {
  const kept = resident ? [tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])] : [];
  const run = async () => {
    const [A, B] = resident ? kept : [tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])];
    const C = tf.matMul(A, B);
    const c = await C.data();
    C.dispose();
    if (!resident) tf.dispose([A, B]);
    return c;
  };
  return { run, result: run, free: () => tf.dispose(kept) };
}

/** The weights of `layers` as tensors (or variables, for training).
 * @param {Tf} tf @param {Layer[]} layers @param {boolean} variables */
function weightTensors(tf, layers, variables) {
  /** A variable takes over its initial tensor's data; the tensor itself is then let go
   * (else it would stay counted after the variable is disposed).
   * @param {TfTensor} t */
  const wrap = (t) => {
    if (!variables) return t;
    const v = tf.variable(t);
    t.dispose();
    return v;
  };
  return layers.map((l) => ({ W: wrap(tf.tensor2d(l.w, [l.inputs, l.outputs])), b: wrap(tf.tensor1d(l.b)) }));
}

/** The heatmap: the network's probability of class 1 over a grid whose features are a
 * tensor made beforehand, in tf.tidy; each layer one fused product + bias (+ activation,
 * where TF.js fuses it: relu and the output's sigmoid; tanh after it), read back.
 * @param {Tf} tf @param {Layer[]} layers @param {Activation} activation @param {Float32Array} features
 * @param {number} rows @returns {Prepared} */
export function tfHeatmap(tf, layers, activation, features, rows) {
  const X = tf.tensor2d(features, [rows, 2]);
  const weights = weightTensors(tf, layers, false);
  const last = weights.length - 1;
  const run = () => {
    const p = tf.tidy(() =>
      weights.reduce((h, { W, b }, i) => {
        if (i === last) return tf.fused.matMul({ a: h, b: W, bias: b, activation: "sigmoid" });
        if (activation === "relu") return tf.fused.matMul({ a: h, b: W, bias: b, activation: "relu" });
        return tf.tanh(tf.fused.matMul({ a: h, b: W, bias: b }));
      }, X),
    );
    const out = p.dataSync();
    p.dispose();
    return out;
  };
  return { run, result: run, free: () => tf.dispose([X, ...weights.flatMap(({ W, b }) => [W, b])]) };
}

/** Training with `tf.train.sgd(lr).minimize`: the same network from the same weights,
 * sigmoid cross-entropy of the logit, over `batches` (tensors made beforehand) in turn.
 * `result` gives all the weights, layer by layer, as gradscope's flatWeights does.
 * @param {Tf} tf @param {Layer[]} layers @param {Activation} activation @param {number} lr
 * @param {{ xs: Float32Array, ys: Float32Array }[]} batches (ys: 0 or 1)
 * @returns {Prepared} */
export function tfTraining(tf, layers, activation, lr, batches) {
  const vars = weightTensors(tf, layers, true);
  const data = batches.map(({ xs, ys }) => ({ x: tf.tensor2d(xs, [ys.length, 2]), y: tf.tensor2d(ys, [ys.length, 1]) }));
  const optimizer = tf.train.sgd(lr);
  const act = activation === "relu" ? tf.relu : tf.tanh;
  const last = vars.length - 1;
  /** @param {TfTensor} x @param {TfTensor} y */
  const loss = (x, y) => {
    const logit = vars.reduce((h, { W, b }, i) => {
      const z = tf.add(tf.matMul(h, W), b);
      return i === last ? z : act(z);
    }, x);
    return tf.losses.sigmoidCrossEntropy(y, logit);
  };
  const list = vars.flatMap(({ W, b }) => [W, b]);
  let next = 0;
  const run = () => {
    const { x, y } = data[next];
    next = (next + 1) % data.length;
    optimizer.minimize(() => loss(x, y), false, list);
  };
  const result = () => Float32Array.from(vars.flatMap(({ W, b }) => [...W.dataSync(), ...b.dataSync()]));
  const free = () => {
    optimizer.dispose();
    tf.dispose([...list, ...data.flatMap(({ x, y }) => [x, y])]);
  };
  return { run, result, free };
}
