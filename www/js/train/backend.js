// @ts-check
// Where the heatmap's forward pass and the training steps run: the CPU (wasm SIMD, relaxed
// SIMD where the browser has it) or WebGPU. Decided by measuring both on the current
// network, not assumed: a software WebGPU adapter is far slower than the CPU kernel, a
// real GPU may be faster, and which wins depends on the network and the batch. A GPU that
// fails is dropped for the CPU, said once in the backend line; the training state lives in
// the trainer, which takes over GPU steps only once they are read back, so nothing is lost
// but the steps in flight.

import { Gpu, Trainer } from "gradscope";
import { $ } from "../dom.js";
import { kindOf, messageOf } from "../errors.js";
import { duration } from "../format.js";
import { medianWithin, yieldToPage } from "../timing.js";
import { cpuKernel } from "../wasm-build.js";
import { HEATMAP } from "./plot.js";

/** @typedef {import("../../pkg/gradscope.js").GpuSteps} GpuSteps */
/** @typedef {"cpu" | "gpu"} Device */
/** The GPU's time: `medianWithin`'s answer, or skipped when the GPU was still busy.
 * @typedef {import("../timing.js").Measured | { ms: null, skipped: true }} GpuTime */
/**
 * One workload (the heatmap, or a training step) on each backend.
 * @typedef {object} Workload
 * @property {number | null} cpu ms on the CPU, once measured
 * @property {GpuTime | null} gpu the GPU's time, once measured
 * @property {Device} active the backend in use
 */

// Time budgets of the measurement, per workload. The CPU's runs block the page, so they
// are short and few; the GPU's do not, but a backend whose single call takes longer than
// its budget is too slow for a live page anyway, so its measurement is cut off there (work
// already submitted to the GPU cannot be taken back; its result is ignored).
const CPU_BUDGET_MS = 400;
const GPU_BUDGET_MS = 2000;
// A backend this many times slower or faster than the other after one timed run has lost
// or won: more runs would not change the choice.
const CLEARLY = 3;

const line = $("#backend");
const choice = $("#backend-choice", HTMLSelectElement);
const gpuOption = $("#backend-choice option[value=gpu]", HTMLOptionElement);

/** Words for the page when `gpu`'s device is lost. @param {Gpu} gpu */
const lostReason = (gpu) => gpu.lost().then((why) => `the GPU device was lost (${why})`);

export class Backend {
  /** @type {Gpu | null} */
  gpu = null;
  /** Why there is no GPU. */
  why = "";
  /** @type {Workload} */
  heatmap = { cpu: null, gpu: null, active: "cpu" };
  /** @type {Workload} */
  training = { cpu: null, gpu: null, active: "cpu" };
  /** GPU training steps submitted and not yet read back. */
  trainingInFlight = false;
  /** How the last measurement held up the page: the training steps in each timed call on
   * either backend (each call runs without a break, so a large network gets one step). */
  lastPlan = { cpuStepsPerCall: 0, gpuStepsPerCall: 0 };
  /** Called whenever the backend in use may have changed, to redraw with it. */
  onChange = () => {};
  /** The latest heatmap values (class probabilities, as `Trainer.grid` gives them) computed on the GPU. @type {Float32Array | null} */
  #probs = null;
  #heatmapPending = false;
  /** When the last GPU heatmap was asked for, and how long it took (ms). */
  #heatmapStarted = 0;
  #heatmapMs = 0;
  /** Bumped whenever the network is replaced: results for an older one are dropped. */
  #generation = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #measureTimer;

  /** Opens the GPU, if there is one; if not, says why, and offers the CPU only. */
  async open() {
    try {
      const gpu = await Gpu.open();
      this.gpu = gpu;
      lostReason(gpu).then((why) => this.#fallBackToCpu(why));
    } catch (e) {
      this.why = messageOf(e);
      gpuOption.disabled = true;
    }
  }

  /** The network was replaced: what the GPU computed or is computing for the old one is
   * of no use. */
  newNetwork() {
    this.#probs = null;
    this.#generation++;
    this.trainingInFlight = false;
  }

  /** Class probabilities over the heatmap grid from the backend in use. The GPU's arrive
   * asynchronously: the newest finished result is returned (null before the first)
   * while the next one is computed, and `paint` gets each as it arrives.
   * @param {Trainer} trainer @param {(probs: Float32Array) => void} paint
   * @returns {Float32Array | null} */
  heatmapProbabilities(trainer, paint) {
    const gpu = this.gpu;
    if (this.heatmap.active !== "gpu" || !gpu) return trainer.grid(HEATMAP);
    // At most a quarter of the GPU's time goes to heatmaps: on a slow adapter they would
    // otherwise crowd out the training steps queued behind them.
    const now = performance.now();
    const due = !this.#probs || now - this.#heatmapStarted >= 3 * this.#heatmapMs;
    if (!this.#heatmapPending && due) {
      this.#heatmapStarted = now;
      const generation = this.#generation;
      let pending;
      try {
        pending = gpu.grid(trainer, HEATMAP);
      } catch (e) {
        this.#failed("the GPU failed while drawing the heatmap", e);
        return trainer.grid(HEATMAP);
      }
      this.#heatmapPending = true;
      pending
        .then(
          (p) => {
            this.#heatmapMs = performance.now() - now;
            // A result for a network that has since been replaced is dropped.
            if (generation === this.#generation) {
              this.#probs = p;
              paint(p);
            }
          },
          (e) => this.#failed("the GPU failed while drawing the heatmap", e),
        )
        .finally(() => (this.#heatmapPending = false));
    }
    return this.#probs;
  }

  /** Starts `n` training steps on the GPU. Resolves with them once read back, for
   * `trainer.finishGpuSteps`, or with null if they are of no use: the network was
   * replaced meanwhile, or the GPU failed (and is being dropped). Throws, before
   * anything is submitted, the trainer's refusal to draw batches (no training points).
   * @param {Trainer} trainer @param {number} n
   * @returns {Promise<GpuSteps | null>} */
  train(trainer, n) {
    if (!this.gpu) return Promise.resolve(null);
    const generation = this.#generation;
    const pending = this.gpu.train(trainer, n);
    this.trainingInFlight = true;
    const current = () => generation === this.#generation;
    return pending.then(
      (steps) => {
        if (!current()) {
          steps.free();
          return null;
        }
        this.trainingInFlight = false;
        return steps;
      },
      (e) => {
        if (current()) this.trainingInFlight = false;
        this.#failed("the GPU failed while training", e);
        return null;
      },
    );
  }

  /** Times the heatmap and training steps on both backends, on `trainer`'s network, each
   * within its budget and yielding to the page between runs (`medianWithin`), so the
   * page stays usable while it measures. Training is timed on a copy, so the real run is
   * not disturbed. Resolves to false, measuring nothing, if the network is replaced
   * meanwhile (its own measurement follows).
   * @param {Trainer} trainer @returns {Promise<boolean>} */
  async measure(trainer) {
    const generation = this.#generation;
    const stale = new Error("stale");
    /** Every timed call first checks that `trainer` is still the page's (and not freed).
     * @param {() => unknown} f */
    const current = (f) => () => {
      if (generation !== this.#generation) throw stale;
      return f();
    };
    /** @type {Trainer | null} */
    let copy = null;
    let finished = false; // GPU steps that arrive after this are not taken over by the copy
    try {
      const heatmapCpu = await medianWithin(current(() => trainer.grid(HEATMAP)), { times: 5, budgetMs: CPU_BUDGET_MS });
      const gpu = this.gpu;
      if (!gpu) {
        this.heatmap.cpu = heatmapCpu.ms;
        return true;
      }
      if (generation !== this.#generation) return false; // `trainer` may be freed by now
      // On the run's own points (which may be the user's, or edited by hand: no
      // configuration gives them).
      const twin = (copy = Trainer.withData(trainer.config, trainer.data()));
      await yieldToPage();
      // Enough steps per timed run for a few milliseconds (the clock is coarse), one step
      // on a large network: a single call blocks the page for its whole length.
      const t0 = performance.now();
      twin.step(1);
      const steps = Math.max(1, Math.min(1000, Math.round(4 / Math.max(performance.now() - t0, 0.004))));
      const cpu = await medianWithin(current(() => twin.step(steps)), { times: 5, budgetMs: CPU_BUDGET_MS });
      const cpuStep = (cpu.ms ?? NaN) / steps;
      const heatmapMs = heatmapCpu.ms ?? NaN;
      const gpuSteps = Math.min(steps, 20);
      this.lastPlan = { cpuStepsPerCall: steps, gpuStepsPerCall: gpuSteps };
      let heatmapGpu;
      /** @type {GpuTime} */
      let onGpu;
      try {
        this.#showMeasuring("heatmap");
        heatmapGpu = await medianWithin(current(() => gpu.grid(trainer, HEATMAP)), {
          budgetMs: GPU_BUDGET_MS,
          decided: (ms) => ms > CLEARLY * heatmapMs || ms < heatmapMs / CLEARLY,
        });
        if (heatmapGpu.cutOff) {
          // The GPU is still busy with that heatmap: steps timed now would wait behind it.
          onGpu = { ms: null, skipped: true };
        } else {
          this.#showMeasuring("training");
          const train = async () => {
            const done = await gpu.train(twin, gpuSteps);
            if (finished) done.free();
            else twin.finishGpuSteps(done);
          };
          const timed = await medianWithin(current(train), {
            budgetMs: GPU_BUDGET_MS,
            decided: (ms) => ms / gpuSteps > CLEARLY * cpuStep || ms / gpuSteps < cpuStep / CLEARLY,
          });
          onGpu = { ...timed, ms: timed.ms === null ? null : timed.ms / gpuSteps };
        }
      } catch (e) {
        if (e !== stale) this.#failed("the GPU failed while being measured", e);
        return false;
      }
      if (generation !== this.#generation) return false;
      Object.assign(this.heatmap, { cpu: heatmapCpu.ms, gpu: heatmapGpu });
      Object.assign(this.training, { cpu: cpuStep, gpu: onGpu });
      return true;
    } catch (e) {
      if (e === stale) return false;
      throw e;
    } finally {
      finished = true;
      copy?.free();
    }
  }

  /** Measures `trainer` again once the user has stopped changing the network for a
   * moment (each measurement keeps the GPU busy for a while), then chooses.
   * @param {Trainer} trainer */
  remeasureSoon(trainer) {
    clearTimeout(this.#measureTimer);
    this.#measureTimer = setTimeout(() => {
      if (!this.gpu) return;
      this.measure(trainer).then((done) => done && this.choose());
    }, 500);
  }

  /** Measured now: no need to measure again soon. */
  cancelRemeasure() {
    clearTimeout(this.#measureTimer);
  }

  /** Chooses the backend of each workload, by hand (the menu) or by the measurements, and
   * says which and why in the backend line. */
  choose() {
    const gpu = this.gpu;
    const wanted = choice.value;
    /** @type {string[]} */
    const parts = [];
    /** @type {[string, Workload, string][]} */
    const workloads = [["heatmap", this.heatmap, "per heatmap"], ["training", this.training, "per step"]];
    for (const [name, w, unit] of workloads) {
      // `w.gpu.ms` is null when the measurement was cut off (too slow) or skipped.
      const gpuFaster = gpu && w.gpu?.ms != null && w.cpu !== null && w.gpu.ms < w.cpu;
      w.active = gpu && (wanted === "gpu" || (wanted === "auto" && gpuFaster)) ? "gpu" : "cpu";
      if (!gpu || !w.gpu) continue;
      const onGpu =
        "skipped" in w.gpu
          ? "not timed (the GPU was still busy with the heatmap)"
          : w.gpu.ms === null
            ? `over ${duration(GPU_BUDGET_MS)} (measurement cut off)`
            : duration(w.gpu.ms);
      parts.push(`${name} ${duration(w.cpu)} on the CPU vs ${onGpu} ${unit}`);
    }
    this.#probs = null;
    const same = this.heatmap.active === this.training.active;
    const active = same ? this.#where(this.training) : `training on ${this.#where(this.training)}, heatmap on ${this.#where(this.heatmap)}`;
    const why = !gpu
      ? this.why
      : parts.length
        ? `measured${same && this.training.active === "gpu" ? "" : ` against WebGPU: ${gpu.name}`}: ${parts.join("; ")}` +
          (wanted === "auto" ? "" : "; chosen by hand")
        : `measuring WebGPU: ${gpu.name}…`;
    line.textContent = `${active} (${why})`;
    line.dataset.training = this.training.active;
    line.dataset.heatmap = this.heatmap.active;
    this.onChange();
  }

  /** Destroys the device, as a driver reset would. */
  lose() {
    this.gpu?.destroy();
  }

  /** While measuring: which workload is on the GPU now. @param {string} what */
  #showMeasuring(what) {
    if (!this.gpu) return;
    line.textContent = `${this.#where(this.training)} (measuring WebGPU: ${this.gpu.name}, ${what}…)`;
  }

  /** @param {Workload} w */
  #where(w) {
    return w.active === "gpu" && this.gpu ? `WebGPU: ${this.gpu.name}` : `CPU: ${cpuKernel}`;
  }

  /** A GPU call failed: stop using the GPU at once, and name the cause. A call that failed
   * because the device was lost waits for the loss's reason. Without a kind, it is given
   * a moment to arrive (a call in flight usually fails just before the loss is reported);
   * otherwise the call's own message is the cause.
   * @param {string} what @param {unknown} e */
  #failed(what, e) {
    if (!this.gpu) return;
    this.heatmap.active = this.training.active = "cpu";
    const lost = lostReason(this.gpu);
    const cause = `${what}: ${messageOf(e)}`;
    /** @type {Promise<string>} */
    const otherwise = new Promise((resolve) => setTimeout(() => resolve(cause), 250));
    const why = kindOf(e) === "device-lost" ? lost : kindOf(e) ? Promise.resolve(cause) : Promise.race([lost, otherwise]);
    why.then((w) => this.#fallBackToCpu(w));
  }

  /** The GPU went away: say so once, go on on the CPU. @param {string} why */
  #fallBackToCpu(why) {
    const gpu = this.gpu;
    if (!gpu) return;
    this.gpu = null;
    // Release the device; calls still in flight settle on their own.
    gpu.destroy();
    this.why = why;
    this.trainingInFlight = false;
    gpuOption.disabled = true;
    this.choose();
  }
}
