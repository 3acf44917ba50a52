//! The rule catalogue: one deb822 file per rule under `rules/`, embedded at build time.
//!
//! The first stanza describes the rule (name, family, severity, fix safety and the
//! documentation sections); each further stanza is one file of an example tree:
//! `Example: bad-…` or `Example: good-…`, `File:` and `Content:`. Stanzas sharing an
//! `Example` value form one tree. In multi-line values a line holding only `.` is an
//! empty line, as in lintian's tag files.

pub use super::FixSafety;
use super::{Rule, Severity};
use std::sync::OnceLock;

#[derive(Debug, Clone)]
pub struct Example {
    pub id: String,
    pub bad: bool,
    pub files: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub name: String,
    /// Former names: a renamed rule keeps answering to them (`--select`,
    /// configuration, suppression comments), so users' settings never break.
    pub aliases: Vec<String>,
    pub family: String,
    pub severity: Severity,
    pub fix: FixSafety,
    pub summary: String,
    pub what_it_does: String,
    pub why: String,
    pub use_instead: String,
    pub fix_safety: String,
    pub see_also: String,
    pub examples: Vec<Example>,
}

/// Every rule file, by name, as build.rs embedded them. A test checks this matches
/// `rules/*.rule`.
pub fn rule_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    Rule::ALL.into_iter().map(|r| (r.name(), r.source()))
}

/// The stanzas of a rule file: `(field, raw value)` pairs, the raw value running from
/// after the colon to the end of its last continuation line, read from the file
/// text so that tabs at the start of continuation lines (makefile recipes in
/// examples) survive. The rule files are ours and embedded, so this strict reader
/// replaces a full deb822 parse, which every process would otherwise pay for at
/// start-up (a test checks that deb822-lossless reads every file the same way).
fn stanzas(text: &str) -> Result<Vec<Vec<(&str, &str)>>, String> {
    fn flush<'a>(
        text: &'a str,
        current: &mut Vec<(&'a str, usize, usize)>,
        out: &mut Vec<Vec<(&'a str, &'a str)>>,
    ) {
        if !current.is_empty() {
            out.push(
                current
                    .drain(..)
                    .map(|(k, a, b)| (k, &text[a..b]))
                    .collect(),
            );
        }
    }
    // (field name, value start, value end) of each field of the current stanza.
    let mut current: Vec<(&str, usize, usize)> = Vec::new();
    let mut out: Vec<Vec<(&str, &str)>> = Vec::new();
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches('\n');
        let end = start + body.len();
        if body.trim().is_empty() {
            flush(text, &mut current, &mut out);
        } else if body.starts_with('#') {
            // A comment line.
        } else if body.starts_with([' ', '\t']) {
            let Some(last) = current.last_mut() else {
                return Err(format!(
                    "line {}: a continuation line outside a field",
                    n + 1
                ));
            };
            last.2 = end;
        } else {
            let Some((key, _)) = body.split_once(':') else {
                return Err(format!("line {}: not a `Field: value` line", n + 1));
            };
            if key.is_empty() || key.contains(char::is_whitespace) {
                return Err(format!("line {}: bad field name {key:?}", n + 1));
            }
            current.push((key, start + key.len() + 1, end));
        }
    }
    flush(text, &mut current, &mut out);
    Ok(out)
}

fn field(stanza: &[(&str, &str)], key: &str) -> Option<String> {
    stanza
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| decode(v))
}

/// Decode a deb822 multi-line value: drop the one-space indent, `.` is an empty line.
fn decode(value: &str) -> String {
    let mut lines = value.split('\n');
    let mut out = vec![lines.next().unwrap_or("").trim().to_string()];
    for l in lines {
        let l = l.strip_prefix(' ').unwrap_or(l);
        out.push(if l == "." {
            String::new()
        } else {
            l.to_string()
        });
    }
    let s = out.join("\n");
    s.trim_start_matches('\n').to_string()
}

pub fn parse_rule(name: &str, text: &str) -> Result<RuleMeta, String> {
    let stanzas = stanzas(text).map_err(|e| format!("rules/{name}.rule: {e}"))?;
    let mut paras = stanzas.iter();
    let head = paras
        .next()
        .ok_or_else(|| format!("rules/{name}.rule is empty"))?;
    let get = |k: &str| field(head, k).unwrap_or_default();
    let need = |k: &str| {
        let v = get(k);
        if v.is_empty() {
            Err(format!("rules/{name}.rule: missing field {k}"))
        } else {
            Ok(v)
        }
    };
    let rule = need("Rule")?;
    if rule != name {
        return Err(format!("rules/{name}.rule names itself {rule}"));
    }
    let severity = Severity::parse(&need("Severity")?)
        .ok_or_else(|| format!("rules/{name}.rule: bad Severity"))?;
    let fix = match need("Fix")?.as_str() {
        "none" => FixSafety::None,
        "safe" => FixSafety::Safe,
        "unsafe" => FixSafety::Unsafe,
        "mixed" => FixSafety::Mixed,
        other => {
            return Err(format!(
                "rules/{name}.rule: Fix must be none, safe, unsafe or mixed, not {other}"
            ))
        }
    };
    let mut examples: Vec<Example> = Vec::new();
    for p in paras {
        let id = field(p, "Example")
            .ok_or_else(|| format!("rules/{name}.rule: a stanza after the first lacks Example"))?;
        let bad = if id.starts_with("bad") {
            true
        } else if id.starts_with("good") {
            false
        } else {
            return Err(format!(
                "rules/{name}.rule: Example {id} must start with bad or good"
            ));
        };
        let file = field(p, "File")
            .ok_or_else(|| format!("rules/{name}.rule: Example {id} lacks File"))?;
        let mut content = field(p, "Content").unwrap_or_default();
        if !content.ends_with('\n') {
            content.push('\n');
        }
        match examples.iter_mut().find(|e| e.id == id) {
            Some(e) => e.files.push((file, content)),
            None => examples.push(Example {
                id,
                bad,
                files: vec![(file, content)],
            }),
        }
    }
    let aliases = get("Aliases")
        .split([',', ' ', '\n'])
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    Ok(RuleMeta {
        name: rule,
        aliases,
        family: need("Family")?,
        severity,
        fix,
        summary: need("Summary")?,
        what_it_does: need("What-It-Does")?,
        why: need("Why")?,
        use_instead: get("Use-Instead"),
        fix_safety: get("Fix-Safety"),
        see_also: get("See-Also"),
        examples,
    })
}

pub fn catalogue() -> &'static [RuleMeta] {
    static CAT: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    CAT.get_or_init(|| {
        rule_files()
            .map(|(n, t)| {
                parse_rule(n, t).unwrap_or_else(|e| panic!("embedded catalogue is invalid: {e}"))
            })
            .collect()
    })
}

/// A rule's documentation; the catalogue is in [`Rule::ALL`] order.
pub fn of(rule: Rule) -> &'static RuleMeta {
    &catalogue()[rule.index()]
}

pub fn meta(name: &str) -> Option<&'static RuleMeta> {
    find(catalogue(), name)
}

/// A rule by its name or one of its former names.
pub fn find<'c>(catalogue: &'c [RuleMeta], name: &str) -> Option<&'c RuleMeta> {
    catalogue.iter().find(|m| m.name == name).or_else(|| {
        catalogue
            .iter()
            .find(|m| m.aliases.iter().any(|a| a == name))
    })
}

/// The current name of a rule given by any of its names.
pub fn canonical(name: &str) -> Option<&'static str> {
    meta(name).map(|m| m.name.as_str())
}

pub fn families() -> Vec<&'static str> {
    let mut f: Vec<&str> = catalogue().iter().map(|m| m.family.as_str()).collect();
    f.sort();
    f.dedup();
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_continuations_tabs_and_dots() {
        let text = "Rule: x\nFamily: f\nSeverity: info\nFix: none\nSummary: s\nWhat-It-Does: a\n b\n .\n c\nWhy: w\n\nExample: bad-1\nFile: debian/rules\nContent:\n build:\n \t$(MAKE) -j1\n";
        let m = parse_rule("x", text).unwrap();
        assert_eq!(m.what_it_does, "a\nb\n\nc");
        assert_eq!(m.examples[0].files[0].1, "build:\n\t$(MAKE) -j1\n");
    }

    #[test]
    fn former_names_resolve_to_the_rule() {
        let text = "Rule: new-name\nAliases: old-name, older-name\nFamily: f\nSeverity: info\nFix: none\nSummary: s\nWhat-It-Does: a\nWhy: w\n";
        let cat = vec![parse_rule("new-name", text).unwrap()];
        assert_eq!(cat[0].aliases, ["old-name", "older-name"]);
        assert_eq!(find(&cat, "older-name").unwrap().name, "new-name");
        assert!(find(&cat, "other").is_none());
        // No alias may shadow a current rule name.
        for m in catalogue() {
            for a in &m.aliases {
                assert!(catalogue().iter().all(|o| &o.name != a), "{a}");
            }
        }
    }

    /// The fast reader and deb822-lossless agree on every rule file: the files stay
    /// deb822 that any tool reads, field by field.
    #[test]
    fn rule_files_read_the_same_with_deb822_lossless() {
        for (name, text) in rule_files() {
            let parsed = deb822_lossless::Deb822::parse(text);
            assert!(parsed.errors().is_empty(), "{name}: {:?}", parsed.errors());
            let ours = stanzas(text).unwrap();
            let theirs: Vec<Vec<(String, String)>> = parsed
                .tree()
                .paragraphs()
                .map(|p| {
                    p.entries()
                        .map(|e| {
                            let r = e.text_range();
                            let raw = &text[usize::from(r.start())..usize::from(r.end())];
                            let (k, v) = raw.split_once(':').unwrap();
                            (k.to_string(), v.trim_end_matches('\n').to_string())
                        })
                        .collect()
                })
                .collect();
            let ours: Vec<Vec<(String, String)>> = ours
                .iter()
                .map(|p| {
                    p.iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect()
                })
                .collect();
            assert_eq!(ours, theirs, "{name}");
        }
    }

    #[test]
    fn malformed_rule_files_are_refused() {
        assert!(stanzas(" orphan continuation\n").is_err());
        assert!(stanzas("Rule: x\nno colon here\n").is_err());
        assert!(stanzas("Bad Key: x\n").is_err());
        assert_eq!(
            stanzas("A: 1\n b\n\n\nC: 2").unwrap(),
            [vec![("A", " 1\n b")], vec![("C", " 2")]]
        );
    }

    #[test]
    fn embedded_catalogue_matches_rules_dir() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter_map(|n| n.strip_suffix(".rule").map(str::to_string))
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = rule_files().map(|(n, _)| n.to_string()).collect();
        assert_eq!(on_disk, embedded);
        assert_eq!(catalogue().len(), Rule::ALL.len());
        // build.rs read the same identity the catalogue parser reads.
        for r in Rule::ALL {
            let m = of(r);
            assert_eq!(
                (m.name.as_str(), m.family.as_str(), m.severity, m.fix),
                (r.name(), r.family().name(), r.severity(), r.fix_safety())
            );
            assert_eq!(m.aliases, r.aliases());
        }
    }
}
