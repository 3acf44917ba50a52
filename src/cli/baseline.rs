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
fn home(path: &Path) -> Result<PathBuf, String> {
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

    /// Drop the recorded findings; returns how many were dropped and how many
    /// entries of the baseline matched nothing (fixed since).
    pub fn filter(&self, trees: &[&Tree], results: &mut [Vec<Diagnostic>]) -> (usize, usize) {
        let prints = prints(&self.dir, trees, results);
        let mut hidden = 0;
        let mut matched = HashSet::new();
        for (diags, fps) in results.iter_mut().zip(prints) {
            let mut fps = fps.into_iter();
            diags.retain(|_| {
                let fp = fps.next().unwrap_or_default();
                if self.prints.contains(&fp) {
                    hidden += 1;
                    matched.insert(fp);
                    false
                } else {
                    true
                }
            });
        }
        (hidden, self.prints.len() - matched.len())
    }
}

/// The fingerprints of the findings, with paths relative to `dir`.
fn prints(dir: &Path, trees: &[&Tree], results: &[Vec<Diagnostic>]) -> Vec<Vec<String>> {
    let findings: Vec<TreeFindings> = trees
        .iter()
        .zip(results)
        .map(|(tree, d)| TreeFindings {
            tree,
            diagnostics: d,
        })
        .collect();
    let roots: Vec<PathBuf> = trees
        .iter()
        .map(|t| std::fs::canonicalize(&t.root).unwrap_or_else(|_| t.root.clone()))
        .collect();
    fingerprints_by(&findings, |tree, f| {
        let i = trees
            .iter()
            .position(|t| std::ptr::eq(*t, tree))
            .unwrap_or(0);
        let real = roots[i].join(&f.rel);
        match real.strip_prefix(dir) {
            Ok(rel) => rel.to_string_lossy().into_owned(),
            Err(_) => real.to_string_lossy().into_owned(),
        }
    })
}

/// Record every finding of `results` in a baseline at `path` (written whole or
/// not at all); returns how many.
pub fn write(path: &Path, trees: &[&Tree], results: &[Vec<Diagnostic>]) -> Result<usize, String> {
    let display = crate::source::display_path(path);
    let dir = home(path)?;
    let prints = prints(&dir, trees, results);
    let mut entries: Vec<(String, usize, String, Value)> = Vec::new();
    for ((tree, diags), fps) in trees.iter().zip(results).zip(prints) {
        for (d, fp) in diags.iter().zip(fps) {
            let f = &tree.files[d.file];
            let line = f.line_col(d.span.start).0;
            entries.push((
                f.rel.clone(),
                line,
                d.rule.name().to_string(),
                json!({
                    "fingerprint": fp,
                    "rule": d.rule.name(),
                    "path": f.display,
                    "line": line,
                    "message": d.message,
                }),
            ));
        }
    }
    // Sorted by place, so a baseline written again changes where findings did.
    entries.sort_by(|a, b| (&a.0, a.1, &a.2).cmp(&(&b.0, b.1, &b.2)));
    let n = entries.len();
    let doc = json!({
        "version": 1,
        "findings": entries.into_iter().map(|e| e.3).collect::<Vec<_>>(),
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
