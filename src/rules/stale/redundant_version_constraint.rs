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
        note_generated(model, d, &e);
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

#[cfg(test)]
mod tests {
    use crate::testing::{found, lint_memory_with_archive};

    const BOOKWORM: &str = "Package: bc\nVersion: 1.07.1-3+b1\nArchitecture: amd64\nDescription: GNU bc arbitrary precision calculator language\n\nPackage: flex\nVersion: 2.6.4-8.2\nArchitecture: amd64\nMulti-Arch: foreign\nDescription: fast lexical analyzer generator\n";
    const TRIXIE: &str = "Package: bc\nVersion: 1.07.1-4\nArchitecture: amd64\nDescription: GNU bc arbitrary precision calculator language\n\nPackage: flex\nVersion: 2.6.4-8.2\nArchitecture: amd64\nMulti-Arch: foreign\nDescription: fast lexical analyzer generator\n";
    const CHANGELOG: &str = "linux-acme (6.1.0-1) bookworm; urgency=medium\n\n  * Rebuild.\n\n -- Acme Kernel Team <kernel@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n";

    #[test]
    fn a_constraint_every_index_satisfies_fires() {
        let control = "Source: linux-acme\nSection: kernel\nBuild-Depends: debhelper-compat (= 13),\n bc (>= 1.07),\n flex (>> 2.5)\n";
        let files = [("debian/control", control), ("debian/changelog", CHANGELOG)];
        let (d, tree) = lint_memory_with_archive(
            &files,
            "redundant-version-constraint",
            &[("bookworm", BOOKWORM), ("trixie", TRIXIE)],
        )
        .unwrap();
        assert_eq!(
            found(&d, &tree),
            [
                ("redundant-version-constraint", "debian/control", 4, 5),
                ("redundant-version-constraint", "debian/control", 5, 7),
            ]
        );
        assert!(
            d[0].message.contains("the oldest being 1.07.1-3+b1"),
            "{}",
            d[0].message
        );
        // The fix drops the constraint and the blank before it.
        let e = &d[0].fix.as_ref().unwrap().edits[0];
        assert_eq!(&control[e.span.clone()], " (>= 1.07)");
    }

    #[test]
    fn constraints_an_index_needs_or_cannot_judge_do_not_fire() {
        // bc 1.07.1-3+b1 in bookworm does not satisfy >= 1.07.1-4; `<<` and `=` are
        // not lower bounds; libacme-dev is in no index.
        let control = "Source: linux-acme\nBuild-Depends: debhelper-compat (= 13),\n bc (>= 1.07.1-4),\n flex (<< 3),\n libacme-dev (>= 1.0)\n";
        let files = [("debian/control", control), ("debian/changelog", CHANGELOG)];
        let (d, tree) = lint_memory_with_archive(
            &files,
            "redundant-version-constraint",
            &[("bookworm", BOOKWORM), ("trixie", TRIXIE)],
        )
        .unwrap();
        assert_eq!(found(&d, &tree), []);
        // Without an index the rule says nothing.
        let (d, tree) =
            lint_memory_with_archive(&files, "redundant-version-constraint", &[]).unwrap();
        assert_eq!(found(&d, &tree), []);
    }
}
