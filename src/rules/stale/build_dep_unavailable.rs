//! `build-dep-unavailable`: no index of the target release can satisfy an entry.

use super::{active, not_an_archive_package, obsolete_in, resolve, Unavailable, View};
use crate::model::SourceStanza;
use crate::registry::Rule;
use crate::rules::build_deps::{entries, note_generated};
use crate::rules::Checker;

const RULE: Rule = Rule::BuildDepUnavailable;

pub fn check(c: &mut Checker, stanzas: &[SourceStanza]) {
    let model = c.model;
    let Some(archive) = c.archive() else { return };
    let view = View::new(archive, &c.release.codename);
    let profiles = c.profiles().to_vec();
    let considered = view.labels(true).join(", ");
    let mut seen = Vec::new();
    for e in entries(stanzas, true) {
        if e.is_fallback() || seen.contains(&(e.group as *const _)) {
            continue;
        }
        seen.push(e.group as *const _);
        let mut failures: Vec<(Option<String>, Unavailable)> = Vec::new();
        for arch in &view.arches {
            let arch = arch.as_deref();
            let alts: Vec<_> = e
                .group
                .alternatives
                .iter()
                .filter(|a| active(a, &profiles, arch))
                .collect();
            if alts.is_empty() || alts.iter().any(|a| not_an_archive_package(c, &a.name)) {
                continue;
            }
            let mut first_failure = None;
            let mut ok = false;
            for a in &alts {
                match resolve(&view, a, arch) {
                    Ok(_) => {
                        ok = true;
                        break;
                    }
                    Err(why) => {
                        first_failure.get_or_insert(why);
                    }
                }
            }
            if !ok {
                failures.push((
                    arch.map(str::to_string),
                    first_failure.expect("an alternative failed"),
                ));
            }
        }
        let Some((_, why)) = failures.first().cloned() else {
            continue;
        };
        // The obsolete-package table already explains this one.
        if c.enabled(Rule::ObsoleteBuildDep)
            && obsolete_in(&e.alt.name, &view.release).is_some()
            && matches!(why, Unavailable::Missing | Unavailable::Elsewhere(_))
        {
            continue;
        }
        let archs: Vec<String> = failures.iter().filter_map(|(a, _)| a.clone()).collect();
        let on = if archs.is_empty() || archs.len() == view.arches.len() {
            String::new()
        } else {
            format!(" on {}", archs.join(", "))
        };
        let name = &e.alt.name;
        let group_text = &model.tree.files[e.stanza.file].text[e.group.span.clone()];
        let release = &view.release;
        let message = match &why {
            Unavailable::Missing => format!("`{group_text}` cannot be installed{on}: no index for {release} ({considered}) has `{name}` or a package providing it"),
            Unavailable::Elsewhere(places) => format!("`{group_text}` cannot be installed{on}: `{name}` is only in {}, not in {considered}", places.join(", ")),
            Unavailable::Version { available } => format!("`{group_text}` cannot be installed{on}: {release} has `{name}` {available}, which does not satisfy the constraint"),
            Unavailable::Arch { arch } => format!("`{group_text}` cannot be installed on {arch}: `{name}` is not built for {arch} in {release}"),
            Unavailable::NotAllowed => format!("`{group_text}` cannot be installed{on}: `{name}` is not Multi-Arch: allowed, so `:any` never matches"),
        };
        let d = c.report(RULE, e.stanza.file, e.group.span.clone(), message);
        note_generated(model, d, &e);
        match why {
            Unavailable::Arch { .. } => d.with_help_mut(format!("restrict it to the architectures that have it, e.g. `{name} [amd64]`")),
            Unavailable::Missing => d.with_help_mut(format!("if `{name}` comes from your own archive, give that index with --archive or allow it with --allow-unknown '{name}'")),
            _ => d.with_help_mut("change the relation to something the release has, or build for a release that has it"),
        };
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory_with_archive;

    const BOOKWORM: &str = "Package: debhelper\nVersion: 13.11.4\nArchitecture: all\nProvides: debhelper-compat (= 12), debhelper-compat (= 13)\n\nPackage: mawk\nVersion: 1.3.4\nArchitecture: amd64\nProvides: awk\n\nPackage: kernel-wedge\nVersion: 2.104\nArchitecture: all\n\nPackage: libssl-dev\nVersion: 3.0.15-1\nArchitecture: amd64\nMulti-Arch: same\n";
    const TRIXIE: &str = "Package: kernel-wedge\nVersion: 2.105\nArchitecture: all\n\nPackage: rustc-web\nVersion: 1.85\nArchitecture: amd64\n";

    fn messages(control: &str, release: &str) -> Vec<String> {
        let changelog = format!("x (1) {release}; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n");
        let files = [
            ("debian/control", control),
            ("debian/changelog", changelog.as_str()),
        ];
        let (d, _) = lint_memory_with_archive(
            &files,
            "build-dep-unavailable",
            &[("bookworm", BOOKWORM), ("trixie", TRIXIE)],
        )
        .unwrap();
        d.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn provides_versions_suites_and_alternatives() {
        let control = "Source: x\nBuild-Depends: debhelper-compat (= 13), debhelper-compat (= 14), awk, awk (>= 1), kernel-wedge (>= 2.105), rustc-web, libssl-dev:any, nope | kernel-wedge, gone <stage1>, @SRCPKGNAME@-doc\n\nPackage: x-tools\nArchitecture: any\n";
        let m = messages(control, "bookworm");
        assert_eq!(m.len(), 5, "{m:#?}");
        assert!(m[0].contains("debhelper-compat (= 14)") && m[0].contains("no index for bookworm"));
        assert!(
            m[1].contains("`awk (>= 1)`"),
            "unversioned Provides never satisfies a versioned relation"
        );
        assert!(m[2].contains("bookworm has `kernel-wedge` 2.104"));
        assert!(m[3].contains("only in trixie"));
        assert!(m[4].contains("`:any` never matches"));
    }

    #[test]
    fn other_releases_indices_are_not_used() {
        assert!(messages("Source: x\nBuild-Depends: nope\n", "focal").is_empty());
    }
}
