//! Ubuntu's flavour declarations: `<branch>/rules.d/<arch>.mk`,
//! `<branch>/control.d/vars.<flavour>`, the annotations headers and ABI baselines.

use super::makefile::{AssignOp, StmtKind};
use super::program::Program;
use super::Model;
use crate::source::{FileId, Span};
use crate::tree::Tree;
use std::collections::HashMap;

/// A value an arch file sets, with the assignment that sets it.
#[derive(Debug, Clone)]
pub struct ArchValue {
    pub value: String,
    pub file: FileId,
    /// The assignment statement.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ArchFile {
    /// Debian architecture name (the file stem: `amd64`).
    pub arch: String,
    pub file: FileId,
    /// Each flavour with the span of its word in the `flavours =` line; empty when
    /// the list is not literal (see `flavours_literal`).
    pub flavours: Vec<(String, Span)>,
    /// Whether `flavours` is the whole list. It is not when the line holds make
    /// syntax (`$(common_flavours)`, a `$(call …)`): what that expands to is not
    /// known here, so rules that need the complete list leave this file alone.
    pub flavours_literal: bool,
    /// The `flavours =` statement (span of the whole line), if any.
    pub flavours_line: Option<Span>,
    /// Every variable the file (and what it includes) sets, evaluated.
    pub values: HashMap<String, ArchValue>,
    /// Whether the build compiles and packages the flavours on this architecture.
    /// `do_flavour_image_package = false` (Ubuntu's i386.mk and riscv64.mk since
    /// focal) turns it off: 2-binary-arch.mk adds the per-flavour build stamps to
    /// `build-arch-deps-$(do_flavour_image_package)` and `binary-debs` to
    /// `binary-arch-deps-…`, and only the `-true` lists are made, so the arch
    /// builds linux-libc-dev and nothing of its flavours.
    pub builds_images: bool,
}

impl ArchFile {
    /// `key_<flavour>` if set, else the arch-wide `key`.
    pub fn resolve(&self, key: &str, flavour: &str) -> Option<&ArchValue> {
        self.values
            .get(&format!("{key}_{flavour}"))
            .or_else(|| self.values.get(key))
            .filter(|v| !v.value.trim().is_empty())
    }

    /// The flavour is one of the names in the `flavours =` line.
    pub fn lists(&self, flavour: &str) -> bool {
        self.flavours.iter().any(|(f, _)| f == flavour)
    }

    /// The flavour is listed, or may be: the list is not literal.
    pub fn may_list(&self, flavour: &str) -> bool {
        self.lists(flavour) || !self.flavours_literal
    }
}

#[derive(Debug, Clone)]
pub struct VarsKey {
    pub key: String,
    pub value: String,
    /// The whole `key="value"` line.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct VarsFile {
    pub flavour: String,
    pub file: FileId,
    pub keys: Vec<VarsKey>,
}

impl VarsFile {
    pub fn get(&self, key: &str) -> Option<&VarsKey> {
        self.keys.iter().find(|k| k.key == key)
    }

    /// The architectures of `arch="amd64 arm64"`.
    pub fn arches(&self) -> Vec<String> {
        self.get("arch")
            .map(|k| k.value.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default()
    }
}

/// `# ARCH: …` / `# FLAVOUR: …` header of the annotations file: the words and the
/// span of the text after the colon.
#[derive(Debug, Clone)]
pub struct Header {
    pub words: Vec<String>,
    pub value_span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct UbuntuFlavours {
    pub branch: String,
    pub arch_files: Vec<ArchFile>,
    pub vars: Vec<VarsFile>,
    pub annotations: Option<(FileId, Option<Header>, Option<Header>)>,
    /// The annotations `# FORMAT:` number. Formats 2 and 3 (xenial, bionic, and
    /// trees of their age) keep `# ARCH:` as the *kernel* architectures of the old
    /// config tooling (`x86 arm powerpc s390`) and have no `# FLAVOUR:`; from 4 on
    /// (debian/scripts/misc/kconfig/annotations.py) `# ARCH:` holds Debian
    /// architectures and `# FLAVOUR:` the `<arch>-<flavour>` pairs.
    pub annotations_format: Option<u32>,
    /// ABI baselines present (`<branch>/abi/<arch>/<flavour>` paths).
    pub abi_files: Vec<String>,
    pub has_rules_d: bool,
    pub has_control_d: bool,
    /// The per-flavour control templates (`flavour-control.stub`,
    /// `flavour-signed-control.stub`, `flavour-buildinfo.stub` …) in
    /// `<branch>/control.d/` and `debian/control.d/`: the generator
    /// (debian/scripts/control-create) fills their placeholders (`SUPPORTED`,
    /// `BOOTLOADER`, `DESC` …) from the vars files' keys, after dropping `#` lines.
    pub flavour_stubs: Vec<FileId>,
}

impl UbuntuFlavours {
    pub fn vars_of(&self, flavour: &str) -> Option<&VarsFile> {
        self.vars.iter().find(|v| v.flavour == flavour)
    }

    pub fn has_abi_dir(&self) -> bool {
        !self.abi_files.is_empty()
    }

    /// Does the generated control read the vars key `key`? Its placeholder is the
    /// key in capitals (`desc` → `DESC`), replaced wherever it occurs (`sed
    /// s/DESC/$desc/g`) in the template lines that are not comments. `None` when
    /// the tree holds no per-flavour template to tell.
    pub fn templates_use_key(&self, tree: &Tree, key: &str) -> Option<bool> {
        if self.flavour_stubs.is_empty() {
            return None;
        }
        let placeholder = key.to_ascii_uppercase();
        Some(self.flavour_stubs.iter().any(|&id| {
            tree.files[id]
                .text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .any(|l| l.contains(&placeholder))
        }))
    }
}

/// Parse a vars file: shell `key="value"` lines.
pub fn parse_vars(file: FileId, flavour: &str, text: &str) -> VarsFile {
    let mut keys = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let l = line.trim_end_matches(['\n', '\r']);
        if l.trim_start().starts_with('#') {
            continue;
        }
        if let Some((k, v)) = l.split_once('=') {
            let k = k.trim();
            if !k.is_empty() && k.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
                keys.push(VarsKey {
                    key: k.to_string(),
                    value: v.trim().trim_matches('"').to_string(),
                    span: start..start + l.len(),
                });
            }
        }
    }
    VarsFile {
        flavour: flavour.to_string(),
        file,
        keys,
    }
}

fn parse_header(text: &str, tag: &str) -> Option<Header> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let l = line.trim_end_matches(['\n', '\r']);
        if let Some(rest) = l.strip_prefix(tag) {
            let vstart = start + tag.len() + (rest.len() - rest.trim_start().len());
            return Some(Header {
                words: rest.split_whitespace().map(str::to_string).collect(),
                value_span: vstart..start + l.len(),
            });
        }
        if !l.starts_with('#') && !l.trim().is_empty() {
            break;
        }
    }
    None
}

/// A flavour name as Ubuntu's packaging spells them: it becomes part of package
/// names (`linux-image-6.8.0-41-generic-64k`), so letters, digits, `.`, `+`, `-`
/// (and `_`, seen in derivative trees).
fn is_flavour_name(word: &str) -> bool {
    !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b'_'))
}

impl<'t> Model<'t> {
    /// The Ubuntu flavour declarations, when the tree has a branch directory.
    pub fn ubuntu_flavours(&self) -> Option<UbuntuFlavours> {
        let tree = self.tree;
        let branch = tree.branch_dir.clone().or_else(|| {
            let mut dirs: Vec<&str> = tree
                .files
                .iter()
                .filter_map(|f| f.rel.split('/').next())
                .filter(|d| d.starts_with("debian."))
                .collect();
            dirs.sort();
            dirs.first().map(|d| d.to_string())
        })?;
        let mut out = UbuntuFlavours {
            branch: branch.clone(),
            ..Default::default()
        };
        let rules_prefix = format!("{branch}/rules.d/");
        let control_prefix = format!("{branch}/control.d/");
        out.has_rules_d = tree.files.iter().any(|f| f.rel.starts_with(&rules_prefix));
        out.has_control_d = tree
            .files
            .iter()
            .any(|f| f.rel.starts_with(&control_prefix));
        let mut ids: Vec<FileId> = self
            .makefiles
            .keys()
            .copied()
            .filter(|f| tree.files[*f].rel.starts_with(&rules_prefix))
            .collect();
        ids.sort_by(|a, b| tree.files[*a].rel.cmp(&tree.files[*b].rel));
        for id in ids {
            let name = tree.files[id].name();
            // `<arch>.mk`: a Debian architecture name (lowercase letters, digits,
            // `-`). Other files there (`hooks.mk`) set no build_arch or flavours; a
            // name with spaces or the like is not an architecture (it could never
            // match the annotations header).
            let Some(arch) = name.strip_suffix(".mk").filter(|a| {
                !a.is_empty()
                    && a.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            }) else {
                continue;
            };
            let program = Program::build(tree, &self.makefiles, id);
            if !program.defines("flavours") && !program.defines("build_arch") {
                continue;
            }
            let mut values = HashMap::new();
            for (var, defs) in &program.vars {
                if let (Some(v), Some(d)) = (program.value(var), defs.last()) {
                    values.insert(
                        var.clone(),
                        ArchValue {
                            value: v.text,
                            file: d.at.file,
                            span: self.stmt(d.at).span.clone(),
                        },
                    );
                }
            }
            let mut flavours = Vec::new();
            let mut flavours_literal = true;
            let mut flavours_line = None;
            if let Some(defs) = program.vars.get("flavours") {
                let d = defs.last().expect("a variable has a definition");
                let stmt = self.stmt(d.at);
                flavours_line = Some(stmt.span.clone());
                // The words of the line are the list only when that line is the one
                // definition: `+=` adds to an earlier one, a definition inside
                // ifeq may not apply, and several definitions (in included files)
                // depend on order.
                flavours_literal = defs.len() == 1
                    && matches!(
                        d.op,
                        AssignOp::Recursive | AssignOp::Simple | AssignOp::Conditional
                    )
                    && !d.conditional;
                if let StmtKind::Assign(a) = &stmt.kind {
                    let text = &tree.files[d.at.file].text;
                    for tok in
                        super::shell::tokenize(&text[a.value_span.clone()], a.value_span.start)
                    {
                        if is_flavour_name(&tok.text) {
                            flavours.push((tok.text, tok.span));
                        } else {
                            flavours_literal = false;
                        }
                    }
                }
                // A list that is not literal names nothing for certain: even its plain
                // words may sit inside a function (`$(filter generic lowlatency,…)`).
                if !flavours_literal {
                    flavours.clear();
                }
            }
            let builds_images = values
                .get("do_flavour_image_package")
                .is_none_or(|v| v.value.trim() != "false");
            out.arch_files.push(ArchFile {
                arch: arch.to_string(),
                file: id,
                flavours,
                flavours_literal,
                flavours_line,
                values,
                builds_images,
            });
        }
        for (id, f) in tree.files.iter().enumerate() {
            if let Some(flavour) = f
                .rel
                .strip_prefix(&control_prefix)
                .and_then(|n| n.strip_prefix("vars."))
            {
                out.vars.push(parse_vars(id, flavour, &f.text));
            }
        }
        out.flavour_stubs = tree
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                [control_prefix.as_str(), "debian/control.d/"]
                    .iter()
                    .filter_map(|d| f.rel.strip_prefix(d))
                    .any(|n| n.starts_with("flavour") && n.ends_with(".stub"))
            })
            .map(|(id, _)| id)
            .collect();
        if let Some(a) = tree.file(&format!("{branch}/config/annotations")) {
            let text = &tree.files[a].text;
            out.annotations = Some((
                a,
                parse_header(text, "# ARCH:"),
                parse_header(text, "# FLAVOUR:"),
            ));
            out.annotations_format = parse_header(text, "# FORMAT:")
                .and_then(|h| h.words.first().and_then(|w| w.parse().ok()));
        }
        let abi_prefix = format!("{branch}/abi/");
        out.abi_files = tree
            .listed
            .iter()
            .filter(|p| p.starts_with(&abi_prefix))
            .cloned()
            .collect();
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Model;
    use crate::tree::Tree;

    #[test]
    fn reads_arch_files_vars_and_headers() {
        let tree = Tree::from_memory(&[
            ("debian/debian.env", "DEBIAN=debian.master\n"),
            ("debian.master/rules.d/amd64.mk", "build_arch = x86\nflavours = generic  lowlatency\nbuild_image = bzImage\nkernel_file_generic = arch/x86/boot/bzImage\n"),
            ("debian.master/control.d/vars.generic", "arch=\"amd64 arm64\"\n# comment\nsupported=\"Generic\"\n"),
            ("debian.master/config/annotations", "# Menu: HEADER\n# ARCH: amd64 arm64\n# FLAVOUR: amd64-generic amd64-lowlatency\n\nCONFIG_X policy<{'amd64': 'y'}>\n"),
            ("debian.master/abi/amd64/generic", "x\n"),
        ]);
        let m = Model::build(&tree);
        let u = m.ubuntu_flavours().unwrap();
        let a = &u.arch_files[0];
        assert_eq!(a.arch, "amd64");
        assert_eq!(
            a.flavours.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
            ["generic", "lowlatency"]
        );
        assert_eq!(
            &tree.files[a.file].text[a.flavours[1].1.clone()],
            "lowlatency"
        );
        assert_eq!(
            a.resolve("build_image", "lowlatency").unwrap().value,
            "bzImage"
        );
        assert!(a.resolve("kernel_file", "lowlatency").is_none());
        assert!(a.resolve("kernel_file", "generic").is_some());
        assert_eq!(u.vars[0].arches(), ["amd64", "arm64"]);
        let (_, arch, flav) = u.annotations.as_ref().unwrap();
        assert_eq!(arch.as_ref().unwrap().words, ["amd64", "arm64"]);
        assert_eq!(flav.as_ref().unwrap().words.len(), 2);
        assert_eq!(u.annotations_format, None);
        assert_eq!(u.abi_files, ["debian.master/abi/amd64/generic"]);
    }
}
