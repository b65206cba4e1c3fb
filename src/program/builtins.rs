//! The functions a program can call, under their NumPy and PyTorch spellings.
//!
//! One table maps every spelling (`tanh`, `torch.tanh`, `x.tanh()`, `F.relu`,
//! `torch.mm`, `np.dot`) to one [`Builtin`]; the resolver checks calls against it before
//! the program runs, and the interpreter dispatches on it.

use crate::ops::{Binary, Normalize, Reduction, Unary};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// Element-wise, one argument: `sin`, `exp`, `relu`, …
    Unary(Unary),
    /// Element-wise, two arguments: `pow`, `maximum`, `minimum`.
    Binary(Binary),
    /// `max(a, b)` element-wise, or `max(x)` the largest element (`amax`).
    Max,
    /// `min(a, b)` element-wise, or `min(x)` the smallest element.
    Min,
    MatMul,
    /// `sum`, `mean`, `amax`, `logsumexp`, over everything or along an axis.
    Reduce(Reduction),
    /// `softmax`, `log_softmax` along an axis (the last by default).
    Normalize(Normalize),
    Transpose,
    Detach,
    /// `Variable(t)`, `torch.tensor(list)`, `np.array(list)`: the tensor itself, a leaf.
    Variable,
    Zeros,
    Ones,
    Eye,
    Randn,
    Rand,
    Seed,
    Backward,
    Len,
    /// `x.size()`: the shape, as `x.shape`.
    Size,
    /// `print(…)`: runs its arguments and shows nothing (the page shows every value).
    Print,
}

/// Module names a builtin may be reached through: `torch.tanh`, `np.exp`, `F.relu`.
pub const NAMESPACES: &[&str] = &[
    "torch", "np", "numpy", "jnp", "jax", "F", "nn", "math", "autograd",
];

/// Sub-modules between a namespace and a function: `torch.nn.functional.relu`,
/// `np.random.randn`, `torch.autograd.Variable`.
pub const SUBMODULES: &[&str] = &[
    "nn",
    "functional",
    "random",
    "autograd",
    "linalg",
    "special",
    "numpy",
];

pub fn lookup(name: &str) -> Option<Builtin> {
    use Builtin::*;
    Some(match name {
        "ln" | "log" => Unary(crate::ops::Unary::Ln),
        "exp" => Unary(crate::ops::Unary::Exp),
        "sqrt" => Unary(crate::ops::Unary::Sqrt),
        "sin" => Unary(crate::ops::Unary::Sin),
        "cos" => Unary(crate::ops::Unary::Cos),
        "tan" => Unary(crate::ops::Unary::Tan),
        "tanh" => Unary(crate::ops::Unary::Tanh),
        "sigmoid" => Unary(crate::ops::Unary::Sigmoid),
        "relu" => Unary(crate::ops::Unary::Relu),
        "abs" => Unary(crate::ops::Unary::Abs),
        "neg" | "negative" => Unary(crate::ops::Unary::Neg),
        "pow" | "power" => Binary(crate::ops::Binary::Pow),
        "maximum" => Binary(crate::ops::Binary::Max),
        "minimum" => Binary(crate::ops::Binary::Min),
        "max" => Max,
        "min" => Min,
        "mm" | "matmul" | "dot" => MatMul,
        "sum" => Reduce(Reduction::Sum),
        "mean" => Reduce(Reduction::Mean),
        "amax" => Reduce(Reduction::Max),
        "logsumexp" => Reduce(Reduction::LogSumExp),
        "softmax" => Normalize(crate::ops::Normalize::Softmax),
        "log_softmax" => Normalize(crate::ops::Normalize::LogSoftmax),
        "transpose" | "t" => Transpose,
        "detach" | "stop_gradient" => Detach,
        "Variable" | "tensor" | "array" | "asarray" => Variable,
        "zeros" => Zeros,
        "ones" => Ones,
        "eye" => Eye,
        "randn" => Randn,
        "rand" => Rand,
        "seed" | "manual_seed" => Seed,
        "backward" => Backward,
        "len" => Len,
        "size" => Size,
        "print" => Print,
        _ => return None,
    })
}

impl Builtin {
    /// How many positional arguments it takes, `(fewest, most)`, counting the tensor a
    /// method is called on.
    pub fn arity(self) -> (usize, usize) {
        use Builtin::*;
        match self {
            Unary(_) | Transpose | Detach | Variable | Len | Size | Seed | Eye => (1, 1),
            Binary(_) | MatMul => (2, 2),
            Max | Min => (1, 2),
            Reduce(_) | Normalize(_) | Backward => (1, 2),
            Zeros | Ones | Randn | Rand => (1, 2),
            Print => (0, 64),
        }
    }

    /// Keyword arguments it accepts (`dim` is PyTorch's spelling of `axis`).
    pub fn keywords(self) -> &'static [&'static str] {
        use Builtin::*;
        match self {
            Reduce(_) | Normalize(_) | Max | Min => &["axis", "dim", "keepdim", "keepdims"],
            Variable | Zeros | Ones | Randn | Rand | Eye => &["requires_grad", "dtype"],
            Backward => &["gradient"],
            _ => &[],
        }
    }

    /// Whether `x.name(…)` means `name(x, …)`.
    pub fn is_method(self) -> bool {
        !matches!(
            self,
            Builtin::Zeros
                | Builtin::Ones
                | Builtin::Eye
                | Builtin::Randn
                | Builtin::Rand
                | Builtin::Seed
                | Builtin::Len
                | Builtin::Variable
                | Builtin::Print
        )
    }
}

/// The name as a person wrote it, for messages: `sum takes 1 or 2 arguments`.
pub fn arity_text(name: &str, (lo, hi): (usize, usize), method: bool) -> String {
    // A method's own tensor is not an argument a person typed.
    let (lo, hi) = if method { (lo - 1, hi - 1) } else { (lo, hi) };
    let count = |n: usize| {
        if n == 1 {
            "1 argument".to_string()
        } else {
            format!("{n} arguments")
        }
    };
    if lo == hi {
        format!("{name} takes {}", count(lo))
    } else {
        format!("{name} takes {lo} or {}", count(hi))
    }
}
