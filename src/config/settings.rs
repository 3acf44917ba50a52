//! Combining a tree's configuration file with the command line into the settings
//! it is linted with, and showing them (`--show-settings`).

use super::FileConfig;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::{self, Rule, RuleSet, Selector};
use crate::rules::LintOptions;
use std::collections::BTreeMap;
use std::fmt;

/// Settings given on the command line: empty lists and `None` mean "not given".
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub release: Option<String>,
    pub archive: Vec<String>,
    pub profiles: Vec<String>,
    pub allow_unknown: Vec<String>,
}

/// Where a setting's value came from, for `--show-settings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    CommandLine,
    File(String),
    /// `select`/`ignore` given in both places.
    Both(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::CommandLine => f.write_str("command line"),
            Origin::File(p) => f.write_str(p),
            Origin::Both(p) => write!(f, "{p}, then the command line"),
        }
    }
}

/// The settings one tree is linted with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configuration file, if one was used.
    pub config: Option<String>,
    /// Enabled rules.
    pub rules: RuleSet,
    pub selection_origin: Origin,
    /// Severity per rule, as the configuration sets it (applied to every finding
    /// of the rule, whatever level the rule gave it).
    pub severity: BTreeMap<Rule, Severity>,
    pub release: Option<String>,
    pub release_origin: Origin,
    pub archive: Vec<String>,
    pub archive_origin: Origin,
    pub profiles: Vec<String>,
    pub profiles_origin: Origin,
    pub allow_unknown: Vec<String>,
    pub allow_unknown_origin: Origin,
    /// The file's `exclude` globs.
    pub exclude: Vec<String>,
    /// The file's `[per-file-ignores]`: glob, the names as written, their rules.
    pub per_file_ignores: Vec<(String, Vec<String>, RuleSet)>,
    /// The file's `doc-url`.
    pub doc_url: Option<String>,
}

/// The rules a list of names covers; names were checked when the list was read.
fn covered(list: &[String]) -> RuleSet {
    list.iter()
        .filter_map(|n| registry::resolve(n, true).ok())
        .fold(RuleSet::empty(), |set, s| set.union(s.rules()))
}

fn pick<T: Clone>(cli: Option<&T>, file: Option<&T>, file_origin: &Origin) -> (Option<T>, Origin) {
    match (cli, file) {
        (Some(v), _) => (Some(v.clone()), Origin::CommandLine),
        (None, Some(v)) => (Some(v.clone()), file_origin.clone()),
        (None, None) => (None, Origin::Default),
    }
}

impl Settings {
    /// Combine a tree's configuration file (if any) with the command line.
    pub fn resolve(file: Option<&FileConfig>, cli: &Overrides) -> Settings {
        let file_origin = Origin::File(file.map(|f| f.display.clone()).unwrap_or_default());
        let mut enabled = RuleSet::all();
        let mut from_file = false;
        if let Some(f) = file {
            if let Some(select) = f.select.as_ref().filter(|s| !s.is_empty()) {
                enabled = covered(select);
                from_file = true;
            }
            if !f.extend_select.is_empty() {
                enabled = enabled.union(covered(&f.extend_select));
                from_file = true;
            }
            if let Some(ignore) = f.ignore.as_ref().filter(|s| !s.is_empty()) {
                enabled = enabled.difference(covered(ignore));
                from_file = true;
            }
            if !f.extend_ignore.is_empty() {
                enabled = enabled.difference(covered(&f.extend_ignore));
                from_file = true;
            }
        }
        if !cli.select.is_empty() {
            enabled = covered(&cli.select);
        }
        enabled = enabled.difference(covered(&cli.ignore));
        let from_cli = !cli.select.is_empty() || !cli.ignore.is_empty();
        let selection_origin = match (from_file, from_cli, file) {
            (true, true, Some(f)) => Origin::Both(f.display.clone()),
            (true, false, Some(f)) => Origin::File(f.display.clone()),
            (_, true, _) => Origin::CommandLine,
            _ => Origin::Default,
        };

        // Families first, then rules, so `stale = "info"` with
        // `build-dep-unavailable = "error"` means what it says.
        let mut severity = BTreeMap::new();
        if let Some(f) = file {
            for pass_rules in [false, true] {
                for (name, level) in &f.severity {
                    let Ok(selector) = registry::resolve(name, false) else {
                        continue;
                    };
                    if matches!(selector, Selector::Rule(_)) != pass_rules {
                        continue;
                    }
                    for r in selector.rules().iter() {
                        severity.insert(r, *level);
                    }
                }
            }
        }
        // A level equal to the rule's declared one is kept: rules such as
        // obsolete-build-dep give some findings another level (a transitional
        // package is a warning), and the configured level is for all of them.

        let (release, release_origin) = pick(
            cli.release.as_ref(),
            file.and_then(|f| f.release.as_ref()),
            &file_origin,
        );
        let non_empty = |v: &Vec<String>| (!v.is_empty()).then_some(v.clone());
        let (archive, archive_origin) = pick(
            non_empty(&cli.archive).as_ref(),
            file.and_then(|f| f.archive.as_ref()),
            &file_origin,
        );
        let (profiles, profiles_origin) = pick(
            non_empty(&cli.profiles).as_ref(),
            file.and_then(|f| f.profiles.as_ref()),
            &file_origin,
        );
        let (allow_unknown, allow_unknown_origin) = pick(
            non_empty(&cli.allow_unknown).as_ref(),
            file.and_then(|f| f.allow_unknown.as_ref()),
            &file_origin,
        );
        Settings {
            config: file.map(|f| f.display.clone()),
            rules: enabled,
            selection_origin,
            severity,
            release,
            release_origin,
            archive: archive.unwrap_or_default(),
            archive_origin,
            profiles: profiles.unwrap_or_default(),
            profiles_origin,
            allow_unknown: allow_unknown.unwrap_or_default(),
            allow_unknown_origin,
            exclude: file.map(|f| f.exclude.clone()).unwrap_or_default(),
            per_file_ignores: file
                .map(|f| {
                    f.per_file_ignores
                        .iter()
                        .map(|(g, names)| (g.clone(), names.clone(), covered(names)))
                        .collect()
                })
                .unwrap_or_default(),
            doc_url: file.and_then(|f| f.doc_url.clone()),
        }
    }

    /// Options for [`crate::lint_tree`]; the archive is loaded by the caller.
    pub fn lint_options(&self) -> LintOptions {
        LintOptions {
            rules: self.rules,
            release: self.release.clone(),
            archive: None,
            profiles: self.profiles.clone(),
            allow_unknown: self.allow_unknown.clone(),
            per_path: self
                .exclude
                .iter()
                .map(|g| (g.clone(), RuleSet::all()))
                .chain(
                    self.per_file_ignores
                        .iter()
                        .map(|(g, _, rules)| (g.clone(), *rules)),
                )
                .collect(),
            only_files: vec![],
            keep_overridden: false,
        }
    }

    /// Give findings the severity the configuration sets for their rule.
    pub fn apply_severity(&self, diagnostics: &mut [Diagnostic]) {
        if self.severity.is_empty() {
            return;
        }
        for d in diagnostics {
            if let Some(s) = self.severity.get(&d.rule) {
                d.severity = *s;
            }
        }
    }

    /// The settings as a configuration file would hold them, with where each value
    /// came from; `release_note` says what an unset release falls back to.
    pub fn render(&self, release_note: &str) -> String {
        let list = |v: &[String]| {
            let items: Vec<String> = v.iter().map(|s| quote(s)).collect();
            format!("[{}]", items.join(", "))
        };
        let mut s = String::new();
        let select = if self.rules == RuleSet::all() {
            "[\"all\"]".to_string()
        } else {
            let names: Vec<String> = self.rules.iter().map(|r| r.to_string()).collect();
            list(&names)
        };
        s.push_str(&format!(
            "# {} rule{} enabled ({})\n",
            self.rules.len(),
            if self.rules.len() == 1 { "" } else { "s" },
            self.selection_origin
        ));
        s.push_str(&format!("select = {select}\n"));
        match &self.release {
            Some(r) => s.push_str(&format!(
                "release = {}  # {}\n",
                quote(r),
                self.release_origin
            )),
            None => s.push_str(&format!("# release: {release_note}\n")),
        }
        s.push_str(&format!(
            "archive = {}  # {}\n",
            list(&self.archive),
            self.archive_origin
        ));
        s.push_str(&format!(
            "profiles = {}  # {}\n",
            list(&self.profiles),
            self.profiles_origin
        ));
        s.push_str(&format!(
            "allow-unknown = {}  # {}\n",
            list(&self.allow_unknown),
            self.allow_unknown_origin
        ));
        if let Some(url) = &self.doc_url {
            s.push_str(&format!(
                "doc-url = {}  # {}\n",
                quote(url),
                self.config.as_deref().unwrap_or("")
            ));
        }
        if !self.exclude.is_empty() {
            s.push_str(&format!(
                "exclude = {}  # {}\n",
                list(&self.exclude),
                self.config.as_deref().unwrap_or("")
            ));
        }
        s.push_str("\n[severity]");
        let changed = self.severity.keys().any(|r| self.rules.contains(*r));
        match &self.config {
            Some(c) if changed => s.push_str(&format!("  # {c}\n")),
            _ => s.push_str("  # every rule at its default severity\n"),
        }
        for (rule, level) in self
            .severity
            .iter()
            .filter(|(r, _)| self.rules.contains(**r))
        {
            let default = rule.severity().as_str();
            s.push_str(&format!(
                "{rule} = {}  # default: {default}\n",
                quote(level.as_str())
            ));
        }
        if !self.per_file_ignores.is_empty() {
            s.push_str(&format!(
                "\n[per-file-ignores]  # {}\n",
                self.config.as_deref().unwrap_or("")
            ));
            for (glob, names, _) in &self.per_file_ignores {
                s.push_str(&format!("{} = {}\n", quote(glob), list(names)));
            }
        }
        s
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if c.is_control() => q.push_str(&format!("\\u{:04X}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::super::test_support::parse_ok;
    use super::*;
    use toml::de::DeTable;

    /// ruff-style layering, and per-path rules that reach the engine's options.
    #[test]
    fn extend_keys_layer_and_paths_become_lint_options() {
        let file = parse_ok(
            "select = [\"parallel\"]\nextend-select = [\"obsolete-build-dep\"]\nextend-ignore = [\"forced-serial-flag\"]\nexclude = [\"debian/patches/**\"]\n[per-file-ignores]\n\"debian.*/rules.d/*.mk\" = [\"determinism\", \"serial-kernel-build\"]\n",
        );
        let s = Settings::resolve(Some(&file), &Overrides::default());
        assert!(s.rules.contains(Rule::SerialKernelBuild));
        assert!(s.rules.contains(Rule::ObsoleteBuildDep));
        assert!(!s.rules.contains(Rule::ForcedSerialFlag));
        assert!(!s.rules.contains(Rule::TransitionalBuildDep));
        let o = s.lint_options();
        assert!(!o.reports_at(Rule::ObsoleteBuildDep, "debian/patches/x/y.patch"));
        assert!(o.reports_at(Rule::ObsoleteBuildDep, "debian/control"));
        let mk = "debian.master/rules.d/amd64.mk";
        assert!(!o.reports_at(Rule::SerialKernelBuild, mk));
        assert!(!o.reports_at(Rule::UnpinnedKbuildTimestamp, mk));
        assert!(o.reports_at(Rule::IgnoresParallelOption, mk));
        assert!(o.reports_at(Rule::SerialKernelBuild, "debian/rules"));
        // --show-settings prints them back as TOML.
        let shown = s.render("");
        assert!(
            shown.contains("exclude = [\"debian/patches/**\"]"),
            "{shown}"
        );
        assert!(
            shown
                .contains("\"debian.*/rules.d/*.mk\" = [\"determinism\", \"serial-kernel-build\"]"),
            "{shown}"
        );
        DeTable::parse(&shown).unwrap_or_else(|e| panic!("{e}: {shown}"));
    }

    #[test]
    fn command_line_wins_and_select_restarts() {
        let file = parse_ok(
            "select = [\"parallel\"]\nignore = [\"forced-serial-flag\"]\nrelease = \"noble\"\nprofiles = [\"nodoc\"]\n",
        );
        let s = Settings::resolve(Some(&file), &Overrides::default());
        assert!(s.rules.contains(Rule::SerialKernelBuild));
        assert!(!s.rules.contains(Rule::ForcedSerialFlag));
        assert!(!s.rules.contains(Rule::ObsoleteBuildDep));
        assert_eq!(s.release.as_deref(), Some("noble"));
        assert_eq!(s.release_origin, Origin::File("kpkg-lint.toml".into()));

        let cli = Overrides {
            select: vec!["forced-serial-flag".into(), "stale".into()],
            ignore: vec!["obsolete-build-dep".into()],
            release: Some("bookworm".into()),
            ..Overrides::default()
        };
        let s = Settings::resolve(Some(&file), &cli);
        assert!(
            s.rules.contains(Rule::ForcedSerialFlag),
            "--select X runs X even if the file ignores it"
        );
        assert!(
            !s.rules.contains(Rule::ObsoleteBuildDep),
            "--ignore applies last"
        );
        assert!(
            !s.rules.contains(Rule::SerialKernelBuild),
            "--select replaces the file's select"
        );
        assert_eq!(s.release.as_deref(), Some("bookworm"));
        assert_eq!(s.release_origin, Origin::CommandLine);
        assert_eq!(
            s.profiles,
            ["nodoc"],
            "keys the command line leaves alone come from the file"
        );

        let none = Settings::resolve(
            None,
            &Overrides {
                ignore: vec!["all".into()],
                ..Overrides::default()
            },
        );
        assert!(none.rules.is_empty());
        assert!(!none.lint_options().rules.contains(Rule::SerialKernelBuild));
        let every = Settings::resolve(None, &Overrides::default());
        assert_eq!(every.lint_options().rules, RuleSet::all());
    }

    #[test]
    fn rule_severity_beats_family_severity() {
        let file = parse_ok("[severity]\nobsolete-build-dep = \"error\"\nstale = \"info\"\n");
        let s = Settings::resolve(Some(&file), &Overrides::default());
        assert_eq!(
            s.severity.get(&Rule::ObsoleteBuildDep),
            Some(&Severity::Error)
        );
        for m in crate::registry::catalogue::catalogue()
            .iter()
            .filter(|m| m.family == "stale" && m.name != "obsolete-build-dep")
        {
            let got = s
                .severity
                .get(&Rule::from_name(&m.name).unwrap())
                .copied()
                .unwrap_or(m.severity);
            assert_eq!(got, Severity::Info, "{}", m.name);
        }
        let mut d = vec![Diagnostic::new(
            Rule::ObsoleteBuildDep,
            Severity::Warning,
            0,
            0..1,
            "x",
        )];
        s.apply_severity(&mut d);
        assert_eq!(d[0].severity, Severity::Error);
    }

    #[test]
    fn rendered_settings_are_valid_toml() {
        let file = parse_ok("ignore = [\"cross\"]\nallow-unknown = [\"a\\\"b\"]\n[severity]\nignores-parallel-option = \"error\"\n");
        let s = Settings::resolve(Some(&file), &Overrides::default());
        let text = s.render("from debian/changelog");
        let parsed = DeTable::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(parsed.get_ref().contains_key("select"));
        assert!(
            text.contains("ignores-parallel-option = \"error\"  # default: warning"),
            "{text}"
        );
    }
}
