//! `debian-flavour-incomplete`: a Debian flavour that gencontrol cannot build as
//! defined, once its description and config fragments are merged over every level
//! of `debian/config/` (INI `defines` and `defines.toml` alike).

use crate::diagnostic::Severity;
use crate::model::debian_defines::{At, Broken, DebianFlavour, Era};
use crate::registry::Rule;
use crate::rules::Checker;
use std::collections::HashSet;

const RULE: Rule = Rule::DebianFlavourIncomplete;

/// What the flavour is, for messages: `amd64` (amd64, featureset none).
fn what(f: &DebianFlavour) -> String {
    format!(
        "flavour `{}` ({}, featureset {})",
        f.name, f.arch, f.featureset
    )
}

pub fn check(c: &mut Checker) {
    let model = c.model;
    let config = &model.debian_config;
    let dirs = config.dirs.join(", ");
    // A level shared by several flavours (an arch-level description, a fragment
    // every featureset names) is reported once.
    let mut seen: HashSet<(&'static str, At, String)> = HashSet::new();
    let mut first =
        |kind: &'static str, at: &At, what: &str| seen.insert((kind, at.clone(), what.to_string()));
    for (broken, at) in &config.broken {
        let message = match broken {
            Broken::FeaturesetWithoutFlavours { arch, featureset } => format!(
                "featureset `{featureset}` of {arch} is enabled, but no `[base] flavours:` lists its flavours (debian/config/{arch}/{featureset}/defines): gencontrol.py (INI `defines` era) stops with KeyError"
            ),
            Broken::FeaturesetNotInRoot { arch, featureset } => format!(
                "featureset `{featureset}` of {arch} has no root `[[featureset]]` of that name in debian/config/defines.toml: gencontrol (defines.toml era) stops with KeyError '{featureset}'"
            ),
            Broken::FlavourNotInArch { arch, featureset, flavour } => format!(
                "featureset `{featureset}` of {arch} lists flavour `{flavour}`, which is not one of {arch}'s `[[flavour]]` tables: gencontrol (defines.toml era) stops with KeyError '{flavour}'"
            ),
        };
        let help = match broken {
            Broken::FeaturesetWithoutFlavours { .. } => "list the featureset's flavours in its `[base] flavours:`, disable it with `enabled: false`, or drop it from the arch's `featuresets:`",
            Broken::FeaturesetNotInRoot { .. } => "add a `[[featureset]]` of this name to the root defines.toml, or drop it here",
            Broken::FlavourNotInArch { .. } => "define the flavour as a `[[flavour]]` of the debianarch (description, build), or drop it from the featureset",
        };
        c.report(RULE, at.file, at.span.clone(), message)
            .with_help_mut(help);
    }
    for f in &config.flavours {
        if f.era == Era::Ini && f.hardware.is_none() {
            if first("hardware", &f.decl, "") {
                c.report(
                    RULE,
                    f.decl.file,
                    f.decl.span.clone(),
                    format!(
                        "{} has no `hardware:` in any description section it merges (`[description]` or `[{}_description]` of debian/config/defines, {}/defines, {}/{}/defines): gencontrol.py (INI `defines` era) stops with KeyError 'hardware'",
                        what(f), f.name, f.arch, f.arch, f.featureset
                    ),
                )
                .with_help_mut(format!(
                    "add `hardware: <short class>` to `[{}_description]` in debian/config/{}/defines; `hardware-long` is optional (it defaults to `hardware`)",
                    f.name, f.arch
                ));
            }
        } else if f.class_empty && !f.test_only && first("class", &f.decl, "") {
            let (message, help) = match f.era {
                Era::Ini => (
                    format!(
                        "{} has an empty `hardware:`: gencontrol.py goes on with an empty class, so the image package's description reads \"Linux … for \"",
                        what(f)
                    ),
                    format!("give `hardware:` a short class in `[{}_description]`", f.name),
                ),
                Era::Toml => (
                    format!(
                        "{} has no description.hardware at any level: gencontrol (defines.toml era) goes on with an empty class, so the image package's description reads \"Linux … for \"",
                        what(f)
                    ),
                    format!(
                        "set `hardware` in the flavour's `[flavour.description]` (debian/config/{}/defines.toml); `hardware_long` is optional (it defaults to `hardware`)",
                        f.arch
                    ),
                ),
            };
            let d = c.report(RULE, f.decl.file, f.decl.span.clone(), message);
            d.severity = Severity::Warning;
            d.with_help_mut(help);
        }
        for p in &f.parts {
            let missing = match f.era {
                Era::Ini if !p.has_long => format!("`part-long-{}`", p.name),
                Era::Toml if !p.has_long || !p.has_short => format!(
                    "description.{}.{}",
                    if p.has_long { "short" } else { "long" },
                    p.name
                ),
                _ => continue,
            };
            if !first("part", &p.at, &p.name) {
                continue;
            }
            let (message, help) = match f.era {
                Era::Ini => (
                    format!(
                        "description part `{}` of {} has no {missing} in any description section it merges: gencontrol.py (INI `defines` era) stops with KeyError '{}'",
                        p.name, what(f), missing.trim_matches('`')
                    ),
                    format!("add `part-long-{}: <text>` to a `[description]` the flavour merges (debian/config/defines for every arch)", p.name),
                ),
                Era::Toml => (
                    format!(
                        "description part `{}` of {} has no {missing} at any level: gencontrol (defines.toml era) stops with KeyError '{}'",
                        p.name, what(f), p.name
                    ),
                    format!("add `{}` to `[…description.long]` and `[…description.short]` of a level the flavour merges", p.name),
                ),
            };
            c.report(RULE, p.at.file, p.at.span.clone(), message)
                .with_help_mut(help);
        }
        for fr in f.fragments.iter().filter(|fr| !fr.exists) {
            if !first("fragment", &fr.at, &fr.path) {
                continue;
            }
            match (f.era, fr.listed) {
                (Era::Ini, true) => {
                    c.report(
                        RULE,
                        fr.at.file,
                        fr.at.span.clone(),
                        format!(
                            "config fragment `{}` named in `configs:` is in no config directory ({dirs}): gencontrol.py (INI `defines` era) stops with RuntimeError \"{} unavailable\"",
                            fr.path, fr.path
                        ),
                    )
                    .with_help_mut("`configs:` paths are relative to debian/config/: add the file or fix the path");
                }
                (Era::Ini, false) => {
                    let level = if fr.path == "config" {
                        "debian/config/defines".to_string()
                    } else {
                        format!("debian/config/{}/defines", f.arch)
                    };
                    c.report(
                        RULE,
                        fr.at.file,
                        fr.at.span.clone(),
                        format!(
                            "`{}` is in no config directory ({dirs}) and `[image]` of {level} has no `configs:` naming others: gencontrol.py (INI `defines` era) stops with RuntimeError \"{} unavailable\" at {}",
                            fr.path, fr.path, what(f)
                        ),
                    )
                    .with_help_mut(format!(
                        "add debian/config/{}, or list the fragments in `[image] configs:` of {level} (empty for none)",
                        fr.path
                    ));
                }
                (Era::Toml, _) => {
                    let d = c.report(
                        RULE,
                        fr.at.file,
                        fr.at.span.clone(),
                        format!(
                            "config fragment `{}` in build.config is in no config directory ({dirs}): gencontrol (defines.toml era) silently drops it, so {} is built without it",
                            fr.path, what(f)
                        ),
                    );
                    d.severity = Severity::Warning;
                    d.with_help_mut("build.config paths are relative to debian/config/: add the file or fix the path");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::testing::lint_memory_rule;

    /// (file, line, column, severity) of each finding.
    macro_rules! found {
        ($d:expr, $tree:expr) => {
            $d.iter()
                .map(|d| {
                    let f = &$tree.files[d.file];
                    let (line, col) = f.line_col(d.span.start);
                    (f.rel.as_str(), line, col, d.severity)
                })
                .collect::<Vec<_>>()
        };
    }

    const E: Severity = Severity::Error;
    const W: Severity = Severity::Warning;

    fn lint(files: &[(&str, &str)]) -> (Vec<crate::diagnostic::Diagnostic>, crate::tree::Tree) {
        lint_memory_rule(files, "debian-flavour-incomplete")
    }

    // --- the INI `defines` era -------------------------------------------------

    const ROOT: &str = "[base]\narches:\n amd64\nfeaturesets:\n none\n rt\n\n[description]\npart-long-xen: Runs on Xen.\n";
    /// The 4.12 shape: descriptions at arch level, flavour lists per featureset.
    const ARCH: &str = "[base]\nfeaturesets:\n none\n rt\nkernel-arch: x86\n\n[amd64_description]\nhardware: 64-bit PCs\n";
    const NONE: &str = "[base]\nflavours:\n amd64\n\n[amd64_description]\nparts: xen\n";
    const RT: &str = "[base]\nflavours:\n amd64\n";

    fn ini<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut files = vec![
            ("debian/config/defines", ROOT),
            ("debian/config/amd64/defines", ARCH),
            ("debian/config/amd64/none/defines", NONE),
            ("debian/config/amd64/rt/defines", RT),
            ("debian/config/config", "CONFIG_X=y\n"),
            ("debian/config/amd64/config", "CONFIG_Y=y\n"),
        ];
        for (path, text) in extra {
            match files.iter_mut().find(|(p, _)| p == path) {
                Some(slot) => slot.1 = text,
                None => files.push((path, text)),
            }
        }
        files
    }

    #[test]
    fn ini_levels_merge_and_hardware_long_is_optional() {
        let (d, tree) = lint(&ini(&[]));
        assert_eq!(found!(d, tree), [], "{d:#?}");
    }

    #[test]
    fn an_ini_flavour_without_a_description_fires() {
        // An arch-level flavour (the implicit `none` featureset) whose description
        // has no `hardware` at any level: gencontrol's KeyError.
        let arch = "[base]\nflavours:\n amd64\n acme-amd64\n\n[amd64_description]\nhardware-long: PCs with AMD64 processors\n\n[acme-amd64_description]\nhardware: Acme appliances\n";
        let root = "[base]\narches: amd64\n";
        let (d, tree) = lint(&ini(&[
            ("debian/config/defines", root),
            ("debian/config/amd64/defines", arch),
        ]));
        assert_eq!(found!(d, tree), [("debian/config/amd64/defines", 3, 2, E)]);
        assert!(
            d[0].message.contains("KeyError 'hardware'"),
            "{}",
            d[0].message
        );
        // `hardware` in the root `[description]` serves every flavour.
        let root = "[base]\narches: amd64\n\n[description]\nhardware: PCs\n";
        let (d, tree) = lint(&ini(&[
            ("debian/config/defines", root),
            ("debian/config/amd64/defines", arch),
        ]));
        assert_eq!(found!(d, tree), []);
    }

    #[test]
    fn ini_reads_as_raw_config_parser_does() {
        // `=` delimiters, capitalised keys, a comment inside a continued list.
        let arch = "[base]\nFeaturesets =\n none\n# rt is new\n rt\n\n[amd64_description]\nHardware = 64-bit PCs\n";
        let (d, tree) = lint(&ini(&[("debian/config/amd64/defines", arch)]));
        assert_eq!(found!(d, tree), []);
        // Without the comment-skipping, `rt` would be a key of its own and the
        // rt featureset (whose flavour is then missing `hardware`) not walked.
        let arch = "[base]\nfeaturesets =\n none\n# rt is new\n rt\n";
        let (d, tree) = lint(&ini(&[("debian/config/amd64/defines", arch)]));
        assert_eq!(
            found!(d, tree),
            [
                ("debian/config/amd64/none/defines", 3, 2, E),
                ("debian/config/amd64/rt/defines", 3, 2, E)
            ]
        );
    }

    #[test]
    fn only_listed_arches_and_enabled_featuresets_are_walked() {
        let root = "[base]\narches:\n amd64\n# mipsx\nfeaturesets:\n none\n rt\n\n[featureset-rt_base]\nenabled: false\n";
        let files = ini(&[
            ("debian/config/defines", root),
            (
                "debian/config/amd64/rt/defines",
                "[base]\nflavours:\n amd64\n nodesc\n",
            ),
            ("debian/config/mipsx/defines", "[base]\nflavours:\n mipsx\n"),
        ]);
        let (d, tree) = lint(&files);
        // NONE's `parts: xen` lost its `part-long-xen` with the new root.
        assert_eq!(
            found!(d, tree),
            [("debian/config/amd64/none/defines", 6, 8, E)]
        );
        assert!(d[0].message.contains("part-long-xen"), "{}", d[0].message);
    }

    #[test]
    fn an_enabled_featureset_without_flavours_fires() {
        let (d, tree) = lint(&ini(&[("debian/config/amd64/rt/defines", "[base]\n")]));
        assert_eq!(found!(d, tree), [("debian/config/amd64/defines", 4, 2, E)]);
    }

    #[test]
    fn ini_config_fragments_are_looked_up_per_level() {
        let arch = format!("{ARCH}\n[amd64_image]\nconfigs:\n amd64/config.gone\n kernelarch-x86/config\n\n[rt_image]\nconfigs: amd64/rt/gone\n");
        let files = ini(&[
            ("debian/config/amd64/defines", &arch),
            ("debian/config/kernelarch-x86/config", ""),
        ]);
        let (d, tree) = lint(&files);
        assert_eq!(
            found!(d, tree),
            [
                ("debian/config/amd64/defines", 12, 2, E),
                ("debian/config/amd64/defines", 16, 10, E)
            ]
        );
        assert!(d[0]
            .message
            .contains("RuntimeError \"amd64/config.gone unavailable\""));
        // Without `[image] configs:`, gencontrol requires `<arch>/config`; an empty
        // `configs:` names no fragment at all.
        let files: Vec<_> = ini(&[])
            .into_iter()
            .filter(|(p, _)| *p != "debian/config/amd64/config")
            .collect();
        let (d, tree) = lint(&files);
        assert_eq!(found!(d, tree), [("debian/config/defines", 3, 2, E)]);
        let arch = format!("{ARCH}\n[image]\nconfigs:\n");
        let mut files = files;
        files.push(("debian/config/amd64/defines", &arch));
        files.retain(|(p, t)| *p != "debian/config/amd64/defines" || t.contains("[image]"));
        let (d, tree) = lint(&files);
        assert_eq!(found!(d, tree), []);
    }

    #[test]
    fn config_local_counts_where_gencontrol_reads_it() {
        let arch = format!("{ARCH}\n[amd64_image]\nconfigs: config.site\n");
        let mut files = ini(&[
            ("debian/config/amd64/defines", &arch),
            ("debian/config.local/config.site", "CONFIG_Z=y\n"),
        ]);
        let (d, tree) = lint(&files);
        assert_eq!(found!(d, tree), []);
        // 4.12's gencontrol.py reads debian/config only.
        files.push((
            "debian/bin/gencontrol.py",
            "def __init__(self, config_dirs=[\"debian/config\"]):\n",
        ));
        let (d, tree) = lint(&files);
        assert_eq!(
            found!(d, tree),
            [("debian/config/amd64/defines", 11, 10, E)]
        );
    }

    #[test]
    fn an_empty_ini_hardware_warns() {
        let arch = ARCH.replace("hardware: 64-bit PCs", "hardware:");
        let (d, tree) = lint(&ini(&[("debian/config/amd64/defines", &arch)]));
        assert_eq!(
            found!(d, tree),
            [
                ("debian/config/amd64/none/defines", 3, 2, W),
                ("debian/config/amd64/rt/defines", 3, 2, W)
            ]
        );
    }

    // --- the defines.toml era --------------------------------------------------

    const TOML: &str = "[[kernelarch]]\nname = 'x86'\n\n[[kernelarch.debianarch]]\nname = 'amd64'\n\n[[kernelarch.debianarch.featureset]]\nname = 'none'\n\n[[kernelarch.debianarch.flavour]]\nname = 'amd64'\n[kernelarch.debianarch.flavour.description]\nhardware = '64-bit PCs'\nhardware_long = 'PCs with AMD64, Intel 64 or VIA Nano processors'\n\n[[kernelarch.debianarch.flavour]]\nname = 'acme-amd64'\n[kernelarch.debianarch.flavour.description]\nhardware = 'Acme appliances'\n[kernelarch.debianarch.flavour.build]\nconfig = ['config.acme']\n\n[[featureset]]\nname = 'none'\n";

    #[test]
    fn a_toml_flavour_without_hardware_long_is_complete_but_a_dropped_fragment_warns() {
        let files = [("debian/config/defines.toml", TOML)];
        let (d, tree) = lint(&files);
        assert_eq!(found!(d, tree), [("debian/config/defines.toml", 21, 12, W)]);
        let m = &d[0].message;
        assert!(
            m.contains("`config.acme`") && m.contains("silently drops"),
            "{m}"
        );
    }

    #[test]
    fn complete_toml_flavours_do_not_fire() {
        let files = [
            ("debian/config/defines.toml", TOML),
            ("debian/config/config.acme", "CONFIG_ACME_BOARD=y\n"),
        ];
        let (d, tree) = lint(&files);
        assert_eq!(found!(d, tree), []);
        // A defines file outside debian/config/ is not the kernel's.
        let (d, tree) = lint(&[("debian/defines.toml", TOML)]);
        assert_eq!(found!(d, tree), []);
        // A debianarch without featuresets builds nothing: nothing to check.
        let bare = TOML.replace("[[kernelarch.debianarch.featureset]]\nname = 'none'\n", "");
        let (d, tree) = lint(&[("debian/config/defines.toml", &bare)]);
        assert_eq!(found!(d, tree), []);
    }

    /// The 6.x shape: arch flavours in `<arch>/defines.toml`, featureset details in
    /// `featureset-<fs>/defines.toml`.
    const TOML_ROOT: &str = "[[kernelarch]]\nname = 'x86'\n  [[kernelarch.debianarch]]\n  name = 'amd64'\n\n[[featureset]]\nname = 'none'\n\n[[featureset]]\nname = 'rt'\n  [featureset.description]\n  parts = ['rt']\n";
    const TOML_ARCH: &str = "[[flavour]]\nname = 'amd64'\n[flavour.description]\nhardware = '64-bit PCs'\n\n[[flavour]]\nname = 'test'\n[flavour.defs]\nis_test = true\n\n[[featureset]]\nname = 'none'\n\n[[featureset]]\nname = 'rt'\n[[featureset.flavour]]\nname = 'amd64'\n";
    const TOML_RT: &str = "[description.long]\nrt = 'This kernel includes the PREEMPT_RT realtime patch set.'\n[description.short]\nrt = 'PREEMPT_RT'\n";

    fn toml<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut files = vec![
            ("debian/config/defines.toml", TOML_ROOT),
            ("debian/config/amd64/defines.toml", TOML_ARCH),
            ("debian/config/featureset-rt/defines.toml", TOML_RT),
        ];
        for (path, text) in extra {
            match files.iter_mut().find(|(p, _)| p == path) {
                Some(slot) => slot.1 = text,
                None => files.push((path, text)),
            }
        }
        files
    }

    #[test]
    fn toml_levels_merge() {
        // Featureset flavour stubs take the debianarch flavour's description; the
        // test flavour is built only in a quick build and needs none.
        let (d, tree) = lint(&toml(&[]));
        assert_eq!(found!(d, tree), [], "{d:#?}");
        // Without featureset-rt's long/short texts, the `rt` part is a KeyError.
        let files: Vec<_> = toml(&[])
            .into_iter()
            .filter(|(p, _)| !p.contains("featureset-rt"))
            .collect();
        let (d, tree) = lint(&files);
        assert_eq!(found!(d, tree), [("debian/config/defines.toml", 12, 13, E)]);
    }

    #[test]
    fn a_toml_featureset_flavour_that_the_arch_lacks_fires() {
        let arch = format!("{TOML_ARCH}[[featureset.flavour]]\nname = 'cloud'\n");
        let (d, tree) = lint(&toml(&[("debian/config/amd64/defines.toml", &arch)]));
        assert_eq!(
            found!(d, tree),
            [("debian/config/amd64/defines.toml", 19, 9, E)]
        );
        assert!(
            d[0].message.contains("KeyError 'cloud'"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn a_toml_featureset_without_a_root_featureset_fires() {
        let root = TOML_ROOT.replace(
            "[[featureset]]\nname = 'rt'\n  [featureset.description]\n  parts = ['rt']\n",
            "",
        );
        let (d, tree) = lint(&toml(&[("debian/config/defines.toml", &root)]));
        assert_eq!(
            found!(d, tree),
            [("debian/config/amd64/defines.toml", 15, 9, E)]
        );
    }

    #[test]
    fn a_toml_flavour_without_hardware_warns_once() {
        let arch = TOML_ARCH.replace("hardware = '64-bit PCs'", "hardware_long = 'PCs'");
        let (d, tree) = lint(&toml(&[("debian/config/amd64/defines.toml", &arch)]));
        // Once for both featuresets, at the debianarch flavour.
        assert_eq!(
            found!(d, tree),
            [("debian/config/amd64/defines.toml", 2, 9, W)]
        );
        // Set at the kernelarch level, it serves every flavour of the arch.
        let (d, tree) = lint(&toml(&[
            ("debian/config/amd64/defines.toml", &arch),
            (
                "debian/config/kernelarch-x86/defines.toml",
                "[description]\nhardware = 'x86 machines'\n",
            ),
        ]));
        assert_eq!(found!(d, tree), []);
    }
}
