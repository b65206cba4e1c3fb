//! An expression being explored: parsed once, its graph built once, then evaluated,
//! differentiated both ways, checked and laid out as the person moves its variables.

use super::SessionError;
use crate::expr::{self, ExprError, Expression, Lowered};
use crate::gradcheck;
use crate::graph::{Graph, NodeId};
use crate::layout::{self, Anchor, Layout};
use crate::ops::Op;
use crate::report::{self, NodeReport};
use serde::Serialize;
use std::collections::HashMap;

/// A parsed expression and its graph, in f64.
pub struct ExpressionSession {
    expression: Expression,
    lowered: Lowered<f64>,
}

/// The expression at one point: its value, its gradient and every node of its graph.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub value: f64,
    /// `∂f/∂x` for each variable, in order of first appearance.
    pub gradient: Vec<f64>,
    /// The output node.
    pub root: usize,
    /// The input node of each variable.
    pub inputs: Vec<usize>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "NodeReport<number>[]"))]
    pub nodes: Vec<NodeReport>,
}

/// Autodiff next to central finite differences for one variable.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct VariableCheck {
    pub variable: String,
    pub autodiff: f64,
    pub numeric: f64,
    /// `|autodiff − numeric| / max(1, |numeric|)`.
    pub error: f64,
}

impl ExpressionSession {
    /// Parses `source` and builds its graph (every variable at 0 until evaluated).
    pub fn new(source: &str) -> Result<Self, ExprError> {
        let expression = expr::parse(source)?;
        let lowered = expression.lower(&vec![0.0; expression.variables.len()]);
        Ok(ExpressionSession { expression, lowered })
    }

    pub fn expression(&self) -> &Expression {
        &self.expression
    }

    /// The variables, in order of first appearance.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.expression.variable_names()
    }

    pub fn graph(&self) -> &Graph<f64> {
        &self.lowered.graph
    }

    /// Sets the variables to `values` (in order), runs forward and backward, and reports.
    pub fn evaluate(&mut self, values: &[f64]) -> Result<Evaluation, SessionError> {
        let Lowered { graph, root, inputs } = &mut self.lowered;
        if values.len() != inputs.len() {
            return Err(SessionError::ValueCount {
                variables: self.expression.variable_names().map(String::from).collect(),
                got: values.len(),
            });
        }
        for (&id, &x) in inputs.iter().zip(values) {
            graph.set_value(id, &[x])?;
        }
        graph.forward();
        graph.backward(*root);
        Ok(Evaluation {
            value: graph.value(*root)[0],
            gradient: inputs.iter().map(|&id| graph.grad(id)[0]).collect(),
            root: root.index(),
            inputs: inputs.iter().map(|id| id.index()).collect(),
            nodes: report::nodes(graph),
        })
    }

    /// [`evaluate`](Self::evaluate) with the values given by name; a variable without one
    /// is an error pointing at its first appearance.
    pub fn evaluate_at(&mut self, at: &HashMap<String, f64>) -> Result<Evaluation, SessionError> {
        let values = self.expression.bind(at)?;
        self.evaluate(&values)
    }

    /// One step of gradient descent on the variables, `x ← x − lr · ∂f/∂x`, with the
    /// gradient of the last evaluation; returns the new values (evaluate them next).
    pub fn descend(&self, lr: f64) -> Result<Vec<f64>, SessionError> {
        if !lr.is_finite() {
            return Err(SessionError::LearningRate(lr));
        }
        let Lowered { graph, inputs, .. } = &self.lowered;
        Ok(inputs
            .iter()
            .map(|&id| graph.value(id)[0] - lr * graph.grad(id)[0])
            .collect())
    }

    /// Forward mode: seeds variable `variable` with tangent 1 and returns the tangent of
    /// every node (the derivative of each node with respect to that one variable).
    pub fn tangents(&mut self, variable: usize) -> Result<Vec<f64>, SessionError> {
        let Lowered { graph, inputs, .. } = &mut self.lowered;
        let &seed = inputs.get(variable).ok_or(SessionError::NoVariable {
            index: variable,
            count: inputs.len(),
        })?;
        graph.jvp(&[(seed, &[1.0])])?;
        Ok((0..graph.len())
            .map(|i| graph.tangent(NodeId(i as u32))[0])
            .collect())
    }

    /// Autodiff next to central finite differences, one row per variable, at the values of
    /// the last evaluation.
    pub fn gradcheck(&mut self) -> Vec<VariableCheck> {
        let Lowered { graph, root, inputs } = &mut self.lowered;
        gradcheck::check(graph, *root, inputs)
            .iter()
            .zip(self.expression.variable_names())
            .map(|(c, name)| VariableCheck {
                variable: name.to_string(),
                autodiff: c.autodiff,
                numeric: c.numeric,
                error: c.error(),
            })
            .collect()
    }

    /// Node positions and edge paths for drawing, left to right (see [`layout_of`]).
    pub fn layout(&self) -> Layout {
        layout_of(&self.lowered.graph)
    }
}

/// The layout policy for a computation graph: inputs on the left, the output on the
/// right, and each constant beside the op that uses it rather than among the inputs,
/// where it would read as a variable.
pub fn layout_of(graph: &Graph<f64>) -> Layout {
    let inputs: Vec<Vec<usize>> = graph
        .nodes()
        .iter()
        .map(|n| n.op.inputs().iter().map(|x| x.index()).collect())
        .collect();
    let anchors: Vec<Anchor> = graph
        .nodes()
        .iter()
        .map(|n| match n.op {
            Op::Constant => Anchor::NearConsumer,
            _ => Anchor::Left,
        })
        .collect();
    layout::layout(&inputs, &anchors)
}
