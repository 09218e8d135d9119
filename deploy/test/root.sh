#!/usr/bin/env bash
# The Debian 12 root the system tests boot (systemd-nspawn) and copy into the QEMU guest: debootstrap with systemd,
# then the guest's kernel and the CEC tools (v4l-utils) the VM test uses. Built once and cached in
# .build/system/bookworm; mostly downloads and unpacking, so `make test` starts it in the background at idle priority
# while the Swift suites run. Two at once (that one and deploy/test/system.sh) take turns on a lock: the second
# finds the root made. Needs root and debootstrap; does nothing without them (system.sh says why).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] && command -v debootstrap >/dev/null || exit 0
cache=$PWD/.build/system
root=$cache/bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$cache"
exec 9> "$cache/root.lock"
flock 9
[ -e "$root/.complete" ] && exit 0
rm -rf "$root"
debootstrap --variant=minbase --include="systemd,systemd-sysv,dbus,procps" bookworm "$root" "$mirror" \
    > "$cache/debootstrap.log" 2>&1 || { tail -20 "$cache/debootstrap.log"; exit 1; }
chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends linux-image-amd64 v4l-utils" > "$cache/kernel.log" 2>&1 \
    || { tail -20 "$cache/kernel.log"; exit 1; }
touch "$root/.complete"
