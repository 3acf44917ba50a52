//! Unified diffs that `git apply` and `patch -p1` accept.

use similar::TextDiff;

/// A diff of one file: `a/`/`b/` prefixes, `/dev/null` for created files.
pub fn unified(path: &str, old: Option<&str>, new: &str) -> String {
    let old_text = old.unwrap_or("");
    let diff = TextDiff::from_lines(old_text, new);
    let a = if old.is_some() {
        format!("a/{path}")
    } else {
        "/dev/null".to_string()
    };
    let b = format!("b/{path}");
    let mut out = String::new();
    let mut udiff = diff.unified_diff();
    udiff.context_radius(3).missing_newline_hint(true);
    let body = udiff.to_string();
    if body.is_empty() {
        return out;
    }
    out.push_str(&format!("--- {a}\n+++ {b}\n"));
    out.push_str(&body);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The `diff --git` header lines git writes before a file's diff in mail patches.
pub fn git_header(path: &str, created: bool, mode: Option<u32>) -> String {
    let mut s = format!("diff --git a/{path} b/{path}\n");
    if created {
        s.push_str(&format!("new file mode {:o}\n", mode.unwrap_or(0o100644)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn unchanged_is_empty() {
        assert_eq!(unified("x", Some("a\n"), "a\n"), "");
    }
}
