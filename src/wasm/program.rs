//! `Program`: the page's handle on a tensor program (a [`ProgramSession`] and its last run).

use super::{error_of_kind, parse_error, session_error, set, to_js};
use crate::program::Mode;
use crate::session::program::{tensor_from_nested, Answer, JacobianReport, NestedValue};
use crate::session::{ProgramRun, ProgramSession, SessionError};
use crate::tensor::Tensor;
use serde::Serialize;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A parsed and checked program, and its last run.
#[wasm_bindgen(js_name = Program)]
pub struct JsProgram {
    session: ProgramSession,
    run: Option<ProgramRun>,
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A value given to a program: a number, a vector, or a matrix as a list of rows. */
export type TensorValue = number | number[] | number[][];
/** A run-time error of a program: its message and the byte span of what caused it. */
export interface RunError extends Error {
  kind: "run";
  start: number;
  end: number;
}
"#;

#[wasm_bindgen(js_class = Program)]
impl JsProgram {
    /// Parses and checks `source`. Throws a `ParseError` (with `start`, `end`) for bad text.
    #[wasm_bindgen(constructor)]
    pub fn new(source: &str) -> Result<JsProgram, JsValue> {
        let session = ProgramSession::new(source).map_err(|e| parse_error(&e))?;
        Ok(JsProgram { session, run: None })
    }

    #[wasm_bindgen(getter)]
    pub fn source(&self) -> String {
        self.session.program().source.clone()
    }

    /// The names given from outside, in order of first appearance.
    #[wasm_bindgen(getter, js_name = freeNames)]
    pub fn free_names(&self) -> Vec<String> {
        self.session.free_names().map(String::from).collect()
    }

    /// Runs the program with its free names at `values` (numbers, or nested arrays for
    /// tensors), differentiates it, and returns `{value, gradient}` as nested arrays, as
    /// `gradscope grad --json` prints them. Throws a `RunError` (with the span) for a
    /// mistake found while running, or an `Error` with a `kind`.
    #[wasm_bindgen(unchecked_return_type = "Answer<number>")]
    ///
    /// `leafValues` (optional) replaces the values of leaves bound in the program
    /// (`W = randn(3, 4)`) by name, where the shapes agree; the report's leaves say which
    /// were `replaced`.
    pub fn run(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, TensorValue>")] values: JsValue,
        #[wasm_bindgen(js_name = leafValues, unchecked_param_type = "Record<string, TensorValue>")]
        leaf_values: Option<js_sys::Object>,
    ) -> Result<JsValue, JsValue> {
        let at = values_from_js(&values)?;
        let leaf_values = match leaf_values {
            Some(object) => values_from_js(&object.into())?,
            None => HashMap::new(),
        };
        self.run = None;
        let mut run = self
            .session
            .run_with_leaves(&at, &leaf_values)
            .map_err(program_error)?;
        let gradients = run.backward().map_err(program_error)?;
        let answer = Answer::new(&run.value(), &gradients, |x| x);
        self.run = Some(run);
        to_js(&answer)
    }

    /// Every node of the last run with its value, gradient and edges.
    #[wasm_bindgen(unchecked_return_type = "NodeReport<number>[]")]
    pub fn nodes(&self) -> Result<JsValue, JsValue> {
        Ok(nodes_to_js(&self.last()?.nodes()))
    }

    /// Where the last run's nodes came from: spans, groups (iterations and calls), the
    /// branches taken, and the leaves.
    #[wasm_bindgen(unchecked_return_type = "RunReport")]
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js(&self.last()?.report())
    }

    /// Node positions and edge paths of the last run's graph, left to right.
    #[wasm_bindgen(unchecked_return_type = "Layout")]
    pub fn layout(&self) -> Result<JsValue, JsValue> {
        to_js(&self.last()?.layout())
    }

    /// The layout with each group listed in `groups` (indices into the report's groups)
    /// drawn as one item, and each loop in `loops` (indices into the report's loops) as one
    /// item for all its iterations.
    #[wasm_bindgen(js_name = layoutCollapsed, unchecked_return_type = "GroupedLayout")]
    pub fn layout_collapsed(&self, groups: &[u32], loops: &[u32]) -> Result<JsValue, JsValue> {
        let groups: Vec<usize> = groups.iter().map(|&g| g as usize).collect();
        let loops: Vec<usize> = loops.iter().map(|&l| l as usize).collect();
        to_js(&self.last()?.layout_collapsed(&groups, &loops))
    }

    /// The Jacobian of node `node`'s output with respect to its input `which`, at the
    /// last run's values, with the upstream gradient and the vector–Jacobian product.
    #[wasm_bindgen(js_name = localJacobian, unchecked_return_type = "LocalJacobianReport")]
    pub fn local_jacobian(&self, node: usize, which: usize) -> Result<JsValue, JsValue> {
        let local = self.last()?.local_jacobian(node, which).map_err(session_error)?;
        to_js(&LocalJacobianReport {
            jacobian: JacobianReport::new(&local.jacobian, |x| x),
            upstream: local.upstream,
            vjp: local.vjp,
        })
    }

    /// The full Jacobian of the last run's output with respect to the leaf `wrt`, by
    /// `"reverse"` (a row a pass) or `"forward"` mode (a column a pass). The nodes'
    /// gradients are the program's own again afterwards, unless `restore` is `false` (to
    /// time the passes alone, with one `restoreGradients()` after).
    #[wasm_bindgen(unchecked_return_type = "JacobianReport<number>")]
    pub fn jacobian(
        &mut self,
        wrt: &str,
        #[wasm_bindgen(unchecked_param_type = "\"reverse\" | \"forward\"")] mode: &str,
        restore: Option<bool>,
    ) -> Result<JsValue, JsValue> {
        let mode = match mode {
            "reverse" => Mode::Reverse,
            "forward" => Mode::Forward,
            other => {
                return Err(error_of_kind(
                    &format!("mode '{other}' is not reverse or forward"),
                    "mode",
                ))
            }
        };
        let run = self.run.as_mut().ok_or_else(not_run)?;
        let j = match restore {
            Some(false) => run.jacobian_passes(wrt, mode),
            _ => run.jacobian(wrt, mode),
        }
        .map_err(session_error)?;
        to_js(&JacobianReport::new(&j, |x| x))
    }

    /// The last run's own backward pass again: its gradients, after `jacobian(…, false)`.
    #[wasm_bindgen(js_name = restoreGradients)]
    pub fn restore_gradients(&mut self) -> Result<(), JsValue> {
        let run = self.run.as_mut().ok_or_else(not_run)?;
        run.restore_gradients().map_err(session_error)
    }
}

impl JsProgram {
    fn last(&self) -> Result<&ProgramRun, JsValue> {
        self.run.as_ref().ok_or_else(not_run)
    }
}

fn not_run() -> JsValue {
    error_of_kind("the program has not run: call run(values) first", "not-run")
}

/// One op's Jacobian, and what the backward pass computes in its place.
#[derive(serde::Serialize, tsify::Tsify)]
pub struct LocalJacobianReport {
    pub jacobian: JacobianReport<f64>,
    /// `∂L/∂node`, flattened row-major.
    pub upstream: Vec<f64>,
    /// `upstream · J`, the gradient sent along the edge, flattened like the input.
    pub vjp: Vec<f64>,
}

/// A run-time error as a thrown `RunError` with the span; others as `Error`s with a kind.
fn program_error(e: SessionError) -> JsValue {
    match &e {
        SessionError::Run(inner) => {
            let error = error_of_kind(&inner.message, "run");
            set(&error, "start", (inner.start as f64).into());
            set(&error, "end", (inner.end as f64).into());
            error
        }
        _ => session_error(e),
    }
}

/// `{W: [[1, 2], [3, 4]], x: [1, 2], s: 3}` to tensors, walked by hand so that any
/// object a page passes (deeply nested, ragged, with strings) is an error, never a crash.
fn values_from_js(values: &JsValue) -> Result<HashMap<String, Tensor<f64>>, JsValue> {
    let bad = |msg: String| error_of_kind(&msg, "value");
    if values.is_undefined() || values.is_null() {
        return Ok(HashMap::new());
    }
    let object: &js_sys::Object = values
        .dyn_ref()
        .filter(|_| !js_sys::Array::is_array(values))
        .ok_or_else(|| bad("values must be an object of numbers and nested arrays, by name".into()))?;
    let mut at = HashMap::new();
    for entry in js_sys::Object::entries(object).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        let tensor = nested_from_js(&pair.get(1), 0)
            .and_then(|n| tensor_from_nested(&n))
            .map_err(|e| bad(format!("the value of {name}: {e}")))?;
        at.insert(name, tensor);
    }
    Ok(at)
}

/// A JavaScript number or nested arrays as the session's [`NestedValue`], whose reader
/// then checks the shape (ragged, empty) as it does for the CLI's JSON. A third level of
/// arrays is refused here, before it is walked.
fn nested_from_js(v: &JsValue, depth: usize) -> Result<NestedValue, String> {
    if !js_sys::Array::is_array(v) {
        return v
            .as_f64()
            .map(NestedValue::Number)
            .ok_or_else(|| "expected a number".to_string());
    }
    if depth == 2 {
        return Err("tensors have at most 2 dimensions".into());
    }
    let items: &js_sys::Array = v.unchecked_ref();
    items
        .iter()
        .map(|x| nested_from_js(&x, depth + 1))
        .collect::<Result<_, _>>()
        .map(NestedValue::List)
}

/// Node reports as JavaScript objects. serde would convert each of their numbers with a
/// call across the boundary (a 64-wide cell unrolled 200 times has 200,000 of them: 110 ms),
/// and `Array.from` on typed arrays was as slow; instead the numbers cross as one
/// `Float64Array`, in order (each node's value and gradient, then each edge's local
/// derivative if it has one and what flowed), and `unpack_nodes` deals them out into the
/// plain `number[]`s that `NodeReport` declares, in loops the JIT compiles.
fn nodes_to_js(nodes: &[crate::report::NodeReport]) -> JsValue {
    let mut numbers = Vec::new();
    let meta: Vec<NodeMeta> = nodes
        .iter()
        .map(|n| {
            numbers.extend_from_slice(&n.value);
            numbers.extend_from_slice(&n.grad);
            NodeMeta {
                id: n.id,
                op: n.op,
                label: &n.label,
                inputs: &n.inputs,
                shape: &n.shape,
                not_finite: n.not_finite.as_deref(),
                len: n.value.len(),
                edges: n
                    .edges
                    .iter()
                    .map(|e| {
                        if let Some(local) = &e.local {
                            numbers.extend_from_slice(local);
                        }
                        numbers.extend_from_slice(&e.flowed);
                        EdgeMeta {
                            from: e.from,
                            local: e.local.as_ref().map(Vec::len),
                            flowed: e.flowed.len(),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    match to_js(&meta) {
        Ok(meta) => unpack_nodes(meta, js_sys::Float64Array::from(&numbers[..])),
        Err(e) => e,
    }
}

#[derive(Serialize)]
struct NodeMeta<'a> {
    id: usize,
    op: &'static str,
    label: &'a str,
    inputs: &'a [usize],
    shape: &'a [usize],
    not_finite: Option<&'a str>,
    /// Entries of the value (and of the gradient).
    len: usize,
    edges: Vec<EdgeMeta>,
}

#[derive(Serialize)]
struct EdgeMeta {
    from: usize,
    local: Option<usize>,
    flowed: usize,
}

#[wasm_bindgen(inline_js = r#"
export function unpack_nodes(meta, numbers) {
  let at = 0;
  const take = (n) => {
    const xs = new Array(n);
    for (let i = 0; i < n; i++) xs[i] = numbers[at + i];
    at += n;
    return xs;
  };
  return meta.map((m) => {
    const value = take(m.len);
    const grad = take(m.len);
    const edges = m.edges.map((e) => {
      const local = e.local === undefined ? undefined : take(e.local);
      return { from: e.from, local, flowed: take(e.flowed) };
    });
    return { id: m.id, op: m.op, label: m.label, inputs: m.inputs, shape: m.shape, value, grad, edges, not_finite: m.not_finite };
  });
}
"#)]
extern "C" {
    fn unpack_nodes(meta: JsValue, numbers: js_sys::Float64Array) -> JsValue;
}
