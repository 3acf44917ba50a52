//! Rules about the input itself: files kpkg-lint (and make, dpkg) cannot read as meant.

mod malformed_file;
mod missing_include;
mod quilt_series_broken;

use super::Checker;
use crate::registry::Rule;

pub fn check(c: &mut Checker) {
    if c.enabled(Rule::MalformedFile) {
        malformed_file::check(c);
    }
    if c.enabled(Rule::MissingInclude) {
        missing_include::check(c);
    }
    if c.enabled(Rule::QuiltSeriesBroken) {
        quilt_series_broken::check(c);
    }
}
