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

#[cfg(test)]
mod tests {
    use crate::testing::{found, lint_memory_rule};

    const PREPARE: &str = "prepare:\n\tcp debian/config/acme.config build/.config\n\techo 'CONFIG_VERSION_SIGNATURE=\"Acme $(DEB_VERSION)\"' >> build/.config\n";

    #[test]
    fn signature_written_with_ccache_fires_with_a_note() {
        let rules = format!("#!/usr/bin/make -f\nexport CC := ccache gcc\n{PREPARE}");
        let (d, tree) = lint_memory_rule(&[("debian/rules", &rules)], "version-in-every-object");
        assert_eq!(
            found(&d, &tree),
            [("version-in-every-object", "debian/rules", 5, 8)]
        );
        let note = &d[0].notes[0];
        assert_eq!(tree.files[note.file].line_col(note.span.start).0, 2);
    }

    #[test]
    fn without_ccache_or_when_only_read_it_does_not_fire() {
        let no_ccache = format!("#!/usr/bin/make -f\nexport CC := gcc\n{PREPARE}");
        let (d, tree) =
            lint_memory_rule(&[("debian/rules", &no_ccache)], "version-in-every-object");
        assert_eq!(found(&d, &tree), []);
        let only_read = "#!/usr/bin/make -f\nexport CC := ccache gcc\ncheck:\n\tgrep -q '^CONFIG_VERSION_SIGNATURE=' build/.config\n";
        let (d, tree) = lint_memory_rule(&[("debian/rules", only_read)], "version-in-every-object");
        assert_eq!(found(&d, &tree), []);
    }
}
