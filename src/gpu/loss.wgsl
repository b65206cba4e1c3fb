// The loss's gradient with respect to the logits, following the CPU graph's definitions
// (src/nn/mlp.rs) down to the subgradients at the kinks, and each row's loss.

// The loss codes are generated from `LossCode` in src/gpu/codes.rs and prepended.

struct LossDims { rows: u32, outputs: u32, loss: u32, pad: u32 }

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<f32>; // class index, or ±1
@group(0) @binding(2) var<storage, read_write> dz: array<f32>; // ∂(mean loss)/∂logits
@group(0) @binding(3) var<storage, read_write> row_loss: array<f32>;
@group(0) @binding(4) var<uniform> ld: LossDims;

// relu and its derivative as the graph has them (x ≤ 0 ? 0 : x, and 0 at 0).
fn relu(x: f32) -> f32 { return select(x, 0.0, x <= 0.0); }
fn positive(x: f32) -> f32 { return select(0.0, 1.0, x > 0.0); }

@compute @workgroup_size(64)
fn loss_grad(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= ld.rows) { return; }
  let scale = 1.0 / f32(ld.rows);
  let y = labels[i];
  if (ld.loss == SOFTMAX_CROSS_ENTROPY) {
    let base = i * ld.outputs;
    var top = logits[base];
    for (var j = 1u; j < ld.outputs; j = j + 1u) { top = max(top, logits[base + j]); }
    var total = 0.0;
    for (var j = 0u; j < ld.outputs; j = j + 1u) { total = total + exp(logits[base + j] - top); }
    let label = u32(y);
    row_loss[i] = log(total) + top - logits[base + label];
    for (var j = 0u; j < ld.outputs; j = j + 1u) {
      let p = exp(logits[base + j] - top) / total;
      dz[base + j] = (p - select(0.0, 1.0, j == label)) * scale;
    }
    return;
  }
  let s = logits[i];
  let m = y * s;
  switch ld.loss {
    case LOGISTIC: {
      // relu(−m) + ln(1 + e^(−|m|)), differentiated term by term as the graph does
      let e = exp(-abs(m));
      row_loss[i] = relu(-m) + log(1.0 + e);
      dz[i] = y * (-positive(-m) - sign(m) * e / (1.0 + e)) * scale;
    }
    case HINGE: {
      row_loss[i] = relu(1.0 - m);
      dz[i] = -y * positive(1.0 - m) * scale;
    }
    case MSE, default: {
      row_loss[i] = (s - y) * (s - y);
      dz[i] = 2.0 * (s - y) * scale;
    }
  }
}
