#!/usr/bin/env bash
# Whole-process timings: the release kpkg-lint binary, start-up and output
# included, against `cat` reading exactly the files kpkg-lint reads; and peak
# memory. The in-process numbers come from `cargo bench` (criterion).
#
#   src/benches/process.sh [OUT]      (default OUT: target/bench-process)
#
# Needs hyperfine (Debian: apt-get install hyperfine) and GNU time (/usr/bin/time).
# Writes OUT/*.md (hyperfine's markdown tables), OUT/memory.md (peak RSS per
# tree), OUT/per-tree.md (each tree of the many-tree set against `cat`) and
# OUT/scale.md (peak RSS of runs over 16 to 16,000 trees); prints them. The
# 16,000-tree run takes a few minutes and a million hard links under OUT.
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
# A kernel source tree against its packaging alone: discovery must not walk the source.
run kernel-vs-packaging -n "kpkg-lint (80,000-file kernel tree)" "$bin $t/linux" \
  -n "kpkg-lint (the same packaging alone)" "$bin testdata/parallel/ubuntu/in"
# The real trees' shapes (src/benches/shapes.rs).
run debian-6x -n "cat (debian 6.x shape)" "$(cat_of debian-6x)" -n "kpkg-lint (debian 6.x shape)" "$bin $t/debian-6x"
run ubuntu-shape -n "cat (ubuntu shape)" "$(cat_of ubuntu-shape)" -n "kpkg-lint (ubuntu shape)" "$bin $t/ubuntu-shape"
run configs -n "xargs cat (3,000 config fragments)" "$(xargs_cat_of configs-3000)" -n "kpkg-lint (3,000 config fragments)" "$bin $t/configs-3000"

# Each tree of the many-tree set against `cat` of exactly the files it reads:
# the ratio of the medians for each tree, then the median and the worst tree.
{
  echo "| tree | files | cat | kpkg-lint | ratio |"
  echo "|---|---:|---:|---:|---:|"
  for list in "$t"/set-trees/*.files; do
    name=$(basename "$list" .files)
    hyperfine --shell=none --warmup 3 --min-runs 20 -i --export-json "$out/tree.json" \
      -n cat "$(printf 'cat %s' "$(tr '\n' ' ' < "$list")")" -n kpkg-lint "$bin $t/set/$name" >/dev/null
    python3 - "$out/tree.json" "$name" "$(wc -l < "$list")" <<'EOF'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"| {sys.argv[2]} | {sys.argv[3]} | {r['cat']*1000:.1f} ms | {r['kpkg-lint']*1000:.1f} ms | {r['kpkg-lint']/r['cat']:.2f}x |")
EOF
  done
} > "$out/per-tree.md"
python3 - "$out/per-tree.md" >> "$out/per-tree.md" <<'EOF'
import statistics, sys
ratios = [float(l.split("|")[5].strip().rstrip("x")) for l in open(sys.argv[1]).read().splitlines()[2:]]
print(f"\nmedian tree: {statistics.median(ratios):.2f}x cat; worst: {max(ratios):.2f}x")
EOF
cat "$out/per-tree.md"
echo

# The many-tree set copied 1, 10, 100 and 1,000 times (hard links: the files take
# no space again), linted in one run each: peak memory must not grow with the run.
scale="$out/scale"
for n in 1 10 100 1000; do
  mkdir -p "$scale/x$n"
  for i in $(seq -w 1 "$n"); do cp -al "$t/set" "$scale/x$n/c$i"; done
done
{
  echo "| trees | peak RSS | wall |"
  echo "|---:|---:|---:|"
  for n in 1 10 100 1000; do
    /usr/bin/time -f '%M %e' -o "$out/rss" "$bin" --format json "$scale/x$n" >/dev/null 2>&1 || true
    read -r kb secs < <(tail -1 "$out/rss")
    echo "| $((n * 16)) | $((kb / 1024)).$(( (kb % 1024) * 10 / 1024 )) MiB | $secs s |"
  done
} > "$out/scale.md"
cat "$out/scale.md"
echo

# Two cores against one on a many-tree run (wall time; taskset pins the run, and
# kpkg-lint starts one worker a core it may use).
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  run cores -n "one core (160 trees)" "taskset -c 0 $bin --format json $scale/x10" \
    -n "two cores (160 trees)" "taskset -c 0,1 $bin --format json $scale/x10"
fi
rm -rf "$scale"

{
  echo "| run | peak RSS |"
  echo "|---|---:|"
  for case in "ubuntu 12x20:$t/ubuntu" "debian linux, full:$t/debian-linux" \
      "80,000-file kernel tree:$t/linux" "2,000 packages:--format json $t/many" \
      "ubuntu 12x20 with --archive (63,000 stanzas):--archive $t/Packages $t/ubuntu" \
      "debian 6.x shape:$t/debian-6x" "ubuntu shape:$t/ubuntu-shape"; do
    name=${case%%:*}
    # shellcheck disable=SC2086 # the arguments are meant to split
    /usr/bin/time -f '%M' -o "$out/rss" "$bin" ${case#*:} >/dev/null 2>&1 || true
    kb=$(tail -1 "$out/rss")
    echo "| $name | $((kb / 1024)).$(( (kb % 1024) * 10 / 1024 )) MiB |"
  done
} > "$out/memory.md"
cat "$out/memory.md"
