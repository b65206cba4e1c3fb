// C = epilogue(A·B) for any M, N, K, with A and B addressed through strides, so the same
// kernel also computes the backward pass's Aᵀ·B and A·Bᵀ without transposing anything.
//
// Each workgroup of 8 × 16 threads computes a 128 × 64 tile of C, each thread an 8 × 8 block
// of it (two 4-wide vectors per row, so each value read from shared memory feeds eight
// multiply-adds), stepping through K in slices of 16 that the workgroup first copies into
// shared memory. Every load and store is bounds-checked. 128 threads and 12 KiB of shared
// memory fit the limits of compatibility-mode adapters.

const TILE_M = 128u;
const TILE_N = 64u;
const KSLICE = 16u;

// What happens to each sum before it is stored.
const LINEAR = 0u;          // + bias[col]
const TANH = 1u;            // act(· + bias[col]): a layer's forward pass
const RELU = 2u;
const SIGMOID = 3u;
const TIMES_TANH_GRAD = 4u; // · × act'(z), read from `extra` as the stored activation h = act(z):
const TIMES_RELU_GRAD = 5u; //   the backward pass from a layer's output to its pre-activation
const TIMES_SIGMOID_GRAD = 6u;

struct Dims {
  m: u32, n: u32, k: u32, epilogue: u32,
  // A[i, kk] = a[i * a_row + kk * a_col], B[kk, j] = b[kk * b_row + j * b_col]
  a_row: u32, a_col: u32, b_row: u32, b_col: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
// The bias (n values) for LINEAR..SIGMOID; the activations h (m × n) for the gradient modes.
@group(0) @binding(2) var<storage, read> extra: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> dims: Dims;

var<workgroup> tile_a: array<f32, TILE_M * KSLICE>;            // 128 rows × 16
var<workgroup> tile_b: array<vec4<f32>, KSLICE * TILE_N / 4u>; // 16 × 64 columns, 4 per vector

fn finish(sum: f32, row: u32, col: u32) -> f32 {
  switch dims.epilogue {
    case LINEAR: { return sum + extra[col]; }
    // tanh of a large argument overflows to NaN on some drivers; ±15 is already ±1 in f32.
    case TANH: { return tanh(clamp(sum + extra[col], -15.0, 15.0)); }
    case RELU: { return max(sum + extra[col], 0.0); }
    case SIGMOID: { return 1.0 / (1.0 + exp(-(sum + extra[col]))); }
    case TIMES_TANH_GRAD: { let h = extra[row * dims.n + col]; return sum * (1.0 - h * h); }
    case TIMES_RELU_GRAD: { return select(0.0, sum, extra[row * dims.n + col] > 0.0); }
    default: { let h = extra[row * dims.n + col]; return sum * h * (1.0 - h); }
  }
}

@compute @workgroup_size(8, 16)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>,
        @builtin(local_invocation_index) index: u32) {
  let row0 = group.y * TILE_M;
  let col0 = group.x * TILE_N;
  // This thread's block: rows r0..r0+8 of the tile, columns c0..c0+8 as two vectors.
  let r0 = local.y * 8u;
  let c0 = local.x * 8u;
  var acc0: array<vec4<f32>, 8>;
  var acc1: array<vec4<f32>, 8>;
  for (var k0 = 0u; k0 < dims.k; k0 = k0 + KSLICE) {
    // Each thread copies its share of both tiles (16 values of A, 2 vectors of B), zero
    // outside the matrices.
    for (var e = 0u; e < 16u; e = e + 1u) {
      let flat = index * 16u + e;
      let row = row0 + flat / KSLICE;
      let kk = k0 + flat % KSLICE;
      tile_a[flat] = select(0.0, a[row * dims.a_row + kk * dims.a_col], row < dims.m && kk < dims.k);
    }
    for (var e = 0u; e < 2u; e = e + 1u) {
      let v = index * 2u + e; // vector index: row bk, columns bc..bc+4
      let kk = k0 + v / (TILE_N / 4u);
      let bc = col0 + (v % (TILE_N / 4u)) * 4u;
      var w = vec4<f32>(0.0);
      for (var j = 0u; j < 4u; j = j + 1u) {
        w[j] = select(0.0, b[kk * dims.b_row + (bc + j) * dims.b_col], kk < dims.k && bc + j < dims.n);
      }
      tile_b[v] = w;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < KSLICE; kk = kk + 1u) {
      let b0 = tile_b[kk * (TILE_N / 4u) + local.x * 2u];
      let b1 = tile_b[kk * (TILE_N / 4u) + local.x * 2u + 1u];
      for (var i = 0u; i < 8u; i = i + 1u) {
        let av = vec4<f32>(tile_a[(r0 + i) * KSLICE + kk]);
        acc0[i] = fma(av, b0, acc0[i]);
        acc1[i] = fma(av, b1, acc1[i]);
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 8u; i = i + 1u) {
    let row = row0 + r0 + i;
    if (row >= dims.m) { continue; }
    for (var j = 0u; j < 4u; j = j + 1u) {
      let col = col0 + c0 + j;
      if (col < dims.n) { c[row * dims.n + col] = finish(acc0[i][j], row, col); }
      if (col + 4u < dims.n) { c[row * dims.n + col + 4u] = finish(acc1[i][j], row, col + 4u); }
    }
  }
}
