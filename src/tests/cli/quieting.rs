//! Quieting findings a team has decided about: the overrides file, the baseline
//! and `--add-allow`, each checked against the tools that read what it writes.

use super::common::{
    copy_tree, json_findings, overrides_tree, run_in, stderr, stdout, testdata, tool_available,
};
use std::fs;
use std::path::Path;
use std::process::Command;

fn rules_of(o: &std::process::Output) -> Vec<(String, String, u64)> {
    json_findings(o).into_iter().map(|(f, _)| f).collect()
}

fn finding(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.to_string(), path.to_string(), line)
}

/// Overrides in `debian/source/` and in the Ubuntu branch's own `source/` both
/// apply; a stale override and a misspelled one are reported, and the fix
/// removes the stale one with the comment that was its own.
#[test]
fn overrides_file_silences_and_reports_what_it_no_longer_matches() {
    let (_g, dir) = overrides_tree();
    let o = run_in(&dir, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let overrides = "debian/source/kpkg-lint-overrides";
    assert_eq!(
        rules_of(&o),
        [
            finding(
                "absolute-path-in-objects",
                "debian/rules.d/0-common-vars.mk",
                20
            ),
            finding(
                "unpinned-kbuild-timestamp",
                "debian/rules.d/0-common-vars.mk",
                20
            ),
            finding(
                "unpinned-kbuild-user-host",
                "debian/rules.d/0-common-vars.mk",
                20
            ),
            finding("unused-suppression", overrides, 7),
            finding("unused-suppression", overrides, 9),
        ]
    );
    let text = stdout(&o);
    assert!(
        text.contains("the override `determinism [debian/rules.d/0-common-vars.mk:99]` in debian/source/kpkg-lint-overrides matches no finding"),
        "{text}"
    );
    assert!(
        text.contains("did you mean `serial-kernel-build`?"),
        "{text}"
    );

    // Without the overrides the same tree has the overridden findings.
    let bare = run_in(
        &testdata("flavour/ubuntu-missing-vars/in"),
        &["--format", "json"],
    );
    let bare = rules_of(&bare);
    for rule in [
        "config-needs-build-dep",
        "ignores-parallel-option",
        "flavour-missing-vars",
    ] {
        assert!(bare.iter().any(|f| f.0 == rule), "{rule}: {bare:?}");
    }

    // --show-overrides: the overridden findings with their override and reason;
    // they do not change the exit status.
    let o = run_in(&dir, &["--format", "json", "--show-overrides"]);
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let shown: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["overridden"].is_object())
        .collect();
    assert_eq!(shown.len(), 3, "{doc:#}");
    let by_rule = |rule: &str| {
        shown
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("{rule}"))["overridden"]
            .clone()
    };
    let sig = by_rule("config-needs-build-dep");
    assert_eq!(sig["path"], overrides);
    assert_eq!(sig["line"], 2);
    assert_eq!(
        sig["reason"],
        "Modules are signed by the archive, not at build time."
    );
    assert_eq!(
        by_rule("ignores-parallel-option")["reason"],
        "The wrapper passes -j itself."
    );
    let branch = by_rule("flavour-missing-vars");
    assert_eq!(branch["path"], "debian.master/source/kpkg-lint-overrides");
    assert!(branch["reason"].is_null());
    // Text: each overridden finding with a note at its override.
    let o = run_in(&dir, &["--show-overrides"]);
    let text = stdout(&o);
    assert!(
        text.contains("note: overridden here: The wrapper passes -j itself."),
        "{text}"
    );
    assert!(text.contains("(3 overridden findings shown)"), "{text}");
    // Everything overridden: exit 0.
    let o = run_in(&dir, &["--select", "flavour,cross"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // The fix removes the stale override with its own comment, nothing else.
    let o = run_in(
        &dir,
        &["--fix", "--write", "--select", "unused-suppression"],
    );
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(dir.join(overrides)).unwrap(),
        "# Modules are signed by the archive, not at build time.\nconfig-needs-build-dep CONFIG_MODULE_SIG* [debian.master/config/annotations]\n# The wrapper passes -j itself.\nlinux source: ignores-parallel-option $(kmake) [debian/rules.d/2-binary-arch.mk:5]\n\n\nserial-kernel-bild\n"
    );
}

/// A baseline written from the tree's root works from `debian/` too, keeps a
/// finding recorded when lines are added above it, shows a new one, and counts
/// what was fixed since.
#[test]
fn baseline_leaves_out_recorded_findings_across_line_moves() {
    let (_g, dir) = copy_tree(&testdata("parallel/mkdebian-old/in"));
    let o = run_in(&dir, &["--write-baseline", "kpkg-lint-baseline.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Recorded 3 findings in kpkg-lint-baseline.json"),
        "{}",
        stderr(&o)
    );
    let o = run_in(&dir, &["--baseline", "kpkg-lint-baseline.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("No findings."));
    assert!(stderr(&o).contains("3 findings recorded in kpkg-lint-baseline.json not shown"));

    // Lines above, and a new finding: only the new one is shown.
    let rules = dir.join("debian/rules");
    let text = fs::read_to_string(&rules).unwrap();
    let moved = text.replacen("build:\n", "# a comment\n\nbuild:\n", 1)
        + "\ntools:\n\t$(MAKE) -j1 -C tools/perf\n";
    fs::write(&rules, moved).unwrap();
    let o = run_in(
        &dir.join("debian"),
        &[
            "--baseline",
            "../kpkg-lint-baseline.json",
            "--format",
            "json",
        ],
    );
    let found = rules_of(&o);
    assert!(!found.is_empty(), "{}", stderr(&o));
    assert!(
        found.iter().all(|f| f.2 > 15),
        "only the new make at the end: {found:?}"
    );
    // A recorded finding fixed since is counted.
    let o = run_in(
        &dir,
        &["--fix", "--write", "--select", "ignores-parallel-option"],
    );
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run_in(&dir, &["--baseline", "kpkg-lint-baseline.json"]);
    assert!(
        stderr(&o).contains("recorded finding fixed since")
            || stderr(&o).contains("recorded findings fixed since"),
        "{}",
        stderr(&o)
    );
    // A missing or foreign baseline is an error, exit 2.
    let o = run_in(&dir, &["--baseline", "nowhere.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--write-baseline nowhere.json"),
        "{}",
        stderr(&o)
    );
    fs::write(dir.join("other.json"), "[1, 2]").unwrap();
    let o = run_in(&dir, &["--baseline", "other.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a kpkg-lint baseline"),
        "{}",
        stderr(&o)
    );
}

/// The makefile's recipes as GNU make runs them (`make -n`; the sub-makes, which
/// `-n` still runs, are `:`).
fn make_n(dir: &Path, targets: &[&str]) -> String {
    let o = Command::new("make")
        .current_dir(dir)
        .args(["-n", "-f", "debian/rules", "MAKE=:"])
        .args(targets)
        .output()
        .expect("make");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// The source and binary stanzas of a control file as dpkg's own parser
/// (Dpkg::Control::Info, which dpkg-source and dpkg-gencontrol use) reads them.
fn dpkg_reads(control: &Path) -> String {
    let o = Command::new("perl")
        .args([
            "-MDpkg::Control::Info",
            "-e",
            "my $c = Dpkg::Control::Info->new(filename => shift); print $_->output, \"--\\n\" for $c->get_source, $c->get_packages;",
        ])
        .arg(control)
        .output()
        .expect("perl");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// `--add-allow` quiets every finding it can place a comment for; GNU make runs
/// the same commands and dpkg reads the same fields afterwards; a second run
/// adds nothing.
#[test]
fn add_allow_comments_change_nothing_make_or_dpkg_read() {
    if !tool_available(
        "make",
        &["--version"],
        "reading makefiles after --add-allow",
    ) || !tool_available(
        "perl",
        &["-MDpkg::Control::Info", "-e", "1"],
        "reading control files after --add-allow (libdpkg-perl)",
    ) {
        return;
    }
    let (_g, dir) = copy_tree(&testdata("parallel/mkdebian-old/in"));
    // A continued statement and a control file finding too.
    let rules = dir.join("debian/rules");
    let text = fs::read_to_string(&rules).unwrap()
        + "\ntools:\n\t$(MAKE) ARCH=$(ARCH) \\\n\t  -j1 -C tools/perf\n";
    fs::write(&rules, text).unwrap();
    let control = dir.join("debian/control");
    let text = fs::read_to_string(&control).unwrap();
    let text = text.replacen("Build-Depends:", "Build-Depends: python-sphinx,\n", 1);
    fs::write(&control, &text).unwrap();
    let before_make = make_n(&dir, &["build", "binary-arch", "tools"]);
    let before_dpkg = dpkg_reads(&control);
    let o = run_in(&dir, &["--format", "json"]);
    let before = rules_of(&o);
    assert!(before.iter().any(|f| f.1 == "debian/control"), "{before:?}");
    assert!(
        before.iter().any(|f| f.0 == "forced-serial-flag"),
        "{before:?}"
    );

    let o = run_in(&dir, &["--add-allow"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("No findings."), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&format!(
            "Added suppression comments for {} findings in 2 files.",
            before.len()
        )),
        "{}",
        stderr(&o)
    );
    let rules_text = fs::read_to_string(&rules).unwrap();
    assert!(
        rules_text.contains("tools:\n# kpkg-lint: allow(forced-serial-flag"),
        "{rules_text}"
    );
    assert!(
        fs::read_to_string(&control)
            .unwrap()
            .contains("\n# kpkg-lint: allow(obsolete-build-dep)\n"),
        "{}",
        fs::read_to_string(&control).unwrap()
    );
    assert_eq!(
        make_n(&dir, &["build", "binary-arch", "tools"]),
        before_make
    );
    assert_eq!(dpkg_reads(&control), before_dpkg);
    // Nothing left to add.
    let snapshot = |p: &Path| fs::read_to_string(p).unwrap();
    let (r, c) = (snapshot(&rules), snapshot(&control));
    let o = run_in(&dir, &["--add-allow"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!((snapshot(&rules), snapshot(&control)), (r, c));
}
