//! Build-dependency entries of source stanzas, and lossless edits of them, shared
//! by the families that check relations (cross, stale).

use crate::diagnostic::Edit;
use crate::model::control::Field;
use crate::model::relation::{Relation, RelationGroup};
use crate::model::{Model, SourceStanza};
use crate::source::FileId;

/// One alternative of a relation in a source stanza.
pub struct Entry<'m> {
    pub stanza: SourceStanza<'m>,
    pub field: &'m Field,
    pub group: &'m RelationGroup,
    pub alt: &'m Relation,
}

/// Build-dependency fields; `Build-Depends-Indep` only where `indep` is set (it is
/// installed for architecture-independent builds, never cross).
fn fields<'m>(stanza: &SourceStanza<'m>, indep: bool) -> impl Iterator<Item = &'m Field> + use<'m> {
    let wanted: &[&str] = if indep {
        &["Build-Depends", "Build-Depends-Arch", "Build-Depends-Indep"]
    } else {
        &["Build-Depends", "Build-Depends-Arch"]
    };
    let paragraph = stanza.paragraph;
    paragraph
        .fields
        .iter()
        .filter(move |f| wanted.iter().any(|w| f.name.eq_ignore_ascii_case(w)))
}

impl Entry<'_> {
    /// A later alternative of an OR group: a deliberate fallback for releases
    /// where the first one does not resolve (`flex | flex:native`, which
    /// mkdebian writes and Debian's templates explain), not the relation the
    /// resolver picks where the first does.
    pub fn is_fallback(&self) -> bool {
        !std::ptr::eq(self.alt, &self.group.alternatives[0])
    }
}

pub fn entries<'m>(stanzas: &[SourceStanza<'m>], indep: bool) -> Vec<Entry<'m>> {
    let mut out = Vec::new();
    for s in stanzas {
        for field in fields(s, indep) {
            for group in &field.relations {
                for alt in &group.alternatives {
                    if !alt.substvar {
                        out.push(Entry {
                            stanza: *s,
                            field,
                            group,
                            alt,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Add the note that a generated `debian/control` must be regenerated, at the
/// generated copy of the entry when it has one.
pub fn note_generated(model: &Model, d: &mut crate::diagnostic::Diagnostic, entry: &Entry) {
    let Some((g, paragraph)) = entry.stanza.generated else {
        return;
    };
    let copy = paragraph
        .fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case(&entry.field.name))
        .flat_map(|f| &f.relations)
        .flat_map(|r| &r.alternatives)
        .find(|a| a.name == entry.alt.name)
        .map(|a| a.span.clone());
    let span = copy
        .or_else(|| paragraph.field("Source").map(|f| f.name_span.clone()))
        .unwrap_or(0..0);
    d.notes.push(crate::diagnostic::Note {
        file: g,
        span,
        message: format!(
            "generated from {}: regenerate it after changing the template",
            model.tree.files[entry.stanza.file].rel
        ),
    });
}

/// Entries of `stanzas` and of their generated copies: what a build installs,
/// for rules that ask whether a package is a build-dependency at all (a
/// generator may add relations to the copy, as gencontrol adds `gcc-N`).
pub fn declared<'m>(stanzas: &[SourceStanza<'m>], indep: bool) -> Vec<Entry<'m>> {
    let mut all: Vec<SourceStanza<'m>> = stanzas.to_vec();
    for s in stanzas {
        if let Some((file, paragraph)) = s.generated {
            all.push(SourceStanza {
                file,
                paragraph,
                generated: None,
                kernel: s.kernel,
            });
        }
    }
    entries(&all, indep)
}

/// Delete one relation group from a field, with one of its separating commas,
/// without touching comment lines: the side of the group whose gap holds no comment
/// goes with it.
pub fn remove_group(text: &str, field: &Field, group: usize, file: FileId) -> Edit {
    let g = &field.relations[group];
    // The comma right after the group, if any.
    let after_comma = text[g.span.end..field.value_span.end]
        .find(',')
        .map(|i| g.span.end + i);
    let clean = |a: usize, b: usize| !text[a..b].lines().any(|l| l.trim_start().starts_with('#'));
    if group > 0 {
        let prev = &field.relations[group - 1];
        if clean(prev.span.end, g.span.start) {
            // ", group" — from the end of the previous group.
            return Edit::delete(file, prev.span.end..g.span.end);
        }
    }
    if let Some(next) = field.relations.get(group + 1) {
        if clean(g.span.end, next.span.start) {
            return Edit::delete(file, g.span.start..next.span.start);
        }
    }
    // Comments on both sides (or the only entry): remove the group and its comma,
    // and the line if nothing else is left on it.
    let end = after_comma.map(|c| c + 1).unwrap_or(g.span.end);
    let line_start = text[..g.span.start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = text[end..]
        .find('\n')
        .map(|i| end + i)
        .unwrap_or(text.len());
    if text[line_start..g.span.start].trim().is_empty()
        && text[end..line_end].trim().is_empty()
        && line_end < text.len()
    {
        return Edit::delete(file, line_start..line_end + 1);
    }
    Edit::delete(file, g.span.start..end)
}

/// Replace an alternative's package (and its version constraint) by `relation`,
/// keeping the architecture qualifier, architecture list and build profiles.
pub fn replace_package(
    alt: &Relation,
    relation: &Relation,
    relation_text: &str,
    file: FileId,
) -> Edit {
    let mut end = alt.name_span.end;
    if let Some((_, span)) = &alt.arch_qualifier {
        end = span.end;
    }
    if let Some((_, _, span)) = &alt.version {
        end = span.end;
    }
    let mut new = relation.name.clone();
    if let Some((q, _)) = &alt.arch_qualifier {
        new.push(':');
        new.push_str(q);
    }
    if let Some((_, _, span)) = &relation.version {
        new.push(' ');
        new.push_str(&relation_text[span.clone()]);
    }
    Edit::replace(file, alt.name_span.start..end, new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::control;

    fn field(text: &str) -> Field {
        let c = control::parse(0, text);
        c.paragraphs[0]
            .fields
            .iter()
            .find(|f| f.name == "Build-Depends")
            .unwrap()
            .clone()
    }

    fn apply(text: &str, e: &Edit) -> String {
        String::from_utf8(crate::fix::splice(text.as_bytes(), &[e])).unwrap()
    }

    #[test]
    fn removing_groups_keeps_comments_and_layout() {
        let t = "Source: x\nBuild-Depends: a,\n b,\n# why c\n c,\n d\n";
        let f = field(t);
        assert_eq!(
            apply(t, &remove_group(t, &f, 1, 0)),
            "Source: x\nBuild-Depends: a,\n# why c\n c,\n d\n"
        );
        assert_eq!(
            apply(t, &remove_group(t, &f, 0, 0)),
            "Source: x\nBuild-Depends: b,\n# why c\n c,\n d\n"
        );
        assert_eq!(
            apply(t, &remove_group(t, &f, 3, 0)),
            "Source: x\nBuild-Depends: a,\n b,\n# why c\n c\n"
        );
        let t2 = "Source: x\nBuild-Depends: a,\n# one\n b,\n# two\n c\n";
        let f2 = field(t2);
        assert_eq!(
            apply(t2, &remove_group(t2, &f2, 1, 0)),
            "Source: x\nBuild-Depends: a,\n# one\n# two\n c\n"
        );
        let single = "Source: x\nBuild-Depends: a, b\n";
        assert_eq!(
            apply(single, &remove_group(single, &field(single), 1, 0)),
            "Source: x\nBuild-Depends: a\n"
        );
    }

    #[test]
    fn replacing_keeps_qualifier_arches_and_profiles() {
        let t = "Source: x\nBuild-Depends: transfig:native (>= 3.2) [amd64] <!nodoc>\n";
        let f = field(t);
        let (repl, _) = crate::model::relation::parse_relations("fig2dev (>= 1:3.2.8)", 0);
        let e = replace_package(
            &f.relations[0].alternatives[0],
            &repl[0].alternatives[0],
            "fig2dev (>= 1:3.2.8)",
            0,
        );
        assert_eq!(
            apply(t, &e),
            "Source: x\nBuild-Depends: fig2dev:native (>= 1:3.2.8) [amd64] <!nodoc>\n"
        );
    }
}
