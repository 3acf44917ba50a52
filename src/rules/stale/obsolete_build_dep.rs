//! `obsolete-build-dep`: a build-dependency that is gone or transitional in the target release.

use super::obsolete_in;
use crate::diagnostic::Fix;
use crate::model::SourceStanza;
use crate::registry::Rule;
use crate::rules::build_deps::{entries, note_generated, remove_group, replace_package};
use crate::rules::Checker;

const RULE: Rule = Rule::ObsoleteBuildDep;

pub fn check(c: &mut Checker, stanzas: &[SourceStanza]) {
    let model = c.model;
    let release = c.release.codename.clone();
    let release_note = c.release.from_changelog.clone();
    let all = entries(stanzas, true);
    for e in &all {
        // In an OR group, a later alternative is a fallback for older releases.
        if !std::ptr::eq(e.alt, &e.group.alternatives[0]) {
            continue;
        }
        let Some(o) = obsolete_in(&e.alt.name, &release) else {
            continue;
        };
        let file = e.stanza.file;
        let text = &model.tree.files[file].text;
        let state = if o.removed {
            format!("no longer exists in {release}")
        } else {
            format!("is only a transitional package in {release}")
        };
        let d = c.report(
            RULE,
            file,
            e.alt.span.clone(),
            format!("`{}` {state}: {}", e.alt.name, o.why),
        );
        if let Some((f, span)) = &release_note {
            d.with_note_mut(
                *f,
                span.clone(),
                format!("the target release {release} comes from this changelog entry"),
            );
        }
        note_generated(model, d, &e.stanza);
        let group_index = e
            .field
            .relations
            .iter()
            .position(|g| std::ptr::eq(g, e.group))
            .unwrap_or(0);
        let single = e.group.alternatives.len() == 1;
        match (&o.replacement, o.one_to_one) {
            (None, _) if single => {
                d.with_help_mut(format!("drop `{}`", e.alt.name));
                d.with_fix_mut(Fix::safe(
                    format!("drop {}", e.alt.name),
                    vec![remove_group(text, e.field, group_index, file)],
                ));
            }
            (Some(r), true) => {
                let (groups, _) = crate::model::relation::parse_relations(r, 0);
                let repl = &groups[0].alternatives[0];
                // The replacement is already there: drop the obsolete entry instead.
                let present = all.iter().any(|x| {
                    std::ptr::eq(x.stanza.paragraph, e.stanza.paragraph)
                        && (x.alt.name == repl.name || o.satisfied_by.contains(&x.alt.name))
                });
                if present && single {
                    d.with_help_mut(format!(
                        "drop `{}`: `{}` is already a build-dependency",
                        e.alt.name, repl.name
                    ));
                    d.with_fix_mut(Fix::safe(
                        format!("drop {}", e.alt.name),
                        vec![remove_group(text, e.field, group_index, file)],
                    ));
                } else {
                    d.with_help_mut(format!("use `{r}`"));
                    d.with_fix_mut(Fix::safe(
                        format!("replace {} by {}", e.alt.name, repl.name),
                        vec![replace_package(e.alt, repl, r, file)],
                    ));
                }
            }
            (Some(r), false) => {
                d.with_help_mut(format!("use {r}"));
            }
            (None, _) => {
                d.with_help_mut(format!("drop `{}` from this alternative", e.alt.name));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{fix_memory_selected, lint_memory_rule};

    const CHANGELOG: &str = "linux (6.1-2) UNRELEASED; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n\nlinux (6.1-1) bookworm; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n";

    #[test]
    fn replaces_drops_and_keeps_restrictions() {
        let control = "Source: linux\nBuild-Depends: debhelper-compat (= 13),\n dh-systemd,\n python-sphinx:native <!nodoc>,\n hardening-wrapper,\n libncurses5-dev [amd64],\n bsdmainutils,\n pahole | dwarves,\n bc\n";
        let files = [("debian/control", control), ("debian/changelog", CHANGELOG)];
        let (d, _) = lint_memory_rule(&files, "obsolete-build-dep");
        let names: Vec<_> = d
            .iter()
            .map(|d| d.message.split('`').nth(1).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "dh-systemd",
                "python-sphinx",
                "hardening-wrapper",
                "libncurses5-dev",
                "bsdmainutils"
            ]
        );
        let fixed = &fix_memory_selected(&files, &["stale"], false)[0].1;
        assert_eq!(fixed, "Source: linux\nBuild-Depends: debhelper-compat (= 13),\n python3-sphinx:native <!nodoc>,\n libncurses-dev [amd64],\n bsdmainutils,\n pahole | dwarves,\n bc\n");
    }

    #[test]
    fn older_releases_and_later_alternatives_are_left_alone() {
        let control = "Source: linux\nBuild-Depends: dh-systemd, bc | python\n";
        let old = CHANGELOG.replace("bookworm", "buster");
        let (d, _) = lint_memory_rule(
            &[("debian/control", control), ("debian/changelog", &old)],
            "obsolete-build-dep",
        );
        assert!(d.is_empty(), "no facts for buster");
        let (d, _) = lint_memory_rule(
            &[("debian/control", control), ("debian/changelog", CHANGELOG)],
            "obsolete-build-dep",
        );
        assert_eq!(d.len(), 1);
    }
}
