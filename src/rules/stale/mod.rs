//! Family `stale`: build-dependencies the target release cannot install.
//!
//! Two sources of truth: the built-in table `rules/data/obsolete-packages` (what is
//! known to be gone or transitional, with a source for each entry), and, with
//! `--archive`, the real apt indices of the release.

mod build_dep_unavailable;
mod obsolete_build_dep;
mod redundant_version_constraint;
mod transitional_build_dep;
mod useless_autoreconf_build_dep;

use super::Checker;
pub use crate::archive::resolve::{active, resolve, satisfies, Unavailable, View};
use crate::knowledge;
use crate::registry::Rule;

pub fn check(c: &mut Checker) {
    let stanzas = c.model.source_stanzas();
    if c.enabled(Rule::ObsoleteBuildDep) {
        obsolete_build_dep::check(c, &stanzas);
    }
    if c.enabled(Rule::UselessAutoreconfBuildDep) {
        useless_autoreconf_build_dep::check(c, &stanzas);
    }
    // Indices of other releases say nothing about this one: a focal tree checked
    // against bookworm indices would drown in false findings.
    let usable = c.archive().is_some_and(|a| {
        !a.is_empty()
            && (a.indices.iter().all(|i| i.suite.is_none())
                || a.indices
                    .iter()
                    .any(|i| i.suite.as_deref() == Some(c.release.codename.as_str())))
    });
    if usable {
        if c.enabled(Rule::BuildDepUnavailable) {
            build_dep_unavailable::check(c, &stanzas);
        }
        if c.enabled(Rule::TransitionalBuildDep) {
            transitional_build_dep::check(c, &stanzas);
        }
        if c.enabled(Rule::RedundantVersionConstraint) {
            redundant_version_constraint::check(c, &stanzas);
        }
    }
}

/// The obsolete-table entry for a package in a release, with its state there and
/// the release that state started in, if the table says anything for that release.
pub fn obsolete_in(
    name: &str,
    release: &str,
) -> Option<(
    &'static knowledge::Obsolete,
    knowledge::ObsoleteState,
    &'static str,
)> {
    knowledge::obsolete_packages()
        .iter()
        .filter(|o| o.package == name)
        .find_map(|o| o.state_in(release).map(|(s, since)| (o, s, since)))
}

/// Names that are not archive packages: template placeholders, substitution
/// variables, packages the tree builds itself, `--allow-unknown` patterns.
pub fn not_an_archive_package(c: &Checker, name: &str) -> bool {
    name.contains('@')
        || name.contains('=')
        || name.contains('$')
        || name.starts_with("SRCPKGNAME")
        || c.model.binary_packages().iter().any(|n| n == name)
        || c.allow_unknown(name)
}
