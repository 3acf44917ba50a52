//! `debian-flavour-incomplete`: a Debian flavour without its description, or naming
//! config fragments that do not exist (`defines.toml`, and the older INI `defines`).

use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::DebianFlavourIncomplete;

pub fn check(c: &mut Checker) {
    let model = c.model;
    for fl in &model.debian_flavours {
        let mut problems = Vec::new();
        if !fl.missing_keys.is_empty() {
            problems.push(format!("no description {}", fl.missing_keys.join(" or ")));
        }
        let absent: Vec<&String> = fl
            .configs
            .iter()
            .filter(|p| model.tree.file(&format!("debian/config/{p}")).is_none())
            .collect();
        if !absent.is_empty() {
            problems.push(format!(
                "config fragments that do not exist: {}",
                absent
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if problems.is_empty() {
            continue;
        }
        c.report(RULE, fl.file, fl.span.clone(), format!("flavour `{}` has {}: gencontrol fails or the image package has no description", fl.name, problems.join(", and ")))
            .with_help_mut("give every flavour description.hardware and hardware_long, and point build.config at files under debian/config/");
    }
}
