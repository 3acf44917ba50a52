//! The face of kpkg-lint: the command line, and the run from it (commands → jobs →
//! engine → emitters → exit status). Nothing else in the crate imports this module.

mod allow;
mod args;
mod baseline;
mod catalogue;
mod hook;
mod jobs;
mod man;
mod progress;
mod resolve;
mod run;

pub use args::*;
pub use run::{run, run_process, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
