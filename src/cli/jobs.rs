//! Jobs: each discovered tree with the settings it is linted with (its own
//! kpkg-lint.toml or `--config`, then the command line) and the apt indices they name.

use crate::archive::Archive;
use crate::config::{self, FileConfig, Overrides, Settings};
use crate::model::Model;
use crate::rules::LintOptions;
use crate::tree::Tree;
use std::collections::HashMap;
use std::sync::Arc;

/// One tree with the settings it is linted with.
pub struct Job<'a> {
    pub tree: &'a Tree,
    pub settings: Settings,
    pub options: LintOptions,
}

/// A job per tree. Configuration comes from one file for every tree with `--config`,
/// else from each tree's own; every problem is collected, and any stops the run
/// before linting: findings under settings the user did not mean would be worse
/// than none.
pub fn build<'a>(
    trees: &'a [Tree],
    explicit: Option<&FileConfig>,
    overrides: &Overrides,
) -> Result<Vec<Job<'a>>, Vec<config::ConfigError>> {
    let mut loaded: HashMap<std::path::PathBuf, FileConfig> = HashMap::new();
    let mut errors: Vec<config::ConfigError> = Vec::new();
    let mut jobs = Vec::new();
    for tree in trees {
        let file = match explicit {
            Some(c) => Some(c.clone()),
            None => match config::find(&tree.root) {
                Ok(None) => None,
                Ok(Some(path)) => match loaded.get(&path) {
                    Some(c) => Some(c.clone()),
                    None => match config::load(&path) {
                        Ok(c) => {
                            loaded.insert(path, c.clone());
                            Some(c)
                        }
                        Err(e) => {
                            errors.push(e);
                            continue;
                        }
                    },
                },
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            },
        };
        let settings = Settings::resolve(file.as_ref(), overrides);
        let options = settings.lint_options();
        jobs.push(Job {
            tree,
            settings,
            options,
        });
    }
    errors.dedup();
    if errors.is_empty() {
        Ok(jobs)
    } else {
        Err(errors)
    }
}

/// Load the apt indices the jobs name; each distinct list is read once, however
/// many trees use it. With `leak`, one reference is never released, so the index
/// lives until the process exits instead of being freed piece by piece.
pub fn attach_archives(jobs: &mut [Job], leak: bool) -> Result<(), crate::archive::ArchiveError> {
    let mut archives: HashMap<Vec<String>, Arc<Archive>> = HashMap::new();
    for job in jobs {
        if job.settings.archive.is_empty() {
            continue;
        }
        let archive = match archives.get(&job.settings.archive) {
            Some(a) => a.clone(),
            None => {
                let a = Arc::new(crate::archive::load(&job.settings.archive)?);
                if leak {
                    std::mem::forget(Arc::clone(&a));
                }
                archives.insert(job.settings.archive.clone(), a.clone());
                a
            }
        };
        job.options.archive = Some(archive);
    }
    Ok(())
}

/// `--show-settings` for one tree: the effective settings as TOML, with where each
/// value came from and what the release falls back to.
pub fn show_settings(job: &Job, separate: bool) -> String {
    let root = crate::source::display_path(&job.tree.root);
    let mut s = String::new();
    if separate {
        s.push('\n');
    }
    s.push_str(&format!("# tree: {root}\n"));
    match &job.settings.config {
        Some(c) => s.push_str(&format!("# configuration: {c}\n")),
        None => s.push_str(&format!(
            "# configuration: none ({0} and debian/{0} not found)\n",
            config::FILE_NAME
        )),
    }
    let release_note = match Model::build(job.tree).changelog_release() {
        Some(r) if crate::knowledge::release(&r.codename).is_some() => format!(
            "{} (from {}{})",
            r.codename,
            job.tree.files[r.file].display,
            if r.unreleased_only {
                ": every entry is UNRELEASED"
            } else {
                ""
            }
        ),
        _ => format!("{} (the default)", crate::knowledge::DEFAULT_RELEASE),
    };
    s.push_str(&job.settings.render(&release_note));
    s
}
