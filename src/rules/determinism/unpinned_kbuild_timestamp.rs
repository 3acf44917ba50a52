//! `unpinned-kbuild-timestamp`: the kernel make runs without a fixed, parseable
//! `KBUILD_BUILD_TIMESTAMP`.

use super::{by_carrier, insert_settings, setting};
use crate::diagnostic::{Edit, Fix};
use crate::model::program::Program;
use crate::model::Model;
use crate::registry::Rule;
use crate::rules::kernel_make::{
    includes_system_makefile, note_chain, system_include_edit, MakeCall,
};
use crate::rules::Checker;
use crate::source::{FileId, Span};

const RULE: Rule = Rule::UnpinnedKbuildTimestamp;
pub const TIMESTAMP: &str = "KBUILD_BUILD_TIMESTAMP=@$(SOURCE_DATE_EPOCH)";

/// Would `date -d` accept this value? `@epoch`, `$(SOURCE_DATE_EPOCH)`-based values,
/// `$(shell date …)` and the changelog date as `dpkg-parsechangelog` prints it
/// (RFC 2822, what `date -R` writes, which `date -d` and `tar --mtime` parse) are
/// trusted; free text with words is not.
pub fn parseable(value: &str) -> bool {
    let v = crate::model::shell::unquote(value);
    let v = v.trim();
    if v.is_empty()
        || v.starts_with('@')
        || v.contains("SOURCE_DATE_EPOCH")
        || v.starts_with("$(shell date")
        || v.starts_with("$(shell LC_ALL=C date")
        || changelog_date(v)
    {
        return true;
    }
    // ISO-like dates: digits, separators and at most a zone word.
    let words: Vec<&str> = v.split_whitespace().collect();
    let datey = |w: &str| {
        w.chars()
            .all(|c| c.is_ascii_digit() || "-:T+.Z".contains(c))
    };
    words
        .iter()
        .all(|w| datey(w) || matches!(*w, "UTC" | "GMT"))
}

/// `$(shell dpkg-parsechangelog -SDate)` and its other spellings, alone.
fn changelog_date(v: &str) -> bool {
    let Some(cmd) = v.strip_prefix("$(shell ").and_then(|r| r.strip_suffix(')')) else {
        return false;
    };
    let words: Vec<&str> = cmd.split_whitespace().collect();
    words.first() == Some(&"dpkg-parsechangelog")
        && (words
            .windows(2)
            .any(|w| matches!(w, ["-S", "Date"] | ["--show-field", "Date"]))
            || words
                .iter()
                .any(|w| matches!(*w, "-SDate" | "--show-field=Date")))
        && !cmd.contains(['|', ';', '`'])
}

pub fn check(c: &mut Checker, builds: &[&MakeCall]) {
    let model = c.model;
    let old_dpkg = crate::knowledge::dpkg_has_source_date_epoch(&c.release.codename) == Some(false);
    // A release only assumed (the changelog names a suite kpkg-lint does not know)
    // may be older than any dpkg the tables know: no pkg-info.mk, no `-S`.
    let assumed = c.release.assumed();
    let mut reported: Vec<(FileId, Span)> = Vec::new();
    for (carrier, calls) in by_carrier(model, builds) {
        let first = calls[0];
        match setting(model, first, "KBUILD_BUILD_TIMESTAMP") {
            Some(s) if parseable(&s.value) => {}
            Some(s) => {
                // One finding for the assignment, however many makes use it.
                if reported.contains(&(s.file, s.span.clone())) {
                    continue;
                }
                reported.push((s.file, s.span.clone()));
                let d = c.report(
                    RULE,
                    s.file,
                    s.span.clone(),
                    format!("KBUILD_BUILD_TIMESTAMP is {}, which `date -d` cannot parse: the built-in initramfs (`date -d \"$KBUILD_BUILD_TIMESTAMP\" || :`) falls back to the build time, and gen_kheaders.sh's `tar --mtime` to a bogus one", s.value),
                );
                d.with_help_mut("use `KBUILD_BUILD_TIMESTAMP=@$(SOURCE_DATE_EPOCH)` (from /usr/share/dpkg/pkg-info.mk); put free text in KBUILD_BUILD_VERSION instead");
                note_chain(model, d, &calls);
            }
            None => {
                let program = &model.programs[first.program];
                let what = match &carrier.variable {
                    Some(_) => carrier.subject(),
                    None => first.subject(),
                };
                let message = match setting(model, first, "KBUILD_BUILD_VERSION_TIMESTAMP") {
                    Some(_) => format!("{what} sets KBUILD_BUILD_VERSION_TIMESTAMP, which pins `uname -v` only, and no KBUILD_BUILD_TIMESTAMP: the built-in initramfs gets the build time as its mtimes, so no two builds produce the same vmlinux"),
                    None => format!("{what} runs without KBUILD_BUILD_TIMESTAMP: the build time goes into compile.h and `uname -v`, so no two builds produce the same vmlinux"),
                };
                let d = c.report(RULE, carrier.file, carrier.span.clone(), message);
                note_chain(model, d, &calls);
                d.with_help_mut("pin it to the changelog date: `KBUILD_BUILD_TIMESTAMP=@$(SOURCE_DATE_EPOCH)` with /usr/share/dpkg/pkg-info.mk");
                let mut edits = vec![insert_settings(&carrier, TIMESTAMP)];
                if !includes_system_makefile(program, "pkg-info.mk")
                    && !includes_system_makefile(program, "default.mk")
                    && !program.defines("SOURCE_DATE_EPOCH")
                {
                    match ubuntu_changelog_epoch(model, program) {
                        Some(edit) => edits.push(edit),
                        None if old_dpkg || assumed => {
                            edits.extend(changelog_epoch_edit(model, program, assumed))
                        }
                        None => edits.extend(system_include_edit(
                            model,
                            program,
                            "/usr/share/dpkg/pkg-info.mk",
                        )),
                    }
                }
                d.with_fix_mut(Fix::safe(
                    "pin KBUILD_BUILD_TIMESTAMP to SOURCE_DATE_EPOCH",
                    edits,
                ));
            }
        }
    }
}

/// Ubuntu trees keep their changelog in `$(DEBIAN)/changelog` and write
/// `debian/changelog` only in `clean` (`cp $(DEBIAN)/changelog debian/changelog`),
/// so pkg-info.mk, which reads `debian/changelog`, has nothing to read before
/// that. The date comes from the branch changelog instead, the way the tree
/// already reads its version (`dpkg-parsechangelog -l$(DEBIAN)/changelog -S…`);
/// `ifndef` keeps the SOURCE_DATE_EPOCH dpkg-buildpackage exports, and `:=` runs
/// dpkg-parsechangelog once, not at every expansion of the kernel make. The
/// block goes right after `DEBIAN`'s assignment, at top level.
fn ubuntu_changelog_epoch(model: &Model, program: &Program) -> Option<Edit> {
    let branch = model.tree.branch_dir.as_deref()?;
    let changelog = format!("{branch}/changelog");
    model.tree.files.iter().find(|f| f.rel == changelog)?;
    let def = program
        .vars
        .get("DEBIAN")?
        .iter()
        .find(|d| !d.conditional && d.at.file == program.root)?;
    let stmt = model.stmt(def.at);
    if stmt.cond_depth > 0 {
        return None;
    }
    let f = &model.tree.files[def.at.file];
    let end = stmt.span.end;
    let (at, prefix) = if end < f.bytes().len() {
        (end + 1, "")
    } else {
        (end, "\n")
    };
    Some(Edit::insert(
        def.at.file,
        at,
        format!("{prefix}{}", epoch_block("-l$(DEBIAN)/changelog ")),
    ))
}

/// SOURCE_DATE_EPOCH from the changelog's date, for every dpkg: `-S` (dpkg
/// 1.17.0) and `Date`, turned into seconds by `date`, rather than the
/// `Timestamp` field that dpkg 1.18.8 added (xenial's 1.18.4 prints nothing
/// for it). `ifndef` keeps a value dpkg-buildpackage exports; `:=` runs the
/// commands once.
fn epoch_block(changelog_option: &str) -> String {
    format!("ifndef SOURCE_DATE_EPOCH\nSOURCE_DATE_EPOCH := $(shell date -d \"$$(dpkg-parsechangelog {changelog_option}-SDate)\" +%s)\nendif\n")
}

/// The same for any dpkg at all: the `Date:` line of plain `dpkg-parsechangelog`
/// output (`-S` needs dpkg 1.17.0, pkg-info.mk 1.16.1).
fn portable_epoch_block() -> String {
    "ifndef SOURCE_DATE_EPOCH\nSOURCE_DATE_EPOCH := $(shell date -d \"$$(dpkg-parsechangelog | sed -n 's/^Date: //p')\" +%s)\nendif\n".to_string()
}

/// For a release whose dpkg sets no SOURCE_DATE_EPOCH (pkg-info.mk has none
/// before dpkg 1.18.8), or that is only assumed (`portable`): the epoch block
/// where a system include would go.
fn changelog_epoch_edit(model: &Model, program: &Program, portable: bool) -> Option<Edit> {
    let include = system_include_edit(model, program, "/usr/share/dpkg/pkg-info.mk")?;
    let block = if portable {
        portable_epoch_block()
    } else {
        epoch_block("")
    };
    let content = match include
        .content
        .strip_suffix("include /usr/share/dpkg/pkg-info.mk\n")
    {
        Some(lead) => format!("{lead}{block}"),
        None => block,
    };
    Some(Edit { content, ..include })
}

#[cfg(test)]
mod tests {
    use super::parseable;
    use crate::testing::{fix_memory_selected, lint_memory_rule};

    #[test]
    fn what_date_accepts() {
        for ok in [
            "@$(SOURCE_DATE_EPOCH)",
            "\"@1700000000\"",
            "2024-01-01T00:00:00Z",
            "$(shell date -u -d @$(T))",
            "\"$(shell dpkg-parsechangelog -SDate)\"",
            "$(shell dpkg-parsechangelog -S Date)",
            "$(shell dpkg-parsechangelog -l$(DEBIAN)/changelog --show-field=Date)",
        ] {
            assert!(parseable(ok), "{ok}");
        }
        for bad in [
            "\"Acme Linux $(DEB_VERSION) ($(DEB_DISTRIBUTION))\"",
            "Debian 6.1.115-1",
            "$(shell dpkg-parsechangelog -SVersion)",
            "$(shell dpkg-parsechangelog -SDate | tr a-z A-Z)",
            "Acme ($(shell dpkg-parsechangelog -SDate))",
        ] {
            assert!(!parseable(bad), "{bad}");
        }
    }

    #[test]
    fn old_dpkg_gets_the_epoch_from_the_changelog_date() {
        let rules = "#!/usr/bin/make -f\n# build the kernel\nb:\n\t$(MAKE) ARCH=x86 bzImage\n";
        let changelog = |dist: &str| {
            format!("linux (4.4.0-1) {dist}; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n")
        };
        // xenial's dpkg 1.18.4: pkg-info.mk sets no SOURCE_DATE_EPOCH yet.
        let xenial = changelog("xenial");
        let files = [
            ("debian/rules", rules),
            ("debian/changelog", xenial.as_str()),
        ];
        let fixed = fix_memory_selected(&files, &["unpinned-kbuild-timestamp"], false);
        let out = &fixed.iter().find(|(p, _)| p == "debian/rules").unwrap().1;
        assert!(!out.contains("pkg-info.mk"), "{out}");
        assert!(
            out.starts_with("#!/usr/bin/make -f\n# build the kernel\nifndef SOURCE_DATE_EPOCH\nSOURCE_DATE_EPOCH := $(shell date -d \"$$(dpkg-parsechangelog -SDate)\" +%s)\nendif\nb:\n"),
            "{out}"
        );
        // bionic's dpkg 1.19: pkg-info.mk does it.
        let bionic = changelog("bionic");
        let files = [
            ("debian/rules", rules),
            ("debian/changelog", bionic.as_str()),
        ];
        let fixed = fix_memory_selected(&files, &["unpinned-kbuild-timestamp"], false);
        let out = &fixed.iter().find(|(p, _)| p == "debian/rules").unwrap().1;
        assert!(
            out.contains("include /usr/share/dpkg/pkg-info.mk\n"),
            "{out}"
        );
        // A vendor suite: the release is only assumed, so neither pkg-info.mk
        // (dpkg 1.16.1) nor `-S` (dpkg 1.17.0) is taken for granted.
        let vendor = changelog("orbit");
        let files = [
            ("debian/rules", rules),
            ("debian/changelog", vendor.as_str()),
        ];
        let fixed = fix_memory_selected(&files, &["unpinned-kbuild-timestamp"], false);
        let out = &fixed.iter().find(|(p, _)| p == "debian/rules").unwrap().1;
        assert!(
            out.starts_with("#!/usr/bin/make -f\n# build the kernel\nifndef SOURCE_DATE_EPOCH\nSOURCE_DATE_EPOCH := $(shell date -d \"$$(dpkg-parsechangelog | sed -n 's/^Date: //p')\" +%s)\nendif\nb:\n"),
            "{out}"
        );
    }

    #[test]
    fn fixes_the_carrier_variable_once() {
        let files = [("debian/rules", "#!/usr/bin/make -f\nkmake = make ARCH=x86 \\\n\tLOCALVERSION=\nb:\n\t$(kmake) O=b bzImage\n\t$(kmake) O=b modules\n")];
        let (d, _) = lint_memory_rule(&files, "unpinned-kbuild-timestamp");
        assert_eq!(d.len(), 1, "one finding for the kmake variable");
        assert_eq!(d[0].notes.len(), 2);
        let fixed = &fix_memory_selected(
            &files,
            &["unpinned-kbuild-timestamp", "unpinned-kbuild-user-host"],
            false,
        )[0]
        .1;
        assert_eq!(fixed, "#!/usr/bin/make -f\ninclude /usr/share/dpkg/pkg-info.mk\nkmake = make KBUILD_BUILD_USER=buildd KBUILD_BUILD_HOST=localhost KBUILD_BUILD_TIMESTAMP=@$(SOURCE_DATE_EPOCH) ARCH=x86 \\\n\tLOCALVERSION=\nb:\n\t$(kmake) O=b bzImage\n\t$(kmake) O=b modules\n");
    }

    #[test]
    fn exported_and_env_settings_count() {
        let exported = "include /usr/share/dpkg/pkg-info.mk\nexport KBUILD_BUILD_TIMESTAMP := @$(SOURCE_DATE_EPOCH)\nb:\n\t$(MAKE) bindeb-pkg\n";
        assert!(
            lint_memory_rule(&[("debian/rules", exported)], "unpinned-kbuild-timestamp")
                .0
                .is_empty()
        );
        let env = "setup = env KBUILD_BUILD_TIMESTAMP=\"@$(SOURCE_DATE_EPOCH)\"\nb:\n\t$(setup) $(MAKE) bindeb-pkg\n";
        assert!(
            lint_memory_rule(&[("debian/rules", env)], "unpinned-kbuild-timestamp")
                .0
                .is_empty()
        );
    }
}
