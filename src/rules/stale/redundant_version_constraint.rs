//! `redundant-version-constraint`: every given index already satisfies the constraint.

use super::{not_an_archive_package, satisfies};
use crate::diagnostic::{Edit, Fix};
use crate::model::SourceStanza;
use crate::registry::Rule;
use crate::rules::build_deps::{entries, note_generated};
use crate::rules::Checker;

const RULE: Rule = Rule::RedundantVersionConstraint;

pub fn check(c: &mut Checker, stanzas: &[SourceStanza]) {
    let model = c.model;
    let Some(archive) = c.archive() else { return };
    let labels: Vec<String> = {
        let mut l: Vec<String> = archive.indices.iter().map(|i| i.label()).collect();
        l.sort();
        l.dedup();
        l
    };
    for e in entries(stanzas, true) {
        let Some((op, want, vspan)) = &e.alt.version else {
            continue;
        };
        if !matches!(op.as_str(), ">=" | ">>") || not_an_archive_package(c, &e.alt.name) {
            continue;
        }
        let records: Vec<_> = archive.package(&e.alt.name).collect();
        if records.is_empty() || !records.iter().all(|r| satisfies(&r.version, op, want)) {
            continue;
        }
        let oldest = records
            .iter()
            .map(|r| r.version.as_str())
            .min_by(|a, b| crate::archive::compare_versions(a, b))
            .unwrap_or("");
        let file = e.stanza.file;
        let text = &model.tree.files[file].text;
        let d = c.report(
            RULE,
            file,
            vspan.clone(),
            format!("`{} ({op} {want})`: every given index ({}) has a newer `{}`, the oldest being {oldest}", e.alt.name, labels.join(", "), e.alt.name),
        );
        note_generated(model, d, &e.stanza);
        // Remove the constraint and the blanks before it.
        let mut start = vspan.start;
        while start > 0 && matches!(text.as_bytes()[start - 1], b' ' | b'\t') {
            start -= 1;
        }
        d.with_fix_mut(Fix::safe(
            format!("drop the version constraint on {}", e.alt.name),
            vec![Edit::delete(file, start..vspan.end)],
        ));
    }
}
