//! Files as read from disk: raw bytes, a same-length text view and a line index.
//!
//! Every span in kpkg-lint is a byte range into `SourceFile::bytes`. The text view
//! replaces each byte of an invalid UTF-8 sequence by `?`, so offsets into the text
//! are offsets into the bytes: parsers work on `&str`, edits splice the original
//! bytes, and nothing outside an edit is ever re-encoded.

use std::ops::Range;
use std::path::PathBuf;

/// A byte range in one file.
pub type Span = Range<usize>;

/// Index of a file inside its [`crate::discover::Tree`].
pub type FileId = usize;

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to the user and written into patches (relative to the
    /// current directory when the file is below it).
    pub display: String,
    /// Path on disk.
    pub path: PathBuf,
    /// Path relative to the tree root, `/`-separated (`debian/rules`).
    pub rel: String,
    pub bytes: Vec<u8>,
    /// `bytes` with invalid UTF-8 masked byte for byte; same length as `bytes`.
    pub text: String,
    /// Offset of the first invalid UTF-8 byte, if any.
    pub invalid_utf8_at: Option<usize>,
    /// Unix permission bits, kept when the file is rewritten.
    pub mode: Option<u32>,
    /// Why the file was not read (binary, too large); such files are never parsed or edited.
    pub skipped: Option<String>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(
        display: String,
        path: PathBuf,
        rel: String,
        bytes: Vec<u8>,
        mode: Option<u32>,
    ) -> Self {
        let (text, invalid_utf8_at) = mask_invalid_utf8(&bytes);
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(&bytes));
        SourceFile {
            display,
            path,
            rel,
            bytes,
            text,
            invalid_utf8_at,
            mode,
            skipped: None,
            line_starts,
        }
    }

    /// A file that exists only in memory (tests, catalogue examples).
    pub fn in_memory(rel: &str, content: &str) -> Self {
        SourceFile::new(
            rel.to_string(),
            PathBuf::from(rel),
            rel.to_string(),
            content.as_bytes().to_vec(),
            None,
        )
    }

    /// A file that was found but not read.
    pub fn skipped(display: String, path: PathBuf, rel: String, reason: String) -> Self {
        let mut f = SourceFile::new(display, path, rel, Vec::new(), None);
        f.skipped = Some(reason);
        f
    }

    pub fn is_utf8(&self) -> bool {
        self.invalid_utf8_at.is_none()
    }

    /// Base name of the file (`rules`, `amd64.mk`).
    pub fn name(&self) -> &str {
        self.rel.rsplit('/').next().unwrap_or(&self.rel)
    }

    /// 0-based line index of a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.bytes.len());
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let col = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count()
            + 1;
        (line + 1, col)
    }

    /// Byte range of a 0-based line, without its line terminator.
    pub fn line_span(&self, line: usize) -> Option<Span> {
        let start = *self.line_starts.get(line)?;
        if start > self.bytes.len() || (start == self.bytes.len() && line > 0) {
            return None;
        }
        let mut end = self
            .line_starts
            .get(line + 1)
            .map(|n| n - 1)
            .unwrap_or(self.bytes.len());
        if end > start && self.bytes[end - 1] == b'\r' {
            end -= 1;
        }
        Some(start..end)
    }

    pub fn line_text(&self, line: usize) -> &str {
        self.line_span(line).map(|s| &self.text[s]).unwrap_or("")
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Decode as UTF-8, replacing every byte of an invalid sequence by `?`.
pub fn mask_invalid_utf8(bytes: &[u8]) -> (String, Option<usize>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), None),
        Err(first) => {
            let mut out = String::with_capacity(bytes.len());
            let mut rest = bytes;
            let mut base = 0;
            loop {
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        out.push_str(s);
                        break;
                    }
                    Err(e) => {
                        let good = e.valid_up_to();
                        out.push_str(std::str::from_utf8(&rest[..good]).expect("valid prefix"));
                        let bad = e.error_len().unwrap_or(rest.len() - good);
                        out.extend(std::iter::repeat_n('?', bad));
                        rest = &rest[good + bad..];
                        base += good + bad;
                    }
                }
            }
            debug_assert_eq!(out.len(), bytes.len(), "masking keeps offsets ({base})");
            (out, Some(first.valid_up_to()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_offsets() {
        let f = SourceFile::new(
            "x".into(),
            "x".into(),
            "x".into(),
            b"a\xe9b\n\xff\xfec".to_vec(),
            None,
        );
        assert_eq!(f.text, "a?b\n??c");
        assert_eq!(f.invalid_utf8_at, Some(1));
        assert_eq!(f.line_col(5), (2, 2));
    }

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::in_memory("x", "é=1\nab");
        assert_eq!(f.line_col(2), (1, 2));
        assert_eq!(f.line_col(5), (2, 1));
        assert_eq!(f.line_text(0), "é=1");
    }

    #[test]
    fn crlf_lines_exclude_carriage_return() {
        let f = SourceFile::in_memory("x", "a\r\nb\r\n");
        assert_eq!(f.line_text(0), "a");
        assert_eq!(f.line_text(1), "b");
    }
}
