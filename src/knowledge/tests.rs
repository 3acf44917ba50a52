/// The table reader and deb822-lossless read the obsolete-packages table alike.
#[test]
fn table_stanzas_read_as_deb822_lossless_does() {
    let text = TABLE_FILES
        .iter()
        .find(|(n, _)| *n == "obsolete-packages")
        .map(|(_, t)| *t)
        .unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let parsed = deb822_lossless::Deb822::parse(&body);
    let theirs: Vec<Vec<(String, String)>> = parsed
        .tree()
        .paragraphs()
        .map(|p| {
            p.items()
                .map(|(k, _)| (k.clone(), p.get(&k).unwrap().trim().to_string()))
                .collect()
        })
        .collect();
    let ours: Vec<Vec<(String, String)>> = super::table_stanzas(text)
        .into_iter()
        .map(|p| p.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
        .collect();
    assert!(ours.len() > 10);
    assert_eq!(ours, theirs);
}

#[test]
fn dpkg_source_date_epoch_from_stretch_and_yakkety() {
    use super::dpkg_has_source_date_epoch as sde;
    assert_eq!(sde("jessie"), Some(false));
    assert_eq!(sde("stretch"), Some(true));
    assert_eq!(sde("sid"), Some(true));
    assert_eq!(sde("trusty"), Some(false));
    assert_eq!(sde("xenial"), Some(false));
    assert_eq!(sde("yakkety"), Some(true));
    assert_eq!(sde("noble"), Some(true));
    assert_eq!(sde("nosuch"), None);
}

use super::*;

#[test]
fn every_table_parses_and_has_entries() {
    for (name, _) in TABLE_FILES
        .iter()
        .filter(|(n, _)| !DEB822_TABLES.contains(n))
    {
        assert!(!table(name).entries().is_empty(), "{name}");
    }
    assert_eq!(goal_class("bzImage"), Some(GoalClass::Build));
    assert_eq!(goal_class("tinyconfig"), Some(GoalClass::Prepare));
    assert_eq!(goal_class("dtbs"), Some(GoalClass::DeviceTree));
    assert_eq!(goal_class("foo"), None);
    assert!(table("job-variables").contains("CONCURRENCY_LEVEL"));
    assert_eq!(
        crate::data::generated_includes().count(),
        table("generated-includes").entries().len(),
        "every generated-includes row has a generator and a home"
    );
}

#[test]
fn releases_and_multi_arch() {
    assert_eq!(release("noble").unwrap().debian_base, "trixie");
    assert_eq!(release_at_least("jammy", "bookworm"), Some(true));
    assert_eq!(release_at_least("focal", "bookworm"), Some(false));
    assert_eq!(multi_arch("bison", "trixie"), Some(MultiArch::Foreign));
    assert_eq!(
        multi_arch("bison", "focal"),
        None,
        "unknown before bookworm"
    );
    assert_eq!(multi_arch("libssl-dev", "sid"), Some(MultiArch::Same));
    // Two rows: no field in bullseye (and focal, imported from it), foreign
    // from bookworm on; nothing known before bullseye.
    assert_eq!(multi_arch("dwarves", "bullseye"), Some(MultiArch::No));
    assert_eq!(multi_arch("dwarves", "focal"), Some(MultiArch::No));
    assert_eq!(multi_arch("dwarves", "bookworm"), Some(MultiArch::Foreign));
    assert_eq!(multi_arch("dwarves", "noble"), Some(MultiArch::Foreign));
    assert_eq!(multi_arch("dwarves", "buster"), None);
    assert!(glob_match("gcc-*-plugin-dev", "gcc-13-plugin-dev"));
    assert!(!glob_match("gcc-*-plugin-dev", "gcc-13"));
    let d = build_machine_dep("makedumpfile").unwrap();
    assert_eq!(d.when_rules_mention, Some("makedumpfile"));
    let d = build_machine_dep("python3-dev").unwrap();
    assert_eq!(d.unless_rules_mention, Some("NO_LIBPYTHON="));
    assert!(build_machine_dep("libssl-dev").unwrap().host_too);
    // BTF without pahole: link-vmlinux.sh stops from 5.5 to 6.11; Kconfig turns
    // it off from 6.12 (and for a tree of unknown version, today's kernels).
    let btf = |k: Option<(u32, u32)>| {
        let rows: Vec<_> = config_deps()
            .into_iter()
            .filter(|c| c.option == "CONFIG_DEBUG_INFO_BTF" && c.with.is_none() && c.holds_for(k))
            .collect();
        assert_eq!(rows.len(), 1, "{k:?}");
        let c = &rows[0];
        assert_eq!(
            (&c.packages, c.min_version),
            (&vec!["pahole", "dwarves"], Some("1.16"))
        );
        c.build_fails
    };
    assert!(!btf(Some((5, 4))));
    assert!(btf(Some((5, 5))));
    assert!(btf(Some((5, 10))));
    assert!(btf(Some((6, 11))));
    assert!(!btf(Some((6, 12))));
    assert!(!btf(None));
    for c in config_deps() {
        let key = match c.with {
            Some(w) => format!("{}&{w}", c.option),
            None => c.option.to_string(),
        };
        let without = table("config-build-deps")
            .get(&key)
            .and_then(|v| v.split_whitespace().nth(2));
        assert!(matches!(without, Some("fails" | "off")), "{}", c.option);
        assert!(!c.why.is_empty(), "{}", c.option);
    }
    assert!(config_deps()
        .iter()
        .any(|c| c.option == "CONFIG_MODULE_SIG" && c.build_fails));
    assert!(release(DEFAULT_RELEASE).is_some());
}

#[test]
fn obsolete_table() {
    use ObsoleteState::*;
    let t = obsolete_packages();
    assert!(t.len() >= 20, "{}", t.len());
    let dh = t.iter().find(|o| o.package == "dh-systemd").unwrap();
    assert!(dh.one_to_one);
    assert_eq!(dh.satisfied_by, ["debhelper-compat"]);
    assert_eq!(
        dh.replacement.as_deref(),
        Some("debhelper (>= 9.20160709~)")
    );
    // Each vendor's releases in its own order: no Debian base stands in for
    // an Ubuntu series.
    let state = |o: &Obsolete, r: &str| o.state_in(r).map(|(s, _)| s);
    assert_eq!(state(dh, "jessie"), None);
    assert_eq!(state(dh, "stretch"), Some(Transitional));
    assert_eq!(state(dh, "buster"), Some(Transitional));
    assert_eq!(state(dh, "bullseye"), Some(Removed));
    assert_eq!(state(dh, "sid"), Some(Removed));
    assert_eq!(state(dh, "xenial"), None, "the real package in xenial");
    assert_eq!(state(dh, "bionic"), Some(Transitional));
    assert_eq!(state(dh, "focal"), Some(Transitional));
    assert_eq!(state(dh, "groovy"), Some(Transitional));
    assert_eq!(state(dh, "hirsute"), Some(Removed));
    assert_eq!(dh.state_in("noble"), Some((Removed, "hirsute")));
    assert_eq!(state(dh, "pve"), None, "unknown release");
    let unwind = t.iter().find(|o| o.package == "libunwind8-dev").unwrap();
    assert_eq!(state(unwind, "bookworm"), Some(OldName));
    assert_eq!(unwind.provided_by.as_deref(), Some("libunwind-dev"));
    assert!(!unwind.versioned_provides);
    assert_eq!(state(unwind, "focal"), None);
    let six = t.iter().find(|o| o.package == "python-six").unwrap();
    assert_eq!(state(six, "bullseye"), None, "bullseye still builds it");
    assert_eq!(state(six, "bookworm"), Some(Removed));
    let bsd = t.iter().find(|o| o.package == "bsdmainutils").unwrap();
    assert!(!bsd.one_to_one);
    assert_eq!(state(bsd, "trixie"), Some(Transitional));
    assert!(t
        .iter()
        .find(|o| o.package == "hardening-wrapper")
        .unwrap()
        .replacement
        .is_none());
    // Every vendor field parsed (a typo would silently drop it), every release
    // is one of that vendor's, in order, every entry has a source, and every
    // old name says what provides it.
    let text = TABLE_FILES
        .iter()
        .find(|(n, _)| *n == "obsolete-packages")
        .unwrap()
        .1;
    let fields = text
        .lines()
        .filter(|l| l.starts_with("Debian:") || l.starts_with("Ubuntu:"))
        .count();
    assert_eq!(t.iter().map(|o| o.states.len()).sum::<usize>(), fields);
    for o in t {
        assert!(
            !o.states.is_empty() && !o.source.is_empty(),
            "{}",
            o.package
        );
        for (vendor, changes) in &o.states {
            let ranks: Vec<_> = changes
                .iter()
                .map(|(_, r)| match vendor_rank(r) {
                    Some((v, rank)) if v == vendor => rank,
                    _ => panic!("{}: {r} is not a {vendor} release", o.package),
                })
                .collect();
            assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{}", o.package);
            if changes.iter().any(|(s, _)| *s == OldName) {
                assert!(o.provided_by.is_some(), "{}", o.package);
            }
        }
    }
}

#[test]
fn every_data_file_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/data");
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            TABLE_FILES.iter().any(|(n, _)| *n == name),
            "rules/data/{name} is not in TABLE_FILES"
        );
    }
}
