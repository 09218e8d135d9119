# Sourced by the system tests: numbered steps, one line per check, failures counted (not fatal, so one run shows
# everything that is wrong), and a verdict at the end.
failures=0
# Each step says when it began (seconds since the suite started), so a slow step shows in CI's log.
step() { printf '\n== %s  [%d s]\n' "$*" "$SECONDS"; }
pass() { printf '   ok: %s\n' "$*"; }
fail() { printf '   FAILED: %s\n' "$*"; failures=$((failures + 1)); }
# verdict NAME LOGS: exits 1 when a check failed.
verdict() {
    if [ "$failures" -gt 0 ]; then
        echo "$1: $failures failed (logs in $2)"
        exit 1
    fi
    echo "$1: all passed"
}

# need_root NAME WHY: as anyone but root, says why NAME is skipped and exits 0 (CI runs the suites as root).
need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "$1: skipped ($2; CI runs it as root)"
        exit 0
    fi
}

# need_tool NAME PROGRAM PACKAGE: stops NAME when PROGRAM is missing, naming the Debian package that has it.
need_tool() {
    command -v "$2" >/dev/null || { echo "$1: $2 missing (apt-get install $3)" >&2; exit 1; }
}

# The Swift toolchain's folder (/opt/swift here), which a dynamically linked build needs at the same path.
toolchain_folder() {
    dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")"
}
