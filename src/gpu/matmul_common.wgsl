// What the matmul kernels share: the epilogues, the dimensions, and the bindings of the
// epilogue's input and of the dimensions. Prepended to matmul.wgsl and matmul_vec4.wgsl
// by src/gpu/mod.rs.

// The epilogue codes (what happens to each sum before it is stored) are generated from
// `Epilogue` in src/gpu/codes.rs and prepended, with `EPILOGUE`, the one this pipeline
// applies: a constant, not a uniform, so that each pipeline compiles its own case alone
// (lavapipe ran every case of a switch on a uniform, which made its products 1.5–2× slower):
//   LINEAR, TANH, RELU, SIGMOID           act(sum + bias[col]): a layer's forward pass
//   TIMES_TANH_GRAD, …_RELU_…, …_SIGMOID_…  sum × act'(z), with act' read from the stored
//                                         activation h = act(z) in `extra`: the backward
//                                         pass from a layer's output to its pre-activation
//   PARTIAL                               the sum as it is (one share of a product split
//                                         along K, or the backward pass through a linear
//                                         layer)

struct Dims {
  m: u32, n: u32, k: u32, pad0: u32,
  // A[i, kk] = a[i * a_row + kk * a_col], B[kk, j] = b[kk * b_row + j * b_col]
  a_row: u32, a_col: u32, b_row: u32, b_col: u32,
  // Workgroup z sums kk in [z * k_share, (z + 1) * k_share); `reduce` adds `splits` shares.
  k_share: u32, splits: u32, pad1: u32, pad2: u32,
}

// The bias (n values) for LINEAR..SIGMOID; the activations h (m × n) for the gradient modes.
@group(0) @binding(2) var<storage, read> extra: array<f32>;
@group(0) @binding(4) var<uniform> dims: Dims;

// Four entries of `extra` from `base + col`, zero past the end of a row of C.
fn extra4(base: u32, col: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j = j + 1u) {
    if (col + j < dims.n) { v[j] = extra[base + col + j]; }
  }
  return v;
}

// The epilogue of entries (row, col .. col + 4) of C, four at a time.
fn finish4(sum: vec4<f32>, row: u32, col: u32) -> vec4<f32> {
  switch EPILOGUE {
    case LINEAR: { return sum + extra4(0u, col); }
    // tanh of a large argument overflows to NaN on some drivers; ±15 is already ±1 in f32.
    // NaN is kept where the compiler allows (WGSL may assume there is none): the trainer
    // checks every weight it takes back from the GPU anyway.
    case TANH: {
      let z = sum + extra4(0u, col);
      return select(tanh(clamp(z, vec4<f32>(-15.0), vec4<f32>(15.0))), z, z != z);
    }
    // relu as the graph writes it, x ≤ 0 ? 0 : x, rather than max (see TANH on NaN).
    case RELU: { let z = sum + extra4(0u, col); return select(z, vec4<f32>(0.0), z <= vec4<f32>(0.0)); }
    case SIGMOID: { return 1.0 / (1.0 + exp(-(sum + extra4(0u, col)))); }
    case TIMES_TANH_GRAD: { let h = extra4(row * dims.n, col); return sum * (1.0 - h * h); }
    case TIMES_RELU_GRAD: { return select(vec4<f32>(0.0), sum, extra4(row * dims.n, col) > vec4<f32>(0.0)); }
    case TIMES_SIGMOID_GRAD: { let h = extra4(row * dims.n, col); return sum * h * (1.0 - h); }
    case PARTIAL, default: { return sum; }
  }
}
