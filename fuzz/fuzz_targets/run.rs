//! Any bytes that parse as a program, run: first with no values (a free name is then an
//! error), then with a fixed value for each free name (its shape follows from the name), in
//! tight limits so that each input ends in milliseconds, with the default nesting so that
//! deep nesting meets the real bound. A run that ends is differentiated every way the
//! session offers. Nothing may panic, overflow the stack or hang.
#![no_main]

use gradscope::expr::ExprError;
use gradscope::program::{Limits, Mode};
use gradscope::session::{ProgramSession, SessionError};
use gradscope::{Shape, Tensor};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

const LIMITS: Limits = Limits {
    iterations: 10_000,
    call_depth: 64,
    graph_elements: 1 << 16,
    nodes: 10_000,
    tensor_elements: 1 << 12,
    work: 1_000_000,
    nesting: 1000,
    steps: 100_000,
    calls: 10_000,
};

fn value_for(name: &str) -> Tensor<f64> {
    let shape = match name {
        "x" | "u" => Shape::vector(3),
        "v" => Shape::vector(2),
        "A" | "W" => Shape::matrix(2, 3),
        "B" | "M" => Shape::matrix(3, 3),
        "s" | "c" => Shape::SCALAR,
        _ => [
            Shape::SCALAR,
            Shape::vector(3),
            Shape::matrix(2, 3),
            Shape::vector(1),
        ][name.len() % 4],
    };
    let data = (0..shape.len()).map(|i| 0.3 * i as f64 - 0.4).collect();
    Tensor::new(shape, data).expect("a tensor of the shape's length")
}

fn check_span(text: &str, e: &ExprError) {
    assert!(e.start <= e.end && e.end <= text.len(), "{e:?}");
    assert!(
        text.is_char_boundary(e.start) && text.is_char_boundary(e.end),
        "{e:?}"
    );
    let _ = e.render(text);
}

fn run(text: &str, session: &ProgramSession, inputs: &HashMap<String, Tensor<f64>>) {
    match session.run(inputs) {
        Err(SessionError::Run(e)) => check_span(text, &e),
        Err(e) => panic!("a run's error without a span: {e}"),
        Ok(mut run) => {
            let _ = run.value();
            let _ = run.backward();
            let _ = run.nodes();
            let out = run.value().shape.len();
            let elements: usize = run.graph().nodes().iter().map(|n| n.shape.len()).sum();
            let leaves: Vec<String> = run.leaves().iter().take(2).map(|l| l.name.clone()).collect();
            if out.saturating_mul(elements) <= 1 << 16 {
                for name in &leaves {
                    let _ = run.jacobian(name, Mode::Reverse);
                    let _ = run.jacobian(name, Mode::Forward);
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let session = match ProgramSession::new(&text) {
        Ok(s) => s.with_limits(LIMITS),
        Err(e) => return check_span(&text, &e),
    };
    run(&text, &session, &HashMap::new());
    let inputs = session
        .free_names()
        .map(|n| (n.to_string(), value_for(n)))
        .collect();
    run(&text, &session, &inputs);
});
