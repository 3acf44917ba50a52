//! Output formats. Each format is an [`Emitter`]; they read diagnostics and the
//! trees they point into, never the model or the rules.

pub mod json;
pub mod text;

use crate::diagnostic::Diagnostic;
use crate::discover::Tree;
use std::io::{self, Write};

/// One tree's findings, ready to print.
pub struct TreeFindings<'a> {
    pub tree: &'a Tree,
    pub diagnostics: &'a [Diagnostic],
}

pub trait Emitter {
    fn emit(&self, out: &mut dyn Write, findings: &[TreeFindings]) -> io::Result<()>;
}

/// Position of a finding for machine formats: 1-based lines and columns.
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn location(tree: &Tree, d: &Diagnostic) -> Location {
    let f = &tree.files[d.file];
    let (line, column) = f.line_col(d.span.start);
    let (end_line, end_column) = f.line_col(d.span.end);
    Location {
        path: f.display.clone(),
        line,
        column,
        end_line,
        end_column,
    }
}
