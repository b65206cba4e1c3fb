//! Layered (Sugiyama-style) drawing of a DAG, left to right.
//!
//! 1. Layering: longest path from the inputs; constants float next to their first consumer.
//! 2. Dummy nodes split long edges into one segment per pair of adjacent layers. All long
//!    edges leaving one node share one chain of dummies (a *trunk*) and branch off it next
//!    to their targets, so `x+x+...+x` needs O(layers) dummies, not O(layers²).
//! 3. Crossing reduction: depth-first initial order, then barycenter sweeps with
//!    transposition of adjacent nodes, keeping the best order seen.
//! 4. Coordinates (Brandes–Köpf-lite): nodes are aligned with a median upper neighbour into
//!    straight blocks, blocks are compacted, then pulled towards their neighbours.
//!
//! Nothing recurses and every step is close to linear, so 100,000 nodes are fine.
//!
//! One file a phase: `layering` (1, 2), `ordering` (3), `coordinates` (4), `paths` (the
//! drawing: node centres and edge polylines, and a crossing count for tests).

mod coordinates;
mod layering;
mod ordering;
mod paths;

use coordinates::assign_y;
pub use layering::After;
use layering::{assign_layers, Graph, Trunks};
use ordering::{reduce_crossings, Ordering};
use paths::build_layout;
pub use paths::crossings;

/// How a source node (one with no inputs) is placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// Layer 0: variables and inputs of an expression.
    Left,
    /// One layer left of its first consumer: constants such as the 2 in x^2.
    NearConsumer,
}

/// A drawing in layout units; the page scales it.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, serde::Serialize)]
pub struct Layout {
    /// Number of layers (columns).
    pub layers: usize,
    /// One per input node, same index.
    pub nodes: Vec<NodePos>,
    /// One per (input -> node) edge: for node i ascending, for each input in order.
    pub edges: Vec<EdgePath>,
    /// Bounding box; all coordinates lie in `0..=width` and `0..=height`.
    pub width: f64,
    pub height: f64,
}

/// Centre of a node.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, serde::Serialize)]
pub struct NodePos {
    pub layer: usize,
    pub x: f64,
    pub y: f64,
}

/// Polyline from the centre of `from` to the centre of `to`, bending at the dummy nodes
/// of edges that span several layers.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, serde::Serialize)]
pub struct EdgePath {
    pub from: usize,
    pub to: usize,
    pub points: Vec<[f64; 2]>,
}

/// Horizontal distance between layers: a node (112 wide on the page) plus room between
/// layers for an edge's number ("−0.524979") clear of the node and the arrowhead.
const LAYER_SPACING: f64 = 192.0;
/// Minimum vertical distance between two nodes of one layer.
const NODE_SPACING: f64 = 70.0;
const MARGIN_X: f64 = LAYER_SPACING / 2.0;
const MARGIN_Y: f64 = NODE_SPACING / 2.0;
const NONE: usize = usize::MAX;
/// Transposition compares neighbour lists pair by pair: skip it on layers with more edges.
const TRANSPOSE_MAX_EDGES: usize = 4_000;
const TRANSPOSE_MAX_PASSES: usize = 8;
const BALANCE_PASSES: usize = 8;

/// Lays out a DAG whose node `i` lists its inputs (ids below `i`).
///
/// Inputs with an id `>= i` are ignored, and a missing anchor counts as [`Anchor::Left`].
pub fn layout(inputs: &[Vec<usize>], anchors: &[Anchor]) -> Layout {
    layout_with_sweeps(inputs, anchors, &[], None)
}

/// [`layout`], with some nodes kept right of bands of earlier ones ([`After`]): a program's
/// loop iterations drawn one after another, each in columns of its own, rather than
/// interleaved where their nodes do not depend on each other (`xs[t]` of every step).
pub fn layout_in_bands(inputs: &[Vec<usize>], anchors: &[Anchor], after: &[After]) -> Layout {
    layout_with_sweeps(inputs, anchors, after, None)
}

/// [`layout`] with a fixed number of crossing-reduction sweeps (`None`: chosen by size).
fn layout_with_sweeps(
    inputs: &[Vec<usize>],
    anchors: &[Anchor],
    after: &[After],
    sweeps: Option<usize>,
) -> Layout {
    let edges = collect_edges(inputs);
    let layer = assign_layers(inputs.len(), &edges, anchors, after);
    let layers = layer.iter().max().map_or(0, |&l| l + 1);
    let trunks = Trunks::new(&layer, &edges);
    let graph = Graph::new(&layer, &edges, &trunks);
    let mut ord = Ordering::initial(&graph, layers);
    let sweeps = sweeps.unwrap_or_else(|| default_sweeps(graph.len() + graph.up.len()));
    reduce_crossings(&graph, &mut ord, sweeps);
    let y = assign_y(&graph, &ord);
    build_layout(&graph, &edges, &trunks, y, layers)
}

/// Each sweep is linear but not free: fewer on big graphs keep them within ~200 ms.
fn default_sweeps(size: usize) -> usize {
    match size {
        0..=5_000 => 24,
        5_001..=50_000 => 12,
        50_001..=500_000 => 4,
        _ => 2,
    }
}

/// Valid edges (u, v), sorted by target as the output wants them.
fn collect_edges(inputs: &[Vec<usize>]) -> Vec<(usize, usize)> {
    let mut edges = Vec::new();
    for (v, ins) in inputs.iter().enumerate() {
        edges.extend(ins.iter().filter(|&&u| u < v).map(|&u| (u, v)));
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use Anchor::{Left, NearConsumer};

    /// Checks what every layout must satisfy and returns it.
    fn checked(inputs: &[Vec<usize>], anchors: &[Anchor]) -> Layout {
        let l = layout(inputs, anchors);
        check(inputs, &l);
        l
    }

    fn check(inputs: &[Vec<usize>], l: &Layout) {
        assert_eq!(l.nodes.len(), inputs.len());
        let mut by_layer: Vec<Vec<f64>> = vec![Vec::new(); l.layers];
        for p in &l.nodes {
            assert!((0.0..=l.width).contains(&p.x) && (0.0..=l.height).contains(&p.y));
            assert_eq!(p.x, MARGIN_X + LAYER_SPACING * p.layer as f64);
            by_layer[p.layer].push(p.y);
        }
        for ys in &mut by_layer {
            ys.sort_by(f64::total_cmp);
            for w in ys.windows(2) {
                assert!(w[1] - w[0] >= NODE_SPACING - 1e-9, "overlap: {w:?}");
            }
        }
        let expected = collect_edges(inputs);
        assert_eq!(l.edges.len(), expected.len());
        for (e, &(u, v)) in l.edges.iter().zip(&expected) {
            assert_eq!((e.from, e.to), (u, v));
            let (a, b) = (&l.nodes[u], &l.nodes[v]);
            assert!(a.layer < b.layer, "edge {u}->{v} does not go right");
            assert_eq!(e.points[0], [a.x, a.y]);
            assert_eq!(*e.points.last().unwrap(), [b.x, b.y]);
            for w in e.points.windows(2) {
                assert!(w[0][0] < w[1][0]);
            }
            for p in &e.points {
                assert!((0.0..=l.width).contains(&p[0]) && (0.0..=l.height).contains(&p[1]));
            }
        }
    }

    /// ln(x1) + x1*x2 - sin(x2)
    fn expression() -> (Vec<Vec<usize>>, Vec<Anchor>) {
        let inputs = vec![
            vec![],
            vec![],
            vec![0],
            vec![0, 1],
            vec![2, 3],
            vec![1],
            vec![4, 5],
        ];
        (inputs, vec![Left; 7])
    }

    /// Small deterministic generator (xorshift64*), so tests need no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize
        }
    }

    /// Inputs, constants and ops reading 1-3 earlier nodes, mostly recent ones.
    fn random_dag(n: usize, seed: u64) -> (Vec<Vec<usize>>, Vec<Anchor>) {
        let mut rng = Rng(seed);
        let (mut inputs, mut anchors) = (Vec::new(), Vec::new());
        for i in 0..n {
            if i < 8 {
                inputs.push(vec![]);
                anchors.push(Left);
            } else if rng.next() % 10 == 0 {
                inputs.push(vec![]);
                anchors.push(NearConsumer);
            } else {
                let k = 1 + rng.next() % 3;
                let ins = (0..k)
                    .map(|_| {
                        if rng.next() % 3 == 0 {
                            rng.next() % i
                        } else {
                            i - 1 - rng.next() % i.min(12)
                        }
                    })
                    .collect();
                inputs.push(ins);
                anchors.push(Left);
            }
        }
        (inputs, anchors)
    }

    #[test]
    fn expression_graph_is_planar() {
        let (inputs, anchors) = expression();
        let l = checked(&inputs, &anchors);
        assert_eq!(crossings(&l), 0);
        assert_eq!((l.nodes[0].layer, l.nodes[1].layer), (0, 0));
        assert_eq!(l.nodes[6].layer, l.layers - 1);
        assert_eq!(l.layers, 4);
    }

    #[test]
    fn constant_sits_next_to_its_consumer() {
        // x, a = f(x), b = g(a), c = 2, d = b * c: d is in layer 3, so c goes to layer 2.
        let inputs = vec![vec![], vec![0], vec![1], vec![], vec![2, 3]];
        let anchors = [Left, Left, Left, NearConsumer, Left];
        let l = checked(&inputs, &anchors);
        assert_eq!(l.nodes[4].layer, 3);
        assert_eq!(l.nodes[3].layer, 2);
        // The same source anchored Left stays in layer 0.
        let l = checked(&inputs, &[Left; 5]);
        assert_eq!(l.nodes[3].layer, 0);
    }

    #[test]
    fn long_edges_bend_at_dummies() {
        let (inputs, anchors) = expression();
        let l = checked(&inputs, &anchors);
        let mut long = 0;
        for e in &l.edges {
            let span = l.nodes[e.to].layer - l.nodes[e.from].layer;
            assert_eq!(e.points.len(), span + 1, "one bend point per crossed layer");
            for (i, p) in e.points.iter().enumerate() {
                let layer = l.nodes[e.from].layer + i;
                assert_eq!(p[0], MARGIN_X + LAYER_SPACING * layer as f64);
            }
            long += usize::from(span > 1);
        }
        assert_eq!(long, 1, "only sin(x2) -> minus is long");

        // A value reused far away: x feeds layers 1..=4.
        let inputs = vec![vec![], vec![0], vec![1, 0], vec![2, 0], vec![3, 0]];
        let l = checked(&inputs, &[Left; 5]);
        for e in &l.edges {
            let span = l.nodes[e.to].layer - l.nodes[e.from].layer;
            assert_eq!(e.points.len(), span + 1);
        }
    }

    #[test]
    fn heuristic_does_not_add_crossings() {
        for seed in 1..=5u64 {
            let (inputs, anchors) = random_dag(200, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let initial = layout_with_sweeps(&inputs, &anchors, &[], Some(0));
            check(&inputs, &initial);
            let best = checked(&inputs, &anchors);
            let (c0, c1) = (crossings(&initial), crossings(&best));
            println!("seed {seed}: {} layers, crossings {c0} -> {c1}", best.layers);
            assert!(c1 <= c0);
        }
    }

    #[test]
    fn long_chain_with_fan_out() {
        // x + x + ... + x: node i = op(i - 1, 0), so x feeds every layer.
        let n = 100_000;
        let inputs: Vec<Vec<usize>> = (0..n)
            .map(|i| if i == 0 { vec![] } else { vec![i - 1, 0] })
            .collect();
        let l = layout(&inputs, &vec![Left; n]);
        assert_eq!(l.layers, n);
        check(&inputs, &l);
        // x's edges share one straight trunk, so polylines stay short.
        let points: usize = l.edges.iter().map(|e| e.points.len()).sum();
        assert!(points <= 4 * l.edges.len(), "{points} points");
        assert_eq!(crossings(&l), 0);
    }

    #[test]
    fn bad_input_does_not_panic() {
        assert_eq!(layout(&[], &[]).nodes.len(), 0);
        let l = layout(&[vec![], vec![0]], &[]);
        assert_eq!((l.nodes[0].layer, l.nodes[1].layer), (0, 1));
        // Forward and self references are ignored; missing anchors count as Left.
        let inputs = vec![vec![3], vec![1, 0], vec![0, 7, 1], vec![]];
        let l = layout(&inputs, &[NearConsumer]);
        check(&inputs, &l);
        assert_eq!(l.edges.len(), 3);
        // A constant nobody reads, and one read by an op on constants only.
        let inputs = vec![vec![], vec![], vec![1]];
        let l = checked(&inputs, &[NearConsumer; 3]);
        assert_eq!(l.nodes[1].layer, 0);
        assert_eq!(l.nodes[2].layer, 1);
    }

    #[test]
    fn wide_fan_out() {
        // One value read by 20,000 nodes of one layer, summed pairwise by the next.
        let mut inputs = vec![vec![]];
        inputs.extend((0..20_000).map(|_| vec![0]));
        inputs.extend((0..10_000).map(|i| vec![1 + 2 * i, 2 + 2 * i]));
        let anchors = vec![Left; inputs.len()];
        let l = checked(&inputs, &anchors);
        assert_eq!(crossings(&l), 0);
    }
}
