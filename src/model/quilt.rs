//! Quilt series (`debian/patches/series`) and unified-diff patches, applied in
//! memory so rules that read kernel source see it as the build will.

use crate::source::{FileId, Span};

/// Patch names of a series, in order (comments and `-p` options dropped).
pub fn series_names(text: &str) -> Vec<String> {
    series_entries(text).into_iter().map(|(n, _)| n).collect()
}

/// Names with the span of each name in the series text.
pub fn series_entries(text: &str) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.split('#').next().unwrap_or("");
        let Some(name) = content.split_whitespace().next() else {
            continue;
        };
        if name.contains("..") || name.starts_with('/') {
            continue;
        }
        let at = start + line.find(name).unwrap_or(0);
        out.push((name.to_string(), at..at + name.len()));
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hunk {
    pub old_start: usize,
    /// Lines with their marker: ' ', '-' or '+'.
    pub lines: Vec<(char, String)>,
    /// Span of the `@@` line in the patch file.
    pub header: Span,
    /// The last old / new line has no final newline.
    pub old_no_newline: bool,
    pub new_no_newline: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FilePatch {
    /// Path with the first component stripped (`-p1`).
    pub path: String,
    pub hunks: Vec<Hunk>,
}

fn strip_p1(p: &str) -> String {
    let p = p.split('\t').next().unwrap_or(p).trim();
    match p.split_once('/') {
        Some((_, rest)) => rest.to_string(),
        None => p.to_string(),
    }
}

/// Parse a unified diff (DEP-3 headers and other text before the first `---` are skipped).
pub fn parse_patch(text: &str) -> Result<Vec<FilePatch>, (Span, String)> {
    let mut files: Vec<FilePatch> = Vec::new();
    let lines: Vec<(usize, &str)> = {
        let mut v = Vec::new();
        let mut off = 0;
        for l in text.split_inclusive('\n') {
            v.push((off, l));
            off += l.len();
        }
        v
    };
    let mut i = 0;
    while i < lines.len() {
        let (off, l) = lines[i];
        if l.starts_with("--- ") && lines.get(i + 1).is_some_and(|(_, n)| n.starts_with("+++ ")) {
            let new = lines[i + 1].1.trim_end_matches(['\n', '\r']);
            let old = l.trim_end_matches(['\n', '\r']);
            let path = if new[4..].starts_with("/dev/null") {
                strip_p1(&old[4..])
            } else {
                strip_p1(&new[4..])
            };
            files.push(FilePatch {
                path,
                hunks: vec![],
            });
            i += 2;
            continue;
        }
        if l.starts_with("@@ ") {
            let Some(file) = files.last_mut() else {
                return Err((off..off + l.len(), "hunk before any file header".into()));
            };
            let header = off..off + l.trim_end().len();
            let nums: Vec<&str> = l.split_whitespace().collect();
            // `-start,len` then `+start,len`. The sign is stripped, not sliced off:
            // a garbled header may start with any character (the fuzzer sent one
            // whose first byte began a two-byte character).
            let parse_range = |s: &str, sign: char| -> Option<(usize, usize)> {
                let s = s.strip_prefix(sign)?;
                match s.split_once(',') {
                    Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
                    None => Some((s.parse().ok()?, 1)),
                }
            };
            let (Some((old_start, mut old_len)), Some((_, mut new_len))) = (
                nums.get(1).and_then(|s| parse_range(s, '-')),
                nums.get(2).and_then(|s| parse_range(s, '+')),
            ) else {
                return Err((header, "malformed hunk header".into()));
            };
            let mut hunk = Hunk {
                old_start,
                lines: vec![],
                header: header.clone(),
                old_no_newline: false,
                new_no_newline: false,
            };
            i += 1;
            while i < lines.len() && (old_len > 0 || new_len > 0 || lines[i].1.starts_with('\\')) {
                let (_, hl) = lines[i];
                let body = hl.strip_suffix('\n').unwrap_or(hl);
                match hl.chars().next() {
                    Some(' ') | None => {
                        hunk.lines
                            .push((' ', body.get(1..).unwrap_or("").to_string()));
                        old_len = old_len.saturating_sub(1);
                        new_len = new_len.saturating_sub(1);
                    }
                    Some('\n') => {
                        hunk.lines.push((' ', String::new()));
                        old_len = old_len.saturating_sub(1);
                        new_len = new_len.saturating_sub(1);
                    }
                    Some('-') => {
                        hunk.lines.push(('-', body[1..].to_string()));
                        old_len = old_len.saturating_sub(1);
                    }
                    Some('+') => {
                        hunk.lines.push(('+', body[1..].to_string()));
                        new_len = new_len.saturating_sub(1);
                    }
                    Some('\\') => match hunk.lines.last().map(|l| l.0) {
                        Some('-') => hunk.old_no_newline = true,
                        Some('+') => hunk.new_no_newline = true,
                        _ => {
                            hunk.old_no_newline = true;
                            hunk.new_no_newline = true;
                        }
                    },
                    _ => return Err((header, "hunk ends early".into())),
                }
                i += 1;
            }
            file.hunks.push(hunk);
            continue;
        }
        i += 1;
    }
    Ok(files)
}

/// Apply one file's hunks to `text` like `patch -p1 --fuzz=0`: context must match
/// exactly, hunks may move. Returns the index of the first hunk that fails.
pub fn apply(text: &str, patch: &FilePatch) -> Result<String, usize> {
    let mut lines: Vec<String> = text
        .split_inclusive('\n')
        .map(|l| l.strip_suffix('\n').unwrap_or(l).to_string())
        .collect();
    let mut final_newline = text.ends_with('\n') || text.is_empty();
    let mut shift: isize = 0;
    for (hi, h) in patch.hunks.iter().enumerate() {
        let old: Vec<&str> = h
            .lines
            .iter()
            .filter(|(m, _)| *m != '+')
            .map(|(_, l)| l.as_str())
            .collect();
        let new: Vec<String> = h
            .lines
            .iter()
            .filter(|(m, _)| *m != '-')
            .map(|(_, l)| l.clone())
            .collect();
        let want = ((h.old_start as isize - 1).max(0) + shift).max(0) as usize;
        let fits = |at: usize| {
            at + old.len() <= lines.len()
                && lines[at..at + old.len()]
                    .iter()
                    .zip(&old)
                    .all(|(a, b)| a == b)
        };
        let at = if old.is_empty() {
            Some(want.min(lines.len()))
        } else {
            (0..=lines.len())
                .flat_map(|d| [want.checked_add(d), want.checked_sub(d)])
                .flatten()
                .find(|&at| fits(at))
        };
        let Some(at) = at else { return Err(hi) };
        let end_of_file = at + old.len() == lines.len();
        lines.splice(at..at + old.len(), new.iter().cloned());
        shift += new.len() as isize - old.len() as isize + (at as isize - want as isize);
        if end_of_file {
            final_newline = !h.new_no_newline;
        }
    }
    let mut out = lines.join("\n");
    if final_newline && !lines.is_empty() {
        out.push('\n');
    }
    Ok(out)
}

/// `debian/patches/series`: its file and each entry with the patch file it names.
#[derive(Debug, Clone)]
pub struct Series {
    pub file: FileId,
    pub entries: Vec<SeriesEntry>,
}

#[derive(Debug, Clone)]
pub struct SeriesEntry {
    pub name: String,
    /// Span of the name in the series file.
    pub span: Span,
    /// The patch file, when it exists.
    pub patch: Option<FileId>,
}

/// A patch of the series that does not apply to a file we read.
#[derive(Debug, Clone)]
pub struct SeriesProblem {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "Description: test\nAuthor: A <a@example.org>\n---\n--- a/kernel/x.sh\n+++ b/kernel/x.sh\n@@ -2,3 +2,3 @@\n one\n-two\n+TWO\n three\n";

    #[test]
    fn series_and_patches() {
        assert_eq!(
            series_names("# c\na.patch\nb.patch -p1 # why\n\n"),
            ["a.patch", "b.patch"]
        );
        let p = parse_patch(PATCH).unwrap();
        assert_eq!(p[0].path, "kernel/x.sh");
        assert_eq!(
            apply("zero\none\ntwo\nthree\n", &p[0]).unwrap(),
            "zero\none\nTWO\nthree\n"
        );
        // Moved by a line: still applies.
        assert_eq!(
            apply("pre\nzero\none\ntwo\nthree\n", &p[0]).unwrap(),
            "pre\nzero\none\nTWO\nthree\n"
        );
        assert_eq!(apply("zero\none\n2\nthree\n", &p[0]), Err(0));
    }

    #[test]
    fn round_trip_with_our_diffs() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nB\nc\nd\ne\nf\nG\nh\nI\n";
        let d = crate::unidiff::unified("f.sh", Some(old), new);
        let p = parse_patch(&d).unwrap();
        assert_eq!(apply(old, &p[0]).unwrap(), new);
        let d = crate::unidiff::unified("f.sh", Some("x"), "y");
        assert_eq!(apply("x", &parse_patch(&d).unwrap()[0]).unwrap(), "y");
    }
}
