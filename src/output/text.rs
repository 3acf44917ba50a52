//! Human output: each finding rendered by miette with its source snippet (long
//! lines cut around the span, see [`super::snippet`]), notes in the same file as
//! extra labels, notes in other files after it, each labelled `note:`. The rule's
//! name heads the finding with its documentation link.

use super::snippet::View;
use super::{escape_line, DocUrl, Emitter, Tally, TreeFindings};
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
    /// Where rule documentation is, shown next to the rule's name.
    pub docs: DocUrl,
}

#[derive(Debug)]
struct Report {
    code: Option<String>,
    url: Option<String>,
    message: String,
    severity: miette::Severity,
    source: Option<NamedSource<View>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
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
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
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
}

/// Spans covering more lines than this are not shown as a snippet: the finding
/// is printed with its position instead.
const MAX_SNIPPET_LINES: usize = 200;

/// Lines of context kept around the spans: miette shows (and reads) one before
/// and one after ([`Text::handler`]), the lines [`fits`] checks.
const WINDOW_MARGIN: usize = 1;

/// The lines of the file around `focus` for miette ([`View`]: those lines only,
/// control characters escaped, long lines cut around `focus`).
fn source_of(tree: &Tree, file: usize, focus: &[usize]) -> Option<NamedSource<View>> {
    let f = &tree.files[file];
    if f.skipped.is_some() {
        return None;
    }
    let first = focus.iter().map(|&o| f.line_index(o)).min()?;
    let last = focus.iter().map(|&o| f.line_index(o)).max()?;
    let first = first.saturating_sub(WINDOW_MARGIN);
    let start = f.line_start(first).unwrap_or(0);
    let end = f
        .line_start(last + WINDOW_MARGIN + 1)
        .unwrap_or(f.text.len());
    let view = View::lines(&f.text, start..end, first, focus);
    Some(NamedSource::new(escape_line(&f.display), view).with_language("Makefile"))
}

/// Can this span be shown as a snippet (see [`MAX_SNIPPET_LINES`])?
fn fits(tree: &Tree, file: usize, s: &std::ops::Range<usize>) -> bool {
    let f = &tree.files[file];
    if f.skipped.is_some() || s.start > s.end || s.end > f.text.len() {
        return false;
    }
    let first = f.line_index(s.start).saturating_sub(1);
    let last = f.line_index(s.end) + 1;
    last - first <= MAX_SNIPPET_LINES
}

fn span(view: &View, s: &std::ops::Range<usize>) -> SourceSpan {
    let (start, end) = (view.map(s.start), view.map(s.end));
    SourceSpan::new(start.into(), end.saturating_sub(start))
}

/// `path:line:col`, for findings and notes shown without their snippet.
fn position(tree: &Tree, file: usize, offset: usize) -> String {
    let f = &tree.files[file];
    let (line, col) = f.line_col(offset);
    format!("{}:{line}:{col}", escape_line(&f.display))
}

/// A note in another file than its finding's (or one that cannot share its
/// snippet): its own report, rendered after the finding under `note:`.
fn note_report(tree: &Tree, file: usize, s: &std::ops::Range<usize>, message: &str) -> Report {
    let source = if fits(tree, file, s) {
        source_of(tree, file, &[s.start, s.end])
    } else {
        None
    };
    let (labels, message) = match &source {
        // The snippet's header gives the position.
        Some(source) => (
            vec![LabeledSpan::new_primary_with_span(
                None,
                span(source.inner(), s),
            )],
            escape_help(message),
        ),
        None => (
            vec![],
            format!(
                "{} ({})",
                escape_help(message),
                position(tree, file, s.start)
            ),
        ),
    };
    Report {
        code: None,
        url: None,
        message,
        severity: miette::Severity::Advice,
        source,
        labels,
        help: None,
    }
}

/// The finding's report, and the reports of its notes that are shown apart.
fn build(tree: &Tree, d: &Diagnostic, docs: &DocUrl) -> (Report, Vec<Report>) {
    let snippet = fits(tree, d.file, &d.span)
        && d.notes
            .iter()
            .all(|n| n.file != d.file || fits(tree, n.file, &n.span));
    let mut focus = vec![d.span.start, d.span.end];
    for n in d.notes.iter().filter(|n| n.file == d.file) {
        focus.extend([n.span.start, n.span.end]);
    }
    let source = if snippet {
        source_of(tree, d.file, &focus)
    } else {
        None
    };
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    if let Some(source) = &source {
        labels.push(LabeledSpan::new_primary_with_span(
            None,
            span(source.inner(), &d.span),
        ));
    }
    for n in &d.notes {
        match &source {
            Some(source) if n.file == d.file => {
                labels.push(LabeledSpan::new_with_span(
                    Some(escape_line(&n.message)),
                    span(source.inner(), &n.span),
                ));
            }
            _ => notes.push(note_report(tree, n.file, &n.span, &n.message)),
        }
    }
    if let Some(o) = &d.overridden {
        let why = match &o.reason {
            Some(r) => format!("overridden here: {r}"),
            None => "overridden here (no reason written above the override)".to_string(),
        };
        notes.push(note_report(tree, o.file, &o.span, &why));
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
    let mut message = escape_help(&d.message);
    if d.overridden.is_some() {
        message = format!("[overridden] {message}");
    }
    let code = Some(d.rule.to_string());
    let url = Some(escape_line(&docs.for_rule(d.rule.name())));
    let Some(source) = source else {
        let f = &tree.files[d.file];
        let prefix = if f.skipped.is_some() {
            format!("{}: ", escape_line(&f.display))
        } else {
            format!("{}: ", position(tree, d.file, d.span.start))
        };
        let report = Report {
            code,
            url,
            message: format!("{prefix}{message}"),
            severity: severity(d.severity),
            source: None,
            labels,
            help,
        };
        return (report, notes);
    };
    let report = Report {
        code,
        url,
        message,
        severity: severity(d.severity),
        source: Some(source),
        labels,
        help,
    };
    (report, notes)
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
    fn handler(&self, note: bool) -> GraphicalReportHandler {
        let mut theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        if note {
            // Notes are advice-level reports whose mark is the word `note:`.
            theme.characters.advice = "note:".to_string();
        }
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            .with_context_lines(1)
    }

    /// One finding as miette lays it out, with its snippet.
    pub fn finding(&self, tree: &Tree, d: &Diagnostic) -> String {
        let mut s = String::new();
        let (report, notes) = build(tree, d, &self.docs);
        let mut ok = self.handler(false).render_report(&mut s, &report).is_ok();
        for n in &notes {
            let mut one = String::new();
            ok = ok && self.handler(true).render_report(&mut one, n).is_ok();
            s.push_str(&one);
        }
        if !ok {
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
        let (safe, unsafe_, overridden) = (tally.safe, tally.unsafe_, tally.overridden);
        let total: usize = counts.iter().sum();
        if !self.summary {
            return Ok(());
        }
        let overrides = match overridden {
            0 => String::new(),
            1 => " (1 overridden finding shown)".to_string(),
            n => format!(" ({n} overridden findings shown)"),
        };
        if total == 0 {
            if tally.all_read {
                writeln!(out, "No findings{overrides}.")?;
            }
        } else {
            let fixable = match unsafe_ {
                0 => format!("{safe} fixable with --fix"),
                n => format!("{safe} fixable with --fix, {n} more with --fix --unsafe-fixes"),
            };
            writeln!(
                out,
                "Found {total} finding{}: {} error{}, {} warning{}, {} info; {fixable}{overrides}.",
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
