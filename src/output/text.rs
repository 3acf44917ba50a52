//! Human output: each finding rendered by miette with its source snippet, notes in
//! the same file as extra labels, notes in other files as related reports.

use super::{Emitter, TreeFindings};
use crate::diagnostic::{Diagnostic, Severity};
use crate::tree::Tree;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use std::fmt;
use std::io::{self, Write};

pub struct Text {
    pub color: bool,
    pub width: usize,
    /// Print the closing "Found N findings …" / "No findings." line (not with --quiet).
    pub summary: bool,
    /// Every input was found and read. Without that, a run with no findings says
    /// nothing: the errors on stderr and the exit status 2 tell, and "No findings."
    /// would claim a clean tree that was never linted.
    pub all_read: bool,
}

#[derive(Debug)]
struct Report {
    code: Option<String>,
    message: String,
    severity: miette::Severity,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Report>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

fn source_of(tree: &Tree, file: usize) -> Option<NamedSource<String>> {
    let f = &tree.files[file];
    if f.skipped.is_some() {
        return None;
    }
    Some(NamedSource::new(f.display.clone(), f.text.clone()).with_language("Makefile"))
}

fn span(s: &std::ops::Range<usize>) -> SourceSpan {
    SourceSpan::new(s.start.into(), s.end - s.start)
}

fn build(tree: &Tree, d: &Diagnostic) -> Report {
    let source = source_of(tree, d.file);
    let mut labels = Vec::new();
    let mut related = Vec::new();
    if source.is_some() {
        labels.push(LabeledSpan::new_primary_with_span(None, span(&d.span)));
    }
    for n in &d.notes {
        if n.file == d.file && source.is_some() {
            labels.push(LabeledSpan::new_with_span(
                Some(n.message.clone()),
                span(&n.span),
            ));
        } else {
            let (line, col) = tree.files[n.file].line_col(n.span.start);
            related.push(Report {
                code: None,
                message: format!(
                    "{} ({}:{line}:{col})",
                    n.message, tree.files[n.file].display
                ),
                severity: miette::Severity::Advice,
                source: source_of(tree, n.file),
                labels: vec![LabeledSpan::new_primary_with_span(None, span(&n.span))],
                help: None,
                related: vec![],
            });
        }
    }
    let mut help = d.help.clone();
    if !d.include_chain.is_empty() {
        let chain: Vec<String> = d
            .include_chain
            .iter()
            .rev()
            .map(|(f, s)| {
                format!(
                    "included from {}:{}",
                    tree.files[*f].display,
                    tree.files[*f].line_col(s.start).0
                )
            })
            .collect();
        let chain = chain.join(", ");
        help = Some(match help {
            Some(h) => format!("{h}\n({chain})"),
            None => format!("({chain})"),
        });
    }
    if source.is_none() {
        let f = &tree.files[d.file];
        let prefix = format!("{}: ", f.display);
        return Report {
            code: Some(d.rule.to_string()),
            message: format!("{prefix}{}", d.message),
            severity: severity(d.severity),
            source: None,
            labels,
            help,
            related,
        };
    }
    Report {
        code: Some(d.rule.to_string()),
        message: d.message.clone(),
        severity: severity(d.severity),
        source,
        labels,
        help,
        related,
    }
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

impl Text {
    fn handler(&self) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            .with_context_lines(1)
    }

    pub fn render(&self, tree: &Tree, d: &Diagnostic) -> String {
        let mut s = String::new();
        let report = build(tree, d);
        if self.handler().render_report(&mut s, &report).is_err() {
            s = format!(
                "{}: {}: {}\n",
                tree.files[d.file].display, d.rule, d.message
            );
        }
        s
    }
}

impl Emitter for Text {
    fn emit(&self, out: &mut dyn Write, findings: &[TreeFindings]) -> io::Result<()> {
        let mut counts = [0usize; 3];
        let (mut safe, mut unsafe_) = (0, 0);
        for t in findings {
            for d in t.diagnostics {
                write!(out, "{}", self.render(t.tree, d))?;
                writeln!(out)?;
                counts[d.severity as usize] += 1;
                match d.fix.as_ref().map(|f| f.applicability) {
                    Some(crate::diagnostic::Applicability::Safe) => safe += 1,
                    Some(crate::diagnostic::Applicability::Unsafe) => unsafe_ += 1,
                    None => {}
                }
            }
        }
        let total: usize = counts.iter().sum();
        if !self.summary {
            return Ok(());
        }
        if total == 0 {
            if self.all_read {
                writeln!(out, "No findings.")?;
            }
        } else {
            let fixable = match unsafe_ {
                0 => format!("{safe} fixable with --fix"),
                n => format!("{safe} fixable with --fix, {n} more with --fix --unsafe-fixes"),
            };
            writeln!(
                out,
                "Found {total} finding{}: {} error{}, {} warning{}, {} info; {fixable}.",
                if total == 1 { "" } else { "s" },
                counts[2],
                if counts[2] == 1 { "" } else { "s" },
                counts[1],
                if counts[1] == 1 { "" } else { "s" },
                counts[0],
            )?;
        }
        Ok(())
    }
}
