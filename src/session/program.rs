//! A tensor program being explored: parsed and checked once, then run (building its graph
//! as it goes) at the values a person gives, differentiated, and opened as Jacobians.

use super::SessionError;
use crate::expr::ExprError;
use crate::graph::{Graph, NodeId};
use crate::layout::{self, After, Anchor};
use crate::program::{self, Jacobian, Leaf, Limits, Mode, Program, Run};
use crate::report::{self, NodeReport};
use crate::tensor::{Shape, Tensor};
use serde::{Serialize, Serializer};
use std::collections::HashMap;

/// A parsed program, ready to run.
pub struct ProgramSession {
    program: Program,
    limits: Limits,
}

/// One run of the program: its graph, output and leaves.
pub struct ProgramRun {
    run: Run,
}

/// A leaf's value and gradient after a backward pass.
#[derive(Clone, Debug, PartialEq)]
pub struct LeafGradient {
    pub name: String,
    pub free: bool,
    pub gradient: Tensor<f64>,
}

impl ProgramSession {
    pub fn new(source: &str) -> Result<Self, ExprError> {
        Ok(ProgramSession {
            program: program::parse(source)?,
            limits: Limits::default(),
        })
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The names given from outside, in order of first appearance.
    pub fn free_names(&self) -> impl Iterator<Item = &str> {
        self.program.free.iter().map(|(n, _)| &**n)
    }

    /// Runs the program with its free names at `at`.
    pub fn run(&self, at: &HashMap<String, Tensor<f64>>) -> Result<ProgramRun, SessionError> {
        self.run_with_leaves(at, &HashMap::new())
    }

    /// [`run`](Self::run), with leaves bound in the program (`W = randn(3, 4)`) taking the
    /// values in `leaf_values` where the shapes agree: a page's edited grids.
    pub fn run_with_leaves(
        &self,
        at: &HashMap<String, Tensor<f64>>,
        leaf_values: &HashMap<String, Tensor<f64>>,
    ) -> Result<ProgramRun, SessionError> {
        let run = program::run_with_leaves(&self.program, at, leaf_values, self.limits)
            .map_err(SessionError::Run)?;
        Ok(ProgramRun { run })
    }
}

impl ProgramRun {
    pub fn graph(&self) -> &Graph<f64> {
        &self.run.graph
    }

    /// The graph, to run its passes again (they allocate nothing once warm).
    pub fn graph_mut(&mut self) -> &mut Graph<f64> {
        &mut self.run.graph
    }

    /// Everything the run recorded: origins, groups, branches.
    pub fn details(&self) -> &Run {
        &self.run
    }

    pub fn output(&self) -> NodeId {
        self.run.output
    }

    pub fn value(&self) -> Tensor<f64> {
        let g = &self.run.graph;
        Tensor {
            shape: g.node(self.run.output).shape,
            data: g.value(self.run.output).to_vec(),
        }
    }

    pub fn leaves(&self) -> &[Leaf] {
        &self.run.leaves
    }

    /// Reverse mode from the output, seeded by the program's `backward` seed, or by 1 for
    /// a scalar output; a non-scalar output without a seed is an error naming its shape.
    pub fn backward(&mut self) -> Result<Vec<LeafGradient>, SessionError> {
        let Run {
            graph,
            output,
            seed,
            leaves,
            ..
        } = &mut self.run;
        let shape = graph.node(*output).shape;
        match seed {
            Some(s) => {
                let seed = graph.value(*s).to_vec();
                graph.backward_seeded(*output, &seed)?;
            }
            None if shape.len() == 1 => graph.backward(*output),
            None => return Err(SessionError::NotScalar(shape)),
        }
        Ok(leaves
            .iter()
            .map(|l| LeafGradient {
                name: l.name.clone(),
                free: l.free,
                gradient: Tensor {
                    shape: graph.node(l.node).shape,
                    data: graph.grad(l.node).to_vec(),
                },
            })
            .collect())
    }

    /// `∂output/∂leaf` by `mode`, for the leaf named `wrt`; afterwards the gradients are the
    /// program's own again (see [`restore_gradients`](Self::restore_gradients)).
    pub fn jacobian(&mut self, wrt: &str, mode: Mode) -> Result<Jacobian, SessionError> {
        let j = self.jacobian_passes(wrt, mode)?;
        self.restore_gradients()?;
        Ok(j)
    }

    /// [`jacobian`](Self::jacobian) without putting the gradients back: its passes leave
    /// them at the last unit seed's. For timing the passes alone, many times over, with one
    /// [`restore_gradients`](Self::restore_gradients) after.
    pub fn jacobian_passes(&mut self, wrt: &str, mode: Mode) -> Result<Jacobian, SessionError> {
        let Some(leaf) = self.run.leaves.iter().find(|l| l.name == wrt) else {
            return Err(SessionError::NotALeaf {
                name: wrt.to_string(),
                leaves: self.run.leaves.iter().map(|l| l.name.clone()).collect(),
            });
        };
        let node = leaf.node;
        program::jacobian(&mut self.run.graph, self.run.output, node, mode).map_err(SessionError::Jacobian)
    }

    /// The program's own backward pass again, so that a view reading the nodes sees its
    /// gradients; a tensor output without a seed has none, and none are left.
    pub fn restore_gradients(&mut self) -> Result<(), SessionError> {
        match self.backward() {
            Ok(_) => Ok(()),
            Err(SessionError::NotScalar(_)) => {
                self.run.graph.zero_grad();
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// `∂node/∂input` for input `which` of one op (see [`program::local_jacobian`]), beside
    /// what backpropagation computes instead: the upstream gradient at the node (a row) and
    /// its product with the Jacobian, the gradient the edge carried back.
    pub fn local_jacobian(&self, node: usize, which: usize) -> Result<LocalJacobian, SessionError> {
        let g = &self.run.graph;
        let id = g.id(node).ok_or(SessionError::NoNode(node))?;
        let jacobian = program::local_jacobian(g, id, which).map_err(SessionError::Jacobian)?;
        let upstream = g.grad(id).to_vec();
        let mut vjp = vec![0.0; jacobian.cols];
        g.vjp_along(id, which, &upstream, &mut vjp);
        Ok(LocalJacobian {
            jacobian,
            upstream,
            vjp,
        })
    }

    /// Every node with its value and (after `backward`) gradient, for a view or `--graph`.
    pub fn nodes(&self) -> Vec<NodeReport> {
        report::nodes(&self.run.graph)
    }
}

/// One op's Jacobian and the vector–Jacobian product that replaces it in a backward pass.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalJacobian {
    pub jacobian: Jacobian,
    /// `∂L/∂node`, flattened: the row that multiplies the Jacobian.
    pub upstream: Vec<f64>,
    /// `upstream · J`: the gradient sent along the edge, computed without `J`.
    pub vjp: Vec<f64>,
}

/// A tensor from nested lists of numbers as JSON gives them: a number is a scalar, a
/// list of numbers a vector, a list of equal-length lists a matrix.
pub fn tensor_from_nested(value: &NestedValue) -> Result<Tensor<f64>, String> {
    match value {
        NestedValue::Number(x) => Ok(Tensor::scalar(*x)),
        NestedValue::List(items) => {
            if items.is_empty() {
                return Err("an empty list: a tensor needs at least one number".into());
            }
            if items.iter().all(|i| matches!(i, NestedValue::Number(_))) {
                let data = items
                    .iter()
                    .map(|i| match i {
                        NestedValue::Number(x) => *x,
                        NestedValue::List(_) => unreachable!(),
                    })
                    .collect::<Vec<_>>();
                return Ok(Tensor {
                    shape: Shape::vector(data.len()),
                    data,
                });
            }
            let mut data = Vec::new();
            let mut cols = None;
            for (r, row) in items.iter().enumerate() {
                let NestedValue::List(entries) = row else {
                    return Err(format!(
                        "row {} is a number, not a list: a matrix's rows are lists",
                        r + 1
                    ));
                };
                if cols.is_some_and(|c| c != entries.len()) {
                    return Err(format!(
                        "a ragged list: row {} has {} entries, row 1 has {}",
                        r + 1,
                        entries.len(),
                        cols.unwrap_or(0)
                    ));
                }
                if entries.is_empty() {
                    return Err("an empty row: a tensor needs at least one number".into());
                }
                cols = Some(entries.len());
                for e in entries {
                    match e {
                        NestedValue::Number(x) => data.push(*x),
                        NestedValue::List(_) => return Err("tensors have at most 2 dimensions".into()),
                    }
                }
            }
            let shape = Shape::matrix(items.len(), cols.unwrap_or(0));
            if shape.len() > Shape::MAX_LEN {
                return Err("too many numbers for one tensor".into());
            }
            Ok(Tensor { shape, data })
        }
    }
}

/// A number or nested lists of numbers, as read from JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum NestedValue {
    Number(f64),
    List(Vec<NestedValue>),
}

/// A tensor as nested lists, as JSON and JavaScript show it: a number for a scalar, a list
/// for a vector, a list of rows for a matrix (a 1×1 matrix is `[[v]]`). `N` is `f64` for
/// JavaScript (where NaN and infinities are numbers) and `report::Num` for JSON text.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Nested<N = f64> {
    Scalar(N),
    Vector(Vec<N>),
    Matrix(Vec<Vec<N>>),
}

impl<N> Nested<N> {
    pub fn of(t: &Tensor<f64>, num: impl Fn(f64) -> N) -> Self {
        match t.shape.rank() {
            0 => Nested::Scalar(num(t.data[0])),
            1 => Nested::Vector(t.data.iter().map(|&x| num(x)).collect()),
            _ => Nested::Matrix(
                t.data
                    .chunks(t.shape.cols().max(1))
                    .map(|row| row.iter().map(|&x| num(x)).collect())
                    .collect(),
            ),
        }
    }
}

/// `{value, gradient}`: the output and each leaf's gradient, by name, in order (free
/// names first, then leaves bound in the program): what `gradscope grad --json` prints and
/// `Program.run` returns.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answer<N = f64> {
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Nested<number>"))]
    pub value: Nested<N>,
    #[serde(serialize_with = "in_order")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, Nested<number>>"))]
    pub gradient: Vec<(String, Nested<N>)>,
}

/// Pairs as a map, keeping their order.
fn in_order<N: Serialize, S: Serializer>(pairs: &[(String, Nested<N>)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

impl<N> Answer<N> {
    pub fn new(value: &Tensor<f64>, gradients: &[LeafGradient], num: impl Fn(f64) -> N + Copy) -> Self {
        Answer {
            value: Nested::of(value, num),
            gradient: gradients
                .iter()
                .map(|g| (g.name.clone(), Nested::of(&g.gradient, num)))
                .collect(),
        }
    }
}

/// A Jacobian for JSON and JavaScript: the shapes, the rows, the non-zeros and the passes.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JacobianReport<N = f64> {
    pub output_shape: Vec<usize>,
    pub wrt_shape: Vec<usize>,
    /// One row per output element, one column per element of the leaf, both row-major.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number[][]"))]
    pub jacobian: Vec<Vec<N>>,
    pub nonzeros: usize,
    pub passes: usize,
}

impl<N> JacobianReport<N> {
    pub fn new(j: &Jacobian, num: impl Fn(f64) -> N) -> Self {
        JacobianReport {
            output_shape: j.output_shape.dims().to_vec(),
            wrt_shape: j.wrt_shape.dims().to_vec(),
            jacobian: (0..j.rows)
                .map(|i| j.row(i).iter().map(|&x| num(x)).collect())
                .collect(),
            nonzeros: j.nonzeros,
            passes: j.passes,
        }
    }
}

/// Where the run's nodes came from, for a view that groups and explains them: each node's
/// source span and group, the groups (loop iterations and calls), the `if`s as they ran,
/// and the leaves.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunReport {
    pub output: usize,
    /// The seed node of the program's `backward`, if it had one.
    pub seed: Option<usize>,
    pub leaves: Vec<LeafReport>,
    /// One per node, in node order.
    pub origins: Vec<OriginReport>,
    pub groups: Vec<GroupReport>,
    /// Each run of a loop: its iterations, which are groups.
    pub loops: Vec<LoopReport>,
    pub branches: Vec<BranchReport>,
}

/// One run of a loop (a loop in a function called twice runs twice): its header, the
/// group it ran in, and its iterations' groups in order.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoopReport {
    pub start: usize,
    pub end: usize,
    pub parent: Option<usize>,
    pub iterations: Vec<usize>,
}

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeafReport {
    pub name: String,
    pub node: usize,
    /// A name given from outside (else bound to data in the program).
    pub free: bool,
    /// Bound in the program, but run with a value given from outside (an edited grid).
    pub replaced: bool,
    pub start: usize,
    pub end: usize,
}

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OriginReport {
    /// The bytes of the program text that made the node.
    pub start: usize,
    pub end: usize,
    /// The innermost group it was made in.
    pub group: Option<usize>,
}

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupReport {
    /// `"iteration"` (of the loop whose header is the span) or `"call"` (the span is the call).
    pub kind: &'static str,
    /// The iteration's index from 0; `None` for a call.
    pub index: Option<usize>,
    /// The called function; `None` for an iteration.
    pub name: Option<String>,
    pub start: usize,
    pub end: usize,
    pub parent: Option<usize>,
}

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BranchReport {
    /// The `if` line.
    pub start: usize,
    pub end: usize,
    pub group: Option<usize>,
    /// The branch taken (`if` is 0, each `elif` one more); `None` when the `else` ran.
    pub taken: Option<usize>,
    /// The value of each condition tested, up to the one that held.
    pub conditions: Vec<f64>,
}

impl ProgramRun {
    /// The run's origins, groups, branches and leaves, for a view.
    pub fn report(&self) -> RunReport {
        let r = &self.run;
        RunReport {
            output: r.output.index(),
            seed: r.seed.map(|s| s.index()),
            leaves: r
                .leaves
                .iter()
                .map(|l| LeafReport {
                    name: l.name.clone(),
                    node: l.node.index(),
                    free: l.free,
                    replaced: l.replaced,
                    start: l.span.range().start,
                    end: l.span.range().end,
                })
                .collect(),
            origins: r
                .origins
                .iter()
                .map(|o| OriginReport {
                    start: o.span.range().start,
                    end: o.span.range().end,
                    group: o.group.map(|g| g as usize),
                })
                .collect(),
            groups: r
                .groups
                .iter()
                .map(|g| {
                    let (kind, index, name) = match &g.kind {
                        program::GroupKind::Iteration { index } => ("iteration", Some(*index), None),
                        program::GroupKind::Call { name } => ("call", None, Some(name.clone())),
                    };
                    GroupReport {
                        kind,
                        index,
                        name,
                        start: g.span.range().start,
                        end: g.span.range().end,
                        parent: g.parent.map(|p| p as usize),
                    }
                })
                .collect(),
            loops: self
                .loops()
                .into_iter()
                .map(|(parent, span, iterations)| LoopReport {
                    start: span.range().start,
                    end: span.range().end,
                    parent: parent.map(|p| p as usize),
                    iterations,
                })
                .collect(),
            branches: r
                .branches
                .iter()
                .map(|b| BranchReport {
                    start: b.span.range().start,
                    end: b.span.range().end,
                    group: b.group.map(|g| g as usize),
                    taken: b.taken,
                    conditions: b.conditions.clone(),
                })
                .collect(),
        }
    }

    /// Node positions and edge paths for drawing, left to right, each loop iteration in
    /// columns after the one before.
    pub fn layout(&self) -> crate::layout::Layout {
        self.layout_collapsed(&[], &[]).layout
    }

    /// Each run of a loop: the group it ran in, its header, and its iterations' groups.
    fn loops(&self) -> Vec<Loop> {
        let mut loops: Vec<Loop> = Vec::new();
        let mut index: HashMap<(Option<u32>, u32, u32), usize> = HashMap::new();
        for (g, group) in self.run.groups.iter().enumerate() {
            if let program::GroupKind::Iteration { .. } = group.kind {
                let key = (group.parent, group.span.start, group.span.end);
                let l = *index.entry(key).or_insert_with(|| {
                    loops.push((group.parent, group.span, Vec::new()));
                    loops.len() - 1
                });
                loops[l].2.push(g);
            }
        }
        loops
    }

    /// The layout of the graph with each group in `collapsed` drawn as one box: its nodes
    /// (and those of the groups inside it) become one item, whose inputs are the items its
    /// nodes read from outside it. A group's nodes were made one after another, so items
    /// keep the arena's order and the quotient is still a DAG in topological order.
    ///
    /// A loop in `collapsed_loops` (indices into the report's loops) is one item for all its
    /// iterations: a cell unrolled 200 times as one box.
    pub fn layout_collapsed(&self, collapsed: &[usize], collapsed_loops: &[usize]) -> GroupedLayout {
        let r = &self.run;
        // What each group is drawn as when it is collapsed, or inside something collapsed.
        let mut shut: Vec<Option<LayoutItem>> = vec![None; r.groups.len()];
        for &g in collapsed.iter().filter(|&&g| g < r.groups.len()) {
            shut[g] = Some(LayoutItem::Group(g));
        }
        let loops = self.loops();
        for &l in collapsed_loops.iter().filter(|&&l| l < loops.len()) {
            for &g in &loops[l].2 {
                shut[g] = Some(LayoutItem::Loop(l));
            }
        }
        // The outermost collapsed thing around each group, if any.
        let mut outermost: Vec<Option<LayoutItem>> = vec![None; r.groups.len()];
        for (g, group) in r.groups.iter().enumerate() {
            // Parents come before their children, so theirs is known.
            let above = group.parent.and_then(|p| outermost[p as usize]);
            outermost[g] = above.or(shut[g]);
        }
        let mut items = Vec::new();
        let mut item_of = Vec::with_capacity(r.graph.len());
        let mut group_item: HashMap<LayoutItem, usize> = HashMap::new();
        for origin in &r.origins {
            match origin.group.and_then(|g| outermost[g as usize]) {
                Some(g) => {
                    let item = *group_item.entry(g).or_insert_with(|| {
                        items.push(g);
                        items.len() - 1
                    });
                    item_of.push(item);
                }
                None => {
                    items.push(LayoutItem::Node(item_of.len()));
                    item_of.push(items.len() - 1);
                }
            }
        }
        let mut inputs: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
        let mut all_constant = vec![true; items.len()];
        for (n, node) in r.graph.nodes().iter().enumerate() {
            let item = item_of[n];
            all_constant[item] &= matches!(node.op, crate::ops::Op::Constant);
            for x in node.op.inputs().iter() {
                let from = item_of[x.index()];
                if from != item && !inputs[item].contains(&from) {
                    inputs[item].push(from);
                }
            }
        }
        let anchors: Vec<Anchor> = all_constant
            .iter()
            .map(|&c| if c { Anchor::NearConsumer } else { Anchor::Left })
            .collect();
        let after = self.bands(&items, &item_of, &loops);
        GroupedLayout {
            layout: layout::layout_in_bands(&inputs, &anchors, &after),
            items,
            item_of,
        }
    }
}

impl ProgramRun {
    /// Where each item must go so that a loop's iterations are drawn one after another: an
    /// item in iteration `i > 0` (directly, or inside a call or loop in it) right of all of
    /// iteration `i − 1`'s items, and the first iteration's items kept in their columns.
    fn bands(&self, items: &[LayoutItem], item_of: &[usize], loops: &[Loop]) -> Vec<After> {
        let groups = &self.run.groups;
        // Each group's items, a contiguous range: its nodes were made one after another.
        let mut range = vec![(usize::MAX, 0); groups.len()];
        for (n, origin) in self.run.origins.iter().enumerate() {
            let mut g = origin.group;
            while let Some(k) = g {
                let r = &mut range[k as usize];
                *r = (r.0.min(item_of[n]), r.1.max(item_of[n] + 1));
                g = groups[k as usize].parent;
            }
        }
        // The latest earlier iteration of the same loop that made something, if any (an
        // iteration can make no node: a `continue`, an `if` that did nothing).
        let mut previous = vec![None; groups.len()];
        let mut last_of_loop: HashMap<(Option<u32>, u32, u32), usize> = HashMap::new();
        for (g, group) in groups.iter().enumerate() {
            if let program::GroupKind::Iteration { .. } = group.kind {
                let key = (group.parent, group.span.start, group.span.end);
                previous[g] = last_of_loop.get(&key).copied();
                if range[g].0 < range[g].1 {
                    last_of_loop.insert(key, g);
                }
            }
        }
        let group_of = |item: &LayoutItem| match *item {
            LayoutItem::Node(n) => self.run.origins[n].group,
            LayoutItem::Group(g) => Some(g as u32),
            // A collapsed loop sits where its first iteration would: after what came before.
            LayoutItem::Loop(l) => loops[l].2.first().map(|&g| g as u32),
        };
        items
            .iter()
            .map(|item| {
                let mut g = group_of(item);
                let mut in_iteration = false;
                while let Some(k) = g {
                    let k = k as usize;
                    in_iteration |= matches!(groups[k].kind, program::GroupKind::Iteration { .. });
                    if let Some(p) = previous[k] {
                        let (start, end) = range[p];
                        return After::Band { start, end };
                    }
                    g = groups[k].parent;
                }
                if in_iteration {
                    After::Pinned
                } else {
                    After::Free
                }
            })
            .collect()
    }
}

/// One run of a loop: the group it ran in, its header, and its iterations' groups.
type Loop = (Option<u32>, program::Span, Vec<usize>);

/// A drawing of a program's graph with some groups collapsed to one box each.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct GroupedLayout {
    /// Positions of the items (not of the nodes): `layout.nodes[i]` is `items[i]`.
    pub layout: layout::Layout,
    pub items: Vec<LayoutItem>,
    /// Per node, the item that draws it.
    pub item_of: Vec<usize>,
}

/// What an item of a [`GroupedLayout`] draws: a node, a collapsed group, or a collapsed
/// loop (all its iterations).
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayoutItem {
    Node(usize),
    Group(usize),
    Loop(usize),
}
