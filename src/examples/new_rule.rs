//! Scaffold a new rule: `cargo run --example new-rule -- <family> <name> [--severity S]`.
//!
//! Writes the four pieces docs/adding-a-rule.md describes, as a rule that already
//! builds, fires and passes its tests, to be turned into the rule you mean:
//!
//! - `rules/<name>.rule`: the rule's data, with a bad and a good example;
//! - `src/rules/<family>/<name>.rs`: its check, with a unit test;
//! - `src/rules/<family>/mod.rs`: the `mod` line and the call in the family's `check`;
//! - `testdata/<family>/<name>/`: a fixture tree with a line that fires and a trap
//!   that must not.
//!
//! The skeleton reports a global assignment of one makefile variable (named after
//! the rule) in `debian/rules`; an assignment for one target is its trap.

use kpkg_lint::registry::{self, Severity};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// What to scaffold.
#[derive(Debug, Clone)]
pub struct Request {
    pub family: String,
    /// kebab-case, as users will type it.
    pub name: String,
    pub severity: Severity,
}

/// What a scaffold wrote: files created, files changed (relative to the root).
#[derive(Debug, Default)]
pub struct Written {
    pub created: Vec<PathBuf>,
    pub changed: Vec<PathBuf>,
    /// rustfmt could not be run on the Rust files: run `cargo fmt`.
    pub unformatted: bool,
}

const USAGE: &str = "usage: cargo run --example new-rule -- <family> <name> [--severity error|warning|info] [--root DIR]\n\n--root: the repository to write into (default: this one)";

/// `sets-deb-build-options` → `sets_deb_build_options`.
pub fn snake(name: &str) -> String {
    name.replace('-', "_")
}

/// `sets-deb-build-options` → `SetsDebBuildOptions` (the `Rule` variant build.rs makes).
pub fn camel(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The makefile variable the skeleton looks for: `SETS_DEB_BUILD_OPTIONS`.
pub fn variable(name: &str) -> String {
    snake(name).to_ascii_uppercase()
}

/// The families: the folders of src/rules with a mod.rs.
pub fn families(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(root.join("src/rules"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().join("mod.rs").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn check_request(root: &Path, r: &Request) -> Result<(), String> {
    let families = families(root);
    if !families.contains(&r.family) {
        let hint = registry::suggest(&r.family, families.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        return Err(format!(
            "unknown family `{}` ({hint}families: {}); a new family needs its folder and a call in src/rules/mod.rs first",
            r.family,
            families.join(", ")
        ));
    }
    let kebab = !r.name.is_empty()
        && r.name.starts_with(|c: char| c.is_ascii_lowercase())
        && !r.name.ends_with('-')
        && !r.name.contains("--")
        && r.name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !kebab {
        return Err(format!(
            "`{}` is not a rule name: lowercase words joined by `-`, such as `sets-deb-build-options`",
            r.name
        ));
    }
    // A rule, former name or family users already type means something else.
    if registry::resolve(&r.name, true).is_ok() || families.contains(&r.name) {
        return Err(format!(
            "`{}` is already a rule, former name or family",
            r.name
        ));
    }
    for p in [
        format!("rules/{}.rule", r.name),
        format!("src/rules/{}/{}.rs", r.family, snake(&r.name)),
        format!("testdata/{}/{}", r.family, r.name),
    ] {
        if root.join(&p).exists() {
            return Err(format!("{p} exists already"));
        }
    }
    Ok(())
}

fn rule_file(r: &Request) -> String {
    let var = variable(&r.name);
    format!(
        "Rule: {name}
Family: {family}
Severity: {severity}
Fix: none
Summary: A makefile assigns {var} for the whole build
What-It-Does: Reports a global assignment to `{var}` (`=`, `:=`, `?=`, `+=`, with
 or without `export`) in `debian/rules` or a makefile it includes. An assignment
 for one target (`build: {var} := 1`) is not reported.
Why: TODO (scaffolded by `cargo run --example new-rule`): what goes wrong in the
 build or in the packages, and which real tool (dpkg, gencontrol, debian/rules,
 make, kbuild) makes it so.
Use-Instead: Assign `{var}` only for the target that needs it.
See-Also: TODO: the policy section, manual page or source line that says so.

Example: bad-global
File: debian/rules
Content:
 #!/usr/bin/make -f
 {var} := 1
 %:
 \tdh $@

Example: good-one-target
File: debian/rules
Content:
 #!/usr/bin/make -f
 override_dh_auto_build: {var} := 1
 %:
 \tdh $@
",
        name = r.name,
        family = r.family,
        severity = r.severity.as_str(),
    )
}

fn rule_source(r: &Request) -> String {
    let var = variable(&r.name);
    format!(
        r##"//! `{name}`: a makefile assigns `{var}` for the whole build.
//!
//! Scaffolded by `cargo run --example new-rule`: the check below is a working
//! example (a global assignment of one variable fires, an assignment for one target
//! does not). Replace it with what the rule is about; docs/adding-a-rule.md says how.

use crate::model::makefile::StmtKind;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::{camel};

/// The variable the scaffolded check looks for.
const VARIABLE: &str = "{var}";

pub fn check(c: &mut Checker) {{
    let model = c.model;
    // The model keeps makefiles in a map: sort, so findings come in a fixed order.
    let mut files: Vec<_> = model.makefiles.keys().copied().collect();
    files.sort();
    for f in files {{
        for s in &model.makefiles[&f].stmts {{
            let StmtKind::Assign(a) = &s.kind else {{
                continue;
            }};
            // An assignment for one target only is the trap: it must not fire.
            if a.name != VARIABLE || a.target.is_some() {{
                continue;
            }}
            c.report(
                RULE,
                f,
                a.name_span.clone(),
                format!("`{{VARIABLE}}` is assigned for the whole build"),
            )
            .with_help_mut(format!(
                "assign `{{VARIABLE}}` only for the target that needs it"
            ));
        }}
    }}
}}

#[cfg(test)]
mod tests {{
    use crate::testing::{{found, lint_memory_rule}};

    #[test]
    fn global_assignment_fires_one_target_does_not() {{
        let text = "#!/usr/bin/make -f\n{var} := 1\nbuild: {var} := 1\n";
        let (d, tree) = lint_memory_rule(&[("debian/rules", text)], "{name}");
        assert_eq!(found(&d, &tree), [("{name}", "debian/rules", 2, 1)]);
    }}
}}
"##,
        name = r.name,
        camel = camel(&r.name),
    )
}

/// The fixture tree: `(path under the case, contents)`.
fn fixture(r: &Request) -> Vec<(String, String)> {
    let var = variable(&r.name);
    let name = &r.name;
    let rules = format!(
        "#!/usr/bin/make -f
# Test tree written for kpkg-lint only.

# for the whole build: {name} fires here
{var} := 1

# for one target only: the trap, {name} stays quiet
override_dh_auto_build: {var} := 1

%:
\tdh $@
"
    );
    let control = "Source: linux-example
Section: kernel
Priority: optional
Maintainer: Example Kernel Team <kernel@example.org>
Build-Depends: debhelper-compat (= 13), bc, bison, flex, libssl-dev, libelf-dev
Standards-Version: 4.6.2
Rules-Requires-Root: no

Package: linux-example
Architecture: amd64
Depends: ${misc:Depends}
Description: Example kernel metapackage
 Depends on the kernel image built from the example tree.
"
    .to_string();
    let changelog = "linux-example (6.6.52-1) bookworm; urgency=medium

  * Initial release.

 -- Example Kernel Team <kernel@example.org>  Mon, 30 Sep 2024 15:12:03 +0000
"
    .to_string();
    let findings = format!(
        "# Scaffolded by `cargo run --example new-rule`. debian/rules line 5 assigns
# {var} for the whole build and fires; line 8 assigns it for one target, the
# trap, and must stay quiet (a finding there would be one line more than below).
# args: --select {name}
{name}\tdebian/rules\t5
"
    );
    vec![
        ("findings".into(), findings),
        ("in/debian/rules".into(), rules),
        ("in/debian/control".into(), control),
        ("in/debian/changelog".into(), changelog),
    ]
}

/// `mod.rs` with `mod <snake>;` among its `mod` lines and the call at the end of
/// the family's `pub fn check`.
fn registered(mod_rs: &str, r: &Request) -> Result<String, String> {
    let module = snake(&r.name);
    let mut lines: Vec<String> = mod_rs.lines().map(str::to_string).collect();
    let is_mod = |l: &str| {
        l.strip_prefix("mod ")
            .and_then(|m| m.strip_suffix(';'))
            .is_some_and(|m| m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    };
    let mods: Vec<usize> = (0..lines.len()).filter(|&i| is_mod(&lines[i])).collect();
    let Some(&last) = mods.last() else {
        return Err("no `mod <rule>;` lines to add to".into());
    };
    let at = mods
        .iter()
        .copied()
        .find(|&i| lines[i].as_str() > format!("mod {module};").as_str())
        .unwrap_or(last + 1);
    lines.insert(at, format!("mod {module};"));

    let start = lines
        .iter()
        .position(|l| l.starts_with("pub fn check("))
        .ok_or("no `pub fn check(` in the family's mod.rs")?;
    let checker = lines[start]["pub fn check(".len()..]
        .split(':')
        .next()
        .unwrap_or("c")
        .trim()
        .to_string();
    let end = (start..lines.len())
        .find(|&i| lines[i] == "}")
        .ok_or("the family's `check` has no closing `}` at the start of a line")?;
    let rule = if mod_rs.contains("use crate::registry::Rule;") {
        "Rule".to_string()
    } else {
        "crate::registry::Rule".to_string()
    };
    lines.insert(
        end,
        format!(
            "    if {checker}.enabled({rule}::{}) {{\n        {module}::check({checker});\n    }}",
            camel(&r.name)
        ),
    );
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

/// Write the rule's files under `root` (the repository). Nothing is written when
/// the request is refused.
pub fn scaffold(root: &Path, r: &Request) -> Result<Written, String> {
    check_request(root, r)?;
    let mod_path = format!("src/rules/{}/mod.rs", r.family);
    let mod_rs =
        fs::read_to_string(root.join(&mod_path)).map_err(|e| format!("{mod_path}: {e}"))?;
    let new_mod = registered(&mod_rs, r).map_err(|e| format!("{mod_path}: {e}"))?;

    let mut files = vec![
        (format!("rules/{}.rule", r.name), rule_file(r)),
        (
            format!("src/rules/{}/{}.rs", r.family, snake(&r.name)),
            rule_source(r),
        ),
    ];
    for (rel, text) in fixture(r) {
        files.push((format!("testdata/{}/{}/{rel}", r.family, r.name), text));
    }
    let mut written = Written::default();
    for (rel, text) in files {
        let path = root.join(&rel);
        fs::create_dir_all(path.parent().unwrap()).map_err(|e| format!("{rel}: {e}"))?;
        fs::write(&path, text).map_err(|e| format!("{rel}: {e}"))?;
        written.created.push(rel.into());
    }
    fs::write(root.join(&mod_path), new_mod).map_err(|e| format!("{mod_path}: {e}"))?;
    written.changed.push(mod_path.into());
    // Lay the generated Rust out as `cargo fmt` would (line breaks depend on the
    // name's length).
    let rust: Vec<PathBuf> = written
        .created
        .iter()
        .chain(&written.changed)
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| root.join(p))
        .collect();
    let formatted = std::process::Command::new("rustfmt")
        .args(["--edition", "2021"])
        .args(&rust)
        .status()
        .is_ok_and(|s| s.success());
    if !formatted {
        written.unformatted = true;
    }
    Ok(written)
}

fn parse_args(args: &[String]) -> Result<(Request, PathBuf), String> {
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut positional = Vec::new();
    let mut severity = Severity::Warning;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--severity" => {
                let v = it.next().ok_or("--severity needs a value")?;
                severity = Severity::parse(v).ok_or_else(|| {
                    format!("--severity must be error, warning or info, not `{v}`")
                })?;
            }
            s if s.starts_with("--severity=") => {
                let v = &s["--severity=".len()..];
                severity = Severity::parse(v).ok_or_else(|| {
                    format!("--severity must be error, warning or info, not `{v}`")
                })?;
            }
            "--root" => root = it.next().ok_or("--root needs a directory")?.into(),
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            s => positional.push(s.to_string()),
        }
    }
    let [family, name] = <[String; 2]>::try_from(positional)
        .map_err(|_| "give a family and a rule name".to_string())?;
    Ok((
        Request {
            family,
            name,
            severity,
        },
        root,
    ))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (request, root) = match parse_args(&args) {
        Ok(r) => r,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("new-rule: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(if e.is_empty() { 0 } else { 2 });
        }
    };
    match scaffold(&root, &request) {
        Ok(w) => {
            let mut s = String::new();
            for p in &w.created {
                let _ = writeln!(s, "created {}", p.display());
            }
            for p in &w.changed {
                let _ = writeln!(s, "changed {}", p.display());
            }
            if w.unformatted {
                let _ = writeln!(s, "rustfmt did not run: run `cargo fmt`");
            }
            let name = &request.name;
            let _ = write!(
                s,
                "\nNext:\n  KPKG_LINT_BLESS=1 cargo test --lib docs  # writes docs/rules/{name}.md; runs the examples\n  cargo test --lib {}  # the unit test\n  cargo test --test cli fixture_cases  # testdata/{}/{name}\nthen make it the rule you mean: docs/adding-a-rule.md\n",
                snake(name),
                request.family
            );
            print!("{s}");
        }
        Err(e) => {
            eprintln!("new-rule: {e}");
            std::process::exit(1);
        }
    }
}
