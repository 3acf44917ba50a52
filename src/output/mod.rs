//! Output formats. Each format is an [`Emitter`]; they read diagnostics and the
//! trees they point into, never the model or the rules (the rule catalogue is read
//! for rule descriptions only).

pub mod concise;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod jsonl;
pub mod lintian;
pub mod sarif;
pub mod snippet;
pub mod statistics;
pub mod text;

use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::tree::Tree;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// One tree's findings, ready to print.
pub struct TreeFindings<'a> {
    pub tree: &'a Tree,
    pub diagnostics: &'a [Diagnostic],
}

/// An output format, driven tree by tree so that a run never holds more than the
/// trees in flight: each tree's findings are rendered by the worker that linted
/// the tree ([`Emitter::render`], while the tree is still in memory), and the
/// pieces are written in the trees' order ([`Emitter::piece`]) between
/// [`Emitter::start`] and [`Emitter::finish`]. What is printed is the same bytes
/// as [`Emitter::emit`] of every tree at once.
pub trait Emitter: Sync {
    /// Written before the first piece.
    fn start(&self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
    /// One tree's findings as the pieces [`Emitter::piece`] writes (one a finding
    /// for most formats). Called from worker threads.
    fn render(&self, findings: &TreeFindings) -> Vec<String>;
    /// Write one rendered piece; `first` for the first piece of the run.
    fn piece(&self, out: &mut dyn Write, piece: &str, _first: bool) -> io::Result<()> {
        out.write_all(piece.as_bytes())
    }
    /// After the last tree: the end of a document, the summary line.
    fn finish(&self, _out: &mut dyn Write, _tally: &Tally) -> io::Result<()> {
        Ok(())
    }
    /// Every tree at once (tests, fuzzing), every input read.
    fn emit(&self, out: &mut dyn Write, findings: &[TreeFindings]) -> io::Result<()> {
        let mut tally = Tally {
            all_read: true,
            ..Tally::default()
        };
        self.start(out)?;
        for t in findings {
            tally.add_all(t.diagnostics);
            for p in self.render(t) {
                self.piece(out, &p, tally.pieces == 0)?;
                tally.pieces += 1;
            }
        }
        self.finish(out, &tally)
    }
}

/// What a run's findings add up to, for the closing lines (the text summary,
/// `--statistics`): counted per tree in the workers, added up in order. A
/// finding an overrides file silences (shown with `--show-overrides`) is counted
/// only in `overridden`.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Findings by severity (indexed by `Severity as usize`).
    pub by_severity: [usize; 3],
    /// Overridden findings shown.
    pub overridden: usize,
    /// Pieces written so far ([`Emitter::piece`]): the members of a streamed
    /// document, which are not always the findings (GitLab leaves out the
    /// overridden ones).
    pub pieces: usize,
    /// Findings with a fix `--fix` applies, and with one only `--unsafe-fixes` does.
    pub safe: usize,
    pub unsafe_: usize,
    /// Per rule, by name.
    pub rules: BTreeMap<&'static str, RuleTally>,
    /// Every input was found and read. Without that, a run with no findings says
    /// nothing: the errors on stderr and the exit status 2 tell, and "No findings."
    /// would claim a clean tree that was never linted.
    pub all_read: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RuleTally {
    pub count: usize,
    pub safe: usize,
    pub unsafe_: usize,
    /// The highest severity among the rule's findings.
    pub severity: Option<Severity>,
}

impl Tally {
    pub fn of(diagnostics: &[Diagnostic]) -> Tally {
        let mut t = Tally::default();
        t.add_all(diagnostics);
        t
    }

    pub fn add_all(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            if d.overridden.is_some() {
                self.overridden += 1;
                continue;
            }
            self.by_severity[d.severity as usize] += 1;
            let row = self.rules.entry(d.rule.name()).or_default();
            row.count += 1;
            row.severity = row.severity.max(Some(d.severity));
            match d.fix.as_ref().map(|f| f.applicability) {
                Some(Applicability::Safe) => {
                    self.safe += 1;
                    row.safe += 1;
                }
                Some(Applicability::Unsafe) => {
                    self.unsafe_ += 1;
                    row.unsafe_ += 1;
                }
                None => {}
            }
        }
    }

    /// Add another tree's tally (`all_read` and `pieces` are the run's, left as
    /// they are).
    pub fn merge(&mut self, other: &Tally) {
        for (a, b) in self.by_severity.iter_mut().zip(other.by_severity) {
            *a += b;
        }
        self.overridden += other.overridden;
        self.safe += other.safe;
        self.unsafe_ += other.unsafe_;
        for (rule, r) in &other.rules {
            let row = self.rules.entry(rule).or_default();
            row.count += r.count;
            row.safe += r.safe;
            row.unsafe_ += r.unsafe_;
            row.severity = row.severity.max(r.severity);
        }
    }

    /// Findings counted (overridden ones are not).
    pub fn total(&self) -> usize {
        self.by_severity.iter().sum()
    }
}

/// A JSON document with one array streamed member by member, laid out byte for
/// byte as `serde_json::to_writer_pretty` lays out the whole document: the text
/// before the array's first member, after its last, and the members' indentation.
pub struct JsonFrame {
    head: String,
    tail: String,
    indent: String,
}

impl JsonFrame {
    /// A string no finding writes: where the members go in the document's text.
    const SLOT: &'static str = "\u{1}kpkg-lint members\u{1}";

    /// The frame of `doc`, whose streamed array is given as [`JsonFrame::slot`].
    pub fn new(doc: &serde_json::Value) -> JsonFrame {
        let text = serde_json::to_string_pretty(doc).expect("a JSON value serializes");
        let slot = serde_json::to_string(Self::SLOT).expect("a string serializes");
        let at = text.find(&slot).expect("the document holds the slot");
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let depth = text[line_start..]
            .bytes()
            .take_while(|b| *b == b' ')
            .count();
        JsonFrame {
            head: text[..at].to_string(),
            tail: text[at + slot.len()..].to_string(),
            indent: " ".repeat(depth),
        }
    }

    /// The placeholder for the streamed array in the document given to [`JsonFrame::new`].
    pub fn slot() -> serde_json::Value {
        serde_json::Value::String(Self::SLOT.to_string())
    }

    /// A member, pretty at its depth in the document (JSON strings hold no raw
    /// line feed, so every line of the value is indented alike).
    pub fn member(&self, value: &serde_json::Value) -> String {
        let text = serde_json::to_string_pretty(value).expect("a JSON value serializes");
        let pad = format!("\n{}  ", self.indent);
        format!("{}  {}", self.indent, text.replace('\n', &pad))
    }

    pub fn start(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.head.as_bytes())?;
        out.write_all(b"[")
    }

    pub fn piece(&self, out: &mut dyn Write, member: &str, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        out.write_all(member.as_bytes())
    }

    /// After the last member; `members` is how many were written.
    pub fn finish(&self, out: &mut dyn Write, members: usize) -> io::Result<()> {
        if members > 0 {
            write!(out, "\n{}", self.indent)?;
        }
        out.write_all(b"]")?;
        out.write_all(self.tail.as_bytes())?;
        writeln!(out)
    }
}

/// Where each rule's documentation page is: a template in which `{rule}` is
/// replaced by the rule name. The default, `docs/rules/{rule}.md`, is the page in
/// kpkg-lint's own repository (a path relative to its root); `--doc-url` or the
/// `doc-url` key of kpkg-lint.toml point elsewhere, e.g. at a hosted copy of the
/// repository or at the pages the Debian package installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocUrl(String);

pub const DEFAULT_DOC_URL: &str = "docs/rules/{rule}.md";

impl DocUrl {
    /// A template with `{rule}`, or a base to which `<rule>.md` is appended.
    pub fn new(template: &str) -> DocUrl {
        if template.contains("{rule}") {
            DocUrl(template.to_string())
        } else if template.is_empty() || template.ends_with('/') {
            DocUrl(format!("{template}{{rule}}.md"))
        } else {
            DocUrl(format!("{template}/{{rule}}.md"))
        }
    }

    pub fn for_rule(&self, rule: &str) -> String {
        self.0.replace("{rule}", rule)
    }

    /// Does the URL name its scheme (`https:`, `file:`)? SARIF's `helpUri` must be
    /// an absolute URI; a relative one is only printed where any text may go.
    pub fn is_absolute(&self) -> bool {
        let scheme = self.0.split(':').next().unwrap_or("");
        self.0.contains(':')
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    }
}

impl Default for DocUrl {
    fn default() -> DocUrl {
        DocUrl(DEFAULT_DOC_URL.to_string())
    }
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

/// A control character as `ls -b` and git's quoted names write it: the C escape
/// where there is one (`\t`, `\n`, `\r`, `\a`, `\b`, `\f`, `\v`), else each of
/// its bytes in octal (`\033` for ESC, `\302\233` for the C1 CSI, `\177` for DEL).
/// Control characters are C0, DEL and C1: what a terminal acts on.
fn escape_char(c: char, out: &mut String) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\x0b' => out.push_str("\\v"),
        c => {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\{b:03o}"));
            }
        }
    }
}

fn is_control(c: char) -> bool {
    c.is_control()
}

/// `s` with every control character escaped ([`escape_char`]), for names and
/// one-line texts in terminal output.
pub fn escape_line(s: &str) -> String {
    if !s.chars().any(is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_control(c) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

/// File contents for terminal output: control characters escaped as in
/// [`escape_line`], except the tab and the line feed, which lay the text out (a
/// carriage return shows as `\r`, before a line feed too: make and the shell read
/// it as part of the line). The map turns offsets of `text` into offsets of the
/// escaped text, so spans still cover the same characters.
pub fn escape_text(text: &str) -> (String, OffsetMap) {
    let mut map = OffsetMap { shifts: vec![] };
    let escaped = |c: char| is_control(c) && c != '\t' && c != '\n';
    if !text.chars().any(escaped) {
        return (text.to_string(), map);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, c) in text.char_indices() {
        if escaped(c) {
            escape_char(c, &mut out);
            // Offsets after this character move by what the escape added.
            map.shifts
                .push((i + c.len_utf8(), out.len() - (i + c.len_utf8())));
        } else {
            out.push(c);
        }
    }
    (out, map)
}

/// Offsets of a text into offsets of its escaped form ([`escape_text`]).
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    /// (first offset after an escaped character, total bytes added up to there).
    shifts: Vec<(usize, usize)>,
}

impl OffsetMap {
    pub fn map(&self, offset: usize) -> usize {
        let i = self.shifts.partition_point(|(at, _)| *at <= offset);
        match i {
            0 => offset,
            i => offset + self.shifts[i - 1].1,
        }
    }
}

/// 64-bit FNV-1a: a small, stable, dependency-free hash for identifiers that must
/// not change between runs, releases or machines (unlike `std`'s `DefaultHasher`).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Stable identities of findings, for CI systems that track findings across runs
/// (GitLab's `fingerprint`, SARIF's `partialFingerprints`).
///
/// A finding is identified by its rule, its file's path and the text its span
/// covers (whitespace-normalised; the text of its line when the span is empty),
/// never by line numbers: inserting lines above a finding, or fixing another finding
/// on the same line, keeps it "the same" finding, and fixing it makes it disappear.
/// Findings that would share an identity (the same rule on two identical `-j1`s of
/// one file) are told apart by their order in the file.
pub fn fingerprints(findings: &[TreeFindings]) -> Vec<Vec<String>> {
    fingerprints_by(findings, |_, f| f.display.clone())
}

/// [`fingerprints`] with the path of each file as `path` gives it (a baseline
/// names files relative to where it is kept, not to the current directory).
pub fn fingerprints_by(
    findings: &[TreeFindings],
    path: impl Fn(&Tree, &crate::source::SourceFile) -> String,
) -> Vec<Vec<String>> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    findings
        .iter()
        .map(|t| {
            t.diagnostics
                .iter()
                .map(|d| {
                    let f = &t.tree.files[d.file];
                    let normalised = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
                    let mut text = f
                        .text
                        .get(d.span.clone())
                        .map(normalised)
                        .unwrap_or_default();
                    if text.is_empty() {
                        text = normalised(f.line_text(f.line_index(d.span.start)));
                    }
                    let key = format!("{}\0{}\0{}", d.rule, path(t.tree, f), text);
                    let n = seen.entry(key.clone()).or_insert(0);
                    *n += 1;
                    let key = format!("{key}\0{n}");
                    format!(
                        "{:016x}{:016x}",
                        fnv1a64(key.as_bytes()),
                        fnv1a64(format!("kpkg-lint\0{key}").as_bytes())
                    )
                })
                .collect()
        })
        .collect()
}

/// The source package name of a tree, as lintian prints it: the top entry of the
/// changelog (Ubuntu's branch changelog first), else control's `Source:` field, else
/// the tree directory's name.
pub fn source_name(tree: &Tree) -> String {
    let mut changelogs: Vec<String> = Vec::new();
    if let Some(b) = &tree.branch_dir {
        changelogs.push(format!("{b}/changelog"));
    }
    changelogs.push("debian/changelog".to_string());
    for rel in &changelogs {
        if let Some(id) = tree.file(rel) {
            let header = tree.files[id]
                .text
                .lines()
                .find(|l| !l.trim().is_empty() && !l.starts_with([' ', '\t', '#']));
            if let Some(name) = header.and_then(|l| l.split_once(" (")).map(|(n, _)| n) {
                if is_package_name(name) {
                    return name.to_string();
                }
            }
        }
    }
    let mut controls = vec!["debian/control".to_string()];
    if let Some(b) = &tree.branch_dir {
        controls.push(format!("{b}/control.stub.in"));
    }
    controls.push("debian/control.stub.in".to_string());
    for rel in &controls {
        if let Some(id) = tree.file(rel) {
            for line in tree.files[id].text.lines() {
                if let Some(v) = line
                    .split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case("source"))
                    .map(|(_, v)| v.trim())
                {
                    if is_package_name(v) {
                        return v.to_string();
                    }
                }
            }
        }
    }
    let root = std::fs::canonicalize(&tree.root).unwrap_or_else(|_| tree.root.clone());
    root.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Debian policy 5.6.1: lower case letters, digits, `+ - .`, at least two characters,
/// starting with an alphanumeric. Template placeholders (`SRCPKGNAME`, `@SRCPKGNAME@`)
/// fail this and fall through to the next source of the name.
fn is_package_name(s: &str) -> bool {
    s.len() >= 2
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c))
}

#[cfg(test)]
mod tests;
