use super::*;

/// A document streamed member by member is byte for byte the document
/// serde_json writes whole: at the top level and nested, empty, with one
/// member and several, with members holding line feeds in strings.
#[test]
fn streamed_json_documents_are_serde_json_pretty() {
    use serde_json::{json, Value};
    let members: Vec<Value> = vec![
        json!({"a": 1, "b": [1, 2, {"c": "x\ny"}], "d": {}, "e": []}),
        json!("plain"),
        json!({"nested": {"deeper": [[], [1]]}}),
    ];
    let docs: Vec<Box<dyn Fn(Value) -> Value>> = vec![
        Box::new(|v| v),
        Box::new(|v| json!({"version": 1, "findings": v})),
        Box::new(
            |v| json!({"$schema": "s", "runs": [{"results": v, "tool": {"x": [1]}}], "version": "2"}),
        ),
    ];
    for doc in &docs {
        for n in 0..=members.len() {
            let whole = doc(Value::Array(members[..n].to_vec()));
            let mut expected = serde_json::to_string_pretty(&whole).unwrap();
            expected.push('\n');
            let frame = JsonFrame::new(&doc(JsonFrame::slot()));
            let mut out = Vec::new();
            frame.start(&mut out).unwrap();
            for (i, m) in members[..n].iter().enumerate() {
                frame.piece(&mut out, &frame.member(m), i == 0).unwrap();
            }
            frame.finish(&mut out, n).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }
}

#[test]
fn control_characters_are_escaped_as_ls_b_does() {
    assert_eq!(
        escape_line("a\x1b[31mb\tc\u{9b}d\x7f"),
        "a\\033[31mb\\tc\\302\\233d\\177"
    );
    assert_eq!(escape_line("plain é"), "plain é");
    let text = "x\x1b]0;t\x07y\r\n\tz\rw\n";
    let (out, map) = escape_text(text);
    assert_eq!(out, "x\\033]0;t\\ay\\r\n\tz\\rw\n");
    let y = text.find('y').unwrap();
    assert_eq!(&out[map.map(y)..map.map(y) + 1], "y");
    assert_eq!(map.map(0), 0);
    assert_eq!(map.map(text.len()), out.len());
    let z = text.find('z').unwrap();
    assert_eq!(&out[map.map(z)..map.map(z + 1)], "z");
}

fn prints(files: &[(&str, &str)], spans: &[(usize, std::ops::Range<usize>)]) -> Vec<String> {
    let tree = Tree::from_memory(files);
    let diags: Vec<Diagnostic> = spans
        .iter()
        .map(|(file, span)| {
            Diagnostic::new(
                crate::registry::Rule::ForcedSerialFlag,
                crate::diagnostic::Severity::Warning,
                *file,
                span.clone(),
                format!("at {span:?}"),
            )
        })
        .collect();
    fingerprints(&[TreeFindings {
        tree: &tree,
        diagnostics: &diags,
    }])
    .remove(0)
}

#[test]
fn fingerprints_survive_line_moves_and_differ_per_finding() {
    let before = "build:\n\t$(MAKE) -j1 all\n";
    let after = "# a comment\n\nbuild:\n\t$(MAKE) -j1 all\n";
    let a = prints(&[("debian/rules", before)], &[(0, 16..19)]);
    let b = prints(&[("debian/rules", after)], &[(0, 29..32)]);
    assert_eq!(a, b, "moving a finding down keeps its fingerprint");
    assert_eq!(a[0].len(), 32);

    let twice = "build:\n\t$(MAKE) -j1 all\n\t$(MAKE) -j1 all\n";
    let c = prints(&[("debian/rules", twice)], &[(0, 16..19), (0, 33..36)]);
    assert_eq!(
        c[0], a[0],
        "the first of two identical lines keeps the identity"
    );
    assert_ne!(c[0], c[1], "identical lines get distinct fingerprints");

    let other = prints(
        &[("debian/rules", "build:\n\t$(MAKE) -j2 all\n")],
        &[(0, 16..19)],
    );
    assert_ne!(other[0], a[0], "different text is a different finding");
    let edited = prints(
        &[("debian/rules", "build:\n\tV=1 $(MAKE) -j1 all\n")],
        &[(0, 20..23)],
    );
    assert_eq!(
        edited[0], a[0],
        "editing elsewhere on the line keeps the identity"
    );
}

#[test]
fn source_name_from_changelog_control_or_directory() {
    let t = Tree::from_memory(&[
        (
            "debian/changelog",
            "linux (6.8.0-41.41) noble; urgency=medium\n",
        ),
        ("debian/control", "Source: other\n"),
    ]);
    assert_eq!(source_name(&t), "linux");
    let t = Tree::from_memory(&[
        ("debian/changelog", "SRCPKGNAME (1) noble; urgency=medium\n"),
        ("debian/control", "Source: linux-raspi\n"),
    ]);
    assert_eq!(source_name(&t), "linux-raspi");
    let t = Tree::from_memory(&[
        ("debian/debian.env", "DEBIAN=debian.master\n"),
        ("debian/changelog", "linux (1) UNRELEASED; urgency=low\n"),
        (
            "debian.master/changelog",
            "linux-oem (6.8-1) noble; urgency=low\n",
        ),
    ]);
    assert_eq!(source_name(&t), "linux-oem");
}
