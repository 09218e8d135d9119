#!/usr/bin/env bash
# Builds the Debian package with dpkg-deb: dist/vitrine_VERSION_ARCH.deb, from BINARY (default: the release build
# linked with --static-swift-stdlib, so the target machine needs Debian's libraries only), and its debug symbols as
# dist/vitrine-dbgsym_VERSION_ARCH.deb (as debhelper's dh_strip makes them: /usr/lib/debug/.build-id/…, for gdb
# and coredumpctl). Both pass lintian with no error and no warning (make test checks).
# Usage: deploy/deb/build.sh [BINARY] [OUTDIR] [MANUAL]   (MANUAL: vitrine(1), see `make manual`)
# Depends: is worked out from the libraries the program loads (ldd, then dpkg -S). A library that no Debian package
# provides (a Swift runtime from a dynamically linked build) stops the build unless ALLOW_FOREIGN_LIBS=1 (the
# system tests use that with the debug build and bind-mount the toolchain).
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-.build-static/release/vitrine}
out=${2:-dist}
manual=${3:-.build/plugins/GenerateManual/outputs/vitrine/vitrine.1}
arch=$(dpkg --print-architecture)
# The same string the program is stamped with (deploy/install.sh).
read -r version commit time < <(deploy/version.sh)
stage=$(mktemp -d)
symbols=$(mktemp -d)
trap 'rm -rf "$stage" "$symbols"' EXIT
deploy/install.sh "$stage" /usr "$binary" "$manual"
program=$stage/usr/bin/vitrine
# Stripped as dh_strip does; the debug information and symbol table go to the -dbgsym package, found by the
# program's build ID. (A debug build packaged for the system tests keeps everything: it is never shipped.)
build_id=""
if [ "${ALLOW_FOREIGN_LIBS:-0}" != 1 ]; then
    build_id=$(readelf -n "$program" | awk '/Build ID:/ { print $3 }')
    [ -n "$build_id" ] || { echo "deb: $binary has no build ID (the linker's --build-id)" >&2; exit 1; }
    debug=$symbols/usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug
    mkdir -p "$(dirname "$debug")"
    objcopy --only-keep-debug --compress-debug-sections "$program" "$debug"
    chmod 644 "$debug"
    strip --remove-section=.comment --remove-section=.note --strip-unneeded "$program"
    objcopy --add-gnu-debuglink="$debug" "$program"
fi

# The changelog (native package): the release's entries, and for a build from git, the commit it was built from.
changelog=$(mktemp)
if [ "$version" != "$(sed -n '1s/^vitrine (\([^)]*\)).*/\1/p' deploy/deb/changelog)" ]; then
    cat >> "$changelog" <<ENTRY
vitrine ($version) unstable; urgency=medium

  * Built from commit $commit.

 -- Vitrine developers <vitrine@example.org>  $(date -u -R -d "$time")

ENTRY
fi
cat deploy/deb/changelog >> "$changelog"
gzip -9n < "$changelog" > "$stage/usr/share/doc/vitrine/changelog.gz"
rm -f "$changelog"
chmod 644 "$stage/usr/share/doc/vitrine/changelog.gz"
install -Dm644 deploy/deb/lintian-overrides "$stage/usr/share/lintian/overrides/vitrine"

declare -A packages=()
foreign=()
while read -r lib; do
    pkg=""
    for candidate in "$lib" "$(readlink -f "$lib")" "${lib#/usr}" "/usr$lib"; do
        pkg=$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$pkg" ] && break
    done
    if [ -n "$pkg" ]; then packages[$pkg]=1; else foreign+=("$lib"); fi
done < <(
    # The libraries the program names itself (NEEDED), found where the loader finds them; theirs follow from them.
    resolved=$(ldd "$binary")
    for name in $(readelf -d "$binary" | awk '/NEEDED/ { gsub(/[][]/, "", $5); print $5 }'); do
        awk -v n="$name" '$1 == n && $3 ~ /^\// { print $3 }' <<<"$resolved"
    done)
if [ ${#foreign[@]} -gt 0 ] && [ "${ALLOW_FOREIGN_LIBS:-0}" != 1 ]; then
    echo "deb: ${foreign[*]} come from no Debian package; build with --static-swift-stdlib (make release-static)" >&2
    exit 1
fi
# Fonts the themes name by default and the time zone database. Chinese, Japanese and Korean fonts and the
# hyphenation patterns are recommended: apt installs them unless told not to. And what the maintainer scripts call
# besides essential packages: systemd-sysusers (systemd) creates the user, userdel and groupdel (passwd) remove it
# on purge.
depends=$(printf '%s\n' "${!packages[@]}" fontconfig fonts-noto-core tzdata systemd passwd | sort -u | paste -sd, \
    | sed 's/,/, /g')

mkdir -p "$stage/DEBIAN"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: vitrine
Version: $version
Architecture: $arch
Maintainer: Vitrine developers <vitrine@example.org>
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends
Recommends: fonts-noto-cjk, hyphen-en-us, hyphen-ru
Suggests: python3
Section: misc
Priority: optional
Description: exhibit screens for museums and galleries
 Vitrine shows curators' exhibits (testimonies, summaries, pictures, recordings
 with transcripts) on a venue's screens: framebuffer panels with no desktop,
 text consoles, and kiosk browsers over Server-Sent Events, following opening
 hours, playlists and themes. It runs as a systemd service (notify, watchdog,
 reload without dark screens) and keeps a play log.
 .
 Installing enables nothing: check /etc/vitrine/vitrine.yaml, then
 systemctl enable --now vitrine.
CONTROL
echo /etc/vitrine/vitrine.yaml > "$stage/DEBIAN/conffiles"
install -m755 deploy/deb/postinst deploy/deb/prerm deploy/deb/postrm "$stage/DEBIAN/"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
    > "$stage/DEBIAN/md5sums"
mkdir -p "$out"
# One package in the folder, so `apt install ./dist/vitrine_*.deb` installs this one.
rm -f "$out"/vitrine_*.deb "$out"/vitrine-dbgsym_*.deb
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$stage" "$out/vitrine_${version}_${arch}.deb" >/dev/null
echo "$out/vitrine_${version}_${arch}.deb"

if [ -n "$build_id" ]; then
    mkdir -p "$symbols/DEBIAN" "$symbols/usr/share/doc"
    ln -s vitrine "$symbols/usr/share/doc/vitrine-dbgsym"
    cat > "$symbols/DEBIAN/control" <<CONTROL
Package: vitrine-dbgsym
Source: vitrine
Version: $version
Auto-Built-Package: debug-symbols
Architecture: $arch
Maintainer: Vitrine developers <vitrine@example.org>
Installed-Size: $(du -sk --exclude=DEBIAN "$symbols" | cut -f1)
Depends: vitrine (= $version)
Section: debug
Priority: optional
Description: debug symbols for vitrine
Build-Ids: $build_id
CONTROL
    (cd "$symbols" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
        > "$symbols/DEBIAN/md5sums"
    dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$symbols" \
        "$out/vitrine-dbgsym_${version}_${arch}.deb" >/dev/null
    echo "$out/vitrine-dbgsym_${version}_${arch}.deb"
fi
