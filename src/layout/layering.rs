//! Phases 1 and 2: layers for the nodes, and dummy nodes that cut long edges into
//! segments between adjacent layers (shared trunks for edges leaving one node).

use super::{Anchor, NONE};
use std::collections::HashMap;

/// Longest-path layering, then ops pulled right towards their consumers; NearConsumer
/// sources go one layer before their earliest consumer.
pub(super) fn assign_layers(
    n: usize,
    edges: &[(usize, usize)],
    anchors: &[Anchor],
    after: &[After],
) -> Vec<usize> {
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
    let mut e = 0;
    let mut band_end: HashMap<(usize, usize), usize> = HashMap::new();
    for v in 0..n {
        // A node kept right of a band of earlier nodes (the loop iteration before its own)
        // starts one layer past the band's last.
        if let Some(&After::Band { start, end }) = after.get(v) {
            // An empty band, or one not wholly before v, constrains nothing.
            if start < end && end <= v {
                let last = *band_end
                    .entry((start, end))
                    .or_insert_with(|| layer[start..end].iter().copied().max().unwrap_or(0));
                layer[v] = layer[v].max(last + 1);
            }
        }
        while e < edges.len() && edges[e].1 == v {
            let u = edges[e].0;
            let below = if floating[u] { 0 } else { layer[u] };
            layer[v] = layer[v].max(below + 1);
            e += 1;
        }
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
            // Nodes in bands stay in them: pulled right, a node could leave its band.
            if first_consumer[v] != usize::MAX && matches!(after.get(v), None | Some(After::Free)) {
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

/// Whether a node must sit right of a band of earlier nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum After {
    /// Placed by its edges alone (and pulled right towards its consumers).
    Free,
    /// Right of every node `start..end` (all before it), and not pulled right out of its
    /// place: a loop iteration's nodes after the iteration before.
    Band { start: usize, end: usize },
    /// In a band itself (the first iteration): not pulled right, so it stays in its band.
    Pinned,
}

/// The dummies of the long edges leaving node u: `len[u]` of them, in layers
/// `layer[u] + 1 ..= layer[u] + len[u]`, with ids from `start[u]` on.
pub(super) struct Trunks {
    pub(super) start: Vec<usize>,
    pub(super) len: Vec<usize>,
    pub(super) total: usize,
}

impl Trunks {
    pub(super) fn new(layer: &[usize], edges: &[(usize, usize)]) -> Self {
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
    pub(super) fn dummy(&self, u: usize, j: usize) -> usize {
        self.start[u] + j - 1
    }
}

/// The proper layered graph: real nodes `0..n`, then dummies. Every segment joins adjacent
/// layers; parallel segments (x*x, shared trunks) are merged.
pub(super) struct Graph {
    pub(super) n: usize,
    pub(super) layer: Vec<usize>,
    pub(super) up_start: Vec<usize>,
    pub(super) up: Vec<usize>,
    pub(super) down_start: Vec<usize>,
    pub(super) down: Vec<usize>,
}

impl Graph {
    pub(super) fn new(real_layer: &[usize], edges: &[(usize, usize)], trunks: &Trunks) -> Self {
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

    pub(super) fn len(&self) -> usize {
        self.layer.len()
    }

    pub(super) fn is_dummy(&self, v: usize) -> bool {
        v >= self.n
    }

    /// Neighbours in the previous layer.
    pub(super) fn ups(&self, v: usize) -> &[usize] {
        &self.up[self.up_start[v]..self.up_start[v + 1]]
    }

    /// Neighbours in the next layer.
    pub(super) fn downs(&self, v: usize) -> &[usize] {
        &self.down[self.down_start[v]..self.down_start[v + 1]]
    }
}
