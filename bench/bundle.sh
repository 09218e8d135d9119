#!/usr/bin/env bash
# Signed content bundles: `vitrine bundle create` (check, pack, sign) and `vitrine bundle install` (verify, unpack,
# check, swap in) over COUNT generated exhibits and a recording of FILM_MB megabytes, each next to the same work done
# by the standard tools in the same run (tar and b2sum: pack and hash; hash and unpack). Median of 3, packaged build.
# Usage: bench/bundle.sh [COUNT] [FILM_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
film_mb=${2:-512}
swift build -c release --static-swift-stdlib --product vitrine --scratch-path .build-static >/dev/null
bin=.build-static/release/vitrine
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source bench/generated-venue.sh
generate_venue "$work/site" "$count" 'screens:\n  hall:\n    output: terminal\n    playlist: main\n'
# A film's worth of bytes that do not compress (a bundle does not care what a recording holds).
head -c "$((film_mb * 1024 * 1024))" /dev/urandom > "$work/site/exhibits/exhibit-0/film.bin"
"$bin" bundle key --secret "$work/desk.sec" --public "$work/desk.pub" >/dev/null

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
time_ms() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}
tar_pack() { tar -cf "$work/site.tar" -C "$work/site" . && b2sum "$work/site.tar"; }
# The install flushes what it unpacked before the swap (a machine switched off at the wall); so does the baseline.
tar_unpack() { rm -rf "$work/unpacked" && mkdir "$work/unpacked" && b2sum "$work/site.bundle" && tar -xf "$work/site.tar" -C "$work/unpacked" && sync -f "$work/unpacked"; }
create() { "$bin" bundle create --config "$work/site/vitrine.yaml" --key "$work/desk.sec" --output "$work/site.bundle"; }
install() { rm -rf "$work/shelf" && "$bin" bundle install "$work/site.bundle" --trusted-keys "$work/desk.pub" --bundles "$work/shelf"; }

tar_pack >/dev/null; create >/dev/null  # the files in the page cache
pack=$(for _ in 1 2 3; do time_ms tar_pack; done | median)
made=$(for _ in 1 2 3; do time_ms create; done | median)
unpack=$(for _ in 1 2 3; do time_ms tar_unpack; done | median)
installed=$(for _ in 1 2 3; do time_ms install; done | median)
size=$(stat -c %s "$work/site.bundle")
echo "bundle: $count exhibits and a ${film_mb} MiB recording, $((size / 1024 / 1024)) MiB"
echo "bundle_create: ${made} ms ($(echo "scale=1; $made / $pack" | bc)x tar+b2sum: ${pack} ms)"
echo "bundle_install: ${installed} ms ($(echo "scale=1; $installed / $unpack" | bc)x b2sum+tar -x+sync: ${unpack} ms)"
