#!/usr/bin/env bash
# Whole-process timings: the release kpkg-lint binary, start-up and output
# included, against `cat` reading exactly the files kpkg-lint reads; and peak
# memory. The in-process numbers come from `cargo bench` (criterion).
#
#   src/benches/process.sh [OUT]      (default OUT: target/bench-process)
#
# Needs hyperfine (Debian: apt-get install hyperfine) and GNU time (/usr/bin/time).
# Writes OUT/*.md (hyperfine's markdown tables) and OUT/memory.md; prints them.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-target/bench-process}
for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "process.sh needs $tool" >&2; exit 2; }
done

cargo build --release --locked --quiet
rm -rf "$out"
mkdir -p "$out"
t="$out/trees"
# The same generated trees as `cargo bench`, plus the list of files each one reads.
KPKG_LINT_BENCH_TREES="$t" cargo bench --locked --quiet --bench lint >/dev/null
bin=target/release/kpkg-lint

# `cat` with every file kpkg-lint reads as its arguments (no paths hold spaces).
# For the 2,000 packages the list is longer than one argument may be (hyperfine
# gets the command as one), so `xargs` passes it: one more process start.
cat_of() { printf 'cat %s' "$(tr '\n' ' ' < "$t/$1.files")"; }
xargs_cat_of() { printf 'xargs -a %s cat' "$t/$1.files"; }

# kpkg-lint exits 1 when it has findings: -i keeps hyperfine going.
run() {
  local name=$1; shift
  hyperfine --shell=none --warmup 5 --min-runs 30 -i --export-markdown "$out/$name.md" "$@" >/dev/null
  cat "$out/$name.md"
  echo
}

run startup -n "kpkg-lint --version" "$bin --version"
run ubuntu -n "cat (ubuntu 12x20)" "$(cat_of ubuntu)" -n "kpkg-lint (ubuntu 12x20)" "$bin $t/ubuntu"
run debian -n "cat (debian linux, full)" "$(cat_of debian-linux)" -n "kpkg-lint (debian linux, full)" "$bin $t/debian-linux"
run kernel -n "cat (80,000-file kernel tree)" "$(cat_of linux)" -n "kpkg-lint (80,000-file kernel tree)" "$bin $t/linux"
run many -n "xargs cat (2,000 packages)" "$(xargs_cat_of many)" -n "kpkg-lint --format json (2,000 packages)" "$bin --format json $t/many"
run index -n "cat (Packages, 63,000 stanzas)" "cat $t/Packages" -n "kpkg-lint --archive Packages (ubuntu 12x20)" "$bin --archive $t/Packages $t/ubuntu"
# A cross build's resolution reads the indices of two architectures (issue 17:
# within 2x of one index's --archive run).
run cross -n "kpkg-lint --archive (one index, cross tree)" "$bin --archive $t/mirror/dists/bookworm/main/binary-amd64/Packages $t/cross-tree" \
  -n "kpkg-lint resolve (amd64 + arm64 indices)" "$bin resolve --host-arch arm64 --build-arch amd64 --archive $t/mirror/dists $t/cross-tree"

{
  echo "| run | peak RSS |"
  echo "|---|---:|"
  for case in "ubuntu 12x20:$t/ubuntu" "debian linux, full:$t/debian-linux" \
      "80,000-file kernel tree:$t/linux" "2,000 packages:--format json $t/many" \
      "ubuntu 12x20 with --archive (63,000 stanzas):--archive $t/Packages $t/ubuntu"; do
    name=${case%%:*}
    # shellcheck disable=SC2086 # the arguments are meant to split
    /usr/bin/time -f '%M' -o "$out/rss" "$bin" ${case#*:} >/dev/null 2>&1 || true
    kb=$(tail -1 "$out/rss")
    echo "| $name | $((kb / 1024)).$(( (kb % 1024) * 10 / 1024 )) MiB |"
  done
} > "$out/memory.md"
cat "$out/memory.md"
