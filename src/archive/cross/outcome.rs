//! What a resolution says: the pick of an alternative, the candidates and
//! providers it looked at, and the reason an entry cannot be had.

use super::super::Record;
use super::Chroot;
use crate::knowledge::MultiArch;
use crate::model::relation::{Relation, RelationGroup};

/// What an alternative resolves to.
#[derive(Debug, Clone)]
pub struct Pick<'a> {
    pub record: &'a Record,
    /// The architecture it is installed for (`Architecture: all` counts as the
    /// build one, as in apt).
    pub arch: String,
    /// The virtual name it provides, when it is a provider and not the package.
    pub provides: Option<String>,
}

/// A version that was not enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub version: String,
    pub arch: String,
    /// The package providing the name with this version (a virtual package).
    pub provided_by: Option<String>,
}

/// A package providing a virtual name that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub name: String,
    /// Installed for (`all` → the build architecture).
    pub arch: String,
    /// Its `Architecture` field.
    pub architecture: String,
    /// The version its Provides gives, if any.
    pub version: Option<String>,
    pub multi_arch: MultiArch,
    /// Why it does not fit.
    pub misfit: Misfit,
}

/// Why a provider of a virtual name does not satisfy a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misfit {
    /// The relation has a version, the Provides none.
    Unversioned,
    /// The provided version does not meet the relation's.
    Version,
    /// It provides the name only for its own architecture, not the one wanted
    /// (or not as `name:any`).
    Arch,
}

/// Why an alternative cannot be had in the cross build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Not a package name: a template placeholder or substitution variable.
    NotAName,
    /// No index at all has it, or a package providing it.
    NoSuchPackage {
        /// Components the suite's Release lists whose indices were not given.
        components_without_index: Vec<String>,
    },
    /// Only indices the chroot does not use have it: another component
    /// (`focal/universe`) or another suite.
    NotEnabled { places: Vec<String> },
    /// It exists, but not for the architecture asked for: `built_for` are the
    /// `Architecture` values it has (`all` included).
    WrongArch {
        wanted: String,
        built_for: Vec<String>,
        multi_arch: MultiArch,
    },
    /// Only a virtual name, and none of its providers fits.
    Virtual { providers: Vec<Provider> },
    /// Candidates exist for the architecture, none meets the version.
    Version { candidates: Vec<Candidate> },
    /// `:any` on a package that is not Multi-Arch: allowed.
    AnyNotAllowed { multi_arch: MultiArch },
    /// An earlier group installs the package for another architecture, and it
    /// is not Multi-Arch: same.
    NotCoInstallable {
        package: String,
        other_arch: String,
        other_group: usize,
        multi_arch: MultiArch,
    },
}

impl Reason {
    /// A short name for scripts (`--format json`).
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::NotAName => "not-a-package-name",
            Reason::NoSuchPackage { .. } => "no-such-package",
            Reason::NotEnabled { .. } => "component-not-enabled",
            Reason::WrongArch { .. } => "wrong-architecture",
            Reason::Virtual { .. } => "virtual-without-provider",
            Reason::Version { .. } => "version",
            Reason::AnyNotAllowed { .. } => "any-not-allowed",
            Reason::NotCoInstallable { .. } => "not-co-installable",
        }
    }

    /// One sentence saying why, for people.
    pub fn describe(&self, name: &str, chroot: &Chroot) -> String {
        let build = &chroot.arches.build;
        match self {
            Reason::NotAName => format!("`{name}` is not a package name (a template placeholder or substitution variable)"),
            Reason::NoSuchPackage { components_without_index } => {
                let mut s = format!("no index has `{name}` or a package providing it ({})", chroot.labels().join(", "));
                if !components_without_index.is_empty() {
                    s.push_str(&format!("; the suite also has {}, whose indices were not given", components_without_index.join(", ")));
                }
                s
            }
            Reason::NotEnabled { places } => format!("`{name}` is only in {}, which the build does not enable ({})", places.join(", "), chroot.labels().join(", ")),
            Reason::WrongArch { wanted, built_for, multi_arch } => {
                if built_for.iter().all(|a| a == "all") {
                    format!("`{name}` is Architecture: all, which apt counts as a package of the build architecture ({build}), and Multi-Arch: {}, not foreign: it cannot satisfy a dependency of the {wanted} build (write `{name}:native` if it runs on the build machine)", multi_arch.as_str())
                } else if *wanted == chroot.arches.host {
                    format!("`{name}` is built for {} but not for {wanted}, and it is Multi-Arch: {}, so the {build} package cannot stand in", built_for.join(", "), multi_arch.as_str())
                } else {
                    format!("`{name}` is built for {} but not for {wanted}", built_for.join(", "))
                }
            }
            Reason::Virtual { providers } => {
                let list: Vec<String> = providers
                    .iter()
                    .map(|p| {
                        let why = match (p.misfit, &p.version) {
                            (Misfit::Unversioned, _) => "without a version, which never satisfies a versioned relation".to_string(),
                            (Misfit::Version, Some(v)) => format!("as version {v}"),
                            (Misfit::Version, None) => "without a version".to_string(),
                            (Misfit::Arch, _) => format!("only for {} (Multi-Arch: {})", p.arch, p.multi_arch.as_str()),
                        };
                        format!("{}:{} provides it {why}", p.name, p.arch)
                    })
                    .collect();
                format!("`{name}` is only a virtual package, and none of its providers fits: {}", list.join("; "))
            }
            Reason::Version { candidates } => {
                let list: Vec<String> = candidates
                    .iter()
                    .map(|c| match &c.provided_by {
                        Some(p) if c.version.is_empty() => format!("{p}:{} (an unversioned Provides)", c.arch),
                        Some(p) => format!("{p}:{} providing {}", c.arch, c.version),
                        None => format!("{}:{} {}", name, c.arch, c.version),
                    })
                    .collect();
                format!("no candidate meets the version: {}", list.join(", "))
            }
            Reason::AnyNotAllowed { multi_arch } => format!("`{name}` is Multi-Arch: {}, and `:any` only matches Multi-Arch: allowed packages", multi_arch.as_str()),
            Reason::NotCoInstallable { package, other_arch, multi_arch, .. } => format!("an earlier build-dependency installs {package}:{other_arch}, and {package} is Multi-Arch: {}: the two architectures cannot be installed together", multi_arch.as_str()),
        }
    }
}

/// Why an alternative is left out before resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inactive {
    /// Its `[…]` list excludes the host architecture.
    Arch,
    /// Its `<…>` groups do not hold with the active profiles.
    Profiles,
}

/// What happened to one alternative.
#[derive(Debug, Clone)]
pub enum AltState<'a> {
    Picked(Pick<'a>),
    Failed(Reason),
    Inactive(Inactive),
    /// An earlier alternative was picked.
    NotTried,
}

/// One group of build-dependencies, resolved.
#[derive(Debug, Clone)]
pub struct GroupResolution<'a, 'g> {
    pub group: &'g RelationGroup,
    pub alternatives: Vec<(&'g Relation, AltState<'a>)>,
    /// The alternative installed.
    pub chosen: Option<usize>,
}

impl<'a> GroupResolution<'a, '_> {
    pub fn picked(&self) -> Option<&Pick<'a>> {
        match &self.alternatives[self.chosen?].1 {
            AltState::Picked(p) => Some(p),
            _ => None,
        }
    }

    /// Every alternative left out by its arch list or profiles: nothing to install.
    pub fn inactive(&self) -> bool {
        self.alternatives
            .iter()
            .all(|(_, s)| matches!(s, AltState::Inactive(_)))
    }

    /// The first reason an active alternative failed, when none was picked.
    pub fn failure(&self) -> Option<(&'_ Relation, &Reason)> {
        if self.chosen.is_some() {
            return None;
        }
        self.alternatives.iter().find_map(|(a, s)| match s {
            AltState::Failed(r) => Some((*a, r)),
            _ => None,
        })
    }
}
