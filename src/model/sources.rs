//! Which source stanzas a tree declares, and which file is the source of each.
//!
//! Kernel trees rarely keep their source stanza only in `debian/control`:
//!
//! - Debian's gencontrol builds `debian/control` from `debian/templates/
//!   source.control.in` (6.x) or `control.source.in` (4.x). The template has no
//!   `Source:` field: gencontrol adds the changelog's source name, and appends the
//!   relations it derives from the defines (`gcc-N [arch]`).
//! - Ubuntu's `debian/rules debian/control` copies `debian.<branch>/control.stub.in`
//!   (with `Source: SRCPKGNAME`, replaced by `sed`) and the `control.d/*.stub` files.
//! - Proxmox and others `sed` a `debian/control.in`.
//! - Some trees hold another source package's templates too: Debian's
//!   `signed.source.control.in` (`Source: linux-signed@source_suffix@-@arch@`)
//!   and its output `debian/generated.signed-amd64/control`; kernel-package's
//!   `kernel/Control` is the source stanza of the packages make-kpkg writes.
//!
//! A stanza is a *template* when its file is one (under `templates/`, named `*.in`,
//! `*.stub`, `*.j2`, or its `Source:` holds a placeholder) and *generated* otherwise.
//! A generated stanza whose name a template produces is that template's output:
//! it is not checked on its own (a defect is reported once, at the template, where
//! its fix belongs), and it is kept alongside so messages can name the copy that
//! must be regenerated. The kernel's own stanza is the one named like the
//! changelog's source package.

use super::control::{ControlFile, Paragraph};
use crate::source::FileId;
use regex::Regex;

/// The source stanza of a control file or template.
#[derive(Debug, Clone, Copy)]
pub struct SourceStanza<'m> {
    pub file: FileId,
    pub paragraph: &'m Paragraph,
    /// The generated copy (`debian/control`) that must be regenerated after
    /// editing `file`, and its stanza.
    pub generated: Option<(FileId, &'m Paragraph)>,
    /// This is the source package the changelog names (the kernel's own), not
    /// another package whose templates live in the same tree.
    pub kernel: bool,
}

struct Candidate<'m> {
    file: FileId,
    paragraph: &'m Paragraph,
    template: bool,
    /// The `Source:` value, or the changelog's name for a template without one.
    name: String,
}

/// Is `rel` a template file rather than one a tool reads as it is?
fn is_template_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    rel.split('/').any(|d| d == "templates")
        || [".in", ".stub", ".j2"].iter().any(|s| name.ends_with(s))
}

/// Placeholders the kernel trees' generators replace in a `Source:` value:
/// gencontrol's `@name@`, dpkg's `${name}`, kernel-package's `=V`, and the
/// all-capitals words Ubuntu's rules `sed` (`SRCPKGNAME`).
fn placeholder() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"@[A-Za-z0-9_]+@|\$\{[^}]*\}|=[A-Z]+|\b[A-Z][A-Z0-9_]{2,}\b").unwrap()
    })
}

/// Could the source name `pattern` (a template's `Source:` value) become `name`?
/// A placeholder may stand for any text, the empty one included.
fn produces(pattern: &str, name: &str) -> bool {
    let mut re = String::from("^");
    let mut last = 0;
    for m in placeholder().find_iter(pattern) {
        re.push_str(&regex::escape(&pattern[last..m.start()]));
        re.push_str(".*");
        last = m.end();
    }
    re.push_str(&regex::escape(&pattern[last..]));
    re.push('$');
    Regex::new(&re).is_ok_and(|r| r.is_match(name))
}

fn has_build_deps(p: &Paragraph) -> bool {
    p.fields
        .iter()
        .any(|f| f.name.to_ascii_lowercase().starts_with("build-depends"))
}

/// Every source stanza the tree declares, each once, at its source: a generated
/// copy of a template is folded into the template's entry. `changelog` is the
/// source name the changelog gives (the kernel's package).
pub fn source_stanzas<'m>(
    controls: &'m [ControlFile],
    rel: impl Fn(FileId) -> &'m str,
    changelog: Option<&str>,
) -> Vec<SourceStanza<'m>> {
    let mut candidates = Vec::new();
    let paths: std::collections::HashSet<&str> = controls.iter().map(|c| rel(c.file)).collect();
    for c in controls {
        let path = rel(c.file);
        // `control.stub` beside `control.stub.in` is that template's output (old
        // Ubuntu rules write `$(DEBIAN)/control.stub` from it with `sed`), as
        // `control` is beside `control.in`: a file whose `.in` is here is made.
        let template = is_template_file(path) && !paths.contains(format!("{path}.in").as_str());
        for (i, p) in c.paragraphs.iter().enumerate() {
            if !has_build_deps(p) {
                continue;
            }
            let name = match p.field("Source") {
                Some(f) => f.value.trim().to_string(),
                // gencontrol's source template: the first paragraph, no `Source:`
                // (gencontrol adds the changelog's), no `Package:`.
                None if template && i == 0 && p.field("Package").is_none() => match changelog {
                    Some(n) => n.to_string(),
                    None => continue,
                },
                None => continue,
            };
            let template = template || placeholder().is_match(&name);
            candidates.push(Candidate {
                file: c.file,
                paragraph: p,
                template,
                name,
            });
        }
    }
    let mut out: Vec<SourceStanza> = Vec::new();
    // Templates first, so each generated copy finds the template it came from.
    for c in candidates.iter().filter(|c| c.template) {
        out.push(SourceStanza {
            file: c.file,
            paragraph: c.paragraph,
            generated: None,
            kernel: changelog.is_none_or(|n| produces(&c.name, n)),
        });
    }
    let templates = out.len();
    for g in candidates.iter().filter(|c| !c.template) {
        let origin = candidates
            .iter()
            .filter(|c| c.template)
            .zip(0..)
            .filter(|(t, _)| produces(&t.name, &g.name))
            // The template named like the generated stanza's own kernel-ness wins:
            // `linux` is made by `source.control.in`, not by `linux-signed…`.
            .max_by_key(|(t, _)| {
                (
                    t.name == g.name,
                    changelog.is_some_and(|n| produces(&t.name, n)),
                )
            })
            .map(|(_, i)| i);
        match origin {
            Some(i) if out[i].generated.is_none() => {
                out[i].generated = Some((g.file, g.paragraph));
            }
            Some(_) => {}
            None => out.push(SourceStanza {
                file: g.file,
                paragraph: g.paragraph,
                generated: None,
                kernel: changelog.is_none_or(|n| n == g.name),
            }),
        }
    }
    debug_assert!(out.len() >= templates);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::control;

    fn stanzas(
        files: &[(&str, &str)],
        changelog: Option<&str>,
    ) -> Vec<(String, bool, Option<String>)> {
        let controls: Vec<ControlFile> = files
            .iter()
            .enumerate()
            .map(|(i, (_, text))| control::parse(i, text))
            .collect();
        source_stanzas(&controls, |f| files[f].0, changelog)
            .iter()
            .map(|s| {
                (
                    files[s.file].0.to_string(),
                    s.kernel,
                    s.generated.map(|(g, _)| files[g].0.to_string()),
                )
            })
            .collect()
    }

    #[test]
    fn a_stub_beside_its_in_is_the_output() {
        let bd = "Source: linux\nBuild-Depends: bc\n";
        assert_eq!(
            stanzas(
                &[("debian/control.stub.in", bd), ("debian/control.stub", bd)],
                Some("linux")
            ),
            [(
                "debian/control.stub.in".to_string(),
                true,
                Some("debian/control.stub".to_string())
            )]
        );
        // A stub template of its own (Ubuntu's control.d/*.stub) stays one.
        assert_eq!(
            stanzas(
                &[("debian/control.d/linux-libc-dev.stub", bd)],
                Some("linux")
            )
            .len(),
            1
        );
    }

    #[test]
    fn placeholders_stand_for_any_text() {
        assert!(produces(
            "linux-signed@source_suffix@-@arch@",
            "linux-signed-amd64"
        ));
        assert!(!produces("linux-signed@source_suffix@-@arch@", "linux"));
        assert!(produces("SRCPKGNAME", "linux-hwe-5.4"));
        assert!(!produces("=ST-source-=V", "kernel-package"));
        assert!(produces("linux", "linux"));
        assert!(!produces("linux", "linux-aptosid"));
    }

    /// Debian's layout: the source template without `Source:`, another
    /// package's signed template, and both generated copies.
    #[test]
    fn generated_copies_fold_into_their_templates() {
        let got = stanzas(
            &[
                (
                    "debian/control",
                    "Source: linux\nBuild-Depends: a\n\nPackage: x\n",
                ),
                (
                    "debian/templates/source.control.in",
                    "Maintainer: m\nBuild-Depends: a\n",
                ),
                (
                    "debian/templates/signed.source.control.in",
                    "Source: linux-signed@source_suffix@-@arch@\nBuild-Depends: sbsigntool\n",
                ),
                (
                    "debian/generated.signed-amd64/control",
                    "Source: linux-signed-amd64\nBuild-Depends: sbsigntool\n",
                ),
            ],
            Some("linux"),
        );
        assert_eq!(
            got,
            vec![
                (
                    "debian/templates/source.control.in".into(),
                    true,
                    Some("debian/control".into())
                ),
                (
                    "debian/templates/signed.source.control.in".into(),
                    false,
                    Some("debian/generated.signed-amd64/control".into())
                ),
            ]
        );
    }

    /// A tree with only `debian/control` checks it; kernel-package's
    /// `kernel/Control` is a stanza of its own, not the tool's `debian/control`.
    #[test]
    fn stanzas_without_a_template_stand_alone() {
        let got = stanzas(
            &[
                (
                    "debian/control",
                    "Source: kernel-package\nBuild-Depends-Indep: po4a\n",
                ),
                (
                    "kernel/Control",
                    "Source: =ST-source-=V\nBuild-Depends: file\n",
                ),
            ],
            Some("kernel-package"),
        );
        assert_eq!(
            got,
            vec![
                ("kernel/Control".into(), false, None),
                ("debian/control".into(), true, None),
            ]
        );
        // Binary templates (`Package:`) and files without relations are no stanza.
        assert!(stanzas(
            &[(
                "debian/templates/main.control.in",
                "Package: linux-doc\nBuild-Depends: x\n"
            )],
            Some("linux")
        )
        .is_empty());
    }
}
