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
        for (flavour, span) in &a.flavours {
            if u.vars_of(flavour).is_some() || seen.contains(flavour) {
                continue;
            }
            seen.push(flavour.clone());
            let arches: Vec<&str> = u
                .arch_files
                .iter()
                .filter(|x| x.lists(flavour))
                .map(|x| x.arch.as_str())
                .collect();
            let rel = format!("{}/control.d/vars.{flavour}", u.branch);
            let d = c.report(RULE, a.file, span.clone(), format!("flavour `{flavour}` has no {rel}: the control file generation for its packages fails"));
            for other in u
                .arch_files
                .iter()
                .filter(|x| x.file != a.file && x.lists(flavour))
            {
                if let Some((_, s)) = other.flavours.iter().find(|(f, _)| f == flavour) {
                    d.with_note_mut(
                        other.file,
                        s.clone(),
                        format!("also listed for {}", other.arch),
                    );
                }
            }
            if let Some(sib) = sibling_vars(u, flavour, Some(&a.arch)) {
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
