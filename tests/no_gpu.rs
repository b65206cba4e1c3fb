//! The fallback: headless Chromium without `--enable-unsafe-webgpu` has no WebGPU adapter,
//! which is what a browser without WebGPU looks like to the page (tests/webdriver/no-webgpu.json).
#![cfg(target_arch = "wasm32")]

use gradscope::gpu::Gpu;
use gradscope::wasm::{JsGpu, JsTrainer};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn without_an_adapter_opening_says_why_in_words() {
    let why = Gpu::open()
        .await
        .err()
        .expect("this browser was started without WebGPU");
    assert!(why.0.contains("WebGPU") || why.0.contains("adapter"), "{}", why.0);
}

#[wasm_bindgen_test]
async fn the_javascript_api_rejects_with_an_error_and_the_cpu_trains_on() {
    // What the page does: ask for a GPU, and on refusal train on the CPU.
    assert!(JsGpu::open().await.is_err(), "no adapter, so no Gpu");
    let mut trainer = JsTrainer::new(JsValue::UNDEFINED).unwrap();
    let before = trainer.evaluate().unwrap();
    trainer.step(200).unwrap();
    let after = trainer.evaluate().unwrap();
    let loss = |m: &JsValue| {
        js_sys::Reflect::get(m, &"train_loss".into())
            .unwrap()
            .as_f64()
            .unwrap()
    };
    assert!(
        loss(&after) < loss(&before),
        "training on the CPU lowers the loss"
    );
}
