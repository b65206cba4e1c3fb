//! `Expression`: the playground's handle on an expression session.

use super::{parse_error, session_error, to_js};
use crate::session::ExpressionSession;
use wasm_bindgen::prelude::*;

/// A parsed expression and its graph: the page's handle on an [`ExpressionSession`].
#[wasm_bindgen]
pub struct Expression {
    session: ExpressionSession,
}

#[wasm_bindgen]
impl Expression {
    /// Parses `source`. Throws a `ParseError` (with `start`, `end`) for bad text.
    #[wasm_bindgen(constructor)]
    pub fn new(source: &str) -> Result<Expression, JsValue> {
        let session = ExpressionSession::new(source).map_err(|e| parse_error(&e))?;
        Ok(Expression { session })
    }

    #[wasm_bindgen(getter)]
    pub fn source(&self) -> String {
        self.session.expression().source.clone()
    }

    /// The variables, in order of first appearance.
    #[wasm_bindgen(getter)]
    pub fn variables(&self) -> Vec<String> {
        self.session.variables().map(String::from).collect()
    }

    /// Sets the variables to `values` (in order), runs the forward and backward passes
    /// and returns every node with its value, gradient and edges.
    #[wasm_bindgen(unchecked_return_type = "Evaluation")]
    pub fn evaluate(&mut self, values: &[f64]) -> Result<JsValue, JsValue> {
        let evaluation = self.session.evaluate(values).map_err(session_error)?;
        to_js(&evaluation)
    }

    /// One step of gradient descent on the variables, `x ← x − lr · ∂f/∂x`, with the
    /// gradient of the last `evaluate`; returns the new values (call `evaluate` with them).
    pub fn descend(&self, lr: f64) -> Result<Vec<f64>, JsValue> {
        self.session.descend(lr).map_err(session_error)
    }

    /// Node positions and edge paths for drawing, left to right.
    #[wasm_bindgen(unchecked_return_type = "Layout")]
    pub fn layout(&self) -> Result<JsValue, JsValue> {
        to_js(&self.session.layout())
    }

    /// Forward mode: seeds variable `variable` with tangent 1 and returns the tangent of
    /// every node (the derivative of each node with respect to that one variable).
    pub fn tangents(&mut self, variable: usize) -> Result<Vec<f64>, JsValue> {
        self.session.tangents(variable).map_err(session_error)
    }

    /// Autodiff next to central finite differences, one row per variable, at the values
    /// of the last `evaluate`.
    #[wasm_bindgen(unchecked_return_type = "VariableCheck[]")]
    pub fn gradcheck(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.session.gradcheck())
    }
}
