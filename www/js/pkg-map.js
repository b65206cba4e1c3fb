// Which build of the engine the training and benchmark pages import as "gradscope": an
// import map, written before any module loads (a classic script, like theme-boot.js).
// build.sh makes the package twice from the same Rust: plain SIMD (pkg/) and relaxed SIMD
// (pkg/relaxed/), whose matrix kernel sums in fused multiply-adds (f32x4.relaxed_madd). The
// relaxed one is taken where WebAssembly validates it (Chromium since 114; not Firefox
// without a flag, nor Node 20), the plain one elsewhere. The paths are relative to the
// page, so a path prefix keeps working.
(() => {
  // One function of three v128 constants and f32x4.relaxed_madd (0xfd 0x85 0x02): valid
  // exactly where relaxed SIMD is.
  const v128 = (/** @type {number} */ b) => [253, 12, ...new Array(16).fill(b)];
  const probe = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, // "\0asm", version 1
    1, 5, 1, 96, 0, 1, 123, // types: () -> v128
    3, 2, 1, 0, // one function of that type
    10, 61, 1, 59, 0, // code: one body of 59 bytes, no locals
    ...v128(1), ...v128(2), ...v128(3),
    253, 133, 2, 11, // f32x4.relaxed_madd, end
  ]);
  const relaxed = WebAssembly.validate(probe);
  const map = document.createElement("script");
  map.type = "importmap";
  map.textContent = JSON.stringify({ imports: { gradscope: relaxed ? "./pkg/relaxed/gradscope.js" : "./pkg/gradscope.js" } });
  document.currentScript?.after(map);
  // For the modules to say which kernel runs (wasm-build.js).
  document.documentElement.dataset.kernel = relaxed ? "relaxed-simd" : "simd";
})();
