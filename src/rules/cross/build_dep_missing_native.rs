//! `build-dep-missing-native`: a build-machine dependency without `:native`.

use super::{
    builds_host_tools, chroots, entries, gates, multi_arch, note_generated, profile_terms, Entry,
};
use crate::archive::cross::{Chroot, Reason};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::knowledge::{self, MultiArch};
use crate::model::relation::Relation;
use crate::model::SourceStanza;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::BuildDepMissingNative;

/// What the cross builds of the given indices make of an entry.
enum Resolution {
    /// Every one installs the build machine's package.
    Build,
    /// One does not: `what` says what it installs instead, or why it cannot.
    Host { host: String, what: String },
}

fn resolution(chroots: &[Chroot], alt: &Relation) -> Option<Resolution> {
    if chroots.is_empty() {
        return None;
    }
    for ch in chroots {
        let host = ch.arches.host.clone();
        match ch.resolve(alt) {
            Ok(p) if p.arch == ch.arches.build => {}
            Ok(p) => {
                let index = ch.archive.indices[p.record.index].label();
                let what = format!(
                    "installs {}:{} {} ({index}), which the build machine cannot run or link",
                    p.record.name, p.arch, p.record.version
                );
                return Some(Resolution::Host { host, what });
            }
            // Built for the build machine only, or Architecture: all and not
            // foreign: the plain entry cannot be had at all, `:native` can.
            Err(why @ Reason::WrongArch { .. }) => {
                let what = format!("cannot install it: {}", why.describe(&alt.name, ch));
                return Some(Resolution::Host { host, what });
            }
            Err(_) => return None,
        }
    }
    Some(Resolution::Build)
}

pub fn check(c: &mut Checker, stanzas: &[SourceStanza]) {
    let model = c.model;
    let target = c.release.clone();
    let chroots = chroots(c);
    let all = entries(stanzas, false);
    let host_tools = builds_host_tools(model);
    let terms = profile_terms(stanzas);
    let known_arches = gates::known_arches(model);
    for e in &all {
        let name = e.alt.name.as_str();
        let Some(dep) = knowledge::build_machine_dep(name) else {
            continue;
        };
        if e.alt.arch_qualifier.is_some() {
            continue;
        }
        if let Some(words) = dep.when_rules_mention {
            let words: Vec<&str> = words.split('|').collect();
            let arches = gates::entry_arches(
                e.alt.arch_list.as_ref().map(|(l, _)| l.as_str()),
                &known_arches,
            );
            // Not mentioned, or only where the per-arch switches never let it run.
            if gates::runs(model, &words, arches.as_deref()) != Some(true) {
                continue;
            }
        }
        // The consumer switched off where it is built (`NO_LIBPYTHON=1` on perf's
        // make): nothing uses the package.
        if let Some(words) = dep.unless_rules_mention {
            let words: Vec<&str> = words.split('|').collect();
            let arches = gates::entry_arches(
                e.alt.arch_list.as_ref().map(|(l, _)| l.as_str()),
                &known_arches,
            );
            if gates::runs(model, &words, arches.as_deref()) == Some(true) {
                continue;
            }
        }
        if dep
            .when_config
            .is_some_and(|o| model.config_enabled(o).is_none())
        {
            continue;
        }
        // A kernel older than the program that uses it (sign-file in C from 4.3,
        // objtool from 4.6).
        if let (Some(since), Some(k)) = (dep.since_kernel, model.kernel_version()) {
            if k < since {
                continue;
            }
        }
        // With indices of two architectures, what a cross build installs decides;
        // a package they cannot place leaves it to the Multi-Arch facts.
        let resolved = resolution(&chroots, e.alt);
        match &resolved {
            Some(Resolution::Build) => continue,
            Some(Resolution::Host { .. }) => {}
            None => match multi_arch(c, name) {
                Some(MultiArch::Foreign) => continue,
                // Unknown for this release, but foreign later: we cannot tell.
                None if knowledge::multi_arch(name, "sid") == Some(MultiArch::Foreign) => continue,
                _ => {}
            },
        }
        // Debian's dual form: the same package with `:native` elsewhere in the stanza.
        let has_native_copy = all.iter().any(|o| {
            o.stanza.file == e.stanza.file
                && std::ptr::eq(o.stanza.paragraph, e.stanza.paragraph)
                && o.alt.name == e.alt.name
                && o.alt
                    .arch_qualifier
                    .as_ref()
                    .is_some_and(|(q, _)| q == "native")
        });
        if has_native_copy {
            continue;
        }
        let file = e.stanza.file;
        let enabling: Vec<_> = knowledge::config_deps()
            .into_iter()
            .filter(|cd| {
                cd.packages
                    .iter()
                    .any(|p| knowledge::glob_match(&p.replace("-N-", "-*-"), name))
            })
            .filter_map(|cd| super::needing_setting(model, &cd).map(|s| (s, cd.build_fails)))
            .collect();
        // An option whose build stops without the package makes this an error;
        // one the Makefile only skips (STACK_VALIDATION up to 5.4) does not.
        let failing = enabling.iter().find(|(_, fails)| *fails).map(|(s, _)| *s);
        // Debian restricts the tools' own libraries to tool builds
        // (`<!pkg.linux.notools>`): perf and friends are built for the host
        // architecture, so the plain entry is right there. Only an enabled
        // option whose build-machine tool links it makes the kernel need it too.
        let tools_only = e.alt.profiles.iter().any(|(p, _)| {
            p.split_whitespace()
                .any(|t| t.starts_with("!pkg.") && t.ends_with(".notools"))
        });
        if tools_only && enabling.is_empty() {
            continue;
        }
        let dual = host_tools && dep.host_too && e.group.alternatives.len() == 1;
        let message = match &resolved {
            Some(Resolution::Host { host, what }) => format!("`{name}` is used on the build machine by {}, but has no `:native`: a cross build for {host} {what}", dep.consumer),
            _ => format!("`{name}` is used on the build machine by {}, but has no `:native`: a cross build installs the host-architecture package", dep.consumer),
        };
        let d = c.report(RULE, file, e.alt.span.clone(), message);
        if let Some(setting) = failing {
            d.severity = Severity::Error;
            d.with_note_mut(
                setting.file,
                setting.span.clone(),
                format!("{} is enabled, so the build needs it", setting.name),
            );
        }
        note_generated(model, d, e);
        let text = &model.tree.files[file].text;
        let fix = if dual {
            d.with_help_mut(format!("this source also builds host tools that link the host-architecture `{name}`: depend on both, `{name}:native` for the kernel build and `{name}` for the tools"));
            Fix::safe(
                format!("depend on {name}:native for the build and {name} for the host tools"),
                vec![dual_form(text, e, &terms, file)],
            )
        } else {
            d.with_help_mut(format!("write `{name}:native`"));
            Fix::safe(
                format!("add :native to {name}"),
                vec![add_native(text, e.alt, file)],
            )
        };
        d.with_fix_mut(fix);
        target.qualify(d);
    }
}

/// Padding after a name in column-aligned fields: the run of spaces that follows it
/// before a version, architecture list or profile.
fn padding_after(text: &str, at: usize, end: usize) -> usize {
    let run = text[at..end].bytes().take_while(|b| *b == b' ').count();
    if at + run < end {
        run
    } else {
        0
    }
}

/// Insert `:native` after the name, taking the room from column-alignment padding
/// when there is enough, so aligned fields stay aligned.
fn add_native(text: &str, alt: &crate::model::relation::Relation, file: usize) -> Edit {
    const Q: &str = ":native";
    let pad = padding_after(text, alt.name_span.end, alt.span.end);
    if pad > Q.len() {
        Edit::replace(file, alt.name_span.end..alt.name_span.end + Q.len(), Q)
    } else {
        Edit::insert(file, alt.name_span.end, Q)
    }
}

/// Replace `entry` by `entry:native…, entry…`, adding the tree's own profile terms
/// that separate the kernel build from the tools build.
fn dual_form(text: &str, e: &Entry, terms: &[String], file: usize) -> Edit {
    let has = |t: &str| terms.iter().any(|x| x == t);
    let (native_term, host_term) = if has("pkg.linux.notools") {
        (
            has("pkg.linux.nokernel").then_some("!pkg.linux.nokernel"),
            Some("!pkg.linux.notools"),
        )
    } else if has("cross") {
        // Ubuntu builds no tools in cross builds.
        (None, Some("!cross"))
    } else {
        (None, None)
    };
    let start = e.alt.span.start;
    // Name, qualifier, the text up to the first profile group (version, arch list),
    // then the groups with `add` added to each (and `drop` removed).
    let render = |qualifier: &str, add: Option<&str>, drop: Option<&str>| -> String {
        let mut s = String::new();
        s.push_str(&text[start..e.alt.name_span.end]);
        s.push_str(qualifier);
        let first_group = e
            .alt
            .profiles
            .first()
            .map(|(_, p)| p.start)
            .unwrap_or(e.alt.span.end);
        let middle = &text[e.alt.name_span.end..first_group];
        let pad = padding_after(text, e.alt.name_span.end, e.alt.span.end);
        if pad > qualifier.len() && !qualifier.is_empty() {
            s.push_str(&middle[qualifier.len()..]);
        } else {
            s.push_str(middle);
        }
        while s.ends_with(' ') && e.alt.profiles.is_empty() {
            s.pop();
        }
        let had_space = s.ends_with(' ');
        if had_space {
            s.pop();
        }
        let mut groups: Vec<Vec<&str>> = e
            .alt
            .profiles
            .iter()
            .map(|(g, _)| g.split_whitespace().collect())
            .collect();
        if groups.is_empty() && add.is_some() {
            groups.push(vec![]);
        }
        for g in &mut groups {
            g.retain(|t| Some(*t) != drop);
            if let Some(a) = add {
                if !g.contains(&a) {
                    g.push(a);
                }
            }
        }
        for g in groups.iter().filter(|g| !g.is_empty()) {
            s.push_str(&format!(" <{}>", g.join(" ")));
        }
        s
    };
    let with_term = |qualifier: &str, term: Option<&str>| -> String {
        if qualifier.is_empty() {
            render(qualifier, term, native_term)
        } else {
            render(qualifier, term, None)
        }
    };
    let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let prefix = &text[line_start..start];
    let separator = if !prefix.is_empty() && prefix.trim().is_empty() {
        format!(",\n{prefix}")
    } else {
        ", ".to_string()
    };
    let content = format!(
        "{}{separator}{}",
        with_term(":native", native_term),
        with_term("", host_term)
    );
    Edit::replace(file, e.alt.span.clone(), content)
}

#[cfg(test)]
mod tests {
    use crate::testing::{fix_memory_selected, lint_memory_rule, lint_memory_with_archive};

    /// With indices of two architectures, what a cross build installs decides,
    /// not the built-in Multi-Arch table: libssl-dev resolves to the host's
    /// package; makedumpfile, foreign in this index, to the build machine's;
    /// python3-minimal only exists for the build machine, so the plain entry
    /// cannot be had at all.
    #[test]
    fn indices_of_two_architectures_decide() {
        let Some(build) = crate::archive::cross::native_arch() else {
            return;
        };
        let host = if build == "arm64" { "amd64" } else { "arm64" };
        let mut index = String::new();
        for arch in [build.as_str(), host] {
            index.push_str(&format!("Package: libssl-dev\nVersion: 3.0.15-1\nArchitecture: {arch}\nMulti-Arch: same\n\nPackage: makedumpfile\nVersion: 1:1.7.2-1\nArchitecture: {arch}\nMulti-Arch: foreign\n\n"));
        }
        index.push_str(&format!(
            "Package: python3-minimal\nVersion: 3.11.2-1\nArchitecture: {build}\nMulti-Arch: allowed\n"
        ));
        let files = [
            ("debian/control", "Source: x\nBuild-Depends: libssl-dev, makedumpfile, python3-minimal\n\nPackage: linux-image-x\nArchitecture: any\n"),
            ("debian/rules", "b:\n\tmakedumpfile -g vmcoreinfo -x vmlinux\n"),
            ("debian/changelog", "x (1) bookworm; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n"),
        ];
        let (d, _) =
            lint_memory_with_archive(&files, "build-dep-missing-native", &[("bookworm", &index)])
                .unwrap();
        let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert!(
            messages[0].contains(&format!(
                "a cross build for {host} installs libssl-dev:{host} 3.0.15-1"
            )),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("cannot install it") && messages[1].contains("not for"),
            "{}",
            messages[1]
        );
        // The built-in table alone: makedumpfile (not foreign there) is reported too.
        let (d, _) = lint_memory_rule(&files, "build-dep-missing-native");
        assert_eq!(d.len(), 3);
    }

    fn control(bd: &str, packages: &str) -> String {
        format!("Source: linux-x\nBuild-Depends: {bd}\n\nPackage: linux-image-x\nArchitecture: amd64\n{packages}")
    }

    #[test]
    fn plain_libssl_gets_native_in_place() {
        let c = control(
            "debhelper-compat (= 13), libssl-dev (>= 1.1) [amd64 arm64] <!stage1>, bc",
            "",
        );
        let files = [("debian/control", c.as_str())];
        let (d, tree) = lint_memory_rule(&files, "build-dep-missing-native");
        assert_eq!(d.len(), 1);
        assert_eq!(tree.files[0].line_col(d[0].span.start), (2, 41));
        let fixed = fix_memory_selected(&files, &["cross"], false);
        assert!(
            fixed[0]
                .1
                .contains("libssl-dev:native (>= 1.1) [amd64 arm64] <!stage1>, bc"),
            "{}",
            fixed[0].1
        );
    }

    #[test]
    fn dual_form_with_debian_profiles() {
        let c = control("debhelper-compat (= 13),\n libssl-dev <!pkg.linux.nokernel>,\n rsync <!pkg.linux.notools>", "\nPackage: linux-kbuild-6.1\nArchitecture: amd64\n");
        let files = [("debian/control", c.as_str())];
        let fixed = fix_memory_selected(&files, &["cross"], false);
        assert!(fixed[0].1.contains("\n libssl-dev:native <!pkg.linux.nokernel>,\n libssl-dev <!pkg.linux.notools>,\n rsync"), "{}", fixed[0].1);
    }

    #[test]
    fn dual_form_for_ubuntu_cross_profile_keeps_version_and_arches() {
        let c = control("libssl-dev (>= 3) [amd64 arm64] <!stage1> <!nocheck>, libpython3-dev <!stage1> <cross>", "\nPackage: linux-tools-common\nArchitecture: all\n");
        let fixed = fix_memory_selected(&[("debian/control", c.as_str())], &["cross"], false);
        assert!(
            fixed[0].1.contains("Build-Depends: libssl-dev:native (>= 3) [amd64 arm64] <!stage1> <!nocheck>, libssl-dev (>= 3) [amd64 arm64] <!stage1 !cross> <!nocheck !cross>, libpython3-dev"),
            "{}",
            fixed[0].1
        );
    }

    #[test]
    fn foreign_and_dual_forms_are_fine() {
        let c = control("libssl-dev:native <!pkg.linux.nokernel>, libssl-dev <!pkg.linux.notools>, pahole, python3:native, makedumpfile", "");
        let (d, _) = lint_memory_rule(&[("debian/control", &c)], "build-dep-missing-native");
        assert!(
            d.is_empty(),
            "{:?}",
            d.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn makedumpfile_only_when_rules_run_it() {
        let c = control("makedumpfile", "");
        let files = [
            ("debian/control", c.as_str()),
            (
                "debian/rules",
                "b:\n\tmakedumpfile -g debian/vmcoreinfo vmlinux\n",
            ),
        ];
        assert_eq!(
            lint_memory_rule(&files, "build-dep-missing-native").0.len(),
            1
        );
    }

    #[test]
    fn severity_and_relevance_follow_the_kernel_version() {
        use crate::diagnostic::Severity;
        let c = control("libelf-dev", "");
        let lint = |version: &str, config: &str| {
            let log = format!("linux ({version}) jammy; urgency=medium\n");
            let files = [
                ("debian/control", c.as_str()),
                ("debian/changelog", log.as_str()),
                ("debian/config/config", config),
            ];
            let (d, _) = lint_memory_rule(&files, "build-dep-missing-native");
            d.iter().map(|d| d.severity).collect::<Vec<_>>()
        };
        // 5.15 makes objtool whenever STACK_VALIDATION is set, and builds
        // resolve_btfids for BTF: without the build machine's libelf it stops.
        assert_eq!(
            lint("5.15.0-185.195", "CONFIG_STACK_VALIDATION=y\n"),
            [Severity::Error]
        );
        assert_eq!(
            lint("5.15.0-185.195", "CONFIG_BPF=y\nCONFIG_DEBUG_INFO_BTF=y\n"),
            [Severity::Error]
        );
        // 4.15 (and up to 5.4) warns and skips the validation: the build goes on.
        assert_eq!(
            lint("4.15.0-42.45", "CONFIG_STACK_VALIDATION=y\n"),
            [Severity::Warning]
        );
        assert_eq!(
            lint("4.15.0-42.45", "CONFIG_UNWINDER_ORC=y\n"),
            [Severity::Error]
        );
        // No objtool before 4.6: the host copy is the tools' alone.
        assert_eq!(lint("4.4.0-212.244", "CONFIG_STACK_VALIDATION=y\n"), []);
    }

    /// dwarves has no Multi-Arch field in bullseye and is foreign from bookworm;
    /// with BTF on, link-vmlinux.sh stops without pahole from 5.5 to 6.11.
    #[test]
    fn dwarves_follows_the_release_and_the_btf_failure_mode() {
        use crate::diagnostic::Severity;
        let c = control("dwarves (>= 1.16~) [amd64 arm64] <!stage1>", "");
        let lint = |version: &str, suite: &str| {
            let log = format!("linux ({version}) {suite}; urgency=medium\n");
            let files = [
                ("debian/control", c.as_str()),
                ("debian/changelog", log.as_str()),
                ("debian/config/config", "CONFIG_DEBUG_INFO_BTF=y\n"),
            ];
            let (d, _) = lint_memory_rule(&files, "build-dep-missing-native");
            d.iter().map(|d| d.severity).collect::<Vec<_>>()
        };
        assert_eq!(lint("5.10.223-1", "bullseye"), [Severity::Error]);
        // focal takes bullseye's packages; 5.4 may still build without BTF.
        assert_eq!(lint("5.4.0-200.220", "focal"), [Severity::Warning]);
        // Multi-Arch: foreign from bookworm: the build machine's copy is used.
        assert_eq!(lint("6.1.176-1", "bookworm"), []);
    }

    #[test]
    fn error_when_config_enables_the_consumer() {
        let c = control("libelf-dev", "");
        let files = [
            ("debian/control", c.as_str()),
            ("debian/config/config", "CONFIG_UNWINDER_ORC=y\n"),
        ];
        let (d, _) = lint_memory_rule(&files, "build-dep-missing-native");
        assert_eq!(d[0].severity, crate::diagnostic::Severity::Error);
        assert_eq!(d[0].notes.len(), 1);
    }

    /// Debian's tools-only entries are the host libraries of perf and friends:
    /// plain is right, unless an enabled option makes the kernel build link it
    /// on the build machine too.
    #[test]
    fn tools_only_entries_need_an_enabled_consumer() {
        let c = control("libelf-dev <!stage1 !pkg.linux.notools>", "");
        let quiet = [("debian/control", c.as_str())];
        let (d, _) = lint_memory_rule(&quiet, "build-dep-missing-native");
        assert!(d.is_empty(), "{d:?}");
        let loud = [
            ("debian/control", c.as_str()),
            ("debian/config/config", "CONFIG_UNWINDER_ORC=y\n"),
        ];
        let (d, _) = lint_memory_rule(&loud, "build-dep-missing-native");
        assert_eq!(d.len(), 1);
    }

    /// Rust tools count when the configuration enables Rust; clang and the LLVM
    /// tools when the rules build the kernel with them; the Python interpreters
    /// always.
    #[test]
    fn rust_llvm_and_python_interpreters() {
        let c = control(
            "rustc, bindgen, rustfmt, bindgen-0.65, rustc-1.80, clang, lld, python3-minimal, python-minimal",
            "",
        );
        let names = |files: &[(&str, &str)]| -> Vec<String> {
            let (d, _) = lint_memory_rule(files, "build-dep-missing-native");
            let mut v: Vec<String> = d
                .iter()
                .map(|d| d.message.split('`').nth(1).unwrap_or("").to_string())
                .collect();
            v.sort();
            v
        };
        let plain = [("debian/control", c.as_str())];
        assert_eq!(names(&plain), ["python-minimal", "python3-minimal"]);
        let rust_llvm = [
            ("debian/control", c.as_str()),
            ("debian/config/config", "CONFIG_RUST=y\n"),
            ("debian/rules", "b:\n\t$(MAKE) LLVM=1 bindeb-pkg\n"),
        ];
        assert_eq!(
            names(&rust_llvm),
            [
                "bindgen",
                "bindgen-0.65",
                "clang",
                "lld",
                "python-minimal",
                "python3-minimal",
                "rustc",
                "rustc-1.80",
                "rustfmt"
            ]
        );
    }
}
