//! deb822 control files and templates, parsed losslessly with deb822-lossless.

use super::relation::{parse_relations, RelationGroup, RelationProblem};
use crate::source::{FileId, Span};
use deb822_lossless::Deb822;

/// Fields whose values are relations.
pub const RELATION_FIELDS: &[&str] = &[
    "Build-Depends",
    "Build-Depends-Arch",
    "Build-Depends-Indep",
    "Build-Conflicts",
    "Build-Conflicts-Arch",
    "Build-Conflicts-Indep",
    "Depends",
    "Pre-Depends",
    "Recommends",
    "Suggests",
    "Enhances",
    "Breaks",
    "Conflicts",
    "Replaces",
    "Provides",
];

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub name_span: Span,
    /// From the first to the last byte of the value (comment lines included).
    pub value_span: Span,
    /// The value without comment lines, continuation lines joined by newlines.
    pub value: String,
    pub relations: Vec<RelationGroup>,
}

#[derive(Debug, Clone)]
pub struct Paragraph {
    pub span: Span,
    pub fields: Vec<Field>,
}

impl Paragraph {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone)]
pub struct ControlFile {
    pub file: FileId,
    pub paragraphs: Vec<Paragraph>,
    pub problems: Vec<(Span, String)>,
    pub relation_problems: Vec<RelationProblem>,
}

pub fn parse(file: FileId, text: &str) -> ControlFile {
    let parsed = Deb822::parse(text);
    let mut problems: Vec<(Span, String)> = parsed
        .positioned_errors()
        .iter()
        .map(|e| {
            (
                usize::from(e.range.start())..usize::from(e.range.end()),
                e.message.clone(),
            )
        })
        .collect();
    if problems.is_empty() && !parsed.errors().is_empty() {
        problems.extend(parsed.errors().iter().map(|m| (0..0, m.clone())));
    }
    let mut relation_problems = Vec::new();
    let mut paragraphs = Vec::new();
    for para in parsed.tree().paragraphs() {
        let r = para.text_range();
        let mut fields = Vec::new();
        for entry in para.entries() {
            let (Some(key), Some(key_range)) = (entry.key(), entry.key_range()) else {
                continue;
            };
            let name_span = usize::from(key_range.start())..usize::from(key_range.end());
            let lines = entry.value_line_ranges();
            let value_span = match (lines.first(), lines.last()) {
                (Some(a), Some(b)) => usize::from(a.start())..usize::from(b.end()),
                _ => name_span.end + 1..name_span.end + 1,
            };
            let value_span = value_span.start.min(text.len())..value_span.end.min(text.len());
            let mut relations = Vec::new();
            if RELATION_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(&key)) {
                let masked = mask_comment_lines(&text[value_span.clone()]);
                let (groups, probs) = parse_relations(&masked, value_span.start);
                relations = groups;
                relation_problems.extend(probs);
            }
            fields.push(Field {
                name: key,
                name_span,
                value_span,
                value: entry.value(),
                relations,
            });
        }
        paragraphs.push(Paragraph {
            span: usize::from(r.start())..usize::from(r.end()),
            fields,
        });
    }
    ControlFile {
        file,
        paragraphs,
        problems,
        relation_problems,
    }
}

/// Replace comment lines inside a multi-line field with spaces of the same length.
fn mask_comment_lines(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, line) in value.split_inclusive('\n').enumerate() {
        if i > 0 && line.starts_with('#') {
            out.extend(line.bytes().map(|b| if b == b'\n' { '\n' } else { ' ' }));
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_skip_comment_lines_and_keep_offsets() {
        let text = "Source: linux\nBuild-Depends: debhelper-compat (= 13),\n# why: signing\n libssl-dev:native,\n bc\n\nPackage: @SRCPKGNAME@-doc\nDepends: ${misc:Depends}\n";
        let c = parse(0, text);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(c.paragraphs.len(), 2);
        let bd = c.paragraphs[0].field("build-depends").unwrap();
        let names: Vec<_> = bd
            .relations
            .iter()
            .map(|g| g.alternatives[0].name.as_str())
            .collect();
        assert_eq!(names, ["debhelper-compat", "libssl-dev", "bc"]);
        let ssl = &bd.relations[1].alternatives[0];
        assert_eq!(&text[ssl.span.clone()], "libssl-dev:native");
    }

    #[test]
    fn malformed_stanza_reports_a_range() {
        let c = parse(0, "Source: x\nthis is not a field\n");
        assert!(!c.problems.is_empty());
    }
}
