//! The machine formats, each checked against what reads it: SARIF against the
//! official OASIS schema, GitHub workflow commands against the official toolkit's
//! own formatter, GitLab Code Quality against the fields GitLab's parser requires
//! (and fingerprints that survive line moves), lintian lines against lintian's
//! grammar; plus snapshots of every format on one tree.

mod common;

use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

#[path = "formats/sarif.rs"]
mod sarif;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// kpkg-lint over every tree under testdata/, run from the crate root.
fn all_testdata(format: &str) -> (String, Option<i32>) {
    let o = run_in(manifest_dir(), &["--format", format, "testdata"]);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{format}: {}",
        stderr(&o)
    );
    (stdout(&o), o.status.code())
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}:\n{text}"))
}

fn findings_of(text: &str) -> Vec<Value> {
    json(text)["findings"].as_array().unwrap().clone()
}

/// Pipe `input` into a command and return its stdout, stderr and status.
fn pipe(cmd: &mut Command, input: &str) -> (String, String, bool) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.success(),
    )
}

// ---------------------------------------------------------------- GitHub

/// The official toolkit formats the same findings: `core.error/warning/notice` with
/// the annotation properties GitHub documents.
const ACTIONS_CORE: &str = r#"
const { pathToFileURL } = require('url');
(async () => {
const m = await import(pathToFileURL(process.env.ACTIONS_CORE).href);
const core = m.default && m.default.error ? m.default : m;
const data = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const by = { error: core.error, warning: core.warning, info: core.notice };
for (const f of data.findings) {
  const props = { title: f.rule, file: f.path, startLine: f.line, endLine: f.end_line };
  if (f.line === f.end_line) {
    props.startColumn = f.column;
    props.endColumn = f.end_column;
  }
  const message = f.help ? `${f.message}\nhelp: ${f.help}` : f.message;
  by[f.severity](message, props);
}
})();
"#;

#[test]
fn github_commands_match_the_official_toolkit() {
    if !tool_available("npm", &["--version"], "comparing with @actions/core") {
        return;
    }
    let root = Command::new("npm").args(["root", "-g"]).output().unwrap();
    let node_path = String::from_utf8_lossy(&root.stdout).trim().to_string();
    // The toolkit's entry point (CommonJS in 1.x, an ES module since 2.x).
    let core = Path::new(&node_path).join("@actions/core/lib/core.js");
    if !core.is_file()
        && !tool_available(
            "test",
            &["-f", &core.to_string_lossy()],
            "comparing GitHub workflow commands with @actions/core (npm install -g @actions/core)",
        )
    {
        return;
    }
    // Paths with the characters that need escaping in properties: `,` `:` `%`.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("trees, 100%: all");
    for case in [
        "parallel/mkdebian-old/in",
        "determinism/kheaders/in",
        "flavour/ubuntu-perarch/in",
        "parallel/notparallel/in",
        "stale/debian-bookworm/in",
    ] {
        copy_dir(&testdata(case), &root.join(case.replace('/', "-")));
    }
    let json_out = stdout(&run_in(
        tmp.path(),
        &["--format", "json", "trees, 100%: all"],
    ));
    let ours = stdout(&run_in(
        tmp.path(),
        &["--format", "github", "trees, 100%: all"],
    ));
    let (theirs, err, ok) = pipe(
        Command::new("node")
            .args(["-e", ACTIONS_CORE])
            .env("ACTIONS_CORE", &core),
        &json_out,
    );
    assert!(ok, "{err}");
    assert!(ours.lines().count() >= 5, "{ours}");
    assert!(ours.contains("%2C 100%25%3A all/"), "{ours}");
    assert_eq!(ours, theirs);
}

// ---------------------------------------------------------------- GitLab

#[test]
fn gitlab_report_has_what_gitlab_reads() {
    let (report, _) = all_testdata("gitlab");
    let issues = json(&report);
    let issues = issues.as_array().expect("a JSON array");
    let (plain, _) = all_testdata("json");
    assert_eq!(issues.len(), findings_of(&plain).len());
    let mut seen = HashSet::new();
    for i in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(
                i[key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} in {i}"
            );
        }
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&i["severity"].as_str().unwrap()));
        let path = i["location"]["path"].as_str().unwrap();
        assert!(
            manifest_dir().join(path).is_file(),
            "{path} is relative to the checkout"
        );
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(
            seen.insert(i["fingerprint"].as_str().unwrap().to_string()),
            "duplicate fingerprint: {i}"
        );
    }
}

fn gitlab_issues(dir: &Path) -> BTreeMap<String, (String, u64)> {
    let v = json(&stdout(&run_in(dir, &["--format", "gitlab"])));
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["fingerprint"].as_str().unwrap().to_string(),
                (
                    i["check_name"].as_str().unwrap().to_string(),
                    i["location"]["lines"]["begin"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn gitlab_fingerprints_survive_line_moves_and_go_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    copy_dir(&testdata("parallel/mkdebian-old/in"), &tree);
    let before = gitlab_issues(&tree);
    assert!(before.len() >= 3);
    assert_eq!(before, gitlab_issues(&tree), "stable across runs");

    // Three comment lines at the top of every file: same findings, three lines lower.
    for name in ["debian/rules", "debian/control"] {
        let path = tree.join(name);
        let text = fs::read_to_string(&path).unwrap();
        let (first, rest) = text.split_once('\n').unwrap();
        fs::write(&path, format!("{first}\n# one\n# two\n# three\n{rest}")).unwrap();
    }
    let moved = gitlab_issues(&tree);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        moved.keys().collect::<Vec<_>>()
    );
    for (fp, (rule, line)) in &before {
        assert_eq!(moved[fp], (rule.clone(), line + 3));
    }

    // Fixing one finding removes exactly its fingerprint.
    let o = run_in(
        &tree,
        &["--fix", "--write", "--select", "ignores-parallel-option"],
    );
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let fixed = gitlab_issues(&tree);
    let gone: Vec<&String> = moved.keys().filter(|k| !fixed.contains_key(*k)).collect();
    assert_eq!(gone.len(), 1, "{moved:?} → {fixed:?}");
    assert_eq!(moved[gone[0]].0, "ignores-parallel-option");
}

// ---------------------------------------------------------------- lintian

#[test]
fn lintian_lines_follow_lintians_grammar() {
    let (lines, _) = all_testdata("lintian");
    let (plain, _) = all_testdata("json");
    let plain = findings_of(&plain);
    // lintian: `<code>: <package> <type>: <tag> [<context>] [<pointer>]`.
    let grammar = regex::Regex::new(
        r"^([EWI]): ([a-z0-9][a-z0-9+.-]+) source: ([a-z0-9][a-z0-9-]*)(?: (\S.*?))? \[([^\]\s]+?)(?::(\d+))?\]$",
    )
    .unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), plain.len());
    for (line, f) in lines.iter().zip(&plain) {
        let c = grammar
            .captures(line)
            .unwrap_or_else(|| panic!("not a lintian line: {line}"));
        let code = match f["severity"].as_str().unwrap() {
            "error" => "E",
            "warning" => "W",
            _ => "I",
        };
        assert_eq!(&c[1], code, "{line}");
        assert_eq!(&c[3], f["rule"].as_str().unwrap());
        assert_eq!(&c[5], f["path"].as_str().unwrap());
        if let Some(n) = c.get(6) {
            assert_eq!(n.as_str(), f["line"].to_string());
        }
    }
    let names: HashSet<&str> = lines
        .iter()
        .filter_map(|l| grammar.captures(l).map(|c| c.get(2).unwrap().as_str()))
        .collect();
    assert!(names.contains("linux"), "{names:?}");
}

// ---------------------------------------------------------------- statistics

#[test]
fn statistics_count_what_json_lists() {
    let (plain, code) = all_testdata("json");
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for f in findings_of(&plain) {
        *counts
            .entry(f["rule"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let o = run_in(
        manifest_dir(),
        &["--statistics", "--format", "json", "testdata"],
    );
    assert_eq!(
        o.status.code(),
        code,
        "same exit status as without --statistics"
    );
    let stats = json(&stdout(&o));
    let got: BTreeMap<String, u64> = stats["statistics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["rule"].as_str().unwrap().to_string(),
                s["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, counts);

    let text = stdout(&run_in(manifest_dir(), &["--statistics", "testdata"]));
    let total: u64 = counts.values().sum();
    assert!(
        text.ends_with(&format!("{total} findings from {} rules.\n", counts.len())),
        "{text}"
    );
    let first = text.lines().next().unwrap();
    let top = counts.values().max().unwrap();
    assert!(
        first.trim_start().starts_with(&top.to_string()),
        "most frequent first: {first}"
    );

    let o = run_in(
        manifest_dir(),
        &["--statistics", "--format", "sarif", "testdata"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--statistics prints text or JSON"),
        "{}",
        stderr(&o)
    );
}

// ---------------------------------------------------------------- jsonl

/// `--format jsonl` is `--format json`'s findings, one a line, each with its tree;
/// and runs over parts of a set of trees, run side by side as `xargs -P` would,
/// concatenate into the run over the whole set.
#[test]
fn jsonl_lines_are_the_json_findings_and_shards_merge() {
    let (plain, code) = all_testdata("json");
    let (lines, lines_code) = all_testdata("jsonl");
    assert_eq!(code, lines_code);
    let objects: Vec<Value> = lines.lines().map(json).collect();
    let expected = findings_of(&plain);
    assert!(!expected.is_empty());
    assert_eq!(objects.len(), expected.len());
    for (mut line, finding) in objects.iter().cloned().zip(&expected) {
        let tree = line["tree"].as_str().unwrap().to_string();
        let path = finding["path"].as_str().unwrap();
        assert!(path.starts_with(&format!("{tree}/")), "{path} is in {tree}");
        line.as_object_mut().unwrap().remove("tree");
        assert_eq!(&line, finding);
    }
    // One shard a family directory, all at once, merged in their order.
    let mut families: Vec<String> = fs::read_dir(manifest_dir().join("testdata"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| format!("testdata/{}", e.file_name().to_string_lossy()))
        .collect();
    families.sort();
    let shards: Vec<_> = families
        .iter()
        .map(|f| {
            Command::new(env!("CARGO_BIN_EXE_kpkg-lint"))
                .current_dir(manifest_dir())
                .args(["--format", "jsonl", f])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let merged: String = shards
        .into_iter()
        .map(|c| String::from_utf8(c.wait_with_output().unwrap().stdout).unwrap())
        .collect();
    assert_eq!(merged, lines);
}

// ---------------------------------------------------------------- snapshots

/// SARIF with the catalogue, rule indices and version redacted, so the snapshot shows
/// our results and does not change with every rule added to the catalogue (the
/// schema test checks those parts).
fn sarif_for_snapshot(text: &str) -> String {
    let mut doc = json(text);
    let run = &mut doc["runs"][0];
    let driver = &mut run["tool"]["driver"];
    driver["rules"] = "[the catalogue]".into();
    driver["version"] = "[version]".into();
    driver["semanticVersion"] = "[version]".into();
    for r in run["results"].as_array_mut().unwrap() {
        r["ruleIndex"] = "[index]".into();
    }
    serde_json::to_string_pretty(&doc).unwrap()
}

#[test]
fn format_snapshots() {
    let tree = testdata("parallel/mkdebian-old/in");
    for format in ["json", "sarif", "github", "gitlab", "lintian"] {
        let o = run_in(&tree, &["--format", format, "--select", "parallel,cross"]);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{format} prints nothing on stderr");
        let out = stdout(&o);
        let out = if format == "sarif" {
            sarif_for_snapshot(&out)
        } else {
            out
        };
        insta::assert_snapshot!(format!("format_{format}_mkdebian_old"), out);
    }
    // The parallel family's trees: each case's in/ and, for a case with a fix, the
    // whole fixed tree (in/ with out/ over it) as its out/.
    let tmp = tempfile::tempdir().unwrap();
    for c in cases().into_iter().filter(|c| c.family == "parallel") {
        let dst = tmp.path().join(&c.name);
        if c.dir.join("in").is_dir() {
            copy_dir(&c.dir.join("in"), &dst.join("in"));
        }
        if c.fix.is_some() {
            c.write_expected_tree(&dst.join("out"));
        }
    }
    let o = run_in(tmp.path(), &["--statistics", "--select", "parallel"]);
    insta::assert_snapshot!("statistics_parallel", stdout(&o));
}

/// `--format concise` is what editors' quickfix lists read: vim's default
/// errorformat takes every line as file, line, column and message.
#[test]
fn concise_lines_fill_vims_quickfix_list() {
    let tree = testdata("parallel/mkdebian-old/in");
    let o = run_in(
        &tree,
        &["--format", "concise", "--select", "parallel,determinism"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    insta::assert_snapshot!("format_concise_mkdebian_old", out);
    if !tool_available(
        "vim",
        &["--version"],
        "the concise format's vim quickfix test",
    ) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let errors = tmp.path().join("errors");
    let parsed = tmp.path().join("parsed");
    fs::write(&errors, &out).unwrap();
    let script = format!(
        "call writefile(map(getqflist(), {{_, v -> bufname(v.bufnr) . '|' . v.lnum . '|' . v.col . '|' . v.valid . '|' . v.text}}), '{}')",
        parsed.display()
    );
    let status = std::process::Command::new("vim")
        .current_dir(&tree)
        .args(["-Nu", "NONE", "-Es", "-c"])
        .arg(format!("cgetfile {}", errors.display()))
        .args(["-c", &script, "-c", "qa!"])
        .status()
        .unwrap();
    assert!(status.success());
    let entries = fs::read_to_string(&parsed).unwrap();
    let lines: Vec<&str> = entries.lines().collect();
    assert_eq!(lines.len(), out.lines().count(), "{entries}");
    for (entry, line) in lines.iter().zip(out.lines()) {
        let fields: Vec<&str> = entry.splitn(5, '|').collect();
        assert_eq!(&fields[..4], ["debian/rules", "9", "2", "1"], "{entry}");
        assert!(line.ends_with(fields[4]), "{entry} vs {line}");
    }
}

/// JSON carries each fix's edits as byte ranges: applying them to the original
/// files gives exactly what `--fix --write` writes.
#[test]
fn json_fix_edits_reproduce_the_fixed_files() {
    let (_g, tree) = copy_tree(&testdata("cross/debian-templates/in"));
    let v: Value = serde_json::from_str(&stdout(&run_in(&tree, &["--format", "json"]))).unwrap();
    let mut per_file: BTreeMap<String, Vec<(usize, usize, String)>> = BTreeMap::new();
    for f in v["findings"].as_array().unwrap() {
        assert!(f["notes"].is_array());
        let Some(fix) = f["fix"].as_object() else {
            continue;
        };
        if fix["applicability"] != "safe" {
            continue;
        }
        for e in fix["edits"].as_array().unwrap() {
            per_file
                .entry(e["path"].as_str().unwrap().to_string())
                .or_default()
                .push((
                    e["start"].as_u64().unwrap() as usize,
                    e["end"].as_u64().unwrap() as usize,
                    e["content"].as_str().unwrap().to_string(),
                ));
        }
    }
    assert!(!per_file.is_empty());
    let originals: BTreeMap<String, Vec<u8>> = per_file
        .keys()
        .map(|p| (p.clone(), fs::read(tree.join(p)).unwrap()))
        .collect();
    let o = run_in(&tree, &["--fix", "--write"]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    for (path, mut edits) in per_file {
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        let mut bytes = originals[&path].clone();
        for (start, end, content) in edits {
            bytes.splice(start..end, content.into_bytes());
        }
        assert_eq!(bytes, fs::read(tree.join(&path)).unwrap(), "{path}");
    }
}
