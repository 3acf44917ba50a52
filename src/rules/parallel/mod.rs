//! Family `parallel`: forced serial builds.
//!
//! Background (Debian Policy §4.9.1, dpkg-buildpackage(1) ≥ 1.21.10): `parallel=N`
//! in `DEB_BUILD_OPTIONS` is only a request; since dpkg 1.21.10 nothing puts `-jN`
//! into `MAKEFLAGS` unless `--jobs-force` is used, so `debian/rules` must pass the
//! level to the kernel make itself. Kernel trees do this in different ways
//! (Ubuntu `$(conc_level)`, Debian `MAKEFLAGS += -j$(DEBIAN_KERNEL_JOBS)`,
//! kernel-package `$(do_parallel)`), and all of them also contain deliberate serial
//! steps. The rules here look at what each kernel make line expands to.

mod deprecated_make_kpkg;
mod forced_serial_flag;
mod ignores_parallel_option;
mod notparallel_serializes_build;
mod serial_kernel_build;
mod sets_deb_build_options;
mod unnecessary_dh_parallel;

use super::Checker;
use crate::diagnostic::Edit;
use crate::knowledge::{self, GoalClass};
use crate::model::invocation::{self, MakeInvocation};
use crate::model::program::{Command, IncludeTarget, Program};
use crate::model::Model;
use crate::source::FileId;

/// What a make invocation does, as far as parallelism matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MakeKind {
    /// Compiles the kernel or modules (or runs kbuild's packaging, which does).
    KernelBuild,
    /// Configuration or tree preparation only.
    Prepare,
    /// Runs another packaging makefile (`$(MAKE) -f debian/rules.gen …`).
    SubMake,
    /// Anything else: installs, cleaning, tools, tests.
    Other,
}

pub struct MakeCall<'m> {
    pub cmd: &'m Command,
    pub program: usize,
    pub inv: MakeInvocation,
    pub kind: MakeKind,
}

pub struct Facts<'m> {
    pub makes: Vec<MakeCall<'m>>,
    /// Some file of the tree reads `parallel=` (directly, through buildopts.mk or a
    /// job-level variable such as CONCURRENCY_LEVEL).
    pub honours_parallel: bool,
}

pub fn classify_make(cmd: &Command, inv: &MakeInvocation) -> MakeKind {
    if let Some(f) = &inv.makefile {
        let name = f.rsplit('/').next().unwrap_or(f);
        if name.starts_with("rules") || f.contains("debian/") {
            return MakeKind::SubMake;
        }
    }
    if inv.directory.as_deref().is_some_and(|d| {
        d.trim_matches(['\'', '"'])
            .split('/')
            .any(|p| p == "tools" || p == "Documentation")
    }) {
        return MakeKind::Other;
    }
    let mut literal_classes = Vec::new();
    let mut opaque_goal = false;
    for w in inv.target_words(cmd) {
        if w.text.contains('$') {
            opaque_goal = true;
            continue;
        }
        literal_classes.push(knowledge::goal_class(&crate::model::shell::unquote(
            &w.text,
        )));
    }
    if literal_classes
        .iter()
        .any(|c| matches!(c, Some(GoalClass::Build) | Some(GoalClass::Package)))
    {
        return MakeKind::KernelBuild;
    }
    if !literal_classes.is_empty() {
        return if literal_classes
            .iter()
            .all(|c| *c == Some(GoalClass::Prepare))
        {
            MakeKind::Prepare
        } else {
            MakeKind::Other
        };
    }
    let kbuild = knowledge::table("kbuild-variables");
    if inv.variable_names(cmd).any(|n| kbuild.contains(n))
        || (opaque_goal && inv.directory.is_some())
    {
        return MakeKind::KernelBuild;
    }
    MakeKind::Other
}

impl<'m> Facts<'m> {
    pub fn compute(model: &'m Model) -> Facts<'m> {
        let makes = model
            .commands
            .iter()
            .filter_map(|(p, cmd)| {
                let inv = invocation::parse_make(cmd)?;
                let kind = classify_make(cmd, &inv);
                Some(MakeCall {
                    cmd,
                    program: *p,
                    inv,
                    kind,
                })
            })
            .collect();
        let jobs_vars = knowledge::table("job-variables");
        let honours_parallel = model.makefiles.keys().any(|&f| {
            let t = &model.tree.files[f].text;
            t.contains("parallel=")
                || jobs_vars.entries().iter().any(|(v, _)| {
                    t.contains(&format!("$({v})")) || t.contains(&format!("${{{v}}}"))
                })
        }) || model.programs.iter().any(includes_buildopts);
        Facts {
            makes,
            honours_parallel,
        }
    }
}

pub fn includes_buildopts(p: &Program) -> bool {
    p.includes
        .iter()
        .any(|e| matches!(&e.target, IncludeTarget::System(s) if s.ends_with("/buildopts.mk")))
}

/// The level from `parallel=N`, as dpkg's buildopts.mk provides it.
pub const PARALLEL_JOBS: &str = "$(if $(DEB_BUILD_OPTION_PARALLEL),-j$(DEB_BUILD_OPTION_PARALLEL))";
pub const BUILDOPTS_INCLUDE: &str = "include /usr/share/dpkg/buildopts.mk\n";

/// The edit that includes buildopts.mk in a program's top file, unless it does already:
/// after the `#!` line and the comment block that follows it.
pub fn buildopts_include_edit(model: &Model, program: &Program) -> Option<Edit> {
    if includes_buildopts(program) {
        return None;
    }
    let file = &model.tree.files[program.root];
    let mut line = 0;
    if file.line_text(0).starts_with("#!") {
        line = 1;
        while line < file.line_count() && file.line_text(line).starts_with('#') {
            line += 1;
        }
    }
    let at = file
        .line_span(line)
        .map(|s| s.start)
        .unwrap_or(file.bytes.len());
    let mut content = String::new();
    if at == file.bytes.len() && at > 0 && !file.text.ends_with('\n') {
        content.push('\n');
    }
    content.push_str(BUILDOPTS_INCLUDE);
    Some(Edit::insert(program.root, at, content))
}

/// A comment on the line above, or at the end of the line, explains a serial step.
pub fn justified(model: &Model, file: FileId, offset: usize) -> bool {
    model.comment_above(file, offset).is_some() || model.trailing_comment(file, offset).is_some()
}

pub fn check(c: &mut Checker) {
    let model = c.model;
    let facts = Facts::compute(model);
    let serial = serial_kernel_build::check(c, &facts);
    if c.enabled("forced-serial-flag") {
        forced_serial_flag::check(c, &facts, &serial);
    }
    if c.enabled("notparallel-serializes-build") {
        notparallel_serializes_build::check(c, &facts);
    }
    if c.enabled("ignores-parallel-option") {
        ignores_parallel_option::check(c, &facts);
    }
    if c.enabled("sets-deb-build-options") {
        sets_deb_build_options::check(c);
    }
    if c.enabled("unnecessary-dh-parallel") {
        unnecessary_dh_parallel::check(c);
    }
    if c.enabled("deprecated-make-kpkg") {
        deprecated_make_kpkg::check(c);
    }
}

#[cfg(test)]
pub(crate) fn rules_at(
    d: &[crate::diagnostic::Diagnostic],
    tree: &crate::discover::Tree,
) -> Vec<(String, String, usize)> {
    d.iter()
        .map(|d| {
            let f = &tree.files[d.file];
            (
                d.rule.to_string(),
                f.rel.clone(),
                f.line_col(d.span.start).0,
            )
        })
        .collect()
}
