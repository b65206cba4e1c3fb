// The few TF.js calls the benchmark page makes, declared narrowly. TF.js is not imported:
// bench.js loads it by script tag from www/vendor/tfjs when `./build.sh bench` put it there.

interface TfTensor {
  data(): Promise<Float32Array>;
}

interface Tf {
  version_core: string;
  wasm: { setWasmPaths(prefix: string): void };
  env(): { set(flag: string, value: boolean): void };
  setBackend(name: "wasm" | "webgpu"): Promise<boolean>;
  ready(): Promise<void>;
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  dispose(tensors: TfTensor[]): void;
}

interface Window {
  /** TF.js, once its scripts have loaded. */
  tf?: Tf;
}
