//! `obsolete-build-dep`: a build-dependency that is gone or transitional in the target release.

use super::obsolete_in;
use crate::diagnostic::{Fix, Severity};
use crate::knowledge::ObsoleteState;
use crate::model::SourceStanza;
use crate::registry::Rule;
use crate::rules::build_deps::{entries, note_generated, remove_group, replace_package};
use crate::rules::Checker;

const RULE: Rule = Rule::ObsoleteBuildDep;

pub fn check(c: &mut Checker, stanzas: &[SourceStanza]) {
    let model = c.model;
    let release = c.release.codename.clone();
    let release_note = c.release.from_changelog.clone();
    let target = c.release.clone();
    let all = entries(stanzas, true);
    for e in &all {
        if e.is_fallback() {
            continue;
        }
        let Some((o, state, since)) = obsolete_in(&e.alt.name, &release) else {
            continue;
        };
        let file = e.stanza.file;
        let text = &model.tree.files[file].text;
        let name = &e.alt.name;
        let from = if since == release {
            String::new()
        } else {
            format!(" (since {since})")
        };
        let provider = o.provided_by.as_deref().unwrap_or("another package");
        // What the build chroot makes of the entry decides the severity: one that
        // cannot be installed stops the build before it starts.
        let (severity, message) = match state {
            ObsoleteState::Removed => (
                Severity::Error,
                format!("`{name}` no longer exists in {release}{from}: {}", o.why),
            ),
            ObsoleteState::Transitional => (
                Severity::Warning,
                format!(
                    "`{name}` is only a transitional package in {release}{from}: {}",
                    o.why
                ),
            ),
            ObsoleteState::OldName if !o.versioned_provides && e.alt.version.is_some() => {
                let (op, version, _) = e.alt.version.as_ref().expect("checked");
                (
                    Severity::Error,
                    format!(
                        "`{name} ({op} {version})` cannot be installed in {release}{from}: `{name}` is only an old name that `{provider}` provides without a version, and a versioned relation needs a real package: {}",
                        o.why
                    ),
                )
            }
            ObsoleteState::OldName => (
                Severity::Warning,
                format!(
                    "`{name}` is an old name in {release}{from}, only provided by `{provider}`: {}",
                    o.why
                ),
            ),
        };
        let d = c.report(RULE, file, e.alt.span.clone(), message);
        d.severity = severity;
        if let Some((f, span, unreleased_only)) = &release_note {
            d.with_note_mut(
                *f,
                span.clone(),
                if *unreleased_only {
                    format!("the target release is {release}: nothing in this changelog is released yet, and `dch --release` would make this entry unstable")
                } else {
                    format!("the target release {release} comes from this changelog entry")
                },
            );
        }
        note_generated(model, d, e);
        let group_index = e
            .field
            .relations
            .iter()
            .position(|g| std::ptr::eq(g, e.group))
            .unwrap_or(0);
        let single = e.group.alternatives.len() == 1;
        match (&o.replacement, o.one_to_one) {
            // Nothing replaces it, and the build still runs its program (make-kpkg):
            // dropping the entry only moves the failure from the chroot setup to
            // the first use, so there is nothing to fix in the control file.
            (None, _) if still_used(model, &o.old_users).is_some() => {
                let (f, span, word) = still_used(model, &o.old_users).expect("checked");
                d.with_note_mut(
                    f,
                    span,
                    format!("the build still runs `{word}`, which nothing in {release} provides"),
                );
                d.with_help_mut(format!(
                    "stop running `{word}` first; then drop `{}`",
                    e.alt.name
                ));
            }
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
                let in_group = e
                    .group
                    .alternatives
                    .iter()
                    .any(|a| !std::ptr::eq(a, e.alt) && a.name == repl.name);
                if in_group {
                    // `old | new` → `new | new`: a duplicate, not a fix.
                    d.with_help_mut(format!(
                        "drop `{}` from this alternative: `{}` is already in it",
                        e.alt.name, repl.name
                    ));
                } else if present && single {
                    d.with_help_mut(format!(
                        "drop `{}`: `{}` is already a build-dependency",
                        e.alt.name, repl.name
                    ));
                    d.with_fix_mut(Fix::safe(
                        format!("drop {}", e.alt.name),
                        vec![remove_group(text, e.field, group_index, file)],
                    ));
                } else {
                    let edits = vec![replace_package(e.alt, repl, r, file)];
                    let description = format!("replace {} by {}", e.alt.name, repl.name);
                    match still_used(model, &o.old_users) {
                        // A rename while the tree still runs the old program: the
                        // build would change in more than the defect.
                        Some((f, span, word)) => {
                            d.with_note_mut(
                                f,
                                span,
                                format!(
                                    "the build still runs `{word}`, which `{}` does not give",
                                    repl.name
                                ),
                            );
                            d.with_help_mut(format!(
                                "use `{r}` once the build no longer runs `{word}`"
                            ));
                            d.with_fix_mut(Fix::unsafe_(description, edits));
                        }
                        None => {
                            d.with_help_mut(format!("use `{r}`"));
                            d.with_fix_mut(Fix::safe(description, edits));
                        }
                    }
                }
            }
            (Some(r), false) => {
                d.with_help_mut(format!("use {r}"));
            }
            (None, _) => {
                d.with_help_mut(format!("drop `{}` from this alternative", e.alt.name));
            }
        }
        target.qualify(d);
    }
}

/// The first place a makefile or script of the tree runs one of `words` (a
/// word not inside a longer name: `python2.7` counts for `python2`,
/// `libpython2.7` and `/usr/bin/python3` do not).
fn still_used(
    model: &crate::model::Model,
    words: &[String],
) -> Option<(crate::source::FileId, crate::source::Span, String)> {
    if words.is_empty() {
        return None;
    }
    let mut files: Vec<usize> = (0..model.tree.files.len())
        .filter(|id| {
            let f = &model.tree.files[*id];
            f.skipped.is_none()
                && (model.makefiles.contains_key(id)
                    || f.text.starts_with("#!")
                    || f.rel.ends_with(".sh")
                    || f.rel.ends_with(".py"))
        })
        .collect();
    files.sort();
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    for id in files {
        let text = &model.tree.files[id].text;
        for w in words {
            for (at, _) in text.match_indices(w.as_str()) {
                let before = text[..at].chars().next_back();
                let after = text[at + w.len()..].chars().next();
                if before.is_some_and(name_char) || after.is_some_and(name_char) {
                    continue;
                }
                return Some((id, at..at + w.len(), w.clone()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
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
    fn a_package_whose_program_the_build_still_runs_is_not_dropped() {
        // kernel-package has no replacement and the rules run make-kpkg; the rules
        // also run Python 2 scripts with a bare `python`, which python3 lacks.
        let control = "Source: linux\nBuild-Depends: kernel-package, python, bc\n";
        let rules = "#!/usr/bin/make -f\nbuild:\n\tpython debian/bin/gen.py\n\tcd build && make-kpkg --initrd kernel_image\n";
        let files = [
            ("debian/control", control),
            ("debian/rules", rules),
            ("debian/changelog", CHANGELOG),
        ];
        let (d, _) = lint_memory_rule(&files, "obsolete-build-dep");
        assert_eq!(d.len(), 2);
        assert!(d[0].fix.is_none(), "{:?}", d[0].fix);
        assert!(d[0].notes.iter().any(|n| n.message.contains("make-kpkg")));
        let safe = &fix_memory_selected(&files, &["obsolete-build-dep"], false)[0].1;
        assert_eq!(safe, control);
        let all = &fix_memory_selected(&files, &["obsolete-build-dep"], true)[0].1;
        assert_eq!(
            all,
            "Source: linux\nBuild-Depends: kernel-package, python3, bc\n"
        );
    }

    #[test]
    fn a_distribution_kpkg_lint_does_not_know_makes_the_release_an_assumption() {
        // A vendor's own suite: the default release is assumed, so nothing is an
        // error and no fix is safe; the note points at the changelog entry.
        let changelog = "linux (3.13.11-1+v1) orbit; urgency=low\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n";
        let control = "Source: linux\nBuild-Depends: module-init-tools, bc\n";
        let files = [("debian/control", control), ("debian/changelog", changelog)];
        let (d, _) = lint_memory_rule(&files, "obsolete-build-dep");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(d[0].notes.iter().any(|n| n.message.contains("`orbit`")));
        assert_eq!(
            fix_memory_selected(&files, &["obsolete-build-dep"], false)[0].1,
            control
        );
        assert_eq!(
            fix_memory_selected(&files, &["obsolete-build-dep"], true)[0].1,
            "Source: linux\nBuild-Depends: kmod, bc\n"
        );
    }

    #[test]
    fn older_releases_and_later_alternatives_are_left_alone() {
        let control = "Source: linux\nBuild-Depends: dh-systemd, bc | python\n";
        let old = CHANGELOG.replace("bookworm", "jessie");
        let (d, _) = lint_memory_rule(
            &[("debian/control", control), ("debian/changelog", &old)],
            "obsolete-build-dep",
        );
        assert!(d.is_empty(), "dh-systemd is the real package in jessie");
        let (d, _) = lint_memory_rule(
            &[("debian/control", control), ("debian/changelog", CHANGELOG)],
            "obsolete-build-dep",
        );
        assert_eq!(d.len(), 1, "python is a fallback alternative");
    }

    /// (severity, message) of each finding for `control` in `release`.
    fn findings(control: &str, release: &str) -> Vec<(Severity, String)> {
        let changelog = CHANGELOG.replace("bookworm", release);
        let (d, _) = lint_memory_rule(
            &[
                ("debian/control", control),
                ("debian/changelog", &changelog),
            ],
            "obsolete-build-dep",
        );
        d.into_iter().map(|d| (d.severity, d.message)).collect()
    }

    #[test]
    fn severity_is_what_the_chroot_makes_of_it() {
        use Severity::*;
        let control =
            "Source: linux\nBuild-Depends: dh-systemd, libunwind8-dev, e2fslibs-dev (>= 1.42)\n";
        // Debian's releases in their order: dh-systemd transitional from stretch,
        // gone from bullseye.
        let sev =
            |r: &str| -> Vec<Severity> { findings(control, r).into_iter().map(|f| f.0).collect() };
        assert_eq!(sev("stretch"), [Warning]);
        assert_eq!(sev("buster"), [Warning]);
        // An old name (a Provides of a real package) installs: a warning, even
        // versioned when the Provides carries a version.
        assert_eq!(sev("bookworm"), [Error, Warning, Warning]);
        let f = findings(control, "bookworm");
        assert!(
            f[0].1
                .contains("no longer exists in bookworm (since bullseye)"),
            "{}",
            f[0].1
        );
        assert!(
            f[1].1.contains(
                "`libunwind8-dev` is an old name in bookworm, only provided by `libunwind-dev`"
            ),
            "{}",
            f[1].1
        );
        // A versioned relation on an unversioned Provides can never be satisfied.
        let f = findings(
            "Source: linux\nBuild-Depends: libunwind8-dev (>= 1.2)\n",
            "trixie",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, Error);
        assert!(
            f[0].1.contains(
                "`libunwind8-dev (>= 1.2)` cannot be installed in trixie (since bookworm)"
            ),
            "{}",
            f[0].1
        );
    }

    #[test]
    fn ubuntu_series_are_compared_with_ubuntu_series() {
        use Severity::*;
        let control = "Source: linux\nBuild-Depends: dh-systemd\n";
        assert_eq!(findings(control, "xenial"), []);
        for r in ["bionic", "focal", "groovy"] {
            let f = findings(control, r);
            assert_eq!(f.len(), 1, "{r}");
            assert_eq!(f[0].0, Warning, "{r}");
            assert!(
                f[0].1
                    .contains(&format!("only a transitional package in {r}")),
                "{}",
                f[0].1
            );
        }
        for r in ["hirsute", "jammy", "noble"] {
            assert_eq!(findings(control, r)[0].0, Error, "{r}");
        }
        // libunwind8-dev: still a package in focal, only a Provides of
        // libunwind-dev from jammy on (Ubuntu's own 6.x kernels name it).
        let unwind = "Source: linux\nBuild-Depends: libunwind8-dev [amd64 arm64] <!stage1>\n";
        assert_eq!(findings(unwind, "focal"), []);
        for r in ["jammy", "noble", "questing"] {
            let f = findings(unwind, r);
            assert_eq!(f.len(), 1, "{r}");
            assert_eq!(f[0].0, Warning, "{r}");
            assert!(
                f[0].1.contains("only provided by `libunwind-dev`"),
                "{}",
                f[0].1
            );
        }
        // Facts checked only for Debian say nothing about Ubuntu.
        assert_eq!(
            findings("Source: linux\nBuild-Depends: gcc-10\n", "noble"),
            []
        );
        assert_eq!(
            findings("Source: linux\nBuild-Depends: gcc-10\n", "trixie").len(),
            1
        );
    }

    #[test]
    fn unreleased_follows_dch_release() {
        let control = "Source: linux\nBuild-Depends: dh-systemd\n";
        let entry = |v: &str, d: &str| {
            format!("linux ({v}) {d}; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n\n")
        };
        let run = |changelog: &str| {
            let (d, tree) = lint_memory_rule(
                &[("debian/control", control), ("debian/changelog", changelog)],
                "obsolete-build-dep",
            );
            d.into_iter()
                .map(|d| {
                    let n = &d.notes[0];
                    (
                        d.severity,
                        tree.files[n.file].line_col(n.span.start).0,
                        n.message.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        // UNRELEASED above a focal entry is the next focal upload.
        let f = run(&(entry("5.4.0-2", "UNRELEASED") + &entry("5.4.0-1", "focal")));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (Severity::Warning, 7));
        // Nothing released yet: `dch --release` makes it unstable, that is sid.
        let f = run(&(entry("6.1-2", "UNRELEASED") + &entry("6.1-1", "UNRELEASED")));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (Severity::Error, 1));
        assert!(f[0].2.contains("target release is sid"), "{}", f[0].2);
        // experimental is sid too.
        let f = run(&entry("6.1-1", "experimental"));
        assert_eq!(f[0].0, Severity::Error);
    }

    /// python-minimal → python3-minimal is a rename only while nothing runs
    /// Python 2: with `python2.7` in the rules the fix is unsafe.
    #[test]
    fn rename_is_unsafe_while_the_old_program_runs() {
        let control = "Source: linux\nBuild-Depends: bc, python-minimal\n\nPackage: linux-image\nArchitecture: any\n";
        let changelog = "linux (1.0) bookworm; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n";
        let fixed_control = |rules: &str, unsafe_fixes: bool| {
            let files = [
                ("debian/control", control),
                ("debian/changelog", changelog),
                ("debian/rules", rules),
            ];
            crate::testing::fix_memory_selected(&files, &["obsolete-build-dep"], unsafe_fixes)
                .into_iter()
                .find(|(p, _)| p == "debian/control")
                .unwrap()
                .1
        };
        let runs_py2 = "#!/usr/bin/make -f\nb:\n\t$(MAKE) -C tools/perf PYTHON=python2.7\n";
        assert!(fixed_control(runs_py2, false).contains("bc, python-minimal\n"));
        assert!(fixed_control(runs_py2, true).contains("bc, python3-minimal\n"));
        for quiet in [
            "#!/usr/bin/make -f\nb:\n\t$(MAKE) PYTHON=python3\n",
            "#!/usr/bin/make -f\nb:\n\tcp /usr/lib/libpython2.7.so x\n",
        ] {
            assert!(
                fixed_control(quiet, false).contains("bc, python3-minimal\n"),
                "{quiet}"
            );
        }
        // `python-dev | python3-dev` would become `python3-dev | python3-dev`.
        let dup = "Source: linux\nBuild-Depends: bc, python-dev | python3-dev\n\nPackage: linux-image\nArchitecture: any\n";
        let files = [("debian/control", dup), ("debian/changelog", changelog)];
        let (d, _) = crate::testing::lint_memory_rule(&files, "obsolete-build-dep");
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none());
    }
}
