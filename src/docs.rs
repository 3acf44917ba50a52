//! Documentation generated from the rule catalogue: `docs/rules/*.md` and
//! `kpkg-lint explain`. A test keeps the committed pages in step with `rules/`.

use crate::registry::catalogue::{self, Example, RuleMeta};
use std::fmt::Write;

fn fence(lang: &str, body: &str) -> String {
    let ticks = if body.contains("```") { "````" } else { "```" };
    format!("{ticks}{lang}\n{}{ticks}\n", body)
}

fn lang_for(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == "rules" || name.ends_with(".mk") || name.starts_with("rules.") {
        "make"
    } else {
        "text"
    }
}

fn examples_md(examples: &[&Example]) -> String {
    let mut s = String::new();
    for e in examples {
        for (path, content) in &e.files {
            match path.strip_prefix("archive/") {
                Some(index) => {
                    let _ = writeln!(
                        s,
                        "with the apt index `{}` given to `--archive`:\n",
                        index.trim_end_matches("/Packages")
                    );
                }
                None => {
                    let _ = writeln!(s, "`{path}`:\n");
                }
            }
            s.push_str(&fence(lang_for(path), content));
            s.push('\n');
        }
    }
    s
}

/// The Markdown page of one rule.
pub fn rule_page(m: &RuleMeta) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "<!-- Generated from rules/{}.rule by `KPKG_LINT_BLESS=1 cargo test docs`; do not edit. -->\n", m.name);
    let _ = writeln!(s, "# {}\n", m.name);
    let _ = writeln!(s, "{}\n", m.summary);
    if !m.aliases.is_empty() {
        let _ = writeln!(
            s,
            "Former names (still accepted): {}\n",
            m.aliases
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(
        s,
        "| family | default severity | fix |\n|---|---|---|\n| {} | {} | {} |\n",
        m.family,
        m.severity,
        m.fix.as_str()
    );
    let _ = writeln!(s, "## What it does\n\n{}\n", m.what_it_does);
    let _ = writeln!(s, "## Why is this bad?\n\n{}\n", m.why);
    let bad: Vec<&Example> = m.examples.iter().filter(|e| e.bad).collect();
    let good: Vec<&Example> = m.examples.iter().filter(|e| !e.bad).collect();
    if !bad.is_empty() {
        let _ = write!(s, "## Example\n\n{}", examples_md(&bad));
    }
    if !m.use_instead.is_empty() || !good.is_empty() {
        let _ = writeln!(s, "## Use instead\n");
        if !m.use_instead.is_empty() {
            let _ = writeln!(s, "{}\n", m.use_instead);
        }
        s.push_str(&examples_md(&good));
    }
    if !m.fix_safety.is_empty() {
        let _ = writeln!(s, "## Fix safety\n\n{}\n", m.fix_safety);
    }
    let _ = writeln!(s, "## Suppressing\n\nPut `# kpkg-lint: allow({}) <reason>` on the line above the finding, or at the end of its line.\n", m.name);
    if !m.see_also.is_empty() {
        let _ = writeln!(s, "## See also\n\n{}\n", m.see_also);
    }
    while s.ends_with("\n\n") {
        s.pop();
    }
    s
}

/// `docs/rules/README.md`: every rule by family.
pub fn rules_index() -> String {
    let mut s = String::from("<!-- Generated from rules/*.rule by `KPKG_LINT_BLESS=1 cargo test docs`; do not edit. -->\n\n# Rules\n\nEvery rule has a stable kebab-case name used by `--select`, `--ignore`, `kpkg-lint explain` and suppression comments. `--select` and `--ignore` also take a family name.\n");
    for fam in catalogue::families() {
        let _ = writeln!(
            s,
            "\n## Family `{fam}`\n\n| rule | severity | fix | summary |\n|---|---|---|---|"
        );
        for m in catalogue::catalogue().iter().filter(|m| m.family == fam) {
            let _ = writeln!(
                s,
                "| [{}]({}.md) | {} | {} | {} |",
                m.name,
                m.name,
                m.severity,
                m.fix.as_str(),
                m.summary
            );
        }
    }
    s
}

/// Plain-text documentation for the terminal.
pub fn explain(m: &RuleMeta) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({}, {}, fix: {})\n\n{}\n",
        m.name,
        m.family,
        m.severity,
        m.fix.as_str(),
        m.summary
    );
    let _ = writeln!(
        s,
        "What it does\n\n{}\n\nWhy is this bad?\n\n{}\n",
        m.what_it_does, m.why
    );
    for e in &m.examples {
        let _ = writeln!(
            s,
            "{} ({}):",
            if e.bad { "Example" } else { "Use instead" },
            e.id
        );
        for (path, content) in &e.files {
            let _ = writeln!(s, "  {path}:");
            for line in content.lines() {
                let _ = writeln!(s, "    {line}");
            }
        }
        s.push('\n');
    }
    if !m.use_instead.is_empty() {
        let _ = writeln!(s, "Use instead\n\n{}\n", m.use_instead);
    }
    if !m.fix_safety.is_empty() {
        let _ = writeln!(s, "Fix safety\n\n{}\n", m.fix_safety);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// docs/rules must match the catalogue; `KPKG_LINT_BLESS=1` rewrites it.
    #[test]
    fn docs_rules_are_fresh() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
        let mut expected: Vec<(String, String)> = catalogue::catalogue()
            .iter()
            .map(|m| (format!("{}.md", m.name), rule_page(m)))
            .collect();
        expected.push(("README.md".into(), rules_index()));
        if std::env::var_os("KPKG_LINT_BLESS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            for e in std::fs::read_dir(&dir).unwrap() {
                std::fs::remove_file(e.unwrap().path()).unwrap();
            }
            for (name, text) in &expected {
                std::fs::write(dir.join(name), text).unwrap();
            }
        }
        let mut stale = Vec::new();
        for (name, text) in &expected {
            if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
                stale.push(name.clone());
            }
        }
        let extra: Vec<String> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !expected.iter().any(|(e, _)| e == n))
                    .collect()
            })
            .unwrap_or_default();
        assert!(stale.is_empty() && extra.is_empty(), "docs/rules is stale ({stale:?}, extra {extra:?}); run `KPKG_LINT_BLESS=1 cargo test docs`");
    }

    /// Every bad example fires its rule; no good example does.
    #[test]
    fn catalogue_examples_behave() {
        for m in catalogue::catalogue() {
            assert!(
                m.examples.iter().any(|e| e.bad),
                "{} has no bad example",
                m.name
            );
            assert!(
                m.examples.iter().any(|e| !e.bad),
                "{} has no good example",
                m.name
            );
            for e in &m.examples {
                // Files under archive/<suite>/ are apt indices, not tree files.
                let files: Vec<(&str, &str)> = e
                    .files
                    .iter()
                    .filter(|(p, _)| !p.starts_with("archive/"))
                    .map(|(p, c)| (p.as_str(), c.as_str()))
                    .collect();
                let indices: Vec<(&str, &str)> = e
                    .files
                    .iter()
                    .filter_map(|(p, c)| {
                        Some((p.strip_prefix("archive/")?.split('/').next()?, c.as_str()))
                    })
                    .collect();
                let (d, _) = if indices.is_empty() {
                    crate::testing::lint_memory_rule(&files, &m.name)
                } else {
                    crate::testing::lint_memory_with_archive(&files, &m.name, &indices).unwrap()
                };
                let fired = d.iter().any(|d| d.rule == m.name);
                assert_eq!(
                    fired,
                    e.bad,
                    "{} example {}: fired={fired}, findings {:?}",
                    m.name,
                    e.id,
                    d.iter().map(|d| &d.message).collect::<Vec<_>>()
                );
            }
        }
    }
}
