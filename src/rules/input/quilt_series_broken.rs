//! `quilt-series-broken`: a patch of `debian/patches/series` is missing or does not
//! apply to the files it changes.

use crate::registry::Rule;
use crate::rules::Checker;

pub fn check(c: &mut Checker) {
    let model = c.model;
    for p in &model.series_problems {
        c.report(
            Rule::QuiltSeriesBroken,
            p.file,
            p.span.clone(),
            p.message.clone(),
        )
        .with_help_mut(
            "refresh the patch (`quilt push -f`, fix, `quilt refresh`) or drop it from the series",
        );
    }
}
