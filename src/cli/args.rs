//! Command-line definition. Everything a user can type is declared here, so the man
//! page and the shell completions (`kpkg-lint man`, `kpkg-lint completions`) are
//! generated from the same source as the parser.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "kpkg-lint",
    version,
    long_version = long_version(),
    about = "Find and fix defects in Debian and Ubuntu kernel packaging",
    long_about = "Find and fix defects in Debian and Ubuntu kernel packaging: forced serial builds, \
cross-build dependencies, stale build-dependencies, incomplete flavours and nondeterministic builds.\n\n\
Settings are read from kpkg-lint.toml in the linted tree's root or its debian/ directory \
(or from --config FILE); options given on the command line win.\n\n\
Exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage, configuration or I/O error.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub lint: LintArgs,
}

/// `--version`: the program version and the rule catalogue it carries, so a bug
/// report (or a CI log) names the rules the binary knew.
fn long_version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{}\n{}",
            env!("CARGO_PKG_VERSION"),
            catalogue_version_line()
        )
    })
}

/// `rule catalogue 5c1e0a9b (28 rules)`: the identifier is a digest of the sorted
/// rule names, so it changes exactly when a rule is added, removed or renamed, and
/// not when documentation is edited. The names are the generated [`Rule`]s' (the
/// same files): clap builds this line on every run, and parsing the catalogue for
/// it was half the start-up.
///
/// [`Rule`]: crate::registry::Rule
pub fn catalogue_version_line() -> String {
    let mut names: Vec<&str> = crate::registry::Rule::ALL
        .iter()
        .map(|r| r.name())
        .collect();
    names.sort_unstable();
    let digest = crate::output::fnv1a64(names.join("\n").as_bytes());
    format!(
        "rule catalogue {:08x} ({} rules)",
        digest >> 32,
        names.len()
    )
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule with its family, severity and fix safety.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print the documentation of one rule.
    Explain {
        /// Rule name, e.g. serial-kernel-build.
        rule: String,
    },
    /// Manage the git pre-commit hook (for repositories that do not use the
    /// pre-commit framework; those add kpkg-lint to .pre-commit-config.yaml).
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Print a shell completion script: `kpkg-lint completions bash > /etc/bash_completion.d/kpkg-lint`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the kpkg-lint(1) man page (roff): `kpkg-lint man | man -l -`.
    Man,
    /// Resolve every build-dependency for a cross build as `apt-get build-dep -a
    /// ARCH` would: the package, version and architecture each one installs, and
    /// why an entry cannot be had. Exit status 1 when one cannot.
    Resolve(ResolveArgs),
}

/// `kpkg-lint resolve`.
#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    /// The source tree (holding debian/) whose build-dependencies are resolved.
    #[arg(default_value = ".", value_hint = clap::ValueHint::DirPath)]
    pub tree: PathBuf,

    /// The architecture built for (`-a` of apt-get and dpkg-buildpackage);
    /// default: $DEB_HOST_ARCH.
    #[arg(long, value_name = "ARCH")]
    pub host_arch: Option<String>,

    /// The build machine's architecture; default: $DEB_BUILD_ARCH, else the one
    /// kpkg-lint runs on.
    #[arg(long, value_name = "ARCH")]
    pub build_arch: Option<String>,

    /// apt Packages indices of both architectures: a file, a directory of them,
    /// or `auto` for /var/lib/apt/lists (the default). Repeatable.
    #[arg(long, value_name = "PATH|auto", value_hint = clap::ValueHint::AnyPath)]
    pub archive: Vec<String>,

    /// The components the build enables (comma-separated, e.g. main,restricted;
    /// default: every component given). Indices of other components are read
    /// only to say where a missing package is.
    #[arg(long, value_delimiter = ',', value_name = "COMPONENT")]
    pub components: Vec<String>,

    /// Active build profiles (comma-separated, e.g. nocheck,cross; default
    /// none, as apt without -P).
    #[arg(long, value_delimiter = ',', value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Target release (bookworm, noble …) instead of the one in debian/changelog:
    /// the suite whose indices are used.
    #[arg(long, value_name = "CODENAME")]
    pub release: Option<String>,

    /// Leave out Build-Depends-Indep (apt-get build-dep --arch-only; sbuild's
    /// cross builds build no Architecture: all packages).
    #[arg(long)]
    pub arch_only: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Write .git/hooks/pre-commit so that every commit touching the packaging
    /// (debian/, debian.<branch>/, kernel/ruleset/, scripts/package/) is linted
    /// first, as staged.
    Install {
        /// Replace a pre-commit hook that kpkg-lint did not write (it is kept as
        /// pre-commit.kpkg-lint-backup).
        #[arg(long)]
        force: bool,
    },
    /// Remove the pre-commit hook, if kpkg-lint wrote it.
    Uninstall,
    /// What the installed hook runs: lint the packaging as it is staged for the
    /// commit (the index, not the working tree), when the commit changes it.
    Run,
}

/// Output format of a lint run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings with their source, for people.
    Text,
    /// One `path:line:col: severity[rule] message` line per finding (editors, grep).
    Concise,
    /// One JSON object with a schema version (for scripts).
    Json,
    /// JSON Lines: one finding a line, with its tree (to shard runs and merge them).
    Jsonl,
    /// SARIF 2.1.0 (GitHub code scanning, IDEs).
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// GitLab Code Quality report (merge request widget).
    Gitlab,
    /// lintian-style `W: <source> source: <rule> … [path:line]` lines.
    Lintian,
}

impl Format {
    /// Formats read by programs: no progress bar, no summary lines.
    pub fn is_machine(self) -> bool {
        !matches!(self, Format::Text)
    }
}

/// Output format of `kpkg-lint rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Packaging trees to lint: a source tree holding debian/, a debian/ directory, a
    /// kernel-package ruleset, or a directory holding many of them.
    #[arg(default_value = ".", value_hint = clap::ValueHint::AnyPath)]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    /// Exit with status 0 even when there are findings (still 2 for usage and
    /// I/O errors): report without failing, as ruff's `--exit-zero`.
    #[arg(long)]
    pub exit_zero: bool,

    /// Only run these rules or families (comma-separated; repeatable). Replaces
    /// `select` of the configuration file.
    #[arg(long, value_delimiter = ',', value_name = "RULE|FAMILY")]
    pub select: Vec<String>,

    /// Skip these rules or families (comma-separated; repeatable). Applied after
    /// the configuration file's `select` and `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "RULE|FAMILY")]
    pub ignore: Vec<String>,

    /// Print a unified diff of all fixes on stdout; change nothing on disk.
    #[arg(long)]
    pub fix: bool,

    /// With --fix: apply the fixes in place (atomically, keeping file modes).
    #[arg(long, requires = "fix")]
    pub write: bool,

    /// With --fix: write one `git format-patch` mail per rule into DIR, for `git am`.
    #[arg(long, requires = "fix", value_name = "DIR", conflicts_with = "write", value_hint = clap::ValueHint::DirPath)]
    pub patch_dir: Option<PathBuf>,

    /// Also apply fixes that change behaviour a human should confirm.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Target release (bookworm, noble …) instead of the one in debian/changelog.
    #[arg(long, value_name = "CODENAME")]
    pub release: Option<String>,

    /// apt Packages indices whose facts (Multi-Arch …) override the built-in tables:
    /// a file (plain, .gz, .xz, .lz4, .zst), a directory of them, or `auto` for
    /// /var/lib/apt/lists. Repeatable.
    #[arg(long, value_name = "PATH|auto", value_hint = clap::ValueHint::AnyPath)]
    pub archive: Vec<String>,

    /// Active build profiles when checking build-dependencies against --archive
    /// (comma-separated, e.g. stage1,nodoc; default none).
    #[arg(long, value_delimiter = ',', value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Packages no index needs to have (vendor packages from your own archive);
    /// `*` matches any run of characters. Repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub allow_unknown: Vec<String>,

    /// Read settings from FILE instead of looking for kpkg-lint.toml in each tree.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub config: Option<PathBuf>,

    /// Print the settings each tree would be linted with (and where they come
    /// from), then exit.
    #[arg(long)]
    pub show_settings: bool,

    /// Write a `# kpkg-lint: allow(rule)` comment above every current finding, in
    /// makefiles and control files (ruff's --add-noqa); findings elsewhere are
    /// listed. Then report what is left.
    #[arg(long, conflicts_with_all = ["fix", "statistics", "show_overrides", "baseline", "write_baseline"])]
    pub add_allow: bool,

    /// Leave out the findings recorded in FILE by --write-baseline (matched by
    /// rule, file and the text they point at, not by line).
    #[arg(long, value_name = "FILE", conflicts_with = "fix", value_hint = clap::ValueHint::FilePath)]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in FILE (JSON), for --baseline FILE; exits 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["fix", "baseline", "statistics"], value_hint = clap::ValueHint::FilePath)]
    pub write_baseline: Option<PathBuf>,

    /// Also print the findings the overrides file (debian/source/kpkg-lint-overrides)
    /// silences, each with the override and the reason written above it; they
    /// never make the exit status 1.
    #[arg(long, conflicts_with = "fix")]
    pub show_overrides: bool,

    /// Where rule documentation is linked from findings (text, JSON `url`, SARIF
    /// `helpUri`, GitLab): `{rule}` is replaced by the rule name, or `<rule>.md` is
    /// appended [default: docs/rules/{rule}.md, the pages in kpkg-lint's repository].
    #[arg(long, value_name = "URL")]
    pub doc_url: Option<String>,

    /// Print how many findings each rule has instead of the findings.
    #[arg(long, conflicts_with = "fix")]
    pub statistics: bool,

    /// Print findings only: no summary line, no fix report, no progress bar.
    #[arg(short, long)]
    pub quiet: bool,

    /// When to use colours in text output (NO_COLOR is honoured in auto mode).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}
