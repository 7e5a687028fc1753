#!/usr/bin/env bash
# Builds and tests the third-party backend example against the pvmm artifacts installed in the local
# Maven repository. Run it after installing the reactor (from the repository root: mvn -B -ntp install).
# Extra arguments go to Maven, e.g. ./ci.sh -Dmaven.repo.local=/tmp/m2 to use another local repository.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

repo="$HOME/.m2/repository"
for arg in "$@"; do
    case "$arg" in -Dmaven.repo.local=*) repo="${arg#-Dmaven.repo.local=}" ;; esac
done
for artifact in pvmm-parent pvmm-api pvmm-guest-kernel-model pvmm-backend-tck; do
    if [ ! -d "$repo/io/pvmm/$artifact/1.0.0-SNAPSHOT" ]; then
        echo "examples/third-party-backend: io.pvmm:$artifact:1.0.0-SNAPSHOT is not in $repo." >&2
        echo "Install the pvmm reactor first: mvn -B -ntp install (from the repository root)." >&2
        exit 1
    fi
done

mvn -B -ntp "$@" verify
