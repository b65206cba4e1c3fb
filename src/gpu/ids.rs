//! The names of the buffers the GPU keeps across calls. Each call family has buffers of its
//! own, so that a heatmap's forward pass, a product and a run of training steps can be in
//! flight together without one overwriting another's inputs.

/// One of the products a call records, each with its own uniforms and split-K scratch: a
/// submission holds many products, and each must keep its own dimensions until it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Product {
    /// `Gpu::multiply`'s `A·B`.
    Multiply,
    /// Layer `l` of `Gpu::forward`.
    Forward(usize),
    /// Layer `l`'s forward pass in a training step.
    TrainForward(usize),
    /// Layer `l`'s weight gradient `h_{l−1}ᵀ·dz_l`.
    WeightGrad(usize),
    /// Layer `l`'s bias gradient `1ᵀ·dz_l`.
    BiasGrad(usize),
    /// The gradient below layer `l`: `(dz_l·W_lᵀ) ⊙ act'(h_{l−1})`.
    InputGrad(usize),
}

/// A buffer the GPU keeps across calls, grown when too small and reused otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BufferId {
    // `Gpu::multiply`'s operands and its product.
    MultiplyA,
    MultiplyB,
    MultiplyC,
    // `Gpu::forward`'s points, and layer `l`'s weights, bias and output.
    ForwardX,
    ForwardWeights(usize),
    ForwardBias(usize),
    ForwardOutput(usize),
    // Training: parameter `i` (in the order `W1, b1, W2, …`), its gradient, its value before
    // the last step's update, and the optimiser's first and second moments for it.
    Param(usize),
    Grad(usize),
    Previous(usize),
    FirstMoment(usize),
    SecondMoment(usize),
    // Layer `l`'s output `h_l` on the batch, and the gradient at its pre-activation `dz_l`.
    Activations(usize),
    Delta(usize),
    // The batch's points and labels, and each point's loss.
    BatchX,
    BatchY,
    PointLosses,
    // The third operand that a product with the plain epilogue (a plain product, a
    // weight's gradient) binds, as every matmul kernel does, and never reads.
    Unread,
    // A product's dimensions (a uniform), and, for a product split along K, its shares.
    Dims(Product),
    Shares(Product),
    // The loss kernel's dimensions, the optimiser's per-step constants and parameter `i`'s
    // update (uniforms).
    LossDims,
    Step,
    Update(usize),
}
