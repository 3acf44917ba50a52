//! SARIF against the official OASIS schema: findings, suppressions, doc links,
//! related locations and fixes, and fixes that reproduce the fixed files.

use super::*;

const VALIDATE_SARIF: &str = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(sys.stdin)
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors[:20]:
    print("/".join(str(p) for p in e.absolute_path) + ": " + e.message)
sys.exit(1 if errors else 0)
"#;

fn validate_sarif(doc: &str) -> (bool, String) {
    let schema = manifest_dir().join("testdata/formats/sarif-schema-2.1.0.json");
    let (out, err, ok) = pipe(
        Command::new("python3")
            .args(["-c", VALIDATE_SARIF])
            .arg(&schema),
        doc,
    );
    (ok, format!("{out}{err}"))
}

#[test]
fn sarif_validates_against_the_official_schema() {
    if !tool_available(
        "python3",
        &["-c", "import jsonschema"],
        "validating SARIF against the OASIS schema",
    ) {
        return;
    }
    let (sarif, _) = all_testdata("sarif");
    let (ok, report) = validate_sarif(&sarif);
    assert!(ok, "SARIF output breaks the schema:\n{report}");

    // The validator is live: a document without `version` is rejected.
    let mut broken = json(&sarif);
    broken.as_object_mut().unwrap().remove("version");
    let (ok, report) = validate_sarif(&broken.to_string());
    assert!(!ok && report.contains("version"), "{report}");

    // Same findings as --format json, each pointing at its rule descriptor.
    let doc = json(&sarif);
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let (plain, _) = all_testdata("json");
    let plain = findings_of(&plain);
    assert_eq!(results.len(), plain.len());
    assert!(results.len() > 20, "testdata has findings of many rules");
    let mut with_notes = 0;
    let mut with_fixes = 0;
    for (r, f) in results.iter().zip(&plain) {
        assert_eq!(r["ruleId"], f["rule"]);
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], r["ruleId"]);
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .starts_with(&format!("# {}", rule["id"].as_str().unwrap())));
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], f["path"]);
        assert_eq!(loc["region"]["startLine"], f["line"]);
        assert_eq!(loc["region"]["startColumn"], f["column"]);
        assert_eq!(loc["region"]["endLine"], f["end_line"]);
        assert_eq!(loc["region"]["endColumn"], f["end_column"]);
        let level = match f["severity"].as_str().unwrap() {
            "info" => "note",
            s => s,
        };
        assert_eq!(r["level"], level);
        assert_eq!(r["fixes"].is_array(), f["fixable"].as_bool().unwrap());
        with_notes += usize::from(r["relatedLocations"].is_array());
        with_fixes += usize::from(r["fixes"].is_array());
    }
    assert!(
        with_notes > 0 && with_fixes > 0,
        "notes and fixes are covered"
    );
}

/// With `--show-overrides` and an absolute `--doc-url`, SARIF carries the
/// overridden findings as external suppressions (with the reason) and each rule's
/// `helpUri`; with notes (`relatedLocations`) and fixes (`fixes`) in the same
/// document, it still validates against the OASIS schema.
#[test]
fn sarif_suppressions_and_help_uris_validate() {
    if !tool_available(
        "python3",
        &["-c", "import jsonschema"],
        "validating SARIF against the OASIS schema",
    ) {
        return;
    }
    let (_g, dir) = common::overrides_tree();
    let url = "https://example.org/kpkg-lint/docs/rules/{rule}.md";
    let o = common::run_in(
        &dir,
        &["--format", "sarif", "--show-overrides", "--doc-url", url],
    );
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let sarif = common::stdout(&o);
    let (ok, report) = validate_sarif(&sarif);
    assert!(ok, "SARIF output breaks the schema:\n{report}");
    let doc = json(&sarif);
    let run = &doc["runs"][0];
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        assert_eq!(
            rule["helpUri"],
            format!(
                "https://example.org/kpkg-lint/docs/rules/{}.md",
                rule["id"].as_str().unwrap()
            )
        );
    }
    let results = run["results"].as_array().unwrap();
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 3, "{sarif}");
    let sig = suppressed
        .iter()
        .find(|r| r["ruleId"] == "config-needs-build-dep")
        .unwrap();
    assert_eq!(sig["suppressions"][0]["kind"], "external");
    assert_eq!(
        sig["suppressions"][0]["justification"],
        "Modules are signed by the archive, not at build time."
    );
    assert_eq!(
        sig["suppressions"][0]["location"]["physicalLocation"]["artifactLocation"]["uri"],
        "debian/source/kpkg-lint-overrides"
    );
    assert!(results.iter().any(|r| r["relatedLocations"].is_array()));
    assert!(results.iter().any(|r| r["fixes"].is_array()));
    // The default link is a path in kpkg-lint's repository: no helpUri (the
    // schema wants an absolute URI), but JSON and GitLab carry it.
    let o = common::run_in(&dir, &["--format", "sarif"]);
    let doc = json(&common::stdout(&o));
    assert!(doc["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"].is_null());
    let o = common::run_in(&dir, &["--format", "gitlab"]);
    let issues = json(&common::stdout(&o));
    let first = &issues[0];
    let rule = first["check_name"].as_str().unwrap();
    assert_eq!(first["url"], format!("docs/rules/{rule}.md"));
    assert!(first["content"]["body"]
        .as_str()
        .unwrap()
        .ends_with(&format!("Documentation: docs/rules/{rule}.md")));
}

/// Byte offset of a SARIF (line, column) position: columns count code points.
fn offset(text: &str, line: u64, column: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let rest = &text[start..];
    start
        + rest
            .char_indices()
            .nth(column as usize - 1)
            .map(|(i, _)| i)
            .unwrap_or(rest.len())
}

#[test]
fn sarif_fixes_reproduce_the_fixed_files() {
    // A file changed by exactly one finding's fix: applying that fix's SARIF
    // replacements to the original gives what `--fix --write` writes.
    let mut checked = 0;
    for case in [
        "parallel/mkdebian-old/in",
        "determinism/kheaders/in",
        "flavour/ubuntu-perarch/in",
        "parallel/custom-j1/in",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let tree = tmp.path().join("tree");
        copy_dir(&testdata(case), &tree);
        let sarif = json(&stdout(&run_in(&tree, &["--format", "sarif"])));
        let mut per_file: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        for r in results {
            let Some(fix) = r["fixes"].get(0) else {
                continue;
            };
            for change in fix["artifactChanges"].as_array().unwrap() {
                let uri = change["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string();
                per_file.entry(uri).or_default().push(change);
            }
        }
        let originals: BTreeMap<String, String> = per_file
            .keys()
            .filter_map(|p| {
                fs::read_to_string(tree.join(p))
                    .ok()
                    .map(|t| (p.clone(), t))
            })
            .collect();
        let o = run_in(&tree, &["--fix", "--write"]);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
        for (path, changes) in &per_file {
            let (Some(original), [change]) = (originals.get(path), changes.as_slice()) else {
                continue;
            };
            let mut text = original.clone();
            let mut edits: Vec<(usize, usize, String)> = change["replacements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let d = &r["deletedRegion"];
                    let start = offset(
                        original,
                        d["startLine"].as_u64().unwrap(),
                        d["startColumn"].as_u64().unwrap(),
                    );
                    let end = offset(
                        original,
                        d["endLine"].as_u64().unwrap(),
                        d["endColumn"].as_u64().unwrap(),
                    );
                    (
                        start,
                        end,
                        r["insertedContent"]["text"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            edits.sort_by_key(|e| std::cmp::Reverse(e.0));
            for (start, end, content) in edits {
                text.replace_range(start..end, &content);
            }
            assert_eq!(
                text,
                fs::read_to_string(tree.join(path)).unwrap(),
                "{case}: {path}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "only {checked} files checked");
}
