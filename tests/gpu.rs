//! The WebGPU path against the CPU, in headless Chromium with a WebGPU adapter (SwiftShader
//! under `--enable-unsafe-webgpu`: tests/webdriver/webgpu.json, which .cargo/config.toml
//! hands to every `wasm-pack test`). Without an adapter these tests fail: a browser
//! without one is tested by tests/no_gpu.rs.
#![cfg(target_arch = "wasm32")]

use gradscope::gpu::Gpu;
use gradscope::nn::rng::Rng;
use gradscope::nn::{Activation, Config, DatasetKind, Loss, OptimizerKind, Regularization, Trainer};
use gradscope::tensor::sgemm::sgemm;
use gradscope::wasm::{GpuSteps, JsGpu, JsTrainer};
use std::num::NonZeroUsize;
use std::rc::Rc;
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn gpu() -> Rc<Gpu> {
    match Gpu::open().await {
        Ok(gpu) => Rc::new(gpu),
        Err(why) => panic!("no WebGPU device ({why}); these tests need Chromium with --enable-unsafe-webgpu"),
    }
}

fn random(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| rng.range(-1.0, 1.0) as f32).collect()
}

/// The largest `|got − want| / max(|want|, 1)`.
fn max_relative_error(got: &[f32], want: &[f32]) -> f32 {
    assert_eq!(got.len(), want.len(), "lengths differ");
    got.iter()
        .zip(want)
        .map(|(&g, &w)| {
            let e = (g - w).abs() / w.abs().max(1.0);
            // A NaN on either side is an error, not a pass.
            if e.is_nan() {
                f32::INFINITY
            } else {
                e
            }
        })
        .fold(0.0, f32::max)
}

#[wasm_bindgen_test]
async fn products_equal_the_cpu_kernel_within_1e_4() {
    let gpu = gpu().await;
    // The shapes, then two that take the vectorised kernel with partial tiles.
    for [m, k, n] in [
        [1, 1, 1],
        [3, 5, 7],
        [65, 129, 33],
        [256, 256, 256],
        [100, 48, 12],
        [33, 64, 40],
    ] {
        for seed in [1, 2] {
            let (a, b) = (random(m * k, seed), random(k * n, seed + 10));
            let mut want = vec![0.0; m * n];
            sgemm(m, n, k, &a, false, &b, false, &mut want, false);
            let got = gpu.multiply(&a, &b, [m, k, n]).unwrap().await.unwrap();
            let err = max_relative_error(&got, &want);
            assert!(err <= 1e-4, "{m}×{k}×{n} (seed {seed}): relative error {err}");
            console_log!(
                "{m}×{k}×{n} (seed {seed}) on {}: relative error {err:.1e}",
                gpu.name
            );
        }
    }
}

#[wasm_bindgen_test]
async fn empty_products_and_passes_are_empty_not_a_crash() {
    let gpu = gpu().await;
    assert_eq!(
        gpu.multiply(&[], &[1.0; 15], [0, 3, 5]).unwrap().await.unwrap(),
        Vec::<f32>::new()
    );
    assert_eq!(
        gpu.multiply(&[1.0; 6], &[], [2, 3, 0]).unwrap().await.unwrap(),
        Vec::<f32>::new()
    );
    // K = 0: the product is all zeros.
    assert_eq!(
        gpu.multiply(&[], &[], [2, 0, 3]).unwrap().await.unwrap(),
        vec![0.0; 6]
    );
    let trainer = Trainer::new(Config::default()).unwrap();
    assert_eq!(
        gpu.forward(&trainer, &[], 0).unwrap().await.unwrap(),
        Vec::<f32>::new()
    );
    let too_many = gpu
        .multiply(&[], &[], [1 << 20, 0, 1 << 20])
        .err()
        .expect("2^40 values is too many");
    assert_eq!(too_many.kind(), "too-large");
    assert!(too_many.to_string().contains("at most"), "{too_many}");
    let js_gpu = JsGpu::open().await.unwrap_or_else(|_| panic!("no WebGPU device"));
    let mut trainer = JsTrainer::new(JsValue::UNDEFINED).unwrap();
    let none = js_gpu
        .train(&mut trainer, 0)
        .expect_err("zero steps is not a request");
    let none: js_sys::Error = none.unchecked_into();
    assert!(String::from(none.message()).contains("at least one step"));
}

#[wasm_bindgen_test]
async fn mismatched_operands_are_an_error_not_a_crash() {
    let gpu = gpu().await;
    let e = gpu
        .multiply(&[1.0; 6], &[1.0; 6], [2, 3, 3])
        .err()
        .expect("3×3 B needs 9 values");
    assert_eq!(e.kind(), "shape");
    assert_eq!(e.to_string(), "B must have 3 × 3 = 9 values, not 6");
    let trainer = Trainer::new(Config::default()).unwrap();
    let e = gpu
        .forward(&trainer, &[0.0; 5], 3)
        .err()
        .expect("3 points of 2 features");
    assert_eq!(e.kind(), "shape");
}

fn config(hidden: &[usize], activations: &[Activation], loss: Loss, classes: usize) -> Config {
    Config {
        dataset: if classes > 2 {
            DatasetKind::Blobs
        } else {
            DatasetKind::Moons
        },
        classes,
        hidden: hidden.to_vec(),
        activations: activations.to_vec(),
        loss,
        ..Config::default()
    }
}

#[wasm_bindgen_test]
async fn a_network_forward_on_the_gpu_equals_the_cpu_forward() {
    let gpu = gpu().await;
    use Activation::*;
    let nets = [
        config(&[8, 8], &[Tanh, Tanh], Loss::Logistic, 2),
        config(
            &[16, 5, 9],
            &[Relu, Sigmoid, Linear],
            Loss::SoftmaxCrossEntropy,
            3,
        ),
        config(&[64], &[Relu], Loss::Hinge, 2),
    ];
    for c in nets {
        let mut trainer = Trainer::new(c.clone()).unwrap();
        for _ in 0..20 {
            trainer.step().unwrap(); // weights away from their initial values
        }
        let res = 37; // 1369 points: not a multiple of any tile
        let x = trainer.grid_inputs(res);
        let got = gpu.forward(&trainer, &x, res * res).unwrap().await.unwrap();
        let want = trainer.neuron_outputs(res).pop().unwrap(); // the logits
        let err = max_relative_error(&got, &want);
        assert!(
            err <= 1e-4,
            "{:?} {:?}: relative error {err}",
            c.hidden,
            c.activations
        );
    }
}

#[wasm_bindgen_test]
async fn the_pages_gpu_heatmap_equals_the_cpu_heatmap() {
    let gpu = JsGpu::open().await.unwrap_or_else(|_| panic!("no WebGPU device"));
    let mut trainer = JsTrainer::new(JsValue::UNDEFINED).unwrap();
    trainer.step(30).unwrap();
    let promise = gpu.grid(&trainer, 50).unwrap();
    let got: js_sys::Float32Array = JsFuture::from(promise).await.unwrap().dyn_into().unwrap();
    let want = trainer.grid(50);
    let err = max_relative_error(&got.to_vec(), &want);
    assert!(err <= 1e-4, "relative error {err}");
}

/// Trains two copies of one network, one on the CPU graph and one on the GPU, and compares
/// the weights, the last gradients and the last loss.
async fn train_both(gpu: &Rc<Gpu>, c: Config, steps: NonZeroUsize) -> (f32, f32, f64) {
    let mut cpu = Trainer::new(c.clone()).unwrap();
    let mut on_gpu = Trainer::new(c).unwrap();
    let mut last = None;
    for _ in 0..steps.get() {
        last = Some(cpu.step().unwrap());
    }
    let taken = on_gpu.train_on(gpu, steps).unwrap().wait().await.unwrap();
    let result = on_gpu.take_over(taken).unwrap();
    let last = last.unwrap();
    assert_eq!(result.step, last.step);
    assert_eq!(on_gpu.last_batch(), cpu.last_batch(), "the same mini-batches");
    let (mut weights, mut grads) = (0.0f32, 0.0f32);
    for (g, c) in on_gpu.layers().iter().zip(cpu.layers()) {
        weights = weights
            .max(max_relative_error(&g.w, &c.w))
            .max(max_relative_error(&g.b, &c.b));
        grads = grads
            .max(max_relative_error(&g.w_grad, &c.w_grad))
            .max(max_relative_error(&g.b_grad, &c.b_grad));
    }
    (
        weights,
        grads,
        (result.loss - last.loss).abs() / last.loss.abs().max(1.0),
    )
}

#[wasm_bindgen_test]
async fn training_steps_on_the_gpu_equal_training_steps_on_the_cpu() {
    let gpu = gpu().await;
    use Activation::*;
    let cases = [
        (
            config(&[8, 8], &[Tanh, Tanh], Loss::Logistic, 2),
            OptimizerKind::Sgd,
            Regularization::None,
        ),
        (
            config(&[8, 8], &[Relu, Sigmoid], Loss::Hinge, 2),
            OptimizerKind::Momentum,
            Regularization::L2,
        ),
        (
            config(&[12], &[Tanh], Loss::Mse, 2),
            OptimizerKind::Sgd,
            Regularization::L1,
        ),
        (
            config(&[16, 8], &[Relu, Tanh], Loss::SoftmaxCrossEntropy, 3),
            OptimizerKind::Adam,
            Regularization::None,
        ),
        // A linear hidden layer (its gradient passes through unchanged), and batches of 1.
        (
            config(&[8, 8], &[Linear, Tanh], Loss::Logistic, 2),
            OptimizerKind::Momentum,
            Regularization::None,
        ),
        (
            Config {
                batch_size: 1,
                ..config(&[6], &[Sigmoid], Loss::Mse, 2)
            },
            OptimizerKind::Adam,
            Regularization::L1,
        ),
        // Batches of 500: the weight gradients are split along the batch; 32-wide layers
        // take the vectorised kernel forward.
        (
            Config {
                points: 1000,
                batch_size: 500,
                ..config(&[32, 32], &[Relu, Sigmoid], Loss::SoftmaxCrossEntropy, 3)
            },
            OptimizerKind::Adam,
            Regularization::L2,
        ),
    ];
    for (mut c, optimizer, regularization) in cases {
        c.optimizer = optimizer;
        c.regularization = regularization;
        c.lambda = if regularization == Regularization::None {
            0.0
        } else {
            0.01
        };
        c.learning_rate = 0.05;
        let what = format!(
            "{:?} {:?} {:?} {:?}",
            c.activations, c.loss, optimizer, regularization
        );
        let (weights, grads, loss) = train_both(&gpu, c, NonZeroUsize::new(25).unwrap()).await;
        console_log!(
            "{what}: after 25 steps weights differ by {weights:.1e}, gradients {grads:.1e}, loss {loss:.1e}"
        );
        assert!(weights <= 1e-4, "{what}: weights differ by {weights}");
        assert!(grads <= 1e-4, "{what}: last gradients differ by {grads}");
        assert!(loss <= 1e-5, "{what}: last loss differs by {loss}");
    }
}

#[wasm_bindgen_test]
async fn a_diverging_run_on_the_gpu_stops_and_keeps_finite_weights() {
    let gpu = gpu().await;
    let c = Config {
        loss: Loss::Mse,
        optimizer: OptimizerKind::Sgd,
        learning_rate: 1e6,
        ..Config::default()
    };
    let mut trainer = Trainer::new(c).unwrap();
    let fifty = NonZeroUsize::new(50).unwrap();
    let taken = trainer.train_on(&gpu, fifty).unwrap().wait().await.unwrap();
    let stopped = trainer
        .take_over(taken)
        .expect_err("a learning rate of a million diverges");
    assert!(stopped.to_string().contains("the loss became"), "{stopped}");
    assert!(trainer
        .layers()
        .iter()
        .all(|l| l.w.iter().chain(&l.b).all(|v| v.is_finite())));
    assert_eq!(trainer.steps, 0, "no step of a failed run counts");
}

#[wasm_bindgen_test]
async fn the_page_cannot_take_over_gpu_steps_once_the_trainer_has_changed() {
    let gpu = JsGpu::open().await.unwrap_or_else(|_| panic!("no WebGPU device"));
    let steps = |promise| async { JsFuture::from(promise).await.unwrap() };
    let layers = |trainer: &JsTrainer| format!("{:?}", trainer.layers().unwrap());
    let mut trainer = JsTrainer::new(JsValue::UNDEFINED).unwrap();
    // What the page does between `train` and `finishGpuSteps`: a CPU step, a new point.
    let changes: [fn(&mut JsTrainer); 2] = [
        |t| drop(t.step(1).unwrap()),
        |t| t.add_point(0.5, 0.5, 1.0, false).unwrap(),
    ];
    for change in changes {
        let pending = steps(gpu.train(&mut trainer, 3).unwrap()).await;
        let pending = GpuSteps::try_from_js_value(pending).unwrap();
        change(&mut trainer);
        let before = (trainer.steps(), layers(&trainer));
        assert!(!trainer.accepts(&pending), "stale steps are not accepted");
        assert!(trainer.finish_gpu_steps(pending).is_err(), "nor taken over");
        assert_eq!((trainer.steps(), layers(&trainer)), before, "and change nothing");
    }
    let fresh = steps(gpu.train(&mut trainer, 3).unwrap()).await;
    let fresh = GpuSteps::try_from_js_value(fresh).unwrap();
    assert!(trainer.accepts(&fresh));
    let steps_before = trainer.steps();
    trainer.finish_gpu_steps(fresh).unwrap();
    assert_eq!(trainer.steps(), steps_before + 3);
}

#[wasm_bindgen_test]
async fn a_lost_device_is_an_error_of_its_own_kind() {
    let gpu = gpu().await;
    let a = random(64 * 64, 3);
    let in_flight = gpu.multiply(&a, &a, [64, 64, 64]).unwrap();
    gpu.destroy();
    let after = gpu.multiply(&a, &a, [64, 64, 64]).unwrap();
    for result in [in_flight.await, after.await] {
        let e = result.expect_err("the device is gone");
        assert_eq!(e.kind(), "device-lost", "{e}");
    }
    // And through the page's API, with the kind on the thrown Error.
    let js_gpu = JsGpu::open().await.unwrap_or_else(|_| panic!("no WebGPU device"));
    js_gpu.destroy();
    let a = js_sys::Float32Array::from(&a[..]);
    let product = js_gpu.multiply(&a, &a, 64, 64, 64).unwrap();
    let e = JsFuture::from(product).await.expect_err("the device is gone");
    let kind = js_sys::Reflect::get(&e, &"kind".into()).unwrap();
    assert_eq!(kind.as_string().as_deref(), Some("device-lost"));
}
