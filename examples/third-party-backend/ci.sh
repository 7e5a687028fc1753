#!/usr/bin/env bash
# Builds and tests the third-party backend example against the pvmm artifacts installed in the local
# Maven repository. Run it after installing the reactor (from the repository root: mvn -B -ntp install).
# Extra arguments go to Maven, e.g. ./ci.sh -Dmaven.repo.local=/tmp/m2 to use another local repository.
# Inside the pvmm repository it then loads the built jar into the real launcher, as a user would.
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

launcher=../../pvmm
if [ ! -x "$launcher" ]; then
    echo "examples/third-party-backend: no pvmm launcher beside this project; skipping the smoke run"
    exit 0
fi
jar=$(ls target/pvmm-checking-backend-*.jar)
backends=$(mktemp -d)
trap 'rm -rf "$backends"' EXIT
cp "$jar" "$backends/"

passed=0
failed=0
check() {
    local what=$1
    shift
    if "$@"; then
        echo "example smoke: ok: $what"
        passed=$((passed + 1))
    else
        echo "example smoke: FAILED: $what"
        failed=$((failed + 1))
    fi
}
launch() {
    set +e
    output=$("$@" 2>&1)
    code=$?
    set -e
    printf '%s\n' "$output" | sed 's/^/  | /'
}

echo "example smoke: pvmm backends check $jar"
launch "$launcher" backends check "$jar"
check "the jar passes every check" test "$code" -eq 0

echo "example smoke: pvmm run --backend checking --backend-path DIR --workload fork-exit"
launch "$launcher" run --backend checking --backend-path "$backends" --workload fork-exit -q
check "exits 0" test "$code" -eq 0
check "runs on checking" grep -q "^backend checking," <<<"$output"
check "no violation" grep -q "^violations: none" <<<"$output"

echo "example smoke: the same with guest.bug=free-before-release"
launch "$launcher" run --backend checking --backend-path "$backends" --workload fork-exit -q --set guest.bug=free-before-release
check "exits 4 (problems found)" test "$code" -eq 4
check "reports release-of-free-frame" grep -q "release-of-free-frame" <<<"$output"

echo "example smoke: $passed passed, $failed failed"
test "$failed" -eq 0
