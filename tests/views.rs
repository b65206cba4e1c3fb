//! The views' forward pass (the heatmaps, the neurons' outputs) against the training
//! graph's, natively and, under `wasm-pack test`, in the browser: on wasm its tiles are
//! summed in SIMD vectors (fused in the relaxed-SIMD build), natively in plain loops.

use gradscope::nn::{Activation, Config, DatasetKind, Feature, Loss, Net, Regularization, Trainer};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_views_forward_pass_is_the_graphs_without_the_graph() {
    use Feature::*;
    let three = || vec![X1, X2, SinX1];
    // The last two: no hidden layer, and layers narrower than the inputs (the views' block
    // holds the input rows too).
    for (activation, loss, classes, hidden, features) in [
        (Activation::Tanh, Loss::Logistic, 2, vec![7, 5], three()),
        (
            Activation::Relu,
            Loss::SoftmaxCrossEntropy,
            3,
            vec![7, 5],
            three(),
        ),
        (Activation::Sigmoid, Loss::Hinge, 2, vec![7, 5], three()),
        (Activation::Linear, Loss::Mse, 2, vec![7, 5], three()),
        (
            Activation::Tanh,
            Loss::Mse,
            2,
            vec![],
            vec![X1, X2, X1Squared, SinX2],
        ),
        (
            Activation::Relu,
            Loss::Logistic,
            2,
            vec![2],
            vec![X1, X2, X1Squared, X2Squared, X1X2, SinX1, SinX2],
        ),
    ] {
        let activations = [activation, Activation::Tanh][..hidden.len()].to_vec();
        let config = Config {
            dataset: if classes == 3 {
                DatasetKind::Spiral
            } else {
                DatasetKind::Moons
            },
            classes,
            loss,
            hidden,
            activations,
            features,
            ..Config::default()
        };
        let mut t = Trainer::new(config.clone()).unwrap();
        for _ in 0..30 {
            t.step().unwrap();
        }
        // The reference: the training graph's own forward pass over the same grid.
        let res = 17;
        let mut net =
            Net::<f32>::build(&t.arch, &t.params(), res * res, loss, Regularization::None, 0.0).unwrap();
        net.graph.set_value(net.x, &t.grid_inputs(res)).unwrap();
        net.graph.forward();
        let close = |a: &[f32], b: &[f32], what: &str| {
            assert_eq!(a.len(), b.len(), "{what}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert!(
                    (x - y).abs() <= 1e-5 * (1.0 + y.abs()),
                    "{activation:?} {what}[{i}]: {x} vs {y}"
                );
            }
        };
        let layers = t.neuron_outputs(res);
        for (l, &h) in net.layers.iter().enumerate() {
            close(&layers[l], net.graph.value(h), &format!("layer {l}"));
        }
        let mut want = gradscope::nn::probabilities(loss, classes, net.graph.value(net.logits()));
        if classes == 2 {
            // The plot takes class 1's alone: class 0's is one minus it.
            want = want.into_iter().skip(1).step_by(2).collect();
        }
        close(&t.predict_grid(res), &want, "probabilities");
    }
}
