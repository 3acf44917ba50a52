//! `localversion-auto`: `CONFIG_LOCALVERSION_AUTO=y` in the packaged configuration.

use crate::diagnostic::{Edit, Fix};
use crate::model::FileKind;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::LocalversionAuto;

pub fn check(c: &mut Checker) {
    let model = c.model;
    let hits: Vec<_> = model
        .kconfig
        .iter()
        .filter(|s| s.name == "CONFIG_LOCALVERSION_AUTO" && s.values().any(|(_, v)| v == "y"))
        .cloned()
        .collect();
    for s in hits {
        let d = c.report(
            RULE,
            s.file,
            s.span.clone(),
            "CONFIG_LOCALVERSION_AUTO=y appends the git commit (-gXXXXXXXX) to the kernel release when the tree is a git checkout: the release string, vermagic and every module change with each commit",
        );
        d.with_help_mut(
            "packages set the version themselves (LOCALVERSION, KERNELRELEASE): turn it off",
        );
        if crate::model::classify(&model.tree.files[s.file].rel) == FileKind::KernelConfig {
            d.with_fix_mut(Fix::safe(
                "disable CONFIG_LOCALVERSION_AUTO",
                vec![Edit::replace(
                    s.file,
                    s.span.clone(),
                    "# CONFIG_LOCALVERSION_AUTO is not set",
                )],
            ));
        }
    }
}
