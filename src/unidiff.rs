//! Unified diffs of text that `git apply` and `patch -p1` accept: for the patches
//! kpkg-lint prints and for the quilt patches a fix adds. Nothing else of the crate
//! is used here.
//!
//! Lines are split on `\n` only, as git and patch split them: a lone `\r` inside
//! a line (old Mac line ends, a stray byte in a control file) is part of the line.
//! similar computes the diff of those lines; the hunks are written here, so the
//! counts in `@@` headers are the counts git and patch will find.

use similar::{Algorithm, DiffOp};
use std::fmt::Write;

/// A diff of one file: `a/`/`b/` prefixes, `/dev/null` for created files.
pub fn unified(path: &str, old: Option<&str>, new: &str) -> String {
    unified_named(path.as_bytes(), old, new)
}

/// `prefix` + `name` as git writes a name in a patch: as is, or when it holds a
/// double quote, a backslash, a control character or a byte past ASCII, in double
/// quotes with C escapes (`\n`, `\t`, `\"`, `\\`, …) and other bytes in octal
/// (git's `quote_c_style`, `core.quotePath` on). `git apply` and GNU patch read both.
pub fn quote_path(prefix: &str, name: &[u8]) -> String {
    let needs = |b: u8| b < 0x20 || b == b'"' || b == b'\\' || b >= 0x7f;
    if !name.iter().any(|b| needs(*b)) {
        return format!("{prefix}{}", String::from_utf8_lossy(name));
    }
    let mut out = format!("\"{prefix}");
    for &b in name {
        match b {
            b'\x07' => out.push_str("\\a"),
            b'\x08' => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\x0b' => out.push_str("\\v"),
            b'\x0c' => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b if needs(b) => {
                let _ = write!(out, "\\{b:03o}");
            }
            b => out.push(b as char),
        }
    }
    out.push('"');
    out
}

/// The name of a file for a patch, as bytes: `display` (the name as printed,
/// relative to the current directory) unless it lost bytes that are not UTF-8,
/// then the same name from the path itself.
pub fn patch_name(display: &str, path: &std::path::Path) -> Vec<u8> {
    if !display.contains('\u{fffd}') {
        return display.as_bytes().to_vec();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let cwd = std::env::current_dir().ok();
        let rel = cwd
            .as_deref()
            .and_then(|c| path.strip_prefix(c).ok())
            .unwrap_or(path);
        let mut b = rel.as_os_str().as_bytes();
        while let Some(rest) = b.strip_prefix(b"./") {
            b = rest;
        }
        b.to_vec()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        display.as_bytes().to_vec()
    }
}

/// [`unified`] for a name given as bytes (see [`quote_path`]).
pub fn unified_named(name: &[u8], old: Option<&str>, new: &str) -> String {
    let old_lines = split_lines(old.unwrap_or(""));
    let new_lines = split_lines(new);
    let ops = similar::capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines);
    let groups = similar::group_diff_ops(ops, 3);
    if groups.is_empty() {
        return String::new();
    }
    let a = if old.is_some() {
        quote_path("a/", name)
    } else {
        "/dev/null".to_string()
    };
    let mut out = format!("--- {a}\n+++ {}\n", quote_path("b/", name));
    for group in &groups {
        let (first, last) = (&group[0], &group[group.len() - 1]);
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let _ = writeln!(
            out,
            "@@ -{} +{} @@",
            hunk_range(&old_range),
            hunk_range(&new_range)
        );
        for op in group {
            match *op {
                DiffOp::Equal { old_index, len, .. } => {
                    push_lines(&mut out, ' ', &old_lines[old_index..old_index + len])
                }
                DiffOp::Delete {
                    old_index, old_len, ..
                } => push_lines(&mut out, '-', &old_lines[old_index..old_index + old_len]),
                DiffOp::Insert {
                    new_index, new_len, ..
                } => push_lines(&mut out, '+', &new_lines[new_index..new_index + new_len]),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    push_lines(&mut out, '-', &old_lines[old_index..old_index + old_len]);
                    push_lines(&mut out, '+', &new_lines[new_index..new_index + new_len]);
                }
            }
        }
    }
    out
}

/// Lines with their `\n`; the last one may lack it.
fn split_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// `start,count` as unified diffs write it: 1-based, the count left out when it is
/// 1, and an empty range named by the line before it.
fn hunk_range(r: &std::ops::Range<usize>) -> String {
    match r.len() {
        0 => format!("{},0", r.start),
        1 => format!("{}", r.start + 1),
        n => format!("{},{}", r.start + 1, n),
    }
}

fn push_lines(out: &mut String, prefix: char, lines: &[&str]) {
    for line in lines {
        out.push(prefix);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_as_git_quotes_them() {
        assert_eq!(quote_path("a/", b"debian/rules"), "a/debian/rules");
        assert_eq!(
            quote_path("b/", b"x\n\\\"\t\x1b\xff\xc3\xa9"),
            "\"b/x\\n\\\\\\\"\\t\\033\\377\\303\\251\""
        );
        let d = unified_named(b"a\nb", Some("1\n"), "2\n");
        assert!(d.starts_with("--- \"a/a\\nb\"\n+++ \"b/a\\nb\"\n@@"), "{d}");
    }

    #[test]
    fn headers_and_hunks() {
        let d = unified("debian/rules", Some("a\nb\nc\n"), "a\nB\nc\n");
        assert_eq!(
            d,
            "--- a/debian/rules\n+++ b/debian/rules\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
    }

    #[test]
    fn new_file_and_missing_newline() {
        let d = unified("x", None, "one\n");
        assert!(
            d.starts_with("--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+one\n"),
            "{d}"
        );
        let d = unified("x", Some("a"), "b");
        assert!(d.contains("\\ No newline at end of file"), "{d}");
    }

    /// A lone `\r` is not a line break for git or patch, so it is not one here.
    #[test]
    fn lone_carriage_returns_stay_inside_lines() {
        let d = unified("x", Some("a\rb\nc\n"), "a\rb\nC\n");
        assert_eq!(d, "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\rb\n-c\n+C\n");
        let d = unified("x", Some("a\nb\r"), "A\nb\r");
        assert_eq!(
            d,
            "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+A\n b\r\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn hunk_ranges_follow_the_unified_format() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("10\n", "").replace("1\n2\n", "1\nX\n2\n");
        let d = unified("x", Some(&old), &new);
        assert!(d.contains("@@ -1,4 +1,5 @@\n"), "{d}");
        assert!(d.contains("@@ -7,7 +8,6 @@\n"), "{d}");
        let d = unified("x", Some("a\n"), "");
        assert_eq!(d, "--- a/x\n+++ b/x\n@@ -1 +0,0 @@\n-a\n");
    }

    #[test]
    fn unchanged_is_empty() {
        assert_eq!(unified("x", Some("a\n"), "a\n"), "");
    }
}
