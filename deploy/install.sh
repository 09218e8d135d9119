#!/usr/bin/env bash
# Installs Vitrine in FHS paths under DESTDIR (empty: this machine). Called by `make install` and `make deb`.
# Usage: deploy/install.sh DESTDIR PREFIX BINARY
# Never overwrites an existing /etc/vitrine/vitrine.yaml, never enables or starts the service.
set -euo pipefail
cd "$(dirname "$0")/.."
destdir=${1:-}
prefix=${2:-/usr}
binary=${3:?usage: deploy/install.sh DESTDIR PREFIX BINARY}
[ -x "$binary" ] || { echo "install: no program at $binary (build it first: make release-static)" >&2; exit 1; }

install -Dm755 "$binary" "$destdir$prefix/bin/vitrine"
# The unit names the program by its installed path.
install -d "$destdir/usr/lib/systemd/system" "$destdir/usr/lib/sysusers.d"
sed "s|/usr/bin/vitrine|$prefix/bin/vitrine|" deploy/vitrine.service > "$destdir/usr/lib/systemd/system/vitrine.service"
chmod 644 "$destdir/usr/lib/systemd/system/vitrine.service"
install -m644 deploy/sysusers.d/vitrine.conf "$destdir/usr/lib/sysusers.d/vitrine.conf"

# Example exhibits (copied to /srv/vitrine/exhibits on first install) and the documentation.
install -d "$destdir$prefix/share/vitrine"
rm -rf "$destdir$prefix/share/vitrine/exhibits"
cp -r config/exhibits "$destdir$prefix/share/vitrine/exhibits"
chmod -R u=rwX,go=rX "$destdir$prefix/share/vitrine/exhibits"
# The exec plugin examples, runnable where their samples say (/usr/share/vitrine/plugins/NAME/).
for plugin in led-ticker log-pages; do
    install -d "$destdir$prefix/share/vitrine/plugins/$plugin"
    for file in plugins/$plugin/*; do
        if [ -x "$file" ]; then mode=755; else mode=644; fi
        install -m"$mode" "$file" "$destdir$prefix/share/vitrine/plugins/$plugin/"
    done
done
install -d "$destdir$prefix/share/doc/vitrine"
install -m644 README.md docs/operations.md docs/configuration.md docs/http.md docs/plugin-protocol.md \
    docs/plugins.md "$destdir$prefix/share/doc/vitrine/"
install -m644 deploy/vitrine.yaml "$destdir$prefix/share/doc/vitrine/vitrine.yaml.example"

if [ ! -e "$destdir/etc/vitrine/vitrine.yaml" ]; then
    install -Dm644 deploy/vitrine.yaml "$destdir/etc/vitrine/vitrine.yaml"
fi

# On this machine itself: create the user and the content folder, and let systemd see the unit. Nothing is enabled.
if [ -z "$destdir" ] && [ "$(id -u)" = 0 ]; then
    deploy/deb/postinst configure
fi
