//! The JavaScript API: thin `#[wasm_bindgen]` wrappers, one file per exported class, that
//! only convert between JavaScript values and the session layer (`crate::session`) or the
//! engine. Everything a user can pass in is checked below and comes back as a thrown
//! `Error` with a `kind` to branch on, never a panic.
//!
//! - `Expression` (`expression.rs`): text to graph, evaluated at variable values, with the
//!   node and edge list, a layout, forward-mode tangents and a finite-difference check.
//! - `Program` (`program.rs`): a tensor program run at given values, `{value, gradient}`
//!   as nested arrays, its nodes, where they came from (spans, groups, branches), a layout
//!   and the Jacobian of its output by either mode.
//! - `Graph` (`graph.rs`): build a graph by hand from the console: leaves, every op,
//!   `forward`, `backward`, `step`.
//! - `Trainer` (`trainer.rs`): the live classifier.
//! - `Gpu` and `GpuSteps` (`gpu.rs`): WebGPU products, forward passes and training steps.
//! - `MatmulCase` (`matmul.rs`): the matrix kernel, for the benchmark page.
//!
//! The last three are the `training` feature (on by default): the playground's package is
//! built without it, so its wasm holds only what the playground calls.

mod expression;
#[cfg(feature = "training")]
mod gpu;
mod graph;
#[cfg(feature = "training")]
mod matmul;
mod program;
#[cfg(feature = "training")]
mod trainer;

pub use expression::Expression;
#[cfg(feature = "training")]
pub use gpu::{GpuSteps, JsGpu};
pub use graph::JsGraph;
#[cfg(feature = "training")]
pub use matmul::MatmulCase;
pub use program::JsProgram;
#[cfg(feature = "training")]
pub use trainer::JsTrainer;

use crate::expr::ExprError;
use crate::session::SessionError;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    // Only a bug in gradscope could panic; if one does, the console shows where.
    console_error_panic_hook::set_once();
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
// Everything the page receives is declared from its Rust type (tsify); only the thrown
// parse error, an `Error` with more fields, is written here.
/** What a parse error carries besides its message: the byte span of the bad text, and
 * of the text it refers to (the '(' a missing ')' would close). */
export interface ParseError extends Error {
  kind: "parse";
  start: number;
  end: number;
  related?: { start: number; end: number };
}
"#;

/// JS values from serde types: plain objects (maps too), NaN and infinities as numbers,
/// and `None` as `undefined`, as the generated declarations (`T | undefined`) say.
fn to_js<T: Serialize>(x: &T) -> Result<JsValue, JsValue> {
    x.serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true))
        .map_err(|e| error_of_kind(&e.to_string(), "serialize"))
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

/// Sets `key` on a fresh object; that cannot fail.
fn set(target: &JsValue, key: &str, value: JsValue) {
    let _ = js_sys::Reflect::set(target, &key.into(), &value);
}

/// A thrown `ParseError` with the span of the bad text as `start` and `end`, the span it
/// refers to as `related`, and `kind: "parse"`.
fn parse_error(e: &ExprError) -> JsValue {
    let error = js_sys::Error::new(&e.message);
    error.set_name("ParseError");
    set(&error, "kind", "parse".into());
    set(&error, "start", (e.start as f64).into());
    set(&error, "end", (e.end as f64).into());
    if let Some((start, end)) = e.related {
        let related = js_sys::Object::new();
        set(&related, "start", (start as f64).into());
        set(&related, "end", (end as f64).into());
        set(&error, "related", related.into());
    }
    error.into()
}

/// A thrown `Error` with `message` and `kind`, so the page branches on the kind rather than
/// on the message's words.
fn error_of_kind(message: &str, kind: &'static str) -> JsValue {
    let error = js_sys::Error::new(message);
    set(&error, "kind", kind.into());
    error.into()
}

/// A thrown `Error` whose `kind` names what the graph refused (`"shape"`, `"length"`, …).
impl From<crate::graph::GraphError> for JsValue {
    fn from(e: crate::graph::GraphError) -> JsValue {
        error_of_kind(&e.to_string(), e.kind())
    }
}

/// A thrown `Error` whose `kind` names the variant.
fn session_error(e: SessionError) -> JsValue {
    if let SessionError::Parse(e) = &e {
        return parse_error(e);
    }
    error_of_kind(&e.to_string(), e.kind())
}
