//! Text to tokens, each with the byte span it came from.

use super::ExprError;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tok<'a> {
    Number(f64),
    Ident(&'a str),
    Plus,
    Minus,
    Star,
    Slash,
    /// `^` or `**`.
    Caret,
    LParen,
    RParen,
    Comma,
    End,
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
            Tok::End => "the end of the expression".to_string(),
            _ => quoted(&source[self.start..self.end]),
        }
    }
}

/// Text from the source in quotes, shortened when long: a message must fit under the box
/// however long a name or number was pasted.
pub fn quoted(text: &str) -> String {
    const MAX: usize = 24;
    let n = text.chars().count();
    if n <= MAX {
        format!("'{text}'")
    } else {
        let head: String = text.chars().take(MAX - 4).collect();
        format!("'{head}…' ({n} characters)")
    }
}

/// Splits `source` into tokens, ending with `End`.
pub fn tokenize(source: &str) -> Result<Vec<Token<'_>>, ExprError> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let c = bytes[i];
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'0'..=b'9' | b'.' => {
                i = number_end(bytes, i);
                let text = &source[start..i];
                match text.parse::<f64>() {
                    Ok(x) => Tok::Number(x),
                    Err(_) => {
                        return Err(ExprError::new(
                            format!("{} is not a number", quoted(text)),
                            start,
                            i,
                        ))
                    }
                }
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                Tok::Ident(&source[start..i])
            }
            b'*' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                Tok::Caret
            }
            _ if c >= 0x80 => {
                // Beyond ASCII: the operators the page's own names print (`−`, `×`, `·`)
                // are accepted as what they mean, so pasted text works.
                let ch = source[start..].chars().next().unwrap_or('?');
                i += ch.len_utf8();
                match ch {
                    '−' | '–' => Tok::Minus,
                    '×' | '·' | '⋅' => Tok::Star,
                    '÷' => Tok::Slash,
                    _ => return Err(ExprError::new(unexpected(ch), start, i)),
                }
            }
            _ => {
                let tok = match c {
                    b'+' => Tok::Plus,
                    b'-' => Tok::Minus,
                    b'*' => Tok::Star,
                    b'/' => Tok::Slash,
                    b'^' => Tok::Caret,
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    b',' => Tok::Comma,
                    _ => return Err(ExprError::new(unexpected(c as char), start, start + 1)),
                };
                i += 1;
                tok
            }
        };
        tokens.push(Token { tok, start, end: i });
    }
    tokens.push(Token {
        tok: Tok::End,
        start: bytes.len(),
        end: bytes.len(),
    });
    Ok(tokens)
}

/// "unexpected character …", naming a character that does not show as itself: a
/// no-break space pasted from a document looks like a space, a zero-width one like nothing.
pub(crate) fn unexpected(ch: char) -> String {
    let name = match ch {
        '\u{a0}' => Some("no-break space"),
        '\u{2007}' => Some("figure space"),
        '\u{2009}' => Some("thin space"),
        '\u{202f}' => Some("narrow no-break space"),
        '\u{200b}' => Some("zero-width space"),
        '\u{200c}' => Some("zero-width non-joiner"),
        '\u{200d}' => Some("zero-width joiner"),
        '\u{2060}' => Some("word joiner"),
        '\u{feff}' => Some("byte-order mark"),
        _ => None,
    };
    let code = format!("U+{:04X}", ch as u32);
    match name {
        Some(name) => format!("unexpected {name} ({code}): type an ordinary space, or nothing"),
        None if ch.is_whitespace() => format!("unexpected space character {code}: type an ordinary space"),
        None if ch.is_control() => format!("unexpected control character {code}"),
        None => format!("unexpected character '{ch}'"),
    }
}

/// The end of a number starting at `i`: digits, an optional fraction, an optional exponent.
/// An `e` not followed by digits is not part of the number.
pub(crate) fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    i = digits(i);
    if bytes.get(i) == Some(&b'.') {
        i = digits(i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(j);
        }
    }
    i
}
