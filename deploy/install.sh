#!/usr/bin/env bash
# Installs Vitrine in FHS paths under DESTDIR (empty: this machine). Called by `make install` and `make deb`.
# Usage: deploy/install.sh DESTDIR PREFIX BINARY MANUAL
# MANUAL is vitrine(1) as swift-argument-parser's manual generator writes it (`make manual`).
# Never overwrites an existing /etc/vitrine/vitrine.yaml, never enables or starts the service.
set -euo pipefail
cd "$(dirname "$0")/.."
destdir=${1:-}
prefix=${2:-/usr}
binary=${3:?usage: deploy/install.sh DESTDIR PREFIX BINARY MANUAL}
manual=${4:?usage: deploy/install.sh DESTDIR PREFIX BINARY MANUAL}
[ -x "$binary" ] || { echo "install: no program at $binary (build it first: make release-static)" >&2; exit 1; }
[ -s "$manual" ] || { echo "install: no manual page at $manual (make manual writes it)" >&2; exit 1; }

install -Dm755 "$binary" "$destdir$prefix/bin/vitrine"
# The version and commit (deploy/version.sh), written into the installed program's stamp section (see
# Sources/CBuildStamp): `vitrine --version`, the first log line, /api/status and /metrics report them.
read -r version commit time < <(deploy/version.sh)
stamp=$(mktemp)
trap 'rm -f "$stamp"' EXIT
printf '%s %s' "$version" "$commit" > "$stamp"
[ "$(stat -c %s "$stamp")" -lt 256 ] || { echo "install: version stamp longer than 255 bytes" >&2; exit 1; }
truncate -s 256 "$stamp"
objcopy --update-section .vitrine_stamp="$stamp" "$destdir$prefix/bin/vitrine" \
    || { echo "install: $binary has no stamp section (a build older than the stamp?)" >&2; exit 1; }
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
# Manual pages: vitrine(1) from the command-line definitions, vitrine.yaml(5) from the declarations `vitrine check`
# reads the configuration with (both gzipped, as Debian installs them).
install -d "$destdir$prefix/share/man/man1" "$destdir$prefix/share/man/man5"
gzip -9n < "$manual" > "$destdir$prefix/share/man/man1/vitrine.1.gz"
# The page's date is the commit's (two builds of one commit write the same page), else today's.
"$binary" reference --manual --date "${time%%T*}" | gzip -9n > "$destdir$prefix/share/man/man5/vitrine.yaml.5.gz"
chmod 644 "$destdir$prefix"/share/man/man*/vitrine*.gz
# Shell completions, where Debian's bash, zsh and fish look; they complete screen and exhibit names from --config.
install -d "$destdir$prefix/share/bash-completion/completions" "$destdir$prefix/share/zsh/vendor-completions" \
    "$destdir$prefix/share/fish/vendor_completions.d"
# (bash-completion sources the file: no #! line, which lintian would flag.)
"$binary" --generate-completion-script bash | sed '1{/^#!/d}' > "$destdir$prefix/share/bash-completion/completions/vitrine"
"$binary" --generate-completion-script zsh > "$destdir$prefix/share/zsh/vendor-completions/_vitrine"
"$binary" --generate-completion-script fish > "$destdir$prefix/share/fish/vendor_completions.d/vitrine.fish"
chmod 644 "$destdir$prefix/share/bash-completion/completions/vitrine" "$destdir$prefix/share/zsh/vendor-completions/_vitrine" \
    "$destdir$prefix/share/fish/vendor_completions.d/vitrine.fish"

install -d "$destdir$prefix/share/doc/vitrine"
install -m644 deploy/deb/copyright "$destdir$prefix/share/doc/vitrine/copyright"
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
