//! Jobs: each discovered tree with the settings it is linted with (its own
//! kpkg-lint.toml or `--config`, then the command line) and the apt indices they name.

use crate::archive::Archive;
use crate::config::{self, FileConfig, Overrides, Settings};
use crate::model::Model;
use crate::rules::LintOptions;
use crate::tree::Tree;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One tree, not read yet, with the settings it is linted with. Trees sharing a
/// configuration file (or having none) share one copy of the settings: a run over
/// thousands of trees holds a path for each, not thousands of settings.
pub struct Job {
    pub root: PathBuf,
    pub settings: Arc<Settings>,
    pub options: Arc<LintOptions>,
}

/// A job per tree. Configuration comes from one file for every tree with `--config`,
/// else from each tree's own; every problem is collected, and any stops the run
/// before linting: findings under settings the user did not mean would be worse
/// than none.
pub fn build(
    roots: &[PathBuf],
    explicit: Option<&FileConfig>,
    overrides: &Overrides,
) -> Result<Vec<Job>, Vec<config::ConfigError>> {
    type Shared = (Arc<Settings>, Arc<LintOptions>);
    let resolve = |file: Option<&FileConfig>| -> Shared {
        let settings = Settings::resolve(file, overrides);
        let options = settings.lint_options();
        (Arc::new(settings), Arc::new(options))
    };
    let mut loaded: HashMap<PathBuf, Shared> = HashMap::new();
    let mut errors: Vec<config::ConfigError> = Vec::new();
    let mut jobs = Vec::new();
    let mut unconfigured: Option<Shared> = None;
    for root in roots {
        let (settings, options) = match explicit {
            Some(c) => unconfigured.get_or_insert_with(|| resolve(Some(c))).clone(),
            None => match config::find(root) {
                Ok(None) => unconfigured.get_or_insert_with(|| resolve(None)).clone(),
                Ok(Some(path)) => match loaded.get(&path) {
                    Some(shared) => shared.clone(),
                    None => match config::load(&path) {
                        Ok(c) => {
                            let shared = resolve(Some(&c));
                            loaded.insert(path, shared.clone());
                            shared
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
        jobs.push(Job {
            root: root.clone(),
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
    // Options shared by several jobs get their archive once, and stay shared.
    let mut attached: HashMap<*const LintOptions, Arc<LintOptions>> = HashMap::new();
    for job in jobs {
        if job.settings.archive.is_empty() {
            continue;
        }
        if let Some(options) = attached.get(&Arc::as_ptr(&job.options)) {
            job.options = options.clone();
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
        let mut options = (*job.options).clone();
        options.archive = Some(archive);
        let options = Arc::new(options);
        attached.insert(Arc::as_ptr(&job.options), options.clone());
        job.options = options;
    }
    Ok(())
}

/// Change every job's options, keeping the options shared jobs share shared.
pub fn adjust_options(jobs: &mut [Job], change: impl Fn(&mut LintOptions)) {
    let mut adjusted: HashMap<*const LintOptions, Arc<LintOptions>> = HashMap::new();
    for job in jobs {
        let options = adjusted
            .entry(Arc::as_ptr(&job.options))
            .or_insert_with(|| {
                let mut options = (*job.options).clone();
                change(&mut options);
                Arc::new(options)
            })
            .clone();
        job.options = options;
    }
}

/// `--show-settings` for one tree: the effective settings as TOML, with where each
/// value came from and what the release falls back to.
pub fn show_settings(job: &Job, tree: &Tree, separate: bool) -> String {
    let root = crate::source::display_path(&job.root);
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
    let release_note = match Model::build(tree).changelog_release() {
        Some(r) if crate::knowledge::release(&r.codename).is_some() => format!(
            "{} (from {}{})",
            r.codename,
            tree.files[r.file].display,
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
