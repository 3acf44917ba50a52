//! `flavour-missing-image-vars`: build_image, kernel_file or install_file resolve
//! to nothing for an (arch, flavour) pair.

use crate::diagnostic::{Edit, Fix};
use crate::model::flavour::UbuntuFlavours;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::FlavourMissingImageVars;
const KEYS: &[&str] = &["build_image", "kernel_file", "install_file"];

pub fn check(c: &mut Checker, u: &UbuntuFlavours) {
    let model = c.model;
    for a in &u.arch_files {
        for (flavour, span) in &a.flavours {
            let missing: Vec<&str> = KEYS
                .iter()
                .copied()
                .filter(|k| a.resolve(k, flavour).is_none())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let d = c.report(
                RULE,
                a.file,
                span.clone(),
                format!("{} {} for `{flavour}` on {}: neither the arch-wide value nor a `_{flavour}` one is set, so the image package of this flavour has no kernel", missing.join(" and "), if missing.len() == 1 { "is empty" } else { "are empty" }, a.arch),
            );
            // One insertion for all hoisted keys: several at one offset would conflict.
            let mut hoisted = String::new();
            let mut hoistable = 0;
            let at = a
                .flavours_line
                .as_ref()
                .map(|s| (s.end + 1).min(model.tree.files[a.file].bytes().len()))
                .unwrap_or(0);
            for key in &missing {
                // Values the other flavours set per flavour.
                let others: Vec<(&str, &crate::model::flavour::ArchValue)> = a
                    .flavours
                    .iter()
                    .filter(|(f, _)| f != flavour)
                    .filter_map(|(f, _)| {
                        a.values.get(&format!("{key}_{f}")).map(|v| (f.as_str(), v))
                    })
                    .collect();
                for (f, v) in others.iter().take(2) {
                    d.with_note_mut(v.file, v.span.clone(), format!("set for `{f}` only"));
                }
                // Hoisting is right only when every flavour of the file is known.
                let agree = a.flavours_literal
                    && !others.is_empty()
                    && others.len() == a.flavours.len() - 1
                    && others.iter().all(|(_, v)| v.value == others[0].1.value);
                if agree && !a.values.contains_key(*key) {
                    // Hoist: the arch-wide value every flavour already uses. Written as
                    // it stands in the first per-flavour assignment.
                    let text = &model.tree.files[others[0].1.file].text;
                    let stmt = &text[others[0].1.span.clone()];
                    let raw = stmt
                        .split_once('=')
                        .map(|(_, v)| v.trim())
                        .unwrap_or(&others[0].1.value);
                    hoisted.push_str(&format!("{key} = {raw}\n"));
                    hoistable += 1;
                }
            }
            if hoistable == missing.len() {
                d.with_help_mut(
                    "every other flavour uses the same value: the fix sets it arch-wide",
                );
                d.with_fix_mut(Fix::safe(
                    "set the value arch-wide",
                    vec![Edit::insert(a.file, at, hoisted)],
                ));
            } else {
                d.with_help_mut(format!(
                    "set the arch-wide value, or `{}_{flavour}`",
                    missing[0]
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
    fn a_flavour_with_no_image_value_fires() {
        let mk = "build_arch = x86\nflavours = generic lowlatency\nbuild_image_generic = bzImage\nkernel_file = arch/$(build_arch)/boot/bzImage\ninstall_file = vmlinuz\n";
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", mk),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-missing-image-vars");
        assert_eq!(
            found(&d, &tree),
            [(
                "flavour-missing-image-vars",
                "debian.acme/rules.d/amd64.mk",
                2,
                20
            )]
        );
        assert!(
            d[0].message
                .contains("build_image is empty for `lowlatency`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn arch_wide_or_per_flavour_values_do_not_fire() {
        let mk = "build_arch = x86\nflavours = generic lowlatency\nbuild_image = bzImage\nkernel_file = arch/$(build_arch)/boot/bzImage\ninstall_file_generic = vmlinuz\ninstall_file_lowlatency = vmlinuz\n";
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", mk),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-missing-image-vars");
        assert_eq!(found(&d, &tree), []);
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", AMD64),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-missing-image-vars");
        assert_eq!(found(&d, &tree), []);
    }
}
