//! Fuzz targets: one function per parser and one for the whole pipeline, each
//! taking arbitrary bytes and panicking only when an invariant breaks.
//!
//! The same functions are driven three ways: by libFuzzer through cargo-fuzz
//! (`src/fuzz/`, coverage-guided, long runs), by the stable mutation smoke test in
//! `cargo test` (`src/tests/fuzz_smoke.rs`), and by the regression replay, which
//! runs every input under `testdata/fuzz/<target>/` (each one a crash found once).
//! So what CI checks is exactly what the fuzzer explores. See docs/reliability.md.
//!
//! Not part of the stable API.

use crate::model::{changelog, control, flavour, kconfig, makefile, quilt, relation};
use crate::rules::LintOptions;
use crate::source::{mask_invalid_utf8, Span};
use crate::tree::Tree;

/// A fuzz target: any bytes in, a panic only when an invariant breaks.
pub type Target = fn(&[u8]);

/// Every target by name, for the smoke test and the regression replay.
pub const TARGETS: &[(&str, Target)] = &[
    ("makefile", makefile),
    ("control", control),
    ("relations", relations),
    ("changelog", changelog),
    ("kconfig", kconfig),
    ("quilt", quilt),
    ("vars", vars),
    ("defines", defines),
    ("packages", packages),
    ("index", index),
    ("tree", tree),
    ("render", render),
    ("disk", disk),
];

/// Text as the pipeline sees it: invalid UTF-8 masked byte for byte.
fn text(data: &[u8]) -> String {
    mask_invalid_utf8(data).0
}

fn assert_span(text: &str, span: &Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside a {}-byte text",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} splits a character"
    );
}

/// Make files: statements tile the file with only line breaks between them (the
/// scanner loses no byte), and every span is inside the text.
pub fn makefile(data: &[u8]) {
    let text = text(data);
    let mf = makefile::parse(&text);
    let mut pos = 0;
    for s in &mf.stmts {
        assert_span(&text, &s.span, "statement");
        assert!(
            s.span.start >= pos,
            "statements overlap at {}",
            s.span.start
        );
        let gap = &text[pos..s.span.start];
        assert!(
            gap.chars().all(|c| c == '\n' || c == '\r'),
            "bytes between statements are lost: {gap:?}"
        );
        pos = s.span.end;
    }
    assert!(
        text[pos..].chars().all(|c| c == '\n' || c == '\r'),
        "trailing bytes lost: {:?}",
        &text[pos..]
    );
    let _ = makefile::fold_continuations(&text);
}

/// deb822 control files: deb822-lossless prints back exactly what it read, and our
/// paragraphs, fields and relations point inside the text.
pub fn control(data: &[u8]) {
    let text = text(data);
    let parsed = deb822_lossless::Deb822::parse(&text);
    assert_eq!(parsed.tree().to_string(), text, "deb822 round trip");
    let cf = control::parse(0, &text);
    for p in &cf.paragraphs {
        assert_span(&text, &p.span, "paragraph");
        for f in &p.fields {
            assert_span(&text, &f.name_span, "field name");
            assert_span(&text, &f.value_span, "field value");
            assert_eq!(&text[f.name_span.clone()], f.name, "field name bytes");
            for g in &f.relations {
                check_group(&text, g);
            }
        }
    }
    for (span, _) in &cf.problems {
        assert_span(&text, span, "problem");
    }
    for p in &cf.relation_problems {
        assert_span(&text, &p.span, "relation problem");
    }
}

fn check_group(text: &str, g: &relation::RelationGroup) {
    assert_span(text, &g.span, "relation group");
    for r in &g.alternatives {
        assert_span(text, &r.span, "relation");
        assert_span(text, &r.name_span, "package name");
        assert!(
            g.span.start <= r.span.start && r.span.end <= g.span.end,
            "alternative {:?} outside its group {:?}",
            r.span,
            g.span
        );
        assert_eq!(&text[r.name_span.clone()], r.name, "package name bytes");
        for (_, span) in r.arch_qualifier.iter() {
            assert_span(text, span, "qualifier");
        }
        if let Some((_, _, span)) = &r.version {
            assert_span(text, span, "version");
        }
        if let Some((_, span)) = &r.arch_list {
            assert_span(text, span, "architecture list");
        }
        for (_, span) in &r.profiles {
            assert_span(text, span, "profile");
        }
    }
}

/// Relation fields on their own: every span inside the text, names are their bytes.
pub fn relations(data: &[u8]) {
    let text = text(data);
    let (groups, problems) = relation::parse_relations(&text, 0);
    for g in &groups {
        check_group(&text, g);
    }
    for p in &problems {
        assert_span(&text, &p.span, "relation problem");
    }
}

pub fn changelog(data: &[u8]) {
    let text = text(data);
    let (_, problems) = changelog::parse(&text);
    for (span, _) in &problems {
        assert_span(&text, span, "changelog problem");
    }
}

/// Kernel configs and Ubuntu annotations.
pub fn kconfig(data: &[u8]) {
    let text = text(data);
    let _ = kconfig::parse_config(0, &text);
    let _ = kconfig::parse_annotations(0, &text);
}

/// Quilt patches: parsing, and applying each file patch to the patch text itself
/// (any text will do: the applier must refuse, never panic).
pub fn quilt(data: &[u8]) {
    let text = text(data);
    let _ = quilt::series_entries(&text);
    if let Ok(patches) = quilt::parse_patch(&text) {
        for p in &patches {
            let _ = quilt::apply(&text, p);
        }
    }
}

/// Ubuntu `control.d/vars.<flavour>` files.
pub fn vars(data: &[u8]) {
    let text = text(data);
    let _ = flavour::parse_vars(0, "generic", &text);
}

/// Debian's `defines.toml` and the older INI `defines`, as the flavour rule reads
/// them: inside a tree, through the linter, at every level gencontrol merges (the
/// same bytes at the root, an arch, a featureset). The first byte picks the format.
pub fn defines(data: &[u8]) {
    let (kind, rest) = data.split_first().unwrap_or((&0, &[]));
    let levels: &[&str] = if kind % 2 == 0 {
        &[
            "debian/config/defines.toml",
            "debian/config/kernelarch-x86/defines.toml",
            "debian/config/amd64/defines.toml",
            "debian/config/featureset-none/defines.toml",
        ]
    } else {
        &[
            "debian/config/defines",
            "debian/config/amd64/defines",
            "debian/config/amd64/none/defines",
            "debian/config/featureset-none/defines",
        ]
    };
    let mut files: Vec<(&str, &[u8])> =
        vec![("debian/control", b"Source: linux\n\nPackage: linux-image\n")];
    files.extend(levels.iter().map(|rel| (*rel, rest)));
    let tree = Tree::from_memory_bytes(&files);
    check_lint(&tree);
}

/// apt `Packages` text; then a cross build resolving relations on the packages
/// and provided names it holds (plain, `:native`, `:any`, versioned, an
/// alternative for another architecture), with every reason worded.
pub fn packages(data: &[u8]) {
    use crate::archive::cross::{AltState, Arches, Chroot};
    let text = text(data);
    let Ok(records) = crate::archive::parse_packages(&text) else {
        return;
    };
    let mut relations = Vec::new();
    for r in records.iter().take(20) {
        let names =
            std::iter::once(r.name.as_str()).chain(r.provides.iter().map(|(n, _)| n.as_str()));
        for n in names {
            relations.push(format!(
                "{n}, {n}:native, {n}:any, {n} (>= {}) | {n}:arm64 [arm64] <!nocheck>",
                r.version
            ));
        }
    }
    let text = relations.join(", ");
    let (groups, _) = crate::model::relation::parse_relations(&text, 0);
    let mut archive = crate::archive::Archive::default();
    archive.add(crate::archive::IndexInfo::default(), records);
    let arches = Arches {
        build: "amd64".into(),
        host: "arm64".into(),
    };
    let chroot = Chroot::new(&archive, "sid", arches, None);
    let refs: Vec<_> = groups.iter().collect();
    for g in chroot.resolve_groups(&refs, &[]) {
        for (alt, state) in &g.alternatives {
            if let AltState::Failed(why) = state {
                let _ = why.describe(&alt.name, &chroot);
            }
        }
    }
}

/// The apt index reader on (possibly compressed) bytes: the first byte picks the
/// file name, so gzip, xz, lz4 and zstd decoders see the rest. Decompression is
/// capped (here at 16 MiB) so a small input cannot expand without bound.
pub fn index(data: &[u8]) {
    let (kind, rest) = data.split_first().unwrap_or((&0, &[]));
    let name = [
        "Packages",
        "Packages.gz",
        "Packages.xz",
        "Packages.lz4",
        "Packages.zst",
    ][*kind as usize % 5];
    let _ = crate::archive::reader::decode_and_parse(name, rest.to_vec(), 16 << 20);
}

/// Files of a tree, encoded for the fuzzer: records separated by NUL, each record a
/// path, a newline, and the file's bytes. Every byte string decodes to some tree.
pub fn decode_tree(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for record in data.split(|b| *b == 0) {
        let (path, content) = match record.iter().position(|b| *b == b'\n') {
            Some(i) => (&record[..i], &record[i + 1..]),
            None => (record, &[][..]),
        };
        let path = String::from_utf8_lossy(path).trim().to_string();
        // Paths a discovered tree could hold: relative, no `..`, no duplicates.
        if path.is_empty()
            || path.starts_with('/')
            || path
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
            || files.iter().any(|(p, _)| *p == path)
        {
            continue;
        }
        files.push((path, content.to_vec()));
    }
    files.sort();
    files
}

/// The inverse of [`decode_tree`] for trees without NUL bytes (the seed corpus).
pub fn encode_tree(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (path, content)) in files.iter().enumerate() {
        if i > 0 {
            out.push(0);
        }
        out.extend_from_slice(path.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(content);
    }
    out
}

/// Every finding and note points inside its file, on character boundaries, and
/// every fix changes something (a fix that writes back what is there would be
/// offered, and "applied", forever).
fn check_lint(tree: &Tree) {
    for d in crate::engine::lint_tree(tree, &LintOptions::default()) {
        let file = &tree.files[d.file];
        assert_span(&file.text, &d.span, d.rule.name());
        for n in &d.notes {
            assert_span(&tree.files[n.file].text, &n.span, d.rule.name());
        }
        if let Some(fix) = &d.fix {
            for e in &fix.edits {
                assert_span(&tree.files[e.file].text, &e.span, d.rule.name());
            }
            let changes = !fix.new_files.is_empty()
                || fix
                    .edits
                    .iter()
                    .any(|e| tree.files[e.file].text[e.span.clone()] != e.content);
            assert!(changes, "{}: its fix changes nothing", d.rule);
        }
    }
}

/// The whole pipeline on a tree the fuzzer writes (include graphs, flavour layouts,
/// templates, quilt series … whatever the bytes say): every finding points inside
/// its file; fixing until nothing changes ends in a tree that lints again; fixing
/// that tree again changes nothing; and every changed file's unified diff applies
/// back onto the original to give exactly the fixed file.
pub fn tree(data: &[u8]) {
    let files = decode_tree(data);
    if files.is_empty() || files.len() > 64 {
        return;
    }
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let tree = Tree::from_memory_bytes(&borrowed);
    check_lint(&tree);
    let options = LintOptions::default();
    let outcome = crate::engine::fix_loop(&tree, &options, true);
    check_lint(&outcome.tree);
    let again = crate::engine::fix_loop(&outcome.tree, &options, true);
    assert!(
        again.passes.is_empty(),
        "fixing a fixed tree changed it again: {:?}",
        again
            .passes
            .iter()
            .flat_map(|(_, p)| p.accepted.iter().map(|(rule, _, _)| *rule))
            .collect::<Vec<_>>()
    );
    for (old, new) in tree.files.iter().zip(&outcome.tree.files) {
        if old.bytes() == new.bytes() || !old.is_utf8() {
            continue;
        }
        let patch = crate::unidiff::unified(&old.rel, Some(&old.text), &new.text);
        let parsed = quilt::parse_patch(&patch)
            .unwrap_or_else(|e| panic!("our own diff does not parse: {e:?}\n{patch}"));
        assert_eq!(parsed.len(), 1, "{patch}");
        let applied = quilt::apply(&old.text, &parsed[0])
            .unwrap_or_else(|hunk| panic!("our own diff does not apply (hunk {hunk}):\n{patch}"));
        assert_eq!(
            applied, new.text,
            "the diff does not give the fixed file:\n{patch}"
        );
    }
}

/// Every output format on arbitrary findings: the bytes are a selector prefix and a
/// tree ([`decode_tree`]); each selector pair picks a file and a span in it (any
/// span a finding can have: empty, at the end, across lines, in an empty file),
/// with a message and a note cut from the tree's texts (so control characters and
/// long lines reach the renderers). No format may panic; the text and lintian
/// formats without colour print no control character but the line feed; every
/// patch header quotes its name so that it is one line.
pub fn render(data: &[u8]) {
    use crate::diagnostic::{Diagnostic, Note, Severity};
    use crate::output::{self, Emitter, TreeFindings};
    let (selectors, rest) = data.split_at(data.len().min(24));
    let files = decode_tree(rest);
    if files.is_empty() || files.len() > 64 {
        return;
    }
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let tree = Tree::from_memory_bytes(&borrowed);
    let pick = |file: usize, a: u8, b: u8| -> Span {
        let text = &tree.files[file].text;
        let len = text.len();
        let at = |x: u8| {
            let mut o = (x as usize * len) / 255;
            while !text.is_char_boundary(o) {
                o -= 1;
            }
            o
        };
        let (s, e) = (at(a.min(b)), at(a.max(b)));
        s..e
    };
    let mut diagnostics = Vec::new();
    for (i, c) in selectors.chunks(4).enumerate() {
        let [f, a, b, n] = [0, 1, 2, 3].map(|k| c.get(k).copied().unwrap_or(0));
        let file = f as usize % tree.files.len();
        let span = pick(file, a, b);
        let message = tree.files[file].text[span.clone()]
            .chars()
            .take(200)
            .collect::<String>();
        let severity = [Severity::Error, Severity::Warning, Severity::Info][i % 3];
        let rule = crate::registry::Rule::ALL[(n as usize) % crate::registry::Rule::ALL.len()];
        let mut d = Diagnostic::new(rule, severity, file, span, format!("m{i} {message}"));
        if n % 2 == 0 {
            d.help = Some(format!("h\n{message}"));
        }
        let nf = n as usize % tree.files.len();
        d.notes.push(Note {
            file: nf,
            span: pick(nf, b, n),
            message: message.clone(),
        });
        if n % 3 == 0 {
            d.include_chain.push((nf, pick(nf, n, a)));
        }
        diagnostics.push(d);
    }
    let findings = [TreeFindings {
        tree: &tree,
        diagnostics: &diagnostics,
    }];
    let text = output::text::Text {
        color: false,
        width: 80,
        summary: true,
        docs: output::DocUrl::default(),
    };
    let emitters: [(&str, &dyn Emitter); 6] = [
        ("text", &text),
        ("json", &output::json::Json::default()),
        ("sarif", &output::sarif::Sarif::default()),
        ("github", &output::github::Github),
        ("gitlab", &output::gitlab::Gitlab::default()),
        ("lintian", &output::lintian::Lintian),
    ];
    for (name, e) in emitters {
        let mut out = Vec::new();
        e.emit(&mut out, &findings)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        if name == "text" || name == "lintian" {
            let out = String::from_utf8_lossy(&out);
            let raw = out.chars().find(|c| c.is_control() && *c != '\n');
            assert!(raw.is_none(), "{name} prints a raw {raw:?}");
        }
    }
    for f in &tree.files {
        let patch = crate::unidiff::unified_named(f.rel.as_bytes(), Some(&f.text), "x\n");
        for line in patch.lines().take(2) {
            assert!(
                line.starts_with("--- ") || line.starts_with("+++ "),
                "{line:?}"
            );
        }
    }
}

/// The whole pipeline on a tree written to disk with hostile entries: the bytes
/// are a tree ([`decode_tree`]) whose files whose content starts with `@link ` are
/// made symbolic links instead (to a victim file outside the tree, a file inside
/// it, `/dev/zero`, `/proc/self/environ`, a loop, nothing), and `@fifo` a FIFO.
/// Discovery, lint, fix and `--write` must end, never change the victim, and
/// never print what it holds.
#[cfg(unix)]
pub fn disk(data: &[u8]) {
    use std::os::unix::fs::symlink;
    const SECRET: &str = "victim-secret-7d1f";
    let files = decode_tree(data);
    if files.is_empty() || files.len() > 32 {
        return;
    }
    let Ok(tmp) = tempfile::tempdir() else { return };
    let outside = tmp.path().join("victim");
    let victim = format!("{SECRET}\n");
    if std::fs::write(&outside, &victim).is_err() {
        return;
    }
    let root = tmp.path().join("tree");
    for (rel, content) in &files {
        // Only plain relative paths: the tree's own names, never `..` or absolute.
        if rel.is_empty()
            || rel.starts_with('/')
            || rel
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
        {
            continue;
        }
        let path = root.join(rel);
        let Some(parent) = path.parent() else {
            continue;
        };
        if std::fs::create_dir_all(parent).is_err() || path.exists() {
            continue;
        }
        if let Some(kind) = content.strip_prefix(b"@link ") {
            let depth = rel.matches('/').count() + 1;
            let up = "../".repeat(depth);
            let target = match kind.first().copied().unwrap_or(0) % 6 {
                0 => format!("{up}victim"),
                1 => format!("{up}tree/debian/rules"),
                2 => "/dev/zero".to_string(),
                3 => "/proc/self/environ".to_string(),
                4 => rel.rsplit('/').next().unwrap_or(rel).to_string(),
                _ => format!("{up}nowhere"),
            };
            let _ = symlink(target, &path);
        } else if content.starts_with(b"@fifo") {
            let Ok(c) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
                continue;
            };
            // SAFETY: a valid NUL-terminated path; mkfifo only creates a node.
            unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
        } else {
            let _ = std::fs::write(&path, content);
        }
    }
    let found = crate::discover::discover(std::slice::from_ref(&root));
    let options = LintOptions::default();
    for tree in &found.trees {
        let diags = crate::engine::lint_tree(tree, &options);
        for d in &diags {
            assert!(!d.message.contains(SECRET), "a finding prints the victim");
            for n in &d.notes {
                assert!(!n.message.contains(SECRET), "a note prints the victim");
            }
        }
        for f in &tree.files {
            assert!(
                !f.text.contains(SECRET),
                "{} holds the victim's text",
                f.rel
            );
        }
        let outcome = crate::engine::fix_loop(tree, &options, true);
        let _ = crate::fix::write::write_tree(tree, &outcome.tree);
    }
    assert_eq!(
        std::fs::read_to_string(&outside).ok().as_deref(),
        Some(victim.as_str()),
        "the file outside the tree changed"
    );
}

/// Not on this platform: links and FIFOs are what the target is about.
#[cfg(not(unix))]
pub fn disk(_: &[u8]) {}
