//! The codes the kernels switch on, as `#[repr(u32)]` enums from which the kernels' WGSL
//! constants are generated. Rust and WGSL cannot disagree on a value, and a misspelt code
//! fails to compile: in rustc, or in the shader compiler when the pipeline is created.

use crate::nn::{Activation, Loss, OptimizerKind, Regularization};

/// A family of codes that a kernel switches on.
pub(super) trait KernelCode: Copy + 'static {
    /// Every code of the family, in the order of their values.
    const ALL: &'static [Self];
    /// The name of its WGSL constant.
    fn name(self) -> &'static str;
    /// Its value, as the kernel sees it.
    fn code(self) -> u32;
}

/// The WGSL declarations of every code of `C`, to prepend to a kernel that switches on them.
pub(super) fn declarations<C: KernelCode>() -> String {
    C::ALL
        .iter()
        .map(|c| format!("const {}: u32 = {}u;\n", c.name(), c.code()))
        .collect()
}

/// Declares a `#[repr(u32)]` enum of kernel codes and its `KernelCode` impl from one list, so
/// that `ALL`, and with it the generated WGSL, holds every variant.
macro_rules! kernel_codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident => $wgsl:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u32)]
        $vis enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl KernelCode for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $wgsl,)+
                }
            }
            fn code(self) -> u32 {
                self as u32
            }
        }
    };
}

kernel_codes! {
    /// What happens to each entry of a product before it is stored (matmul_common.wgsl's
    /// `finish4`). `extra` is the product's third operand.
    pub enum Epilogue {
        /// `sum + bias[col]`, the bias in `extra`: a linear layer's forward pass.
        Linear => "LINEAR",
        /// `tanh(sum + bias[col])`.
        Tanh => "TANH",
        /// `relu(sum + bias[col])`.
        Relu => "RELU",
        /// `σ(sum + bias[col])`.
        Sigmoid => "SIGMOID",
        /// `sum × tanh'(z)`, read from the layer's output `h = tanh(z)` in `extra`: the
        /// backward pass through the activation.
        TimesTanhGrad => "TIMES_TANH_GRAD",
        /// `sum × relu'(z)`, from `h = relu(z)` in `extra`.
        TimesReluGrad => "TIMES_RELU_GRAD",
        /// `sum × σ'(z)`, from `h = σ(z)` in `extra`.
        TimesSigmoidGrad => "TIMES_SIGMOID_GRAD",
        /// The sum as it is: a plain product, a weight's gradient, one share of a product
        /// split along K, or the backward pass through a linear layer (linear' = 1).
        Partial => "PARTIAL",
    }
}

impl Epilogue {
    /// A layer's forward pass: `act(sum + bias[col])`.
    pub fn bias(act: Activation) -> Epilogue {
        match act {
            Activation::Linear => Epilogue::Linear,
            Activation::Tanh => Epilogue::Tanh,
            Activation::Relu => Epilogue::Relu,
            Activation::Sigmoid => Epilogue::Sigmoid,
        }
    }

    /// The backward pass from a layer's output to its pre-activation: upstream × local.
    pub fn times_grad(act: Activation) -> Epilogue {
        match act {
            Activation::Linear => Epilogue::Partial,
            Activation::Tanh => Epilogue::TimesTanhGrad,
            Activation::Relu => Epilogue::TimesReluGrad,
            Activation::Sigmoid => Epilogue::TimesSigmoidGrad,
        }
    }
}

kernel_codes! {
    /// The losses loss.wgsl computes, with their gradients.
    pub(super) enum LossCode {
        SoftmaxCrossEntropy => "SOFTMAX_CROSS_ENTROPY",
        Logistic => "LOGISTIC",
        Hinge => "HINGE",
        Mse => "MSE",
    }
}

impl From<Loss> for LossCode {
    fn from(loss: Loss) -> Self {
        match loss {
            Loss::SoftmaxCrossEntropy => LossCode::SoftmaxCrossEntropy,
            Loss::Logistic => LossCode::Logistic,
            Loss::Hinge => LossCode::Hinge,
            Loss::Mse => LossCode::Mse,
        }
    }
}

kernel_codes! {
    /// The updates optimizer.wgsl applies.
    pub(super) enum OptimizerCode {
        Sgd => "SGD",
        Momentum => "MOMENTUM",
        Adam => "ADAM",
    }
}

impl From<OptimizerKind> for OptimizerCode {
    fn from(kind: OptimizerKind) -> Self {
        match kind {
            OptimizerKind::Sgd => OptimizerCode::Sgd,
            OptimizerKind::Momentum => OptimizerCode::Momentum,
            OptimizerKind::Adam => OptimizerCode::Adam,
        }
    }
}

kernel_codes! {
    /// The regularisers whose gradient optimizer.wgsl adds to a weight's.
    pub(super) enum RegularizationCode {
        NoRegularization => "NO_REGULARIZATION",
        L1 => "L1",
        L2 => "L2",
    }
}

impl From<Regularization> for RegularizationCode {
    fn from(regularization: Regularization) -> Self {
        match regularization {
            Regularization::None => RegularizationCode::NoRegularization,
            Regularization::L1 => RegularizationCode::L1,
            Regularization::L2 => RegularizationCode::L2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    // The library's only wasm tests: in the browser, where `wasm-pack test --headless` looks.
    wasm_bindgen_test_configure!(run_in_browser);

    /// The generated declarations of `C`: one per variant, each value once, counted from 0,
    /// and each name used by `kernel` (so a new variant cannot go unhandled).
    fn check<C: KernelCode + std::fmt::Debug>(kernel: &str) {
        let lines: Vec<String> = declarations::<C>().lines().map(String::from).collect();
        assert_eq!(lines.len(), C::ALL.len(), "{:?}", C::ALL);
        for (i, &c) in C::ALL.iter().enumerate() {
            assert_eq!(
                c.code(),
                i as u32,
                "{c:?}: codes count from 0 in declaration order"
            );
            assert_eq!(lines[i], format!("const {}: u32 = {i}u;", c.name()));
            let used = code_of(kernel)
                .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .any(|word| word == c.name());
            assert!(used, "{c:?}: the kernel never mentions {}", c.name());
        }
    }

    /// WGSL without its comments, which mention codes without handling them.
    fn code_of(kernel: &str) -> String {
        kernel
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[wasm_bindgen_test]
    fn every_code_is_declared_once_and_handled_by_its_kernel() {
        check::<Epilogue>(include_str!("matmul_common.wgsl"));
        check::<LossCode>(include_str!("loss.wgsl"));
        check::<OptimizerCode>(include_str!("optimizer.wgsl"));
        check::<RegularizationCode>(include_str!("optimizer.wgsl"));
    }
}
