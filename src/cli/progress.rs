//! The progress bar over many trees.

use super::LintArgs;
use std::io::IsTerminal;
use std::path::Path;

/// A progress bar on stderr while many trees are linted, only when a person is
/// watching: stdout and stderr are terminals, the output is text, not --quiet.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    pub fn new(trees: usize, args: &LintArgs) -> Progress {
        let show = trees > 1
            && !args.quiet
            && !args.format.is_machine()
            && std::io::stdout().is_terminal()
            && std::io::stderr().is_terminal()
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
        if !show {
            return Progress { bar: None };
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(trees as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("linting {bar:30} {pos}/{len} trees {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar: Some(bar) }
    }

    pub fn start(&self, root: &Path) {
        if let Some(bar) = &self.bar {
            bar.set_message(crate::source::display_path(root));
        }
    }

    pub fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Run `f` (which prints findings) with the bar out of the way, so the
    /// findings printed while trees are still being linted are not drawn over.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
