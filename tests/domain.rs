//! Where a NaN or an infinity arises, the report says which node made it and why.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::expr;
use gradscope::report;

/// The `not_finite` words of every node of `source` at `values`, by label.
fn notes(source: &str, values: &[f64]) -> Vec<(String, Option<String>)> {
    let mut lowered = expr::parse(source).unwrap().lower(values);
    lowered.graph.backward(lowered.root);
    report::nodes(&lowered.graph)
        .into_iter()
        .map(|n| (n.label, n.not_finite))
        .collect()
}

fn note_of(source: &str, values: &[f64], label: &str) -> Option<String> {
    notes(source, values)
        .into_iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("{source} has no node {label}"))
        .1
}

#[test]
fn the_node_that_leaves_the_real_domain_says_so() {
    assert_eq!(
        note_of("ln(x)", &[-1.0], "ln").as_deref(),
        Some("ln of a negative number (x = -1) is not a real number")
    );
    assert!(note_of("ln(x)", &[0.0], "ln").unwrap().starts_with("ln(0) = −∞"));
    assert!(note_of("sqrt(x)", &[-4.0], "sqrt")
        .unwrap()
        .contains("square root of a negative number (x = -4)"));
    assert_eq!(
        note_of("1/x", &[0.0], "/").as_deref(),
        Some("division by zero: 1 / 0 is ±∞")
    );
    assert_eq!(note_of("x/x", &[0.0], "/").as_deref(), Some("0 / 0 is undefined"));
    assert!(note_of("x^0.5", &[-2.0], "^")
        .unwrap()
        .ends_with("is not a real number: (-2)^0.5"));
    assert!(note_of("x^-1", &[0.0], "^")
        .unwrap()
        .contains("0 to a negative power"));
    assert!(note_of("exp(x)", &[1000.0], "exp")
        .unwrap()
        .contains("x = 1000 is above"));
    assert!(note_of("x*y", &[1e200, 1e200], "*")
        .unwrap()
        .contains("1e200 * 1e200 is beyond the largest f64"));
}

#[test]
fn a_nan_passed_on_is_not_blamed_on_the_nodes_after_it() {
    let all = notes("ln(x) + 1", &[-1.0]);
    let blamed: Vec<&str> = all
        .iter()
        .filter(|(_, n)| n.is_some())
        .map(|(l, _)| l.as_str())
        .collect();
    assert_eq!(blamed, ["ln"], "only ln made the NaN: {all:?}");
}

#[test]
fn finite_values_have_no_note() {
    assert!(notes("ln(x1)+x1*x2-sin(x2)", &[2.0, 5.0])
        .iter()
        .all(|(_, n)| n.is_none()));
}
