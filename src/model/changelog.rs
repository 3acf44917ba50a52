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

/// Parse every entry header (`linux (6.8.0-41.41) noble; urgency=medium`).
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
            Some((source, version, dists)) => entries.push(ChangelogEntry { source, version, distributions: dists, span }),
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
        let (e, p) = super::parse("linux (6.8.0-41.41) noble; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n\nlinux (6.8.0-40.40) UNRELEASED; urgency=medium\n");
        assert!(p.is_empty());
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].version, "6.8.0-41.41");
        assert_eq!(e[0].distributions, ["noble"]);
        assert_eq!(e[1].distributions, ["UNRELEASED"]);
    }

    #[test]
    fn garbage_is_reported() {
        let (e, p) = super::parse("not a changelog\n");
        assert!(e.is_empty());
        assert_eq!(p.len(), 1);
    }
}
