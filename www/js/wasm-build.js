// @ts-check
// Which build of the engine this page runs, as pkg-map.js chose it before the modules
// loaded: relaxed SIMD (fused multiply-add in the matrix kernel) or plain SIMD.

/** Whether the page runs the relaxed-SIMD build. */
export const relaxedSimd = document.documentElement.dataset.kernel === "relaxed-simd";

/** What the CPU kernel is, in words, for the pages to say. */
export const cpuKernel = relaxedSimd ? "wasm relaxed SIMD (FMA)" : "wasm SIMD";
