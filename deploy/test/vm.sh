#!/usr/bin/env bash
# The service on a real framebuffer: a QEMU guest (TCG, Debian 12's kernel, bochs-drm behind `-device VGA` at
# 1920x1080) boots the cached Debian root with the package installed and the service enabled. The unit runs as its
# own user under DevicePolicy=closed and paints /dev/fb0 with the console on tty1 held in graphics mode; the test
# takes a screen dump through the QEMU monitor and compares it with `vitrine render` of the same moment (mean
# difference per channel, with a tolerance: font hinting may differ), then stops the service and checks the
# console is back.
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
rm -rf "$guest/etc/vitrine" "$guest/srv/vitrine" "$guest/var/lib/vitrine" "$guest/etc/systemd/system/vitrine.service.d"
cp "$deb" "$guest/root/vitrine.deb"
chroot "$guest" dpkg -i /root/vitrine.deb > "$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
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
    device: /dev/fb0
    tty: /dev/tty1'
printf 'timezone: UTC\n%s\n' "$config_body" > "$guest/etc/vitrine/vitrine.yaml"
chroot "$guest" systemctl enable vitrine.service >/dev/null 2>&1
echo vitrine-vm > "$guest/etc/hostname"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' > "$guest/etc/fstab"
if readelf -d "$binary" | grep -q 'RUNPATH.*/opt/swift'; then
    toolchain=$(toolchain_folder)
    mkdir -p "$guest$toolchain"
    printf 'toolchain %s 9p trans=virtio,version=9p2000.L,ro 0 0\n' "$toolchain" >> "$guest/etc/fstab"
    mkdir -p "$guest/etc/systemd/system/vitrine.service.d"
    printf '[Unit]\nRequiresMountsFor=%s\n' "$toolchain" > "$guest/etc/systemd/system/vitrine.service.d/toolchain.conf"
    virtfs=(-virtfs "local,path=$toolchain,mount_tag=toolchain,security_model=none,readonly=on")
else
    virtfs=()
fi
# Reports to the serial line once the screen has been up a while, then stops the service (the console must return).
cat > "$guest/etc/systemd/system/vitrine-report.service" <<'UNIT'
[Unit]
After=vitrine.service
[Service]
Type=oneshot
StandardOutput=file:/dev/ttyS0
ExecStart=/bin/sh -c 'sleep 6; echo "REPORT $(systemctl show -P ActiveState vitrine) user=$(ps -o user= -p $(systemctl show -P MainPID vitrine)) status=$(systemctl show -P StatusText vitrine)"; echo "DEVICE-POLICY $(systemctl show -P DevicePolicy vitrine)"; echo SHOWN; sleep 12; systemctl stop vitrine; echo "STOPPED $(systemctl show -P Result vitrine)"'
[Install]
WantedBy=multi-user.target
UNIT
chroot "$guest" systemctl enable vitrine-report.service >/dev/null 2>&1
# The serial line carries the report alone, not a login prompt.
chroot "$guest" systemctl mask serial-getty@ttyS0.service >/dev/null 2>&1
size=$(( $(du -sm "$guest" | cut -f1) + 400 ))
mkfs.ext4 -q -F -d "$guest" "$work/disk.img" "${size}M"
rm -rf "$guest"
pass "disk of ${size} MiB"

step "boot"
qemu-system-x86_64 -machine pc -cpu qemu64 -smp 2 -m 1024 -nodefaults -no-user-config \
    -kernel "$kernel" -initrd "$initrd" \
    -append "root=/dev/vda rw console=ttyS0 systemd.show_status=1 panic=-1" \
    -drive "file=$work/disk.img,format=raw,if=virtio" \
    -device VGA,xres=1920,yres=1080 -display none \
    -serial "file:$work/serial.log" -monitor "unix:$work/monitor.sock,server,nowait" \
    -no-reboot "${virtfs[@]}" > "$work/qemu.log" 2>&1 &
qemu=$!
trap 'kill "$qemu" 2>/dev/null || true' EXIT
screendump() {
    /usr/bin/python3 - "$work/monitor.sock" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(f"screendump {sys.argv[2]} -f png\n".encode())
time.sleep(1.5)
s.close()
PY
}
shown=no
for _ in $(seq 600); do
    grep -q 'SHOWN' "$work/serial.log" 2>/dev/null && { shown=yes; break; }
    kill -0 "$qemu" 2>/dev/null || break
    sleep 0.5
done
[ "$shown" = yes ] || { tail -40 "$work/serial.log"; echo "the guest never reported" >&2; exit 1; }
moment=$(date -u +%Y-%m-%dT%H:%M:%SZ)
screendump "$work/screen.png"
report=$(grep -o 'REPORT.*' "$work/serial.log" | tr -d '\r' || true)
[[ $report == "REPORT active user=vitrine"* ]] && pass "${report#REPORT }" || fail "service: $report"
[[ $(grep -o 'DEVICE-POLICY.*' "$work/serial.log" | tr -d '\r' || true) == "DEVICE-POLICY closed" ]] && pass "DevicePolicy=closed" || fail "device policy"
[[ $report == *"wall: Solidarity"* ]] && pass "STATUS shows the exhibit on the panel" || fail "STATUS: $report"

step "the screen"
host_config=$work/host.yaml
printf 'timezone: UTC\n%s\n' "${config_body/\/srv\/vitrine\/exhibits/$PWD/config/exhibits}" \
    | sed "s|device: /dev/fb0|device: $work/fb-unused|" > "$host_config"
ok=no
for at in "$moment" "$(date -u -d "$moment - 3 minutes" +%Y-%m-%dT%H:%M:%SZ)"; do
    "$binary" render --config "$host_config" --screen wall --at "$at" --size 1920x1080 --output "$work/expected.png" >/dev/null
    verdict=$(/usr/bin/python3 - "$work/screen.png" "$work/expected.png" <<'PY'
import sys
from PIL import Image, ImageChops, ImageStat
shot = Image.open(sys.argv[1]).convert("RGB")
want = Image.open(sys.argv[2]).convert("RGB")
if shot.size != want.size:
    print(f"size {shot.size} != {want.size}"); sys.exit(1)
delta = ImageChops.difference(shot, want)
mean = sum(ImageStat.Stat(delta).mean) / 3
# Same page: the text in the same places; font hinting may shift an edge here and there, so a mean difference,
# but nothing drawn over the page either (a console cursor is a solid 8x16 block): few pixels far off.
far = sum(1 for p in delta.getdata() if max(p) > 96)
print(f"mean difference per channel {mean:.2f} of 255, {far} pixels far off")
sys.exit(0 if mean < 4 and far < 64 else 1)
PY
) && { ok=yes; break; }
done
[ "$ok" = yes ] && pass "the panel shows the page vitrine render paints ($verdict)" || fail "screen dump differs from vitrine render: $verdict"

step "stop: the console comes back"
for _ in $(seq 60); do grep -q 'STOPPED' "$work/serial.log" && break; sleep 0.5; done
grep -q 'STOPPED success' "$work/serial.log" && pass "stopped cleanly" || fail "$(grep -o 'STOPPED.*' "$work/serial.log" || echo 'never stopped')"
sleep 2
screendump "$work/console.png"
brightness=$(/usr/bin/python3 -c "
from PIL import Image, ImageStat
print(round(sum(ImageStat.Stat(Image.open('$work/console.png').convert('RGB')).mean) / 3))")
# The page is paper-coloured (about 240); the text console is black with grey text.
[ "$brightness" -lt 60 ] && pass "text console restored (mean brightness $brightness)" || fail "the page stayed on the screen after stop (brightness $brightness)"

kill "$qemu" 2>/dev/null || true
wait "$qemu" 2>/dev/null || true
trap - EXIT
rm -f "$work/disk.img"
verdict "VM test" "$work (serial log and screen dumps)"
