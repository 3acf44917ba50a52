//! Edits that add a system makefile include (`/usr/share/dpkg/buildopts.mk`,
//! `pkg-info.mk`) to a program's top file.

use crate::diagnostic::Edit;
use crate::model::program::{IncludeTarget, Program};
use crate::model::Model;

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
