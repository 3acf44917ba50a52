//! What a cross build would install for each build-dependency, resolved the way
//! `apt-get build-dep -a HOST` does, and why an entry cannot be had.
//!
//! apt (apt-private/private-source.cc, `DoBuildDep`) writes the source's
//! Build-Depends, -Arch and -Indep into one pseudo package `builddeps:<src>` of
//! the *host* architecture and installs it; the arch lists (`[amd64]`) and build
//! profiles (`<!nodoc>`) are evaluated for the host architecture first
//! (debSrcRecordParser::BuildDepends with APT::Architecture set to the host).
//! Each relation is then an ordinary dependency of a host-architecture package,
//! with the Multi-Arch rules of apt's cache (apt-pkg/deb/deblistparser.cc,
//! `ParseDepends` and `ParseProvides`):
//!
//! - `foo`: `foo` of the host architecture, whatever its Multi-Arch; or a
//!   `Multi-Arch: foreign` `foo` of any architecture (apt takes the build
//!   machine's). `Architecture: all` packages belong to the build (native)
//!   architecture, so one that is not `foreign` cannot satisfy it: apt reports
//!   `foo:arm64 but it is not installable`.
//! - `foo:native`: `foo` of the build architecture, whatever its Multi-Arch.
//! - `foo:any`: a `Multi-Arch: allowed` `foo` of any architecture (apt takes
//!   the build machine's); never a `same`, `foreign` or unmarked one.
//! - `foo:ARCH`: `foo` of that architecture.
//! - Provides: a `foreign` package provides its names for every architecture,
//!   an `allowed` one also as `name:any`, any other only for its own
//!   architecture. An unversioned Provides never satisfies a versioned relation.
//! - Only the candidate of each package and architecture counts (the highest
//!   version of the highest pin: `NotAutomatic` suites such as backports lose
//!   to the release); a constraint it does not meet is not met, even when an
//!   older version would.
//! - The alternatives of a group are tried in order; the first that can be had
//!   is installed.
//! - Two copies of one package for different architectures can be installed
//!   together only when it is `Multi-Arch: same`: `python3:native, python3`
//!   fails (apt: `python3:arm64 but it is not installable`).
//!
//! This is one level deep: the dependencies of what is picked are not resolved
//! (a full closure is what apt and dose-builddebcheck do).

use super::resolve::{arch_active, profiles_active, satisfies, View};
use super::{compare_versions, Archive, Record};
use crate::knowledge::MultiArch;
use crate::model::relation::{Relation, RelationGroup};

mod outcome;
#[cfg(test)]
mod tests;

pub use outcome::*;

/// The two architectures of a cross build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arches {
    /// The machine the build runs on (dpkg's DEB_BUILD_ARCH; apt's native one).
    pub build: String,
    /// The architecture the packages are built for (DEB_HOST_ARCH, `-a`).
    pub host: String,
}

/// The Debian name of the architecture this program runs on: `DEB_BUILD_ARCH`
/// when set (dpkg-architecture exports it), else the one it was compiled for.
pub fn native_arch() -> Option<String> {
    if let Some(a) = std::env::var_os("DEB_BUILD_ARCH").filter(|a| !a.is_empty()) {
        return Some(a.to_string_lossy().into_owned());
    }
    let little = cfg!(target_endian = "little");
    let name = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "i386",
        "powerpc64" if little => "ppc64el",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "loongarch64" => "loong64",
        "mips64" if little => "mips64el",
        "arm" => "armhf",
        _ => return None,
    };
    Some(name.to_string())
}

/// A Debian package name (policy 5.6.1; apt lowercases): anything else in a
/// relation is a template placeholder or a substitution variable.
pub fn is_package_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 2
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"+-.".contains(c))
}

/// The indices a cross-build chroot's apt would use: those of the target release
/// (all of them when none is), of the enabled components.
pub struct Chroot<'a> {
    pub archive: &'a Archive,
    pub release: String,
    pub arches: Arches,
    /// Per index of the archive: does the chroot use it?
    usable: Vec<bool>,
}

impl<'a> Chroot<'a> {
    /// `components`: the components the chroot enables; None for every one given.
    pub fn new(
        archive: &'a Archive,
        release: &str,
        arches: Arches,
        components: Option<&[String]>,
    ) -> Chroot<'a> {
        let view = View::new(archive, release);
        let usable = archive
            .indices
            .iter()
            .zip(&view.considered)
            .map(|(i, considered)| {
                *considered
                    && match (components, &i.component) {
                        (Some(enabled), Some(c)) => enabled.iter().any(|e| e == c),
                        _ => true,
                    }
            })
            .collect();
        Chroot {
            archive,
            release: release.to_string(),
            arches,
            usable,
        }
    }

    fn usable(&self, r: &Record) -> bool {
        self.usable[r.index]
    }

    /// The architectures the used indices are for (an index whose name says none
    /// counts for the architectures of its records).
    pub fn indexed_arches(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for (i, info) in self.archive.indices.iter().enumerate() {
            if !self.usable[i] {
                continue;
            }
            match &info.architecture {
                Some(a) => v.push(a.clone()),
                None => v.extend(
                    self.archive
                        .records
                        .iter()
                        .filter(|r| r.index == i && r.architecture != "all")
                        .map(|r| r.architecture.to_string()),
                ),
            }
        }
        v.sort();
        v.dedup();
        v
    }

    /// `bookworm/main`, … : what the chroot uses, for messages.
    pub fn labels(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .archive
            .indices
            .iter()
            .zip(&self.usable)
            .filter(|(_, u)| **u)
            .map(|(i, _)| i.label())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The suites and components used as the indices name them
    /// (`bookworm-security/main`), without architectures.
    pub fn dists(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .archive
            .indices
            .iter()
            .zip(&self.usable)
            .filter(|(_, u)| **u)
            .map(
                |(i, _)| match (i.dist.as_ref().or(i.suite.as_ref()), &i.component) {
                    (Some(d), Some(c)) => format!("{d}/{c}"),
                    (Some(d), None) => d.clone(),
                    _ => i.path.display().to_string(),
                },
            )
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Components the target suite's Release file lists but no used index is of.
    fn components_without_index(&self) -> Vec<String> {
        let used: Vec<&str> = self
            .archive
            .indices
            .iter()
            .zip(&self.usable)
            .filter(|(_, u)| **u)
            .filter_map(|(i, _)| i.component.as_deref())
            .collect();
        let mut v: Vec<String> = self
            .archive
            .indices
            .iter()
            .zip(&self.usable)
            .filter(|(_, u)| **u)
            .flat_map(|(i, _)| i.suite_components.iter())
            .filter(|c| !used.contains(&c.as_str()))
            .cloned()
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The architecture apt installs a record for: `all` is the build one.
    fn arch_of(&self, r: &Record) -> String {
        if r.architecture == "all" {
            self.arches.build.clone()
        } else {
            r.architecture.to_string()
        }
    }

    /// Is `r` the candidate of its package and architecture: the highest version
    /// of the highest pin among the used indices?
    fn is_candidate(&self, r: &Record) -> bool {
        let arch = self.arch_of(r);
        self.candidate(&r.name, &arch)
            .is_some_and(|c| std::ptr::eq(c, r) || same_version(c, r))
    }

    fn candidate(&self, name: &str, arch: &str) -> Option<&'a Record> {
        self.archive
            .package(name)
            .filter(|r| self.usable(r) && self.arch_of(r) == arch)
            .max_by(|a, b| self.rank(a, b))
    }

    /// Candidate order: pin, then version; an `Architecture: all` package is in
    /// every architecture's index, and the build architecture's copy is named.
    fn rank(&self, a: &Record, b: &Record) -> std::cmp::Ordering {
        let pin = |r: &Record| self.archive.indices[r.index].pin;
        let build_index = |r: &Record| {
            self.archive.indices[r.index].architecture.as_deref() == Some(&self.arches.build)
        };
        pin(a)
            .cmp(&pin(b))
            .then_with(|| compare_versions(&a.version, &b.version))
            .then_with(|| build_index(a).cmp(&build_index(b)))
    }

    /// The candidate of each architecture a package has in the used indices,
    /// the build architecture first, then the host one, then the rest by name.
    fn candidates(&self, name: &str) -> Vec<(String, &'a Record)> {
        let mut arches: Vec<String> = self
            .archive
            .package(name)
            .filter(|r| self.usable(r))
            .map(|r| self.arch_of(r))
            .collect();
        arches.sort_by_key(|a| (self.order(a), a.clone()));
        arches.dedup();
        arches
            .into_iter()
            .filter_map(|a| self.candidate(name, &a).map(|r| (a, r)))
            .collect()
    }

    fn order(&self, arch: &str) -> u8 {
        if arch == self.arches.build {
            0
        } else if arch == self.arches.host {
            1
        } else {
            2
        }
    }

    /// Resolve one alternative, whatever its profiles and arch list say.
    pub fn resolve(&self, alt: &Relation) -> Result<Pick<'a>, Reason> {
        if !is_package_name(&alt.name) {
            return Err(Reason::NotAName);
        }
        let wanted = Wanted::of(alt);
        let version = alt
            .version
            .as_ref()
            .map(|(op, v, _)| (op.as_str(), v.as_str()));
        let version_ok = |have: &str| version.is_none_or(|(op, want)| satisfies(have, op, want));
        let real = self.candidates(&alt.name);
        let fits = |arch: &str, r: &Record| self.fits(wanted, arch, multi_arch(r));
        if let Some((arch, r)) = real
            .iter()
            .find(|(arch, r)| fits(arch, r) && version_ok(&r.version))
        {
            return Ok(Pick {
                record: r,
                arch: arch.clone(),
                provides: None,
            });
        }
        // Virtual packages: providers that are their own package's candidate.
        let providers: Vec<(&'a Record, String, Option<&'a str>)> = self
            .archive
            .providers(&alt.name)
            .filter(|r| self.usable(r) && self.is_candidate(r))
            .flat_map(|r| {
                r.provides
                    .iter()
                    .filter(|(n, _)| *n == alt.name)
                    .map(move |(_, v)| (r, self.arch_of(r), v.as_deref()))
            })
            .collect();
        let provided_ok = |v: Option<&str>| match (version, v) {
            (None, _) => true,
            (Some((op, want)), Some(have)) => satisfies(have, op, want),
            (Some(_), None) => false,
        };
        let mut usable_providers: Vec<&(&Record, String, Option<&str>)> = providers
            .iter()
            .filter(|(r, arch, v)| self.fits(wanted, arch, multi_arch(r)) && provided_ok(*v))
            .collect();
        usable_providers.sort_by_key(|(r, arch, _)| (self.order(arch), r.name.clone()));
        if let Some((r, arch, _)) = usable_providers.first() {
            return Ok(Pick {
                record: r,
                arch: arch.clone(),
                provides: Some(alt.name.clone()),
            });
        }
        Err(self.why_not(alt, wanted, &real, &providers))
    }

    /// May a package of `arch` with this Multi-Arch satisfy what is wanted?
    fn fits(&self, wanted: Wanted, arch: &str, ma: MultiArch) -> bool {
        match wanted {
            Wanted::Host => arch == self.arches.host || ma == MultiArch::Foreign,
            Wanted::Build => arch == self.arches.build,
            Wanted::Arch(a) => arch == a,
            Wanted::AnyAllowed => ma == MultiArch::Allowed,
        }
    }

    fn why_not(
        &self,
        alt: &Relation,
        wanted: Wanted,
        real: &[(String, &'a Record)],
        providers: &[(&'a Record, String, Option<&'a str>)],
    ) -> Reason {
        if real.is_empty() && providers.is_empty() {
            let mut places: Vec<String> = self
                .archive
                .package(&alt.name)
                .chain(self.archive.providers(&alt.name))
                .filter(|r| !self.usable(r))
                .map(|r| self.archive.indices[r.index].label())
                .collect();
            places.sort();
            places.dedup();
            return if places.is_empty() {
                Reason::NoSuchPackage {
                    components_without_index: self.components_without_index(),
                }
            } else {
                Reason::NotEnabled { places }
            };
        }
        if !real.is_empty() {
            let fitting: Vec<&(String, &Record)> = real
                .iter()
                .filter(|(arch, r)| self.fits(wanted, arch, multi_arch(r)))
                .collect();
            if !fitting.is_empty() {
                let mut candidates: Vec<Candidate> = fitting
                    .iter()
                    .map(|(arch, r)| Candidate {
                        version: r.version.clone(),
                        arch: arch.clone(),
                        provided_by: None,
                    })
                    .collect();
                candidates.extend(
                    providers
                        .iter()
                        .filter(|(r, arch, _)| self.fits(wanted, arch, multi_arch(r)))
                        .map(|(r, arch, v)| Candidate {
                            version: v.unwrap_or("").to_string(),
                            arch: arch.clone(),
                            provided_by: Some(r.name.clone()),
                        }),
                );
                return Reason::Version { candidates };
            }
            let (_, first) = real[0];
            let ma = multi_arch(first);
            if wanted == Wanted::AnyAllowed {
                return Reason::AnyNotAllowed { multi_arch: ma };
            }
            let mut built_for: Vec<String> = real
                .iter()
                .map(|(_, r)| r.architecture.to_string())
                .collect();
            built_for.dedup();
            let wanted_arch = match wanted {
                Wanted::Host => self.arches.host.clone(),
                Wanted::Build => self.arches.build.clone(),
                Wanted::Arch(a) => a.to_string(),
                Wanted::AnyAllowed => unreachable!("returned above"),
            };
            return Reason::WrongArch {
                wanted: wanted_arch,
                built_for,
                multi_arch: ma,
            };
        }
        let version = alt.version.as_ref();
        let mut list: Vec<Provider> = providers
            .iter()
            .map(|(r, arch, v)| Provider {
                name: r.name.clone(),
                arch: arch.clone(),
                architecture: r.architecture.to_string(),
                version: v.map(str::to_string),
                multi_arch: multi_arch(r),
                misfit: match (version, v) {
                    (Some(_), None) => Misfit::Unversioned,
                    (Some((op, want, _)), Some(have)) if !satisfies(have, op, want) => {
                        Misfit::Version
                    }
                    _ => Misfit::Arch,
                },
            })
            .collect();
        list.sort_by(|a, b| (&a.name, &a.arch).cmp(&(&b.name, &b.arch)));
        list.dedup_by(|a, b| a.name == b.name && a.arch == b.arch);
        Reason::Virtual { providers: list }
    }

    /// Resolve every group of a source's build-dependencies in order, as one
    /// installation: `profiles` are the active build profiles.
    pub fn resolve_groups<'g>(
        &self,
        groups: &[&'g RelationGroup],
        profiles: &[String],
    ) -> Vec<GroupResolution<'a, 'g>> {
        let mut out: Vec<GroupResolution<'a, 'g>> = groups
            .iter()
            .map(|g| self.resolve_group(g, profiles))
            .collect();
        // Two architectures of one package: only Multi-Arch: same ones coexist,
        // and apt keeps the one installed first.
        let mut seen: Vec<(String, String, usize)> = Vec::new();
        for i in 0..out.len() {
            let Some(pick) = out[i].picked() else {
                continue;
            };
            let (name, arch, ma) = (
                pick.record.name.clone(),
                pick.arch.clone(),
                multi_arch(pick.record),
            );
            let clash = seen.iter().find(|(n, a, j)| {
                *n == name
                    && *a != arch
                    && (ma != MultiArch::Same
                        || out[*j]
                            .picked()
                            .is_some_and(|p| multi_arch(p.record) != MultiArch::Same))
            });
            match clash {
                Some((_, other_arch, j)) => {
                    let chosen = out[i].chosen.take().expect("picked");
                    out[i].alternatives[chosen].1 = AltState::Failed(Reason::NotCoInstallable {
                        package: name,
                        other_arch: other_arch.clone(),
                        other_group: *j,
                        multi_arch: ma,
                    });
                }
                None => seen.push((name, arch, i)),
            }
        }
        out
    }

    /// One group: its alternatives in order, the first one that can be had
    /// chosen; the ones after it are not tried.
    pub fn resolve_group<'g>(
        &self,
        group: &'g RelationGroup,
        profiles: &[String],
    ) -> GroupResolution<'a, 'g> {
        let mut alternatives = Vec::new();
        let mut chosen = None;
        for alt in &group.alternatives {
            let state = if chosen.is_some() {
                AltState::NotTried
            } else if !arch_active(alt, &self.arches.host) {
                AltState::Inactive(Inactive::Arch)
            } else if !profiles_active(alt, profiles) {
                AltState::Inactive(Inactive::Profiles)
            } else {
                match self.resolve(alt) {
                    Ok(p) => {
                        chosen = Some(alternatives.len());
                        AltState::Picked(p)
                    }
                    Err(r) => AltState::Failed(r),
                }
            };
            alternatives.push((alt, state));
        }
        GroupResolution {
            group,
            alternatives,
            chosen,
        }
    }
}

fn same_version(a: &Record, b: &Record) -> bool {
    a.version == b.version && a.architecture == b.architecture
}

/// apt's Multi-Arch of a record: `same` on an `Architecture: all` package is
/// ignored (deblistparser.cc, `ParseMultiArch`).
pub fn multi_arch(r: &Record) -> MultiArch {
    if r.architecture == "all" && r.multi_arch == MultiArch::Same {
        MultiArch::No
    } else {
        r.multi_arch
    }
}

/// What the architecture qualifier of a relation asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted<'r> {
    /// No qualifier: a dependency of the host-architecture pseudo package.
    Host,
    /// `:native`.
    Build,
    /// `:any`.
    AnyAllowed,
    /// `:arm64` and the like.
    Arch(&'r str),
}

impl<'r> Wanted<'r> {
    fn of(alt: &'r Relation) -> Wanted<'r> {
        match alt.arch_qualifier.as_ref().map(|(q, _)| q.as_str()) {
            None => Wanted::Host,
            Some("native") => Wanted::Build,
            Some("any") => Wanted::AnyAllowed,
            Some(a) => Wanted::Arch(a),
        }
    }
}
