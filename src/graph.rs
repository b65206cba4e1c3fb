//! The computation graph: an arena of nodes, built on the fly (define-by-run).
//!
//! Every node is appended after its inputs, so the arena order is already a topological
//! order: `forward` walks it front to back, `backward` back to front, and neither recurses.
//! Values, gradients and tangents of all nodes live in three flat buffers indexed by the
//! node's offset, so a pass over a graph of 100,000 scalars allocates nothing.

pub use crate::ops::NodeId;
use crate::ops::{Arg, Axis, Binary, Normalize, Op, Reduction, ShapeError, Unary, Window};
use crate::tensor::{Real, Shape, Tensor};
use std::fmt;
use std::ops::Range;

/// Why the graph refused an op or a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphError {
    /// The op's inputs do not fit it.
    Shape(ShapeError),
    /// The op's result would have more elements than a tensor may.
    TooLarge { op: &'static str, shape: Shape },
    /// Only leaves (inputs, parameters, constants) take values from outside.
    NotALeaf(NodeId),
    /// A value (or tangent seed, or gradient) with another number of elements than the node.
    Length { node: NodeId, shape: Shape, got: usize },
    /// Data for a new tensor with another number of elements than its shape.
    Data { shape: Shape, got: usize },
}

impl GraphError {
    /// A stable name for the variant, for code that branches on it.
    pub fn kind(&self) -> &'static str {
        match self {
            GraphError::Shape(_) => "shape",
            GraphError::TooLarge { .. } => "too-large",
            GraphError::NotALeaf(_) => "not-a-leaf",
            GraphError::Length { .. } | GraphError::Data { .. } => "length",
        }
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::Shape(e) => write!(f, "{e}"),
            GraphError::TooLarge { op, shape } => write!(
                f,
                "'{op}' would give a {} × {} tensor, more than {} elements",
                shape.rows(),
                shape.cols(),
                Shape::MAX_LEN
            ),
            GraphError::NotALeaf(id) => write!(
                f,
                "node {} is an op; only inputs, parameters and constants take values",
                id.0
            ),
            GraphError::Length { node, shape, got } => write!(
                f,
                "node {} has shape {shape} ({} values), got {got} values",
                node.0,
                shape.len()
            ),
            GraphError::Data { shape, got } => {
                write!(f, "a {shape} tensor takes {} values, got {got}", shape.len())
            }
        }
    }
}

impl std::error::Error for GraphError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GraphError::Shape(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ShapeError> for GraphError {
    fn from(e: ShapeError) -> Self {
        GraphError::Shape(e)
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    pub op: Op,
    pub shape: Shape,
    /// The name of an input or parameter, or the source text of a constant.
    pub label: Option<Box<str>>,
    /// Whether any input or parameter lies upstream, i.e. whether a gradient is wanted here.
    pub requires_grad: bool,
    offset: usize,
}

impl Node {
    fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.shape.len()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Graph<T> {
    nodes: Vec<Node>,
    values: Vec<T>,
    grads: Vec<T>,
    tangents: Vec<T>,
    /// Scratch, one flag per node: for `backward`, whether it lies upstream of the root;
    /// for `jvp`, whether a seeded leaf lies upstream of it.
    reached: Vec<bool>,
}

/// The values an op reads, from the buffer `values` (which must hold its inputs).
fn args<'a, T: Real>(nodes: &[Node], values: &'a [T], op: &Op) -> [Arg<'a, T>; 2] {
    let mut args = [Arg::NONE; 2];
    for (arg, &x) in args.iter_mut().zip(op.inputs().iter()) {
        let input = &nodes[x.index()];
        *arg = Arg {
            shape: input.shape,
            value: &values[input.range()],
        };
    }
    args
}

impl<T: Real> Graph<T> {
    pub fn new() -> Self {
        Graph {
            nodes: Vec::new(),
            values: Vec::new(),
            grads: Vec::new(),
            tangents: Vec::new(),
            reached: Vec::new(),
        }
    }

    // ---- building --------------------------------------------------------------------

    /// Appends a node and computes its value at once.
    fn push(&mut self, op: Op, shape: Shape, label: Option<&str>, value: Option<&[T]>) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        let requires_grad = match op {
            Op::Input | Op::Parameter => true,
            Op::Constant => false,
            _ => op
                .inputs()
                .iter()
                .enumerate()
                .any(|(which, &x)| op.differentiable_in(which) && self.node(x).requires_grad),
        };
        let offset = self.values.len();
        match value {
            Some(v) => self.values.extend_from_slice(v),
            None => self.values.resize(offset + shape.len(), T::zero()),
        }
        self.grads.resize(self.values.len(), T::zero());
        self.nodes.push(Node {
            op,
            shape,
            label: label.map(Into::into),
            requires_grad,
            offset,
        });
        self.compute(id);
        id
    }

    fn leaf(&mut self, op: Op, label: Option<&str>, value: Tensor<T>) -> NodeId {
        self.push(op, value.shape, label, Some(&value.data))
    }

    /// Data fed in from outside: a variable of an expression, a batch of points.
    pub fn input(&mut self, name: &str, value: Tensor<T>) -> NodeId {
        self.leaf(Op::Input, Some(name), value)
    }

    /// A learnable weight: `step` moves it against its gradient.
    pub fn parameter(&mut self, name: &str, value: Tensor<T>) -> NodeId {
        self.leaf(Op::Parameter, Some(name), value)
    }

    /// A fixed tensor; `label` is how it is shown (`2`, `pi`).
    pub fn constant(&mut self, label: &str, value: Tensor<T>) -> NodeId {
        self.leaf(Op::Constant, Some(label), value)
    }

    /// Appends any op whose inputs are already in the graph: what an interpreter that
    /// dispatches on `Op` calls; the named methods below are the same for one op each.
    pub fn apply(&mut self, op: Op) -> Result<NodeId, GraphError> {
        let ids = op.inputs();
        let mut shapes = [Shape::SCALAR; 2];
        for (s, &x) in shapes.iter_mut().zip(ids.iter()) {
            *s = self.node(x).shape;
        }
        let shape = op.shape(shapes)?;
        if shape
            .rows()
            .checked_mul(shape.cols())
            .is_none_or(|n| n > Shape::MAX_LEN)
        {
            return Err(GraphError::TooLarge { op: op.name(), shape });
        }
        Ok(self.push(op, shape, None, None))
    }

    pub fn unary(&mut self, op: Unary, x: NodeId) -> NodeId {
        let shape = self.node(x).shape;
        self.push(Op::Unary(op, x), shape, None, None)
    }

    pub fn binary(&mut self, op: Binary, a: NodeId, b: NodeId) -> Result<NodeId, GraphError> {
        self.apply(Op::Binary(op, a, b))
    }

    pub fn matmul(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, GraphError> {
        self.apply(Op::MatMul(a, b))
    }

    pub fn transpose(&mut self, x: NodeId) -> NodeId {
        let shape = crate::ops::matmul::transpose_shape(self.node(x).shape);
        self.push(Op::Transpose(x), shape, None, None)
    }

    pub fn sum(&mut self, x: NodeId, axis: Axis) -> Result<NodeId, GraphError> {
        self.apply(Op::Reduce(Reduction::Sum, axis, x))
    }

    pub fn mean(&mut self, x: NodeId, axis: Axis) -> Result<NodeId, GraphError> {
        self.apply(Op::Reduce(Reduction::Mean, axis, x))
    }

    /// A block of `x`'s 2-D view, read as `window.shape`: `x[i]`, `x[i, j]`, `x[:, j]`,
    /// `x[a:b]`. Refused if the window reaches outside `x` or its shape does not fit it.
    pub fn select(&mut self, x: NodeId, window: Window) -> Result<NodeId, GraphError> {
        self.apply(Op::Select(window, x))
    }

    /// The largest element, over all or along `axis` (NumPy's `amax`). A tie shares the
    /// gradient equally among the maxima, as JAX's does.
    pub fn amax(&mut self, x: NodeId, axis: Axis) -> Result<NodeId, GraphError> {
        self.apply(Op::Reduce(Reduction::Max, axis, x))
    }

    /// `ln Σ exp(x)` over all or along `axis`, without overflow; its gradient is the softmax.
    pub fn logsumexp(&mut self, x: NodeId, axis: Axis) -> Result<NodeId, GraphError> {
        self.apply(Op::Reduce(Reduction::LogSumExp, axis, x))
    }

    /// `exp(x) / Σ exp(x)` along `axis` (`All`: over every element), the shape of `x`.
    pub fn softmax(&mut self, x: NodeId, axis: Axis) -> Result<NodeId, GraphError> {
        self.apply(Op::Normalize(Normalize::Softmax, axis, x))
    }

    /// `x − ln Σ exp(x)` along `axis`, the shape of `x`: the log of the softmax, computed
    /// without taking the log of an underflowed 0.
    pub fn log_softmax(&mut self, x: NodeId, axis: Axis) -> Result<NodeId, GraphError> {
        self.apply(Op::Normalize(Normalize::LogSoftmax, axis, x))
    }

    /// `x`'s value, through which no gradient flows back and no tangent forward (JAX's
    /// `stop_gradient`): what depends on `x` only through it does not require a gradient.
    pub fn detach(&mut self, x: NodeId) -> NodeId {
        let shape = self.node(x).shape;
        self.push(Op::Detach(x), shape, None, None)
    }

    /// Mean over rows of `−ln softmax(logits)[label]`; `labels` holds class indices.
    pub fn softmax_cross_entropy(&mut self, logits: NodeId, labels: NodeId) -> Result<NodeId, GraphError> {
        self.apply(Op::SoftmaxCrossEntropy(logits, labels))
    }

    // ---- reading -----------------------------------------------------------------------

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The id for an index, if the graph has such a node (for ids that come from outside).
    pub fn id(&self, index: usize) -> Option<NodeId> {
        (index < self.nodes.len()).then_some(NodeId(index as u32))
    }

    pub fn value(&self, id: NodeId) -> &[T] {
        &self.values[self.node(id).range()]
    }

    pub fn grad(&self, id: NodeId) -> &[T] {
        &self.grads[self.node(id).range()]
    }

    /// The tangent of a node after the last `jvp` (empty before the first).
    pub fn tangent(&self, id: NodeId) -> &[T] {
        self.tangents.get(self.node(id).range()).unwrap_or(&[])
    }

    fn arg(&self, id: NodeId) -> Arg<'_, T> {
        Arg {
            shape: self.node(id).shape,
            value: self.value(id),
        }
    }

    fn args(&self, op: &Op) -> [Arg<'_, T>; 2] {
        args(&self.nodes, &self.values, op)
    }

    /// Changes the value of a leaf (input, parameter or constant). Call `forward` after.
    pub fn set_value(&mut self, id: NodeId, value: &[T]) -> Result<(), GraphError> {
        let node = self.node(id);
        if !node.op.is_leaf() {
            return Err(GraphError::NotALeaf(id));
        }
        if value.len() != node.shape.len() {
            return Err(GraphError::Length {
                node: id,
                shape: node.shape,
                got: value.len(),
            });
        }
        let range = node.range();
        self.values[range].copy_from_slice(value);
        Ok(())
    }

    // ---- the passes ----------------------------------------------------------------------

    /// Computes one node's value from its inputs' values (which come earlier in the arena).
    fn compute(&mut self, id: NodeId) {
        let node = &self.nodes[id.index()];
        if node.op.is_leaf() {
            return;
        }
        let (earlier, rest) = self.values.split_at_mut(node.offset);
        let args = args(&self.nodes, earlier, &node.op);
        node.op.forward(args, node.shape, &mut rest[..node.shape.len()]);
    }

    /// Recomputes every value after inputs or parameters changed, keeping every
    /// intermediate value (the backward pass needs them). Nothing is reallocated.
    pub fn forward(&mut self) {
        for i in 0..self.nodes.len() {
            self.compute(NodeId(i as u32));
        }
    }

    /// Reverse mode. Seeds `∂root/∂root = 1` (every element, for a non-scalar root), then
    /// walks the arena backwards: each node passes `upstream × local derivative` to each
    /// input, and a node used on several paths sums what arrives over all of them.
    /// Gradients from an earlier call are cleared first, so calling it twice is harmless.
    pub fn backward(&mut self, root: NodeId) {
        self.reverse(root, |g| g.fill(T::one()));
    }

    /// Reverse mode from a given upstream gradient of the root (a vector-Jacobian product,
    /// JAX's `vjp(f, x)(seed)`): afterwards `grad(x)` is `seedᵀ · ∂root/∂x`. `backward` is
    /// this with a seed of ones. The seed needs one value per element of the root.
    pub fn backward_seeded(&mut self, root: NodeId, seed: &[T]) -> Result<(), GraphError> {
        let node = self.node(root);
        if seed.len() != node.shape.len() {
            return Err(GraphError::Length {
                node: root,
                shape: node.shape,
                got: seed.len(),
            });
        }
        self.reverse(root, |g| g.copy_from_slice(seed));
        Ok(())
    }

    /// The reverse pass shared by `backward` and `backward_seeded`: `seed` writes the
    /// root's gradient in place, so neither allocates once the scratch buffers are warm.
    fn reverse(&mut self, root: NodeId, seed: impl FnOnce(&mut [T])) {
        self.grads.fill(T::zero());
        let reached = &mut self.reached;
        reached.clear();
        reached.resize(root.index() + 1, false);
        reached[root.index()] = true;
        for i in (0..=root.index()).rev() {
            if reached[i] {
                for &x in self.nodes[i].op.inputs().iter() {
                    reached[x.index()] = true;
                }
            }
        }
        let range = self.nodes[root.index()].range();
        seed(&mut self.grads[range]);

        for i in (0..=root.index()).rev() {
            let node = &self.nodes[i];
            if !self.reached[i] || !node.requires_grad || node.op.is_leaf() {
                continue;
            }
            let args = args(&self.nodes, &self.values, &node.op);
            let out = Arg {
                shape: node.shape,
                value: &self.values[node.range()],
            };
            // Inputs sit earlier in the buffer than the node itself.
            let (earlier, rest) = self.grads.split_at_mut(node.offset);
            let upstream = &rest[..node.shape.len()];
            for (which, &x) in node.op.inputs().iter().enumerate() {
                let input = &self.nodes[x.index()];
                if input.requires_grad && node.op.differentiable_in(which) {
                    node.op
                        .vjp(which, args, out, upstream, &mut earlier[input.range()]);
                }
            }
        }
    }

    /// Forward mode: sets the tangent of each listed leaf (others start at 0) and pushes
    /// tangents forward in one pass. Afterwards `tangent(y)` is the directional derivative
    /// of `y` along the seeds; seeding one input with 1 gives `∂y/∂input` for every `y`.
    ///
    /// A node that no seeded leaf reaches has a tangent that is zero by construction and
    /// contributes nothing downstream, even where its local derivative is infinite (as for
    /// `pow(x, x)` at 0): the "symbolic zero" of JAX.
    pub fn jvp(&mut self, seeds: &[(NodeId, &[T])]) -> Result<(), GraphError> {
        self.tangents.clear();
        self.tangents.resize(self.values.len(), T::zero());
        self.reached.clear();
        self.reached.resize(self.nodes.len(), false);
        for &(id, t) in seeds {
            let node = self.node(id);
            // A tangent seeds a leaf, one value per element.
            if !node.op.is_leaf() {
                return Err(GraphError::NotALeaf(id));
            }
            if t.len() != node.shape.len() {
                return Err(GraphError::Length {
                    node: id,
                    shape: node.shape,
                    got: t.len(),
                });
            }
            let range = node.range();
            self.tangents[range].copy_from_slice(t);
            self.reached[id.index()] = true;
        }
        for i in 0..self.nodes.len() {
            let node = &self.nodes[i];
            if node.op.is_leaf() {
                continue;
            }
            let (earlier, rest) = self.tangents.split_at_mut(node.offset);
            let mut tangents: [Option<&[T]>; 2] = [None; 2];
            for (which, &x) in node.op.inputs().iter().enumerate() {
                if self.reached[x.index()] && node.op.differentiable_in(which) {
                    tangents[which] = Some(&earlier[self.nodes[x.index()].range()]);
                }
            }
            if tangents.iter().all(Option::is_none) {
                continue;
            }
            self.reached[i] = true;
            let args = args(&self.nodes, &self.values, &node.op);
            let out = Arg {
                shape: node.shape,
                value: &self.values[node.range()],
            };
            node.op.jvp(args, out, tangents, &mut rest[..node.shape.len()]);
        }
        Ok(())
    }

    /// One step of gradient descent on every parameter: `w ← w − lr · ∂L/∂w`.
    /// Values downstream are stale until the next `forward`.
    pub fn step(&mut self, lr: T) {
        for node in &self.nodes {
            if node.op == Op::Parameter {
                for (w, &g) in self.values[node.range()]
                    .iter_mut()
                    .zip(&self.grads[node.range()])
                {
                    *w -= lr * g;
                }
            }
        }
    }

    /// The parameters, in the order they were created.
    pub fn parameters(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].op == Op::Parameter)
            .map(|i| NodeId(i as u32))
    }

    /// A parameter's values, to update in place, and its gradient: what an optimiser needs.
    pub fn value_and_grad_mut(&mut self, id: NodeId) -> (&mut [T], &[T]) {
        let range = self.node(id).range();
        (&mut self.values[range.clone()], &self.grads[range])
    }

    /// Sets a node's gradient, as computed elsewhere (by the GPU) for the same graph.
    pub fn set_grad(&mut self, id: NodeId, grad: &[T]) -> Result<(), GraphError> {
        let node = self.node(id);
        let range = node.range();
        if grad.len() != range.len() {
            return Err(GraphError::Length {
                node: id,
                shape: node.shape,
                got: grad.len(),
            });
        }
        self.grads[range].copy_from_slice(grad);
        Ok(())
    }

    /// Clears every gradient.
    pub fn zero_grad(&mut self) {
        self.grads.fill(T::zero());
    }

    // ---- what a view needs -----------------------------------------------------------------

    /// `upstreamᵀ · ∂id/∂input` for input `which` of `id`, added into `into` (shaped like
    /// the input): one edge's share of a backward pass, for any upstream gradient. False,
    /// leaving `into` alone, where no gradient flows (a constant, a detached input).
    pub fn vjp_along(&self, id: NodeId, which: usize, upstream: &[T], into: &mut [T]) -> bool {
        let node = self.node(id);
        let takes_grad = node
            .op
            .inputs()
            .get(which)
            .is_some_and(|&x| self.node(x).requires_grad);
        takes_grad && self.local_vjp(id, which, upstream, into)
    }

    /// The op's own rule, `upstreamᵀ · ∂id/∂input`, whether or not the input takes a
    /// gradient: a constant's edge carries nothing back, but the op still has a Jacobian
    /// with respect to it (`∂(W @ c)/∂c` is `W`). False where the rule gives none (an input
    /// out of range, a detached one, a loss's labels).
    pub fn local_vjp(&self, id: NodeId, which: usize, upstream: &[T], into: &mut [T]) -> bool {
        let node = self.node(id);
        if which >= node.op.inputs().len() || !node.op.differentiable_in(which) {
            return false;
        }
        node.op
            .vjp(which, self.args(&node.op), self.arg(id), upstream, into);
        true
    }

    /// For the edge from input `which` of `id`: the element-wise local derivative
    /// `∂id/∂input` (`None` for ops whose Jacobian is not diagonal, and for inputs that
    /// take no gradient, such as constants) and the gradient the edge carried back in the
    /// last `backward`, `upstream × local`, shaped like the input (zero into a constant).
    pub fn edge(&self, id: NodeId, which: usize) -> (Option<Vec<T>>, Vec<T>) {
        let node = self.node(id);
        let x = node.op.inputs()[which];
        let mut flowed = vec![T::zero(); self.node(x).shape.len()];
        if !self.node(x).requires_grad || !node.op.differentiable_in(which) {
            return (None, flowed);
        }
        let args = self.args(&node.op);
        let out = self.arg(id);
        let mut local = vec![T::zero(); node.shape.len()];
        let local = node
            .op
            .local_derivative(which, args, out, &mut local)
            .then_some(local);
        node.op.vjp(which, args, out, self.grad(id), &mut flowed);
        (local, flowed)
    }
}
