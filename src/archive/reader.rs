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

/// Read and decompress an index by its extension.
pub fn read_index(path: &Path) -> Result<Vec<Record>, ArchiveError> {
    let raw = std::fs::read(path).map_err(|e| err(path, crate::discover::io_message(&e)))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    decode_and_parse(&name, raw, MAX_INDEX_SIZE).map_err(|m| err(path, m))
}

/// Decompress `raw` as its file `name` says (`.gz`, `.xz`, `.lz4`, `.zst`, else
/// plain), to at most `limit` bytes, and scan the stanzas.
pub fn decode_and_parse(name: &str, raw: Vec<u8>, limit: u64) -> Result<Vec<Record>, String> {
    let too_large = |verb: &str| format!("{verb} more than {} MiB; not read", limit >> 20);
    fn inflate(reader: impl Read, limit: u64, hint: usize) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(hint.min(limit as usize));
        reader.take(limit + 1).read_to_end(&mut out)?;
        Ok(out)
    }
    let hint = raw.len().saturating_mul(4);
    let result = if name.ends_with(".gz") {
        inflate(flate2::read::MultiGzDecoder::new(&raw[..]), limit, hint)
    } else if name.ends_with(".xz") {
        inflate(
            liblzma::read::XzDecoder::new_multi_decoder(&raw[..]),
            limit,
            hint,
        )
    } else if name.ends_with(".lz4") {
        inflate(lz4_flex::frame::FrameDecoder::new(&raw[..]), limit, hint)
    } else if name.ends_with(".zst") {
        match ruzstd::decoding::StreamingDecoder::new(&raw[..]) {
            Ok(d) => inflate(d, limit, hint),
            Err(e) => return Err(format!("not a valid zstd stream: {e}")),
        }
    } else {
        if raw.len() as u64 > limit {
            return Err(too_large("holds"));
        }
        Ok(raw)
    };
    let out = result.map_err(|e| {
        let kind = name.rsplit('.').next().unwrap_or("");
        format!("cannot decompress ({kind}): {e}")
    })?;
    if out.len() as u64 > limit {
        return Err(too_large("decompresses to"));
    }
    let text =
        std::str::from_utf8(&out).map_err(|e| format!("not UTF-8 at byte {}", e.valid_up_to()))?;
    parse_packages(text)
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

/// `Provides: a (= 1.0), b` → names with optional versions.
fn provides(v: &str) -> Vec<(String, Option<String>)> {
    v.split(',')
        .filter_map(|p| {
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
                    (
                        p[..open].trim_ascii(),
                        (!ver.is_empty()).then(|| ver.to_string()),
                    )
                }
                None => (p, None),
            };
            let name = match memchr::memchr(b':', name.as_bytes()) {
                Some(colon) => &name[..colon],
                None => name,
            };
            Some((name.to_string(), ver))
        })
        .collect()
}

/// Scan stanzas. Only the first line of a field is kept (continuation lines are
/// skipped), which is all the fields we read need. Lines are found with memchr and
/// fields we do not read are never decoded, which keeps a 50 MB index well under
/// the time it takes to read it twice.
pub fn parse_packages(text: &str) -> Result<Vec<Record>, String> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 700);
    let mut line_no = 0usize;
    let mut stanza_start = 1usize;
    let mut cur: Option<Record> = None;
    let mut fields_seen = 0usize;
    // Depends of the current stanza, kept only if it turns out to be transitional.
    let mut depends: &str = "";
    let mut pos = 0;
    let finish = |cur: &mut Option<Record>,
                  fields_seen: usize,
                  start: usize,
                  out: &mut Vec<Record>|
     -> Result<(), String> {
        match cur.take() {
            Some(r) if !r.name.is_empty() => {
                out.push(r);
                Ok(())
            }
            _ if fields_seen == 0 => Ok(()),
            _ => Err(format!(
                "not an apt Packages index: the stanza at line {start} has no Package field"
            )),
        }
    };
    while pos <= b.len() {
        let end = memchr::memchr(b'\n', &b[pos..])
            .map(|i| pos + i)
            .unwrap_or(b.len());
        let mut line = &text[pos..end];
        pos = end + 1;
        line_no += 1;
        if let Some(l) = line.strip_suffix('\r') {
            line = l;
        }
        let Some(&first) = line.as_bytes().first() else {
            finish(&mut cur, fields_seen, stanza_start, &mut out)?;
            fields_seen = 0;
            depends = "";
            stanza_start = line_no + 1;
            if end == b.len() {
                break;
            }
            continue;
        };
        if first == b' ' || first == b'\t' {
            if fields_seen == 0 {
                return Err(format!(
                    "not an apt Packages index: line {line_no} continues no field"
                ));
            }
            continue;
        }
        if first == b'#' {
            continue;
        }
        let Some(colon) = memchr::memchr(b':', line.as_bytes()) else {
            return Err(format!(
                "not an apt Packages index: line {line_no} is not a `Field: value` line"
            ));
        };
        fields_seen += 1;
        // Only these fields are read; their names start with these letters.
        if !matches!(first, b'P' | b'V' | b'A' | b'M' | b'D') {
            continue;
        }
        let key = &line[..colon];
        let value = line[colon + 1..].trim_ascii();
        let r = cur.get_or_insert_with(|| Record {
            name: String::new(),
            version: String::new(),
            architecture: String::new(),
            multi_arch: MultiArch::No,
            provides: Vec::new(),
            depends: String::new(),
            synopsis: String::new(),
            transitional: false,
            index: 0,
        });
        match key {
            "Package" => r.name = value.to_string(),
            "Version" => r.version = value.to_string(),
            "Architecture" => r.architecture = value.to_string(),
            "Multi-Arch" => r.multi_arch = multi_arch(value),
            "Provides" => r.provides = provides(value),
            "Depends" => depends = value,
            "Description"
                if contains_ignore_case(value, "transitional")
                    || contains_ignore_case(value, "dummy") =>
            {
                r.transitional = true;
                r.synopsis = value.to_string();
            }
            _ => {}
        }
        if r.transitional && !depends.is_empty() && r.depends.is_empty() {
            r.depends = depends.to_string();
        }
        if end == b.len() {
            break;
        }
    }
    finish(&mut cur, fields_seen, stanza_start, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

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
