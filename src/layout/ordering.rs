//! Phase 3: the order of the nodes within each layer, by barycenter sweeps and
//! transpositions that lower the number of crossings.

use super::layering::Graph;
use super::{TRANSPOSE_MAX_EDGES, TRANSPOSE_MAX_PASSES};

/// Order of the nodes in each layer: `order[start[k]..start[k + 1]]` is layer k, top to
/// bottom, and `pos[v]` is v's index inside its layer.
pub(super) struct Ordering {
    pub(super) start: Vec<usize>,
    pub(super) order: Vec<usize>,
    pub(super) pos: Vec<usize>,
}

impl Ordering {
    /// Depth-first search from the sinks towards the inputs: expression trees start out
    /// planar, with operands in reading order (first operand on top).
    pub(super) fn initial(g: &Graph, layers: usize) -> Self {
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

    pub(super) fn layers(&self) -> usize {
        self.start.len() - 1
    }

    pub(super) fn layer(&self, k: usize) -> &[usize] {
        &self.order[self.start[k]..self.start[k + 1]]
    }

    pub(super) fn refresh_pos(&mut self) {
        for k in 0..self.layers() {
            for i in self.start[k]..self.start[k + 1] {
                self.pos[self.order[i]] = i - self.start[k];
            }
        }
    }
}

/// Barycenter sweeps (down, up, down, ...) with transposition; keeps the best order seen.
pub(super) fn reduce_crossings(g: &Graph, ord: &mut Ordering, sweeps: usize) {
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
pub(super) struct Scratch {
    pub(super) a: Vec<usize>,
    pub(super) b: Vec<usize>,
    pub(super) keys: Vec<(f64, usize)>,
}

/// Crossing counts are u64: a dense 100,000-node graph overflows wasm32's usize.
pub(super) fn total_crossings(g: &Graph, ord: &Ordering, s: &mut Scratch) -> u64 {
    (0..ord.layers().saturating_sub(1))
        .map(|k| crossings_between(g, ord, k, s))
        .sum()
}

/// Exact number of crossing segment pairs between layers k and k+1: list the segments by
/// (upper, lower) position and count inversions of the lower positions with a Fenwick tree.
pub(super) fn crossings_between(g: &Graph, ord: &Ordering, k: usize, s: &mut Scratch) -> u64 {
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
pub(super) fn fenwick_add(tree: &mut [usize], mut i: usize) {
    while i < tree.len() {
        tree[i] += 1;
        i += i & i.wrapping_neg();
    }
}

/// Sum over 1-based indices `1..=i`.
pub(super) fn fenwick_sum(tree: &[usize], mut i: usize) -> usize {
    let mut sum = 0;
    while i > 0 {
        sum += tree[i];
        i &= i - 1;
    }
    sum
}

/// Sorts layer k by the mean position of its neighbours in the previous layer (`downward`)
/// or the next one. Nodes without such neighbours keep their position; ties keep the order.
pub(super) fn barycenter_sort(g: &Graph, ord: &mut Ordering, k: usize, downward: bool, s: &mut Scratch) {
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
pub(super) fn transpose(g: &Graph, ord: &mut Ordering, k: usize, s: &mut Scratch) {
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
pub(super) fn pair_crossings(nu: &[usize], nv: &[usize], pos: &[usize], s: &mut Scratch) -> (usize, usize) {
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
