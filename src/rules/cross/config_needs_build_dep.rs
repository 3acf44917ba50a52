//! `config-needs-build-dep`: the shipped kernel config enables a feature whose build
//! tool is not a build-dependency.

use super::declared;
use crate::diagnostic::Severity;
use crate::knowledge;
use crate::model::SourceStanza;
use crate::registry::Rule;
use crate::rules::Checker;
use std::str::FromStr;

const RULE: Rule = Rule::ConfigNeedsBuildDep;

/// The compiler the rules configure (`gcc ?= gcc-13`), if any.
fn configured_gcc(c: &Checker) -> Option<String> {
    c.model.programs.iter().find_map(|p| {
        let v = p.value("gcc")?;
        let t = v.text.trim();
        (t.starts_with("gcc-") && t[4..].chars().all(|c| c.is_ascii_digit())).then(|| t.to_string())
    })
}

pub fn check(c: &mut Checker, stanzas: &[SourceStanza]) {
    let model = c.model;
    let Some(first) = stanzas.first() else { return };
    // Any build-dependency field counts: one in the wrong field is another defect.
    let deps = declared(stanzas, true);
    let gcc = configured_gcc(c);
    for cd in knowledge::config_deps() {
        let Some(setting) = super::needing_setting(model, &cd) else {
            continue;
        };
        let wanted: Vec<String> = cd
            .packages
            .iter()
            .map(|p| match (&gcc, p.contains("-N-")) {
                (Some(g), true) => p.replace("gcc-N", g),
                _ => p.to_string(),
            })
            .collect();
        let matches = |name: &str| {
            wanted
                .iter()
                .any(|w| knowledge::glob_match(&w.replace("-N-", "-*-"), name))
        };
        let found: Vec<_> = deps.iter().filter(|e| matches(&e.alt.name)).collect();
        let bd_field = first
            .paragraph
            .fields
            .iter()
            .find(|f| f.name.to_ascii_lowercase().starts_with("build-depends"));
        if found.is_empty() {
            let d = c.report(
                RULE,
                setting.file,
                setting.span.clone(),
                format!(
                    "{} is enabled, but no build-dependency provides {} ({}){}",
                    cd.option,
                    wanted.join(" or "),
                    cd.why,
                    if cd.build_fails {
                        ": the build stops"
                    } else {
                        ""
                    }
                ),
            );
            // A build that stops is an error; one that goes on with the option
            // turned off builds another kernel than the one configured.
            if cd.build_fails {
                d.severity = Severity::Error;
            }
            if let Some(f) = bd_field {
                d.with_note_mut(
                    first.file,
                    f.name_span.clone(),
                    "build-dependencies are declared here",
                );
            }
            d.with_help_mut(format!(
                "add `{}` to Build-Depends-Arch",
                wanted.join(" | ")
            ));
            continue;
        }
        // A version constraint below what the feature needs.
        let Some(min) = cd.min_version else { continue };
        let Ok(min_v) = debversion::Version::from_str(min) else {
            continue;
        };
        for e in found.iter().filter(|e| e.alt.name == wanted[0]) {
            let Some((op, ver, span)) = &e.alt.version else {
                continue;
            };
            let Ok(v) = debversion::Version::from_str(ver) else {
                continue;
            };
            if matches!(op.as_str(), ">=" | ">>" | "=")
                && v < min_v
                && found.iter().all(|o| {
                    o.alt.version.as_ref().is_none_or(|(_, ov, _)| {
                        debversion::Version::from_str(ov).is_ok_and(|x| x < min_v)
                    })
                })
            {
                let d = c.report(
                    RULE,
                    e.stanza.file,
                    span.clone(),
                    format!(
                        "{} needs {} {min} or later, but the build-dependency allows {ver}",
                        cd.option, wanted[0]
                    ),
                );
                d.with_note_mut(
                    setting.file,
                    setting.span.clone(),
                    format!("{} is enabled here", cd.option),
                );
                d.with_help_mut(format!("require `{} (>= {min})`", wanted[0]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory_rule;

    #[test]
    fn btf_without_pahole_and_plugins_for_the_configured_gcc() {
        let files = [
            ("debian/control", "Source: x\nBuild-Depends: bc, gcc-12-plugin-dev\n"),
            ("debian/rules", "gcc ?= gcc-13\n"),
            ("debian.master/config/annotations", "CONFIG_DEBUG_INFO_BTF policy<{'amd64': 'y'}>\nCONFIG_GCC_PLUGINS policy<{'amd64': 'y'}>\nCONFIG_GCC_PLUGIN_STACKLEAK policy<{'amd64': 'y'}>\nCONFIG_MODULE_SIG policy<{'amd64': 'n'}>\n"),
        ];
        let (d, _) = lint_memory_rule(&files, "config-needs-build-dep");
        let msgs: Vec<_> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].contains("pahole or dwarves"));
        assert!(msgs[1].contains("gcc-13-plugin-dev"));
    }

    #[test]
    fn the_plugin_menu_alone_builds_no_plugin() {
        // GCC_PLUGINS defaults to y wherever the plugin headers were; with no
        // CONFIG_GCC_PLUGIN_* set, no plugin is built and nothing needs them.
        let files = [
            ("debian/control", "Source: x\nBuild-Depends: bc\n"),
            (
                "debian/config/kernelarch-x86/config-arch-64",
                "CONFIG_HAVE_GCC_PLUGINS=y\nCONFIG_GCC_PLUGINS=y\n# CONFIG_GCC_PLUGIN_LATENT_ENTROPY is not set\n",
            ),
        ];
        let (d, _) = lint_memory_rule(&files, "config-needs-build-dep");
        assert!(
            d.is_empty(),
            "{:?}",
            d.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn old_pahole_and_satisfied_options() {
        let files = [
            (
                "debian/control",
                "Source: x\nBuild-Depends: pahole (>= 1.12), libssl-dev:native\n",
            ),
            (
                "debian/config/config",
                "CONFIG_DEBUG_INFO_BTF=y\nCONFIG_MODULE_SIG=y\n# CONFIG_UNWINDER_ORC is not set\n",
            ),
        ];
        let (d, tree) = lint_memory_rule(&files, "config-needs-build-dep");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("1.16"));
        assert_eq!(tree.files[d[0].file].rel, "debian/control");
    }

    #[test]
    fn a_tool_whose_absence_stops_the_build_is_an_error() {
        use crate::diagnostic::Severity;
        let files = [
            ("debian/control", "Source: x\nBuild-Depends: bc\n"),
            (
                "debian/config/config",
                "CONFIG_DEBUG_INFO_BTF=y\nCONFIG_MODULE_SIG=y\nCONFIG_UNWINDER_ORC=y\n",
            ),
        ];
        let (d, _) = lint_memory_rule(&files, "config-needs-build-dep");
        let got: Vec<_> = d
            .iter()
            .map(|d| (d.message.split(' ').next().unwrap(), d.severity))
            .collect();
        // Without pahole Kconfig turns BTF off (current kernels): another kernel,
        // but it builds. sign-file and objtool do not compile without their
        // libraries: the build stops.
        assert_eq!(
            got,
            [
                ("CONFIG_DEBUG_INFO_BTF", Severity::Warning),
                ("CONFIG_MODULE_SIG", Severity::Error),
                ("CONFIG_UNWINDER_ORC", Severity::Error),
            ]
        );
        assert!(
            d[1].message.ends_with(": the build stops"),
            "{}",
            d[1].message
        );
    }
}
