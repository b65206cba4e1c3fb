//! `gradscope`: gradients from the command line.
//!
//! ```text
//! gradscope grad 'ln(x1)+x1*x2-sin(x2)' --at x1=2,x2=5 [--json] [--graph]
//! gradscope grad --file rnn.py --at 'W=[[1,2],[3,4]],x=[1,2]' --json
//! gradscope jacobian 'h = relu(W @ x + b)' --wrt W --mode forward --at ... --json
//! gradscope grad --batch [--graph] < lines.jsonl
//! ```
//!
//! A user error exits with status 2 and a message on standard error; nothing panics.

mod grad;
mod train;

use std::process::ExitCode;

pub(crate) const USAGE: &str = "\
gradscope: see backpropagation

usage:
  gradscope grad PROGRAM --at NAME=VALUE[,NAME=VALUE...] [--json] [--graph]
  gradscope grad --file FILE.py --at ...     (PROGRAM '-' reads it from stdin)
  gradscope grad --batch [--graph]     JSON lines {\"expr\": ..., \"at\": {...}} on stdin
  gradscope jacobian PROGRAM --wrt NAME [--mode reverse|forward] --at ... [--json]
  gradscope jacobian --batch           JSON lines {\"expr\", \"at\", \"wrt\", \"mode\"} on stdin
  gradscope train [--dataset moons] [--hidden 16,16] [--loss hinge] ... [--steps N] [--json]
  gradscope help          (gradscope train --help lists every training flag)

PROGRAM is one expression ('ln(x1)+x1*x2-sin(x2)') or Python-shaped lines: assignments,
for/while/if/def, tensors (W @ x + b, sum, softmax, x[i, :]), PyTorch spellings (torch.mm,
x.tanh(), y.backward(seed)). It may start with '-' ('-x1^2'); quote it for the shell.
A VALUE is a number or a tensor as nested JSON lists: W=[[1,2],[3,4]],x=[1,2].
--json    print {\"value\": v, \"gradient\": {name: g, ...}}: numbers for scalars, nested
          lists for tensors; one gradient per free name, then each leaf bound in the program
          jacobian --json prints {\"output_shape\", \"wrt_shape\", \"jacobian\", \"nonzeros\", \"passes\"}
--graph   add the computation graph: every node's value and gradient, and every edge's
          local derivative and the gradient that flowed along it
--batch   one JSON result per input line, in order; a bad line gives {\"error\": ...}
Non-finite numbers are written as \"NaN\", \"Infinity\" and \"-Infinity\" in JSON.";

/// A mistake on the command line or in the program: exit status 2.
pub(crate) struct UserError(pub(crate) String);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(UserError(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), UserError> {
    match args.first().map(String::as_str) {
        Some("grad") => grad::grad(&args[1..]),
        Some("jacobian") => grad::jacobian(&args[1..]),
        Some("train") => train::run(&args[1..]),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        Some("--version" | "-V") => {
            println!("gradscope {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some(other) => Err(UserError(format!("unknown command '{other}'\n\n{USAGE}"))),
        None => Err(UserError(USAGE.to_string())),
    }
}
