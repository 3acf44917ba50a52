//! Resolving one build-dependency against apt indices: which records of the
//! target release's indices can satisfy it, and why none can.

use super::{compare_versions, Archive, Record};
use crate::knowledge;
use crate::model::relation::Relation;

/// The indices a build chroot for the target release would use: those of that
/// suite when any are given, otherwise all of them.
pub struct View<'a> {
    pub archive: &'a Archive,
    pub considered: Vec<bool>,
    /// Architectures of the considered indices (None when no index names one).
    pub arches: Vec<Option<String>>,
    pub release: String,
}

impl<'a> View<'a> {
    pub fn new(archive: &'a Archive, release: &str) -> View<'a> {
        let of_release: Vec<bool> = archive
            .indices
            .iter()
            .map(|i| i.suite.as_deref() == Some(release))
            .collect();
        // Indices without a known suite count for every release.
        let considered: Vec<bool> = if of_release.iter().any(|x| *x) {
            archive
                .indices
                .iter()
                .zip(&of_release)
                .map(|(i, r)| *r || i.suite.is_none())
                .collect()
        } else {
            vec![true; archive.indices.len()]
        };
        let mut arches: Vec<Option<String>> = archive
            .indices
            .iter()
            .zip(&considered)
            .filter(|(_, c)| **c)
            .map(|(i, _)| i.architecture.clone())
            .collect();
        arches.sort();
        arches.dedup();
        if arches.len() > 1 {
            arches.retain(|a| a.is_some());
        }
        View {
            archive,
            considered,
            arches,
            release: release.to_string(),
        }
    }

    pub fn labels(&self, considered: bool) -> Vec<String> {
        let mut l: Vec<String> = self
            .archive
            .indices
            .iter()
            .zip(&self.considered)
            .filter(|(_, c)| **c == considered)
            .map(|(i, _)| i.label())
            .collect();
        l.sort();
        l.dedup();
        l
    }

    fn in_view(&self, r: &Record, arch: Option<&str>) -> bool {
        self.considered[r.index] && arch_ok(r, arch)
    }
}

fn arch_ok(r: &Record, arch: Option<&str>) -> bool {
    match arch {
        None => true,
        Some(a) => r.architecture == a || r.architecture == "all",
    }
}

/// Does a version satisfy `(op version)`?
pub fn satisfies(have: &str, op: &str, want: &str) -> bool {
    use std::cmp::Ordering::*;
    let o = compare_versions(have, want);
    match op {
        ">=" => o != Less,
        ">>" => o == Greater,
        "<=" => o != Greater,
        "<<" => o == Less,
        "=" => o == Equal,
        _ => true,
    }
}

/// Does the alternative apply with these build profiles and for this architecture?
pub fn active(alt: &Relation, profiles: &[String], arch: Option<&str>) -> bool {
    profiles_active(alt, profiles) && arch.is_none_or(|a| arch_active(alt, a))
}

/// Do the alternative's `<…>` groups hold with these build profiles? Any group
/// may hold, and within one every term must (deb-src-control(5)).
pub fn profiles_active(alt: &Relation, profiles: &[String]) -> bool {
    alt.profiles.is_empty()
        || alt.profiles.iter().any(|(g, _)| {
            g.split_whitespace().all(|t| match t.strip_prefix('!') {
                Some(p) => !profiles.iter().any(|x| x == p),
                None => profiles.iter().any(|x| x == t),
            })
        })
}

/// Does the alternative's `[…]` list let it apply on `arch` (the host
/// architecture: dpkg and apt evaluate the list for the architecture built for)?
pub fn arch_active(alt: &Relation, arch: &str) -> bool {
    let Some((list, _)) = &alt.arch_list else {
        return true;
    };
    let terms: Vec<&str> = list.split_whitespace().collect();
    let matches = |t: &str| {
        t == arch || t == "any" || t == "linux-any" || t.strip_prefix("any-") == Some(arch)
    };
    if terms.iter().any(|t| t.starts_with('!')) {
        !terms
            .iter()
            .filter_map(|t| t.strip_prefix('!'))
            .any(matches)
    } else {
        terms.iter().any(|t| matches(t))
    }
}

/// Why an alternative cannot be installed.
#[derive(Debug, Clone)]
pub enum Unavailable {
    /// No index has it (or anything providing it).
    Missing,
    /// Only indices outside the view have it.
    Elsewhere(Vec<String>),
    /// Versions exist, none satisfies the constraint.
    Version { available: String },
    /// It exists, but not for this architecture.
    Arch { arch: String },
    /// `:any` on a package that is not Multi-Arch: allowed.
    NotAllowed,
}

/// The newest record that satisfies the alternative for `arch`, or why none does.
pub fn resolve<'a>(
    view: &View<'a>,
    alt: &Relation,
    arch: Option<&str>,
) -> Result<Option<&'a Record>, Unavailable> {
    let archive = view.archive;
    let version_ok = |v: &str| {
        alt.version
            .as_ref()
            .is_none_or(|(op, want, _)| satisfies(v, op, want))
    };
    let any_ok = |r: &Record| {
        alt.arch_qualifier
            .as_ref()
            .is_none_or(|(q, _)| q != "any" || r.multi_arch == knowledge::MultiArch::Allowed)
    };
    let real: Vec<&Record> = archive
        .package(&alt.name)
        .filter(|r| view.in_view(r, arch))
        .collect();
    if let Some(best) = real
        .iter()
        .filter(|r| version_ok(&r.version) && any_ok(r))
        .max_by(|a, b| compare_versions(&a.version, &b.version))
    {
        return Ok(Some(best));
    }
    // Provides: an unversioned Provides never satisfies a versioned relation.
    let provided = archive
        .providers(&alt.name)
        .filter(|r| view.in_view(r, arch))
        .any(|r| {
            r.provides.iter().any(|(n, v)| {
                n == &alt.name
                    && match (&alt.version, v) {
                        (None, _) => true,
                        (Some((op, want, _)), Some(have)) => satisfies(have, op, want),
                        (Some(_), None) => false,
                    }
            })
        });
    if provided {
        return Ok(None);
    }
    if !real.is_empty() {
        if real.iter().any(|r| version_ok(&r.version)) {
            return Err(Unavailable::NotAllowed);
        }
        let newest = real
            .iter()
            .max_by(|a, b| compare_versions(&a.version, &b.version))
            .map(|r| r.version.clone())
            .unwrap_or_default();
        return Err(Unavailable::Version { available: newest });
    }
    if let Some(a) = arch {
        if archive.package(&alt.name).any(|r| view.considered[r.index]) {
            return Err(Unavailable::Arch {
                arch: a.to_string(),
            });
        }
    }
    let elsewhere: Vec<String> = {
        let mut v: Vec<String> = archive
            .package(&alt.name)
            .chain(archive.providers(&alt.name))
            .filter(|r| !view.considered[r.index])
            .map(|r| archive.indices[r.index].label())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    if elsewhere.is_empty() {
        Err(Unavailable::Missing)
    } else {
        Err(Unavailable::Elsewhere(elsewhere))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_and_arch_lists() {
        let (g, _) = crate::model::relation::parse_relations(
            "a [amd64 arm64] <!stage1> <cross>, b [!i386], c <!nodoc !stage1>",
            0,
        );
        let a = &g[0].alternatives[0];
        assert!(active(a, &[], Some("amd64")));
        assert!(!active(a, &[], Some("armhf")));
        assert!(!active(a, &["stage1".into()], Some("amd64")));
        assert!(active(a, &["stage1".into(), "cross".into()], Some("amd64")));
        assert!(!active(&g[1].alternatives[0], &[], Some("i386")));
        assert!(active(&g[1].alternatives[0], &[], None));
        assert!(!active(&g[2].alternatives[0], &["nodoc".into()], None));
        assert!(satisfies("1:3.2.8b-3", ">=", "1:3.2"));
        assert!(!satisfies("2.104", ">=", "2.200"));
    }
}
