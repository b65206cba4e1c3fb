// C = epilogue(A·B) for row-major A and B whose K and N are multiples of 4: every load from
// global and shared memory moves four values, and no load needs a per-value bounds check
// (a vector is either wholly inside the matrix or wholly outside). The forward pass and
// plain products take this path when the shapes allow; matmul.wgsl handles the rest.
//
// A workgroup of WG_X × 8 threads computes a 32 × 4·WG_X tile of C, each thread 4 rows × 4
// columns (one vector per row), over slices of 4·WG_X values of K held in shared memory as
// vectors: A's rows as WG_X vectors along K, B's rows as WG_X vectors along N. WG_X (8, or
// 4 for layers at most 16 wide, whose K is small too) is prepended by src/gpu/mod.rs.

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>; // M × K/4
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>; // K × N/4
@group(0) @binding(3) var<storage, read_write> c: array<vec4<f32>>; // M × N/4

const TILE_M = 32u;
const TILE_N = 4u * WG_X;
const TILE_K = 4u * WG_X;
var<workgroup> sub_a: array<array<vec4<f32>, WG_X>, TILE_M>; // 32 rows of A × TILE_K
var<workgroup> sub_b: array<array<vec4<f32>, WG_X>, TILE_K>; // TILE_K rows of B × TILE_N

@compute @workgroup_size(WG_X, 8)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
  let row0 = group.y * TILE_M;
  let col0 = group.x * TILE_N;
  let k4 = dims.k / 4u;
  let n4 = dims.n / 4u;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < dims.k; k0 = k0 + TILE_K) {
    // Each thread copies vector column x of rows 4·y .. 4·y+4 of A's tile, and of rows
    // y, y + 8, … of B's.
    for (var r = 0u; r < 4u; r = r + 1u) {
      let tr = local.y * 4u + r;
      let row = row0 + tr;
      let kv = k0 / 4u + local.x;
      var v = vec4<f32>(0.0);
      if (row < dims.m && kv < k4) { v = a[row * k4 + kv]; }
      sub_a[tr][local.x] = v;
    }
    for (var tk = local.y; tk < TILE_K; tk = tk + 8u) {
      let kk = k0 + tk;
      let cv = col0 / 4u + local.x;
      var w = vec4<f32>(0.0);
      if (kk < dims.k && cv < n4) { w = b[kk * n4 + cv]; }
      sub_b[tk][local.x] = w;
    }
    workgroupBarrier();
    for (var kv = 0u; kv < WG_X; kv = kv + 1u) {
      let b0 = sub_b[kv * 4u][local.x];
      let b1 = sub_b[kv * 4u + 1u][local.x];
      let b2 = sub_b[kv * 4u + 2u][local.x];
      let b3 = sub_b[kv * 4u + 3u][local.x];
      for (var r = 0u; r < 4u; r = r + 1u) {
        let av = sub_a[local.y * 4u + r][kv];
        acc[r] = fma(vec4<f32>(av.x), b0, fma(vec4<f32>(av.y), b1, fma(vec4<f32>(av.z), b2, fma(vec4<f32>(av.w), b3, acc[r]))));
      }
    }
    workgroupBarrier();
  }
  let col = col0 + local.x * 4u;
  if (col >= dims.n) { return; }
  for (var r = 0u; r < 4u; r = r + 1u) {
    let row = row0 + local.y * 4u + r;
    if (row >= dims.m) { return; }
    c[(row * dims.n + col) / 4u] = finish4(acc[r], row, col);
  }
}
