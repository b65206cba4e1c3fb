// The optimiser's update, as src/nn/optim.rs does it (PyTorch's conventions), with the
// regulariser's gradient added to the weights' gradient first.

// The optimizer and regularization codes are generated from `OptimizerCode` and
// `RegularizationCode` in src/gpu/codes.rs and prepended.

// The same for every step. Adam's constants come from src/nn/optim.rs's `ADAM`, in f32 as
// the CPU's optimiser has them.
struct Update {
  len: u32, optimizer: u32, regularization: u32, pad: u32,
  lr: f32, mu: f32, lambda: f32,
  b1: f32, b2: f32, one_minus_b1: f32, one_minus_b2: f32, epsilon: f32,
}

// Adam's bias corrections 1 − β1^t and 1 − β2^t at this step: one small write per step,
// shared by every parameter's update.
struct Step { c1: f32, c2: f32, pad0: f32, pad1: f32 }

@group(0) @binding(0) var<storage, read_write> w: array<f32>;
// In: the data loss's gradient. Out: the whole loss's, regulariser included, as the CPU
// graph reports it.
@group(0) @binding(1) var<storage, read_write> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m1: array<f32>;
@group(0) @binding(3) var<storage, read_write> m2: array<f32>;
@group(0) @binding(4) var<uniform> u: Update;
@group(0) @binding(5) var<uniform> step: Step;

@compute @workgroup_size(64)
fn update(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= u.len) { return; }
  var g = grad[i];
  switch u.regularization {
    case L1: { g = g + u.lambda * sign(w[i]); }
    case L2: { g = g + u.lambda * w[i]; }
    case NO_REGULARIZATION, default: {}
  }
  grad[i] = g;
  switch u.optimizer {
    case SGD: { w[i] = w[i] - u.lr * g; }
    case MOMENTUM: {
      m1[i] = u.mu * m1[i] + g;
      w[i] = w[i] - u.lr * m1[i];
    }
    case ADAM, default: {
      m1[i] = u.b1 * m1[i] + u.one_minus_b1 * g;
      m2[i] = u.b2 * m2[i] + u.one_minus_b2 * g * g;
      w[i] = w[i] - u.lr * (m1[i] / step.c1) / (sqrt(m2[i] / step.c2) + u.epsilon);
    }
  }
}
