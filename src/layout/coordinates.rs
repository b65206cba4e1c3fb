//! Phase 4: y coordinates. Nodes aligned with a median neighbour form straight blocks,
//! blocks are compacted, then pulled towards their neighbours.

use super::layering::Graph;
use super::ordering::Ordering;
use super::{BALANCE_PASSES, NODE_SPACING, NONE};

/// For each node, its partner in the previous and next layer of its block (or NONE).
pub(super) struct Alignment {
    pub(super) up: Vec<usize>,
    pub(super) down: Vec<usize>,
}

/// y of every node (real and dummy) before the final shift.
pub(super) fn assign_y(g: &Graph, ord: &Ordering) -> Vec<f64> {
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
pub(super) fn vertical_alignment(g: &Graph, ord: &Ordering) -> Alignment {
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
pub(super) fn block_roots(ord: &Ordering, align: &Alignment) -> Vec<usize> {
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
pub(super) fn compact(ord: &Ordering, root: &[usize]) -> Option<Vec<f64>> {
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
pub(super) fn move_block(
    g: &Graph,
    ord: &Ordering,
    align: &Alignment,
    root: &[usize],
    yb: &mut [f64],
    b: usize,
) {
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
