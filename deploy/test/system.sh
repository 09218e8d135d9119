#!/usr/bin/env bash
# The Debian package and its unit under a real systemd as PID 1 (systemd-nspawn, a Debian 12 root built once with
# debootstrap and cached in .build/system): install enables nothing; start -> active with the STATUS line; an edited
# configuration + reload -> the new program (polled: systemd 252 returns from reload before the daemon is done); a
# broken one + reload -> still active, STATUS names file and line; SIGSTOP -> the watchdog restarts it; stop -> a
# clean exit; the journal holds the structured fields; removal keeps configuration, content and play log. Then
# deploy/test/vm.sh: the same package on a real framebuffer in a QEMU guest.
#
# Usage: deploy/test/system.sh [BINARY]   (needs root, systemd-container, debootstrap)
# By default the package is what users install: `make deb` of the release build with the Swift runtime linked in
# (`make release-static`, built here once and used by both suites). Given another BINARY (a debug build, which
# finds its Swift runtime through the toolchain folder, bind-mounted read-only) it packages that one instead.
# Device policies are not enforced inside nspawn; they are tested in the QEMU guest.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/test/report.sh
need_root "system tests" "systemd-nspawn needs root"
need_tool "system tests" systemd-nspawn systemd-container
need_tool "system tests" debootstrap debootstrap
binary=${1:-}
cache=$PWD/.build/system
root=$cache/bookworm
mkdir -p "$cache"
# The Debian root (deploy/test/root.sh): on a fresh machine `make test` has been building it in the background;
# otherwise it is built here, meanwhile the release build. The package's own dependencies go into it afterwards.
deploy/test/root.sh > "$cache/root.log" 2>&1 &
rootbuild=$!
if [ -z "$binary" ]; then
    step "make release-static (what the package holds)"
    started=$SECONDS
    make --no-print-directory release-static > .build/release-static.log 2>&1 || { tail -30 .build/release-static.log; exit 1; }
    binary=.build-static/release/vitrine
    pass "built in $((SECONDS - started)) s"
fi
# A build linked against the toolchain's Swift runtime (a debug build) reaches it at the same path.
dynamic=no
# (The whole output first: `grep -q` would close the pipe early, and pipefail would call that a failure.)
dynamic_section=$(readelf -d "$binary")
[[ $dynamic_section == *RUNPATH*/opt/swift* || $dynamic_section == *libswiftCore* ]] && dynamic=yes

# The README's "Install as a service", command for command: make deb; apt install ./dist/…deb; systemctl enable --now.
step "make deb"
rm -f dist/vitrine_*.deb
# The release build is packaged exactly as `make deb` does (stripped, no library from outside Debian allowed).
foreign=$([ "$dynamic" = yes ] && echo 1 || echo 0)
ALLOW_FOREIGN_LIBS=$foreign make --no-print-directory deb INSTALL_BIN="$binary" > "$cache/deb.log" 2>&1 \
    || { cat "$cache/deb.log"; exit 1; }
deb=$(ls dist/vitrine_*.deb)
mkdir -p "$cache/dist"
rm -f "$cache"/dist/vitrine_*.deb
cp "$deb" "$cache/dist/"
depends=$(dpkg-deb --field "$deb" Depends | sed 's/ *([^)]*)//g; s/, */,/g')
pass "built $(basename "$deb")"

step "Debian 12 root with systemd (cached in $root)"
wait "$rootbuild" || { cat "$cache/root.log"; echo "building the Debian root failed" >&2; exit 1; }
# The package's dependencies (and one that is new since the root was cached): installed into it, not a rebuild.
# (A package the root has never heard of counts as missing too.) Recommends are left out, as debootstrap does.
missing=""
for package in ${depends//,/ } v4l-utils; do
    chroot "$root" dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $package"
done
if [ -n "${missing// /}" ]; then
    echo "   installing into the cached root:$missing"
    chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends $missing" > "$cache/missing.log" 2>&1 || { tail -20 "$cache/missing.log"; exit 1; }
fi
rm -rf "$root/etc/systemd/system/vitrine.service.d" "$root/srv/vitrine" "$root/etc/vitrine" "$root/var/lib/vitrine" \
    "$root/var/cache/vitrine"
cp "$deb" "$root/root/vitrine.deb"
pass "root ready"

step "boot"
bind=()
[ "$dynamic" = yes ] && bind=(--bind-ro="$(toolchain_folder)")
systemd-nspawn -q -D "$root" -b --register=no --keep-unit --console=pipe --private-network \
    "${bind[@]}" --machine="vitrine-test-$$" > "$cache/boot.log" 2>&1 &
nspawn=$!
trap 'kill "$nspawn" 2>/dev/null || true; wait "$nspawn" 2>/dev/null || true' EXIT
leader=""
for _ in $(seq 100); do
    leader=$(pgrep -P "$nspawn" -x systemd || true)
    [ -n "$leader" ] && break
    sleep 0.1
done
[ -n "$leader" ] || { cat "$cache/boot.log"; echo "the container did not start" >&2; exit 1; }
inside() { nsenter -t "$leader" -m -u -i -n -p -- "$@"; }
for _ in $(seq 100); do
    state=$(inside systemctl is-system-running 2>/dev/null || true)
    [ "$state" = running ] || [ "$state" = degraded ] && break
    sleep 0.2
done
pass "systemd is $state"
show() { inside systemctl show -P "$1" vitrine.service; }
# Waits until `show PROPERTY` matches the pattern (up to 30 s); prints the last value on failure.
wait_for() {
    local property=$1 pattern=$2 value=""
    for _ in $(seq 150); do
        value=$(show "$property")
        [[ $value =~ $pattern ]] && return 0
        sleep 0.2
    done
    echo "   $property is: $value"
    return 1
}

step "apt install --no-install-recommends ./vitrine.deb"
inside apt-get install -y --no-install-recommends /root/vitrine.deb > "$cache/install.log" 2>&1 || { cat "$cache/install.log"; exit 1; }
[ "$(inside systemctl is-enabled vitrine.service || true)" = disabled ] && pass "installed, not enabled" || fail "installing enabled the service"
[ "$(inside systemctl is-active vitrine.service || true)" = inactive ] && pass "not started" || fail "installing started the service"
inside id -nG vitrine | grep -qw video && inside id -nG vitrine | grep -qw tty && pass "user vitrine in video and tty" || fail "user groups: $(inside id vitrine)"
[ -e "$root/srv/vitrine/exhibits/solidarity/exhibit.md" ] && pass "example content in /srv/vitrine/exhibits" || fail "no example content"

step "static checks of the installed unit"
verify=$(inside systemd-analyze verify --man=no vitrine.service 2>&1 || true)
[ -z "$verify" ] && pass "systemd-analyze verify prints nothing" || fail "verify: $verify"
# The gate itself must catch a typo (verify exits 0 on one, so its output is what counts).
sed 's/^Restart=/Restrat=/' "$root/usr/lib/systemd/system/vitrine.service" > "$root/etc/systemd/system/vitrine-typo.service"
typo=$(inside systemd-analyze verify --man=no vitrine-typo.service 2>&1 || true)
rm -f "$root/etc/systemd/system/vitrine-typo.service"
[ -n "$typo" ] && pass "a misspelt key is caught: ${typo%%$'\n'*}" || fail "verify printed nothing for a misspelt key"
offline=$(systemd-analyze security --offline=true --threshold=20 deploy/vitrine.service 2>&1 | tail -1)
systemd-analyze security --offline=true --threshold=20 deploy/vitrine.service >/dev/null 2>&1 \
    && pass "offline, the unit file: ${offline#→ }" || fail "offline security: $offline"
score=$(inside systemd-analyze security --threshold=20 vitrine.service 2>&1 | tail -1)
inside systemd-analyze security --threshold=20 vitrine.service >/dev/null 2>&1 && pass "security: ${score#→ }" || fail "security: $score"

step "systemctl enable --now vitrine"
cat > "$root/etc/vitrine/vitrine.yaml" <<'YAML'
timezone: UTC
content: /srv/vitrine/exhibits
playlists:
  main: [{ exhibit: solidarity, duration: 1h }]
  other: [{ exhibit: long-winter, duration: 1h }]
screens:
  wall:
    output: framebuffer
    playlist: main
    device: /var/lib/vitrine/fb0
    width: 640
    height: 360
  kiosk:
    output: http
    playlist: main
    width: 640
    height: 360
http:
  listen: 127.0.0.1:8080
YAML
inside systemctl enable --now vitrine.service > /dev/null 2>&1 || { inside journalctl -u vitrine --no-pager | tail -20; fail "start"; }
[ "$(inside systemctl is-enabled vitrine.service)" = enabled ] && pass "enabled" || fail "not enabled"
wait_for ActiveState '^active$' && pass "active" || fail "not active"
wait_for StatusText 'wall: Solidarity [0-9]+/[0-9]+' && pass "STATUS: $(show StatusText)" || fail "STATUS"
pid=$(show MainPID)
[ "$(inside stat -c %U "/proc/$pid")" = vitrine ] && pass "runs as vitrine" || fail "runs as $(inside stat -c %U "/proc/$pid")"
[ -s "$root/var/lib/vitrine/fb0" ] && pass "paints the framebuffer file" || fail "framebuffer file empty"
inside vitrine status --url http://127.0.0.1:8080 > "$cache/status.txt" 2>&1 && grep -q "kiosk" "$cache/status.txt" \
    && pass "vitrine status answers" || fail "vitrine status: $(cat "$cache/status.txt")"

step "reload with an edited configuration"
sed -i '0,/playlist: main/s//playlist: other/' "$root/etc/vitrine/vitrine.yaml"
inside systemctl reload vitrine.service
wait_for StatusText 'wall: The Long Winter [0-9]+/' && pass "STATUS: $(show StatusText)" || fail "the new program is not shown"
[ "$(show MainPID)" = "$pid" ] && pass "same process (no restart)" || fail "the daemon was restarted"

step "reload with a broken configuration"
cp "$root/etc/vitrine/vitrine.yaml" "$cache/good.yaml"
printf 'screens:\n  wall:\n    output: framebufer\n' >> "$root/etc/vitrine/vitrine.yaml"
inside systemctl reload vitrine.service
wait_for StatusText 'reload failed: /etc/vitrine/vitrine.yaml:[0-9]+' && pass "STATUS: $(show StatusText)" || fail "the error is not in STATUS"
[ "$(show ActiveState)" = active ] && [[ $(show StatusText) =~ 'wall: The Long Winter' ]] \
    && pass "still active, the old program still shown" || fail "the broken file took the screen down"
cp "$cache/good.yaml" "$root/etc/vitrine/vitrine.yaml"
inside systemctl reload vitrine.service
wait_for StatusText '· reloaded$' && ! [[ $(show StatusText) =~ 'reload failed' ]] \
    && pass "fixed file: $(show StatusText)" || fail "recovering from the broken file"

step "watchdog"
mkdir -p "$root/etc/systemd/system/vitrine.service.d"
printf '[Service]\nWatchdogSec=3s\n' > "$root/etc/systemd/system/vitrine.service.d/watchdog.conf"
inside systemctl daemon-reload
inside systemctl restart vitrine.service
wait_for StatusText 'wall: The Long Winter' >/dev/null || true
pid=$(show MainPID)
restarts=$(show NRestarts)
inside kill -STOP "$pid"
wait_for NRestarts "^$((restarts + 1))\$" && pass "restarted by the watchdog ($(show NRestarts) restarts)" || fail "no watchdog restart"
wait_for ActiveState '^active$' >/dev/null && [ "$(show MainPID)" != "$pid" ] && pass "active again as pid $(show MainPID)" || fail "not active after the watchdog"
seen=no
for _ in $(seq 25); do
    # Whole output first: `grep -q` would close the pipe early and pipefail would call that a failure.
    [[ $(inside journalctl -u vitrine --no-pager) == *"Watchdog timeout"* ]] && { seen=yes; break; }
    sleep 0.2
done
[ "$seen" = yes ] && pass "journal: watchdog timeout" || fail "no watchdog timeout in the journal"

step "stop"
inside systemctl stop vitrine.service
[ "$(show ActiveState)" = inactive ] && [ "$(show Result)" = success ] && pass "stopped cleanly (Result=success)" || fail "stop: $(show ActiveState) $(show Result)"
inside journalctl -u vitrine -o json --no-pager > "$cache/journal.json"
grep -q '"VITRINE_SCREEN":"wall"' "$cache/journal.json" && pass "journal entries carry VITRINE_SCREEN" || fail "no structured fields in the journal"
grep -q '"MESSAGE":"Stopped."' "$cache/journal.json" && pass "journal: Stopped." || fail "no clean stop in the journal"

step "apt remove vitrine"
inside apt-get remove -y vitrine > "$cache/remove.log" 2>&1 || { cat "$cache/remove.log"; fail "apt remove"; }
[ ! -e "$root/usr/bin/vitrine" ] && pass "program removed" || fail "program left behind"
[ -e "$root/etc/vitrine/vitrine.yaml" ] && [ -e "$root/srv/vitrine/exhibits/solidarity/exhibit.md" ] \
    && [ -e "$root/var/lib/vitrine/plays.sqlite" ] && pass "configuration, content and play log kept" || fail "removal deleted the venue's files"

inside systemctl poweroff >/dev/null 2>&1 || true
wait "$nspawn" 2>/dev/null || true
trap - EXIT
verdict "system tests" "$cache"
# Then the same package on a real framebuffer, in a QEMU guest booted from this root (SKIP_VM=1 skips it).
[ "${SKIP_VM:-0}" = 1 ] || exec deploy/test/vm.sh "$binary"
