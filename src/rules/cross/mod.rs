//! Family `cross`: build-dependencies whose architecture qualifier is missing or wrong.
//!
//! Background (deb-src-control(5), deb-control(5)): an unqualified Build-Depends
//! entry is installed for the *host* architecture; `:native` asks for the build
//! architecture and matches unless the package is `Multi-Arch: foreign`; `:any`
//! matches only `Multi-Arch: allowed` packages. In a cross build
//! (`sbuild --host=arm64`), everything the kernel build runs or links on the build
//! machine (sign-file, objtool, pahole, Python scripts) must come from the
//! build-architecture package.

mod any_qualifier_not_allowed;
mod build_dep_missing_native;
mod config_needs_build_dep;
mod gates;
mod native_qualifier_on_foreign;

pub use super::build_deps::{declared, entries, note_generated, Entry};
use super::Checker;
use crate::archive::cross::{self, Arches, Chroot};
use crate::knowledge::{self, MultiArch};
use crate::model::{Model, SourceStanza};
use crate::registry::Rule;

/// Multi-Arch of a package in the target release, if known: from the apt
/// indices given with `--archive` when they have the package, else the built-in table.
/// The setting that enables `cd`'s option, when the option needs the package:
/// enabled, and (for an option that only enables a menu) with one of the options
/// under it enabled too.
pub fn needing_setting<'m, 't>(
    model: &'m Model<'t>,
    cd: &knowledge::ConfigDep,
) -> Option<&'m crate::model::kconfig::ConfigSetting<'t>> {
    if !cd.holds_for(model.kernel_version()) {
        return None;
    }
    let setting = model.config_enabled(cd.option)?;
    match cd.with {
        None => Some(setting),
        Some(glob) => model
            .kconfig
            .iter()
            .any(|c| c.enabled() && knowledge::glob_match(glob, c.name))
            .then_some(setting),
    }
}

pub fn multi_arch(c: &Checker, name: &str) -> Option<MultiArch> {
    let release = &c.release.codename;
    c.archive()
        .and_then(|a| a.multi_arch(name, release))
        .or_else(|| knowledge::multi_arch(name, release))
}

/// The cross builds the given indices describe: the machine's architecture as
/// the build one (`DEB_BUILD_ARCH`, else the one kpkg-lint runs on) and each
/// other architecture they have an index for as a host, in the target release's
/// indices. Empty without indices, or without indices of two architectures:
/// then the Multi-Arch facts alone decide.
pub fn chroots<'a>(c: &Checker<'a, '_>) -> Vec<Chroot<'a>> {
    let (Some(archive), Some(build)) = (c.archive(), cross::native_arch()) else {
        return vec![];
    };
    let arches = Arches {
        build: build.clone(),
        host: build.clone(),
    };
    let native = Chroot::new(archive, &c.release.codename, arches, None);
    let indexed = native.indexed_arches();
    if !indexed.contains(&build) {
        return vec![];
    }
    indexed
        .into_iter()
        .filter(|a| *a != build)
        .map(|host| {
            let arches = Arches {
                build: build.clone(),
                host,
            };
            Chroot::new(archive, &c.release.codename, arches, None)
        })
        .collect()
}

/// Does this source also build host-side tools (perf, bpftool, linux-kbuild), which
/// link the host-architecture copies of the same libraries?
pub fn builds_host_tools(model: &Model) -> bool {
    let by_name = model.binary_packages().iter().any(|n| {
        n.starts_with("linux-tools-")
            || n.starts_with("linux-perf")
            || n.starts_with("linux-kbuild-")
            || *n == "bpftool"
            || n.contains("-tools-")
    });
    by_name
        || model.programs.iter().any(|p| {
            p.vars.iter().any(|(name, defs)| {
                name.starts_with("do_tools") && defs.iter().any(|d| d.value.trim() == "true")
            })
        })
}

/// Every build-profile term used in the source stanzas (`stage1`, `pkg.linux.notools` …).
pub fn profile_terms(stanzas: &[SourceStanza]) -> Vec<String> {
    let mut terms: Vec<String> = entries(stanzas, true)
        .iter()
        .flat_map(|e| e.alt.profiles.iter())
        .flat_map(|(p, _)| {
            p.split_whitespace()
                .map(|t| t.trim_start_matches('!').to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    terms.sort();
    terms.dedup();
    terms
}

pub fn check(c: &mut Checker) {
    let model = c.model;
    let stanzas = model.source_stanzas();
    if c.enabled(Rule::BuildDepMissingNative) {
        build_dep_missing_native::check(c, &stanzas);
    }
    if c.enabled(Rule::NativeQualifierOnForeign) {
        native_qualifier_on_foreign::check(c, &stanzas);
    }
    if c.enabled(Rule::AnyQualifierNotAllowed) {
        any_qualifier_not_allowed::check(c, &stanzas);
    }
    if c.enabled(Rule::ConfigNeedsBuildDep) {
        // The kernel's config asks what the kernel's own package installs.
        config_needs_build_dep::check(c, &model.kernel_stanzas());
    }
}

#[cfg(test)]
mod tests {
    use crate::discover;
    use crate::registry::{Family, Selector};
    use crate::rules::LintOptions;
    use std::path::Path;

    /// Every cross fix on every test tree edits only bytes inside its finding's
    /// entry: everything before and after is byte-for-byte the original.
    #[test]
    fn fixes_are_lossless_outside_the_entry() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cross");
        let d = discover::discover(&[root]);
        assert!(d.trees.len() >= 8);
        let options = LintOptions {
            rules: Selector::Family(Family::Cross).rules(),
            release: None,
            archive: None,
            profiles: vec![],
            allow_unknown: vec![],
            per_path: vec![],
            only_files: vec![],
            keep_overridden: false,
        };
        let mut checked = 0;
        for tree in &d.trees {
            for diag in crate::lint_tree(tree, &options) {
                let Some(fix) = &diag.fix else { continue };
                for e in &fix.edits {
                    assert_eq!(e.file, diag.file);
                    assert!(
                        diag.span.start <= e.span.start && e.span.end <= diag.span.end,
                        "{}: edit {:?} outside {:?}",
                        diag.rule,
                        e.span,
                        diag.span
                    );
                    let old = &tree.files[e.file].bytes();
                    let new = crate::fix::splice(old, &[e]);
                    assert_eq!(&new[..e.span.start], &old[..e.span.start]);
                    assert_eq!(
                        &new[new.len() - (old.len() - e.span.end)..],
                        &old[e.span.end..]
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked >= 15, "only {checked} fixes checked");
    }
}
