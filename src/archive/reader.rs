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

/// Read and decompress an index by its extension.
pub fn read_index(path: &Path) -> Result<Vec<Record>, ArchiveError> {
    let raw = std::fs::read(path).map_err(|e| err(path, crate::discover::io_message(&e)))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = Vec::with_capacity(raw.len() * 4);
    let result = if name.ends_with(".gz") {
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map(|_| "gzip")
    } else if name.ends_with(".xz") {
        liblzma::read::XzDecoder::new_multi_decoder(&raw[..])
            .read_to_end(&mut out)
            .map(|_| "xz")
    } else if name.ends_with(".lz4") {
        lz4_flex::frame::FrameDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map(|_| "lz4")
    } else if name.ends_with(".zst") {
        match ruzstd::decoding::StreamingDecoder::new(&raw[..]) {
            Ok(mut d) => d.read_to_end(&mut out).map(|_| "zstd"),
            Err(e) => return Err(err(path, format!("not a valid zstd stream: {e}"))),
        }
    } else {
        out = raw;
        Ok("plain")
    };
    if let Err(e) = result {
        let kind = name.rsplit('.').next().unwrap_or("");
        return Err(err(path, format!("cannot decompress ({kind}): {e}")));
    }
    let text = std::str::from_utf8(&out)
        .map_err(|e| err(path, format!("not UTF-8 at byte {}", e.valid_up_to())))?;
    parse_packages(text).map_err(|m| err(path, m))
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn multi_arch(v: &str) -> MultiArch {
    MultiArch::parse(v).unwrap_or(MultiArch::No)
}

/// `Provides: a (= 1.0), b` → names with optional versions.
fn provides(v: &str) -> Vec<(String, Option<String>)> {
    v.split(',')
        .filter_map(|p| {
            let p = p.trim();
            if p.is_empty() {
                return None;
            }
            let (name, ver) = match p.split_once('(') {
                Some((n, rest)) => (
                    n.trim(),
                    rest.trim_end_matches(')')
                        .trim()
                        .trim_start_matches('=')
                        .trim()
                        .to_string()
                        .into(),
                ),
                None => (p, None),
            };
            let name = name.split(':').next().unwrap_or(name);
            Some((name.to_string(), ver.filter(|v: &String| !v.is_empty())))
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
        let value = line[colon + 1..].trim();
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
