//! The classifier: gradients of whole networks against finite differences, and training
//! that actually solves the datasets.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::gradcheck;
use gradscope::nn::{
    mlp, Activation, Architecture, Config, DatasetKind, Feature, Loss, Net, OptimizerKind, Regularization,
    Stopped, Trainer,
};

fn arch(outputs: usize, activation: Activation) -> Architecture {
    Architecture {
        inputs: 3,
        hidden: vec![5, 4],
        activations: vec![activation, Activation::Tanh],
        outputs,
    }
}

#[test]
fn whole_mlp_gradients_match_finite_differences_for_every_loss() {
    let cases = [
        (Loss::SoftmaxCrossEntropy, 3, Regularization::L2),
        (Loss::Logistic, 1, Regularization::L1),
        (Loss::Hinge, 1, Regularization::None),
        (Loss::Mse, 1, Regularization::L2),
    ];
    for (loss, outputs, reg) in cases {
        for activation in [
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Relu,
            Activation::Linear,
        ] {
            let a = arch(outputs, activation);
            let params = mlp::init(&a, 7);
            let mut net = Net::<f64>::build(&a, &params, 6, loss, reg, 0.05).unwrap();
            let x: Vec<f64> = (0..18).map(|i| ((i * 37 % 11) as f64 - 5.0) / 3.0).collect();
            let y: Vec<f64> = match loss {
                Loss::SoftmaxCrossEntropy => (0..6).map(|i| (i % 3) as f64).collect(),
                _ => (0..6).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect(),
            };
            net.graph.set_value(net.x, &x).unwrap();
            net.graph.set_value(net.target, &y).unwrap();
            let params: Vec<_> = net.params.iter().flat_map(|&(w, b)| [w, b]).collect();
            for c in gradcheck::check(&mut net.graph, net.loss, &params) {
                assert!(
                    c.error() < 1e-6,
                    "{loss:?} {activation:?}: node {} element {}: autodiff {} numeric {}",
                    c.node,
                    c.element,
                    c.autodiff,
                    c.numeric
                );
            }
        }
    }
}

fn train(config: Config, steps: usize) -> (f64, f64) {
    let mut t = Trainer::new(config).unwrap();
    for _ in 0..steps {
        t.step().unwrap();
    }
    let m = t.evaluate();
    (m.train_accuracy, m.test_accuracy)
}

#[test]
fn micrograd_demo_reaches_97_percent_on_two_moons_within_300_steps() {
    // micrograd's demo: 100 moons points, noise 0.1, 2-16-16-1 relu, hinge loss, L2 1e-4,
    // full-batch SGD.
    let config = Config {
        dataset: DatasetKind::Moons,
        points: 100,
        noise: 0.1,
        test_fraction: 0.0,
        hidden: vec![16, 16],
        activations: vec![Activation::Relu; 2],
        loss: Loss::Hinge,
        regularization: Regularization::L2,
        lambda: 1e-4,
        optimizer: OptimizerKind::Sgd,
        learning_rate: 0.1,
        batch_size: 100,
        ..Config::default()
    };
    let (train_accuracy, _) = train(config, 300);
    assert!(train_accuracy >= 0.97, "train accuracy {train_accuracy}");
}

#[test]
fn solves_xor_circles_and_a_two_class_spiral() {
    for (dataset, hidden, steps) in [
        (DatasetKind::Xor, vec![8, 8], 400),
        (DatasetKind::Circles, vec![8, 8], 400),
        (DatasetKind::Spiral, vec![32, 32], 1500),
    ] {
        let config = Config {
            dataset,
            points: 400,
            noise: 0.05,
            hidden: hidden.clone(),
            activations: vec![Activation::Tanh; hidden.len()],
            optimizer: OptimizerKind::Adam,
            learning_rate: 0.02,
            ..Config::default()
        };
        let (train_accuracy, test_accuracy) = train(config, steps);
        assert!(train_accuracy >= 0.95, "{dataset:?}: train {train_accuracy}");
        assert!(test_accuracy >= 0.9, "{dataset:?}: test {test_accuracy}");
    }
}

#[test]
fn three_class_spiral_with_softmax_cross_entropy() {
    let config = Config {
        dataset: DatasetKind::Spiral,
        classes: 3,
        points: 450,
        noise: 0.03,
        hidden: vec![32, 32],
        activations: vec![Activation::Relu; 2],
        loss: Loss::SoftmaxCrossEntropy,
        optimizer: OptimizerKind::Adam,
        learning_rate: 0.01,
        ..Config::default()
    };
    let (train_accuracy, test_accuracy) = train(config, 2000);
    assert!(train_accuracy >= 0.95, "train {train_accuracy}");
    assert!(test_accuracy >= 0.85, "test {test_accuracy}");
}

#[test]
fn a_diverging_run_stops_and_keeps_the_last_finite_weights() {
    let config = Config {
        loss: Loss::Mse,
        optimizer: OptimizerKind::Sgd,
        learning_rate: 1e6,
        ..Config::default()
    };
    let mut t = Trainer::new(config).unwrap();
    let stopped = (0..50).find_map(|_| t.step().err());
    let Some(Stopped::Diverged { loss, .. }) = stopped else {
        panic!("a learning rate of a million diverges: {stopped:?}")
    };
    assert!(!loss.is_finite());
    assert!(t
        .params()
        .iter()
        .all(|p| p.w.iter().chain(&p.b).all(|v| v.is_finite())));
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let run = || {
        let mut t = Trainer::new(Config::default()).unwrap();
        (0..20).map(|_| t.step().unwrap().loss).collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn features_and_configurations_are_checked() {
    let bad = [
        Config {
            classes: 3,
            ..Config::default()
        },
        Config {
            features: vec![],
            ..Config::default()
        },
        Config {
            hidden: vec![0],
            ..Config::default()
        },
        Config {
            learning_rate: f64::NAN,
            ..Config::default()
        },
        Config {
            batch_size: 0,
            ..Config::default()
        },
    ];
    for c in bad {
        assert!(Trainer::new(c.clone()).is_err(), "{c:?}");
    }
    let config = Config {
        features: Feature::ALL.to_vec(),
        ..Config::default()
    };
    let t = Trainer::new(config).unwrap();
    assert_eq!(t.arch.inputs, 7);
}

#[test]
fn points_can_be_cleared_and_added() {
    let mut t = Trainer::new(Config::default()).unwrap();
    t.clear_points();
    assert_eq!(t.step(), Err(Stopped::NoTrainingPoints));
    t.add_point([0.5, 0.5], 1, false).unwrap();
    t.add_point([-0.5, -0.5], 0, false).unwrap();
    assert!(t.add_point([0.0, 0.0], 5, false).is_err());
    assert!(t.add_point([f64::NAN, 0.0], 0, false).is_err());
    for _ in 0..50 {
        t.step().unwrap();
    }
    assert_eq!(t.evaluate().train_accuracy, 1.0);
    let grid = t.predict_grid(10);
    assert_eq!(grid.len(), 10 * 10 * 2);
    // Top-right is class 1, bottom-left class 0.
    assert!(grid[2 * 9 + 1] > 0.5 && grid[2 * 90] > 0.5, "{grid:?}");
}

#[test]
fn reset_forgets_the_momentum_a_divergence_left_behind() {
    use gradscope::nn::Optimizer;
    use gradscope::ops::Binary;
    use gradscope::{Graph, Tensor};
    // L = w², ∂L/∂w = 2w. The trainer resets its optimiser when it restores the weights
    // after a divergence; here is what that reset must do.
    let mut g = Graph::<f32>::new();
    let w = g.parameter("w", Tensor::scalar(1.0));
    let loss = g.binary(Binary::Mul, w, w).unwrap();
    let mut opt = Optimizer::new(OptimizerKind::Momentum, 0.9, &g);
    g.backward(loss);
    opt.step(&mut g, &[w], 0.1); // v = 2
    opt.reset();
    g.set_value(w, &[1.0]).unwrap();
    g.forward();
    g.backward(loss);
    opt.step(&mut g, &[w], 0.1);
    // Fresh: v = 2, w = 1 − 0.1·2. With the old velocity it would be 1 − 0.1·3.8.
    assert!((g.value(w)[0] - 0.8).abs() < 1e-6, "w = {}", g.value(w)[0]);
}

#[test]
fn an_epoch_is_one_pass_over_the_training_set() {
    let full = Config {
        points: 100,
        test_fraction: 0.0,
        batch_size: 100,
        ..Config::default()
    };
    let mut t = Trainer::new(full).unwrap();
    t.step().unwrap();
    assert_eq!(t.epochs(), 1);
    let mut t = Trainer::new(Config {
        batch_size: 10,
        ..Config::default()
    })
    .unwrap();
    let train = t.data.train.len();
    for _ in 0..train / 10 {
        t.step().unwrap();
    }
    assert_eq!(t.epochs(), 1, "{train} training points in batches of 10");
}
