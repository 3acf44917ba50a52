//! What each file of a tree is, from its path (and, for control-file look-alikes,
//! its first line).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Makefile,
    Control,
    Changelog,
    Compat,
    /// `.config`-style fragments under a `config/` directory.
    KernelConfig,
    /// Ubuntu's `config/annotations`.
    Annotations,
    Other,
}

pub fn classify(rel: &str) -> FileKind {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let in_ruleset = rel.contains("ruleset/");
    if name == "rules"
        || (name.starts_with("rules.") && !name.ends_with(".in"))
        || name.ends_with(".mk")
    {
        return FileKind::Makefile;
    }
    if in_ruleset {
        return FileKind::Other;
    }
    if name == "changelog" {
        return FileKind::Changelog;
    }
    if name == "annotations" && rel.contains("/config/") {
        return FileKind::Annotations;
    }
    // Debian's fragments include `kernelarch-x86/config-arch-64` and
    // `kernelarch-powerpc/config-arch-64-be` beside `config` and `config.<flavour>`.
    if (name == "config" || name.starts_with("config.") || name.starts_with("config-"))
        && rel.contains("/config/")
    {
        return FileKind::KernelConfig;
    }
    if name == "compat" {
        return FileKind::Compat;
    }
    if name == "control"
        || name.starts_with("control.")
        || name.ends_with(".control.in")
        || name.ends_with(".control")
    {
        return FileKind::Control;
    }
    FileKind::Other
}

/// [`classify`] with the file's text: a file whose name only *looks* like a control
/// template (`control.md5sum`, the md5sum list Debian's gencontrol writes; a git
/// symbolic link stored as a one-line file naming its target) is read as a control
/// file only when it holds deb822 fields. The names dpkg and the kernel trees' own
/// rules read as control files whatever they hold (`control`, `control.in`,
/// `control.stub.in`, `control.stub`) stay control files, so a broken one is still
/// reported.
pub fn classify_file(rel: &str, text: &str) -> FileKind {
    let kind = classify(rel);
    if kind == FileKind::Makefile {
        return if runs_without_make(rel, text) {
            FileKind::Other
        } else {
            kind
        };
    }
    if kind != FileKind::Control {
        return kind;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if matches!(
        name,
        "control" | "control.in" | "control.stub.in" | "control.stub"
    ) || starts_with_field(text)
    {
        FileKind::Control
    } else {
        FileKind::Other
    }
}

/// Is this `rules` file a program of another interpreter? dpkg-buildpackage
/// executes `debian/rules` (Policy §4.9 asks for a makefile, dpkg does not): a
/// `#!/bin/bash` or `#!/usr/bin/python3` rules file is run by that interpreter and
/// never read by make, so it is not parsed as a makefile (its `else` is shell).
/// Files make includes or runs with `-f` (`rules.d/*.mk`, `rules.real`) are
/// makefiles whatever their first line says, and so is a `rules` without `#!`.
fn runs_without_make(rel: &str, text: &str) -> bool {
    if rel.rsplit('/').next() != Some("rules") {
        return false;
    }
    let Some(line) = text.lines().next().and_then(|l| l.strip_prefix("#!")) else {
        return false;
    };
    let mut words = line.split_whitespace();
    let Some(mut program) = words.next() else {
        return false;
    };
    // `#!/usr/bin/env make -f`: the program is env's first argument that is not
    // an option or an assignment.
    if program.rsplit('/').next() == Some("env") {
        match words.find(|w| !w.starts_with('-') && !w.contains('=')) {
            Some(p) => program = p,
            None => return false,
        }
    }
    let name = program.rsplit('/').next().unwrap_or(program);
    // make, gmake, remake: anything named for make is make. A `#!` without a
    // program (`#! -f`, what an old mkdebian wrote when $MAKE was empty) names
    // no other interpreter: the file is still the makefile it reads as.
    !name.is_empty() && !name.starts_with('-') && !name.ends_with("make")
}

/// Does the first line that is neither blank nor a comment start a deb822 field
/// (`Name:`)? An empty file counts: there is nothing to misread.
fn starts_with_field(text: &str) -> bool {
    let Some(line) = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
    else {
        return true;
    };
    let Some((name, _)) = line.split_once(':') else {
        return false;
    };
    !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_graphic() && c != ':' && c != '#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_look_alikes_are_not_control_files() {
        let md5 = "8460c5b8b2af20f20014a3c8ff3ba9dd  debian/bin/gencontrol.py\n";
        assert_eq!(classify_file("debian/control.md5sum", md5), FileKind::Other);
        assert_eq!(
            classify_file(
                "debian/templates/extra.meta.control.in",
                "headers.meta.control.in"
            ),
            FileKind::Other
        );
        assert_eq!(
            classify_file(
                "debian/templates/headers.control.in",
                "# c\nPackage: linux-headers\n"
            ),
            FileKind::Control
        );
        assert_eq!(
            classify_file("debian/control", "not deb822 at all\n"),
            FileKind::Control
        );
        let (d, _) = crate::testing::lint_memory_rule(
            &[
                (
                    "debian/control",
                    "Source: linux\n\nPackage: linux-image\nArchitecture: any\n",
                ),
                ("debian/control.md5sum", md5),
            ],
            "malformed-file",
        );
        assert!(
            d.is_empty(),
            "{:?}",
            d.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn rules_of_another_interpreter_are_not_makefiles() {
        let bash = "#!/bin/bash\nif [[ $1 == clean ]] ; then\n    dh clean\nelse\n    dh $@\nfi\n";
        assert_eq!(classify_file("debian/rules", bash), FileKind::Other);
        assert_eq!(
            classify_file("debian/rules", "#!/usr/bin/python3\nprint()\n"),
            FileKind::Other
        );
        for make in [
            "#!/usr/bin/make -f\n",
            "#! /usr/bin/make -f\n",
            "#!/usr/bin/env make -f\n",
            "#!/usr/bin/env -S make -sf\n",
            "#!/usr/local/bin/gmake -f\n",
            "#! -f\n",
            "%:\n\tdh $@\n",
            "",
        ] {
            assert_eq!(
                classify_file("debian/rules", make),
                FileKind::Makefile,
                "{make:?}"
            );
        }
        // Included or run with -f: a makefile whatever its first line.
        assert_eq!(
            classify_file("debian/rules.d/amd64.mk", "#!/bin/sh\nx = 1\n"),
            FileKind::Makefile
        );
        let (d, _) = crate::testing::lint_memory_rule(
            &[("debian/rules", bash), ("debian/changelog", "")],
            "malformed-file",
        );
        assert!(
            d.is_empty(),
            "{:?}",
            d.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn classifies_files() {
        assert_eq!(classify("debian/rules"), FileKind::Makefile);
        assert_eq!(
            classify("debian.master/rules.d/amd64.mk"),
            FileKind::Makefile
        );
        assert_eq!(classify("debian/rules.real"), FileKind::Makefile);
        assert_eq!(classify("debian.master/control.stub.in"), FileKind::Control);
        assert_eq!(
            classify("debian/templates/source.control.in"),
            FileKind::Control
        );
        assert_eq!(
            classify("debian.master/control.d/vars.generic"),
            FileKind::Other
        );
        assert_eq!(classify("debian/changelog"), FileKind::Changelog);
        assert_eq!(
            classify("debian/config/kernelarch-x86/config-arch-64"),
            FileKind::KernelConfig
        );
    }
}
