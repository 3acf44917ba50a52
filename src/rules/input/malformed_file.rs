//! `malformed-file`: syntax the tools would reject, invalid UTF-8, unreadable files.

use crate::registry::Rule;
use crate::rules::Checker;

pub fn check(c: &mut Checker) {
    let model = c.model;
    for p in &model.problems {
        c.report(
            Rule::MalformedFile,
            p.file,
            p.span.clone(),
            p.message.clone(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory;

    #[test]
    fn reports_unterminated_conditional_and_cycle() {
        let d = lint_memory(&[
            ("debian/rules", "include debian/a.mk\nifeq (a,b)\n"),
            ("debian/a.mk", "include debian/rules\n"),
        ]);
        let msgs: Vec<_> = d
            .iter()
            .filter(|d| d.rule == "malformed-file")
            .map(|d| d.message.as_str())
            .collect();
        assert!(msgs.iter().any(|m| m.contains("never closed")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("include cycle")), "{msgs:?}");
    }
}
