//! kpkg-lint: a static analyser and fixer for Debian and Ubuntu kernel packaging.
//!
//! Pipeline: [`discover`] finds trees and reads their files once → [`model`] parses
//! them losslessly → [`rules`] produce [`diagnostic::Diagnostic`]s → [`fix`] turns
//! fixes into patches or in-place writes, [`output`] prints findings.

pub mod archive;
pub mod cli;
pub mod config;
pub mod data;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod engine;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod knowledge;
pub mod model;
pub mod output;
pub mod par;
pub mod registry;
pub mod rules;
pub mod source;
#[doc(hidden)]
pub mod testing;
pub mod tree;
pub mod unidiff;

pub use cli::{run, run_process};
pub use engine::{fix_loop, lint_tree, FixOutcome};

// discover.rs's tests still name the harness at the crate root.
#[cfg(test)]
use testing::lint_memory_rule;
