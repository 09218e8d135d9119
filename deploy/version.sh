#!/usr/bin/env bash
# The version of this build, the commit it comes from and that commit's time, as "VERSION COMMIT TIME": what
# deploy/install.sh stamps into the program (`vitrine --version`) and deploy/deb/build.sh gives the package, so the
# two are the same string; TIME dates the manual pages and the changelog entry.
# VERSION is the changelog's release, and for a build from git, the commit's time and short hash after it
# (0.1.0+git202612070551.05ce9b4: later commits sort later, as apt compares versions); a tree with uncommitted
# changes adds +modified to both. VITRINE_VERSION=... replaces VERSION (a rebuilt package: 0.1.0+git…+b1).
set -euo pipefail
cd "$(dirname "$0")/.."
# `sudo make install` from a clone that belongs to someone else: git refuses to read a repository owned by another
# user unless told it is safe (and the version would lose its commit).
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0="$PWD"
release=$(sed -n '1s/^vitrine (\([^)]*\)).*/\1/p' deploy/deb/changelog)
[ -n "$release" ] || { echo "version: no release in the first line of deploy/deb/changelog" >&2; exit 1; }
version=$release
commit=unknown
time=$(date -u +%Y-%m-%dT%H:%M:%SZ)
if git rev-parse --git-dir >/dev/null 2>&1; then
    commit=$(git rev-parse HEAD)
    time=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ)
    stamp=${time:0:16}  # 2026-12-07T05:51 -> 202612070551
    stamp=${stamp//[-T:]/}
    version="$release+git$stamp.$(git rev-parse --short HEAD)"
    if ! git diff --quiet HEAD -- 2>/dev/null; then
        version="$version+modified"
        commit="$commit+modified"
    fi
fi
echo "${VITRINE_VERSION:-$version} $commit $time"
