//! Optimisers with PyTorch's conventions, updating parameters in place. State buffers are
//! allocated once, so a step allocates nothing.

use crate::graph::{Graph, NodeId};
use crate::tensor::Real;
use serde::{Deserialize, Serialize};

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// `w ← w − lr·g`
    Sgd,
    /// `v ← μ·v + g; w ← w − lr·v`
    Momentum,
    /// Adam with β1 = 0.9, β2 = 0.999, ε = 1e-8, bias-corrected.
    Adam,
}

#[derive(Clone, Debug)]
pub struct Optimizer<T> {
    pub kind: OptimizerKind,
    pub momentum: f64,
    /// First moment (momentum's velocity), per parameter.
    m: Vec<Vec<T>>,
    /// Second moment (Adam), per parameter.
    v: Vec<Vec<T>>,
    /// Steps taken, for Adam's bias correction.
    t: i32,
}

impl<T: Real> Optimizer<T> {
    pub fn new(kind: OptimizerKind, momentum: f64, graph: &Graph<T>) -> Self {
        let zeros: Vec<Vec<T>> = graph
            .parameters()
            .map(|id| vec![T::zero(); graph.value(id).len()])
            .collect();
        Optimizer {
            kind,
            momentum,
            m: zeros.clone(),
            v: zeros,
            t: 0,
        }
    }

    /// Forgets the moments and the step count, as after a restart: after a divergence
    /// they hold infinities that would poison the restored weights at the next update.
    pub fn reset(&mut self) {
        self.m
            .iter_mut()
            .chain(&mut self.v)
            .for_each(|b| b.fill(T::zero()));
        self.t = 0;
    }

    /// The first and second moments, per parameter, and the step count.
    pub fn moments(&self) -> (&[Vec<T>], &[Vec<T>], i32) {
        (&self.m, &self.v, self.t)
    }

    /// Takes over moments computed elsewhere (by the GPU) for the same parameters.
    pub fn set_moments(&mut self, m: &[Vec<T>], v: &[Vec<T>], t: i32) {
        for (dst, src) in self.m.iter_mut().zip(m).chain(self.v.iter_mut().zip(v)) {
            dst.copy_from_slice(src);
        }
        self.t = t;
    }

    /// One update of every parameter of `graph` from its current gradient.
    pub fn step(&mut self, graph: &mut Graph<T>, params: &[NodeId], lr: f64) {
        self.t += 1;
        let lr = T::of(lr);
        let mu = T::of(self.momentum);
        let (b1, b2, eps) = (T::of(0.9), T::of(0.999), T::of(1e-8));
        let (c1, c2) = (T::one() - b1.powi(self.t), T::one() - b2.powi(self.t));
        for (i, &id) in params.iter().enumerate() {
            let (w, g) = graph.value_and_grad_mut(id);
            match self.kind {
                OptimizerKind::Sgd => {
                    for (w, &g) in w.iter_mut().zip(g) {
                        *w -= lr * g;
                    }
                }
                OptimizerKind::Momentum => {
                    for ((w, &g), v) in w.iter_mut().zip(g).zip(&mut self.m[i]) {
                        *v = mu * *v + g;
                        *w -= lr * *v;
                    }
                }
                OptimizerKind::Adam => {
                    for (((w, &g), m), v) in w.iter_mut().zip(g).zip(&mut self.m[i]).zip(&mut self.v[i]) {
                        *m = b1 * *m + (T::one() - b1) * g;
                        *v = b2 * *v + (T::one() - b2) * g * g;
                        *w -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
                    }
                }
            }
        }
    }
}
