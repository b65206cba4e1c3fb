//! The fallback: what the page does in a browser without WebGPU.
//!
//! These tests run in any browser. Where the browser really has no adapter (headless
//! Chromium without `--enable-unsafe-webgpu`, tests/webdriver/no-webgpu.json, which
//! `./build.sh test` uses for a second run) they meet the real absence. Where it has one
//! (the plain `wasm-pack test --headless --chrome`, with the WebGPU flags from
//! .cargo/config.toml) they hide it first, the way such a browser looks to the page:
//! `navigator.gpu.requestAdapter()` resolving to null, or no `navigator.gpu` at all.
#![cfg(target_arch = "wasm32")]

use gradscope::gpu::Gpu;
use gradscope::wasm::{JsGpu, JsTrainer};
use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(body: &str) -> JsValue {
    Function::new_no_args(body)
        .call0(&JsValue::NULL)
        .expect("the test's own JavaScript runs")
}

/// Whether this browser offers a WebGPU adapter of its own.
async fn has_adapter() -> bool {
    let found: Promise = js("return navigator.gpu \
         ? navigator.gpu.requestAdapter().then((a) => a !== null) \
         : Promise.resolve(false)")
    .unchecked_into();
    JsFuture::from(found).await.unwrap().as_bool().unwrap()
}

/// What is hidden while a test runs, and put back after.
#[derive(Clone, Copy)]
enum Absent {
    /// `navigator.gpu` exists but offers no adapter (a GPU without a usable driver).
    Adapter,
    /// No `navigator.gpu` at all (a browser without WebGPU).
    WebGpu,
}

impl Absent {
    fn hide(self) {
        match self {
            Absent::Adapter => {
                js("if (navigator.gpu) navigator.gpu.requestAdapter = () => Promise.resolve(null);")
            }
            Absent::WebGpu => js(
                "const d = Object.getOwnPropertyDescriptor(Navigator.prototype, 'gpu'); \
                 if (d) { globalThis.__gradscopeGpu = d; delete Navigator.prototype.gpu; }",
            ),
        };
    }

    fn restore(self) {
        match self {
            Absent::Adapter => js("if (navigator.gpu) delete navigator.gpu.requestAdapter;"),
            Absent::WebGpu => js("const d = globalThis.__gradscopeGpu; \
                 if (d) { Object.defineProperty(Navigator.prototype, 'gpu', d); delete globalThis.__gradscopeGpu; }"),
        };
    }
}

impl Absent {
    /// Whether this browser has it, so that it must be hidden.
    async fn present(self) -> bool {
        match self {
            Absent::Adapter => has_adapter().await,
            Absent::WebGpu => js("return 'gpu' in navigator;").as_bool().unwrap(),
        }
    }
}

/// Runs `test` in a browser where `what` is absent: hidden if this browser has it.
async fn without<F: std::future::Future<Output = ()>>(what: Absent, test: impl FnOnce() -> F) {
    let hide = what.present().await;
    if hide {
        what.hide();
        assert!(!what.present().await, "hidden from the page");
    }
    test().await;
    if hide {
        what.restore();
        assert!(what.present().await, "back for the tests after this one");
    }
}

#[wasm_bindgen_test]
async fn without_an_adapter_opening_says_why_in_words() {
    without(Absent::Adapter, || async {
        let why = Gpu::open().await.err().expect("no adapter, so no Gpu");
        assert_eq!(why.kind(), "no-adapter");
        assert!(why.to_string().contains("adapter"), "{why}");
    })
    .await;
}

#[wasm_bindgen_test]
async fn without_webgpu_opening_names_what_is_missing() {
    without(Absent::WebGpu, || async {
        let why = Gpu::open().await.err().expect("no WebGPU, so no Gpu");
        assert_eq!(why.kind(), "no-webgpu");
        assert!(why.to_string().contains("no WebGPU"), "{why}");
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_javascript_api_rejects_with_an_error_and_the_cpu_trains_on() {
    without(Absent::Adapter, || async {
        // What the page does: ask for a GPU, and on refusal train on the CPU.
        let refusal = JsGpu::open().await.err().expect("no adapter, so no Gpu");
        assert!(refusal.is_instance_of::<js_sys::Error>());
        let kind = js_sys::Reflect::get(&refusal, &"kind".into()).unwrap();
        assert_eq!(
            kind.as_string().as_deref(),
            Some("no-adapter"),
            "a kind to branch on"
        );
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
    })
    .await;
}
