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
    /// Adam with [`ADAM`]'s constants, bias-corrected.
    Adam,
}

/// Adam's constants: the decay rates of its first and second moments, and the ε that keeps
/// its denominator away from zero.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamConstants<T> {
    pub beta1: T,
    pub beta2: T,
    pub epsilon: T,
}

/// PyTorch's defaults, the one definition for this optimiser and for steps taken on another
/// device.
pub const ADAM: AdamConstants<f64> = AdamConstants {
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
};

impl AdamConstants<f64> {
    /// The constants in `T`, rounded once from these.
    pub fn of<T: Real>(self) -> AdamConstants<T> {
        AdamConstants {
            beta1: T::of(self.beta1),
            beta2: T::of(self.beta2),
            epsilon: T::of(self.epsilon),
        }
    }
}

impl<T: Real> AdamConstants<T> {
    /// The bias corrections `1 − β1^t` and `1 − β2^t` of step `t` (counted from 1).
    pub fn corrections(&self, t: i32) -> (T, T) {
        (T::one() - self.beta1.powi(t), T::one() - self.beta2.powi(t))
    }
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

    /// Takes over moments computed elsewhere (on another device) for the same parameters.
    pub fn set_moments(&mut self, m: &[Vec<T>], v: &[Vec<T>], t: i32) {
        for (dst, src) in self.m.iter_mut().zip(m).chain(self.v.iter_mut().zip(v)) {
            dst.copy_from_slice(src);
        }
        self.t = t;
    }

    /// One update of every parameter of `graph` from its current gradient.
    pub fn step(&mut self, graph: &mut Graph<T>, params: &[NodeId], lr: f64) {
        self.t += 1;
        let rule = Rule::new(self.kind, lr, self.momentum, self.t);
        for (i, &id) in params.iter().enumerate() {
            let (w, g) = graph.value_and_grad_mut(id);
            rule.update(w, g, &mut self.m[i], &mut self.v[i]);
        }
    }

    /// The change the next `step` would make to each parameter if the gradients were the
    /// current ones (the page's "update it will get"), without making it: per parameter,
    /// `Δw`, by the very same arithmetic as `step` (applied to zeros, on copies of the moments).
    pub fn preview(&self, graph: &Graph<T>, params: &[NodeId], lr: f64) -> Vec<Vec<T>> {
        let rule = Rule::new(self.kind, lr, self.momentum, self.t + 1);
        (params.iter().enumerate())
            .map(|(i, &id)| {
                let g = graph.grad(id);
                let mut delta = vec![T::zero(); g.len()];
                rule.update(&mut delta, g, &mut self.m[i].clone(), &mut self.v[i].clone());
                delta
            })
            .collect()
    }
}

/// One step's update rule, with its constants for step `t`.
struct Rule<T> {
    kind: OptimizerKind,
    lr: T,
    mu: T,
    adam: AdamConstants<T>,
    /// Adam's bias corrections for step `t`.
    corrections: (T, T),
}

impl<T: Real> Rule<T> {
    fn new(kind: OptimizerKind, lr: f64, momentum: f64, t: i32) -> Self {
        let adam = ADAM.of::<T>();
        Rule {
            kind,
            lr: T::of(lr),
            mu: T::of(momentum),
            corrections: adam.corrections(t),
            adam,
        }
    }

    /// Updates the weights `w` from their gradient `g`, and the moments `m`, `v` with them.
    fn update(&self, w: &mut [T], g: &[T], m: &mut [T], v: &mut [T]) {
        let Rule { lr, mu, .. } = *self;
        let AdamConstants {
            beta1: b1,
            beta2: b2,
            epsilon: eps,
        } = self.adam;
        let (c1, c2) = self.corrections;
        match self.kind {
            OptimizerKind::Sgd => {
                for (w, &g) in w.iter_mut().zip(g) {
                    *w -= lr * g;
                }
            }
            OptimizerKind::Momentum => {
                for ((w, &g), v) in w.iter_mut().zip(g).zip(m) {
                    *v = mu * *v + g;
                    *w -= lr * *v;
                }
            }
            OptimizerKind::Adam => {
                for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m).zip(v) {
                    *m = b1 * *m + (T::one() - b1) * g;
                    *v = b2 * *v + (T::one() - b2) * g * g;
                    *w -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::{Shape, Tensor};

    #[test]
    fn the_preview_is_the_change_step_makes_from_the_same_gradients() {
        for kind in [OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Adam] {
            let mut g = Graph::<f32>::new();
            let w = g.parameter("w", Tensor::new(Shape::vector(3), vec![0.5, -1.0, 2.0]).unwrap());
            let mut opt = Optimizer::new(kind, 0.9, &g);
            for round in 0..4 {
                let grad = [0.25 * round as f32 - 0.3, 1.5, -0.01];
                g.set_grad(w, &grad).unwrap();
                let before = g.value(w).to_vec();
                let preview = opt.preview(&g, &[w], 0.1);
                opt.step(&mut g, &[w], 0.1);
                let moved: Vec<f32> = before.iter().zip(&preview[0]).map(|(w, d)| w + d).collect();
                assert_eq!(g.value(w), &moved[..], "{kind:?} round {round}");
            }
        }
    }
}
