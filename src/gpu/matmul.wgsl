// C = epilogue(A·B) for any M, N, K, with A and B addressed through strides, so the same
// kernel also computes the backward pass's Aᵀ·B and A·Bᵀ without transposing anything.
//
// Each workgroup of WG_X × WG_Y threads computes a TILE_M × TILE_N tile of C, each thread a
// TM × TN block of it (TN/4 vectors per row, so each value read from shared memory feeds
// TN multiply-adds), stepping through K in slices of KSLICE that the workgroup first copies
// into shared memory. Loads and stores outside the matrices are skipped (zero is used). WG_X, WG_Y, TM, TN and KSLICE
// are prepended by src/gpu/mod.rs, which also sizes the dispatch from them.
//
// Products whose C has few tiles but whose K is long (a layer's weight gradient: fan-in ×
// fan-out, summed over the batch) are split along K: workgroup z sums its share of K into
// partials[z], and `reduce` adds the shares and applies the epilogue.

const TILE_M = WG_Y * TM;
const TILE_N = WG_X * TN;
const THREADS = WG_X * WG_Y;
const VN = TN / 4u; // vectors per row of a thread's block

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

var<workgroup> tile_a: array<f32, TILE_M * KSLICE>;
var<workgroup> tile_b: array<vec4<f32>, KSLICE * TILE_N / 4u>; // 4 columns per vector

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>,
        @builtin(local_invocation_index) index: u32) {
  let row0 = group.y * TILE_M;
  let col0 = group.x * TILE_N;
  let k_begin = group.z * dims.k_share;
  let k_end = min(dims.k, k_begin + dims.k_share);
  // This thread's block: rows r0..r0+TM of the tile, columns c0..c0+TN as TN/4 vectors.
  let r0 = local.y * TM;
  let c0 = local.x * TN;
  var acc: array<array<vec4<f32>, VN>, TM>;
  for (var k0 = k_begin; k0 < k_end; k0 = k0 + KSLICE) {
    // The workgroup copies both tiles, zero outside the matrices (and outside this share).
    for (var e = index; e < TILE_M * KSLICE; e = e + THREADS) {
      let row = row0 + e / KSLICE;
      let kk = k0 + e % KSLICE;
      var v = 0.0;
      if (row < dims.m && kk < k_end) { v = a[row * dims.a_row + kk * dims.a_col]; }
      tile_a[e] = v;
    }
    for (var v = index; v < KSLICE * TILE_N / 4u; v = v + THREADS) {
      let kk = k0 + v / (TILE_N / 4u);
      let bc = col0 + (v % (TILE_N / 4u)) * 4u;
      var w = vec4<f32>(0.0);
      for (var j = 0u; j < 4u; j = j + 1u) {
        if (kk < k_end && bc + j < dims.n) { w[j] = b[kk * dims.b_row + (bc + j) * dims.b_col]; }
      }
      tile_b[v] = w;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < KSLICE; kk = kk + 1u) {
      var bv: array<vec4<f32>, VN>;
      for (var j = 0u; j < VN; j = j + 1u) { bv[j] = tile_b[kk * (TILE_N / 4u) + local.x * VN + j]; }
      for (var i = 0u; i < TM; i = i + 1u) {
        let av = vec4<f32>(tile_a[(r0 + i) * KSLICE + kk]);
        for (var j = 0u; j < VN; j = j + 1u) { acc[i][j] = fma(av, bv[j], acc[i][j]); }
      }
    }
    workgroupBarrier();
  }
  let out = group.z * dims.m * dims.n; // this share's slice of partials (0 when not split)
  for (var i = 0u; i < TM; i = i + 1u) {
    let row = row0 + r0 + i;
    if (row >= dims.m) { continue; }
    for (var v = 0u; v < VN; v = v + 1u) {
      let col = col0 + c0 + 4u * v;
      let value = finish4(acc[i][v], row, col);
      for (var j = 0u; j < 4u; j = j + 1u) {
        if (col + j < dims.n) { c[out + row * dims.n + col + j] = value[j]; }
      }
    }
  }
}

// The second half of a product split along K: C = epilogue(Σ shares), one thread per entry.
// `a` holds the shares (splits × m × n), `c` receives C.
@compute @workgroup_size(64)
fn reduce(@builtin(global_invocation_id) id: vec3<u32>) {
  let at = id.x;
  if (at >= dims.m * dims.n) { return; }
  var sum = 0.0;
  for (var z = 0u; z < dims.splits; z = z + 1u) { sum = sum + a[z * dims.m * dims.n + at]; }
  c[at] = finish4(vec4<f32>(sum, 0.0, 0.0, 0.0), at / dims.n, at % dims.n).x;
}

// Column sums of an m × n `a` into `c`: a bias's gradient, 1ᵀ·dz, without the 127 rows of
// zeros a one-row tile of the product would compute.
@compute @workgroup_size(64)
fn column_sums(@builtin(global_invocation_id) id: vec3<u32>) {
  let col = id.x;
  if (col >= dims.n) { return; }
  var sum = 0.0;
  for (var row = 0u; row < dims.m; row = row + 1u) { sum = sum + a[row * dims.n + col]; }
  c[col] = sum;
}
