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
