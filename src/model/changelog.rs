//! The entries of `debian/changelog` (headers only: what rules need).

use crate::source::Span;

#[derive(Debug, Clone)]
pub struct ChangelogEntry {
    pub source: String,
    pub version: String,
    pub distributions: Vec<String>,
    /// Span of the header line.
    pub span: Span,
}

/// Parse entry headers (`linux (6.8.0-41.41) noble; urgency=medium`) from the top,
/// up to and including the first that names a release other than `UNRELEASED`:
/// that entry decides the target release, and what lies below it is history. A
/// kernel changelog holds thousands of entries (megabytes), so it is not read.
pub fn parse(text: &str) -> (Vec<ChangelogEntry>, Vec<(Span, String)>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let l = line.trim_end_matches(['\n', '\r']);
        if l.is_empty() || l.starts_with([' ', '\t', '#']) {
            continue;
        }
        let span = start..start + l.len();
        match parse_header(l) {
            Some((source, version, dists)) => {
                let released = dists.first().is_some_and(|d| d != "UNRELEASED");
                entries.push(ChangelogEntry {
                    source,
                    version,
                    distributions: dists,
                    span,
                });
                if released {
                    break;
                }
            }
            None if entries.is_empty() => problems.push((span, "changelog does not start with an entry header `source (version) distribution; urgency=…`".to_string())),
            None => {}
        }
    }
    (entries, problems)
}

fn parse_header(l: &str) -> Option<(String, String, Vec<String>)> {
    let (source, rest) = l.split_once(" (")?;
    let (version, rest) = rest.split_once(')')?;
    let (dists, _) = rest.split_once(';')?;
    if source.is_empty() || source.contains(char::is_whitespace) || version.is_empty() {
        return None;
    }
    Some((
        source.to_string(),
        version.to_string(),
        dists.split_whitespace().map(str::to_string).collect(),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_headers() {
        let (e, p) = super::parse("linux (6.8.0-42.42) UNRELEASED; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n\nlinux (6.8.0-41.41) noble; urgency=medium\n\n  * y\n\nlinux (6.8.0-40.40) noble; urgency=medium\n");
        assert!(p.is_empty());
        // Reading stops at the first released entry: the older ones are history.
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].distributions, ["UNRELEASED"]);
        assert_eq!(e[1].version, "6.8.0-41.41");
        assert_eq!(e[1].distributions, ["noble"]);
    }

    #[test]
    fn garbage_is_reported() {
        let (e, p) = super::parse("not a changelog\n");
        assert!(e.is_empty());
        assert_eq!(p.len(), 1);
    }
}
