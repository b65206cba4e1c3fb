//! `Gpu` and `GpuSteps`: WebGPU from JavaScript, on the crate's `gpu` module.

use super::error_of_kind;
use super::trainer::JsTrainer;
use crate::gpu;
use crate::nn;
use std::num::NonZeroUsize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// A WebGPU device with the matmul, loss and optimiser kernels. Every method submits its
/// work at once and returns a promise of the result; training state stays in the
/// `Trainer`, so a lost device loses nothing. A failure on the GPU is an `Error` whose
/// `kind` says what failed (`"device-lost"`, `"validation"`, `"out-of-memory"`, …).
#[wasm_bindgen(js_name = Gpu)]
pub struct JsGpu {
    gpu: Rc<gpu::Gpu>,
}

/// Training steps run on the GPU, to be handed to `Trainer.finishGpuSteps`.
#[wasm_bindgen]
pub struct GpuSteps {
    pub(super) taken: nn::StepsTaken,
}

/// A thrown `Error` whose `kind` names the variant (`"no-webgpu"`, `"device-lost"`, …).
impl From<gpu::GpuError> for JsValue {
    fn from(e: gpu::GpuError) -> JsValue {
        error_of_kind(&e.to_string(), e.kind())
    }
}

#[wasm_bindgen(js_class = Gpu)]
impl JsGpu {
    /// Finds an adapter (a full one, else a compatibility-mode one) and a device. Rejects
    /// with an `Error` saying why there is none, its `kind` `"no-webgpu"`, `"no-adapter"`,
    /// `"device-refused"`, …
    pub async fn open() -> Result<JsGpu, JsValue> {
        let gpu = gpu::Gpu::open().await?;
        Ok(JsGpu { gpu: Rc::new(gpu) })
    }

    /// The adapter's vendor, architecture and description.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.gpu.name.clone()
    }

    /// A software adapter (SwiftShader, lavapipe): correct, but slower than the CPU kernel.
    #[wasm_bindgen(getter)]
    pub fn software(&self) -> bool {
        self.gpu.software
    }

    /// Resolves with the reason when the device is lost.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn lost(&self) -> js_sys::Promise {
        let lost = self.gpu.lost();
        wasm_bindgen_futures::future_to_promise(async move { Ok(JsValue::from(lost.await)) })
    }

    /// Releases the device: later calls fail and `lost` resolves, as after a driver reset.
    pub fn destroy(&self) {
        self.gpu.destroy();
    }

    /// `C = A·B` for row-major `m × k` A and `k × n` B, each written to the GPU straight
    /// from its JavaScript array.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn multiply(
        &self,
        a: &js_sys::Float32Array,
        b: &js_sys::Float32Array,
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<js_sys::Promise, JsValue> {
        let read = self
            .gpu
            .record_multiply(gpu::Floats::Js(a), gpu::Floats::Js(b), [m, k, n])?;
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            Ok(read.wait_js().await?.remove(0).into())
        }))
    }

    /// The trainer's network's output (logits) for `rows` inputs of its features.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn forward(&self, trainer: &JsTrainer, x: &[f32], rows: usize) -> Result<js_sys::Promise, JsValue> {
        let logits = self.gpu.forward(trainer.trainer(), x, rows)?;
        Ok(floats_promise(logits))
    }

    /// What the plot shows over a `res × res` grid of the plane (class probabilities, or
    /// a regression's output), as `Trainer.grid` lays it out, with the forward pass on the GPU.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn grid(&self, trainer: &JsTrainer, res: usize) -> Result<js_sys::Promise, JsValue> {
        let res = res.clamp(1, 512);
        let t = trainer.trainer();
        let x = t.grid_inputs(res);
        let logits = self.gpu.forward(t, &x, res * res)?;
        let config = t.config.clone();
        Ok(floats_promise(async move {
            Ok(nn::view_values(&config, &logits.await?))
        }))
    }

    /// Draws `n` mini-batches from the trainer and runs the training steps on the GPU; the
    /// promise resolves with `GpuSteps` for `trainer.finishGpuSteps`. Throws if there is
    /// nothing to train on.
    #[wasm_bindgen(unchecked_return_type = "Promise<GpuSteps>")]
    pub fn train(&self, trainer: &mut JsTrainer, n: usize) -> Result<js_sys::Promise, JsValue> {
        let steps = NonZeroUsize::new(n.min(10_000))
            .ok_or_else(|| error_of_kind("ask for at least one step", "steps"))?;
        let training = trainer
            .trainer_mut()
            .train_on(&self.gpu, steps)
            .map_err(|why| error_of_kind(&why.to_string(), why.kind()))?;
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            let taken = training.wait().await?;
            Ok(GpuSteps { taken }.into())
        }))
    }
}

fn floats_promise(
    future: impl std::future::Future<Output = Result<Vec<f32>, gpu::GpuError>> + 'static,
) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        Ok(js_sys::Float32Array::from(&future.await?[..]).into())
    })
}
