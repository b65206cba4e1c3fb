//! Tokens to a flat syntax tree, by recursive descent.
//!
//! Grammar, lowest precedence first:
//!
//! ```text
//! sum      := product (('+' | '-') product)*
//! product  := negation (('*' | '/') negation)*
//! negation := '-'* power
//! power    := atom ('^' '-'* atom)*          right associative, folded from the right
//! atom     := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
//! ```
//!
//! Chains of operators are parsed by loops, not recursion, so `x+x+…+x` of any length is
//! safe; only parentheses and calls recurse, and they are limited to `MAX_DEPTH` levels.
//! The tree is an arena in which children come before parents, so dropping and lowering
//! it never recurse either.

use super::lexer::{quoted, Tok, Token};
use super::{ExprError, ExprKind, ExprNode, Expression, Variable};
use crate::ops::{Binary, Unary};

/// Deepest nesting of parentheses and calls.
pub const MAX_DEPTH: usize = 200;

pub struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
    nodes: Vec<ExprNode>,
    variables: Vec<Variable>,
}

type Id = usize;

enum Callee {
    One(Unary),
    Two(Binary),
}

fn function(name: &str) -> Option<Callee> {
    use Callee::*;
    Some(match name {
        "ln" | "log" => One(Unary::Ln),
        "exp" => One(Unary::Exp),
        "sqrt" => One(Unary::Sqrt),
        "sin" => One(Unary::Sin),
        "cos" => One(Unary::Cos),
        "tan" => One(Unary::Tan),
        "tanh" => One(Unary::Tanh),
        "sigmoid" => One(Unary::Sigmoid),
        "relu" => One(Unary::Relu),
        "abs" => One(Unary::Abs),
        "max" => Two(Binary::Max),
        "min" => Two(Binary::Min),
        "pow" => Two(Binary::Pow),
        _ => return None,
    })
}

fn constant(name: &str) -> Option<f64> {
    match name {
        "pi" => Some(std::f64::consts::PI),
        "e" => Some(std::f64::consts::E),
        _ => None,
    }
}

impl<'a> Parser<'a> {
    pub fn new(source: &'a str, tokens: Vec<Token<'a>>) -> Self {
        Parser {
            source,
            tokens,
            pos: 0,
            depth: 0,
            nodes: Vec::new(),
            variables: Vec::new(),
        }
    }

    pub fn parse(mut self) -> Result<Expression, ExprError> {
        if self.peek().tok == Tok::End {
            return Err(ExprError::new("the expression is empty", 0, self.source.len()));
        }
        let root = self.sum()?;
        let next = self.peek();
        match next.tok {
            Tok::End => {}
            Tok::RParen => return Err(self.error_at(next, "')' has no matching '('")),
            Tok::Comma => return Err(self.error_at(next, "',' outside a function call")),
            _ => {
                let msg = format!("expected an operator before {}", next.describe(self.source));
                return Err(self.error_at(next, msg));
            }
        }
        Ok(Expression {
            source: self.source.to_string(),
            nodes: self.nodes,
            variables: self.variables,
            root,
        })
    }

    fn peek(&self) -> Token<'a> {
        self.tokens[self.pos]
    }

    fn advance(&mut self) -> Token<'a> {
        let t = self.tokens[self.pos];
        if t.tok != Tok::End {
            self.pos += 1;
        }
        t
    }

    fn error_at(&self, t: Token, message: impl Into<String>) -> ExprError {
        ExprError::new(message, t.start, t.end)
    }

    fn push(&mut self, kind: ExprKind, start: usize, end: usize) -> Id {
        self.nodes.push(ExprNode { kind, start, end });
        self.nodes.len() - 1
    }

    fn binary(&mut self, op: Binary, a: Id, b: Id) -> Id {
        let (start, end) = (self.nodes[a].start, self.nodes[b].end);
        self.push(ExprKind::Binary(op, a, b), start, end)
    }

    fn sum(&mut self) -> Result<Id, ExprError> {
        let mut lhs = self.product()?;
        loop {
            let op = match self.peek().tok {
                Tok::Plus => Binary::Add,
                Tok::Minus => Binary::Sub,
                _ => return Ok(lhs),
            };
            self.advance();
            let rhs = self.product()?;
            lhs = self.binary(op, lhs, rhs);
        }
    }

    fn product(&mut self) -> Result<Id, ExprError> {
        let mut lhs = self.negation()?;
        loop {
            let op = match self.peek().tok {
                Tok::Star => Binary::Mul,
                Tok::Slash => Binary::Div,
                _ => return Ok(lhs),
            };
            self.advance();
            let rhs = self.negation()?;
            lhs = self.binary(op, lhs, rhs);
        }
    }

    /// Counts leading minus signs; returns their start positions, innermost last.
    fn minus_signs(&mut self) -> Vec<usize> {
        let mut signs = Vec::new();
        while self.peek().tok == Tok::Minus {
            signs.push(self.advance().start);
        }
        signs
    }

    fn negate(&mut self, mut x: Id, signs: &[usize]) -> Id {
        for &start in signs.iter().rev() {
            let end = self.nodes[x].end;
            x = self.push(ExprKind::Unary(Unary::Neg, x), start, end);
        }
        x
    }

    fn negation(&mut self) -> Result<Id, ExprError> {
        let signs = self.minus_signs();
        let x = self.power()?;
        Ok(self.negate(x, &signs))
    }

    /// `a ^ -b ^ c` is `a ^ (-(b ^ c))`: collect the operands, then fold from the right.
    fn power(&mut self) -> Result<Id, ExprError> {
        let base = self.atom()?;
        let mut exponents = Vec::new();
        while self.peek().tok == Tok::Caret {
            self.advance();
            let signs = self.minus_signs();
            exponents.push((signs, self.atom()?));
        }
        let Some((signs, last)) = exponents.pop() else {
            return Ok(base);
        };
        let mut acc = self.negate(last, &signs);
        while let Some((signs, x)) = exponents.pop() {
            let p = self.binary(Binary::Pow, x, acc);
            acc = self.negate(p, &signs);
        }
        Ok(self.binary(Binary::Pow, base, acc))
    }

    fn atom(&mut self) -> Result<Id, ExprError> {
        let prev = self.pos.checked_sub(1).map(|i| self.tokens[i]);
        let t = self.advance();
        match t.tok {
            Tok::Number(x) => Ok(self.push(ExprKind::Number(x), t.start, t.end)),
            Tok::Ident(name) => self.name(t, name),
            Tok::LParen => {
                self.enter(t)?;
                let inner = self.sum()?;
                self.close(t)?;
                self.depth -= 1;
                Ok(inner)
            }
            _ => {
                let found = t.describe(self.source);
                let msg = match prev {
                    Some(p) if p.tok == Tok::LParen && t.tok == Tok::RParen => {
                        "expected an expression inside '( )'".to_string()
                    }
                    Some(p) => format!(
                        "expected a number, variable or '(' after {}, found {found}",
                        p.describe(self.source)
                    ),
                    None => format!("expected a number, variable or '(', found {found}"),
                };
                Err(self.error_at(t, msg))
            }
        }
    }

    fn enter(&mut self, open: Token) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_at(
                open,
                format!("too deeply nested: more than {MAX_DEPTH} levels of parentheses"),
            ));
        }
        Ok(())
    }

    fn close(&mut self, open: Token) -> Result<Token<'a>, ExprError> {
        let t = self.peek();
        if t.tok == Tok::RParen {
            return Ok(self.advance());
        }
        let column = ExprError::column(self.source, open.start);
        let msg = if t.tok == Tok::End {
            format!("expected ')' to close the '(' at column {column}")
        } else {
            format!(
                "expected ')' to close the '(' at column {column}, found {}",
                t.describe(self.source)
            )
        };
        Err(self.error_at(t, msg).with_related(open.start, open.end))
    }

    fn name(&mut self, t: Token, name: &str) -> Result<Id, ExprError> {
        let called = self.peek().tok == Tok::LParen;
        if let Some(x) = constant(name) {
            if called {
                return Err(self.error_at(t, format!("'{name}' is a constant, not a function")));
            }
            return Ok(self.push(ExprKind::Number(x), t.start, t.end));
        }
        match (function(name), called) {
            (Some(f), true) => self.call(t, name, f),
            (Some(_), false) => Err(self.error_at(t, format!("'{name}' is a function: write {name}(…)"))),
            (None, true) => Err(self.error_at(t, format!("unknown function {}", quoted(name)))),
            (None, false) => {
                let index = match self.variables.iter().position(|v| v.name == name) {
                    Some(i) => i,
                    None => {
                        self.variables.push(Variable {
                            name: name.to_string(),
                            start: t.start,
                            end: t.end,
                        });
                        self.variables.len() - 1
                    }
                };
                Ok(self.push(ExprKind::Variable(index), t.start, t.end))
            }
        }
    }

    fn call(&mut self, name_token: Token, name: &str, callee: Callee) -> Result<Id, ExprError> {
        let open = self.advance();
        self.enter(open)?;
        let mut args = Vec::new();
        if self.peek().tok != Tok::RParen {
            args.push(self.sum()?);
            while self.peek().tok == Tok::Comma {
                self.advance();
                args.push(self.sum()?);
            }
        }
        let close = self.close(open)?;
        self.depth -= 1;
        let (start, end) = (name_token.start, close.end);
        let wanted = match callee {
            Callee::One(_) => 1,
            Callee::Two(_) => 2,
        };
        if args.len() != wanted {
            let plural = if wanted == 1 { "" } else { "s" };
            return Err(ExprError::new(
                format!("{name} takes {wanted} argument{plural}, got {}", args.len()),
                start,
                end,
            ));
        }
        Ok(match callee {
            Callee::One(op) => self.push(ExprKind::Unary(op, args[0]), start, end),
            Callee::Two(op) => self.push(ExprKind::Binary(op, args[0], args[1]), start, end),
        })
    }
}
