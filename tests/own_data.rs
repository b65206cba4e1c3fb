//! The user's own data and model: points read from CSV and trained on, a run saved and
//! loaded back (training on from a file gives the same weights, bit for bit, as never
//! stopping), a damaged file refused whole, and the numbers the page explains a weight
//! and a neuron with.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::nn::csv::{read_points, write_points, OwnPoints};
use gradscope::nn::{
    Activation, Config, ConfigError, DatasetKind, LayerParams, Loss, OptimizerKind, Problem, Regularization,
    Rules, Trainer,
};
use serde_json::Value;

fn small(optimizer: OptimizerKind) -> Config {
    Config {
        points: 120,
        hidden: vec![5, 3],
        activations: vec![Activation::Relu, Activation::Tanh],
        batch_size: 16,
        optimizer,
        regularization: Regularization::L2,
        lambda: 0.001,
        ..Config::default()
    }
}

fn bits(params: &[LayerParams]) -> Vec<u64> {
    params
        .iter()
        .flat_map(|l| l.w.iter().chain(&l.b))
        .map(|v| v.to_bits())
        .collect()
}

#[test]
fn training_on_from_a_saved_run_is_the_run_that_never_stopped() {
    let fit = Config {
        problem: Problem::Regression,
        dataset: DatasetKind::Gaussians,
        loss: Loss::Mse,
        ..small(OptimizerKind::Adam)
    };
    let configs = [OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Adam].map(small);
    for config in configs.into_iter().chain([fit]) {
        let optimizer = (config.problem, config.optimizer);
        let mut straight = Trainer::new(config.clone()).unwrap();
        let mut first = Trainer::new(config).unwrap();
        // 37 steps of 16 from 84 training points: the save falls in the middle of an epoch.
        for _ in 0..37 {
            straight.step().unwrap();
            first.step().unwrap();
        }
        let text = first.save_json();
        drop(first);
        let mut loaded = Trainer::load_json(&text).unwrap();
        assert_eq!(
            (loaded.steps, loaded.epochs()),
            (straight.steps, straight.epochs())
        );
        assert_eq!(loaded.config, straight.config);
        assert_eq!(loaded.data, straight.data);
        for _ in 0..50 {
            let (a, b) = (straight.step().unwrap(), loaded.step().unwrap());
            assert_eq!(
                a.loss.to_bits(),
                b.loss.to_bits(),
                "{optimizer:?} step {}",
                a.step
            );
        }
        assert_eq!(bits(&loaded.params()), bits(&straight.params()), "{optimizer:?}");
        assert_eq!(
            loaded.save_json(),
            straight.save_json(),
            "{optimizer:?}: the same file"
        );
    }
}

/// A saved run's JSON with one part changed by `edit`.
fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut t = Trainer::new(small(OptimizerKind::Adam)).unwrap();
    t.step().unwrap();
    let mut file: Value = serde_json::from_str(&t.save_json()).unwrap();
    edit(&mut file);
    file.to_string()
}

#[test]
fn a_damaged_or_foreign_file_is_refused_with_what_is_wrong() {
    let refused = |text: &str| match Trainer::load_json(text) {
        Ok(_) => panic!("loaded: {text:.80}"),
        Err(e) => e.to_string(),
    };
    assert!(refused("").starts_with("this is not a gradscope model file: EOF"));
    assert!(refused("{\"format\": \"gradscope-model\", ").contains("not a gradscope model file"));
    assert!(refused("[1, 2]").contains("has no \"format\""));
    assert!(refused("x1,x2,label\n0,0,1\n").contains("not a gradscope model file"));
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|f| f["format"] = "netron".into()),
            "its format is 'netron'",
        ),
        (
            Box::new(|f| f["version"] = 2.into()),
            "version 2; this gradscope reads version 1",
        ),
        (
            Box::new(|f| f["config"]["hidden"] = serde_json::json!([5, 300])),
            "cannot be trained here: up to 8 hidden layers",
        ),
        (
            Box::new(|f| f["config"]["hidden"] = serde_json::json!([5, 4])),
            "layer 2 has 15 weights and 3 biases",
        ),
        (
            Box::new(|f| f["layers"].as_array_mut().unwrap().pop().map(drop).unwrap()),
            "2 layers of weights for a network of 3",
        ),
        (
            Box::new(|f| f["optimizer"]["m"][0] = serde_json::json!([1.0])),
            "the optimiser's moments do not fit",
        ),
        (
            Box::new(|f| f["layers"][0]["w"][0] = serde_json::json!(1e300)),
            "not a finite number",
        ),
        (
            Box::new(|f| f["batches"]["rng"] = "zz".into()),
            "'zz' is not 16 hex digits",
        ),
        (
            Box::new(|f| f["batches"]["order"][0] = 100000.into()),
            "the batches do not go over the training points",
        ),
        (
            Box::new(|f| f["data"]["labels"][3] = 7.into()),
            "its points: point 3 has class 7",
        ),
        (
            Box::new(|f| f["data"]["test"][0] = f["data"]["train"][0].clone()),
            "do not split the 120 points",
        ),
        (Box::new(|f| f["surprise"] = 1.into()), "unknown field `surprise`"),
        (
            Box::new(|f| f["steps"] = "many".into()),
            "the model file is damaged: invalid type",
        ),
    ];
    for (edit, want) in cases {
        let message = refused(&edited(edit));
        assert!(message.contains(want), "{message:?} should say {want:?}");
    }
}

#[test]
fn own_points_are_split_by_the_seed_and_trained_on() {
    let text: String = (0..200)
        .map(|i| {
            let x = (i as f64 * 0.731).sin() * 1.5;
            let y = (i as f64 * 1.37).cos() * 1.5;
            format!("{x},{y},{}\n", usize::from(x * x + y * y > 1.0))
        })
        .collect();
    let own = read_points(text.as_bytes(), Problem::Classification).unwrap();
    let config = Config {
        hidden: vec![8, 8],
        learning_rate: 0.03,
        ..Config::default()
    };
    let mut t = Trainer::with_points(config.clone(), own.clone()).unwrap();
    assert_eq!((t.config.dataset, t.config.points), (DatasetKind::Own, 200));
    assert_eq!((t.data.train.len(), t.data.test.len()), (140, 60));
    let same = Trainer::with_points(config.clone(), own.clone()).unwrap();
    assert_eq!(same.data, t.data, "the same seed splits the same way");
    for _ in 0..600 {
        t.step().unwrap();
    }
    let m = t.evaluate();
    assert!(m.train_accuracy > 0.9 && m.test_accuracy > 0.85, "{m:?}");
    // The points as CSV are the points read.
    let back = read_points(write_points(&t.data).as_bytes(), Problem::Classification).unwrap();
    assert_eq!((back.points, back.labels), (own.points, own.labels));
    // A configuration alone cannot stand for them.
    assert!(matches!(
        Trainer::new(t.config.clone()),
        Err(ConfigError::OwnPoints)
    ));
    // Noise has nothing to redraw on them.
    let noisy = Config {
        noise: 0.5,
        ..t.config.clone()
    };
    let before = t.data.clone();
    t.reconfigure(noisy).unwrap();
    assert_eq!(t.data, before);
}

#[test]
fn a_run_on_given_points_is_the_run_new_gives_on_them() {
    let config = small(OptimizerKind::Momentum);
    let mut fresh = Trainer::new(config.clone()).unwrap();
    let mut given = Trainer::with_dataset(config.clone(), fresh.data.clone()).unwrap();
    for _ in 0..40 {
        assert_eq!(fresh.step().unwrap(), given.step().unwrap());
    }
    let mut bad = fresh.data.clone();
    bad.labels[0] = 5;
    let e = Trainer::with_dataset(config.clone(), bad).err().unwrap();
    assert_eq!(e.kind(), "data");
    let three = Trainer::with_dataset(
        Config {
            classes: 3,
            dataset: DatasetKind::Blobs,
            loss: gradscope::nn::Loss::SoftmaxCrossEntropy,
            ..config
        },
        fresh.data.clone(),
    );
    assert!(three
        .err()
        .unwrap()
        .to_string()
        .contains("they have 2 classes and the configuration 3"));
}

#[test]
fn the_update_preview_of_sgd_is_minus_the_learning_rate_times_the_gradient() {
    // (Every optimiser's preview is checked against its own step in `optim.rs`.)
    let config = small(OptimizerKind::Sgd);
    let mut t = Trainer::new(config.clone()).unwrap();
    for _ in 0..5 {
        t.step().unwrap();
    }
    let lr = config.learning_rate as f32;
    for (p, l) in t.update_preview().iter().zip(t.layers()) {
        assert_eq!(p.dw, l.w_grad.iter().map(|g| -(lr * g)).collect::<Vec<_>>());
        assert_eq!(p.db, l.b_grad.iter().map(|g| -(lr * g)).collect::<Vec<_>>());
    }
}

#[test]
fn a_neurons_numbers_at_a_point_are_its_formula_worked_out() {
    let mut t = Trainer::new(Config {
        hidden: vec![4, 3],
        activations: vec![Activation::Tanh, Activation::Relu],
        ..Config::default()
    })
    .unwrap();
    for _ in 0..20 {
        t.step().unwrap();
    }
    let point = 17;
    let (inputs, layers) = t.activations_at(point).unwrap();
    assert_eq!(inputs, t.data.points[point].map(|v| v as f32));
    let mut h: Vec<f64> = inputs.iter().map(|&v| v as f64).collect();
    for (l, (state, got)) in t.layers().iter().zip(&layers).enumerate() {
        let z: Vec<f64> = (0..state.outputs)
            .map(|j| {
                state.b[j] as f64
                    + (0..state.inputs)
                        .map(|i| h[i] * state.w[i * state.outputs + j] as f64)
                        .sum::<f64>()
            })
            .collect();
        let act = |z: f64| match l {
            0 => z.tanh(),
            1 => z.max(0.0),
            _ => z,
        };
        for (j, &z) in z.iter().enumerate() {
            assert!((got.z[j] as f64 - z).abs() < 1e-5, "layer {l} z[{j}]");
            assert!((got.h[j] as f64 - act(z)).abs() < 1e-5, "layer {l} h[{j}]");
        }
        h = got.h.iter().map(|&v| v as f64).collect();
    }
    assert!(t.activations_at(t.data.points.len()).is_none());
}

fn regression(dataset: DatasetKind) -> Config {
    Config {
        problem: Problem::Regression,
        dataset,
        loss: Loss::Mse,
        hidden: vec![16, 16],
        activations: vec![Activation::Tanh, Activation::Tanh],
        points: 300,
        ..Config::default()
    }
}

#[test]
fn regression_datasets_are_their_functions_plus_noise() {
    let exact = |dataset, x1: f64, x2: f64| match dataset {
        DatasetKind::Plane => (x1 + x2) / 3.0,
        DatasetKind::Sine => (2.0 * x1).sin(),
        DatasetKind::Abs => x1.abs() - 0.75,
        DatasetKind::Step => 0.5 * x1.signum(),
        _ => f64::NAN,
    };
    for dataset in [
        DatasetKind::Plane,
        DatasetKind::Sine,
        DatasetKind::Abs,
        DatasetKind::Step,
    ] {
        let t = Trainer::new(Config {
            noise: 0.0,
            ..regression(dataset)
        })
        .unwrap();
        let d = &t.data;
        assert!(
            d.is_regression() && d.labels.is_empty() && d.targets.len() == 300,
            "{dataset:?}"
        );
        for (&[x1, x2], &y) in d.points.iter().zip(&d.targets) {
            assert!(
                (y - exact(dataset, x1, x2)).abs() < 1e-12,
                "{dataset:?} at ({x1}, {x2})"
            );
            assert!(x1.abs() <= 1.5 && x2.abs() <= 1.5);
            assert!(
                !dataset.is_curve() || x2 == 0.0,
                "a fit of y = f(x1) lies on x2 = 0"
            );
        }
    }
    // The Gaussians: six signed bumps, targets within [-1, 1], both signs present.
    let t = Trainer::new(Config {
        noise: 0.0,
        ..regression(DatasetKind::Gaussians)
    })
    .unwrap();
    let (lo, hi) = t
        .data
        .targets
        .iter()
        .fold((0.0f64, 0.0f64), |(lo, hi), &y| (lo.min(y), hi.max(y)));
    assert!(lo < -0.5 && hi > 0.5 && lo >= -1.0 && hi <= 1.0, "{lo} {hi}");
    // Noise is added to the targets, not to the points.
    let noisy = Trainer::new(Config {
        noise: 0.3,
        ..regression(DatasetKind::Sine)
    })
    .unwrap();
    let residual: f64 = (noisy.data.points.iter().zip(&noisy.data.targets))
        .map(|(p, y)| (y - (2.0 * p[0]).sin()).powi(2))
        .sum::<f64>()
        / 300.0;
    assert!(
        (residual.sqrt() - 0.3).abs() < 0.05,
        "noise σ ≈ 0.3: {}",
        residual.sqrt()
    );
}

#[test]
fn a_network_fits_a_sine_and_reports_rmse_and_r2() {
    let mut t = Trainer::new(Config {
        noise: 0.05,
        ..regression(DatasetKind::Sine)
    })
    .unwrap();
    let start = t.evaluate();
    for _ in 0..1500 {
        t.step().unwrap();
    }
    let m = t.evaluate();
    assert!(m.test_r2 > 0.95 && m.test_r2 > start.test_r2, "{start:?} → {m:?}");
    assert!(
        m.train_accuracy.is_nan() && m.test_accuracy.is_nan(),
        "no accuracy for a regression"
    );
    // RMSE is the root of the data loss, the mean squared error (in f32).
    assert!(
        (m.train_rmse.powi(2) - m.train_loss).abs() < 1e-5 * m.train_loss.max(1e-3),
        "{m:?}"
    );
    // R² from its definition, on the curve's own outputs at the training points.
    let ys: Vec<f64> = t.data.train.iter().map(|&i| t.data.targets[i]).collect();
    let mean = ys.iter().sum::<f64>() / ys.len() as f64;
    let sse: f64 = (t.data.train.iter())
        .map(|&i| {
            let (_, layers) = t.activations_at(i).unwrap();
            (layers.last().unwrap().h[0] as f64 - t.data.targets[i]).powi(2)
        })
        .sum();
    let sst: f64 = ys.iter().map(|y| (y - mean).powi(2)).sum();
    assert!(
        (1.0 - sse / sst - m.train_r2).abs() < 1e-5,
        "{} vs {}",
        1.0 - sse / sst,
        m.train_r2
    );
    // A classification has accuracy and no fit.
    let mut c = Trainer::new(Config::default()).unwrap();
    let m = c.evaluate();
    assert!(m.train_accuracy.is_finite() && m.train_rmse.is_nan() && m.test_r2.is_nan());
}

#[test]
fn the_curve_is_the_networks_output_along_x2_0() {
    // Points at ±2 make the view ±2.3 wide, so a 5-point curve is drawn at −2.3, −1.15, 0,
    // 1.15 and 2.3: three of them are data points, whose outputs the engine gives too.
    let own = OwnPoints {
        points: vec![[-2.0, 0.0], [-1.15, 0.0], [0.0, 0.0], [1.15, 0.0], [2.0, 0.0]],
        labels: vec![],
        targets: vec![1.0, -1.0, 0.5, 0.25, 0.0],
        classes: 0,
    };
    let mut t = Trainer::with_points(
        Config {
            test_fraction: 0.0,
            ..regression(DatasetKind::Own)
        },
        own,
    )
    .unwrap();
    for _ in 0..10 {
        t.step().unwrap();
    }
    let curve = t.predict_curve(5);
    assert_eq!(curve.len(), 5);
    for (k, point) in [(1, 1), (2, 2), (3, 3)] {
        let (_, layers) = t.activations_at(point).unwrap();
        assert!(
            (curve[k] - layers.last().unwrap().h[0]).abs() < 1e-6,
            "x = {}",
            t.data.points[point][0]
        );
    }
    assert_eq!(t.predict_grid(4).len(), 16, "one output per cell");
}

#[test]
fn problems_datasets_and_losses_go_together() {
    let kind = |c: Config| c.validate().err().map(|e| e.kind());
    assert_eq!(kind(regression(DatasetKind::Moons)), Some("dataset-problem"));
    assert_eq!(
        kind(Config {
            loss: Loss::Hinge,
            ..regression(DatasetKind::Sine)
        }),
        Some("regression-loss")
    );
    assert_eq!(
        kind(Config {
            dataset: DatasetKind::Sine,
            ..Config::default()
        }),
        Some("dataset-problem")
    );
    assert_eq!(kind(regression(DatasetKind::Own)), None);
    let rules = Rules::new();
    let of = |p: Problem| {
        rules
            .problems
            .iter()
            .find(|x| x.problem == p)
            .unwrap()
            .datasets
            .clone()
    };
    use DatasetKind::*;
    assert_eq!(
        of(Problem::Regression),
        vec![Own, Plane, Gaussians, Sine, Abs, Step]
    );
    assert_eq!(
        of(Problem::Classification),
        vec![Moons, Circles, Xor, Blobs, Spiral, Own]
    );
    assert_eq!(rules.regression_loss, Loss::Mse);
    // Points with classes are not a regression's, nor targets a classification's.
    let classes = read_points(b"0,0,0\n1,1,1\n", Problem::Classification).unwrap();
    let e = Trainer::with_points(regression(Own), classes).err().unwrap();
    assert!(e.to_string().contains("a regression needs targets"), "{e}");
    let targets = read_points(b"0,0,0.5\n1,1,1\n", Problem::Regression).unwrap();
    let e = Trainer::with_points(Config::default(), targets).err().unwrap();
    assert!(e.to_string().contains("a classification needs classes"), "{e}");
}

#[test]
fn points_added_to_a_fit_carry_their_target_and_keep_the_curve() {
    let mut t = Trainer::new(regression(DatasetKind::Sine)).unwrap();
    assert!(t.shows_curve());
    t.clear_points();
    assert!(t.shows_curve(), "a cleared fit is still a fit");
    t.add_point([0.5, 0.0], 0.75, false).unwrap();
    t.add_point([-0.5, 0.0], -2.5, true).unwrap();
    assert_eq!(
        (t.data.targets.clone(), t.data.test.clone()),
        (vec![0.75, -2.5], vec![1])
    );
    assert_eq!(
        t.add_point([0.0, 0.0], f64::INFINITY, false).unwrap_err().kind(),
        "point"
    );
    assert_eq!(
        t.add_point([f64::NAN, 0.0], 1.0, false).unwrap_err().kind(),
        "point"
    );
    assert!(t.add_point([0.0, 0.0], 0.5, false).is_ok(), "any finite target");
    // The plane's regressions, and a fit with a point off the line, are planes.
    assert!(!Trainer::new(regression(DatasetKind::Plane))
        .unwrap()
        .shows_curve());
    let own = OwnPoints {
        points: vec![[0.0, 0.0], [1.0, 0.5]],
        labels: vec![],
        targets: vec![0.0, 1.0],
        classes: 0,
    };
    assert!(!Trainer::with_points(regression(DatasetKind::Own), own)
        .unwrap()
        .shows_curve());
    // A classification refuses a class it does not have, and a fractional one.
    let mut c = Trainer::new(Config::default()).unwrap();
    assert!(c.add_point([0.0, 0.0], 0.5, false).is_err() && c.add_point([0.0, 0.0], 2.0, false).is_err());
}
