// The tensor-program interpreter, fetched when the playground first needs it. It is most
// of the playground's wasm (68 kB of 186 kB gzipped) and a first visit types expressions,
// so the page starts with ../pkg/playground/ (expressions only) and imports
// ../pkg/programs/ the first time a text is not one expression (build.sh builds both).
// The two are separate wasm instances: a Program and an Expression never meet.

/** @typedef {typeof import("../pkg/programs/gradscope.js").Program} ProgramClass */

/** @type {ProgramClass | null} */
let loaded = null;
/** @type {Promise<ProgramClass> | null} */
let loading = null;

/** The `Program` class once its package has loaded, else null. */
export function programClass() {
  return loaded;
}

/** Loads the package, once; a failed fetch, of its glue or of its wasm, is tried again on
 * the next call.
 * @returns {Promise<ProgramClass>} */
export function loadPrograms() {
  loading ??= import("../pkg/programs/gradscope.js")
    .then(async (pkg) => {
      await pkg.default();
      loaded = pkg.Program;
      return loaded;
    })
    .catch((e) => {
      loading = null;
      throw e;
    });
  return loading;
}
