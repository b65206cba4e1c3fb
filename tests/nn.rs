//! The classifier: gradients of whole networks against finite differences, and training
//! that actually solves the datasets.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::gradcheck;
use gradscope::nn::config::Allowed;
use gradscope::nn::{
    mlp, Activation, Architecture, Config, DatasetKind, Feature, Loss, Net, OptimizerKind, Reconfigured,
    Regularization, Rules, Stopped, Trainer,
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
        Config {
            features: vec![Feature::X1, Feature::X1],
            ..Config::default()
        },
        Config {
            momentum: 1.0,
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
    t.add_point([0.5, 0.5], 1.0, false).unwrap();
    t.add_point([-0.5, -0.5], 0.0, false).unwrap();
    assert!(t.add_point([0.0, 0.0], 5.0, false).is_err());
    assert!(t.add_point([f64::NAN, 0.0], 0.0, false).is_err());
    for _ in 0..50 {
        t.step().unwrap();
    }
    assert_eq!(t.evaluate().train_accuracy, 1.0);
    let grid = t.predict_grid(10);
    assert_eq!(grid.len(), 10 * 10, "class 1's probability, one a cell");
    // Top-right is class 1, bottom-left class 0.
    assert!(grid[9] > 0.5 && grid[90] < 0.5, "{grid:?}");
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

#[test]
fn steps_to_an_epoch_are_exactly_the_steps_that_reach_it() {
    // 210 training points in batches of 32: epochs end part-way through a batch.
    for (batch, target) in [(32, 1), (32, 3), (7, 2), (1000, 4)] {
        let mut t = Trainer::new(Config {
            batch_size: batch,
            ..Config::default()
        })
        .unwrap();
        for _ in 0..3 {
            t.step().unwrap();
        }
        let left = t.steps_to_epoch(target).unwrap();
        for _ in 0..left.saturating_sub(1) {
            t.step().unwrap();
        }
        assert!(
            t.epochs() < target || left == 0,
            "batch {batch}: not yet at epoch {target}"
        );
        if left > 0 {
            t.step().unwrap();
        }
        assert_eq!(
            (t.epochs(), t.steps_to_epoch(target)),
            (target.max(t.epochs()), Some(0)),
            "batch {batch}"
        );
    }
    let mut empty = Trainer::new(Config::default()).unwrap();
    empty.clear_points();
    assert_eq!(empty.steps_to_epoch(1), None);
}

fn allowed<T: PartialEq>(list: &[Allowed<T>], name: T) -> Vec<usize> {
    list.iter()
        .find(|a| a.name == name)
        .map(|a| a.classes.clone())
        .unwrap()
}

#[test]
fn the_rules_the_page_reads_are_the_rules_the_trainer_checks() {
    let rules = Rules::new();
    assert_eq!(allowed(&rules.datasets, DatasetKind::Moons), vec![2]);
    assert_eq!(allowed(&rules.datasets, DatasetKind::Spiral), vec![2, 3]);
    assert_eq!(allowed(&rules.losses, Loss::Hinge), vec![2]);
    assert_eq!(allowed(&rules.losses, Loss::SoftmaxCrossEntropy), vec![2, 3]);
    for d in &rules.datasets {
        for l in &rules.losses {
            for classes in 2..=3 {
                let config = Config {
                    dataset: d.name,
                    loss: l.name,
                    classes,
                    ..Config::default()
                };
                let allowed = d.classes.contains(&classes) && l.classes.contains(&classes);
                assert_eq!(config.validate().is_ok(), allowed, "{config:?}");
            }
        }
    }
}

#[test]
fn the_rules_name_every_feature_and_activation_and_the_default_the_network_takes() {
    let rules = Rules::new();
    let features: Vec<_> = rules.features.iter().map(|f| (f.name, f.label)).collect();
    assert_eq!(features, Feature::ALL.map(|f| (f, f.name())));
    assert_eq!(rules.features[2].label, "x1²");
    assert_eq!(rules.activations[0], rules.default_activation);
    for a in [
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::Linear,
    ] {
        assert_eq!(rules.activations.iter().filter(|&&b| b == a).count(), 1, "{a:?}");
    }
    // A hidden layer the configuration names no activation for gets the default.
    let config = Config {
        hidden: vec![3, 3],
        activations: vec![Activation::Relu],
        ..Config::default()
    };
    assert_eq!(
        config.architecture().activations,
        vec![Activation::Relu, rules.default_activation]
    );
}

/// The page draws each input feature from `grid_inputs`: cell by cell, top row first, the
/// configured features of the cell's centre.
#[test]
fn grid_inputs_are_the_features_of_each_cell_centre() {
    let config = Config {
        features: vec![Feature::X2, Feature::SinX1, Feature::X1X2],
        ..Config::default()
    };
    let trainer = Trainer::new(config.clone()).unwrap();
    let res = 5;
    let inputs = trainer.grid_inputs(res);
    assert_eq!(inputs.len(), res * res * 3);
    for row in 0..res {
        for col in 0..res {
            let p = trainer.grid_point(res, row, col);
            for (f, feature) in config.features.iter().enumerate() {
                assert_eq!(inputs[(row * res + col) * 3 + f], feature.of(p) as f32);
            }
        }
    }
    // Top row first: row 0 is the top of the plane, column 0 its left edge.
    let [x, y] = trainer.grid_point(res, 0, 0);
    assert!(x < 0.0 && y > 0.0);
}

/// Full-batch SGD on 60 points: every step sees the same batch in the same order, so a
/// trainer rebuilt from the same weights takes the same next step.
fn full_batch() -> Config {
    Config {
        points: 60,
        test_fraction: 0.0,
        batch_size: 60,
        optimizer: OptimizerKind::Sgd,
        learning_rate: 0.1,
        ..Config::default()
    }
}

/// After a live change, the next step is the one a fresh trainer configured that way takes
/// from the same weights (and the same optimiser state: none for SGD, zero after a switch).
fn next_step_matches_a_fresh_trainer(before: Config, after: Config) {
    let mut live = Trainer::new(before).unwrap();
    for _ in 0..5 {
        live.step().unwrap();
    }
    let answer = live.reconfigure(after.clone()).unwrap();
    assert!(matches!(answer, Reconfigured::Live { .. }), "{answer:?}");
    let mut fresh = Trainer::with_data(after, live.data.clone(), &live.params()).unwrap();
    let (a, b) = (live.step().unwrap(), fresh.step().unwrap());
    assert_eq!(a.loss, b.loss);
    assert_eq!(a.step, 6, "the step count goes on");
    assert_eq!(live.params(), fresh.params());
}

#[test]
fn regularisation_and_its_rate_change_live() {
    let l2 = Config {
        regularization: Regularization::L2,
        lambda: 0.01,
        ..full_batch()
    };
    next_step_matches_a_fresh_trainer(full_batch(), l2.clone());
    next_step_matches_a_fresh_trainer(l2.clone(), Config { lambda: 0.1, ..l2 });
}

#[test]
fn a_new_optimiser_keeps_the_weights_and_starts_from_zero_moments() {
    let adam = Config {
        optimizer: OptimizerKind::Adam,
        learning_rate: 0.01,
        ..full_batch()
    };
    let mut live = Trainer::new(full_batch()).unwrap();
    live.step().unwrap();
    let answer = live.reconfigure(adam.clone()).unwrap();
    assert_eq!(
        answer,
        Reconfigured::Live {
            optimizer_reset: true,
            points_redrawn: false
        }
    );
    next_step_matches_a_fresh_trainer(full_batch(), adam);
}

#[test]
fn a_new_momentum_keeps_the_velocity() {
    let momentum = |mu| Config {
        optimizer: OptimizerKind::Momentum,
        momentum: mu,
        ..full_batch()
    };
    let mut live = Trainer::new(momentum(0.9)).unwrap();
    for _ in 0..5 {
        live.step().unwrap();
    }
    let answer = live.reconfigure(momentum(0.5)).unwrap();
    assert_eq!(
        answer,
        Reconfigured::Live {
            optimizer_reset: false,
            points_redrawn: false
        }
    );
    // A fresh optimiser would have no velocity: with it, the step is different.
    let mut fresh = Trainer::with_data(momentum(0.5), live.data.clone(), &live.params()).unwrap();
    live.step().unwrap();
    fresh.step().unwrap();
    assert_ne!(live.params(), fresh.params());
}

#[test]
fn the_batch_size_changes_live() {
    let mut t = Trainer::new(full_batch()).unwrap();
    t.step().unwrap();
    t.reconfigure(Config {
        batch_size: 10,
        ..full_batch()
    })
    .unwrap();
    assert_eq!(t.step().unwrap().step, 2);
    assert_eq!(t.last_batch().len(), 10);
}

#[test]
fn a_new_noise_draws_the_same_points_again_and_keeps_the_network() {
    let mut t = Trainer::new(full_batch()).unwrap();
    t.step().unwrap();
    let (points, params) = (t.data.points.clone(), t.params());
    let answer = t
        .reconfigure(Config {
            noise: 0.3,
            ..full_batch()
        })
        .unwrap();
    assert_eq!(
        answer,
        Reconfigured::Live {
            optimizer_reset: false,
            points_redrawn: true
        }
    );
    assert_eq!(t.data.points.len(), points.len());
    assert_ne!(t.data.points, points);
    assert_eq!(t.params(), params);
    assert_eq!(t.step().unwrap().step, 2);
}

#[test]
fn changes_that_need_a_new_run_change_nothing_and_say_which() {
    let mut t = Trainer::new(full_batch()).unwrap();
    t.step().unwrap();
    let next = Config {
        dataset: DatasetKind::Circles,
        hidden: vec![4],
        lambda: 0.1,
        ..full_batch()
    };
    assert_eq!(
        t.reconfigure(next).unwrap(),
        Reconfigured::NeedsRestart(vec!["dataset", "hidden", "activations"])
    );
    assert_eq!(t.config, full_batch(), "nothing changed, not even the live λ");
    assert!(t
        .reconfigure(Config {
            momentum: 5.0,
            ..full_batch()
        })
        .is_err());
}

#[test]
fn a_relu_at_zero_on_every_training_point_is_dead_and_others_are_not() {
    // Two features, one hidden layer of 3 ReLUs. Neuron 0 reads x1 (alive where x1 > 0),
    // neuron 1 has a bias of −100 (dead everywhere on the data), neuron 2 reads −x2.
    let config = Config {
        hidden: vec![3],
        activations: vec![Activation::Relu],
        ..Config::default()
    };
    let data = Trainer::new(config.clone()).unwrap().data.clone();
    let params = [
        mlp::LayerParams {
            w: vec![1.0, 0.0, 0.0, 0.0, 0.0, -1.0],
            b: vec![0.0, -100.0, 0.0],
        },
        mlp::LayerParams {
            w: vec![1.0, 1.0, 1.0],
            b: vec![0.0],
        },
    ];
    let mut t = Trainer::with_data(config.clone(), data.clone(), &params).unwrap();
    assert_eq!(t.dead_neurons(), [vec![1]]);
    // The same weights through tanh: nothing is "dead", tanh(−100) still has a slope.
    let tanh = Config {
        activations: vec![Activation::Tanh],
        ..config
    };
    let mut t = Trainer::with_data(tanh, data, &params).unwrap();
    assert_eq!(t.dead_neurons(), [Vec::<usize>::new()]);
}

#[test]
fn an_init_seed_draws_new_weights_on_the_same_points() {
    let config = Config::default();
    let first = Trainer::new(config.clone()).unwrap();
    let other = Trainer::new(Config {
        init_seed: 5,
        ..config.clone()
    })
    .unwrap();
    let again = Trainer::new(Config {
        init_seed: 5,
        ..config.clone()
    })
    .unwrap();
    let points = |t: &Trainer| (t.data.points.clone(), t.data.labels.clone(), t.data.train.clone());
    assert_eq!(
        points(&first),
        points(&other),
        "the points come from the data seed alone"
    );
    assert_ne!(first.params(), other.params());
    assert_eq!(other.params(), again.params(), "an init seed is reproducible");
    // A new init seed is a new run, as a new data seed is.
    let next = Config {
        init_seed: 6,
        ..config.clone()
    };
    assert_eq!(config.restarts(&next), ["init_seed"]);
}

#[test]
fn the_gradient_at_one_point_matches_central_differences_of_its_objective() {
    // L2 on: the objective at a point is its data loss plus λ/2·ΣW², as training minimises.
    let config = Config {
        hidden: vec![3],
        activations: vec![Activation::Tanh],
        regularization: Regularization::L2,
        lambda: 0.1,
        ..Config::default()
    };
    let t = Trainer::new(config.clone()).unwrap();
    let point = 7;
    let g = t.gradient_at(point).unwrap();
    assert!(t.gradient_at(t.data.points.len()).is_none());
    let params = t.params();
    let loss_with = |layer: usize, k: usize, dw: f64| {
        let mut p = params.clone();
        p[layer].w[k] += dw;
        Trainer::with_data(config.clone(), t.data.clone(), &p)
            .unwrap()
            .gradient_at(point)
            .unwrap()
            .loss
    };
    let h = 1e-3;
    for (layer, k) in [(0, 0), (0, 4), (1, 2)] {
        let numeric = (loss_with(layer, k, h) - loss_with(layer, k, -h)) / (2.0 * h);
        let autodiff = g.layers[layer].w_grad[k] as f64;
        assert!(
            (numeric - autodiff).abs() < 2e-3 * (1.0 + numeric.abs()),
            "W{}[{k}]: {autodiff} against {numeric}",
            layer + 1
        );
    }
}
