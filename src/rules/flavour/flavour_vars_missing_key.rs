//! `flavour-vars-missing-key`: a vars file without a required key, or with an unknown one.

use super::{sibling_vars, VARS_OPTIONAL, VARS_REQUIRED};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::flavour::UbuntuFlavours;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::FlavourVarsMissingKey;

pub fn check(c: &mut Checker, u: &UbuntuFlavours) {
    let model = c.model;
    for v in &u.vars {
        let f = &model.tree.files[v.file];
        let first_line = f.line_span(0).unwrap_or(0..0);
        // A key is required when the tree's templates have its placeholder: newer
        // generators dropped `DESC` (the stubs no longer say "on DESC"), so a vars
        // file without `desc` is complete there.
        let missing: Vec<&str> = VARS_REQUIRED
            .iter()
            .copied()
            .filter(|k| v.get(k).is_none())
            .filter(|k| u.templates_use_key(model.tree, k) != Some(false))
            .collect();
        if !missing.is_empty() {
            let sib = sibling_vars(u, &v.flavour, v.arches().first().map(String::as_str));
            let len = f.bytes().len();
            let ends_nl = f.text.ends_with('\n') || f.text.is_empty();
            let d = c.report(
                RULE,
                v.file,
                first_line.clone(),
                format!(
                    "vars.{} has no {}: the package stanzas for this flavour are incomplete",
                    v.flavour,
                    missing.join(", ")
                ),
            );
            if let Some(sib) = sib {
                let lines: Vec<String> = missing
                    .iter()
                    .filter_map(|k| sib.get(k))
                    .map(|k| model.tree.files[sib.file].text[k.span.clone()].to_string())
                    .collect();
                if lines.len() == missing.len() {
                    let content =
                        format!("{}{}\n", if ends_nl { "" } else { "\n" }, lines.join("\n"));
                    d.with_help_mut(format!(
                        "the fix copies the missing keys from vars.{} for you to review",
                        sib.flavour
                    ));
                    d.with_fix_mut(Fix::unsafe_(
                        format!("copy {} from vars.{}", missing.join(", "), sib.flavour),
                        vec![Edit::insert(v.file, len, content)],
                    ));
                }
            }
        }
        for k in &v.keys {
            if VARS_REQUIRED.contains(&k.key.as_str()) || VARS_OPTIONAL.contains(&k.key.as_str()) {
                continue;
            }
            let d = c.report(
                RULE,
                v.file,
                k.span.clone(),
                format!(
                    "`{}` is not a key the flavour control generation reads",
                    k.key
                ),
            );
            d.severity = Severity::Warning;
            d.with_help_mut(format!(
                "known keys: {}, {}",
                VARS_REQUIRED.join(", "),
                VARS_OPTIONAL.join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::acme::{AMD64, ENV, VARS};
    use crate::testing::{found, lint_memory_rule};

    #[test]
    fn a_missing_required_key_and_an_unknown_key_fire() {
        let low = "arch=\"amd64\"\nsupported=\"Low latency\"\ntarget=\"Audio work.\"\ndesc=\"=HUMAN= SMP\"\nsuported=\"typo\"\n";
        let files = [
            ENV,
            (
                "debian.acme/rules.d/amd64.mk",
                &*AMD64.replace("flavours = generic", "flavours = generic lowlatency"),
            ),
            ("debian.acme/control.d/vars.generic", VARS),
            ("debian.acme/control.d/vars.lowlatency", low),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-vars-missing-key");
        assert_eq!(
            found(&d, &tree),
            [
                (
                    "flavour-vars-missing-key",
                    "debian.acme/control.d/vars.lowlatency",
                    1,
                    1
                ),
                (
                    "flavour-vars-missing-key",
                    "debian.acme/control.d/vars.lowlatency",
                    5,
                    1
                ),
            ]
        );
        assert!(
            d[0].message.contains("has no bootloader"),
            "{}",
            d[0].message
        );
        assert_eq!(d[1].severity, crate::diagnostic::Severity::Warning);
    }

    /// The templates decide which keys are read: `desc` is missing only where a
    /// template line (not a `#` comment) has `DESC`; `bootloader` stays required
    /// while `BOOTLOADER` is used.
    #[test]
    fn keys_follow_the_placeholders_of_the_flavour_templates() {
        let no_desc = "arch=\"amd64\"\nsupported=\"Generic\"\ntarget=\"Acme appliances.\"\n";
        let stub_old = "# DESC\nPackage: linux-image-FLAVOUR\nArchitecture: ARCH\nRecommends: BOOTLOADER\nDescription: image on DESC\n SUPPORTED. TARGET\n";
        let stub_new = "# Replaced: FLAVOUR ARCH DESC SUPPORTED\nPackage: linux-image-FLAVOUR\nArchitecture: ARCH\nRecommends: BOOTLOADER\nDescription: image\n SUPPORTED. TARGET\n";
        let run = |stub: Option<&str>| {
            let mut files = vec![
                ENV,
                ("debian.acme/rules.d/amd64.mk", AMD64),
                ("debian.acme/control.d/vars.generic", no_desc),
            ];
            if let Some(s) = stub {
                files.push(("debian.acme/control.d/flavour-control.stub", s));
            }
            let (d, _) = lint_memory_rule(&files, "flavour-vars-missing-key");
            d.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
        };
        let has_no = |m: &[String]| {
            m.first()
                .map(|m| m.split(':').next().unwrap_or("").to_string())
        };
        assert_eq!(
            has_no(&run(Some(stub_new))).as_deref(),
            Some("vars.generic has no bootloader")
        );
        assert_eq!(
            has_no(&run(Some(stub_old))).as_deref(),
            Some("vars.generic has no desc, bootloader")
        );
        // No template in the tree: every key of the list is required.
        assert_eq!(
            has_no(&run(None)).as_deref(),
            Some("vars.generic has no desc, bootloader")
        );
    }

    #[test]
    fn complete_vars_with_optional_keys_and_comments_do_not_fire() {
        let vars =
            format!("# Acme generic flavour\n{VARS}provides=\"acme-kernel\"\ndo_dtbs=\"false\"\n");
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", AMD64),
            ("debian.acme/control.d/vars.generic", &*vars),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-vars-missing-key");
        assert_eq!(found(&d, &tree), []);
    }
}
