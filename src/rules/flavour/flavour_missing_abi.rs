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

#[cfg(test)]
mod tests {
    use super::super::acme::{AMD64, ENV, VARS};
    use crate::testing::{found, lint_memory_rule};

    const ABI: &str = "EXPORT_SYMBOL acme_board_init vmlinux 0x1a2b3c4d\n";

    #[test]
    fn a_flavour_without_a_baseline_fires() {
        let files = [
            ENV,
            (
                "debian.acme/rules.d/amd64.mk",
                &*AMD64.replace("flavours = generic", "flavours = generic lowlatency"),
            ),
            ("debian.acme/control.d/vars.generic", VARS),
            ("debian.acme/abi/amd64/generic", ABI),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-missing-abi");
        assert_eq!(
            found(&d, &tree),
            [("flavour-missing-abi", "debian.acme/rules.d/amd64.mk", 2, 20)]
        );
        assert!(d[0].message.contains("debian.acme/abi/amd64/lowlatency"));
    }

    #[test]
    fn skipabi_or_no_abi_directory_do_not_fire() {
        let two = AMD64.replace("flavours = generic", "flavours = generic lowlatency");
        let no_abi = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", &*two),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&no_abi, "flavour-missing-abi");
        assert_eq!(found(&d, &tree), []);
        let skip = format!("{two}skipabi = true\n");
        let skipped = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", &*skip),
            ("debian.acme/control.d/vars.generic", VARS),
            ("debian.acme/abi/amd64/generic", ABI),
        ];
        let (d, tree) = lint_memory_rule(&skipped, "flavour-missing-abi");
        assert_eq!(found(&d, &tree), []);
    }
}
