#!/usr/bin/env bash
# The Debian package and its unit under a real systemd as PID 1 (systemd-nspawn, a Debian 12 root built once with
# debootstrap and cached in .build/system): install enables nothing; start -> active with the STATUS line; an edited
# configuration + reload -> the new program (polled: systemd 252 returns from reload before the daemon is done); a
# broken one + reload -> still active, STATUS names file and line; SIGSTOP -> the watchdog restarts it; stop -> a
# clean exit; the journal holds the structured fields; a newer package installed over the running one restarts it
# once and keeps the edited configuration, the play log and live announcements; `man vitrine`, `man 5 vitrine.yaml`
# and the bash completion work where Debian puts them; removal keeps configuration, content and play log; purge
# removes state and user and keeps the content. Lintian reports nothing on the release package. Then
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
version=$(dpkg-deb --field "$deb" Version)
pass "built $(basename "$deb")"
# The same program as a newer package (a rebuild, as Debian's binNMUs are versioned): what the upgrade installs.
# Built meanwhile (half a minute of stripping and compressing), awaited before the upgrade.
rm -rf "$cache/newer"
VITRINE_VERSION="$version+b1" DEB_COMPRESSION=gzip ALLOW_FOREIGN_LIBS=$foreign deploy/deb/build.sh "$binary" \
    "$cache/newer" .build/plugins/GenerateManual/outputs/vitrine/vitrine.1 > "$cache/newer.log" 2>&1 &
newerbuild=$!

if [ "$dynamic" = no ]; then
    step "lintian (Debian's package checker) on the package and its debug symbols"
    # Errors and warnings fail; overrides (usr/share/lintian/overrides/vitrine) say why each applies.
    if lintian_out=$(lintian --fail-on error,warning dist/vitrine_*.deb dist/vitrine-dbgsym_*.deb 2>&1); then
        pass "no error, no warning"
    else
        fail "lintian: $(grep -v '^running with root' <<<"$lintian_out")"
    fi
    # The program is stripped; its symbols are in the -dbgsym package, under the program's build ID (where gdb and
    # systemd-coredump look).
    dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/vitrine > "$cache/packaged-vitrine"
    build_id=$(readelf -n "$cache/packaged-vitrine" | awk '/Build ID:/ { print $3 }')
    debug_file=./usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug
    dpkg-deb --fsys-tarfile dist/vitrine-dbgsym_*.deb | tar -xO "$debug_file" > "$cache/packaged-vitrine.debug" 2>/dev/null || true
    stripped=$(readelf -S "$cache/packaged-vitrine" | grep -c '\.symtab\|\.debug_' || true)
    named=$(readelf -sW "$cache/packaged-vitrine.debug" 2>/dev/null | grep -c 'VitrineCore' || true)
    [ "$stripped" = 0 ] && [ "$named" -gt 1000 ] \
        && pass "program stripped ($(du -m "$cache/packaged-vitrine" | cut -f1) MiB); $named Vitrine symbols in -dbgsym at ${debug_file#.}" \
        || fail "stripped: $stripped symbol or debug sections left; -dbgsym has $named Vitrine symbols at $debug_file"
    rm -f "$cache/packaged-vitrine" "$cache/packaged-vitrine.debug"
fi

step "Debian 12 root with systemd (cached in $root)"
wait "$rootbuild" || { cat "$cache/root.log"; echo "building the Debian root failed" >&2; exit 1; }
# The package's dependencies (and one that is new since the root was cached): installed into it, not a rebuild.
# (A package the root has never heard of counts as missing too.) Recommends are left out, as debootstrap does.
missing=""
for package in ${depends//,/ } v4l-utils man-db bash-completion; do
    chroot "$root" dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $package"
done
if [ -n "${missing// /}" ]; then
    echo "   installing into the cached root:$missing"
    chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends $missing" > "$cache/missing.log" 2>&1 || { tail -20 "$cache/missing.log"; exit 1; }
fi
# A run that stopped halfway leaves the package installed (and enabled) in the cached root: purged first, with
# whatever links and deb-systemd-helper state it left.
if chroot "$root" dpkg-query -W -f='${Status}' vitrine 2>/dev/null | grep -q "ok installed\|config-files"; then
    chroot "$root" dpkg --purge vitrine > "$cache/purge-leftover.log" 2>&1 || { cat "$cache/purge-leftover.log"; exit 1; }
fi
find "$root/etc/systemd/system" -name 'vitrine.service' -delete
rm -rf "$root"/var/lib/systemd/deb-systemd-helper-enabled/*vitrine* "$root"/var/lib/systemd/deb-systemd-helper-masked/vitrine*
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

step "a newer package installed over the running daemon"
wait "$newerbuild" || { cat "$cache/newer.log"; echo "building the newer package failed" >&2; exit 1; }
newer=$(ls "$cache"/newer/vitrine_*.deb)
cp "$newer" "$root/root/vitrine-newer.deb"
pass "a newer build of the package: $(basename "$newer")"
# What a technician sees: their edited configuration (now with a control token, for a live announcement), the play
# log and the announcement kept; the daemon restarted once, running the new version.
printf 'control-token-for-the-upgrade-test\n' > "$root/etc/vitrine/token"
inside chmod 640 /etc/vitrine/token
inside chgrp vitrine /etc/vitrine/token
sed -i 's|^  listen: 127.0.0.1:8080|&\n  token-file: /etc/vitrine/token|' "$root/etc/vitrine/vitrine.yaml"
inside systemctl reload vitrine.service
wait_for StatusText '· reloaded$' >/dev/null || true
# HTTP inside the container with bash alone (the minimal root has no curl): METHOD PATH [BODY].
http() {
    inside bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 || exit 1
        printf "%s %s HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s" \
            "$1" "$2" "$(cat /etc/vitrine/token)" "${#3}" "$3" >&3
        cat <&3' http "$1" "$2" "${3:-}"
}
posted=$(http POST /api/announcements '{"id": "upgrade-test", "text": "The gallery closes at four today", "for": "3h"}')
[[ $posted == *" 201 "* || $posted == *" 200 "* ]] && pass "a live announcement posted" || fail "posting an announcement: $posted"
config_before=$(sha256sum < "$root/etc/vitrine/vitrine.yaml")
plays_before=$(inside vitrine plays --state-dir /var/lib/vitrine --csv 2>/dev/null | wc -l)
pid=$(show MainPID)
invocation=$(show InvocationID)
cursor=$(inside journalctl -u vitrine -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
inside apt-get install -y --no-install-recommends /root/vitrine-newer.deb > "$cache/upgrade.log" 2>&1 \
    || { cat "$cache/upgrade.log"; fail "apt install of the newer package"; }
new_version=$(inside dpkg-query -W -f '${Version}' vitrine)
[ "$new_version" = "$version+b1" ] && pass "upgraded to $new_version" || fail "installed version: $new_version"
wait_for ActiveState '^active$' >/dev/null && wait_for StatusText 'wall: ' >/dev/null \
    && [ "$(show MainPID)" != "$pid" ] && [ "$(show InvocationID)" != "$invocation" ] \
    && pass "restarted: pid $pid -> $(show MainPID), STATUS: $(show StatusText)" || fail "not running the new program"
starts=$(inside journalctl -u vitrine --after-cursor "$cursor" -o cat --no-pager | grep -c '^Vitrine .* (commit ' || true)
[ "$starts" = 1 ] && pass "one restart (one start of the daemon in the journal since the upgrade)" \
    || fail "$starts starts of the daemon since the upgrade"
first_line=$(inside journalctl -u vitrine --after-cursor "$cursor" -o cat --no-pager | grep -m1 '^Vitrine ' || true)
[[ $first_line == "Vitrine $new_version (commit "* ]] && pass "its first log line: $first_line" || fail "first log line: $first_line"
program_version=$(inside vitrine --version)
[[ $program_version == "$new_version (commit "* ]] && pass "vitrine --version: $program_version" \
    || fail "vitrine --version says '$program_version', the package $new_version"
status_json=$(http GET /api/status)
[[ $status_json == *"\"version\":\"$new_version\""* ]] && pass "/api/status names the version" || fail "/api/status: ${status_json:0:400}"
metrics=$(http GET /metrics)
[[ $metrics == *"vitrine_build_info{version=\"$new_version\""* ]] && pass "/metrics: vitrine_build_info for $new_version" \
    || fail "/metrics has no vitrine_build_info for $new_version"
[ "$(sha256sum < "$root/etc/vitrine/vitrine.yaml")" = "$config_before" ] && [ ! -e "$root/etc/vitrine/vitrine.yaml.dpkg-dist" ] \
    && pass "the edited /etc/vitrine/vitrine.yaml kept (a conffile, unchanged in the package: no prompt)" \
    || fail "the configuration changed in the upgrade"
plays_after=$(inside vitrine plays --state-dir /var/lib/vitrine --csv 2>/dev/null | wc -l)
[ "$plays_before" -gt 1 ] && [ "$plays_after" -ge "$plays_before" ] && pass "play log kept: $((plays_before - 1)) rows before, $((plays_after - 1)) after" \
    || fail "play log rows: $plays_before before, $plays_after after"
announcements=$(http GET /api/announcements)
[[ $announcements == *"The gallery closes at four today"* ]] && pass "the live announcement still announced" \
    || fail "announcements after the upgrade: $announcements"
withdrawn=$(http DELETE /api/announcements/upgrade-test)
[[ $withdrawn == *" 204 "* || $withdrawn == *" 200 "* ]] && wait_for StatusText 'wall: The Long Winter' >/dev/null \
    && pass "withdrawn: $(show StatusText)" || fail "withdrawing the announcement: ${withdrawn%%$'\r'*}"
[ -e "$root/srv/vitrine/exhibits/solidarity/exhibit.md" ] && pass "content kept" || fail "content lost"

step "manual pages and completion, where Debian puts them"
manual=$(inside env MANWIDTH=100 man vitrine 2>&1)
[[ $manual == *"VITRINE(1)"* && $manual == *"render"* && $manual == *"bundle"* ]] && pass "man vitrine: $(wc -l <<<"$manual") lines" \
    || fail "man vitrine: ${manual:0:300}"
manual=$(inside env MANWIDTH=100 man 5 vitrine.yaml 2>&1)
[[ $manual == *"VITRINE.YAML(5)"* && $manual == *"timezone"* && $manual == *"output: framebuffer"* ]] \
    && pass "man 5 vitrine.yaml: $(wc -l <<<"$manual") lines" || fail "man 5 vitrine.yaml: ${manual:0:300}"
completion=$(inside bash -c 'source /usr/share/bash-completion/bash_completion
    _completion_loader vitrine; complete -p vitrine
    COMP_WORDS=(vitrine render --screen ""); COMP_CWORD=3; COMP_LINE="vitrine render --screen "; COMP_POINT=${#COMP_LINE}
    _vitrine vitrine "" --screen; echo "screens: ${COMPREPLY[*]}"' 2>&1)
[[ $completion == *"-F _vitrine vitrine"* && $completion == *"screens: kiosk wall"* ]] \
    && pass "bash completes screen names from /etc/vitrine/vitrine.yaml: ${completion##*screens: }" || fail "bash completion: $completion"

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
inside id vitrine >/dev/null 2>&1 && pass "user vitrine kept" || fail "removal deleted the user"

step "apt purge vitrine"
inside apt-get purge -y vitrine > "$cache/purge.log" 2>&1 || { cat "$cache/purge.log"; fail "apt purge"; }
[ ! -e "$root/etc/vitrine/vitrine.yaml" ] && [ ! -e "$root/var/lib/vitrine" ] && [ ! -e "$root/var/cache/vitrine" ] \
    && pass "configuration, play log and cache removed" || fail "purge left $(ls -d "$root"/etc/vitrine/vitrine.yaml "$root"/var/lib/vitrine "$root"/var/cache/vitrine 2>/dev/null)"
! inside id vitrine >/dev/null 2>&1 && pass "user vitrine removed" || fail "purge kept the user"
[ -z "$(find "$root/etc/systemd/system" -name vitrine.service)" ] && pass "no unit links left in /etc/systemd/system" \
    || fail "left: $(find "$root/etc/systemd/system" -name vitrine.service)"
[ -e "$root/srv/vitrine/exhibits/solidarity/exhibit.md" ] && pass "content kept (the venue's)" || fail "purge deleted the content"

inside systemctl poweroff >/dev/null 2>&1 || true
wait "$nspawn" 2>/dev/null || true
trap - EXIT
verdict "system tests" "$cache"
# Then the same package on a real framebuffer, in a QEMU guest booted from this root (SKIP_VM=1 skips it).
[ "${SKIP_VM:-0}" = 1 ] || exec deploy/test/vm.sh "$binary"
