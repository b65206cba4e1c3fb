// The few TF.js calls the benchmark page makes, declared narrowly. TF.js is not imported:
// bench-tfjs.js loads it by script tag from www/vendor/tfjs when `./build.sh bench` put it there.

interface TfTensor {
  readonly shape: number[];
  data(): Promise<Float32Array>;
  dataSync(): Float32Array;
  dispose(): void;
}

interface TfVariable extends TfTensor {}

type TfBackendName = "wasm" | "webgpu" | "cpu";
type TfFusedActivation = "linear" | "relu" | "sigmoid";

interface TfOptimizer {
  minimize(f: () => TfTensor, returnCost: false, varList: TfVariable[]): null;
  dispose(): void;
}

interface Tf {
  version_core: string;
  wasm: {
    setWasmPaths(prefix: string): void;
    setThreadsCount(n: number): void;
    getThreadsCount(): number;
  };
  env(): { set(flag: string, value: boolean): void };
  setBackend(name: TfBackendName): Promise<boolean>;
  getBackend(): string;
  findBackendFactory(name: TfBackendName): (() => unknown) | null;
  removeBackend(name: TfBackendName): void;
  registerBackend(name: TfBackendName, factory: () => unknown, priority?: number): boolean;
  ready(): Promise<void>;
  memory(): { numTensors: number; numBytes: number };
  tensor1d(values: ArrayLike<number>): TfTensor;
  tensor2d(values: ArrayLike<number>, shape: [number, number]): TfTensor;
  variable(initial: TfTensor): TfVariable;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  add(a: TfTensor, b: TfTensor): TfTensor;
  relu(x: TfTensor): TfTensor;
  tanh(x: TfTensor): TfTensor;
  fused: { matMul(args: { a: TfTensor; b: TfTensor; bias?: TfTensor; activation?: TfFusedActivation }): TfTensor };
  losses: { sigmoidCrossEntropy(labels: TfTensor, logits: TfTensor): TfTensor };
  train: { sgd(learningRate: number): TfOptimizer };
  tidy<T extends TfTensor>(f: () => T): T;
  dispose(tensors: TfTensor | TfTensor[]): void;
}

interface Window {
  /** TF.js, once its scripts have loaded. */
  tf?: Tf;
}
