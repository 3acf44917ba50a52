//! Files as read from disk: raw bytes, a same-length text view and a line index.
//!
//! Every span in kpkg-lint is a byte range into `SourceFile::bytes()`. The text view
//! replaces each byte of an invalid UTF-8 sequence by `?`, so offsets into the text
//! are offsets into the bytes: parsers work on `&str`, edits splice the original
//! bytes, and nothing outside an edit is ever re-encoded.
//!
//! A file is held once: a valid UTF-8 file (nearly all) is its text, and only a
//! file with invalid bytes keeps them beside the masked text. The line index is
//! built the first time a line or column is asked for, which most files never are.
//! On the VMs kernel teams build in, a page fault costs microseconds: memory not
//! touched is time not spent.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A byte range in one file.
pub type Span = Range<usize>;

/// Index of a file inside its [`crate::tree::Tree`].
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
    /// The bytes on disk when they are not valid UTF-8; otherwise `text` is them.
    raw: Option<Vec<u8>>,
    /// The bytes with invalid UTF-8 masked byte for byte; same length as the bytes.
    pub text: String,
    /// Offset of the first invalid UTF-8 byte, if any.
    pub invalid_utf8_at: Option<usize>,
    /// Unix permission bits, kept when the file is rewritten.
    pub mode: Option<u32>,
    /// Why the file was not read (binary, too large); such files are never parsed or edited.
    pub skipped: Option<String>,
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(
        display: String,
        path: PathBuf,
        rel: String,
        bytes: Vec<u8>,
        mode: Option<u32>,
    ) -> Self {
        let (text, raw, invalid_utf8_at) = match String::from_utf8(bytes) {
            Ok(text) => (text, None, None),
            Err(e) => {
                let bytes = e.into_bytes();
                let (text, at) = mask_invalid_utf8(&bytes);
                (text, Some(bytes), at)
            }
        };
        SourceFile {
            display,
            path,
            rel,
            raw,
            text,
            invalid_utf8_at,
            mode,
            skipped: None,
            line_starts: OnceLock::new(),
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

    /// The file's bytes, exactly as on disk.
    pub fn bytes(&self) -> &[u8] {
        self.raw.as_deref().unwrap_or(self.text.as_bytes())
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.bytes()).map(|i| i + 1));
            starts
        })
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
        match self.line_starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts()[line];
        let col = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count()
            + 1;
        (line + 1, col)
    }

    /// Byte range of a 0-based line, without its line terminator.
    pub fn line_span(&self, line: usize) -> Option<Span> {
        let start = *self.line_starts().get(line)?;
        if start > self.text.len() || (start == self.text.len() && line > 0) {
            return None;
        }
        let mut end = self
            .line_starts()
            .get(line + 1)
            .map(|n| n - 1)
            .unwrap_or(self.text.len());
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        Some(start..end)
    }

    /// Byte offset where a 0-based line starts (past the end: `None`).
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts().get(line).copied()
    }

    pub fn line_text(&self, line: usize) -> &str {
        self.line_span(line).map(|s| &self.text[s]).unwrap_or("")
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }
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

/// A path as the user should see it: relative to the current directory when below it.
pub fn display_path(path: &Path) -> String {
    // kpkg-lint never changes its directory: ask the system once, not once a file.
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let mut p = path.to_path_buf();
    if p.is_absolute() {
        if let Some(cwd) = CWD.get_or_init(|| std::env::current_dir().ok()) {
            if let Ok(rel) = p.strip_prefix(cwd) {
                p = rel.to_path_buf();
            }
        }
    }
    // On Windows `\\` separates; elsewhere it is a character of the name.
    let s = if cfg!(windows) {
        p.to_string_lossy().replace('\\', "/")
    } else {
        p.to_string_lossy().into_owned()
    };
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    if s.is_empty() {
        ".".to_string()
    } else {
        s.to_string()
    }
}

/// What reading one input file gave: its bytes and permission bits, or why it was
/// not read (not a regular file, larger than the cap).
pub enum ReadOutcome {
    File(Vec<u8>, Option<u32>),
    Refused(String),
}

/// Read a regular file of at most `cap` bytes, never blocking on it.
///
/// The type is checked by path before the file is opened, so a FIFO, socket or
/// device is never opened (opening a FIFO blocks until a writer comes). The open
/// itself is non-blocking and the opened file is checked again, so a file swapped
/// for a FIFO in between does not hang the run either; a regular file whose reads
/// would block (`/proc/kmsg`) gives an error instead. At most `cap + 1` bytes are
/// read, whatever the size the file claims: `/proc` files say 0.
pub fn read_regular(path: &Path, cap: u64) -> std::io::Result<ReadOutcome> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Ok(ReadOutcome::Refused(not_regular(&meta)));
    }
    if meta.len() > cap {
        return Ok(ReadOutcome::Refused(too_large(meta.len(), cap)));
    }
    let mut file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(ReadOutcome::Refused(not_regular(&meta)));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(cap) as usize + 1);
    (&mut file).take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Ok(ReadOutcome::Refused(format!(
            "file grew past the {} MiB size limit while being read; not read",
            cap / (1024 * 1024)
        )));
    }
    Ok(ReadOutcome::File(bytes, file_mode(&meta)))
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

fn too_large(len: u64, cap: u64) -> String {
    format!(
        "file is {} MiB, larger than the {} MiB a packaging file can plausibly be; not read",
        len / (1024 * 1024),
        cap / (1024 * 1024)
    )
}

/// What a file that is not a regular file is, for the message that says it was
/// not read.
fn not_regular(meta: &std::fs::Metadata) -> String {
    let t = meta.file_type();
    let what = if t.is_dir() {
        "a directory"
    } else {
        special_kind(&t)
    };
    format!("not a regular file ({what}); not read")
}

#[cfg(unix)]
fn special_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_t: &std::fs::FileType) -> &'static str {
    "a special file"
}

#[cfg(unix)]
fn file_mode(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode())
}

#[cfg(not(unix))]
fn file_mode(_meta: &std::fs::Metadata) -> Option<u32> {
    None
}

/// An I/O error as a short message, without the OS error number.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
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
