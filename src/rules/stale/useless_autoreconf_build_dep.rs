//! `useless-autoreconf-build-dep`: dh-autoreconf or autotools-dev at compat 10 and later.

use crate::diagnostic::Fix;
use crate::model::SourceStanza;
use crate::registry::Rule;
use crate::rules::build_deps::{entries, note_generated, remove_group};
use crate::rules::Checker;

const RULE: Rule = Rule::UselessAutoreconfBuildDep;

pub fn check(c: &mut Checker, stanzas: &[SourceStanza]) {
    let model = c.model;
    let Some(compat) = model.compat.clone() else {
        return;
    };
    if compat.level < 10 {
        return;
    }
    for e in entries(stanzas, true) {
        if !matches!(e.alt.name.as_str(), "dh-autoreconf" | "autotools-dev")
            || e.group.alternatives.len() != 1
        {
            continue;
        }
        let file = e.stanza.file;
        let text = &model.tree.files[file].text;
        let what = if e.alt.name == "dh-autoreconf" {
            "dh runs dh_autoreconf by default"
        } else {
            "dh_update_autotools_config runs by default"
        };
        let d = c.report(
            RULE,
            file,
            e.alt.span.clone(),
            format!(
                "`{}` is not needed at debhelper compat {}: {what}",
                e.alt.name, compat.level
            ),
        );
        d.with_note_mut(compat.file, compat.span.clone(), "compat level set here");
        note_generated(model, d, &e);
        let gi = e
            .field
            .relations
            .iter()
            .position(|g| std::ptr::eq(g, e.group))
            .unwrap_or(0);
        d.with_fix_mut(Fix::safe(
            format!("drop {}", e.alt.name),
            vec![remove_group(text, e.field, gi, file)],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{fix_memory_selected, lint_memory_rule};

    #[test]
    fn compat_ten_drops_both_compat_nine_keeps_them() {
        let control =
            "Source: x\nBuild-Depends: debhelper-compat (= 12), dh-autoreconf, bc, autotools-dev\n";
        let files = [("debian/control", control)];
        assert_eq!(
            lint_memory_rule(&files, "useless-autoreconf-build-dep")
                .0
                .len(),
            2
        );
        assert_eq!(
            fix_memory_selected(&files, &["stale"], false)[0].1,
            "Source: x\nBuild-Depends: debhelper-compat (= 12), bc\n"
        );
        let nine = [
            (
                "debian/control",
                "Source: x\nBuild-Depends: debhelper (>= 9), dh-autoreconf\n",
            ),
            ("debian/compat", "9\n"),
        ];
        assert!(lint_memory_rule(&nine, "useless-autoreconf-build-dep")
            .0
            .is_empty());
    }
}
