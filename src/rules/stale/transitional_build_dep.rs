//! `transitional-build-dep`: the entry resolves only to a transitional package.

use super::{not_an_archive_package, obsolete_in, resolve, View};
use crate::diagnostic::{Edit, Fix};
use crate::model::SourceStanza;
use crate::registry::Rule;
use crate::rules::build_deps::{entries, note_generated};
use crate::rules::Checker;

const RULE: Rule = Rule::TransitionalBuildDep;

pub fn check(c: &mut Checker, stanzas: &[SourceStanza]) {
    let model = c.model;
    let Some(archive) = c.archive() else { return };
    let view = View::new(archive, &c.release.codename);
    let arch = view.arches.first().cloned().flatten();
    for e in entries(stanzas, true) {
        // Only the alternative the resolver would pick.
        if e.is_fallback()
            || not_an_archive_package(c, &e.alt.name)
            || obsolete_in(&e.alt.name, &view.release).is_some()
        {
            continue;
        }
        let Ok(Some(record)) = resolve(&view, e.alt, arch.as_deref()) else {
            continue;
        };
        let Some(target) = record.transitional_target() else {
            continue;
        };
        let target = target.to_string();
        let file = e.stanza.file;
        let d = c.report(
            RULE,
            file,
            e.alt.name_span.clone(),
            format!(
                "`{}` is a transitional package in {} (\"{}\"): it only depends on `{target}`",
                e.alt.name, view.release, record.synopsis
            ),
        );
        d.with_help_mut(format!("depend on `{target}` directly"));
        note_generated(model, d, &e);
        // `old | target` would become `target | target`.
        if e.group.alternatives.iter().any(|a| a.name == target) {
            continue;
        }
        d.with_fix_mut(Fix::safe(
            format!("replace {} by {target}", e.alt.name),
            vec![Edit::replace(file, e.alt.name_span.clone(), target)],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory_with_archive;

    const INDEX: &str = "Package: dwarves\nVersion: 1.24-4.1\nArchitecture: all\nDepends: pahole (>= 1.22)\nDescription: set of advanced DWARF utilities - transitional package\n\nPackage: pahole\nVersion: 1.24-4.1\nArchitecture: amd64\nDescription: set of advanced DWARF utilities\n";

    #[test]
    fn transitional_first_alternative_is_replaced_keeping_the_constraint() {
        let files = [("debian/control", "Source: x\nBuild-Depends: dwarves (>= 1.21) <!stage1>, pahole | dwarves\n"), ("debian/changelog", "x (1) bookworm; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n")];
        let (d, _) =
            lint_memory_with_archive(&files, "transitional-build-dep", &[("bookworm", INDEX)])
                .unwrap();
        assert_eq!(d.len(), 1, "only the first alternative counts");
        let fix = d[0].fix.as_ref().unwrap();
        assert_eq!(fix.edits[0].content, "pahole");
        assert_eq!(fix.edits[0].span, 25..32);
    }
}
