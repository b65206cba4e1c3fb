//! Program text to tokens: the expression tokens plus Python's line structure.
//!
//! Statements end at a line break (outside brackets); a line indented deeper than the one
//! before opens a block (`Indent`), one indented less closes blocks (`Dedent`). Blank
//! lines and `#` comments are skipped. Inside `( )` and `[ ]` line breaks are spaces, so a
//! long call or matrix literal may span lines, as in Python.

use crate::expr::lexer::{number_end, quoted, unexpected};
use crate::expr::ExprError;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tok<'a> {
    Number(f64),
    Name(&'a str),
    Plus,
    Minus,
    Star,
    Slash,
    /// `^` or `**`.
    Caret,
    At,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Dot,
    Assign,
    /// `+=`, `-=`, `*=`, `/=`: the operator's token.
    Augmented(AugOp),
    Compare(CmpOp),
    Newline,
    Indent,
    Dedent,
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AugOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Token<'a> {
    pub tok: Tok<'a>,
    pub start: usize,
    pub end: usize,
}

impl Token<'_> {
    /// How the token reads in an error message.
    pub fn describe(&self, source: &str) -> String {
        match self.tok {
            Tok::End => "the end of the program".to_string(),
            Tok::Newline => "the end of the line".to_string(),
            Tok::Indent => "an indented line".to_string(),
            Tok::Dedent => "the end of the block".to_string(),
            _ => quoted(&source[self.start..self.end]),
        }
    }
}

/// The deepest block nesting (indentation levels) a program may have.
pub const MAX_BLOCK_DEPTH: usize = 100;

/// Splits `source` into tokens, ending with `Newline`, the `Dedent`s that close every open
/// block, and `End`.
pub fn tokenize(source: &str) -> Result<Vec<Token<'_>>, ExprError> {
    let bytes = source.as_bytes();
    let mut tokens: Vec<Token> = Vec::new();
    let mut indents = vec![0usize];
    let mut brackets = 0usize;
    let mut line_start = true;
    let mut i = 0;
    while i < bytes.len() {
        if line_start && brackets == 0 {
            let start = i;
            // The first line's indentation (spaces or tabs) is the base: an expression
            // typed with a leading space, or an indented block pasted whole, still reads.
            let first = tokens.is_empty();
            while i < bytes.len() && (bytes[i] == b' ' || (first && bytes[i] == b'\t')) {
                i += 1;
            }
            match bytes.get(i) {
                // A blank or comment-only line says nothing about blocks.
                None | Some(b'\n' | b'\r' | b'#') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    i += 1;
                    continue;
                }
                Some(b'\t') => {
                    return Err(ExprError::new(
                        "a tab in the indentation: indent with spaces",
                        i,
                        i + 1,
                    ))
                }
                _ => {}
            }
            let width = i - start;
            if first {
                indents[0] = width;
            }
            let current = *indents.last().unwrap_or(&0);
            if width > current {
                if indents.len() > MAX_BLOCK_DEPTH {
                    return Err(ExprError::new(
                        format!("too deeply nested: more than {MAX_BLOCK_DEPTH} levels of blocks"),
                        start,
                        i,
                    ));
                }
                indents.push(width);
                push(&mut tokens, Tok::Indent, start, i);
            } else if width < current {
                while indents.len() > 1 && indents.last().is_some_and(|&w| w > width) {
                    indents.pop();
                    push(&mut tokens, Tok::Dedent, start, i);
                }
                if indents.last() != Some(&width) {
                    // The indentation, or else the line's first character: a whole one,
                    // as a span ends on a character boundary (`start + 1` inside an `é`
                    // made `ExprError::render` panic).
                    let first = source[i..].chars().next().map_or(1, char::len_utf8);
                    let end = if i > start { i } else { i + first };
                    return Err(ExprError::new(
                        format!(
                            "this line is indented by {width} spaces, which matches no \
                             enclosing block"
                        ),
                        start,
                        end,
                    ));
                }
            }
            line_start = false;
            continue;
        }
        let start = i;
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        let (tok, len) = match c {
            b'\n' => {
                i += 1;
                // A line that ends in an operator goes on, as an expression could before
                // statements existed: `x1 +` then ` x2`.
                let continues = matches!(
                    tokens.last().map(|t| t.tok),
                    Some(
                        Tok::Plus
                            | Tok::Minus
                            | Tok::Star
                            | Tok::Slash
                            | Tok::Caret
                            | Tok::At
                            | Tok::Compare(_)
                            | Tok::Assign
                            | Tok::Augmented(_)
                    )
                );
                if brackets == 0 && !continues {
                    if !matches!(tokens.last().map(|t| t.tok), None | Some(Tok::Newline)) {
                        push(&mut tokens, Tok::Newline, start, start);
                    }
                    line_start = true;
                }
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'0'..=b'9' => (number(source, start)?, number_end(bytes, i) - i),
            b'.' if next.is_some_and(|d| d.is_ascii_digit()) => {
                (number(source, start)?, number_end(bytes, i) - i)
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let mut j = i;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                (Tok::Name(&source[i..j]), j - i)
            }
            b'*' if next == Some(b'*') => (Tok::Caret, 2),
            b'+' if next == Some(b'=') => (Tok::Augmented(AugOp::Add), 2),
            b'-' if next == Some(b'=') => (Tok::Augmented(AugOp::Sub), 2),
            b'*' if next == Some(b'=') => (Tok::Augmented(AugOp::Mul), 2),
            b'/' if next == Some(b'=') => (Tok::Augmented(AugOp::Div), 2),
            b'=' if next == Some(b'=') => (Tok::Compare(CmpOp::Eq), 2),
            b'!' if next == Some(b'=') => (Tok::Compare(CmpOp::Ne), 2),
            b'<' if next == Some(b'=') => (Tok::Compare(CmpOp::Le), 2),
            b'>' if next == Some(b'=') => (Tok::Compare(CmpOp::Ge), 2),
            b'/' if next == Some(b'/') => {
                return Err(ExprError::new(
                    "'//' (floor division) is not supported: indices take whole numbers \
                     from +, - and *",
                    i,
                    i + 2,
                ))
            }
            _ if c >= 0x80 => {
                // The operators the page prints (`−`, `×`, `·`) and the usual symbols for
                // comparisons are accepted as what they mean, so pasted text works.
                let ch = source[start..].chars().next().unwrap_or('?');
                let tok = match ch {
                    '−' | '–' => Tok::Minus,
                    '×' | '·' | '⋅' => Tok::Star,
                    '÷' => Tok::Slash,
                    '≤' => Tok::Compare(CmpOp::Le),
                    '≥' => Tok::Compare(CmpOp::Ge),
                    '≠' => Tok::Compare(CmpOp::Ne),
                    _ => return Err(ExprError::new(unexpected(ch), start, start + ch.len_utf8())),
                };
                (tok, ch.len_utf8())
            }
            _ => {
                let tok = match c {
                    b'+' => Tok::Plus,
                    b'-' => Tok::Minus,
                    b'*' => Tok::Star,
                    b'/' => Tok::Slash,
                    b'^' => Tok::Caret,
                    b'@' => Tok::At,
                    b'(' | b'[' => {
                        brackets += 1;
                        if c == b'(' {
                            Tok::LParen
                        } else {
                            Tok::LBracket
                        }
                    }
                    b')' | b']' => {
                        brackets = brackets.saturating_sub(1);
                        if c == b')' {
                            Tok::RParen
                        } else {
                            Tok::RBracket
                        }
                    }
                    b',' => Tok::Comma,
                    b':' => Tok::Colon,
                    b'.' => Tok::Dot,
                    b'=' => Tok::Assign,
                    b'<' => Tok::Compare(CmpOp::Lt),
                    b'>' => Tok::Compare(CmpOp::Gt),
                    _ => return Err(ExprError::new(unexpected(c as char), start, start + 1)),
                };
                (tok, 1)
            }
        };
        i += len;
        push(&mut tokens, tok, start, i);
    }
    let end = bytes.len();
    if !matches!(tokens.last().map(|t| t.tok), None | Some(Tok::Newline)) {
        push(&mut tokens, Tok::Newline, end, end);
    }
    for _ in 1..indents.len() {
        push(&mut tokens, Tok::Dedent, end, end);
    }
    push(&mut tokens, Tok::End, end, end);
    Ok(tokens)
}

fn push<'a>(tokens: &mut Vec<Token<'a>>, tok: Tok<'a>, start: usize, end: usize) {
    tokens.push(Token { tok, start, end });
}

fn number(source: &str, start: usize) -> Result<Tok<'_>, ExprError> {
    let end = number_end(source.as_bytes(), start);
    let text = &source[start..end];
    text.parse::<f64>()
        .map(Tok::Number)
        .map_err(|_| ExprError::new(format!("{} is not a number", quoted(text)), start, end))
}
