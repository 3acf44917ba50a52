//! Family `flavour`: every place that declares a kernel flavour must agree.
//!
//! Ubuntu (`debian.<branch>/`): the arch files' `flavours =` lists, the
//! `control.d/vars.<flavour>` files, the `build_image`/`kernel_file`/`install_file`
//! values, the annotations headers, the ABI baselines and the per-arch tools target.
//! Debian: `debian/config/defines.toml` (and the older INI `defines`).

mod debian_flavour_incomplete;
mod declared_flavour_without_rules;
mod empty_flavour_list;
mod flavour_arch_mismatch;
mod flavour_missing_abi;
mod flavour_missing_annotations;
mod flavour_missing_image_vars;
mod flavour_missing_vars;
mod flavour_vars_missing_key;
mod perarch_target_missing;

use super::Checker;
use crate::model::flavour::{UbuntuFlavours, VarsFile};
use crate::registry::Rule;

pub fn check(c: &mut Checker) {
    if let Some(u) = c.model.ubuntu_flavours() {
        if c.enabled(Rule::DeclaredFlavourWithoutRules) {
            declared_flavour_without_rules::check(c, &u);
        }
        if c.enabled(Rule::FlavourMissingVars) {
            flavour_missing_vars::check(c, &u);
        }
        if c.enabled(Rule::FlavourVarsMissingKey) {
            flavour_vars_missing_key::check(c, &u);
        }
        if c.enabled(Rule::FlavourArchMismatch) {
            flavour_arch_mismatch::check(c, &u);
        }
        if c.enabled(Rule::FlavourMissingImageVars) {
            flavour_missing_image_vars::check(c, &u);
        }
        if c.enabled(Rule::FlavourMissingAnnotations) {
            flavour_missing_annotations::check(c, &u);
        }
        if c.enabled(Rule::FlavourMissingAbi) {
            flavour_missing_abi::check(c, &u);
        }
        if c.enabled(Rule::PerarchTargetMissing) {
            perarch_target_missing::check(c, &u);
        }
        if c.enabled(Rule::EmptyFlavourList) {
            empty_flavour_list::check(c, &u);
        }
    }
    if c.enabled(Rule::DebianFlavourIncomplete) {
        debian_flavour_incomplete::check(c);
    }
}

/// The vars file to copy from for a flavour: one of a sibling flavour on the same
/// architecture, else any.
pub fn sibling_vars<'u>(
    u: &'u UbuntuFlavours,
    flavour: &str,
    arch: Option<&str>,
) -> Option<&'u VarsFile> {
    let same_arch = |v: &&VarsFile| arch.is_none_or(|a| v.arches().iter().any(|x| x == a));
    u.vars
        .iter()
        .filter(|v| v.flavour != flavour)
        .find(same_arch)
        .or_else(|| u.vars.iter().find(|v| v.flavour != flavour))
}

/// Required keys of a vars file, and keys that are valid but optional or legacy.
pub const VARS_REQUIRED: &[&str] = &["arch", "supported", "target", "desc", "bootloader"];
pub const VARS_OPTIONAL: &[&str] = &[
    "provides",
    "conflicts",
    "section_image",
    "section_headers",
    "do_dtbs",
    "skip_abi",
    "is_test",
];

/// The small Ubuntu-layout tree (`debian.acme/`) the flavour rules' tests start from:
/// debian.env, one vars file and the amd64 arch file.
#[cfg(test)]
mod acme {
    pub const ENV: (&str, &str) = ("debian/debian.env", "DEBIAN=debian.acme\n");
    pub const VARS: &str = "arch=\"amd64\"\nsupported=\"Generic\"\ntarget=\"Acme appliances.\"\ndesc=\"=HUMAN= SMP\"\nbootloader=\"grub-pc | grub-efi-amd64\"\n";
    pub const AMD64: &str = "build_arch = x86\nflavours = generic\nbuild_image = bzImage\nkernel_file = arch/$(build_arch)/boot/bzImage\ninstall_file = vmlinuz\n";
}

#[cfg(test)]
mod tests {
    use crate::testing::{fix_memory_selected, lint_memory_rule};

    const ENV: (&str, &str) = ("debian/debian.env", "DEBIAN=debian.master\n");
    const VARS: &str = "arch=\"amd64\"\nsupported=\"Generic\"\ntarget=\"Desktops.\"\ndesc=\"=HUMAN= SMP\"\nbootloader=\"grub-pc\"\n";

    #[test]
    fn image_vars_are_hoisted_when_all_flavours_agree() {
        let mk = "build_arch = x86\nflavours = generic lowlatency tickless\nbuild_image_generic = bzImage\nbuild_image_lowlatency = bzImage\nkernel_file = arch/x86/boot/bzImage\ninstall_file = vmlinuz\n";
        let files = [ENV, ("debian.master/rules.d/amd64.mk", mk)];
        let (d, _) = lint_memory_rule(&files, "flavour-missing-image-vars");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].notes.len(), 2);
        let fixed = fix_memory_selected(&files, &["flavour-missing-image-vars"], false);
        assert!(fixed[1].1.starts_with("build_arch = x86\nflavours = generic lowlatency tickless\nbuild_image = bzImage\nbuild_image_generic"), "{}", fixed[1].1);
        let disagree = mk.replace(
            "build_image_lowlatency = bzImage",
            "build_image_lowlatency = vmlinuz.efi",
        );
        let (d, _) = lint_memory_rule(
            &[ENV, ("debian.master/rules.d/amd64.mk", &disagree)],
            "flavour-missing-image-vars",
        );
        assert!(d[0].fix.is_none(), "values differ: no guess");
    }

    #[test]
    fn missing_vars_file_is_created_from_a_sibling() {
        let files = [
            ENV,
            (
                "debian.master/rules.d/amd64.mk",
                "flavours = generic tickless\n",
            ),
            ("debian.master/rules.d/arm64.mk", "flavours = tickless\n"),
            ("debian.master/control.d/vars.generic", VARS),
        ];
        let (d, _) = lint_memory_rule(&files, "flavour-missing-vars");
        assert_eq!(d.len(), 1, "reported once, at the first arch file");
        assert_eq!(d[0].notes.len(), 1, "note at the other arch file");
        let fixed = fix_memory_selected(&files, &["flavour-missing-vars"], true);
        let created = fixed
            .iter()
            .find(|(p, _)| p == "debian.master/control.d/vars.tickless")
            .expect("created");
        assert!(
            created.1.contains("arch=\"amd64 arm64\"\n")
                && created.1.contains("bootloader=\"grub-pc\"")
                && created.1.starts_with("# TODO(kpkg-lint)")
        );
    }

    #[test]
    fn annotations_header_is_rewritten() {
        let files = [ENV, ("debian.master/rules.d/amd64.mk", "flavours = generic lowlatency\n"), ("debian.master/config/annotations", "# Menu: HEADER\n# FORMAT: 4\n# ARCH: amd64\n# FLAVOUR: amd64-generic amd64-gone\n\nCONFIG_X policy<{'amd64': 'y'}>\n")];
        // The safe fix adds what is built; an entry nothing builds stays (a
        // derivative sharing the file may build it) ...
        let fixed = fix_memory_selected(&files, &["flavour-missing-annotations"], false);
        assert_eq!(fixed[2].1, "# Menu: HEADER\n# FORMAT: 4\n# ARCH: amd64\n# FLAVOUR: amd64-generic amd64-gone amd64-lowlatency\n\nCONFIG_X policy<{'amd64': 'y'}>\n");
        // ... and only the unsafe one drops it.
        let fixed = fix_memory_selected(&files, &["flavour-missing-annotations"], true);
        assert_eq!(fixed[2].1, "# Menu: HEADER\n# FORMAT: 4\n# ARCH: amd64\n# FLAVOUR: amd64-generic amd64-lowlatency\n\nCONFIG_X policy<{'amd64': 'y'}>\n");
        // A format-2 header names kernel architectures for the old tooling: left alone.
        let old = [
            ENV,
            files[1],
            (
                "debian.master/config/annotations",
                "# Menu: HEADER\n# FORMAT: 2\n# ARCH: x86 arm powerpc\n\nCONFIG_X note<x>\n",
            ),
        ];
        let (d, _) = lint_memory_rule(&old, "flavour-missing-annotations");
        assert!(
            d.is_empty(),
            "{:?}",
            d.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }

    /// A `flavours =` line with make syntax: its list is not known, so nothing that
    /// needs the whole list is claimed, and the literal names are still checked.
    /// (The fuzzer found the annotations fix rewriting such a header forever.)
    #[test]
    fn flavour_lists_with_make_syntax_are_not_guessed() {
        let mk = "build_arch = x86\nflavours = generic $(call custom_flavours,amd64) $(extra)\nbuild_image = bzImage\nkernel_file = k\ninstall_file = vmlinuz\n";
        let lowlatency = VARS.replace("Generic", "Lowlatency");
        let files = [
            ENV,
            ("debian.master/rules.d/amd64.mk", mk),
            ("debian.master/control.d/vars.generic", VARS),
            (
                "debian.master/control.d/vars.lowlatency",
                lowlatency.as_str(),
            ),
            (
                "debian.master/config/annotations",
                "# Menu: HEADER\n# ARCH: amd64\n# FLAVOUR: amd64-generic amd64-lowlatency\n",
            ),
        ];
        for rule in [
            "flavour-missing-annotations",
            "flavour-arch-mismatch",
            "empty-flavour-list",
            "flavour-missing-vars",
        ] {
            let (d, _) = lint_memory_rule(&files, rule);
            assert!(
                d.is_empty(),
                "{rule}: {:?}",
                d.iter().map(|d| &d.message).collect::<Vec<_>>()
            );
        }
        // Even the plain word is not claimed: it may sit inside a function.
        let (d, _) = lint_memory_rule(&[files[0], files[1], files[3]], "flavour-missing-vars");
        assert!(
            d.is_empty(),
            "{:?}",
            d.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }

    /// A list built in steps (`+=`) or inside a conditional is not the complete
    /// list either: the header fix must not drop `generic` (found in review: the
    /// safe fix rewrote the header without it).
    #[test]
    fn flavour_lists_built_in_steps_are_not_guessed() {
        let header = "# Menu: HEADER\n# FORMAT: 4\n# ARCH: amd64\n# FLAVOUR: amd64-generic amd64-lowlatency\n";
        for mk in [
            "flavours = generic\nflavours += lowlatency\n",
            "ifeq ($(x),y)\nflavours = generic lowlatency\nendif\n",
        ] {
            let files = [
                ENV,
                ("debian.master/rules.d/amd64.mk", mk),
                ("debian.master/control.d/vars.generic", VARS),
                ("debian.master/config/annotations", header),
            ];
            for rule in [
                "flavour-missing-annotations",
                "flavour-arch-mismatch",
                "empty-flavour-list",
            ] {
                let (d, _) = lint_memory_rule(&files, rule);
                assert!(
                    d.is_empty(),
                    "{mk:?} {rule}: {:?}",
                    d.iter().map(|d| &d.message).collect::<Vec<_>>()
                );
            }
        }
        // One plain definition is the list: a header lacking one of its flavours
        // is still fixed.
        let files = [
            ENV,
            (
                "debian.master/rules.d/amd64.mk",
                "flavours = generic lowlatency\n",
            ),
            (
                "debian.master/config/annotations",
                "# Menu: HEADER\n# FORMAT: 4\n# ARCH: amd64\n# FLAVOUR: amd64-generic\n",
            ),
        ];
        let (d, _) = lint_memory_rule(&files, "flavour-missing-annotations");
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn vars_keys_required_unknown_and_legacy() {
        let v = "arch=\"amd64\"\nsupported=\"x\"\ntarget=\"x\"\ndesc=\"x\"\nflavor_note=\"x\"\nsection_image=\"kernel\"\n";
        let (d, _) = lint_memory_rule(
            &[ENV, ("debian.master/control.d/vars.lowlatency", v)],
            "flavour-vars-missing-key",
        );
        let sev: Vec<_> = d
            .iter()
            .map(|d| {
                (
                    d.severity.as_str(),
                    d.message.split(':').next().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            sev,
            [
                ("error", "vars.lowlatency has no bootloader".to_string()),
                (
                    "warning",
                    "`flavor_note` is not a key the flavour control generation reads".to_string()
                )
            ]
        );
    }
}
