#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kpkg_lint::fuzzing::disk(data));
