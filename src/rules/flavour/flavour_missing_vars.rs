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
