//! `debian-flavour-incomplete`: a Debian flavour without its description, or naming
//! config fragments that do not exist (`defines.toml`, and the older INI `defines`).

use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::DebianFlavourIncomplete;

pub fn check(c: &mut Checker) {
    let model = c.model;
    for fl in &model.debian_flavours {
        let mut problems = Vec::new();
        if !fl.missing_keys.is_empty() {
            problems.push(format!("no description {}", fl.missing_keys.join(" or ")));
        }
        let absent: Vec<&String> = fl
            .configs
            .iter()
            .filter(|p| model.tree.file(&format!("debian/config/{p}")).is_none())
            .collect();
        if !absent.is_empty() {
            problems.push(format!(
                "config fragments that do not exist: {}",
                absent
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if problems.is_empty() {
            continue;
        }
        c.report(RULE, fl.file, fl.span.clone(), format!("flavour `{}` has {}: gencontrol fails or the image package has no description", fl.name, problems.join(", and ")))
            .with_help_mut("give every flavour description.hardware and hardware_long, and point build.config at files under debian/config/");
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{found, lint_memory_rule};

    const TOML: &str = "[[kernelarch]]\nname = 'x86'\n\n[[kernelarch.debianarch]]\nname = 'amd64'\n\n[[kernelarch.debianarch.flavour]]\nname = 'amd64'\n[kernelarch.debianarch.flavour.description]\nhardware = '64-bit PCs'\nhardware_long = 'PCs with AMD64, Intel 64 or VIA Nano processors'\n\n[[kernelarch.debianarch.flavour]]\nname = 'acme-amd64'\n[kernelarch.debianarch.flavour.description]\nhardware = 'Acme appliances'\n[kernelarch.debianarch.flavour.build]\nconfig = ['config.acme']\n";

    #[test]
    fn a_toml_flavour_without_hardware_long_and_its_config_fires() {
        let files = [("debian/config/defines.toml", TOML)];
        let (d, tree) = lint_memory_rule(&files, "debian-flavour-incomplete");
        assert_eq!(
            found(&d, &tree),
            [(
                "debian-flavour-incomplete",
                "debian/config/defines.toml",
                14,
                1
            )]
        );
        let m = &d[0].message;
        assert!(
            m.contains("no description hardware_long") && m.contains("do not exist: config.acme"),
            "{m}"
        );
    }

    #[test]
    fn an_ini_flavour_without_a_description_fires() {
        let ini = "[base]\nflavours:\n amd64\n acme-amd64\n\n[amd64_description]\nhardware: 64-bit PCs\nhardware-long: PCs with AMD64 processors\n\n[acme-amd64_description]\nhardware: Acme appliances\n";
        let (d, tree) = lint_memory_rule(
            &[("debian/config/amd64/defines", ini)],
            "debian-flavour-incomplete",
        );
        assert_eq!(
            found(&d, &tree),
            [(
                "debian-flavour-incomplete",
                "debian/config/amd64/defines",
                4,
                1
            )]
        );
    }

    #[test]
    fn complete_flavours_do_not_fire() {
        let complete = TOML.replace(
            "hardware = 'Acme appliances'\n",
            "hardware = 'Acme appliances'\nhardware_long = 'Acme Corp. network appliances'\n",
        );
        let files = [
            ("debian/config/defines.toml", &*complete),
            ("debian/config/config.acme", "CONFIG_ACME_BOARD=y\n"),
        ];
        let (d, tree) = lint_memory_rule(&files, "debian-flavour-incomplete");
        assert_eq!(found(&d, &tree), []);
        // A defines file outside debian/config/ is not the kernel's.
        let (d, tree) = lint_memory_rule(
            &[("debian/defines.toml", TOML)],
            "debian-flavour-incomplete",
        );
        assert_eq!(found(&d, &tree), []);
    }
}
