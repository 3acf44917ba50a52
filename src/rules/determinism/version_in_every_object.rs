//! `version-in-every-object`: a per-upload string written into `.config` while ccache
//! is in use.

use super::ccache_enabled;
use crate::model::makefile::StmtKind;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::VersionInEveryObject;

pub fn check(c: &mut Checker) {
    let model = c.model;
    let Some((cfile, cspan)) = ccache_enabled(model) else {
        return;
    };
    let mut files: Vec<_> = model.makefiles.keys().copied().collect();
    files.sort();
    for f in files {
        for s in &model.makefiles[&f].stmts {
            if !matches!(s.kind, StmtKind::Recipe { .. }) {
                continue;
            }
            let text = &model.tree.files[f].text[s.span.clone()];
            let Some(pos) = text.find("CONFIG_VERSION_SIGNATURE") else {
                continue;
            };
            if !(text.contains("sed") || text.contains("echo") || text.contains("printf")) {
                continue;
            }
            let start = s.span.start + pos;
            c.report(
                RULE,
                f,
                start..start + "CONFIG_VERSION_SIGNATURE".len(),
                "the build writes a per-upload CONFIG_VERSION_SIGNATURE into .config: autoconf.h, which every file includes, changes with each upload, so ccache's direct mode misses on every file and depend mode never hits",
            )
            .with_note_mut(cfile, cspan.clone(), "ccache is used here")
            .with_help_mut("keep the signature out of the compile (pass it at link time, or set it once per series), and let ccache fall back to preprocessor mode (not depend mode) so files that do not expand it still hit");
        }
    }
}
