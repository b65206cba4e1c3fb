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

/// How a source node (one with no inputs) is placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// Layer 0: variables and inputs of an expression.
    Left,
    /// One layer left of its first consumer: constants such as the 2 in x^2.
    NearConsumer,
}

/// A drawing in layout units; the page scales it.
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
#[derive(Clone, Debug, serde::Serialize)]
pub struct NodePos {
    pub layer: usize,
    pub x: f64,
    pub y: f64,
}

/// Polyline from the centre of `from` to the centre of `to`, bending at the dummy nodes
/// of edges that span several layers.
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
    layout_with_sweeps(inputs, anchors, None)
}

/// [`layout`] with a fixed number of crossing-reduction sweeps (`None`: chosen by size).
fn layout_with_sweeps(inputs: &[Vec<usize>], anchors: &[Anchor], sweeps: Option<usize>) -> Layout {
    let edges = collect_edges(inputs);
    let layer = assign_layers(inputs.len(), &edges, anchors);
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

/// Longest-path layering, then ops pulled right towards their consumers; NearConsumer
/// sources go one layer before their earliest consumer.
fn assign_layers(n: usize, edges: &[(usize, usize)], anchors: &[Anchor]) -> Vec<usize> {
    let mut has_input = vec![false; n];
    for &(_, v) in edges {
        has_input[v] = true;
    }
    let floating: Vec<bool> = (0..n)
        .map(|u| !has_input[u] && anchors.get(u) == Some(&Anchor::NearConsumer))
        .collect();
    let mut layer = vec![0; n];
    // Edges are sorted by target and inputs precede their node, so layer[u] is final here.
    // Floating constants do not push their consumers right.
    for &(u, v) in edges {
        let below = if floating[u] { 0 } else { layer[u] };
        layer[v] = layer[v].max(below + 1);
    }
    // Then pull each op as far right as its consumers allow, so a subexpression sits next
    // to the op that uses it: the terms of a long sum `t1 + t2 + …` line up along the
    // chain of `+` instead of all starting at the left. Edges in reverse order visit every
    // consumer of a node before the node's own input edges, so `layer[v]` is final when used.
    let mut first_consumer = vec![usize::MAX; n];
    let mut settled = vec![false; n];
    for &(u, v) in edges.iter().rev() {
        if !settled[v] {
            settled[v] = true;
            if first_consumer[v] != usize::MAX {
                layer[v] = layer[v].max(first_consumer[v] - 1);
            }
        }
        first_consumer[u] = first_consumer[u].min(layer[v]);
    }
    let mut consumer = vec![usize::MAX; n];
    for &(u, v) in edges {
        if floating[u] {
            consumer[u] = consumer[u].min(layer[v]);
        }
    }
    for ((l, &f), &c) in layer.iter_mut().zip(&floating).zip(&consumer) {
        if f && c != usize::MAX {
            *l = c - 1; // consumers have inputs, so c >= 1
        }
    }
    layer
}

/// The dummies of the long edges leaving node u: `len[u]` of them, in layers
/// `layer[u] + 1 ..= layer[u] + len[u]`, with ids from `start[u]` on.
struct Trunks {
    start: Vec<usize>,
    len: Vec<usize>,
    total: usize,
}

impl Trunks {
    fn new(layer: &[usize], edges: &[(usize, usize)]) -> Self {
        let n = layer.len();
        let mut len = vec![0; n];
        for &(u, v) in edges {
            len[u] = len[u].max((layer[v] - layer[u]).saturating_sub(1));
        }
        // Many distinct long edges (e.g. every step of a long loop reading its own input)
        // could need quadratically many dummies. Past a budget, the longest trunks are
        // dropped and their edges drawn straight. u64: wasm32 would overflow usize.
        let budget = ((n + edges.len()) as u64 * 2).max(100_000);
        let wanted: u64 = len.iter().map(|&l| l as u64).sum();
        if wanted > budget {
            let mut by_len: Vec<usize> = (0..n).filter(|&u| len[u] > 0).collect();
            by_len.sort_by_key(|&u| len[u]);
            let mut used = 0u64;
            for u in by_len {
                if used + len[u] as u64 <= budget {
                    used += len[u] as u64;
                } else {
                    len[u] = 0;
                }
            }
        }
        let mut start = Vec::with_capacity(n);
        let mut next = n;
        for &l in &len {
            start.push(next);
            next += l;
        }
        Trunks {
            start,
            len,
            total: next - n,
        }
    }

    /// The dummy of u's trunk in layer `layer[u] + j`, for `1 <= j <= len[u]`.
    fn dummy(&self, u: usize, j: usize) -> usize {
        self.start[u] + j - 1
    }
}

/// The proper layered graph: real nodes `0..n`, then dummies. Every segment joins adjacent
/// layers; parallel segments (x*x, shared trunks) are merged.
struct Graph {
    n: usize,
    layer: Vec<usize>,
    up_start: Vec<usize>,
    up: Vec<usize>,
    down_start: Vec<usize>,
    down: Vec<usize>,
}

impl Graph {
    fn new(real_layer: &[usize], edges: &[(usize, usize)], trunks: &Trunks) -> Self {
        let n = real_layer.len();
        let total = n + trunks.total;
        let mut layer = real_layer.to_vec();
        layer.resize(total, 0);
        for u in 0..n {
            for j in 1..=trunks.len[u] {
                layer[trunks.dummy(u, j)] = real_layer[u] + j;
            }
        }
        // Upper neighbours in input order, so the initial DFS keeps operands in reading order.
        let mut up_start = Vec::with_capacity(total + 1);
        let mut up = Vec::with_capacity(edges.len() + trunks.total);
        let mut seen = vec![NONE; total];
        let mut e = 0;
        for v in 0..n {
            up_start.push(up.len());
            while e < edges.len() && edges[e].1 == v {
                let u = edges[e].0;
                e += 1;
                let span = layer[v] - layer[u];
                let p = if span == 1 {
                    u
                } else if trunks.len[u] > 0 {
                    trunks.dummy(u, span - 1)
                } else {
                    continue; // over the dummy budget: drawn straight, no segment
                };
                if seen[p] != v {
                    seen[p] = v;
                    up.push(p);
                }
            }
        }
        for u in 0..n {
            for j in 1..=trunks.len[u] {
                up_start.push(up.len());
                up.push(if j == 1 { u } else { trunks.dummy(u, j - 1) });
            }
        }
        up_start.push(up.len());
        // Lower neighbours: counting sort of the upper lists.
        let mut down_start = vec![0; total + 1];
        for &p in &up {
            down_start[p + 1] += 1;
        }
        for i in 0..total {
            down_start[i + 1] += down_start[i];
        }
        let mut fill = down_start.clone();
        let mut down = vec![0; up.len()];
        for v in 0..total {
            for &p in &up[up_start[v]..up_start[v + 1]] {
                down[fill[p]] = v;
                fill[p] += 1;
            }
        }
        Graph {
            n,
            layer,
            up_start,
            up,
            down_start,
            down,
        }
    }

    fn len(&self) -> usize {
        self.layer.len()
    }

    fn is_dummy(&self, v: usize) -> bool {
        v >= self.n
    }

    /// Neighbours in the previous layer.
    fn ups(&self, v: usize) -> &[usize] {
        &self.up[self.up_start[v]..self.up_start[v + 1]]
    }

    /// Neighbours in the next layer.
    fn downs(&self, v: usize) -> &[usize] {
        &self.down[self.down_start[v]..self.down_start[v + 1]]
    }
}

/// Order of the nodes in each layer: `order[start[k]..start[k + 1]]` is layer k, top to
/// bottom, and `pos[v]` is v's index inside its layer.
struct Ordering {
    start: Vec<usize>,
    order: Vec<usize>,
    pos: Vec<usize>,
}

impl Ordering {
    /// Depth-first search from the sinks towards the inputs: expression trees start out
    /// planar, with operands in reading order (first operand on top).
    fn initial(g: &Graph, layers: usize) -> Self {
        let total = g.len();
        let mut start = vec![0; layers + 1];
        for &l in &g.layer {
            start[l + 1] += 1;
        }
        for k in 0..layers {
            start[k + 1] += start[k];
        }
        let mut next = start.clone();
        let mut order = vec![0; total];
        let mut pos = vec![0; total];
        let mut placed = vec![false; total];
        let mut stack = Vec::new();
        // Every node is above some sink; the trailing `0..total` is only a safety net.
        let sinks = (0..total).filter(|&v| g.downs(v).is_empty());
        for s in sinks.chain(0..total) {
            stack.push(s);
            while let Some(v) = stack.pop() {
                if placed[v] {
                    continue;
                }
                placed[v] = true;
                let k = g.layer[v];
                order[next[k]] = v;
                pos[v] = next[k] - start[k];
                next[k] += 1;
                stack.extend(g.ups(v).iter().rev().filter(|&&p| !placed[p]));
            }
        }
        Ordering { start, order, pos }
    }

    fn layers(&self) -> usize {
        self.start.len() - 1
    }

    fn layer(&self, k: usize) -> &[usize] {
        &self.order[self.start[k]..self.start[k + 1]]
    }

    fn refresh_pos(&mut self) {
        for k in 0..self.layers() {
            for i in self.start[k]..self.start[k + 1] {
                self.pos[self.order[i]] = i - self.start[k];
            }
        }
    }
}

// ---------------------------------------------------------------- crossing reduction

/// Barycenter sweeps (down, up, down, ...) with transposition; keeps the best order seen.
fn reduce_crossings(g: &Graph, ord: &mut Ordering, sweeps: usize) {
    let layers = ord.layers();
    let mut scratch = Scratch::default();
    let mut best = ord.order.clone();
    let mut best_count = total_crossings(g, ord, &mut scratch);
    for sweep in 0..sweeps {
        if best_count == 0 {
            break;
        }
        if sweep % 2 == 0 {
            for k in 1..layers {
                barycenter_sort(g, ord, k, true, &mut scratch);
                transpose(g, ord, k, &mut scratch);
            }
        } else {
            for k in (0..layers.saturating_sub(1)).rev() {
                barycenter_sort(g, ord, k, false, &mut scratch);
                transpose(g, ord, k, &mut scratch);
            }
        }
        let count = total_crossings(g, ord, &mut scratch);
        if count < best_count {
            best_count = count;
            best.copy_from_slice(&ord.order);
        }
    }
    ord.order = best;
    ord.refresh_pos();
}

/// Reusable buffers, so sweeps over 100,000 tiny layers do not allocate.
#[derive(Default)]
struct Scratch {
    a: Vec<usize>,
    b: Vec<usize>,
    keys: Vec<(f64, usize)>,
}

/// Crossing counts are u64: a dense 100,000-node graph overflows wasm32's usize.
fn total_crossings(g: &Graph, ord: &Ordering, s: &mut Scratch) -> u64 {
    (0..ord.layers().saturating_sub(1))
        .map(|k| crossings_between(g, ord, k, s))
        .sum()
}

/// Exact number of crossing segment pairs between layers k and k+1: list the segments by
/// (upper, lower) position and count inversions of the lower positions with a Fenwick tree.
fn crossings_between(g: &Graph, ord: &Ordering, k: usize, s: &mut Scratch) -> u64 {
    let seq = &mut s.a;
    seq.clear();
    for &v in ord.layer(k) {
        let from = seq.len();
        seq.extend(g.downs(v).iter().map(|&w| ord.pos[w]));
        seq[from..].sort_unstable();
    }
    let tree = &mut s.b;
    tree.clear();
    tree.resize(ord.layer(k + 1).len() + 1, 0);
    let mut count = 0;
    for (i, &p) in seq.iter().enumerate() {
        count += (i - fenwick_sum(tree, p + 1)) as u64; // earlier segments ending further down
        fenwick_add(tree, p + 1);
    }
    count
}

/// Adds one at 1-based index `i`.
fn fenwick_add(tree: &mut [usize], mut i: usize) {
    while i < tree.len() {
        tree[i] += 1;
        i += i & i.wrapping_neg();
    }
}

/// Sum over 1-based indices `1..=i`.
fn fenwick_sum(tree: &[usize], mut i: usize) -> usize {
    let mut sum = 0;
    while i > 0 {
        sum += tree[i];
        i &= i - 1;
    }
    sum
}

/// Sorts layer k by the mean position of its neighbours in the previous layer (`downward`)
/// or the next one. Nodes without such neighbours keep their position; ties keep the order.
fn barycenter_sort(g: &Graph, ord: &mut Ordering, k: usize, downward: bool, s: &mut Scratch) {
    let keys = &mut s.keys;
    keys.clear();
    for &v in ord.layer(k) {
        let nbrs = if downward { g.ups(v) } else { g.downs(v) };
        let key = if nbrs.is_empty() {
            ord.pos[v] as f64
        } else {
            nbrs.iter().map(|&w| ord.pos[w] as f64).sum::<f64>() / nbrs.len() as f64
        };
        keys.push((key, v));
    }
    keys.sort_by(|a, b| a.0.total_cmp(&b.0)); // stable
    let first = ord.start[k];
    for (i, &(_, v)) in keys.iter().enumerate() {
        ord.order[first + i] = v;
        ord.pos[v] = i;
    }
}

/// Swaps adjacent nodes of layer k while that lowers the crossings with both neighbour layers.
fn transpose(g: &Graph, ord: &mut Ordering, k: usize, s: &mut Scratch) {
    let (first, end) = (ord.start[k], ord.start[k + 1]);
    if end - first < 2 {
        return;
    }
    let edges: usize = ord
        .layer(k)
        .iter()
        .map(|&v| g.ups(v).len() + g.downs(v).len())
        .sum();
    if edges > TRANSPOSE_MAX_EDGES {
        return;
    }
    for _ in 0..TRANSPOSE_MAX_PASSES {
        let mut improved = false;
        for i in first..end - 1 {
            let (u, v) = (ord.order[i], ord.order[i + 1]);
            let (keep_up, swap_up) = pair_crossings(g.ups(u), g.ups(v), &ord.pos, s);
            let (keep_down, swap_down) = pair_crossings(g.downs(u), g.downs(v), &ord.pos, s);
            if swap_up + swap_down < keep_up + keep_down {
                ord.order.swap(i, i + 1);
                ord.pos[u] += 1;
                ord.pos[v] -= 1;
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
}

/// Crossings among the segments of u and v to one neighbour layer, with u above v and
/// with v above u.
fn pair_crossings(nu: &[usize], nv: &[usize], pos: &[usize], s: &mut Scratch) -> (usize, usize) {
    let (a, b) = (&mut s.a, &mut s.b);
    a.clear();
    a.extend(nu.iter().map(|&w| pos[w]));
    a.sort_unstable();
    b.clear();
    b.extend(nv.iter().map(|&w| pos[w]));
    b.sort_unstable();
    let (mut u_above, mut v_above) = (0, 0);
    let (mut below, mut not_above) = (0, 0);
    for &p in a.iter() {
        while below < b.len() && b[below] < p {
            below += 1;
        }
        while not_above < b.len() && b[not_above] <= p {
            not_above += 1;
        }
        u_above += below; // v's segment ends above u's: they cross if u is above v
        v_above += b.len() - not_above;
    }
    (u_above, v_above)
}

// ---------------------------------------------------------------- coordinates

/// For each node, its partner in the previous and next layer of its block (or NONE).
struct Alignment {
    up: Vec<usize>,
    down: Vec<usize>,
}

/// y of every node (real and dummy) before the final shift.
fn assign_y(g: &Graph, ord: &Ordering) -> Vec<f64> {
    let total = g.len();
    let mut align = vertical_alignment(g, ord);
    let mut root = block_roots(ord, &align);
    let mut yb = match compact(ord, &root) {
        Some(y) => y,
        None => {
            // Non-crossing alignments give an acyclic block graph; this is a safety net.
            align.up.fill(NONE);
            align.down.fill(NONE);
            root = (0..total).collect();
            compact(ord, &root).unwrap_or_else(|| vec![0.0; total])
        }
    };
    let blocks: Vec<usize> = ord.order.iter().copied().filter(|&v| root[v] == v).collect();
    for pass in 0..BALANCE_PASSES {
        // Alternate directions so that blocks blocked by a neighbour get another chance.
        if pass % 2 == 0 {
            for &b in &blocks {
                move_block(g, ord, &align, &root, &mut yb, b);
            }
        } else {
            for &b in blocks.iter().rev() {
                move_block(g, ord, &align, &root, &mut yb, b);
            }
        }
    }
    root.iter().map(|&r| yb[r]).collect()
}

/// Aligns nodes with an upper neighbour into blocks that will be drawn straight. Segments
/// between dummies go first (long edges straight), then every other node tries its median
/// upper neighbours. Aligned segments never cross, so the blocks can be ordered.
fn vertical_alignment(g: &Graph, ord: &Ordering) -> Alignment {
    let total = g.len();
    let mut align = Alignment {
        up: vec![NONE; total],
        down: vec![NONE; total],
    };
    let mut ups: Vec<usize> = Vec::new();
    let mut right_bound: Vec<usize> = Vec::new();
    for k in 1..ord.layers() {
        let layer = ord.layer(k);
        let mut last = None;
        for &v in layer {
            if !g.is_dummy(v) {
                continue;
            }
            if let Some(&u) = g.ups(v).first() {
                if g.is_dummy(u) && last.is_none_or(|l| ord.pos[u] > l) {
                    align.up[v] = u;
                    align.down[u] = v;
                    last = Some(ord.pos[u]);
                }
            }
        }
        // right_bound[i]: smallest upper position aligned to a node below position i.
        right_bound.clear();
        right_bound.resize(layer.len() + 1, usize::MAX);
        for i in (0..layer.len()).rev() {
            let u = align.up[layer[i]];
            right_bound[i] = right_bound[i + 1];
            if u != NONE {
                right_bound[i] = right_bound[i].min(ord.pos[u]);
            }
        }
        let mut left: Option<usize> = None;
        for (i, &v) in layer.iter().enumerate() {
            if align.up[v] != NONE {
                left = Some(ord.pos[align.up[v]]);
                continue;
            }
            ups.clear();
            ups.extend_from_slice(g.ups(v));
            if ups.is_empty() {
                continue;
            }
            ups.sort_by_key(|&u| ord.pos[u]);
            let d = ups.len();
            for m in [(d - 1) / 2, d / 2] {
                let u = ups[m];
                let p = ord.pos[u];
                if align.down[u] == NONE && left.is_none_or(|l| p > l) && p < right_bound[i + 1] {
                    align.up[v] = u;
                    align.down[u] = v;
                    left = Some(p);
                    break;
                }
            }
        }
    }
    align
}

/// The top node of each node's block. `order` is layer by layer, so partners come first.
fn block_roots(ord: &Ordering, align: &Alignment) -> Vec<usize> {
    let mut root: Vec<usize> = (0..ord.order.len()).collect();
    for &v in &ord.order {
        if align.up[v] != NONE {
            root[v] = root[align.up[v]];
        }
    }
    root
}

/// Places blocks (y indexed by root) at the mean of their top-packed and bottom-packed
/// positions: longest paths in the block graph, whose edges join consecutive nodes of a
/// layer. `None` if that graph has a cycle.
fn compact(ord: &Ordering, root: &[usize]) -> Option<Vec<f64>> {
    let total = root.len();
    let mut out_start = vec![0; total + 1];
    for k in 0..ord.layers() {
        for w in ord.layer(k).windows(2) {
            out_start[root[w[0]] + 1] += 1;
        }
    }
    for i in 0..total {
        out_start[i + 1] += out_start[i];
    }
    let mut fill = out_start.clone();
    let mut out = vec![0; out_start[total]];
    let mut indegree = vec![0usize; total];
    for k in 0..ord.layers() {
        for w in ord.layer(k).windows(2) {
            let (a, b) = (root[w[0]], root[w[1]]);
            out[fill[a]] = b;
            fill[a] += 1;
            indegree[b] += 1;
        }
    }
    // Kahn's algorithm over the block roots.
    let mut topo: Vec<usize> = (0..total).filter(|&v| root[v] == v && indegree[v] == 0).collect();
    let mut head = 0;
    while head < topo.len() {
        let b = topo[head];
        head += 1;
        for &c in &out[out_start[b]..out_start[b + 1]] {
            indegree[c] -= 1;
            if indegree[c] == 0 {
                topo.push(c);
            }
        }
    }
    if topo.len() != (0..total).filter(|&v| root[v] == v).count() {
        return None;
    }
    let mut top = vec![0.0f64; total];
    for &b in &topo {
        for &c in &out[out_start[b]..out_start[b + 1]] {
            top[c] = top[c].max(top[b] + NODE_SPACING);
        }
    }
    let mut bottom = vec![0.0f64; total];
    for &b in topo.iter().rev() {
        for &c in &out[out_start[b]..out_start[b + 1]] {
            bottom[b] = bottom[b].min(bottom[c] - NODE_SPACING);
        }
    }
    Some(top.iter().zip(&bottom).map(|(t, b)| (t + b) / 2.0).collect())
}

/// Moves block `b` towards the mean y of its neighbours outside the block, within the room
/// left by the nodes next to it in its layers, so order and spacing are kept.
fn move_block(g: &Graph, ord: &Ordering, align: &Alignment, root: &[usize], yb: &mut [f64], b: usize) {
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    let (mut sum, mut count) = (0.0, 0usize);
    let mut w = b;
    while w != NONE {
        let layer = ord.layer(g.layer[w]);
        let p = ord.pos[w];
        if p > 0 {
            lo = lo.max(yb[root[layer[p - 1]]] + NODE_SPACING);
        }
        if p + 1 < layer.len() {
            hi = hi.min(yb[root[layer[p + 1]]] - NODE_SPACING);
        }
        for &a in g.ups(w) {
            if a != align.up[w] {
                sum += yb[root[a]];
                count += 1;
            }
        }
        for &c in g.downs(w) {
            if c != align.down[w] {
                sum += yb[root[c]];
                count += 1;
            }
        }
        w = align.down[w];
    }
    if count > 0 && lo <= hi {
        yb[b] = (sum / count as f64).max(lo).min(hi);
    }
}

// ---------------------------------------------------------------- output

/// Which dummies of a long edge become points of its polyline.
#[derive(Clone, Copy, PartialEq)]
enum Bends {
    /// Every dummy: the normal case.
    All,
    /// Only dummies where the trunk changes direction (huge graphs).
    Corners,
    /// First and last dummy only (pathological graphs).
    Ends,
}

fn build_layout(
    g: &Graph,
    edges: &[(usize, usize)],
    trunks: &Trunks,
    mut y: Vec<f64>,
    layers: usize,
) -> Layout {
    let n = g.n;
    let (min_y, max_y) = y.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    });
    if !y.is_empty() {
        for v in &mut y {
            *v += MARGIN_Y - min_y;
        }
    }
    let point = |v: usize| [MARGIN_X + LAYER_SPACING * g.layer[v] as f64, y[v]];
    let nodes = (0..n)
        .map(|v| {
            let [x, y] = point(v);
            NodePos {
                layer: g.layer[v],
                x,
                y,
            }
        })
        .collect();

    // A polyline through every dummy costs O(span) points, which for x+x+...+x adds up to
    // O(layers²). Past a cap, straight runs of a trunk (blocks have one y) are skipped.
    let span = |&(u, v): &(usize, usize)| g.layer[v] - g.layer[u];
    let has_trunk = |e: &(usize, usize)| span(e) > 1 && trunks.len[e.0] > 0;
    let cap = ((n + edges.len()) as u64 * 8).max(1 << 14);
    let all: u64 = edges
        .iter()
        .map(|e| if has_trunk(e) { span(e) as u64 + 1 } else { 2 })
        .sum();
    // corner_prefix[d - n]: number of corner dummies below id d.
    let mut corner_prefix = vec![0usize; trunks.total + 1];
    let mut corners = Vec::new();
    let mut bends = Bends::All;
    if all > cap {
        for u in 0..n {
            let len = trunks.len[u];
            for j in 1..=len {
                let d = trunks.dummy(u, j);
                let prev = if j == 1 { y[u] } else { y[d - 1] };
                let straight = j < len && y[d] - prev == y[d + 1] - y[d];
                if !straight {
                    corners.push(d);
                }
                corner_prefix[d - n + 1] = corners.len();
            }
        }
        let interior = |u: usize, last: usize| {
            corner_prefix[trunks.start[u] + last - 1 - n] - corner_prefix[trunks.start[u] - n]
        };
        let with_corners: u64 = edges
            .iter()
            .map(|e| {
                if has_trunk(e) {
                    3 + interior(e.0, span(e) - 1) as u64
                } else {
                    2
                }
            })
            .sum();
        bends = if with_corners <= cap {
            Bends::Corners
        } else {
            Bends::Ends
        };
    }

    let edges = edges
        .iter()
        .map(|e| {
            let &(u, v) = e;
            let mut points = vec![point(u)];
            if has_trunk(e) {
                let last = span(e) - 1; // the edge leaves the trunk at its dummy `last`
                let (first_dummy, last_dummy) = (trunks.dummy(u, 1), trunks.dummy(u, last));
                match bends {
                    Bends::All => points.extend((first_dummy..=last_dummy).map(point)),
                    Bends::Corners => {
                        let from = corner_prefix[first_dummy - n];
                        let to = corner_prefix[last_dummy - n];
                        points.extend(corners[from..to].iter().map(|&d| point(d)));
                        points.push(point(last_dummy));
                    }
                    Bends::Ends => {
                        if last > 1 {
                            points.push(point(first_dummy));
                        }
                        points.push(point(last_dummy));
                    }
                }
            }
            points.push(point(v));
            EdgePath {
                from: u,
                to: v,
                points,
            }
        })
        .collect();

    Layout {
        layers,
        nodes,
        edges,
        width: LAYER_SPACING * layers as f64,
        height: if y.is_empty() {
            0.0
        } else {
            max_y - min_y + 2.0 * MARGIN_Y
        },
    }
}

/// Number of pairs of edge pieces that cross between adjacent layers, measured on the
/// drawing. Pieces of different edges that coincide (a shared trunk, x*x) count once;
/// pieces meeting at a node do not cross. Meant for tests: the cost grows with the total
/// number of layers the non-horizontal segments span.
pub fn crossings(layout: &Layout) -> usize {
    // Quantised so that equal coordinates compare equal after interpolation.
    let q = |y: f64| (y * 1024.0).round() as i64;
    let gap_of = |x: f64| ((x - MARGIN_X) / LAYER_SPACING).round() as i64;
    // Cut each polyline into pieces spanning one gap between adjacent layers:
    // (gap, y on the left, y on the right).
    let mut pieces: Vec<(i64, i64, i64)> = Vec::new();
    // Horizontal runs (y, first gap, end gap): overlapping ones are merged before cutting,
    // so a long straight trunk is cut once rather than once per edge.
    let mut flat: Vec<(i64, i64, i64)> = Vec::new();
    for e in &layout.edges {
        for w in e.points.windows(2) {
            let (k0, k1) = (gap_of(w[0][0]), gap_of(w[1][0]));
            let (y0, y1) = (w[0][1], w[1][1]);
            if k1 <= k0 {
                continue;
            }
            if q(y0) == q(y1) {
                flat.push((q(y0), k0, k1));
                continue;
            }
            let at = |k: i64| q(y0 + (y1 - y0) * (k - k0) as f64 / (k1 - k0) as f64);
            pieces.extend((k0..k1).map(|k| (k, at(k), at(k + 1))));
        }
    }
    flat.sort_unstable();
    let mut i = 0;
    while i < flat.len() {
        let (y, lo, mut hi) = flat[i];
        i += 1;
        while i < flat.len() && flat[i].0 == y && flat[i].1 <= hi {
            hi = hi.max(flat[i].2);
            i += 1;
        }
        pieces.extend((lo..hi).map(|k| (k, y, y)));
    }
    pieces.sort_unstable();
    pieces.dedup();
    let count: u64 = pieces.chunk_by(|a, b| a.0 == b.0).map(gap_crossings).sum();
    usize::try_from(count).unwrap_or(usize::MAX)
}

/// Pairs with left_a < left_b and right_a > right_b among pieces sorted by (left, right).
fn gap_crossings(pieces: &[(i64, i64, i64)]) -> u64 {
    let mut rights: Vec<i64> = pieces.iter().map(|p| p.2).collect();
    rights.sort_unstable();
    rights.dedup();
    let rank = |r: i64| rights.partition_point(|&x| x < r) + 1;
    let mut tree = vec![0; rights.len() + 1];
    let (mut count, mut inserted) = (0, 0);
    // Pieces with the same left end do not cross: query a group before inserting it.
    for group in pieces.chunk_by(|a, b| a.1 == b.1) {
        for p in group {
            count += (inserted - fenwick_sum(&tree, rank(p.2))) as u64;
        }
        for p in group {
            fenwick_add(&mut tree, rank(p.2));
            inserted += 1;
        }
    }
    count
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
            let initial = layout_with_sweeps(&inputs, &anchors, Some(0));
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
