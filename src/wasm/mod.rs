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
//! `Program` is the `programs` feature and the last three the `training` feature (both on
//! by default): the playground's first package is built with neither, so that a first
//! visit, which types expressions, does not fetch the interpreter (Cargo.toml, build.sh).

mod expression;
#[cfg(feature = "training")]
mod gpu;
mod graph;
#[cfg(feature = "training")]
mod matmul;
#[cfg(feature = "programs")]
mod program;
#[cfg(feature = "training")]
mod trainer;

pub use expression::Expression;
#[cfg(feature = "training")]
pub use gpu::{GpuSteps, JsGpu};
pub use graph::JsGraph;
#[cfg(feature = "training")]
pub use matmul::MatmulCase;
#[cfg(feature = "programs")]
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
