//! Make invocations of the kernel build, classified once per tree and shared by the
//! families that reason about them (parallel, determinism), plus edits that add a
//! system makefile include.

use crate::diagnostic::Edit;
use crate::knowledge::{self, GoalClass};
use crate::model::invocation::{self, MakeInvocation};
use crate::model::program::{Command, IncludeTarget, Program};
use crate::model::Model;

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

/// Every make invocation of the tree's recipes, classified.
pub fn make_calls<'m>(model: &'m Model) -> Vec<MakeCall<'m>> {
    model
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
        .collect()
}

/// Does the program include the system makefile `/usr/share/…/<name>`?
pub fn includes_system_makefile(p: &Program, name: &str) -> bool {
    p.includes.iter().any(
        |e| matches!(&e.target, IncludeTarget::System(s) if s.rsplit('/').next() == Some(name)),
    )
}

/// Include a system makefile (`/usr/share/dpkg/buildopts.mk`) in a program's top
/// file, unless it does already: after the `#!` line and the comment block that
/// follows it.
pub fn system_include_edit(model: &Model, program: &Program, path: &str) -> Option<Edit> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if includes_system_makefile(program, name) {
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
        .unwrap_or(file.bytes().len());
    let mut content = String::new();
    if at == file.bytes().len() && at > 0 && !file.text.ends_with('\n') {
        content.push('\n');
    }
    content.push_str(&format!("include {path}\n"));
    Some(Edit::insert(program.root, at, content))
}
