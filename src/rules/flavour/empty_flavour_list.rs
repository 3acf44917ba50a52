//! `empty-flavour-list`: an arch file with `flavours =` empty.

use crate::model::flavour::UbuntuFlavours;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::EmptyFlavourList;

pub fn check(c: &mut Checker, u: &UbuntuFlavours) {
    for a in &u.arch_files {
        if let (true, Some(line)) = (
            a.flavours.is_empty() && a.flavours_literal,
            &a.flavours_line,
        ) {
            c.report(RULE, a.file, line.clone(), format!("{} builds no flavour: only its indep and tools packages, if any", a.arch))
                .with_help_mut("fine for an architecture that only builds tools; remove the arch file if it builds nothing");
        }
    }
}
