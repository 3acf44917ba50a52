//! Files a tool writes from other files: what writes them and from what.
//!
//! A change made only to a generated file is lost the next time it is written,
//! so findings there say where the source is, and their fixes are not applied
//! by a plain `--fix`.
//!
//! - `scripts/package/mkdebian` (run by the kernel's `make deb-pkg`,
//!   `bindeb-pkg`, `srcdeb-pkg`) writes a whole `debian/`: `rules` (calling the
//!   kernel's `intdeb-pkg`), `control`, `changelog` ("Custom built Linux
//!   kernel."), `arch`, `copyright`; 6.x copies the static
//!   `scripts/package/debian/rules` and writes `debian/rules.vars` beside it.
//! - Debian's `debian/bin/gencontrol.py` writes `debian/control` and
//!   `debian/rules.gen` from `debian/templates/` and `debian/config/`.
//! - Ubuntu's `debian/rules debian/control` writes `debian/control` from
//!   `debian.<branch>/control.stub.in` and `control.d/`.
//! - Trees with a `debian/control.in` (Proxmox and others) `sed` it into
//!   `debian/control`.

use crate::source::FileId;
use crate::tree::Tree;

/// What writes a generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The generator and what it reads, for messages.
    pub written_by: String,
    /// The file to change instead, when the tree holds it.
    pub source: Option<FileId>,
    /// The generator is in the tree, so the file is surely written again. A
    /// lone `debian/` that mkdebian once wrote may be maintained by hand since.
    pub regenerated: bool,
}

impl Origin {
    /// What a finding in the generated file `rel` should say about it.
    pub fn message(&self, rel: &str) -> String {
        if self.regenerated {
            format!(
                "{rel} is {}: a change made only here is lost when it is written again",
                self.written_by
            )
        } else {
            format!("if you still generate {rel} with `make deb-pkg`, change scripts/package/mkdebian instead")
        }
    }
}

/// Is the tree's `debian/` the output of the kernel's `mkdebian`?
fn mkdebian_output(tree: &Tree) -> bool {
    let text = |rel: &str| tree.file(rel).map(|f| tree.files[f].text.as_str());
    text("debian/rules").is_some_and(|t| t.contains("intdeb-pkg"))
        || text("debian/changelog").is_some_and(|t| t.contains("* Custom built Linux kernel."))
}

/// The origin of every generated file of the tree, by file.
pub fn origins(tree: &Tree) -> Vec<(FileId, Origin)> {
    let mut out = Vec::new();
    let has = |rel: &str| tree.file(rel).is_some();
    if mkdebian_output(tree) {
        let mkdebian = tree.file("scripts/package/mkdebian");
        for (id, f) in tree.files.iter().enumerate() {
            let Some(name) = f.rel.strip_prefix("debian/") else {
                continue;
            };
            let origin = match name {
                // 6.x: the static rules are copied from the kernel tree.
                "rules" if has("scripts/package/debian/rules") => Origin {
                    written_by: "a copy of scripts/package/debian/rules that mkdebian makes at every `make deb-pkg`/`bindeb-pkg`".into(),
                    source: tree.file("scripts/package/debian/rules"),
                    regenerated: mkdebian.is_some(),
                },
                "rules" | "rules.vars" | "control" | "changelog" | "arch" | "copyright" => Origin {
                    written_by: "what the kernel's scripts/package/mkdebian writes at every `make deb-pkg`/`bindeb-pkg`".into(),
                    source: mkdebian,
                    regenerated: mkdebian.is_some(),
                },
                _ => continue,
            };
            out.push((id, origin));
        }
        return out;
    }
    let generated = |rel: &str, written_by: &str, source: Option<FileId>, out: &mut Vec<_>| {
        if let Some(id) = tree.file(rel) {
            out.push((
                id,
                Origin {
                    written_by: written_by.into(),
                    source,
                    regenerated: true,
                },
            ));
        }
    };
    if has("debian/bin/gencontrol.py")
        || tree
            .files
            .iter()
            .any(|f| f.rel.starts_with("debian/templates/"))
    {
        let template = tree
            .file("debian/templates/source.control.in")
            .or_else(|| tree.file("debian/templates/control.source.in"));
        if template.is_some() {
            generated(
                "debian/control",
                "written by debian/bin/gencontrol.py from debian/templates/ and debian/config/",
                template,
                &mut out,
            );
            generated(
                "debian/rules.gen",
                "written by debian/bin/gencontrol.py from debian/templates/ and debian/config/",
                None,
                &mut out,
            );
            return out;
        }
    }
    if let Some(stub) = tree
        .files
        .iter()
        .position(|f| f.rel.starts_with("debian.") && f.rel.ends_with("/control.stub.in"))
    {
        generated(
            "debian/control",
            &format!(
                "written by `debian/rules debian/control` from {} and its control.d/",
                tree.files[stub].rel
            ),
            Some(stub),
            &mut out,
        );
        return out;
    }
    if let Some(template) = tree.file("debian/control.in") {
        generated(
            "debian/control",
            "written from debian/control.in by the build",
            Some(template),
            &mut out,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(files: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
        let tree = Tree::from_memory(files);
        origins(&tree)
            .into_iter()
            .map(|(f, o)| {
                (
                    tree.files[f].rel.clone(),
                    o.source.map(|s| tree.files[s].rel.clone()),
                )
            })
            .collect()
    }

    #[test]
    fn mkdebian_output_is_generated_whole() {
        let got = generated(&[
            (
                "debian/rules",
                "binary-arch:\n\t$(MAKE) -f $(srctree)/Makefile intdeb-pkg\n",
            ),
            ("debian/control", "Source: linux-upstream\n"),
            ("debian/source/format", "3.0 (quilt)\n"),
            ("scripts/package/mkdebian", "#!/bin/sh\n"),
        ]);
        assert_eq!(
            got,
            [
                (
                    "debian/rules".into(),
                    Some("scripts/package/mkdebian".into())
                ),
                (
                    "debian/control".into(),
                    Some("scripts/package/mkdebian".into())
                ),
            ]
        );
    }

    #[test]
    fn templates_make_debian_control_generated() {
        let got = generated(&[
            ("debian/control", "Source: linux\n"),
            ("debian/templates/source.control.in", "Section: kernel\n"),
            ("debian/rules.gen", "binary-arch:\n"),
        ]);
        assert_eq!(
            got,
            [
                (
                    "debian/control".into(),
                    Some("debian/templates/source.control.in".into())
                ),
                ("debian/rules.gen".into(), None),
            ]
        );
        let ubuntu = generated(&[
            ("debian/control", "Source: linux\n"),
            ("debian.master/control.stub.in", "Source: SRCPKGNAME\n"),
        ]);
        assert_eq!(
            ubuntu,
            [(
                "debian/control".into(),
                Some("debian.master/control.stub.in".into())
            )]
        );
        // A hand-written debian/control with nothing it could come from.
        assert!(generated(&[
            ("debian/control", "Source: linux\n"),
            ("debian/rules", "%:\n\tdh $@\n")
        ])
        .is_empty());
    }
}
