// Matrix products on WebGPU, and a network's forward pass with its activations kept on the
// GPU between layers. Written against the browser's WebGPU API directly (no wrapper crate):
// the kernels are WGSL either way, and the page's async flow is JavaScript's.
//
// The kernel: each workgroup of 8 × 16 threads computes a 128 × 64 tile of C, each thread an
// 8 × 8 block of it (two 4-wide vectors per row, so each value read from shared memory feeds
// eight multiply-adds), stepping through K in slices of 16 that the workgroup first copies
// into shared memory. Every load and store is bounds-checked, so any M, N, K works; 128
// threads and 12 KiB of shared memory fit the limits of compatibility-mode adapters.

const TILE_M = 128; // rows of C per workgroup
const TILE_N = 64; // columns of C per workgroup
const KSLICE = 16;

const ACTIVATION = { linear: 0, tanh: 1, relu: 2, sigmoid: 3 };

const SHADER = /* wgsl */ `
struct Dims { m: u32, n: u32, k: u32, activation: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> dims: Dims;

var<workgroup> tile_a: array<f32, ${TILE_M * KSLICE}>; // 128 rows × 16
var<workgroup> tile_b: array<vec4<f32>, ${(KSLICE * TILE_N) / 4}>; // 16 × 64 columns, 4 per vector

fn activate(z: vec4<f32>) -> vec4<f32> {
  switch dims.activation {
    case 1u: { return tanh(clamp(z, vec4<f32>(-15.0), vec4<f32>(15.0))); } // some tanh overflow to NaN; ±15 is ±1 in f32
    case 2u: { return max(z, vec4<f32>(0.0)); }
    case 3u: { return 1.0 / (1.0 + exp(-z)); }
    default: { return z; }
  }
}

fn bias4(col: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j = j + 1u) {
    v[j] = select(0.0, bias[col + j], col + j < dims.n);
  }
  return v;
}

@compute @workgroup_size(8, 16)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>,
        @builtin(local_invocation_index) index: u32) {
  let row0 = group.y * ${TILE_M}u;
  let col0 = group.x * ${TILE_N}u;
  // This thread's block: rows r0..r0+8 of the tile, columns c0..c0+8 as two vectors.
  let r0 = local.y * 8u;
  let c0 = local.x * 8u;
  var acc0: array<vec4<f32>, 8>;
  var acc1: array<vec4<f32>, 8>;
  for (var k0 = 0u; k0 < dims.k; k0 = k0 + ${KSLICE}u) {
    // Each thread copies its share of both tiles (16 values of A, 2 vectors of B), zero
    // outside the matrices.
    for (var e = 0u; e < 16u; e = e + 1u) {
      let flat = index * 16u + e;
      let ar = flat / ${KSLICE}u;
      let ak = flat % ${KSLICE}u;
      let ga = vec2<u32>(row0 + ar, k0 + ak);
      tile_a[flat] = select(0.0, a[ga.x * dims.k + ga.y], ga.x < dims.m && ga.y < dims.k);
    }
    for (var e = 0u; e < 2u; e = e + 1u) {
      let v = index * 2u + e; // vector index: row bk, columns bc..bc+4
      let bk = v / ${TILE_N / 4}u;
      let bc = (v % ${TILE_N / 4}u) * 4u;
      let row = k0 + bk;
      var w = vec4<f32>(0.0);
      for (var j = 0u; j < 4u; j = j + 1u) {
        let col = col0 + bc + j;
        w[j] = select(0.0, b[row * dims.n + col], row < dims.k && col < dims.n);
      }
      tile_b[v] = w;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${KSLICE}u; kk = kk + 1u) {
      let b0 = tile_b[kk * ${TILE_N / 4}u + local.x * 2u];
      let b1 = tile_b[kk * ${TILE_N / 4}u + local.x * 2u + 1u];
      for (var i = 0u; i < 8u; i = i + 1u) {
        let av = vec4<f32>(tile_a[(r0 + i) * ${KSLICE}u + kk]);
        acc0[i] = fma(av, b0, acc0[i]);
        acc1[i] = fma(av, b1, acc1[i]);
      }
    }
    workgroupBarrier();
  }
  let bias0 = bias4(col0 + c0);
  let bias1 = bias4(col0 + c0 + 4u);
  for (var i = 0u; i < 8u; i = i + 1u) {
    let row = row0 + r0 + i;
    if (row >= dims.m) { continue; }
    let out0 = activate(acc0[i] + bias0);
    let out1 = activate(acc1[i] + bias1);
    for (var j = 0u; j < 4u; j = j + 1u) {
      let col = col0 + c0 + j;
      if (col < dims.n) { c[row * dims.n + col] = out0[j]; }
      if (col + 4u < dims.n) { c[row * dims.n + col + 4u] = out1[j]; }
    }
  }
}`;

/** Finds an adapter (a full one, else a compatibility-mode one) and a device. Resolves to
 * `{ gpu }` or `{ reason }` saying in words why there is none. */
export async function openGpu(onLost = () => {}) {
  if (!("gpu" in navigator)) return { reason: "this browser has no WebGPU (navigator.gpu is missing)" };
  let adapter = null;
  try {
    adapter = (await navigator.gpu.requestAdapter()) || (await navigator.gpu.requestAdapter({ featureLevel: "compatibility" }));
  } catch (e) {
    return { reason: `asking for a WebGPU adapter failed: ${e.message}` };
  }
  if (!adapter) return { reason: "WebGPU is there but offers no adapter (no usable GPU or driver)" };
  const limits = adapter.limits;
  let device;
  try {
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: Math.min(limits.maxStorageBufferBindingSize, 256 * 1024 * 1024),
        maxBufferSize: Math.min(limits.maxBufferSize, 256 * 1024 * 1024),
      },
    });
  } catch (e) {
    return { reason: `the WebGPU adapter refused a device: ${e.message}` };
  }
  const info = adapter.info || {};
  const name =
    [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(" ") ||
    (adapter.featureLevel === "compatibility" ? "a compatibility-mode adapter" : "an adapter that gives no name");
  const gpu = new GpuMatmul(device, name, adapter.isFallbackAdapter || info.isFallbackAdapter);
  device.lost.then((lost) => {
    gpu.lost = true;
    onLost(lost.message || lost.reason || "device lost");
  });
  return { gpu };
}

export class GpuMatmul {
  constructor(device, name, fallback) {
    this.device = device;
    this.name = name;
    this.fallback = !!fallback;
    this.lost = false;
    this.pipeline = device.createComputePipeline({
      layout: "auto",
      compute: { module: device.createShaderModule({ code: SHADER }), entryPoint: "main" },
    });
    this.buffers = new Map(); // name → GPUBuffer, grown when too small, reused otherwise
    this.busy = Promise.resolve(); // calls share buffers, so they run one after another
  }

  /** Runs `job` after every earlier call has finished. */
  serial(job) {
    const run = this.busy.then(job, job);
    this.busy = run.catch(() => {});
    return run;
  }

  /** A buffer of at least `bytes`, kept under `name` and reused across calls. */
  buffer(name, bytes, usage) {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    let buf = this.buffers.get(name);
    if (!buf || buf.size < size) {
      buf?.destroy();
      buf = this.device.createBuffer({ size, usage });
      this.buffers.set(name, buf);
    }
    return buf;
  }

  storage(name, values) {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    const buf = this.buffer(name, data.byteLength, usage);
    this.device.queue.writeBuffer(buf, 0, data);
    return buf;
  }

  /** Records `out = act(x·W + bias)` (x is m × k, W is k × n) into `encoder`. */
  encode(encoder, x, w, bias, out, m, k, n, activation, tag) {
    const dims = this.buffer(`dims${tag}`, 16, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(dims, 0, new Uint32Array([m, n, k, ACTIVATION[activation] ?? 0]));
    const group = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [x, w, bias, out, dims].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(Math.ceil(n / TILE_N), Math.ceil(m / TILE_M));
    pass.end();
  }

  async read(encoder, source, floats) {
    const bytes = floats * 4;
    const staging = this.buffer("read", bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    encoder.copyBufferToBuffer(source, 0, staging, 0, Math.ceil(bytes / 4) * 4);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ, 0, staging.size);
    const out = new Float32Array(staging.getMappedRange(0, staging.size).slice(0, bytes));
    staging.unmap();
    return out;
  }

  /** C = A·B for row-major Float32Arrays; resolves when the result is read back. */
  multiply(a, b, m, k, n) {
    return this.serial(() => this.#multiply(a, b, m, k, n));
  }

  async #multiply(a, b, m, k, n) {
    const enc = this.device.createCommandEncoder();
    const out = this.buffer("c", m * n * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const zero = this.storage("zero-bias", new Float32Array(n));
    this.encode(enc, this.storage("a", a), this.storage("b", b), zero, out, m, k, n, "linear", "");
    return this.read(enc, out, m * n);
  }

  /** A network's forward pass over `rows` inputs: every layer's activations stay on the GPU,
   * only the output is read back. `layers` are the trainer's (`w` is inputs × outputs). */
  forward(layers, activations, x, rows) {
    return this.serial(() => this.#forward(layers, activations, x, rows));
  }

  async #forward(layers, activations, x, rows) {
    const enc = this.device.createCommandEncoder();
    let input = this.storage("x", x);
    layers.forEach((l, i) => {
      // One buffer per layer: a buffer is never resized while a recorded pass still uses it.
      const out = this.buffer(`h${i}`, rows * l.outputs * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
      const activation = i < layers.length - 1 ? activations[i] : "linear";
      this.encode(enc, input, this.storage(`w${i}`, l.w), this.storage(`b${i}`, l.b), out, rows, l.inputs, l.outputs, activation, String(i));
      input = out;
    });
    return this.read(enc, input, rows * layers.at(-1).outputs);
  }
}
