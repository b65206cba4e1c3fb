//! Every kind of bad input gives a message a student understands, at the right bytes.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::expr::{self, ExprError, MAX_DEPTH};
use gradscope::session::{Evaluation, ExpressionSession};
use std::collections::HashMap;

fn evaluate(source: &str, at: &HashMap<String, f64>) -> Evaluation {
    ExpressionSession::new(source).unwrap().evaluate_at(at).unwrap()
}

fn error(source: &str) -> ExprError {
    expr::parse(source).expect_err(source)
}

fn check(source: &str, message: &str, start: usize, end: usize) {
    let e = error(source);
    assert_eq!(
        (e.message.as_str(), e.start, e.end),
        (message, start, end),
        "{source:?}"
    );
}

#[test]
fn unclosed_parenthesis_points_at_the_end_and_names_the_opener() {
    check("(x1 + 2", "expected ')' to close the '(' at column 1", 7, 7);
    check("sin(x1", "expected ')' to close the '(' at column 4", 6, 6);
    check(
        "(x1 x2)",
        "expected ')' to close the '(' at column 1, found 'x2'",
        4,
        6,
    );
    assert_eq!(error("sin(x1").related, Some((3, 4)), "the '(' is pointed at too");
    // Columns count characters, not bytes: '×' is two bytes of UTF-8.
    check("a×(b + 2", "expected ')' to close the '(' at column 3", 9, 9);
}

#[test]
fn unknown_functions_and_wrong_arity() {
    check("foo(x)", "unknown function 'foo'", 0, 3);
    check("1 + sin(x1, 2)", "sin takes 1 argument, got 2", 4, 14);
    check("max(x1)", "max takes 2 arguments, got 1", 0, 7);
    check("pow()", "pow takes 2 arguments, got 0", 0, 5);
}

#[test]
fn names_used_the_wrong_way() {
    check("sin + 1", "'sin' is a function: write sin(…)", 0, 3);
    check("pi(2)", "'pi' is a constant, not a function", 0, 2);
}

#[test]
fn missing_values_point_at_the_first_appearance() {
    let parsed = expr::parse("x1*x2 + x2").unwrap();
    let at: HashMap<String, f64> = [("x1".to_string(), 1.0)].into();
    let e = parsed.bind(&at).unwrap_err();
    assert_eq!(
        (e.message.as_str(), e.start, e.end),
        ("missing value for variable x2", 3, 5)
    );
}

#[test]
fn stray_tokens() {
    check("", "the expression is empty", 0, 0);
    check("   ", "the expression is empty", 0, 3);
    check(
        "x1 +",
        "expected a number, variable or '(' after '+', found the end of the expression",
        4,
        4,
    );
    check("* x", "expected a number, variable or '(', found '*'", 0, 1);
    check("x1)", "')' has no matching '('", 2, 3);
    check("x1, x2", "',' outside a function call", 2, 3);
    check("x1 x2", "expected an operator before 'x2'", 3, 5);
    check("()", "expected an expression inside '( )'", 1, 2);
    check("2e", "expected an operator before 'e'", 1, 2);
    check(".", "'.' is not a number", 0, 1);
}

#[test]
fn unexpected_characters_are_reported_whole_even_in_utf8() {
    check("x1 $ 2", "unexpected character '$'", 3, 4);
    check("x€y", "unexpected character '€'", 1, 4);
    check("<img src=x onerror=alert(1)>", "unexpected character '<'", 0, 1);
}

#[test]
fn characters_that_look_like_a_space_or_nothing_are_named() {
    check(
        "x\u{a0}+ y",
        "unexpected no-break space (U+00A0): type an ordinary space, or nothing",
        1,
        3,
    );
    check(
        "x+\u{200b}y",
        "unexpected zero-width space (U+200B): type an ordinary space, or nothing",
        2,
        5,
    );
    check(
        "x +\u{3000}y",
        "unexpected space character U+3000: type an ordinary space",
        3,
        6,
    );
    check("x\u{7}", "unexpected control character U+0007", 1, 2);
}

#[test]
fn the_typographic_operators_of_the_page_mean_what_they_show() {
    // The preset names print `x1·x2 − sin(x2)`: pasted back, that is an expression.
    let values = |source: &str| {
        let e = expr::parse(source).unwrap_or_else(|e| panic!("{source}: {}", e.message));
        let at: HashMap<String, f64> = e.variable_names().map(|v| (v.to_string(), 3.0)).collect();
        evaluate(source, &at).value
    };
    assert_eq!(values("x1·x2 − sin(x2)"), values("x1*x2 - sin(x2)"));
    assert_eq!(values("a × b ÷ c"), values("a * b / c"));
    assert_eq!(values("−x ⋅ 2 – 1"), values("-x * 2 - 1"));
}

#[test]
fn nesting_up_to_the_limit_works_and_beyond_it_is_a_clear_error() {
    let ok = format!("{}x{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(expr::parse(&ok).is_ok());
    let calls = format!("{}x{}", "sin(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(expr::parse(&calls).is_ok());
    let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
    let e = error(&deep);
    assert!(e.message.starts_with("too deeply nested"), "{}", e.message);
    assert_eq!((e.start, e.end), (MAX_DEPTH, MAX_DEPTH + 1));
}

#[test]
fn long_chains_do_not_recurse() {
    for op in ["+", "-", "*", "/", "^"] {
        let source = vec!["x"; 200_000].join(op);
        assert!(expr::parse(&source).is_ok(), "{op}");
    }
    let negations = format!("{}x", "-".repeat(200_000));
    let at: HashMap<String, f64> = [("x".to_string(), 2.0)].into();
    let e = evaluate(&negations, &at);
    assert_eq!((e.value, e.gradient[0]), (2.0, 1.0));
}

#[test]
fn precedence_and_associativity() {
    let at: HashMap<String, f64> = [("x".to_string(), 3.0)].into();
    let value = |s: &str| evaluate(s, &at).value;
    assert_eq!(value("-x^2"), -9.0);
    assert_eq!(value("2^3^2"), 512.0);
    assert_eq!(value("2**3**2"), 512.0);
    assert_eq!(value("x^-1"), 1.0 / 3.0);
    assert_eq!(value("2^-x^2"), 2f64.powf(-9.0));
    assert_eq!(value("8/2/2"), 2.0);
    assert_eq!(value("8-2-2"), 4.0);
    assert_eq!(value("1+2*x"), 7.0);
    assert_eq!(value("-(x)*-2"), 6.0);
    assert_eq!(value("log(e)"), 1.0);
}

#[test]
fn variables_are_listed_in_order_of_first_appearance_and_shared() {
    let parsed = expr::parse("b*a + a*c + b").unwrap();
    assert_eq!(parsed.variable_names().collect::<Vec<_>>(), ["b", "a", "c"]);
    let lowered = parsed.lower(&[1.0, 2.0, 3.0]);
    let inputs = lowered
        .graph
        .nodes()
        .iter()
        .filter(|n| n.op == gradscope::ops::Op::Input)
        .count();
    assert_eq!(inputs, 3);
}

#[test]
fn leaving_the_real_domain_is_not_an_error() {
    let at: HashMap<String, f64> = [("x".to_string(), -1.0), ("y".to_string(), 0.0)].into();
    let e = evaluate("ln(x) + sqrt(x)", &at);
    assert!(e.value.is_nan());
    let e = evaluate("1/y", &at);
    assert_eq!(e.value, f64::INFINITY);
    assert_eq!(e.gradient[0], f64::NEG_INFINITY);
}

#[test]
fn render_puts_the_caret_under_the_span() {
    let e = error("x1 +\tfoo(2)");
    assert_eq!(
        e.render("x1 +\tfoo(2)"),
        "error: unknown function 'foo'\n  x1 + foo(2)\n       ^^^"
    );
}

#[test]
fn a_long_pasted_name_is_shortened_in_the_message() {
    let long = "a".repeat(5000);
    let e = error(&format!("{long} b"));
    assert_eq!(e.message, "expected an operator before 'b'");
    let e = error(&format!("b {long}"));
    assert_eq!(
        e.message,
        "expected an operator before 'aaaaaaaaaaaaaaaaaaaa…' (5000 characters)"
    );
    assert_eq!((e.start, e.end), (2, 5002), "the span still covers all of it");
    let e = error(&format!("{long}(1)"));
    assert!(e.message.len() < 80, "{}", e.message);
}
