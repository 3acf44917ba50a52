//! Streaming `Packages` reader: decompress, then scan stanzas keeping a few fields.

use super::{ArchiveError, Record};
use crate::knowledge::MultiArch;
use std::io::Read;
use std::path::Path;

fn err(path: &Path, message: impl Into<String>) -> ArchiveError {
    ArchiveError {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// The most an index may decompress to. The largest real `Packages` files are well
/// under 100 MiB (bookworm's main amd64 is 44 MiB); the cap stops a corrupt or
/// hostile file from expanding until memory runs out.
pub const MAX_INDEX_SIZE: u64 = 1 << 30;

/// The memory the xz decoder may use. apt's lists are made with xz's defaults (an
/// 8 MiB dictionary); even `xz -9` needs 65 MiB to decode.
const XZ_MEMORY_LIMIT: u64 = 256 << 20;

/// Read and decompress an index by its extension, streaming: the text passes
/// through one buffer and is never held whole. (Reading a 44 MB index into one
/// allocation cost more in page faults than scanning it.)
pub fn read_index(path: &Path, only: Option<&Names>) -> Result<Vec<Record>, ArchiveError> {
    let file = std::fs::File::open(path).map_err(|e| err(path, crate::source::io_message(&e)))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Room for every stanza from the start: a Vec doubling its way to 63,000
    // records moves and faults in twice the memory. An index stanza is ~700
    // bytes; compressed lists shrink about 2.7× (lz4) to 7× (xz).
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let ratio = match compression(&name) {
        "lz4" => 3,
        "gz" | "zst" => 5,
        "xz" => 7,
        _ => 1,
    };
    let capacity = if only.is_some() {
        0
    } else {
        usize::try_from(size.saturating_mul(ratio) / 700)
            .unwrap_or(0)
            .min(1 << 20)
    };
    let mut scanner = Scanner::new(capacity);
    scanner.only = only;
    decode_and_scan(
        &name,
        std::io::BufReader::new(file),
        MAX_INDEX_SIZE,
        scanner,
    )
    .map_err(|m| err(path, m))
}

/// Package names to keep when reading an index for a few relations: a stanza is
/// kept when its Package is one of them or it Provides one.
pub type Names = std::collections::HashSet<String>;

/// [`read_index`] on bytes in memory (the fuzz target's way in).
pub fn decode_and_parse(name: &str, raw: Vec<u8>, limit: u64) -> Result<Vec<Record>, String> {
    decode_and_scan(name, &raw[..], limit, Scanner::new(0))
}

/// The compression a file name says (`gz`, `xz`, `lz4`, `zst`; "" for none).
fn compression(name: &str) -> &'static str {
    if name.ends_with(".gz") {
        "gz"
    } else if name.ends_with(".xz") {
        "xz"
    } else if name.ends_with(".lz4") {
        "lz4"
    } else if name.ends_with(".zst") {
        "zst"
    } else {
        ""
    }
}

/// Decompress `input` as its file `name` says (`.gz`, `.xz`, `.lz4`, `.zst`, else
/// plain), to at most `limit` bytes, scanning stanzas as the text arrives.
fn decode_and_scan(
    name: &str,
    input: impl Read,
    limit: u64,
    scanner: Scanner,
) -> Result<Vec<Record>, String> {
    let kind = compression(name);
    let text: Box<dyn Read + '_> = match kind {
        "gz" => Box::new(flate2::read::MultiGzDecoder::new(input)),
        // The .xz format only (not legacy .lzma, whose header may ask for any
        // dictionary size: the fuzzer's 4 GiB one), within a memory limit.
        "xz" => match liblzma::stream::Stream::new_stream_decoder(
            XZ_MEMORY_LIMIT,
            liblzma::stream::CONCATENATED,
        ) {
            Ok(stream) => Box::new(liblzma::read::XzDecoder::new_stream(input, stream)),
            Err(e) => return Err(format!("cannot decompress (xz): {e}")),
        },
        "lz4" => Box::new(lz4_flex::frame::FrameDecoder::new(input)),
        "zst" => match ruzstd::decoding::StreamingDecoder::new(input) {
            Ok(d) => Box::new(d),
            Err(e) => return Err(format!("not a valid zstd stream: {e}")),
        },
        _ => Box::new(input),
    };
    scan_stream_buffered(text, limit, kind, 1 << 20, scanner)
}

/// Feed `text` to the stanza scanner a buffer at a time: complete lines are
/// scanned, the partial line at the end of a buffer waits for the next read.
fn scan_stream_buffered(
    mut text: impl Read,
    limit: u64,
    kind: &str,
    buffer: usize,
    mut scanner: Scanner,
) -> Result<Vec<Record>, String> {
    let too_large = || {
        let verb = if kind.is_empty() {
            "holds"
        } else {
            "decompresses to"
        };
        format!("{verb} more than {} MiB; not read", limit >> 20)
    };
    let mut buf = vec![0u8; buffer];
    // Bytes in `buf`, and how many bytes came before buf[0].
    let (mut filled, mut consumed) = (0usize, 0u64);
    loop {
        if filled == buf.len() {
            // A line longer than the buffer: make room for the rest of it, but never
            // more than one byte past what the limit allows (consumed + filled is
            // within it, so this always grows).
            let most = usize::try_from(limit - consumed + 1).unwrap_or(usize::MAX);
            buf.resize((buf.len() * 2).min(most), 0);
        }
        let n = match text.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) if kind.is_empty() => return Err(crate::source::io_message(&e)),
            Err(e) => return Err(format!("cannot decompress ({kind}): {e}")),
        };
        if consumed + (filled + n) as u64 > limit {
            return Err(too_large());
        }
        let eof = n == 0;
        let before = filled;
        filled += n;
        // Up to the last newline (everything, at the end of the stream). What was
        // kept from before holds no newline: only the new bytes are searched, or a
        // long line would be rescanned on every read.
        let complete = if eof {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[before..filled]) {
                Some(i) => before + i + 1,
                None => continue,
            }
        };
        let chunk = std::str::from_utf8(&buf[..complete])
            .map_err(|e| format!("not UTF-8 at byte {}", consumed + e.valid_up_to() as u64))?;
        scanner.text(chunk)?;
        buf.copy_within(complete..filled, 0);
        filled -= complete;
        consumed += complete as u64;
        if eof {
            return scanner.finish();
        }
    }
}

/// An architecture name, without an allocation for the ones indices hold.
fn architecture(value: &str) -> std::borrow::Cow<'static, str> {
    const KNOWN: &[&str] = &[
        "all", "amd64", "arm64", "armel", "armhf", "i386", "mips64el", "ppc64el", "riscv64",
        "s390x", "loong64", "powerpc", "ppc64", "sparc64", "alpha", "hppa", "m68k", "sh4", "x32",
        "ia64",
    ];
    match KNOWN.iter().find(|k| **k == value) {
        Some(k) => std::borrow::Cow::Borrowed(k),
        None => std::borrow::Cow::Owned(value.to_string()),
    }
}

/// `needle` (lowercase ASCII) in `haystack`, ignoring ASCII case. Candidates are
/// found with memchr2 on the first letter: this runs on every Description of a
/// 63,000-stanza index.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let first = n[0];
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), h)
        .any(|i| h.len() - i >= n.len() && h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn multi_arch(v: &str) -> MultiArch {
    MultiArch::parse(v).unwrap_or(MultiArch::No)
}

/// `Provides: a (= 1.0), b` → names with optional versions, borrowed.
fn provided(v: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    v.split(',').filter_map(|p| {
        let p = p.trim_ascii();
        if p.is_empty() {
            return None;
        }
        let (name, ver) = match memchr::memchr(b'(', p.as_bytes()) {
            Some(open) => {
                let ver = p[open + 1..]
                    .trim_end_matches(')')
                    .trim_ascii()
                    .trim_start_matches('=')
                    .trim_ascii();
                (p[..open].trim_ascii(), (!ver.is_empty()).then_some(ver))
            }
            None => (p, None),
        };
        let name = match memchr::memchr(b':', name.as_bytes()) {
            Some(colon) => &name[..colon],
            None => name,
        };
        Some((name, ver))
    })
}

/// `Provides: a (= 1.0), b` → names with optional versions.
fn provides(v: &str) -> Vec<(String, Option<String>)> {
    provided(v)
        .map(|(n, v)| (n.to_string(), v.map(str::to_string)))
        .collect()
}

/// Scan stanzas of a whole text in memory.
pub fn parse_packages(text: &str) -> Result<Vec<Record>, String> {
    let mut scanner = Scanner::new(text.len() / 700);
    scanner.text(text)?;
    scanner.finish()
}

/// The fields of the stanza being read. Strings are reused from stanza to
/// stanza; a kept stanza's are moved into its record.
#[derive(Default)]
struct Fields {
    name: String,
    version: String,
    architecture: Option<std::borrow::Cow<'static, str>>,
    multi_arch: Option<MultiArch>,
    provides: String,
    depends: String,
    synopsis: String,
    transitional: bool,
    /// A field rules read was seen.
    any: bool,
}

/// The stanza scanner. Only the first line of a field is kept (continuation lines
/// are skipped), which is all the fields we read need; lines are found with memchr
/// and fields we do not read are never decoded.
struct Scanner<'n> {
    out: Vec<Record>,
    line_no: usize,
    /// Line number of the current stanza's first line.
    stanza_start: usize,
    /// Stanzas ended so far (kept or not).
    stanzas: usize,
    cur: Fields,
    fields_seen: usize,
    /// Keep only the stanzas of these packages and of those providing them.
    only: Option<&'n Names>,
}

impl<'n> Scanner<'n> {
    fn new(capacity: usize) -> Scanner<'n> {
        Scanner {
            out: Vec::with_capacity(capacity),
            line_no: 0,
            stanza_start: 1,
            stanzas: 0,
            cur: Fields::default(),
            fields_seen: 0,
            only: None,
        }
    }

    /// Scan the lines of `text`: whole lines, the last one ending the text or a
    /// newline.
    fn text(&mut self, text: &str) -> Result<(), String> {
        let b = text.as_bytes();
        let mut pos = 0;
        while pos < b.len() {
            let end = memchr::memchr(b'\n', &b[pos..])
                .map(|i| pos + i)
                .unwrap_or(b.len());
            self.line(&text[pos..end])?;
            pos = end + 1;
        }
        Ok(())
    }

    fn end_stanza(&mut self) -> Result<(), String> {
        let f = &mut self.cur;
        if f.any && !f.name.is_empty() {
            let keep = self.only.is_none_or(|names| {
                names.contains(f.name.as_str())
                    || provided(&f.provides).any(|(p, _)| names.contains(p))
            });
            if keep {
                self.out.push(Record {
                    name: std::mem::take(&mut f.name),
                    version: std::mem::take(&mut f.version),
                    architecture: f
                        .architecture
                        .take()
                        .unwrap_or(std::borrow::Cow::Borrowed("")),
                    multi_arch: f.multi_arch.unwrap_or(MultiArch::No),
                    provides: provides(&f.provides),
                    // Depends and the synopsis only of transitional packages
                    // (the only ones rules read them of).
                    depends: if f.transitional {
                        f.depends.clone()
                    } else {
                        String::new()
                    },
                    synopsis: std::mem::take(&mut f.synopsis),
                    transitional: f.transitional,
                    index: 0,
                });
            }
        } else if self.fields_seen > 0 {
            return Err(format!(
                "not an apt Packages index: the stanza at line {} has no Package field",
                self.stanza_start
            ));
        }
        if self.fields_seen > 0 {
            self.stanzas += 1;
        }
        let f = &mut self.cur;
        f.name.clear();
        f.version.clear();
        f.architecture = None;
        f.multi_arch = None;
        f.provides.clear();
        f.depends.clear();
        f.synopsis.clear();
        f.transitional = false;
        f.any = false;
        self.fields_seen = 0;
        self.stanza_start = self.line_no + 1;
        Ok(())
    }

    fn line(&mut self, line: &str) -> Result<(), String> {
        self.line_no += 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some(&first) = line.as_bytes().first() else {
            return self.end_stanza();
        };
        if first == b' ' || first == b'\t' {
            if self.fields_seen == 0 {
                return Err(format!(
                    "not an apt Packages index: line {} continues no field",
                    self.line_no
                ));
            }
            return Ok(());
        }
        if first == b'#' {
            return Ok(());
        }
        // Only fields starting with these letters are read. Other lines are checked
        // to be `Field: value` in the first stanza, which tells an index from any
        // other text, and then passed over without a search: most lines of an index
        // are fields nobody reads.
        let read = matches!(first, b'P' | b'V' | b'A' | b'M' | b'D');
        if !read && self.stanzas > 0 {
            self.fields_seen += 1;
            return Ok(());
        }
        let Some(colon) = memchr::memchr(b':', line.as_bytes()) else {
            return Err(format!(
                "not an apt Packages index: line {} is not a `Field: value` line",
                self.line_no
            ));
        };
        self.fields_seen += 1;
        if !read {
            return Ok(());
        }
        let key = &line[..colon];
        let value = line[colon + 1..].trim_ascii();
        let f = &mut self.cur;
        f.any = true;
        match key {
            "Package" => set(&mut f.name, value),
            "Version" => set(&mut f.version, value),
            "Architecture" => f.architecture = Some(architecture(value)),
            "Multi-Arch" => f.multi_arch = Some(multi_arch(value)),
            "Provides" => set(&mut f.provides, value),
            "Depends" => set(&mut f.depends, value),
            "Description"
                if contains_ignore_case(value, "transitional")
                    || contains_ignore_case(value, "dummy") =>
            {
                f.transitional = true;
                set(&mut f.synopsis, value);
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<Record>, String> {
        self.end_stanza()?;
        Ok(self.out)
    }
}

/// Replace a reused string's contents (its buffer stays).
fn set(s: &mut String, value: &str) {
    s.clear();
    s.push_str(value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A reader that hands out at most `step` bytes per read.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(out.len()).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn summary(r: Result<Vec<Record>, String>) -> Result<Vec<String>, String> {
        r.map(|v| {
            v.iter()
                .map(|r| {
                    format!(
                        "{} {} {:?} {:?} {}",
                        r.name, r.version, r.provides, r.depends, r.transitional
                    )
                })
                .collect()
        })
    }

    /// Streaming gives what scanning the whole text gives, for any read sizes and
    /// a buffer smaller than a line: records, errors and their line and byte numbers.
    #[test]
    fn streaming_matches_the_whole_text() {
        let long = "x".repeat(300);
        let texts = [
            format!("Package: dwarves\r\nVersion: 1.24\r\nDepends: pahole\r\nDescription: transitional package {long}\r\n\r\nPackage: pahole\nProvides: dwarves-tools (= 1.24)\n"),
            "Package: a\nVersion: 1\n\n\n# c\nPackage: b\nVersion: 2".to_string(),
            "Package: a\n\nVersion: 2\n".to_string(),
            "Package: a\n continuation\nnot a field\n".to_string(),
            " leading continuation\n".to_string(),
        ];
        for text in &texts {
            let whole = summary(parse_packages(text));
            for step in [1, 2, 3, 7, 64, 4096] {
                for buffer in [16, 100, 1 << 20] {
                    let streamed = summary(scan_stream_buffered(
                        Trickle(text.as_bytes(), step),
                        1 << 30,
                        "",
                        buffer,
                        Scanner::new(0),
                    ));
                    assert_eq!(streamed, whole, "{text:?} step {step} buffer {buffer}");
                }
            }
        }
        // A line longer than what the limit allows is refused without the buffer
        // growing past the limit.
        let long = format!("Package: {}\n", "a".repeat(5000));
        let e = scan_stream_buffered(Trickle(long.as_bytes(), 64), 1000, "", 16, Scanner::new(0))
            .unwrap_err();
        assert!(e.contains("more than"), "{e}");
        let bad = b"Package: a\nVersion: \xff\n";
        let e = scan_stream_buffered(Trickle(bad, 3), 1 << 30, "", 8, Scanner::new(0)).unwrap_err();
        assert_eq!(e, "not UTF-8 at byte 20");
    }

    /// An .xz header asking for a 4 GiB dictionary (the index fuzz target's find) is
    /// refused by the decoder's memory limit, not allocated.
    #[test]
    fn xz_decoder_memory_is_limited() {
        let input = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("testdata/fuzz/index/xz-header-asks-for-4-gib"),
        )
        .unwrap();
        let err = decode_and_parse("Packages.xz", input[1..].to_vec(), 1 << 30).unwrap_err();
        assert!(err.starts_with("cannot decompress (xz)"), "{err}");
    }

    /// A small compressed file that expands past the cap is refused, not decoded
    /// until memory runs out; at or under the cap it reads.
    #[test]
    fn decompression_is_capped() {
        let stanza = "Package: bc\nVersion: 1.07.1-3\nArchitecture: amd64\n\n";
        let plain = stanza.repeat(40_000); // 1.9 MiB
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(plain.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert!(gz.len() < 64 * 1024, "{}", gz.len());
        let err = decode_and_parse("Packages.gz", gz.clone(), 1 << 20).unwrap_err();
        assert!(err.contains("decompresses to more than 1 MiB"), "{err}");
        let err = decode_and_parse("Packages", plain.clone().into_bytes(), 1 << 20).unwrap_err();
        assert!(err.contains("holds more than 1 MiB"), "{err}");
        let exact = plain.len() as u64;
        assert_eq!(
            decode_and_parse("Packages.gz", gz, exact).unwrap().len(),
            40_000
        );
    }

    #[test]
    fn reads_the_fields_rules_use() {
        let text = "Package: dwarves\nVersion: 1.24-4.1\nArchitecture: all\nMulti-Arch: foreign\nDepends: pahole (>= 1.22)\nDescription: set of advanced DWARF utilities - transitional package\n This is a transitional package.\n\nPackage: pahole\nVersion: 1.24-4.1\nArchitecture: amd64\nMulti-Arch: foreign\nProvides: dwarves-tools (= 1.24), libbpf-tools\nDescription: set of advanced DWARF utilities\n";
        let r = parse_packages(text).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[0].synopsis,
            "set of advanced DWARF utilities - transitional package"
        );
        assert_eq!(
            r[1].provides,
            vec![
                ("dwarves-tools".to_string(), Some("1.24".to_string())),
                ("libbpf-tools".to_string(), None)
            ]
        );
        assert_eq!(r[1].multi_arch, MultiArch::Foreign);
    }

    /// Reading for a few names keeps their stanzas and their providers' only,
    /// and the records are what reading everything gives for them.
    #[test]
    fn only_the_names_asked_for() {
        let text = "Package: dwarves\nVersion: 1.24-4.1\nArchitecture: all\nDepends: pahole\nDescription: transitional package\n\nPackage: pahole\nVersion: 1.24-4.1\nArchitecture: amd64\nProvides: dwarves-tools (= 1.24)\n\nPackage: bc\nVersion: 1.07\nArchitecture: amd64\n";
        let names: Names = ["dwarves", "dwarves-tools"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut scanner = Scanner::new(0);
        scanner.only = Some(&names);
        scanner.text(text).unwrap();
        let some = summary(scanner.finish());
        let all = summary(parse_packages(text)).unwrap();
        assert_eq!(some.unwrap(), all[..2]);
    }

    #[test]
    fn rejects_what_is_not_an_index() {
        assert!(parse_packages("hello world\n")
            .unwrap_err()
            .contains("line 1"));
        assert!(parse_packages("Version: 1\n\n")
            .unwrap_err()
            .contains("no Package field"));
        assert!(parse_packages("").unwrap().is_empty());
    }
}
