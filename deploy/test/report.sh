# Sourced by the system tests: numbered steps, one line per check, failures counted (not fatal, so one run shows
# everything that is wrong), and a verdict at the end.
failures=0
step() { printf '\n== %s\n' "$*"; }
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
