//! Tokens to a [`Program`], by recursive descent.
//!
//! ```text
//! block      := (statement Newline)+                 a block is Indent block Dedent
//! statement  := 'for' name 'in' 'range' '(' args ')' ':' block
//!             | 'while' expr ':' block | 'if' expr ':' block ('elif' …)* ('else' ':' block)?
//!             | 'def' name '(' names ')' ':' block | 'return' expr? | 'break' | 'continue'
//!             | 'pass' | 'import' … | 'from' … | name ('=' | '+=' | …) expr | expr
//! expr       := or ; or := and ('or' and)* ; and := not ('and' not)*
//! not        := 'not'* comparison ; comparison := sum (cmp sum)?
//! sum        := product (('+' | '-') product)*
//! product    := negation (('*' | '/' | '@') negation)*
//! negation   := '-'* power
//! power      := postfix ('^' '-'* postfix)*          right associative, as today
//! postfix    := atom ('(' args ')' | '[' index ']' | '.' name)*
//! atom       := number | name | '(' expr ')' | '[' expr (',' expr)* ']'
//! ```
//!
//! The expression rules are the expression language's (same precedence, same messages),
//! with Python's additions around them. Chains of operators are loops; only brackets
//! recurse, at most `MAX_DEPTH` levels, so no text overflows the stack.

use super::ast::*;
use super::lexer::{Tok, Token};
use crate::expr::lexer::quoted;
use crate::expr::{ExprError, MAX_DEPTH};
use crate::ops::{Binary, Unary};

pub struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
    /// Powers, and runs of `-` and `not`, being read inside one another.
    powers: usize,
    signs: usize,
    exprs: Vec<Expr>,
}

const KEYWORDS: &[&str] = &[
    "for", "in", "while", "if", "elif", "else", "def", "return", "break", "continue", "pass", "import",
    "from", "and", "or", "not", "lambda", "class", "with", "try", "except", "yield", "global", "nonlocal",
    "del", "assert", "raise", "is", "as",
];

/// Binding powers, loosest first. Unary minus sits between `*` and `^`, `not` between
/// `and` and the comparisons, as in Python.
const NOT: u8 = 3;
const UNARY: u8 = 7;

#[derive(Clone, Copy)]
enum Infix {
    Or,
    And,
    Compare(super::lexer::CmpOp),
    Add,
    Sub,
    Mul,
    Div,
    MatMul,
    Pow,
}

impl Infix {
    fn of(tok: Tok, keyword: impl Fn(&str) -> bool) -> Option<Infix> {
        Some(match tok {
            Tok::Name(_) if keyword("or") => Infix::Or,
            Tok::Name(_) if keyword("and") => Infix::And,
            Tok::Compare(c) => Infix::Compare(c),
            Tok::Plus => Infix::Add,
            Tok::Minus => Infix::Sub,
            Tok::Star => Infix::Mul,
            Tok::Slash => Infix::Div,
            Tok::At => Infix::MatMul,
            Tok::Caret => Infix::Pow,
            _ => return None,
        })
    }

    fn binding(self) -> u8 {
        match self {
            Infix::Or => 1,
            Infix::And => 2,
            Infix::Compare(_) => 4,
            Infix::Add | Infix::Sub => 5,
            Infix::Mul | Infix::Div | Infix::MatMul => 6,
            Infix::Pow => 8,
        }
    }
}

fn span(t: Token) -> Span {
    Span::new(t.start, t.end)
}

impl<'a> Parser<'a> {
    pub fn new(source: &'a str, tokens: Vec<Token<'a>>) -> Self {
        Parser {
            source,
            tokens,
            pos: 0,
            depth: 0,
            powers: 0,
            signs: 0,
            exprs: Vec::new(),
        }
    }

    pub fn parse(mut self) -> Result<Program, ExprError> {
        if self.peek().tok == Tok::End {
            return Err(ExprError::new("the program is empty", 0, self.source.len()));
        }
        if self.peek().tok == Tok::Indent {
            return Err(self.error_at(self.peek(), "the first line is indented: start it at column 1"));
        }
        let mut body = Vec::new();
        while self.peek().tok != Tok::End {
            self.statement(&mut body, 0)?;
        }
        Ok(Program {
            source: self.source.to_string(),
            exprs: self.exprs,
            body,
            free: Vec::new(),
        })
    }

    // ---- tokens ---------------------------------------------------------------------------

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

    fn is_keyword(&self, word: &str) -> bool {
        self.peek().tok == Tok::Name(word)
    }

    fn error_at(&self, t: Token, message: impl Into<String>) -> ExprError {
        ExprError::new(message, t.start, t.end)
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Token<'a>, ExprError> {
        let t = self.peek();
        if t.tok == tok {
            return Ok(self.advance());
        }
        let found = t.describe(self.source);
        Err(self.error_at(t, format!("expected {what}, found {found}")))
    }

    fn name_token(&mut self, what: &str) -> Result<(&'a str, Span), ExprError> {
        let t = self.peek();
        match t.tok {
            Tok::Name(n) if !KEYWORDS.contains(&n) => {
                self.advance();
                Ok((n, span(t)))
            }
            _ => {
                let found = t.describe(self.source);
                Err(self.error_at(t, format!("expected {what}, found {found}")))
            }
        }
    }

    // ---- statements -------------------------------------------------------------------------

    /// The end of a simple statement: a line break (or the end of the text).
    fn end_of_line(&mut self) -> Result<(), ExprError> {
        let t = self.peek();
        match t.tok {
            Tok::Newline => {
                self.advance();
                Ok(())
            }
            Tok::End | Tok::Dedent => Ok(()),
            Tok::RParen => Err(self.error_at(t, "')' has no matching '('")),
            Tok::RBracket => Err(self.error_at(t, "']' has no matching '['")),
            Tok::Comma => Err(self.error_at(t, "',' outside a function call or list")),
            Tok::Colon => Err(self.error_at(
                t,
                "unexpected ':' (only for, while, if, elif, else and def lines end with one)",
            )),
            Tok::Assign => Err(self.error_at(t, "only a name can be assigned to (x = …)")),
            _ => {
                let msg = format!("expected an operator before {}", t.describe(self.source));
                Err(self.error_at(t, msg))
            }
        }
    }

    /// `:`, a line break and an indented block.
    fn block(&mut self, header: Token, blocks: usize) -> Result<Vec<Stmt>, ExprError> {
        let t = self.peek();
        if t.tok != Tok::Colon {
            let word = &self.source[header.start..header.end];
            let found = t.describe(self.source);
            return Err(self.error_at(
                t,
                format!("expected ':' at the end of the '{word}' line, found {found}"),
            ));
        }
        self.advance();
        let t = self.peek();
        if t.tok != Tok::Newline {
            return Err(self.error_at(t, "put the block on its own lines after ':', indented"));
        }
        self.advance();
        if self.peek().tok != Tok::Indent {
            let word = &self.source[header.start..header.end];
            return Err(self.error_at(
                self.peek(),
                format!("expected an indented block after the '{word}' line"),
            ));
        }
        self.advance();
        let mut body = Vec::new();
        while !matches!(self.peek().tok, Tok::Dedent | Tok::End) {
            self.statement(&mut body, blocks + 1)?;
        }
        if self.peek().tok == Tok::Dedent {
            self.advance();
        }
        Ok(body)
    }

    fn statement(&mut self, out: &mut Vec<Stmt>, blocks: usize) -> Result<(), ExprError> {
        let t = self.peek();
        let start = t.start;
        let kind = match t.tok {
            Tok::Indent => {
                return Err(self.error_at(
                    t,
                    "unexpected indentation: this line is deeper than the block it is in",
                ))
            }
            Tok::Name("for") => {
                self.advance();
                let (var, _) = self.name_token("a loop variable after 'for'")?;
                let t_in = self.peek();
                if t_in.tok != Tok::Name("in") {
                    return Err(self.error_at(t_in, format!("expected 'in' after 'for {var}'")));
                }
                self.advance();
                let r = self.peek();
                if r.tok != Tok::Name("range") {
                    let found = r.describe(self.source);
                    return Err(self.error_at(r, format!("expected range(…) after 'in', found {found}: loops run over range(n), range(a, b) or range(a, b, step)")));
                }
                self.advance();
                let open = self.expect(Tok::LParen, "'(' after range")?;
                let (args, _, close) = self.arguments(open)?;
                if args.is_empty() || args.len() > 3 {
                    return Err(ExprError::new(
                        format!("range takes 1 to 3 arguments, got {}", args.len()),
                        r.start,
                        close.end,
                    ));
                }
                let header = self.span_from(start);
                let body = self.block(t, blocks)?;
                out.push(Stmt {
                    kind: StmtKind::For {
                        var: var.into(),
                        range: args,
                        body,
                    },
                    span: header,
                });
                return Ok(());
            }
            Tok::Name("while") => {
                self.advance();
                let cond = self.expression()?;
                let header = self.span_from(start);
                let body = self.block(t, blocks)?;
                out.push(Stmt {
                    kind: StmtKind::While { cond, body },
                    span: header,
                });
                return Ok(());
            }
            Tok::Name("if") => {
                self.advance();
                let cond = self.expression()?;
                let header = self.span_from(start);
                let mut branches = vec![(cond, self.block(t, blocks)?)];
                let mut otherwise = Vec::new();
                loop {
                    let next = self.peek();
                    match next.tok {
                        Tok::Name("elif") => {
                            self.advance();
                            let cond = self.expression()?;
                            branches.push((cond, self.block(next, blocks)?));
                        }
                        Tok::Name("else") => {
                            self.advance();
                            otherwise = self.block(next, blocks)?;
                            break;
                        }
                        _ => break,
                    }
                }
                out.push(Stmt {
                    kind: StmtKind::If { branches, otherwise },
                    span: header,
                });
                return Ok(());
            }
            Tok::Name(word @ ("elif" | "else")) => {
                return Err(self.error_at(
                    t,
                    format!("'{word}' without an 'if' before it at the same indentation"),
                ));
            }
            Tok::Name("def") => {
                self.advance();
                let (name, _) = self.name_token("a function name after 'def'")?;
                let open = self.expect(Tok::LParen, &format!("'(' after 'def {name}'"))?;
                let mut params: Vec<(Box<str>, Span)> = Vec::new();
                if self.peek().tok != Tok::RParen {
                    loop {
                        let (p, s) = self.name_token("a parameter name")?;
                        if params.iter().any(|(q, _)| &**q == p) {
                            return Err(ExprError::new(
                                format!("parameter '{p}' appears twice"),
                                s.start as usize,
                                s.end as usize,
                            ));
                        }
                        params.push((p.into(), s));
                        if self.peek().tok != Tok::Comma {
                            break;
                        }
                        self.advance();
                    }
                }
                self.close(open, Tok::RParen)?;
                let header = self.span_from(start);
                let body = self.block(t, blocks)?;
                out.push(Stmt {
                    kind: StmtKind::Def {
                        name: name.into(),
                        params,
                        body,
                    },
                    span: header,
                });
                return Ok(());
            }
            Tok::Name("return") => {
                self.advance();
                let value = match self.peek().tok {
                    Tok::Newline | Tok::End | Tok::Dedent => None,
                    _ => Some(self.expression()?),
                };
                StmtKind::Return(value)
            }
            Tok::Name("break") => {
                self.advance();
                StmtKind::Break
            }
            Tok::Name("continue") => {
                self.advance();
                StmtKind::Continue
            }
            Tok::Name("pass") => {
                self.advance();
                StmtKind::Pass
            }
            Tok::Name("import" | "from") => {
                // `import torch`, `from torch.autograd import Variable`: the names are
                // built in already, so the line is read and ignored.
                while !matches!(self.peek().tok, Tok::Newline | Tok::End) {
                    self.advance();
                }
                StmtKind::Pass
            }
            Tok::Name(name)
                if matches!(
                    self.tokens.get(self.pos + 1).map(|t| t.tok),
                    Some(Tok::Assign | Tok::Augmented(_))
                ) =>
            {
                if KEYWORDS.contains(&name) {
                    return Err(self.error_at(t, format!("'{name}' is a keyword and cannot be assigned to")));
                }
                self.advance();
                let op = match self.advance().tok {
                    Tok::Augmented(op) => Some(match op {
                        super::lexer::AugOp::Add => Binary::Add,
                        super::lexer::AugOp::Sub => Binary::Sub,
                        super::lexer::AugOp::Mul => Binary::Mul,
                        super::lexer::AugOp::Div => Binary::Div,
                    }),
                    _ => None,
                };
                if matches!(self.peek().tok, Tok::Newline | Tok::End) {
                    return Err(self.error_at(self.peek(), format!("expected a value after '{name} ='")));
                }
                let value = self.expression()?;
                StmtKind::Assign {
                    name: name.into(),
                    name_span: span(t),
                    op,
                    value,
                }
            }
            Tok::Name(word) if KEYWORDS.contains(&word) && !matches!(word, "not") => {
                return Err(self.error_at(t, format!("'{word}' is not supported here")));
            }
            _ => StmtKind::Expr(self.expression()?),
        };
        let span = self.span_from(start);
        self.end_of_line()?;
        out.push(Stmt { kind, span });
        Ok(())
    }

    /// From `start` to the end of the last token read.
    fn span_from(&self, start: usize) -> Span {
        let end = self.tokens[..self.pos].last().map_or(start, |t| t.end);
        Span::new(start, end.max(start))
    }

    // ---- expressions ------------------------------------------------------------------------

    fn push(&mut self, kind: ExprKind, span: Span) -> ExprId {
        self.exprs.push(Expr { kind, span });
        (self.exprs.len() - 1) as ExprId
    }

    fn span_of(&self, id: ExprId) -> Span {
        self.exprs[id as usize].span
    }

    fn join(&mut self, kind: impl FnOnce(ExprId, ExprId) -> ExprKind, a: ExprId, b: ExprId) -> ExprId {
        let span = self.span_of(a).to(self.span_of(b));
        self.push(kind(a, b), span)
    }

    pub fn expression(&mut self) -> Result<ExprId, ExprError> {
        self.operators(0)
    }

    /// Precedence climbing over the binary operators binding at least `min`: one frame
    /// per level of brackets rather than one per precedence level, so a deeply bracketed
    /// expression stays well inside a browser's stack.
    fn operators(&mut self, min: u8) -> Result<ExprId, ExprError> {
        let mut lhs = self.prefix(min)?;
        loop {
            let t = self.peek();
            let Some(op) = Infix::of(t.tok, |w| self.is_keyword(w)) else {
                return Ok(lhs);
            };
            let bp = op.binding();
            if bp < min {
                return Ok(lhs);
            }
            self.advance();
            lhs = match op {
                Infix::Pow => {
                    // Right associative, and the exponent may be negated: a ^ -b ^ c is
                    // a ^ (-(b ^ c)). A chain of powers nests, so it is bounded.
                    self.powers += 1;
                    if self.powers > MAX_DEPTH {
                        return Err(self.error_at(
                            t,
                            format!("too deeply nested: more than {MAX_DEPTH} powers in a row"),
                        ));
                    }
                    let rhs = self.operators(UNARY);
                    self.powers -= 1;
                    let rhs = rhs?;
                    self.join(|a, b| ExprKind::Binary(Binary::Pow, a, b), lhs, rhs)
                }
                Infix::Compare(cmp) => {
                    let rhs = self.operators(bp + 1)?;
                    if let Tok::Compare(_) = self.peek().tok {
                        let t = self.peek();
                        return Err(
                            self.error_at(t, "chained comparisons are not supported: write a < b and b < c")
                        );
                    }
                    self.join(move |a, b| ExprKind::Compare(cmp, a, b), lhs, rhs)
                }
                _ => {
                    let rhs = self.operators(bp + 1)?;
                    let span = self.span_of(lhs).to(self.span_of(rhs));
                    let kind = match op {
                        Infix::Or => ExprKind::Or(lhs, rhs),
                        Infix::And => ExprKind::And(lhs, rhs),
                        Infix::Add => ExprKind::Binary(Binary::Add, lhs, rhs),
                        Infix::Sub => ExprKind::Binary(Binary::Sub, lhs, rhs),
                        Infix::Mul => ExprKind::Binary(Binary::Mul, lhs, rhs),
                        Infix::Div => ExprKind::Binary(Binary::Div, lhs, rhs),
                        Infix::MatMul => ExprKind::MatMul(lhs, rhs),
                        Infix::Pow | Infix::Compare(_) => unreachable!(),
                    };
                    self.push(kind, span)
                }
            };
        }
    }

    /// Leading `-` or `not`, then an operand. A run of the same sign is read with a loop
    /// (any number is safe); `-` binds tighter than `*` and looser than `^`, as today, and
    /// `not` takes a whole comparison, as in Python.
    fn prefix(&mut self, min: u8) -> Result<ExprId, ExprError> {
        // A unary `+` changes nothing (Python allows it): read past it.
        while self.peek().tok == Tok::Plus {
            self.advance();
        }
        let t = self.peek();
        let (not, operand) = match t.tok {
            Tok::Minus => (false, UNARY),
            Tok::Name("not") => (true, NOT.max(min)),
            _ => return self.postfix(),
        };
        let mut starts = Vec::new();
        while self.peek().tok == t.tok {
            starts.push(self.advance().start);
        }
        // Alternating signs (`- not - not x`) nest: bounded like brackets.
        self.signs += 1;
        if self.signs > MAX_DEPTH {
            return Err(self.error_at(
                t,
                format!("too deeply nested: more than {MAX_DEPTH} alternations of '-' and 'not'"),
            ));
        }
        let x = self.operators(operand);
        self.signs -= 1;
        let mut x = x?;
        for &start in starts.iter().rev() {
            let span = Span::new(start, self.span_of(x).end as usize);
            let kind = if not {
                ExprKind::Not(x)
            } else {
                ExprKind::Unary(Unary::Neg, x)
            };
            x = self.push(kind, span);
        }
        Ok(x)
    }

    fn postfix(&mut self) -> Result<ExprId, ExprError> {
        let mut x = self.atom()?;
        // Each call, index or attribute wraps the one before: bound the chain like nesting.
        for _ in 0..=MAX_DEPTH {
            let t = self.peek();
            match t.tok {
                Tok::LParen => {
                    let callable = matches!(
                        self.exprs[x as usize].kind,
                        ExprKind::Name(_) | ExprKind::Attribute(..)
                    );
                    if !callable {
                        return Err(self.error_at(t, "only a function or method can be called with '(…)'"));
                    }
                    self.advance();
                    let (args, keywords, close) = self.arguments(t)?;
                    let span = Span::new(self.span_of(x).start as usize, close.end);
                    x = self.push(
                        ExprKind::Call {
                            callee: x,
                            args,
                            keywords,
                        },
                        span,
                    );
                }
                Tok::LBracket => {
                    self.advance();
                    self.enter(t)?;
                    let mut items = Vec::new();
                    loop {
                        items.push(self.index_item()?);
                        if self.peek().tok != Tok::Comma {
                            break;
                        }
                        self.advance();
                    }
                    let close = self.close(t, Tok::RBracket)?;
                    self.depth -= 1;
                    let span = Span::new(self.span_of(x).start as usize, close.end);
                    x = self.push(ExprKind::Index(x, items), span);
                }
                Tok::Dot => {
                    self.advance();
                    let n = self.peek();
                    let Tok::Name(name) = n.tok else {
                        let found = n.describe(self.source);
                        return Err(self.error_at(
                            n,
                            format!("expected a method or attribute name after '.', found {found}"),
                        ));
                    };
                    self.advance();
                    let span = Span::new(self.span_of(x).start as usize, n.end);
                    x = self.push(ExprKind::Attribute(x, name.into()), span);
                }
                _ => return Ok(x),
            }
        }
        let t = self.peek();
        Err(self.error_at(
            t,
            format!("too deeply nested: more than {MAX_DEPTH} calls, indices or attributes in a row"),
        ))
    }

    fn index_item(&mut self) -> Result<IndexItem, ExprError> {
        let start_token = self.peek();
        let bound = |p: &mut Self| -> Result<Option<ExprId>, ExprError> {
            match p.peek().tok {
                Tok::Colon | Tok::Comma | Tok::RBracket => Ok(None),
                _ => p.expression().map(Some),
            }
        };
        // `x[]`, and `x[,1]` or `x[1,,2]`: a ',' where an index should be. (The second once
        // reached the `expect` below and panicked: `bound` gives no index before a ','.)
        if matches!(start_token.tok, Tok::RBracket | Tok::Comma) {
            return Err(self.error_at(start_token, "expected an index inside '[ ]'"));
        }
        let start = bound(self)?;
        if self.peek().tok != Tok::Colon {
            let Some(start) = start else {
                return Err(self.error_at(start_token, "expected an index inside '[ ]'"));
            };
            return Ok(IndexItem::At(start));
        }
        self.advance();
        let stop = bound(self)?;
        if self.peek().tok == Tok::Colon {
            let t = self.peek();
            return Err(self.error_at(t, "slices with a step (a:b:step) are not supported"));
        }
        Ok(IndexItem::Slice {
            start,
            stop,
            span: self.span_from(start_token.start),
        })
    }

    /// Arguments up to the closing `)`: positional, then `name=value` keywords.
    #[allow(clippy::type_complexity)]
    fn arguments(
        &mut self,
        open: Token,
    ) -> Result<(Vec<ExprId>, Vec<(Box<str>, ExprId, Span)>, Token<'a>), ExprError> {
        self.enter(open)?;
        let mut args = Vec::new();
        let mut keywords: Vec<(Box<str>, ExprId, Span)> = Vec::new();
        if self.peek().tok != Tok::RParen {
            loop {
                let t = self.peek();
                let keyword = matches!(
                    (t.tok, self.tokens.get(self.pos + 1).map(|t| t.tok)),
                    (Tok::Name(_), Some(Tok::Assign))
                );
                if keyword {
                    let Tok::Name(name) = t.tok else { unreachable!() };
                    self.advance();
                    self.advance();
                    let value = self.expression()?;
                    keywords.push((
                        name.into(),
                        value,
                        Span::new(t.start, self.span_of(value).end as usize),
                    ));
                } else {
                    if let Some((_, _, s)) = keywords.last() {
                        return Err(ExprError::new(
                            "a positional argument after a keyword argument",
                            s.start as usize,
                            s.end as usize,
                        ));
                    }
                    args.push(self.expression()?);
                }
                if self.peek().tok != Tok::Comma {
                    break;
                }
                self.advance();
                if self.peek().tok == Tok::RParen {
                    break;
                }
            }
        }
        let close = self.close(open, Tok::RParen)?;
        self.depth -= 1;
        Ok((args, keywords, close))
    }

    fn atom(&mut self) -> Result<ExprId, ExprError> {
        let prev = self.pos.checked_sub(1).map(|i| self.tokens[i]);
        let t = self.advance();
        match t.tok {
            Tok::Number(x) => Ok(self.push(ExprKind::Number(x), span(t))),
            Tok::Name(name) if KEYWORDS.contains(&name) => {
                Err(self.error_at(t, format!("expected a value, found the keyword '{name}'")))
            }
            Tok::Name("True") => Ok(self.push(ExprKind::Number(1.0), span(t))),
            Tok::Name("False") => Ok(self.push(ExprKind::Number(0.0), span(t))),
            Tok::Name(name) => Ok(self.push(ExprKind::Name(name.into()), span(t))),
            Tok::LParen => {
                self.enter(t)?;
                let inner = self.expression()?;
                self.close(t, Tok::RParen)?;
                self.depth -= 1;
                Ok(inner)
            }
            Tok::LBracket => {
                self.enter(t)?;
                let mut items = Vec::new();
                if self.peek().tok == Tok::RBracket {
                    return Err(
                        self.error_at(self.peek(), "an empty list: a tensor needs at least one number")
                    );
                }
                loop {
                    items.push(self.expression()?);
                    if self.peek().tok != Tok::Comma {
                        break;
                    }
                    self.advance();
                    if self.peek().tok == Tok::RBracket {
                        break;
                    }
                }
                let close = self.close(t, Tok::RBracket)?;
                self.depth -= 1;
                Ok(self.push(ExprKind::List(items), Span::new(t.start, close.end)))
            }
            _ => {
                let found = t.describe(self.source);
                let msg = match prev {
                    Some(p) if p.tok == Tok::LParen && t.tok == Tok::RParen => {
                        "expected an expression inside '( )'".to_string()
                    }
                    Some(p) if !matches!(p.tok, Tok::Newline | Tok::Indent | Tok::Dedent) => format!(
                        "expected a number, variable or '(' after {}, found {found}",
                        p.describe(self.source)
                    ),
                    _ => format!("expected a number, variable or '(', found {found}"),
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

    fn close(&mut self, open: Token, closer: Tok) -> Result<Token<'a>, ExprError> {
        let t = self.peek();
        if t.tok == closer {
            return Ok(self.advance());
        }
        let (o, c) = if closer == Tok::RParen {
            ('(', ')')
        } else {
            ('[', ']')
        };
        let column = ExprError::column(self.source, open.start);
        let line = self.source[..open.start].matches('\n').count() + 1;
        let place = if self.source.contains('\n') {
            format!("line {line}, column {column}")
        } else {
            format!("column {column}")
        };
        // Line breaks inside brackets are spaces, so a line break here is the end.
        let msg = if matches!(t.tok, Tok::End | Tok::Newline) {
            format!("expected '{c}' to close the '{o}' at {place}")
        } else {
            format!(
                "expected '{c}' to close the '{o}' at {place}, found {}",
                t.describe(self.source)
            )
        };
        let at = if t.tok == Tok::Newline {
            Token {
                start: self.source.len(),
                end: self.source.len(),
                ..t
            }
        } else {
            t
        };
        Err(ExprError::new(msg, at.start, at.end).with_related(open.start, open.end))
    }
}

/// Names in quotes for messages (re-exported for the interpreter).
pub fn quote(text: &str) -> String {
    quoted(text)
}
