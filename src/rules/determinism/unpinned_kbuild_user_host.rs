//! `unpinned-kbuild-user-host`: `KBUILD_BUILD_USER`/`KBUILD_BUILD_HOST` unset.

use super::{by_carrier, directive_insertion, insert_settings, setting};
use crate::diagnostic::{Edit, Fix};
use crate::registry::Rule;
use crate::rules::kernel_make::{note_chain, MakeCall};
use crate::rules::Checker;
use crate::source::FileId;

const RULE: Rule = Rule::UnpinnedKbuildUserHost;

/// The user a build gets: `buildd`, the build daemon's login on Debian's and
/// Ubuntu's builders (Ubuntu kernels report `buildd@<builder>` in /proc/version),
/// never a person's. The host: the distribution's name where the tree gives one
/// (a literal `DISTRIBUTOR`, an Ubuntu branch tree), else `localhost`. The
/// Maintainer address is not used: it is often a person's, and a value baked
/// into every kernel built from the tree.
fn identity(c: &Checker) -> (String, String) {
    let model = c.model;
    let word = |v: &str| {
        let v = v.trim().trim_matches('"').to_ascii_lowercase();
        (!v.is_empty()
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .then_some(v)
    };
    let distributor = model
        .programs
        .iter()
        .find_map(|p| p.value("DISTRIBUTOR").filter(|e| e.certain))
        .and_then(|e| word(&e.text));
    let host = distributor
        .or_else(|| model.tree.branch_dir.as_ref().map(|_| "ubuntu".to_string()))
        .unwrap_or_else(|| "localhost".to_string());
    ("buildd".to_string(), host)
}

/// A makefile others build with: outside the package's own `debian/` (and
/// Ubuntu's `debian.<branch>/`), like kernel-package's rulesets that make-kpkg
/// runs in every user's kernel tree.
fn is_template(rel: &str) -> bool {
    !(rel.starts_with("debian/") || rel.starts_with("debian.") || !rel.contains('/'))
}

pub fn check(c: &mut Checker, builds: &[&MakeCall]) {
    let model = c.model;
    let (user, host) = identity(c);
    let mut defaults_added: Vec<FileId> = vec![];
    for (carrier, calls) in by_carrier(model, builds) {
        let first = calls[0];
        let missing: Vec<&str> = ["KBUILD_BUILD_USER", "KBUILD_BUILD_HOST"]
            .into_iter()
            .filter(|n| setting(model, first, n).is_none())
            .collect();
        if missing.is_empty() {
            continue;
        }
        let what = match &carrier.variable {
            Some(_) => carrier.subject(),
            None => first.subject(),
        };
        let d = c.report(
            RULE,
            carrier.file,
            carrier.span.clone(),
            format!("{what} runs without {}: the login and host name of whoever builds go into compile.h and /proc/version", missing.join(" and ")),
        );
        let value = |n: &str| {
            if n == "KBUILD_BUILD_USER" {
                &user
            } else {
                &host
            }
        };
        let template = is_template(model.file_rel(carrier.file));
        let settings: Vec<String> = missing
            .iter()
            .map(|n| {
                if template {
                    format!("{n}=$({n})")
                } else {
                    format!("{n}={}", value(n))
                }
            })
            .collect();
        note_chain(model, d, &calls);
        let mut edits = vec![insert_settings(&carrier, &settings.join(" "))];
        if template {
            d.with_help_mut(format!(
                "{} is a template others build with: give the values as variables they can override (`{}`)",
                model.file_rel(carrier.file),
                missing
                    .iter()
                    .map(|n| format!("{n} ?= {}", value(n)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            if !defaults_added.contains(&carrier.file) {
                defaults_added.push(carrier.file);
                let defaults: String = missing
                    .iter()
                    .map(|n| format!("{n} ?= {}\n", value(n)))
                    .collect();
                edits.push(Edit::insert(
                    carrier.file,
                    directive_insertion(model, carrier.file),
                    defaults,
                ));
            }
        } else {
            d.with_help_mut(format!("set {}", settings.join(" ")));
        }
        d.with_fix_mut(Fix::safe("pin the build user and host", edits));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{fix_memory_selected, lint_memory_rule};

    fn fixed(files: &[(&str, &str)], path: &str) -> String {
        let out = fix_memory_selected(files, &["unpinned-kbuild-user-host"], false);
        out.into_iter().find(|(p, _)| p == path).unwrap().1
    }

    /// Never the Maintainer's (or anyone's) address: `buildd` and the
    /// distribution's name where the tree gives one, else `localhost`.
    #[test]
    fn neutral_values_not_the_maintainer() {
        let control = "Source: linux\nMaintainer: Dana Tinkerer <dana@example.org>\nBuild-Depends: bc\n\nPackage: linux-image\nArchitecture: any\nDescription: x\n x\n";
        let rules = "#!/usr/bin/make -f\nbuild:\n\t$(MAKE) bindeb-pkg\n";
        let files = [("debian/control", control), ("debian/rules", rules)];
        assert_eq!(
            lint_memory_rule(&files, "unpinned-kbuild-user-host")
                .0
                .len(),
            1
        );
        let out = fixed(&files, "debian/rules");
        assert!(
            out.contains("$(MAKE) KBUILD_BUILD_USER=buildd KBUILD_BUILD_HOST=localhost bindeb-pkg"),
            "{out}"
        );
        assert!(!out.contains("dana"), "{out}");
        let with_distributor =
            "#!/usr/bin/make -f\nDISTRIBUTOR := Acme\nbuild:\n\t$(MAKE) bindeb-pkg\n";
        let files = [
            ("debian/control", control),
            ("debian/rules", with_distributor),
        ];
        let out = fixed(&files, "debian/rules");
        assert!(
            out.contains("KBUILD_BUILD_USER=buildd KBUILD_BUILD_HOST=acme "),
            "{out}"
        );
    }

    /// A ruleset others build with gets variables they can override, defined
    /// once per file before its first rule.
    #[test]
    fn template_gets_overridable_variables() {
        let control = "Source: kernel-package\nMaintainer: Dana Tinkerer <dana@example.org>\nBuild-Depends: bc\n\nPackage: kernel-package\nArchitecture: all\nDescription: x\n x\n";
        let ruleset = "# ruleset\nARCH_ARG = ARCH=x86\n\nbuild: $(STAMP)\n\t$(MAKE) $(ARCH_ARG) bzImage\n\t$(MAKE) $(ARCH_ARG) modules\n";
        let files = [
            ("debian/control", control),
            ("debian/rules", "#!/usr/bin/make -f\n%:\n\tdh $@\n"),
            (
                "kernel/rules",
                "#!/usr/bin/make -f\ninclude ruleset/targets.mk\n",
            ),
            ("kernel/ruleset/targets.mk", ruleset),
        ];
        let out = fixed(&files, "kernel/ruleset/targets.mk");
        assert_eq!(
            out,
            "# ruleset\nARCH_ARG = ARCH=x86\n\nKBUILD_BUILD_USER ?= buildd\nKBUILD_BUILD_HOST ?= localhost\nbuild: $(STAMP)\n\t$(MAKE) KBUILD_BUILD_USER=$(KBUILD_BUILD_USER) KBUILD_BUILD_HOST=$(KBUILD_BUILD_HOST) $(ARCH_ARG) bzImage\n\t$(MAKE) KBUILD_BUILD_USER=$(KBUILD_BUILD_USER) KBUILD_BUILD_HOST=$(KBUILD_BUILD_HOST) $(ARCH_ARG) modules\n"
        );
    }
}
