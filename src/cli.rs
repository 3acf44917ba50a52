//! Command-line definition.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "kpkg-lint",
    version,
    about = "Find and fix defects in Debian and Ubuntu kernel packaging",
    long_about = "Find and fix defects in Debian and Ubuntu kernel packaging: forced serial builds, \
cross-build dependencies, stale build-dependencies, incomplete flavours and nondeterministic builds.\n\n\
Exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage or I/O error.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule with its family, severity and fix safety.
    Rules {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the documentation of one rule.
    Explain {
        /// Rule name, e.g. serial-kernel-build.
        rule: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
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
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    /// Only run these rules or families (comma-separated; repeatable).
    #[arg(long, value_delimiter = ',', value_name = "RULE|FAMILY")]
    pub select: Vec<String>,

    /// Skip these rules or families (comma-separated; repeatable).
    #[arg(long, value_delimiter = ',', value_name = "RULE|FAMILY")]
    pub ignore: Vec<String>,

    /// Print a unified diff of all fixes on stdout; change nothing on disk.
    #[arg(long)]
    pub fix: bool,

    /// With --fix: apply the fixes in place (atomically, keeping file modes).
    #[arg(long, requires = "fix")]
    pub write: bool,

    /// With --fix: write one `git format-patch` mail per rule into DIR, for `git am`.
    #[arg(long, requires = "fix", value_name = "DIR", conflicts_with = "write")]
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
    #[arg(long, value_name = "PATH|auto")]
    pub archive: Vec<String>,

    /// Active build profiles when checking build-dependencies against --archive
    /// (comma-separated, e.g. stage1,nodoc; default none).
    #[arg(long, value_delimiter = ',', value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Packages no index needs to have (vendor packages from your own archive);
    /// `*` matches any run of characters. Repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub allow_unknown: Vec<String>,

    /// When to use colours in text output (NO_COLOR is honoured in auto mode).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}
