#!/usr/bin/env bash
# Builds the Debian package with dpkg-deb: dist/vitrine_VERSION_ARCH.deb, from BINARY (default: the release build
# linked with --static-swift-stdlib, so the target machine needs Debian's libraries only).
# Usage: deploy/deb/build.sh [BINARY] [OUTDIR]
# Depends: is worked out from the libraries the program loads (ldd, then dpkg -S). A library that no Debian package
# provides (a Swift runtime from a dynamically linked build) stops the build unless ALLOW_FOREIGN_LIBS=1 (the
# system tests use that with the debug build and bind-mount the toolchain).
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-.build-static/release/vitrine}
out=${2:-dist}
arch=$(dpkg --print-architecture)
version=0.1.0
if git rev-parse --git-dir >/dev/null 2>&1; then
    version="0.1.0+git$(git log -1 --format=%cd --date=format:%Y%m%d%H%M).$(git rev-parse --short HEAD)"
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
deploy/install.sh "$stage" /usr "$binary"
# Debug information stays on the build machine (symbols are kept, so crash reports still name functions).
if [ "${ALLOW_FOREIGN_LIBS:-0}" != 1 ]; then strip --strip-debug "$stage/usr/bin/vitrine"; fi

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
# Fonts the themes name by default, the time zone database, and what creates the user. Chinese, Japanese and
# Korean fonts and the hyphenation patterns are recommended: apt installs them unless told not to.
depends=$(printf '%s\n' "${!packages[@]}" fontconfig fonts-noto-core tzdata systemd | sort -u | paste -sd, | sed 's/,/, /g')

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
mkdir -p "$out"
# One package in the folder, so `apt install ./dist/vitrine_*.deb` installs this one.
rm -f "$out"/vitrine_*.deb
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$stage" "$out/vitrine_${version}_${arch}.deb" >/dev/null
echo "$out/vitrine_${version}_${arch}.deb"
