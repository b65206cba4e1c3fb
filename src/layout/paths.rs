//! The drawing: node centres and the polyline of every edge through its dummies, and a
//! crossing count measured on the drawing (for tests).

use super::layering::{Graph, Trunks};
use super::ordering::{fenwick_add, fenwick_sum};
use super::{EdgePath, Layout, NodePos, LAYER_SPACING, MARGIN_X, MARGIN_Y};

/// Which dummies of a long edge become points of its polyline.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Bends {
    /// Every dummy: the normal case.
    All,
    /// Only dummies where the trunk changes direction (huge graphs).
    Corners,
    /// First and last dummy only (pathological graphs).
    Ends,
}

pub(super) fn build_layout(
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
pub(super) fn gap_crossings(pieces: &[(i64, i64, i64)]) -> u64 {
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
