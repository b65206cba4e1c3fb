//! The user's own points as text: `x1,x2,label` a line (`x1,x2,y` for a regression), as a
//! CSV file or text pasted from a spreadsheet (tab-separated). A header row is optional. Reading is all or nothing: the
//! first bad line is reported with its line and column and what was expected there, and
//! nothing is kept.

use super::config::{Problem, MAX_POINTS};
use super::data::{Dataset, MAX_CLASSES};
use std::fmt;

/// Points read from a file, not yet split into training and test sets.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OwnPoints {
    pub points: Vec<[f64; 2]>,
    /// Each point's class (a classification), or empty.
    pub labels: Vec<usize>,
    /// One more than the largest label; 0 for a regression.
    pub classes: usize,
    /// Each point's target (a regression), or empty.
    #[serde(default)]
    pub targets: Vec<f64>,
}

/// Why a text cannot be used as points: where (1-based line and column, 0 where the whole
/// file is meant) and what was expected.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// Further lines that are bad too (only the first is described).
    pub more: usize,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}", self.message)?,
            (line, 0) => write!(f, "line {line}: {}", self.message)?,
            (line, column) => write!(f, "line {line}, column {column}: {}", self.message)?,
        }
        match self.more {
            0 => Ok(()),
            1 => write!(f, " (and 1 more bad line)"),
            n => write!(f, " (and {n} more bad lines)"),
        }
    }
}

/// The columns of a file for `problem`, by name.
fn columns(problem: Problem) -> [&'static str; 3] {
    match problem {
        Problem::Classification => ["x1", "x2", "label"],
        Problem::Regression => ["x1", "x2", "y"],
    }
}

/// The classes a label may name, in words: "0, 1 or 2".
fn class_words() -> String {
    let all: Vec<String> = (0..MAX_CLASSES).map(|c| c.to_string()).collect();
    let (last, rest) = all.split_last().expect("there are classes");
    format!("{} or {last}", rest.join(", "))
}

/// Reads `x1,x2,label` lines (`x1,x2,y` for a regression) from `bytes` (UTF-8, a
/// byte-order mark allowed). Fields are separated by commas, or by tabs when the first
/// line has no comma; spaces around a field and blank lines are ignored. The first line is
/// a header when none of its fields is a number.
pub fn read_points(bytes: &[u8], problem: Problem) -> Result<OwnPoints, CsvError> {
    let columns = columns(problem);
    let expected = columns.join(",");
    let whole = |message: String| CsvError {
        line: 0,
        column: 0,
        message,
        more: 0,
    };
    if bytes.is_empty() {
        return Err(whole("the file is empty".into()));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        whole(format!(
            "the file is not text: byte {} is not UTF-8 (expected lines of {expected})",
            e.valid_up_to() + 1
        ))
    })?;
    if text.contains('\0') {
        return Err(whole(
            "the file is not text: it holds a NUL byte (expected lines of x1,x2,label)".into(),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
        .peekable();
    let Some(&(_, first)) = lines.peek() else {
        return Err(whole(
            "the file has only blank lines (expected lines of x1,x2,label)".into(),
        ));
    };
    let separator = if !first.contains(',') && first.contains('\t') {
        '\t'
    } else {
        ','
    };
    let is_header = first.split(separator).all(|f| f.trim().parse::<f64>().is_err());
    if is_header {
        let names = first.split(separator).count();
        let (line, _) = lines.next().expect("peeked");
        if names != columns.len() {
            return Err(CsvError {
                line,
                column: 0,
                message: format!("the header has {names} columns; expected 3: {expected}"),
                more: 0,
            });
        }
        if lines.peek().is_none() {
            return Err(whole("the file has a header row but no points".into()));
        }
    }
    let mut points = Vec::new();
    let mut values = Vec::new();
    let mut first_error: Option<CsvError> = None;
    for (line, text) in lines {
        match read_row(text, separator, problem) {
            Ok((p, value)) => {
                points.push(p);
                values.push(value);
            }
            Err((column, message)) => match &mut first_error {
                None => {
                    first_error = Some(CsvError {
                        line,
                        column,
                        message,
                        more: 0,
                    })
                }
                Some(e) => e.more += 1,
            },
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let n = points.len();
    if n > MAX_POINTS {
        return Err(whole(format!(
            "the file has {n} points; at most {MAX_POINTS} can be trained on"
        )));
    }
    if n < 2 {
        return Err(whole(format!(
            "the file has {n} point; training needs at least 2"
        )));
    }
    if problem == Problem::Regression {
        return Ok(OwnPoints {
            points,
            labels: Vec::new(),
            classes: 0,
            targets: values,
        });
    }
    let labels: Vec<usize> = values.into_iter().map(|c| c as usize).collect();
    let classes = labels.iter().max().map_or(0, |&c| c + 1);
    if labels.iter().all(|&c| c == labels[0]) {
        return Err(whole(format!(
            "every point is in class {}: a classifier needs points of at least two classes",
            labels[0]
        )));
    }
    Ok(OwnPoints {
        points,
        labels,
        classes: classes.max(2),
        targets: Vec::new(),
    })
}

/// One line's point and its label (a class index, checked) or target, or the (1-based)
/// column that is wrong and why.
fn read_row(text: &str, separator: char, problem: Problem) -> Result<([f64; 2], f64), (usize, String)> {
    let columns = columns(problem);
    let expected = columns.join(",");
    let fields: Vec<&str> = text.split(separator).map(str::trim).collect();
    if fields.len() < columns.len() {
        let missing = columns[fields.len()..].join(", ");
        return Err((
            fields.len() + 1,
            format!(
                "{} fields where 3 were expected ({expected}): {missing} missing",
                fields.len()
            ),
        ));
    }
    if fields.len() > columns.len() {
        return Err((
            columns.len() + 1,
            format!(
                "{} fields where 3 were expected ({expected}): an extra column",
                fields.len()
            ),
        ));
    }
    let number = |c: usize| {
        let (field, name) = (fields[c], columns[c]);
        match field.parse::<f64>() {
            Err(_) if field.is_empty() => Err((c + 1, format!("{name} is empty; expected a number"))),
            Err(_) => Err((
                c + 1,
                format!("'{}' is not a number; expected {name}, a number", shorten(field)),
            )),
            Ok(v) if !v.is_finite() => Err((
                c + 1,
                format!(
                    "'{}' is not a finite number; expected {name}, a finite number",
                    shorten(field)
                ),
            )),
            Ok(v) => Ok(v),
        }
    };
    let xy = [number(0)?, number(1)?];
    if problem == Problem::Regression {
        return Ok((xy, number(2)?));
    }
    let field = fields[2];
    let label =
        (field.parse::<f64>().ok()).filter(|&c| c.fract() == 0.0 && (0.0..MAX_CLASSES as f64).contains(&c));
    match label {
        Some(c) => Ok((xy, c)),
        None => Err((
            3,
            format!(
                "'{}' is not a class; expected a label, the class index {}",
                shorten(field),
                class_words()
            ),
        )),
    }
}

/// A field as quoted in a message: at most 24 characters.
fn shorten(field: &str) -> String {
    match field.char_indices().nth(24) {
        Some((cut, _)) => format!("{}…", &field[..cut]),
        None => field.to_string(),
    }
}

/// The points of `data` as CSV with a header, every number written so that reading it
/// back gives the same number.
pub fn write_points(data: &Dataset) -> String {
    if data.is_regression() {
        let rows = data.points.iter().zip(&data.targets);
        return rows.fold(String::from("x1,x2,y\n"), |out, ([x1, x2], y)| {
            out + &format!("{x1},{x2},{y}\n")
        });
    }
    let rows = data.points.iter().zip(&data.labels);
    rows.fold(String::from("x1,x2,label\n"), |out, ([x1, x2], c)| {
        out + &format!("{x1},{x2},{c}\n")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> CsvError {
        read_points(text.as_bytes(), Problem::Classification).expect_err(text)
    }

    #[test]
    fn reads_points_with_or_without_a_header_and_with_tabs() {
        let want = OwnPoints {
            points: vec![[0.5, -1.0], [2.0, 3e-3]],
            labels: vec![0, 1],
            classes: 2,
            targets: vec![],
        };
        for text in [
            "0.5,-1,0\n2,3e-3,1\n",
            "x1,x2,label\r\n0.5,-1,0\r\n2,3e-3,1",
            "\u{feff}a, b ,c\n\n 0.5 , -1 , 0 \n2,0.003,1.0\n\n",
            "x1\tx2\tlabel\n0.5\t-1\t0\n2\t0.003\t1\n",
        ] {
            assert_eq!(
                read_points(text.as_bytes(), Problem::Classification),
                Ok(want.clone()),
                "{text:?}"
            );
        }
        let three = read_points(b"0,0,0\n1,1,2\n", Problem::Classification).unwrap();
        assert_eq!(three.classes, 3);
    }

    #[test]
    fn a_bad_row_names_its_line_column_and_what_was_expected() {
        let e = error("x1,x2,label\n0,0,0\n1,abc,1\n");
        assert_eq!((e.line, e.column), (3, 2));
        assert_eq!(
            e.to_string(),
            "line 3, column 2: 'abc' is not a number; expected x2, a number"
        );
        let e = error("0,0,0\n1,1\n");
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.contains("label missing"), "{e}");
        let e = error("0,0,0\n1,1,1,7\n");
        assert_eq!((e.line, e.column), (2, 4));
        assert!(e.message.contains("an extra column"), "{e}");
        for bad in ["nan", "inf", "1e400", "-infinity"] {
            let e = error(&format!("0,0,0\n{bad},1,1\n"));
            assert_eq!((e.line, e.column), (2, 1), "{bad}");
            assert!(e.message.contains("not a finite number"), "{e}");
        }
        for bad in ["3", "-1", "0.5", "one", ""] {
            let e = error(&format!("0,0,0\n1,1,{bad}\n"));
            assert_eq!((e.line, e.column), (2, 3), "{bad:?}");
            assert!(
                e.message.contains("expected a label, the class index 0, 1 or 2"),
                "{e}"
            );
        }
        let e = error("0,0,0\n1,x,1\n2,y,1\n3,3,9\n");
        assert_eq!((e.line, e.more), (2, 2));
        assert!(e.to_string().ends_with("(and 2 more bad lines)"), "{e}");
    }

    #[test]
    fn a_file_that_cannot_be_used_as_a_whole_says_why() {
        let whole = |bytes: &[u8]| {
            let e = read_points(bytes, Problem::Classification).expect_err("refused");
            assert_eq!(e.line, 0, "{e}");
            e.to_string()
        };
        assert_eq!(whole(b""), "the file is empty");
        assert!(whole(b"\n \n").contains("only blank lines"));
        assert_eq!(whole(b"x1,x2,label\n"), "the file has a header row but no points");
        assert!(whole(b"\x89PNG\r\n\x1a\n\0\0").contains("not text"));
        assert!(whole(b"0,0,0\0\n").contains("not text"));
        assert!(whole(b"0,0,1\n1,1,1\n").contains("every point is in class 1"));
        assert!(whole(b"0,0,1\n").contains("needs at least 2"));
        let many: String = (0..=MAX_POINTS).map(|i| format!("{i},0,{}\n", i % 2)).collect();
        assert!(whole(many.as_bytes()).contains(&format!("at most {MAX_POINTS}")));
        let e = error("x1,x2\n0,0,0\n");
        assert_eq!((e.line, e.column), (1, 0));
    }

    #[test]
    fn written_points_read_back_exactly() {
        let points = vec![[0.1, -2.0 / 3.0], [1e-300, 12345.678], [-0.0, 1.0 / 7.0]];
        let data = super::super::data::own(points.clone(), vec![0, 2, 1], vec![], 3, 0.0, 1);
        let back = read_points(write_points(&data).as_bytes(), Problem::Classification).unwrap();
        assert_eq!(back.points, data.points);
        assert_eq!(back.labels, data.labels);
        let data = super::super::data::own(points, vec![], vec![-1e-9, 0.3, 7.25], 0, 0.0, 1);
        let back = read_points(write_points(&data).as_bytes(), Problem::Regression).unwrap();
        assert_eq!(
            (back.points, back.targets, back.classes),
            (data.points, data.targets, 0)
        );
    }

    #[test]
    fn a_regression_reads_any_finite_target_and_names_its_column_y() {
        let own = read_points(b"x1,x2,y\n0,0,-3.5\n1,1,1e6\n", Problem::Regression).unwrap();
        assert_eq!(
            (own.targets, own.labels, own.classes),
            (vec![-3.5, 1e6], vec![], 0)
        );
        let e = read_points(b"0,0,0.5\n1,1,inf\n", Problem::Regression).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2, column 3: 'inf' is not a finite number; expected y, a finite number"
        );
        let e = read_points(b"0,0\n", Problem::Regression).unwrap_err();
        assert!(e.message.contains("(x1,x2,y): y missing"), "{e}");
        // All the same target is a flat fit, not an error.
        assert!(read_points(b"0,0,1\n1,1,1\n", Problem::Regression).is_ok());
    }
}
