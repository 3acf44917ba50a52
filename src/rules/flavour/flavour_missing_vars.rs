//! `flavour-missing-vars`: a flavour in an arch file without `control.d/vars.<flavour>`.

use super::sibling_vars;
use crate::diagnostic::{Applicability, Fix, NewFile};
use crate::model::flavour::UbuntuFlavours;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::FlavourMissingVars;

pub fn check(c: &mut Checker, u: &UbuntuFlavours) {
    let model = c.model;
    if !u.has_control_d {
        return; // declared-flavour-without-rules says it
    }
    let mut seen: Vec<String> = Vec::new();
    for a in &u.arch_files {
        for (flavour, _) in &a.flavours {
            if u.vars_of(flavour).is_some() || seen.contains(flavour) {
                continue;
            }
            seen.push(flavour.clone());
            let listing: Vec<_> = u.arch_files.iter().filter(|x| x.lists(flavour)).collect();
            let arches: Vec<&str> = listing.iter().map(|x| x.arch.as_str()).collect();
            let rel = format!("{}/control.d/vars.{flavour}", u.branch);
            // Reported where the flavour is built: an arch file with
            // `do_flavour_image_package = false` compiles and installs none of its
            // flavours, so there a missing vars file is a residue.
            let building = listing.iter().find(|x| x.builds_images);
            let at = building.copied().unwrap_or(a);
            let Some((_, span)) = at.flavours.iter().find(|(f, _)| f == flavour) else {
                continue;
            };
            let d = match building {
                Some(_) => c.report(RULE, at.file, span.clone(), format!("flavour `{flavour}` has no {rel}: debian/control gets no packages for it (the control generation reads control.d/vars.*), so installing the flavour stops the build (dh_prep: requested unknown package)")),
                None => {
                    let d = c.report(RULE, at.file, span.clone(), format!("flavour `{flavour}` has no {rel}: harmless while {} set do_flavour_image_package = false (nothing of the flavour is built), but turned on, installing the flavour would stop the build", arches.iter().map(|a| format!("{a}.mk")).collect::<Vec<_>>().join(", ")));
                    d.severity = crate::diagnostic::Severity::Info;
                    d
                }
            };
            for other in listing.iter().filter(|x| x.file != at.file) {
                if let Some((_, s)) = other.flavours.iter().find(|(f, _)| f == flavour) {
                    d.with_note_mut(
                        other.file,
                        s.clone(),
                        format!("also listed for {}", other.arch),
                    );
                }
            }
            if building.is_none() {
                d.with_help_mut(format!("nothing to do while no arch file builds `{flavour}`; before turning images on, add {rel} or drop the flavour from the list"));
                continue;
            }
            // The new vars file declares packages for the arches that build them.
            let arches: Vec<&str> = listing
                .iter()
                .filter(|x| x.builds_images)
                .map(|x| x.arch.as_str())
                .collect();
            if let Some(sib) = sibling_vars(u, flavour, Some(&at.arch)) {
                let mut content = format!(
                    "# TODO(kpkg-lint): derived from vars.{}; review supported, target and desc.\n",
                    sib.flavour
                );
                let sib_text = &model.tree.files[sib.file].text;
                for line in sib_text.lines() {
                    if line.trim_start().starts_with("arch=") {
                        content.push_str(&format!("arch=\"{}\"\n", arches.join(" ")));
                    } else {
                        content.push_str(line);
                        content.push('\n');
                    }
                }
                d.with_help_mut(format!(
                    "create {rel}; the fix copies vars.{} with arch=\"{}\" for you to review",
                    sib.flavour,
                    arches.join(" ")
                ));
                d.with_fix_mut(Fix {
                    description: format!("create vars.{flavour} from vars.{}", sib.flavour),
                    applicability: Applicability::Unsafe,
                    edits: vec![],
                    new_files: vec![NewFile { rel, content }],
                });
            } else {
                d.with_help_mut(format!(
                    "create {rel} with arch, supported, target, desc and bootloader"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::acme::{AMD64, ENV, VARS};
    use crate::testing::{found, lint_memory_rule};

    #[test]
    fn a_listed_flavour_without_vars_fires_once() {
        let files = [
            ENV,
            (
                "debian.acme/rules.d/amd64.mk",
                &*AMD64.replace("flavours = generic", "flavours = generic tickless"),
            ),
            (
                "debian.acme/rules.d/arm64.mk",
                "build_arch = arm64\nflavours = tickless\n",
            ),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-missing-vars");
        assert_eq!(
            found(&d, &tree),
            [(
                "flavour-missing-vars",
                "debian.acme/rules.d/amd64.mk",
                2,
                20
            )]
        );
        assert_eq!(d[0].notes.len(), 1, "arm64.mk lists it too");
        let new = &d[0].fix.as_ref().unwrap().new_files[0];
        assert_eq!(new.rel, "debian.acme/control.d/vars.tickless");
        assert!(
            new.content.contains("arch=\"amd64 arm64\""),
            "{}",
            new.content
        );
    }

    /// An arch file with `do_flavour_image_package = false` builds none of its
    /// flavours (Ubuntu's lowlatency branch keeps master's `flavours = generic` in
    /// i386.mk): a residue, reported as advice; where a listing arch builds images,
    /// the finding is there, and the new vars file names only the building arches.
    #[test]
    fn arch_files_that_build_no_images() {
        let off =
            "build_arch = i386\nflavours = generic tickless\ndo_flavour_image_package = false\n";
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", AMD64),
            ("debian.acme/rules.d/i386.mk", off),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-missing-vars");
        assert_eq!(
            found(&d, &tree),
            [("flavour-missing-vars", "debian.acme/rules.d/i386.mk", 2, 20)]
        );
        assert_eq!(d[0].severity, crate::diagnostic::Severity::Info);
        assert!(d[0].fix.is_none());
        let amd64 = AMD64.replace("flavours = generic", "flavours = generic tickless");
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", amd64.as_str()),
            ("debian.acme/rules.d/i386.mk", off),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-missing-vars");
        assert_eq!(
            found(&d, &tree),
            [(
                "flavour-missing-vars",
                "debian.acme/rules.d/amd64.mk",
                2,
                20
            )]
        );
        assert_eq!(d[0].severity, crate::diagnostic::Severity::Error);
        let new = &d[0].fix.as_ref().unwrap().new_files[0];
        assert!(new.content.contains("arch=\"amd64\"\n"), "{}", new.content);
    }

    #[test]
    fn every_vars_file_present_or_no_control_d_does_not_fire() {
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", AMD64),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-missing-vars");
        assert_eq!(found(&d, &tree), []);
        // Without control.d/ at all, declared-flavour-without-rules reports it.
        let (d, tree) = lint_memory_rule(
            &[ENV, ("debian.acme/rules.d/amd64.mk", AMD64)],
            "flavour-missing-vars",
        );
        assert_eq!(found(&d, &tree), []);
    }
}
