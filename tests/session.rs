//! The session layer the page and the CLI share, natively: one evaluation type, descent,
//! tangents, gradient checks, the layout policy and typed errors.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::session::{ExpressionSession, SessionError};
use std::collections::HashMap;

fn lecture() -> ExpressionSession {
    ExpressionSession::new("ln(x1)+x1*x2-sin(x2)").unwrap()
}

#[test]
fn evaluate_reports_value_gradient_and_every_node() {
    let mut s = lecture();
    let e = s.evaluate(&[2.0, 5.0]).unwrap();
    assert!((e.value - 11.652071455223084).abs() < 1e-12);
    assert_eq!(e.gradient[0], 5.5);
    assert!((e.gradient[1] - 1.7163378145367738).abs() < 1e-12);
    assert_eq!(e.nodes.len(), 7);
    assert_eq!(e.nodes[e.root].value[0], e.value);
    assert_eq!(
        e.inputs
            .iter()
            .map(|&i| e.nodes[i].label.as_str())
            .collect::<Vec<_>>(),
        ["x1", "x2"]
    );
    // By name, as the CLI gives them: the same numbers.
    let at: HashMap<String, f64> = [("x1".into(), 2.0), ("x2".into(), 5.0)].into();
    assert_eq!(s.evaluate_at(&at).unwrap().gradient, e.gradient);
}

#[test]
fn errors_are_typed_with_a_stable_kind() {
    let mut s = lecture();
    let e = s.evaluate(&[1.0]).unwrap_err();
    assert_eq!(e.kind(), "value-count");
    assert_eq!(e.to_string(), "expected 2 values (for x1, x2), got 1");
    let e = s.tangents(2).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string().as_str()),
        ("no-variable", "no variable 2: the expression has 2")
    );
    assert_eq!(s.descend(f64::NAN).unwrap_err().kind(), "learning-rate");
    let missing = s.evaluate_at(&HashMap::new()).unwrap_err();
    match &missing {
        SessionError::Parse(e) => assert_eq!(
            (e.message.as_str(), e.start, e.end),
            ("missing value for variable x1", 3, 5)
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(missing.kind(), "parse");
    assert!(ExpressionSession::new("sin(").is_err());
}

#[test]
fn descend_takes_one_step_against_the_gradient() {
    let mut s = ExpressionSession::new("(x-3)^2 + (y+1)^2").unwrap();
    s.evaluate(&[0.0, 0.0]).unwrap();
    assert_eq!(s.descend(0.1).unwrap(), [0.6000000000000001, -0.2]);
}

#[test]
fn tangents_give_one_partial_per_pass_and_agree_with_backward() {
    let mut s = lecture();
    let e = s.evaluate(&[2.0, 5.0]).unwrap();
    for i in 0..2 {
        let t = s.tangents(i).unwrap();
        assert!((t[e.root] - e.gradient[i]).abs() < 1e-12, "∂f/∂x{}", i + 1);
        assert_eq!(t[e.inputs[i]], 1.0, "the seed");
    }
}

#[test]
fn gradcheck_agrees_on_a_smooth_function() {
    let mut s = lecture();
    s.evaluate(&[2.0, 5.0]).unwrap();
    let rows = s.gradcheck();
    assert_eq!(
        rows.iter().map(|r| r.variable.as_str()).collect::<Vec<_>>(),
        ["x1", "x2"]
    );
    assert!(rows.iter().all(|r| r.error < 1e-8), "{rows:?}");
}

#[test]
fn the_layout_policy_puts_constants_beside_their_consumer_not_among_the_inputs() {
    // 3 is used by the last op only: longest-path layering alone would put it in layer 0.
    let s = ExpressionSession::new("sin(sin(sin(x))) * 3").unwrap();
    let layout = s.layout();
    let e = s.graph();
    let by_label = |label: &str| {
        let i = (0..e.len())
            .find(|&i| e.nodes()[i].label.as_deref() == Some(label))
            .unwrap();
        layout.nodes[i].layer
    };
    assert_eq!(by_label("x"), 0, "the input on the left");
    let product = layout.nodes.len() - 1;
    assert_eq!(
        by_label("3") + 1,
        layout.nodes[product].layer,
        "the constant one layer before its consumer"
    );
}

// ---- training ------------------------------------------------------------------------------

use gradscope::nn::{Activation, Config, Stopped};
use gradscope::session::TrainingSession;

#[test]
fn a_run_records_one_activation_per_hidden_layer_as_the_network_has_them() {
    // The defaults name two activations; a one-layer network has one.
    let one = TrainingSession::new(Config {
        hidden: vec![3],
        ..Config::default()
    })
    .unwrap();
    assert_eq!(one.trainer.config.activations, one.trainer.arch.activations);
    assert_eq!(one.trainer.config.activations, [Activation::Tanh]);
    // Too few: the rest are tanh, in the record too.
    let three = TrainingSession::new(Config {
        hidden: vec![4, 4, 4],
        activations: vec![Activation::Relu],
        ..Config::default()
    })
    .unwrap();
    assert_eq!(
        three.trainer.config.activations,
        [Activation::Relu, Activation::Tanh, Activation::Tanh]
    );
}

#[test]
fn a_bad_configuration_is_a_typed_error_with_words_and_a_kind() {
    let e = TrainingSession::new(Config {
        classes: 3,
        ..Config::default()
    })
    .err()
    .expect("moons have two classes");
    assert_eq!(e.kind(), "dataset-classes");
    assert_eq!(e.to_string(), "moons has no 3-class version");
    let e = TrainingSession::new(Config {
        hidden: vec![65],
        ..Config::default()
    })
    .err()
    .unwrap();
    assert_eq!(
        (e.kind(), e.to_string().as_str()),
        ("network-size", "up to 8 hidden layers of 1 to 64 neurons")
    );
}

#[test]
fn step_takes_n_steps_and_reports_the_last() {
    let mut s = TrainingSession::new(Config::default()).unwrap();
    let p = s.step(30);
    assert_eq!((p.step, p.stopped, p.stopped_kind), (30, None, None));
    assert!(p.loss.is_finite() && (0.0..=1.0).contains(&p.accuracy));
    assert_eq!(p.epoch, 30 * 32 / 210, "points used ÷ training points");
    let p = s.step(0);
    assert_eq!(p.step, 30);
    assert!(p.loss.is_nan(), "no step, no loss");
}

#[test]
fn a_diverging_run_stops_at_the_step_that_diverged_with_the_last_finite_weights() {
    let mut s = TrainingSession::new(Config {
        loss: gradscope::nn::Loss::Mse,
        learning_rate: 1e6,
        optimizer: gradscope::nn::OptimizerKind::Sgd,
        ..Config::default()
    })
    .unwrap();
    let mut seen = Vec::new();
    let run = s
        .run(500, |_, r| {
            seen.push(r.step);
            Ok::<(), ()>(())
        })
        .unwrap();
    let stopped = run
        .stopped
        .clone()
        .expect("squared error under SGD at 1e6 diverges");
    let Stopped::Diverged { step, .. } = stopped else {
        panic!("{stopped:?}");
    };
    assert_eq!(
        step,
        seen.len() + 1,
        "the step that diverged is the one after the last taken"
    );
    assert_eq!(run.last.unwrap().step, seen.len());
    assert!(s
        .trainer
        .params()
        .iter()
        .all(|l| l.w.iter().all(|w| w.is_finite())));
    let p = s.progress(&run);
    assert_eq!(p.stopped_kind, Some("diverged"));
    assert!(p
        .stopped
        .unwrap()
        .contains("the weights are those of the last finite loss"));
}

#[test]
fn with_no_points_the_run_stops_at_once_and_says_why() {
    let mut s = TrainingSession::new(Config::default()).unwrap();
    s.trainer.clear_points();
    let p = s.step(10);
    assert_eq!((p.step, p.stopped_kind), (0, Some("no-training-points")));
}

#[test]
fn an_error_from_the_caller_ends_the_run_where_it_happened() {
    let mut s = TrainingSession::new(Config::default()).unwrap();
    let out = s.run(100, |_, r| if r.step == 7 { Err("pipe closed") } else { Ok(()) });
    assert_eq!(out, Err("pipe closed"));
    assert_eq!(s.trainer.steps, 7);
}
