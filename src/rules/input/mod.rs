//! Rules about the input itself: files kpkg-lint (and make, dpkg) cannot read as meant.

mod malformed_file;
mod missing_include;
mod quilt_series_broken;

use super::Checker;

pub fn check(c: &mut Checker) {
    if c.enabled("malformed-file") {
        malformed_file::check(c);
    }
    if c.enabled("missing-include") {
        missing_include::check(c);
    }
    if c.enabled("quilt-series-broken") {
        quilt_series_broken::check(c);
    }
}
