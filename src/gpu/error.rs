//! Why a call on the GPU failed, as a value to branch on: each variant has a stable
//! [`GpuError::kind`] for JavaScript, and words for people in `Display`.

use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

#[derive(Clone, Debug, PartialEq)]
pub enum GpuError {
    /// There is no `window` to find WebGPU on (not a page's main thread).
    NoWindow,
    /// The browser has no WebGPU: `navigator.gpu` is missing.
    NoWebGpu,
    /// WebGPU offers no adapter: no usable GPU or driver.
    NoAdapter,
    /// The adapter refused a device, for the browser's reason.
    DeviceRefused(String),
    /// The device was lost (destroyed, a driver reset, the GPU removed) before the work
    /// came back.
    DeviceLost(String),
    /// WebGPU found the work invalid, in its words.
    Validation(String),
    /// The GPU had no memory for the work.
    OutOfMemory(String),
    /// A matrix of `values` values, more than the engine keeps in one buffer (`limit`).
    TooLarge { values: u64, limit: usize },
    /// `operand` has `values` values where a `rows × cols` matrix needs one per entry.
    Shape {
        operand: &'static str,
        rows: usize,
        cols: usize,
        values: usize,
    },
    /// A WebGPU call threw something else, in the browser's words.
    WebGpu(String),
}

impl GpuError {
    /// A short stable name for the variant, for code that branches on it (JavaScript reads
    /// it as `error.kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            GpuError::NoWindow => "no-window",
            GpuError::NoWebGpu => "no-webgpu",
            GpuError::NoAdapter => "no-adapter",
            GpuError::DeviceRefused(_) => "device-refused",
            GpuError::DeviceLost(_) => "device-lost",
            GpuError::Validation(_) => "validation",
            GpuError::OutOfMemory(_) => "out-of-memory",
            GpuError::TooLarge { .. } => "too-large",
            GpuError::Shape { .. } => "shape",
            GpuError::WebGpu(_) => "webgpu",
        }
    }
}

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GpuError::NoWindow => write!(f, "there is no window to find WebGPU on"),
            GpuError::NoWebGpu => write!(f, "this browser has no WebGPU (navigator.gpu is missing)"),
            GpuError::NoAdapter => {
                write!(
                    f,
                    "WebGPU is there but offers no adapter (no usable GPU or driver)"
                )
            }
            GpuError::DeviceRefused(why) => write!(f, "the WebGPU adapter refused a device: {why}"),
            GpuError::DeviceLost(why) => write!(f, "the GPU device was lost: {why}"),
            GpuError::Validation(why) => write!(f, "WebGPU found the work invalid: {why}"),
            GpuError::OutOfMemory(why) => write!(f, "the GPU ran out of memory: {why}"),
            GpuError::TooLarge { values, limit } => {
                write!(
                    f,
                    "a matrix of {values} values is too large: each can have at most {limit}"
                )
            }
            GpuError::Shape {
                operand,
                rows,
                cols,
                values,
            } => write!(
                f,
                "{operand} must have {rows} × {cols} = {} values, not {values}",
                rows * cols
            ),
            GpuError::WebGpu(why) => write!(f, "WebGPU failed: {why}"),
        }
    }
}

impl std::error::Error for GpuError {}

/// The words of whatever JavaScript threw or rejected with.
pub(super) fn message_of(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

impl From<JsValue> for GpuError {
    /// What a WebGPU call threw or rejected with. Of the promises awaited here, only a
    /// mapping aborts (`AbortError`), and only when the device goes: staging buffers are
    /// never unmapped or destroyed while they map. `OperationError` is a failed validation.
    fn from(e: JsValue) -> Self {
        let name = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.name()));
        let message = message_of(&e);
        match name.as_deref() {
            Some("AbortError") => GpuError::DeviceLost(message),
            Some("OperationError") => GpuError::Validation(message),
            _ => GpuError::WebGpu(message),
        }
    }
}
