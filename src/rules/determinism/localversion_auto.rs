//! `localversion-auto`: `CONFIG_LOCALVERSION_AUTO=y` in the packaged configuration.

use crate::diagnostic::{Edit, Fix};
use crate::model::FileKind;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::LocalversionAuto;

pub fn check(c: &mut Checker) {
    let model = c.model;
    if model.kernel_release_pinned().is_some() {
        return;
    }
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

#[cfg(test)]
mod tests {
    use crate::testing::{found, lint_memory_rule};

    #[test]
    fn enabled_in_a_config_fragment_fires_with_a_fix() {
        let config = "## Acme board options\nCONFIG_LOCALVERSION=\"-acme\"\nCONFIG_LOCALVERSION_AUTO=y\nCONFIG_MODULES=y\n";
        let (d, tree) = lint_memory_rule(&[("debian/config/config", config)], "localversion-auto");
        assert_eq!(
            found(&d, &tree),
            [("localversion-auto", "debian/config/config", 3, 1)]
        );
        let fix = d[0]
            .fix
            .as_ref()
            .expect("a config fragment is fixed in place");
        assert_eq!(
            fix.edits[0].content,
            "# CONFIG_LOCALVERSION_AUTO is not set"
        );
    }

    #[test]
    fn disabled_or_other_localversion_options_do_not_fire() {
        let config = "CONFIG_LOCALVERSION=\"-acme\"\n# CONFIG_LOCALVERSION_AUTO is not set\nCONFIG_LOCALVERSION_AUTO_SUFFIX=y\n";
        let (d, tree) = lint_memory_rule(&[("debian/config/config", config)], "localversion-auto");
        assert_eq!(found(&d, &tree), []);
    }

    /// The release is the packaging's when it overrides KERNELRELEASE for the
    /// kernel's make; a plain note in a comment or an unrelated echo is not it.
    #[test]
    fn an_override_of_the_release_silences_it() {
        let config = "CONFIG_LOCALVERSION_AUTO=y\n";
        let pinned =
            "setup:\n\techo 'override KERNELRELEASE = $(ABINAME)' >> '$(DIR)/.kernelvariables'\n";
        let (d, _) = lint_memory_rule(
            &[("debian/config/config", config), ("debian/rules", pinned)],
            "localversion-auto",
        );
        assert!(d.is_empty(), "{d:?}");
        let unrelated =
            "# override KERNELRELEASE = x\nsetup:\n\techo 'KERNELRELEASE is $(ABINAME)'\n";
        let (d, _) = lint_memory_rule(
            &[
                ("debian/config/config", config),
                ("debian/rules", unrelated),
            ],
            "localversion-auto",
        );
        assert_eq!(d.len(), 1);
    }
}
