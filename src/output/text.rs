//! Human output: each finding rendered by miette with its source snippet, notes in
//! the same file as extra labels, notes in other files as related reports.

use super::{escape_line, escape_text, Emitter, OffsetMap, Tally, TreeFindings};
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

/// Lines longer than this (in bytes) are not shown as a snippet: the finding is
/// printed with its position instead. miette cannot lay out columns past 65,535,
/// and a snippet of a 70,000-character recipe line helps nobody.
const MAX_SNIPPET_LINE: usize = 1000;
/// Nor are spans covering more lines than this.
const MAX_SNIPPET_LINES: usize = 200;

/// The file's text for miette, with control characters escaped ([`escape_text`])
/// and the map that moves spans onto the escaped text.
fn source_of(tree: &Tree, file: usize) -> Option<(NamedSource<String>, OffsetMap)> {
    let f = &tree.files[file];
    if f.skipped.is_some() {
        return None;
    }
    let (text, map) = escape_text(&f.text);
    Some((
        NamedSource::new(escape_line(&f.display), text).with_language("Makefile"),
        map,
    ))
}

/// Can this span be shown as a snippet (see [`MAX_SNIPPET_LINE`])?
fn fits(tree: &Tree, file: usize, s: &std::ops::Range<usize>) -> bool {
    let f = &tree.files[file];
    if f.skipped.is_some() || s.start > s.end || s.end > f.text.len() {
        return false;
    }
    let first = f.line_index(s.start).saturating_sub(1);
    let last = f.line_index(s.end) + 1;
    last - first <= MAX_SNIPPET_LINES
        && (first..=last).all(|l| f.line_span(l).is_none_or(|r| r.len() <= MAX_SNIPPET_LINE))
}

fn span(map: &OffsetMap, s: &std::ops::Range<usize>) -> SourceSpan {
    let (start, end) = (map.map(s.start), map.map(s.end));
    SourceSpan::new(start.into(), end.saturating_sub(start))
}

/// `path:line:col`, for findings and notes shown without their snippet.
fn position(tree: &Tree, file: usize, offset: usize) -> String {
    let f = &tree.files[file];
    let (line, col) = f.line_col(offset);
    format!("{}:{line}:{col}", escape_line(&f.display))
}

fn build(tree: &Tree, d: &Diagnostic) -> Report {
    let snippet = fits(tree, d.file, &d.span)
        && d.notes
            .iter()
            .all(|n| n.file != d.file || fits(tree, n.file, &n.span));
    let source = if snippet {
        source_of(tree, d.file)
    } else {
        None
    };
    let mut labels = Vec::new();
    let mut related = Vec::new();
    if let Some((_, map)) = &source {
        labels.push(LabeledSpan::new_primary_with_span(None, span(map, &d.span)));
    }
    for n in &d.notes {
        match &source {
            Some((_, map)) if n.file == d.file => {
                labels.push(LabeledSpan::new_with_span(
                    Some(escape_line(&n.message)),
                    span(map, &n.span),
                ));
            }
            _ => {
                let note_source = if fits(tree, n.file, &n.span) {
                    source_of(tree, n.file)
                } else {
                    None
                };
                let labels = match &note_source {
                    Some((_, map)) => {
                        vec![LabeledSpan::new_primary_with_span(None, span(map, &n.span))]
                    }
                    None => vec![],
                };
                related.push(Report {
                    code: None,
                    message: format!(
                        "{} ({})",
                        escape_line(&n.message),
                        position(tree, n.file, n.span.start)
                    ),
                    severity: miette::Severity::Advice,
                    source: note_source.map(|(s, _)| s),
                    labels,
                    help: None,
                    related: vec![],
                });
            }
        }
    }
    let mut help = d.help.as_deref().map(escape_help);
    if !d.include_chain.is_empty() {
        let chain: Vec<String> = d
            .include_chain
            .iter()
            .rev()
            .map(|(f, s)| {
                format!(
                    "included from {}:{}",
                    escape_line(&tree.files[*f].display),
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
    let message = escape_help(&d.message);
    let Some((source, _)) = source else {
        let f = &tree.files[d.file];
        let prefix = if f.skipped.is_some() {
            format!("{}: ", escape_line(&f.display))
        } else {
            format!("{}: ", position(tree, d.file, d.span.start))
        };
        return Report {
            code: Some(d.rule.to_string()),
            message: format!("{prefix}{message}"),
            severity: severity(d.severity),
            source: None,
            labels,
            help,
            related,
        };
    };
    Report {
        code: Some(d.rule.to_string()),
        message,
        severity: severity(d.severity),
        source: Some(source),
        labels,
        help,
        related,
    }
}

/// Messages and help may span lines: those stay, other control characters are escaped.
fn escape_help(s: &str) -> String {
    s.split('\n')
        .map(escape_line)
        .collect::<Vec<_>>()
        .join("\n")
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
                position(tree, d.file, d.span.start),
                d.rule,
                escape_help(&d.message)
            );
        }
        s
    }
}

impl Emitter for Text {
    /// Each finding with its snippet, and a blank line.
    fn render(&self, t: &TreeFindings) -> Vec<String> {
        t.diagnostics
            .iter()
            .map(|d| {
                let mut s = self.render(t.tree, d);
                s.push('\n');
                s
            })
            .collect()
    }

    /// The summary line ([`Tally::all_read`] says when "No findings." may be said).
    fn finish(&self, out: &mut dyn Write, tally: &Tally) -> io::Result<()> {
        let counts = tally.by_severity;
        let (safe, unsafe_) = (tally.safe, tally.unsafe_);
        let total: usize = counts.iter().sum();
        if !self.summary {
            return Ok(());
        }
        if total == 0 {
            if tally.all_read {
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
