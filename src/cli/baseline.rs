//! `--write-baseline FILE` records every current finding; `--baseline FILE` then
//! leaves the recorded ones out, so a team adopting kpkg-lint on a tree with old
//! findings sees only new ones.
//!
//! A finding is recorded by the fingerprint GitLab reports use
//! ([`crate::output::fingerprints_by`]): its rule, its file and the text it points
//! at, never its line, so lines added above it, or another finding fixed on its
//! line, keep it recorded, and fixing it drops it. Files are named relative to
//! the baseline's directory, so the same baseline works from any directory.
//!
//! The file is JSON, one entry per finding with the fingerprint and, for people
//! reading a review, rule, path, line and message (only the fingerprint counts):
//!
//! ```json
//! {"version": 1, "findings": [{"fingerprint": "…", "rule": "forced-serial-flag",
//!   "path": "debian/rules", "line": 12, "message": "…"}]}
//! ```

use crate::diagnostic::Diagnostic;
use crate::output::{fingerprints_by, TreeFindings};
use crate::tree::Tree;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub struct Baseline {
    pub display: String,
    dir: PathBuf,
    prints: HashSet<String>,
}

/// A baseline is a list of findings; this is far past any real one.
const MAX_SIZE: u64 = 64 * 1024 * 1024;

/// The directory a baseline at `path` is kept in, as a real path.
pub fn home(path: &Path) -> Result<PathBuf, String> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::canonicalize(parent).map_err(|e| {
        format!(
            "{}: {}",
            crate::source::display_path(parent),
            crate::source::io_message(&e)
        )
    })
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let display = crate::source::display_path(path);
        let bytes = match crate::source::read_regular(path, MAX_SIZE) {
            Ok(crate::source::ReadOutcome::File(bytes, _)) => bytes,
            Ok(crate::source::ReadOutcome::Refused(why)) => {
                return Err(format!("{display}: {why}"))
            }
            Err(e) => {
                return Err(format!(
                    "{display}: {} (`--write-baseline {display}` records one)",
                    crate::source::io_message(&e)
                ))
            }
        };
        let doc: Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{display}: not a kpkg-lint baseline: {e}"))?;
        if doc.get("version").and_then(Value::as_u64) != Some(1) {
            return Err(format!(
                "{display}: not a kpkg-lint baseline of version 1 (`--write-baseline` writes one)"
            ));
        }
        let Some(findings) = doc.get("findings").and_then(Value::as_array) else {
            return Err(format!("{display}: no `findings` list"));
        };
        let mut prints = HashSet::new();
        for f in findings {
            match f.get("fingerprint").and_then(Value::as_str) {
                Some(p) => {
                    prints.insert(p.to_string());
                }
                None => return Err(format!("{display}: a finding without `fingerprint`")),
            }
        }
        Ok(Baseline {
            display,
            dir: home(path)?,
            prints,
        })
    }

    /// How many findings the baseline records.
    pub fn len(&self) -> usize {
        self.prints.len()
    }

    /// Drop the recorded findings of one tree; returns the fingerprints of those
    /// dropped (a run adds them up to tell which entries matched nothing: fixed
    /// since).
    pub fn filter(&self, tree: &Tree, diags: &mut Vec<Diagnostic>) -> Vec<String> {
        let mut fps = prints(&self.dir, tree, diags).into_iter();
        let mut matched = Vec::new();
        diags.retain(|_| {
            let fp = fps.next().unwrap_or_default();
            if self.prints.contains(&fp) {
                matched.push(fp);
                false
            } else {
                true
            }
        });
        matched
    }
}

/// The fingerprints of one tree's findings, with paths relative to `dir`. A
/// fingerprint counts identical findings within its tree: every path of a tree
/// starts with its root, so no two trees of a run share one.
fn prints(dir: &Path, tree: &Tree, diags: &[Diagnostic]) -> Vec<String> {
    let root = std::fs::canonicalize(&tree.root).unwrap_or_else(|_| tree.root.clone());
    let findings = [TreeFindings {
        tree,
        diagnostics: diags,
    }];
    let mut prints = fingerprints_by(&findings, |_, f| {
        let real = root.join(&f.rel);
        match real.strip_prefix(dir) {
            Ok(rel) => rel.to_string_lossy().into_owned(),
            Err(_) => real.to_string_lossy().into_owned(),
        }
    });
    prints.pop().unwrap_or_default()
}

/// One finding as a baseline records it, with where it sorts.
pub struct Entry {
    rel: String,
    line: usize,
    rule: &'static str,
    json: Value,
}

/// The entries of one tree's findings, for a baseline kept in `dir` (see [`home`]).
pub fn entries(dir: &Path, tree: &Tree, diags: &[Diagnostic]) -> Vec<Entry> {
    diags
        .iter()
        .zip(prints(dir, tree, diags))
        .map(|(d, fp)| {
            let f = &tree.files[d.file];
            let line = f.line_col(d.span.start).0;
            Entry {
                rel: f.rel.clone(),
                line,
                rule: d.rule.name(),
                json: json!({
                    "fingerprint": fp,
                    "rule": d.rule.name(),
                    "path": f.display,
                    "line": line,
                    "message": d.message,
                }),
            }
        })
        .collect()
}

/// Record `entries` in a baseline at `path` (written whole or not at all);
/// returns how many.
pub fn write(path: &Path, mut entries: Vec<Entry>) -> Result<usize, String> {
    let display = crate::source::display_path(path);
    let dir = home(path)?;
    // Sorted by place, so a baseline written again changes where findings did.
    entries.sort_by(|a, b| (&a.rel, a.line, a.rule).cmp(&(&b.rel, b.line, b.rule)));
    let n = entries.len();
    let doc = json!({
        "version": 1,
        "findings": entries.into_iter().map(|e| e.json).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    text.push('\n');
    let io = |e: std::io::Error| format!("{display}: {}", crate::source::io_message(&e));
    let mut tmp = tempfile::Builder::new()
        .prefix(".kpkg-lint.")
        .tempfile_in(&dir)
        .map_err(io)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(n)
}
