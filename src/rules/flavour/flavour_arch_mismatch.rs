//! `flavour-arch-mismatch`: vars `arch=` and the arch files disagree.

use crate::diagnostic::Severity;
use crate::model::flavour::UbuntuFlavours;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::FlavourArchMismatch;

pub fn check(c: &mut Checker, u: &UbuntuFlavours) {
    for v in &u.vars {
        let Some(arch_key) = v.get("arch") else {
            continue;
        };
        for arch in v.arches() {
            let file = u.arch_files.iter().find(|a| a.arch == arch);
            if file.is_some_and(|a| a.may_list(&v.flavour) && a.builds_images) {
                continue;
            }
            let d = c.report(
                RULE,
                v.file,
                arch_key.span.clone(),
                match file {
                    Some(a) if a.lists(&v.flavour) => format!("vars.{} names {arch}, but {}/rules.d/{arch}.mk sets do_flavour_image_package = false: its `{}` packages are declared and never built", v.flavour, u.branch, v.flavour),
                    Some(_) => format!("vars.{} names {arch}, but {}/rules.d/{arch}.mk does not list `{}` in its flavours: its packages are declared and never built", v.flavour, u.branch, v.flavour),
                    None => format!("vars.{} names {arch}, but there is no {}/rules.d/{arch}.mk", v.flavour, u.branch),
                },
            );
            if let Some(a) = file {
                // The arch builds, only not this flavour: dpkg-genchanges warns
                // ("package … in control file but not in files list") and the
                // upload lacks packages nothing else built from the source needs.
                d.severity = Severity::Warning;
                if let Some(line) = &a.flavours_line {
                    d.with_note_mut(a.file, line.clone(), format!("flavours of {arch}"));
                }
            }
        }
    }
    for a in &u.arch_files {
        for (flavour, span) in &a.flavours {
            let Some(v) = u.vars_of(flavour) else {
                continue;
            };
            if v.get("arch").is_none() || v.arches().contains(&a.arch) {
                continue;
            }
            let (message, severity) = if a.builds_images {
                // Built for nothing, but the build goes on and ships what it declares.
                (format!("{}.mk builds `{flavour}`, but vars.{flavour} does not name {} in arch=: the flavour is compiled there and never packaged", a.arch, a.arch), Severity::Warning)
            } else {
                // An arch with image packages off compiles and declares none of
                // its flavours: the list is a residue (Ubuntu keeps it for the
                // config tooling), harmless until the switch is turned on.
                (format!("{}.mk lists `{flavour}`, which vars.{flavour} does not name in arch=: harmless while {}.mk sets do_flavour_image_package = false (nothing is built), but turned on, the flavour would be compiled and never packaged", a.arch, a.arch), Severity::Info)
            };
            let d = c.report(RULE, a.file, span.clone(), message);
            d.severity = severity;
            if let Some(k) = v.get("arch") {
                d.with_note_mut(v.file, k.span.clone(), "arch list of the flavour");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::acme::{AMD64, ENV, VARS};
    use crate::testing::{found, lint_memory_rule};

    #[test]
    fn vars_naming_an_arch_that_does_not_build_it_fire_both_ways() {
        let low = "arch=\"amd64 arm64\"\nsupported=\"Low latency\"\ntarget=\"Audio work.\"\ndesc=\"=HUMAN= SMP\"\nbootloader=\"grub-pc\"\n";
        let files = [
            ENV,
            (
                "debian.acme/rules.d/amd64.mk",
                &*AMD64.replace("flavours = generic", "flavours = generic lowlatency"),
            ),
            (
                "debian.acme/rules.d/arm64.mk",
                "build_arch = arm64\nflavours = generic\n",
            ),
            ("debian.acme/control.d/vars.generic", VARS),
            ("debian.acme/control.d/vars.lowlatency", low),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-arch-mismatch");
        // arm64.mk builds generic, which vars.generic does not name; and
        // vars.lowlatency names arm64, whose arch file does not list it.
        assert_eq!(
            found(&d, &tree),
            [
                (
                    "flavour-arch-mismatch",
                    "debian.acme/rules.d/arm64.mk",
                    2,
                    12
                ),
                (
                    "flavour-arch-mismatch",
                    "debian.acme/control.d/vars.lowlatency",
                    1,
                    1
                ),
            ]
        );
    }

    #[test]
    fn severity_follows_what_the_build_does() {
        use crate::diagnostic::Severity;
        let low = "arch=\"amd64 i386\"\nsupported=\"Low latency\"\n";
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", AMD64),
            // Ubuntu's shape since focal: the arch builds linux-libc-dev only, its
            // flavour list is kept for the config tooling.
            (
                "debian.acme/rules.d/i386.mk",
                "build_arch = i386\nflavours = generic lowlatency\ndo_flavour_image_package = false\n",
            ),
            (
                "debian.acme/control.d/vars.generic",
                &*VARS.replace("arch=\"amd64\"", "arch=\"amd64 arm64\""),
            ),
            ("debian.acme/control.d/vars.lowlatency", low),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-arch-mismatch");
        let mut got: Vec<_> = d
            .iter()
            .map(|d| {
                (
                    tree.files[d.file].rel.as_str(),
                    d.severity,
                    d.message.as_str(),
                )
            })
            .collect();
        got.sort_by_key(|g| (g.0.starts_with("debian.acme/rules.d"), g.0));
        assert_eq!(got.len(), 4, "{got:#?}");
        // No arm64.mk: arm64 is declared with nothing that builds it.
        assert_eq!(got[0].0, "debian.acme/control.d/vars.generic");
        assert_eq!(got[0].1, Severity::Error);
        assert!(got[0].2.contains("no debian.acme/rules.d/arm64.mk"));
        // amd64 builds, only not lowlatency; i386 builds no flavour at all: the
        // packages are declared and never built, the build goes on.
        assert_eq!(got[1].0, "debian.acme/control.d/vars.lowlatency");
        assert_eq!(got[1].1, Severity::Warning);
        assert!(got[1].2.contains("amd64.mk does not list `lowlatency`"));
        assert_eq!(got[2].1, Severity::Warning);
        assert!(got[2]
            .2
            .contains("i386.mk sets do_flavour_image_package = false"));
        // i386.mk's `generic` is neither compiled nor packaged: a residue, an info.
        assert_eq!(got[3].0, "debian.acme/rules.d/i386.mk");
        assert_eq!(got[3].1, Severity::Info);
        assert!(got[3]
            .2
            .contains("harmless while i386.mk sets do_flavour_image_package = false"));
    }

    #[test]
    fn agreeing_or_unknowable_lists_do_not_fire() {
        let both = VARS.replace("arch=\"amd64\"", "arch=\"amd64 arm64\"");
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", AMD64),
            (
                "debian.acme/rules.d/arm64.mk",
                "build_arch = arm64\nflavours = $(acme_flavours)\n",
            ),
            ("debian.acme/control.d/vars.generic", &*both),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-arch-mismatch");
        assert_eq!(found(&d, &tree), []);
    }
}
