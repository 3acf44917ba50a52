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
    if (name == "config" || name.starts_with("config.")) && rel.contains("/config/") {
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
    }
}
