//! Human output: each finding rendered by miette with its source snippet, notes in
//! the same file as extra labels, notes in other files as related reports.

use super::{escape_line, escape_text, Emitter, OffsetMap, Tally, TreeFindings};
use crate::diagnostic::{Diagnostic, Severity};
use crate::tree::Tree;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
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
    source: Option<Snippet>,
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

/// Lines of a file around the spans of one report, as miette reads them: the
/// text of those lines only, escaped, with the file's line numbers. A snippet
/// needs a few lines; copying and escaping the whole file for each finding (and
/// miette scanning it from the top for each label) made rendering cost as much
/// as linting in a tree with many findings in a large file.
#[derive(Debug)]
struct Snippet {
    name: String,
    /// The escaped lines.
    text: String,
    /// The file's 0-based line the text starts with.
    first_line: usize,
}

/// Lines of context kept around the spans: miette shows (and reads) one before
/// and one after ([`Text::handler`]), the lines [`fits`] checks.
const WINDOW_MARGIN: usize = 1;

impl SourceCode for Snippet {
    /// miette's reading of the lines, moved to the file's line numbers. Its
    /// `line_count` is the lines from the start of the text, so it moves too
    /// (miette adds it to `line` to decide whether two labels share a snippet).
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                c.data(),
                *c.span(),
                c.line() + self.first_line,
                c.column(),
                c.line_count() + self.first_line,
            )
            .with_language("Makefile"),
        ))
    }
}

/// The snippet of `file` around `spans`, and the map that moves offsets of the
/// file onto the snippet's escaped text.
fn source_of(
    tree: &Tree,
    file: usize,
    spans: &[&std::ops::Range<usize>],
) -> Option<(Snippet, Window)> {
    let f = &tree.files[file];
    if f.skipped.is_some() {
        return None;
    }
    let first = spans.iter().map(|s| f.line_index(s.start)).min()?;
    let last = spans.iter().map(|s| f.line_index(s.end)).max()?;
    let first = first.saturating_sub(WINDOW_MARGIN);
    let start = f.line_start(first).unwrap_or(0);
    let end = f
        .line_start(last + WINDOW_MARGIN + 1)
        .unwrap_or(f.text.len());
    let (text, map) = escape_text(&f.text[start..end]);
    Some((
        Snippet {
            name: escape_line(&f.display),
            text,
            first_line: first,
        },
        Window { start, map },
    ))
}

/// Where a snippet starts in its file, and the escaping of its text.
struct Window {
    start: usize,
    map: OffsetMap,
}

impl Window {
    fn map(&self, offset: usize) -> usize {
        self.map.map(offset - self.start)
    }
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

fn span(map: &Window, s: &std::ops::Range<usize>) -> SourceSpan {
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
        let mut spans = vec![&d.span];
        spans.extend(d.notes.iter().filter(|n| n.file == d.file).map(|n| &n.span));
        source_of(tree, d.file, &spans)
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
                    source_of(tree, n.file, &[&n.span])
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

    /// One finding as miette lays it out, with its snippet.
    pub fn finding(&self, tree: &Tree, d: &Diagnostic) -> String {
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
                let mut s = self.finding(t.tree, d);
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
