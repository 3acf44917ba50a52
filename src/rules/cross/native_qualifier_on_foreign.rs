//! `native-qualifier-on-foreign`: `:native` on a `Multi-Arch: foreign` package.

use super::{entries, multi_arch, note_generated};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::knowledge::MultiArch;
use crate::model::SourceStanza;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::NativeQualifierOnForeign;

pub fn check(c: &mut Checker, stanzas: &[SourceStanza]) {
    let model = c.model;
    let release = c.release.codename.clone();
    let target = c.release.clone();
    for e in entries(stanzas, true) {
        if e.is_fallback() {
            continue;
        }
        let Some((q, qspan)) = &e.alt.arch_qualifier else {
            continue;
        };
        if q != "native" || multi_arch(c, &e.alt.name) != Some(MultiArch::Foreign) {
            continue;
        }
        let file = e.stanza.file;
        let name = &e.alt.name;
        // `flex:native | flex`: the plain alternative satisfies dpkg, so the
        // qualifier is only noise (and a fix would leave `flex | flex`).
        let duplicate = e
            .group
            .alternatives
            .iter()
            .any(|a| !std::ptr::eq(a, e.alt) && a.name == *name);
        let message = if duplicate {
            format!("`{name}` is Multi-Arch: foreign in {release}: dpkg never counts it for `{name}:native`, so only the plain `{name}` of this alternative is ever satisfied")
        } else {
            format!("`{name}` is Multi-Arch: foreign in {release}, and dpkg-checkbuilddeps never counts a foreign package for `{name}:native`: dpkg-buildpackage stops with \"Unmet build dependencies\" even with `{name}` installed")
        };
        let d = c.report(RULE, file, e.alt.name_span.start..qspan.end, message);
        if duplicate {
            d.severity = Severity::Info;
        }
        note_generated(model, d, &e);
        if duplicate {
            d.with_help_mut(format!(
                "the alternative already has a plain `{name}`: drop `{name}:native` from it"
            ));
            target.qualify(d);
            continue;
        }
        d.with_help_mut(format!("write `{name}`"));
        d.with_fix_mut(Fix::safe(
            format!("drop :native from {name}"),
            vec![Edit::delete(file, e.alt.name_span.end..qspan.end)],
        ));
        target.qualify(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{fix_memory_selected, lint_memory_rule};

    #[test]
    fn drops_native_from_foreign_packages_for_known_releases() {
        let c = "Source: x\nBuild-Depends: bison:native, flex:native (>= 2.6), libssl-dev:native\n";
        let changelog = "x (1.0) bookworm; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n";
        let files = [("debian/control", c), ("debian/changelog", changelog)];
        let (d, _) = lint_memory_rule(&files, "native-qualifier-on-foreign");
        assert_eq!(d.len(), 2);
        let fixed = fix_memory_selected(&files, &["cross"], false);
        assert!(
            fixed[0]
                .1
                .contains("Build-Depends: bison, flex (>= 2.6), libssl-dev:native\n"),
            "{}",
            fixed[0].1
        );
        let old = changelog.replace("bookworm", "focal");
        let files = [("debian/control", c), ("debian/changelog", old.as_str())];
        assert!(
            lint_memory_rule(&files, "native-qualifier-on-foreign")
                .0
                .is_empty(),
            "no data for focal"
        );
    }

    /// `flex:native | flex`: dropping the qualifier would leave `flex | flex`.
    #[test]
    fn no_fix_that_duplicates_an_alternative() {
        let c = "Source: x\nBuild-Depends: flex:native (>= 2.6) | flex, bison\n";
        let changelog = "x (1.0) bookworm; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n";
        let files = [("debian/control", c), ("debian/changelog", changelog)];
        let (d, _) = lint_memory_rule(&files, "native-qualifier-on-foreign");
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none());
        let fixed = fix_memory_selected(&files, &["cross"], true);
        assert_eq!(fixed[0].1, c);
    }
}
