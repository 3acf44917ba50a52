//! Generates the rule registry from `rules/*.rule`: the `Rule` and `Family` enums with
//! each rule's name, family, severity, fix safety, former names and its embedded
//! `.rule` text. A rule named in Rust is then an enum variant, so a typo is a
//! compile error; the file's documentation sections are parsed at run time by
//! `registry::catalogue`.

use std::fmt::Write as _;
use std::path::Path;

struct Head {
    name: String,
    family: String,
    severity: String,
    fix: String,
    aliases: Vec<String>,
}

/// The first stanza's single-line fields (`Rule`, `Family`, `Severity`, `Fix`, `Aliases`).
fn head(path: &Path) -> Head {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut get = std::collections::HashMap::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            get.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    let need = |k: &str| {
        get.get(k)
            .filter(|v| !v.is_empty())
            .cloned()
            .unwrap_or_else(|| panic!("{}: missing field {k}", path.display()))
    };
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    let name = need("Rule");
    assert_eq!(
        name,
        stem,
        "{}: Rule must match the file name",
        path.display()
    );
    let severity = need("Severity");
    assert!(
        matches!(severity.as_str(), "error" | "warning" | "info"),
        "{}: Severity must be error, warning or info",
        path.display()
    );
    let fix = need("Fix");
    assert!(
        matches!(fix.as_str(), "none" | "safe" | "unsafe" | "mixed"),
        "{}: Fix must be none, safe, unsafe or mixed",
        path.display()
    );
    let aliases = get
        .get("Aliases")
        .map(|a| {
            a.split([',', ' '])
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Head {
        name,
        family: need("Family"),
        severity,
        fix,
        aliases,
    }
}

fn camel(name: &str) -> String {
    name.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn main() {
    println!("cargo::rerun-if-changed=rules");
    let mut rules: Vec<Head> = std::fs::read_dir("rules")
        .expect("rules/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rule"))
        .map(|p| {
            println!("cargo::rerun-if-changed={}", p.display());
            head(&p)
        })
        .collect();
    rules.sort_by(|a, b| a.name.cmp(&b.name));
    let mut families: Vec<String> = rules.iter().map(|r| r.family.clone()).collect();
    families.sort();
    families.dedup();

    let mut o = String::new();
    let n = rules.len();
    writeln!(
        o,
        "/// Every rule of the catalogue, one variant per `rules/<name>.rule`."
    )
    .unwrap();
    writeln!(
        o,
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]"
    )
    .unwrap();
    writeln!(o, "pub enum Rule {{").unwrap();
    for r in &rules {
        writeln!(o, "    /// `{}`", r.name).unwrap();
        writeln!(o, "    {},", camel(&r.name)).unwrap();
    }
    writeln!(o, "}}\n").unwrap();
    writeln!(
        o,
        "/// A family of rules, as `Family:` in the rule files names it."
    )
    .unwrap();
    writeln!(
        o,
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]"
    )
    .unwrap();
    writeln!(o, "pub enum Family {{").unwrap();
    for f in &families {
        writeln!(o, "    {},", camel(f)).unwrap();
    }
    writeln!(o, "}}\n").unwrap();

    writeln!(o, "impl Rule {{").unwrap();
    writeln!(o, "    /// Every rule, sorted by name.").unwrap();
    writeln!(o, "    pub const ALL: [Rule; {n}] = [").unwrap();
    for r in &rules {
        writeln!(o, "        Rule::{},", camel(&r.name)).unwrap();
    }
    writeln!(o, "    ];\n").unwrap();
    let arms = |o: &mut String, f: &dyn Fn(&Head) -> String| {
        for r in &rules {
            writeln!(o, "            Rule::{} => {},", camel(&r.name), f(r)).unwrap();
        }
    };
    writeln!(
        o,
        "    pub const fn name(self) -> &'static str {{\n        match self {{"
    )
    .unwrap();
    arms(&mut o, &|r| format!("{:?}", r.name));
    writeln!(o, "        }}\n    }}\n").unwrap();
    writeln!(
        o,
        "    pub const fn family(self) -> Family {{\n        match self {{"
    )
    .unwrap();
    arms(&mut o, &|r| format!("Family::{}", camel(&r.family)));
    writeln!(o, "        }}\n    }}\n").unwrap();
    writeln!(o, "    /// The severity the rule's file declares.").unwrap();
    writeln!(
        o,
        "    pub const fn severity(self) -> Severity {{\n        match self {{"
    )
    .unwrap();
    arms(&mut o, &|r| format!("Severity::{}", camel(&r.severity)));
    writeln!(o, "        }}\n    }}\n").unwrap();
    writeln!(
        o,
        "    /// The fix safety the rule's file declares (`Fix:`)."
    )
    .unwrap();
    writeln!(
        o,
        "    pub const fn fix_safety(self) -> FixSafety {{\n        match self {{"
    )
    .unwrap();
    arms(&mut o, &|r| format!("FixSafety::{}", camel(&r.fix)));
    writeln!(o, "        }}\n    }}\n").unwrap();
    writeln!(
        o,
        "    /// Former names: a renamed rule keeps answering to them."
    )
    .unwrap();
    writeln!(
        o,
        "    pub const fn aliases(self) -> &'static [&'static str] {{\n        match self {{"
    )
    .unwrap();
    arms(&mut o, &|r| format!("&{:?}", r.aliases));
    writeln!(o, "        }}\n    }}\n").unwrap();
    writeln!(o, "    /// The rule's `.rule` file, embedded.").unwrap();
    writeln!(
        o,
        "    pub const fn source(self) -> &'static str {{\n        match self {{"
    )
    .unwrap();
    arms(&mut o, &|r| {
        format!(
            "include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/rules/{}.rule\"))",
            r.name
        )
    });
    writeln!(o, "        }}\n    }}").unwrap();
    writeln!(o, "}}\n").unwrap();

    writeln!(o, "impl Family {{").unwrap();
    writeln!(o, "    /// Every family, sorted by name.").unwrap();
    writeln!(o, "    pub const ALL: [Family; {}] = [", families.len()).unwrap();
    for f in &families {
        writeln!(o, "        Family::{},", camel(f)).unwrap();
    }
    writeln!(o, "    ];\n").unwrap();
    writeln!(
        o,
        "    pub const fn name(self) -> &'static str {{\n        match self {{"
    )
    .unwrap();
    for f in &families {
        writeln!(o, "            Family::{} => {:?},", camel(f), f).unwrap();
    }
    writeln!(o, "        }}\n    }}").unwrap();
    writeln!(o, "}}").unwrap();

    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("registry.rs");
    std::fs::write(out, o).unwrap();
}
