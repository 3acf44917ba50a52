//! `flavour-missing-abi`: no ABI baseline for a flavour.

use crate::model::flavour::UbuntuFlavours;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::FlavourMissingAbi;

pub fn check(c: &mut Checker, u: &UbuntuFlavours) {
    if !u.has_abi_dir() {
        return;
    }
    let skip = c
        .model
        .makefiles
        .keys()
        .any(|f| c.model.tree.files[*f].text.contains("skipabi"));
    if skip {
        return;
    }
    for a in &u.arch_files {
        for (flavour, span) in &a.flavours {
            let path = format!("{}/abi/{}/{flavour}", u.branch, a.arch);
            if u.abi_files.contains(&path) {
                continue;
            }
            c.report(RULE, a.file, span.clone(), format!("no ABI baseline {path}: the ABI check has nothing to compare `{flavour}` on {} with", a.arch))
                .with_help_mut("expected for the first upload of a new flavour; otherwise set skipabi=true for it or add the baseline");
        }
    }
}
