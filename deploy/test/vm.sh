#!/usr/bin/env bash
# The service on a real framebuffer: a QEMU guest (TCG, Debian 12's kernel, bochs-drm behind `-device VGA` at
# 1920x1080) boots the cached Debian root with the package installed and the service enabled, and Debian's getty on
# tty1 left as every installation has it. The unit runs as its own user under DevicePolicy=closed and paints
# /dev/fb0 on a console of its own (tty7, in graphics mode, switching under its control). The test takes screen
# dumps through the QEMU monitor and compares them with `vitrine render` of the same moment (mean difference per
# channel, with a tolerance: font hinting may differ): once started; after Ctrl-Alt-F2 (tty2's console on the
# panel, STATUS says the page is not showing) and Ctrl-Alt-F7 (the page painted again); after the console was put
# in text mode under the screen, as a getty's terminal reset does (taken back); a film (generated colour bars with
# a caption) after a reload switches the playlist to it: libmpv under the hardened unit, its picture in the page on
# the real framebuffer, compared with `vitrine render` of that instant. Then the same panel through `output: kms`
# (DRM/KMS on bochs): the page and the film against `vitrine render`, page flips in /api/status and /metrics; the
# display unplugged and plugged back (the connector's sysfs status); display power with short opening hours: DPMS
# off and on, and a television on HDMI-CEC (the kernel's vivid driver, cec-follower playing the TV) receiving
# Standby and Image View On; two more screens on the two connectors of a second card (virtio-gpu), three films at
# once in one daemon, each head against `vitrine render` at its own mode, then retired by a reload. Then it stops
# the service and checks the text console is back. Keys go through QEMU's keyboard; questions to an agent in the
# guest go over a second serial line (deploy/test/guest.py).
#
# Usage: deploy/test/vm.sh [BINARY]   (after deploy/test/system.sh has built the root; needs root, qemu-system-x86,
# python3-pil). A dynamically linked build reaches its Swift runtime over 9p (the toolchain folder, read-only).
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-.build/debug/vitrine}
source deploy/test/report.sh
need_root "VM test" "building the guest's disk needs root"
need_tool "VM test" qemu-system-x86_64 qemu-system-x86
cache=$PWD/.build/system
root=$cache/bookworm
[ -e "$root/.complete" ] || { echo "VM test: run deploy/test/system.sh first (it builds the root)" >&2; exit 1; }
deb=$(ls -t "$cache"/dist/vitrine_*.deb | head -1)
work=$cache/vm
rm -rf "$work"
mkdir -p "$work"

step "kernel"
if ! ls "$root"/boot/vmlinuz-* >/dev/null 2>&1; then
    chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends linux-image-amd64" \
        > "$cache/kernel.log" 2>&1 || { tail -20 "$cache/kernel.log"; exit 1; }
fi
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)
initrd=$(ls "$root"/boot/initrd.img-* | sort -V | tail -1)
pass "$(basename "$kernel")"

step "guest disk"
guest=$work/root
cp -a "$root" "$guest"
rm -rf "$guest/etc/vitrine" "$guest/srv/vitrine" "$guest/var/lib/vitrine" "$guest/var/cache/vitrine" "$guest/etc/systemd/system/vitrine.service.d"
# The nspawn suite's journal (its watchdog test kills a daemon on purpose) is not this machine's.
rm -rf "$guest/var/log/journal/"*
cp "$deb" "$guest/root/vitrine.deb"
chroot "$guest" dpkg -i /root/vitrine.deb > "$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
# A film exhibit beside the demo's, on the host (for `vitrine render`) and in the guest: colour bars that never
# change, so any instant of it is the same picture, and one caption over all of it.
mkdir -p "$work/exhibits"
cp -a config/exhibits/. "$work/exhibits/"
mkdir -p "$work/exhibits/reel"
ffmpeg -loglevel error -y -f lavfi -i smptebars=s=640x360:r=25:d=900 -c:v libx264 -preset ultrafast -pix_fmt yuv420p \
    "$work/exhibits/reel/bars.mp4"
printf 'WEBVTT\n\n00:00:00.000 --> 00:15:00.000\nWords of the witness\n' > "$work/exhibits/reel/bars.vtt"
printf -- '---\ntitle: Reel\nmedia:\n  - film: bars.mp4\n    captions: bars.vtt\n    transcript: Colour bars.\n---\nA film.\n' \
    > "$work/exhibits/reel/exhibit.md"
cp -a "$work/exhibits/reel" "$guest/srv/vitrine/exhibits/reel"
chroot "$guest" chown -R root:root /srv/vitrine/exhibits/reel
config_body='content: /srv/vitrine/exhibits
themes:
  paper:
    background: "#F6F1E7"
    text: "#1D1B18"
    accent: "#7A1F1F"
    muted: "#4F4A42"
    fonts: { body: Noto Serif, heading: Noto Sans }
    transition: cut
playlists:
  main: [{ exhibit: solidarity, duration: 1h }]
screens:
  wall:
    output: framebuffer
    playlist: main
    device: /dev/fb0'
printf 'timezone: UTC\n%s\n' "$config_body" > "$guest/etc/vitrine/vitrine.yaml"
chroot "$guest" systemctl enable vitrine.service >/dev/null 2>&1
echo vitrine-vm > "$guest/etc/hostname"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' > "$guest/etc/fstab"
# (The whole output first: `grep -q` would close the pipe early, and pipefail would call that a failure.)
dynamic_section=$(readelf -d "$binary")
if [[ $dynamic_section == *RUNPATH*/opt/swift* ]]; then
    toolchain=$(toolchain_folder)
    mkdir -p "$guest$toolchain"
    printf 'toolchain %s 9p trans=virtio,version=9p2000.L,ro 0 0\n' "$toolchain" >> "$guest/etc/fstab"
    mkdir -p "$guest/etc/systemd/system/vitrine.service.d"
    printf '[Unit]\nRequiresMountsFor=%s\n' "$toolchain" > "$guest/etc/systemd/system/vitrine.service.d/toolchain.conf"
    virtfs=(-virtfs "local,path=$toolchain,mount_tag=toolchain,security_model=none,readonly=on")
else
    virtfs=()
fi
# An agent answers the host's questions (guest.py ask) from the second serial line on the first one.
cat > "$guest/usr/local/bin/vitrine-test-agent" <<'AGENT'
#!/bin/sh
stty -F /dev/ttyS1 -echo 2>/dev/null
exec 3< /dev/ttyS1
# The DRM card whose driver's name contains $1 (bochs-drm: the VGA panel; virtio: the second card).
card() {
    for c in /sys/class/drm/card[0-9]; do
        case $(readlink "$c/device/driver") in *"$1"*) echo "/dev/dri/${c##*/}" ;; esac
    done
}
# Reloads the service; `reply` is its state once the reload is over (or after 20 s).
reloaded() {
    systemctl reload vitrine.service
    for _ in $(seq 100); do
        reply=$(systemctl show -P ActiveState vitrine.service)
        [ "$reply" = reloading ] || break
        sleep 0.2
    done
}
echo "AGENT READY" > /dev/ttyS0
while read -r id command argument <&3; do
    case $command in
        status) reply=$(systemctl show -P StatusText vitrine.service) ;;
        state) reply="active=$(systemctl show -P ActiveState vitrine) user=$(ps -o user= -p "$(systemctl show -P MainPID vitrine)") policy=$(systemctl show -P DevicePolicy vitrine) getty-tty1=$(systemctl is-enabled getty@tty1.service)/$(systemctl is-active getty@tty1.service)" ;;
        # What a getty's terminal reset does to a console, then its prompt: text mode, text over the page.
        textmode) reply=$(perl -e 'open(my $t, ">", "/dev/tty7") or die "open: $!"; ioctl($t, 0x4B3A, 0) or die "KDSETMODE: $!"; print $t "\e[?25h\e[2J\e[Hvitrine-vm login: "; close $t; print "done"' 2>&1) ;;
        journal) reply=$(journalctl -b -u vitrine.service --no-pager -o cat | grep -c -- "$argument") ;;
        stop) systemctl stop vitrine.service; reply=$(systemctl show -P Result vitrine.service) ;;
        film) sed -i 's/exhibit: solidarity, duration: 1h/exhibit: reel/' /etc/vitrine/vitrine.yaml
              reloaded ;;
        # The same screen through DRM/KMS (and the listener, for /api/status): a reload that changes the output.
        kms) sed -i -e 's/output: framebuffer/output: kms/' -e "s|device: /dev/fb0|card: $(card bochs)\\n    connector: Virtual-1|" \
                 -e 's/main: \[.*\]/main: [{ exhibit: solidarity, duration: 1h }]/' /etc/vitrine/vitrine.yaml
             grep -q '^http:' /etc/vitrine/vitrine.yaml || printf 'http:\n  listen: 127.0.0.1:8080\n' >> /etc/vitrine/vitrine.yaml
             reloaded ;;
        # Opening hours that close and open again in a few minutes (ZONE HOURS), the display's power following
        # them, the television on the vivid HDMI output's CEC adapter.
        power) sed -i "s|^timezone: .*|timezone: ${argument%% *}|" /etc/vitrine/vitrine.yaml
               printf 'hours:\n  every-day: [%s]\n' "${argument#* }" >> /etc/vitrine/vitrine.yaml
               sed -i 's|^    connector: Virtual-1|    connector: Virtual-1\n    power: { wake-before: 1m, cec: /dev/cec1 }|' /etc/vitrine/vitrine.yaml
               reloaded ;;
        # How many messages cec-follower (the television) received with this opcode.
        cec) reply=$(grep -c -- "$argument" /run/cec-follower.log) ;;
        # The service's last log lines, on one line.
        log) reply=$(journalctl -b -u vitrine.service --no-pager -o cat | tail -n "${argument:-15}" | tr '\n' '|') ;;
        # The kms screen's playlist switched to the film.
        kmsfilm) sed -i 's/main: \[.*\]/main: [{ exhibit: reel }]/' /etc/vitrine/vitrine.yaml
                 reloaded ;;
        # The display unplugged (off) or plugged back (detect), as the connector's sysfs status forces it; replies
        # when STATUS says so, with the milliseconds it took.
        plug) echo "$argument" > "/sys/class/drm/$(card bochs | sed 's|.*/||')-Virtual-1/status"
              started=$(date +%s%N)
              while [ $(( $(date +%s%N) - started )) -lt 30000000000 ]; do
                  reply=$(systemctl show -P StatusText vitrine.service)
                  case "$argument:$reply" in
                      off:*waiting*) break ;;
                      detect:*waiting*) ;;
                      detect:*"wall: Reel"*) break ;;
                  esac
                  sleep 0.05
              done
              reply="$(( ($(date +%s%N) - started) / 1000000 )) ms: $reply" ;;
        # Two more screens on the two connectors of the second card (virtio-gpu, loaded only now so that the
        # panel's framebuffer and card stay the VGA's): its second output, which QEMU leaves unplugged without a
        # window, is plugged in through the connector's sysfs status.
        two) modprobe virtio_gpu
             udevadm settle
             card=$(card virtio)
             # Connectors are numbered across cards (the VGA's is Virtual-1): this card's two, in order.
             first=$(cd /sys/class/drm && ls -d "${card##*/}"-* | sort -V | head -1)
             second=$(cd /sys/class/drm && ls -d "${card##*/}"-* | sort -V | sed -n 2p)
             echo on > "/sys/class/drm/$second/status"
             sed -i -e "/^  wall:\$/i\\  side-a: { output: kms, playlist: main, card: $card, connector: ${first#*-}, tty: none }" \
                    -e "/^  wall:\$/i\\  side-b: { output: kms, playlist: main, card: $card, connector: ${second#*-}, mode: 1024x768, tty: none }" \
                    /etc/vitrine/vitrine.yaml
             reloaded
             reply="$reply $card ${first#*-} ${second#*-}" ;;
        # Back to the one screen on the VGA panel.
        one) sed -i '/^  side-[ab]:/d' /etc/vitrine/vitrine.yaml
             reloaded ;;
        # GET a path of the listener (one line of the answer that matches the argument's pattern).
        api) reply=$(perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new("127.0.0.1:8080") or die "connect: $!"; print $s "GET $ARGV[0] HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"; local $/; $_ = <$s>; print' "${argument%% *}" 2>&1 | grep -o -- "${argument#* }" | head -1) ;;
        *) reply="unknown command $command" ;;
    esac
    echo "REPLY $id $reply" | tr -d '\r' > /dev/ttyS0
done
AGENT
chmod 755 "$guest/usr/local/bin/vitrine-test-agent"
cat > "$guest/etc/systemd/system/vitrine-test-agent.service" <<'UNIT'
[Unit]
After=vitrine.service
[Service]
ExecStart=/usr/local/bin/vitrine-test-agent
[Install]
WantedBy=multi-user.target
UNIT
chroot "$guest" systemctl enable vitrine-test-agent.service >/dev/null 2>&1
# A television on HDMI-CEC: the kernel's vivid test driver gives an HDMI input (cec0, configured as the TV, which
# cec-follower plays: it answers as a television and logs what it receives) wired to an HDMI output (cec1, the
# screen's computer).
cat > "$guest/etc/systemd/system/vitrine-test-cec.service" <<'UNIT'
[Unit]
Before=vitrine.service
[Service]
ExecStartPre=/sbin/modprobe vivid
ExecStartPre=/usr/bin/udevadm settle
ExecStartPre=/usr/bin/cec-ctl -d0 --tv
ExecStart=/usr/bin/cec-follower -d0 --show-msgs --show-state
StandardOutput=file:/run/cec-follower.log
[Install]
WantedBy=multi-user.target
UNIT
chroot "$guest" systemctl enable vitrine-test-cec.service >/dev/null 2>&1
# The serial line carries the agent's replies, not a login prompt. tty1 keeps Debian's getty, as on any install.
chroot "$guest" systemctl mask serial-getty@ttyS0.service >/dev/null 2>&1
size=$(( $(du -sm "$guest" | cut -f1) + 400 ))
mkfs.ext4 -q -F -d "$guest" "$work/disk.img" "${size}M"
rm -rf "$guest"
pass "disk of ${size} MiB"

step "boot"
qemu-system-x86_64 -machine pc -cpu qemu64 -smp 2 -m 1024 -nodefaults -no-user-config \
    -kernel "$kernel" -initrd "$initrd" \
    -append "root=/dev/vda rw console=ttyS0 systemd.show_status=1 panic=-1 modprobe.blacklist=virtio_gpu" \
    -drive "file=$work/disk.img,format=raw,if=virtio" \
    -device VGA,xres=1920,yres=1080 -device virtio-gpu-pci,max_outputs=2,xres=1280,yres=720,id=second \
    -display none \
    -serial "file:$work/serial.log" -monitor "unix:$work/monitor.sock,server,nowait" \
    -chardev "socket,id=control,path=$work/control.sock,server=on,wait=off" -device isa-serial,chardev=control \
    -no-reboot "${virtfs[@]}" > "$work/qemu.log" 2>&1 &
qemu=$!
trap 'kill "$qemu" 2>/dev/null || true' EXIT
guest() { /usr/bin/python3 deploy/test/guest.py "$work" "$@"; }
# compare_with_render SHOT: the screen dump against `vitrine render` of the same moment (or of a few minutes before,
# should the guest's clock lag the host's).
compare_with_render() {
    local moment verdict at size=${2:-1920x1080}
    moment=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    for at in "$moment" "$(date -u -d "$moment - 3 minutes" +%Y-%m-%dT%H:%M:%SZ)"; do
        "$binary" render --config "$host_config" --screen wall --at "$at" --size "$size" --output "$work/expected.png" >/dev/null
        verdict=$(/usr/bin/python3 deploy/test/guest.py compare "$1" "$work/expected.png") && { echo "$verdict"; return 0; }
    done
    echo "$verdict"
    return 1
}
# expect_page NAME WHAT: once STATUS says the page shows again, the screen dump NAME.png is that page.
expect_page() {
    local status verdict
    status=$(guest until status 'wall: Solidarity' 'not showing') && pass "STATUS: $status" || fail "STATUS: $status"
    sleep 1
    guest dump "$work/$1.png"
    verdict=$(compare_with_render "$work/$1.png") && pass "$2 ($verdict)" || fail "$2: no, $verdict"
}
# expect_console NAME WHAT: the screen dump NAME.png is a text console, not the page: it differs from what
# `vitrine render` paints, and it is black with grey text (the page is paper-coloured, about 240).
expect_console() {
    local brightness verdict
    sleep 1
    guest dump "$work/$1.png"
    brightness=$(/usr/bin/python3 deploy/test/guest.py brightness "$work/$1.png")
    if verdict=$(compare_with_render "$work/$1.png"); then
        fail "$2: no, the page is still on the panel ($verdict)"
    else
        [ "$brightness" -lt 60 ] && pass "$2 (mean brightness $brightness; against vitrine render: $verdict)" \
            || fail "$2: no, the page (brightness $brightness)"
    fi
}
host_config=$work/host.yaml
printf 'timezone: UTC\n%s\n' "${config_body/\/srv\/vitrine\/exhibits/$PWD/config/exhibits}" \
    | sed "s|device: /dev/fb0|device: $work/fb-unused|" > "$host_config"
for _ in $(seq 600); do
    grep -q 'AGENT READY' "$work/serial.log" 2>/dev/null && break
    kill -0 "$qemu" 2>/dev/null || break
    sleep 0.5
done
grep -q 'AGENT READY' "$work/serial.log" 2>/dev/null || { tail -40 "$work/serial.log"; echo "the guest never reported" >&2; exit 1; }
# Debian's getty on tty1 starts alongside: wait for it too.
state=$(guest until state 'getty-tty1=enabled/active' || true)
[[ $state == "active=active user=vitrine "* ]] && pass "service ${state%% policy=*}" || fail "service: $state"
[[ $state == *"policy=closed"* ]] && pass "DevicePolicy=closed" || fail "device policy: $state"
[[ $state == *"getty-tty1=enabled/active"* ]] && pass "getty@tty1 enabled and running, as Debian installs it" || fail "getty on tty1: $state"

step "the screen"
expect_page screen "the panel shows the page vitrine render paints"

step "Ctrl-Alt-F2 and back: the page comes back"
guest key ctrl-alt-f2
status=$(guest until status 'wall: not showing') && pass "STATUS: $status" || fail "switched away, STATUS still says: $status"
expect_console away "tty2's console is on the panel"
guest key ctrl-alt-f7
expect_page back "Ctrl-Alt-F7: the page is painted again"

step "the console put in text mode under the screen (as a getty's terminal reset does)"
reply=$(guest ask textmode || true)
[ "$reply" = done ] || fail "could not reset the console: $reply"
taken=$(guest until "journal taken back" '^[1-9]') && pass "journal: the console was taken back ($taken time)" || fail "never taken back: $taken"
expect_page retaken "the page is painted again over the console's text"

step "a film on the real framebuffer"
reply=$(guest ask film || true)
[ "$reply" = active ] || fail "reload to the film: $reply"
status=$(guest until status 'wall: Reel') && pass "STATUS: $status" || fail "STATUS: $status"
host_config=$work/host-film.yaml
printf 'timezone: UTC\n%s\n' "${config_body/\/srv\/vitrine\/exhibits/$work/exhibits}" \
    | sed -e "s|device: /dev/fb0|device: $work/fb-unused|" -e 's/exhibit: solidarity, duration: 1h/exhibit: reel/' \
    > "$host_config"
# The lead-in, then libmpv's first picture under emulation.
sleep 6
guest dump "$work/film.png"
verdict=$(compare_with_render "$work/film.png") && pass "the film's picture and caption in the page, as vitrine render draws them ($verdict)" \
    || fail "the film: no, $verdict"

step "output: kms on the same panel (DRM/KMS, page flips on vblank)"
reply=$(guest ask kms || true)
[ "$reply" = active ] || fail "reload to the kms output: $reply"
host_config=$work/host.yaml
expect_page kms "the kms output shows the page vitrine render paints"
reply=$(guest ask kmsfilm || true)
[ "$reply" = active ] || fail "reload to the film: $reply"
status=$(guest until status 'wall: Reel') && pass "STATUS: $status" || fail "STATUS: $status"
host_config=$work/host-film.yaml
sleep 6
guest dump "$work/kms-film.png"
verdict=$(compare_with_render "$work/kms-film.png") \
    && pass "the film through the kms output's buffers, as vitrine render draws it ($verdict)" || fail "the film on kms: no, $verdict"
# Each film picture is a page flip on vblank: dozens by now.
flips=$(guest ask api '/api/status "flips":[0-9]*' || true)
[[ ${flips#*:} =~ ^[0-9]+$ ]] && [ "${flips#*:}" -ge 10 ] && pass "page flips in /api/status: ${flips#*:}" \
    || fail "too few page flips in /api/status: $flips; $(guest ask log 10)"
counted=$(guest ask api '/metrics vitrine_page_flips_total{screen="wall"} [0-9]*' || true)
[[ ${counted##* } =~ ^[0-9]+$ ]] && [ "${counted##* }" -ge 10 ] && pass "/metrics: $counted" || fail "no page flips in /metrics: $counted"

step "hot-plug: the display unplugged and plugged back"
reply=$(guest ask plug off || true)
[[ $reply == *"waiting for one"* ]] && pass "unplugged (${reply%%:*}): ${reply#*: }" || fail "unplugged: $reply"
reply=$(guest ask plug detect || true)
elapsed=${reply%% ms*}
[[ $reply == *"wall: Reel"* && $reply != *waiting* ]] && [[ $elapsed =~ ^[0-9]+$ ]] && [ "$elapsed" -lt 10000 ] \
    && pass "plugged back: the page is shown again after $elapsed ms (the connector is looked at every second)" \
    || fail "plugged back: $reply"
sleep 2
guest dump "$work/replugged.png"
verdict=$(compare_with_render "$work/replugged.png") && pass "the panel shows the film again ($verdict)" || fail "after the replug: $verdict"

step "display power after hours: DPMS and HDMI-CEC"
# Local time near noon whatever the hour (Etc/GMT-N is UTC+N), so the short hours never cross midnight: closing at
# the next minute at least 20 s away, open again two minutes later, the display woken a minute before.
offset=$(( 12 - 10#$(date -u +%H) ))
zone=$([ "$offset" -ge 0 ] && echo "Etc/GMT-$offset" || echo "Etc/GMT+$(( -offset ))")
close=$(( ( $(date +%s) + 20 + 59 ) / 60 * 60 ))
hm() { TZ="$zone" date -d "@$1" +%H:%M; }
reply=$(guest ask power "$zone 00:00-$(hm "$close"), $(hm $(( close + 120 )))-24:00" || true)
[ "$reply" = active ] || fail "reload with short hours: $reply"
standby=$(guest until "cec STANDBY" '^[1-9]') && pass "the television received Standby at closing ($(hm "$close") $zone)" \
    || fail "no Standby on the CEC bus: $standby; $(guest ask log 10)"
display=$(guest until 'api /api/status "display":"[a-z]*"' '"off"' || true)
cec=$(guest ask api '/api/status "cec":"[a-z]*"' || true)
[ "$display" = '"display":"off"' ] && [ "$cec" = '"cec":"standby"' ] && pass "/api/status: $display, $cec" \
    || fail "/api/status after closing: $display $cec"
sleep 1
guest dump "$work/power-off.png"
brightness=$(/usr/bin/python3 deploy/test/guest.py brightness "$work/power-off.png")
[ "$brightness" -lt 10 ] && pass "the panel is dark (DPMS off; mean brightness $brightness)" || fail "the panel still shows a picture (brightness $brightness)"
woken=$(guest until "cec IMAGE_VIEW_ON" '^[1-9]') && pass "the television received Image View On a minute before opening" \
    || fail "no Image View On: $woken; $(guest ask log 10)"
display=$(guest until 'api /api/status "display":"[a-z]*"' '"on"' || true)
cec=$(guest ask api '/api/status "cec":"[a-z]*"' || true)
[ "$display" = '"display":"on"' ] && [ "$cec" = '"cec":"on"' ] && pass "/api/status: $display, $cec" \
    || fail "/api/status before opening: $display $cec"

step "two connectors of one card: two more screens in the same daemon"
reply=$(guest ask two || true)
[[ $reply == "active /dev/dri/card"* ]] || fail "reload with two more screens: $reply"
read -r _ second_card first_connector second_connector <<< "$reply"
status=$(guest until status 'side-a: Reel.*side-b: Reel') && pass "STATUS: $status" || fail "STATUS: $status"
sleep 3
# What the second card shows on each of its outputs: the same film at 1280x720 (the display's preferred mode) and
# at 1024x768 (`mode:` on a display forced on, which offers every mode up to 5K), each laid out for its own mode.
# Three films starting at once under emulation take a while to show their first pictures: the dump is taken again
# (up to 5 times, 2 s apart) until the film is up.
head_shows_render() {
    local verdict
    for _ in 1 2 3 4 5; do
        guest dump "$1" second "$2"
        verdict=$(compare_with_render "$1" "$3") && { echo "$verdict"; return 0; }
        sleep 2
    done
    echo "$verdict"
    return 1
}
verdict=$(head_shows_render "$work/side-a.png" 0 1280x720) \
    && pass "$second_card $first_connector shows the film at 1280x720 ($verdict)" || fail "$first_connector: $verdict"
verdict=$(head_shows_render "$work/side-b.png" 1 1024x768) \
    && pass "$second_card $second_connector shows it at 1024x768 ($verdict)" || fail "$second_connector: $verdict"
flips=$(guest ask api '/metrics vitrine_page_flips_total{screen="side-b"} [0-9]*' || true)
[[ ${flips##* } =~ ^[0-9]+$ ]] && [ "${flips##* }" -ge 1 ] && pass "side-b flips: $flips" || fail "side-b flips: $flips"
reply=$(guest ask one || true)
[ "$reply" = active ] && pass "the two screens retired by a reload" || fail "reload back to one screen: $reply"
# Three films drawn at once under emulation have more pictures due than two cores can draw: the screens must still
# take turns with the rest of the daemon (its loops, the watchdog's pings, reloads).
wedged=$(guest ask journal "Watchdog timeout" || true)
[ "$wedged" = 0 ] && pass "no watchdog timeout while three films played" || fail "the watchdog killed the daemon $wedged time(s)"

step "stop: the console comes back"
result=$(guest ask stop || true)
[ "$result" = success ] && pass "stopped cleanly" || fail "stop: $result; $(guest ask log 15)"
expect_console console "text console restored"

kill "$qemu" 2>/dev/null || true
wait "$qemu" 2>/dev/null || true
trap - EXIT
rm -f "$work/disk.img"
verdict "VM test" "$work (serial log and screen dumps)"
