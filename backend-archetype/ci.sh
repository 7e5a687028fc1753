#!/usr/bin/env bash
# Generates a backend project from the installed archetype in a temporary directory, offline, as a new
# backend author would; builds it, running the compatibility kit on it; checks that a project whose kit
# runs no test fails; checks its jar with `pvmm backends check`; and runs it in the launcher from a
# backend directory and from the distribution's backends/. Run it after installing the reactor (from
# the repository root: mvn -B -ntp install); MAVEN_OPTS=-Dmaven.repo.local=DIR uses another local
# repository.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
version=$(sed -n 's:^[[:space:]]*<version>\([^<]*\)</version>.*:\1:p' pom.xml | head -n 1)
work=$(mktemp -d)
installed=
cleanup() {
    rm -rf "$work"
    if [ -n "$installed" ]; then rm -f "$installed"; fi
}
trap cleanup EXIT

passed=0
failed=0
check() {
    local what=$1
    shift
    if "$@"; then
        echo "archetype smoke: ok: $what"
        passed=$((passed + 1))
    else
        echo "archetype smoke: FAILED: $what"
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

echo "archetype smoke: mvn -o archetype:generate ... -Dbackend=rmap"
launch bash -c 'cd "$1" && mvn -B -ntp -o archetype:generate -DarchetypeGroupId=io.pvmm -DarchetypeArtifactId=pvmm-backend-archetype \
    -DarchetypeVersion="$2" -DgroupId=org.example.pvmm -DartifactId=pvmm-rmap-backend -Dversion=0.1.0 -Dbackend=rmap' _ "$work" "$version"
check "generates a project offline" test "$code" -eq 0
project=$work/pvmm-rmap-backend

echo "archetype smoke: mvn -o verify in the generated project"
launch bash -c 'cd "$1" && mvn -B -ntp -o verify' _ "$project"
check "builds and passes the kit" test "$code" -eq 0
total=$(sed -n 's/^\[[A-Z]*\] Tests run: \([0-9]*\), Failures: 0, Errors: 0, Skipped: [0-9]*$/\1/p' <<<"$output" | tail -n 1)
echo "archetype smoke: the kit ran ${total:-no} tests"
check "runs more than 40 tests" test "${total:-0}" -gt 40
check "reports the kit's tests under the generated test class" grep -Eq 'Tests run: [1-9][0-9]+.* in org\.example\.pvmm\.RmapBackendTest$' <<<"$output"
check "prints why each skipped test was skipped" grep -q '^\[pvmm kit\] RmapBackendTest: skipped: .*: Assumption failed: ' <<<"$output"
jar=$project/target/pvmm-rmap-backend-0.1.0.jar

echo "archetype smoke: a copy whose test class the build does not pick up"
cp -r "$project" "$work/no-tests"
mv "$work/no-tests/src/test/java/org/example/pvmm/RmapBackendTest.java" "$work/no-tests/src/test/java/org/example/pvmm/RmapBackendKit.java"
sed -i 's/class RmapBackendTest /class RmapBackendKit /' "$work/no-tests/src/test/java/org/example/pvmm/RmapBackendKit.java"
launch bash -c 'cd "$1" && mvn -B -ntp -o verify' _ "$work/no-tests"
check "a build that runs no test fails" test "$code" -ne 0
check "and says that no test ran" grep -q "No tests" <<<"$output"

echo "archetype smoke: pvmm backends check $jar"
launch ./pvmm backends check "$jar"
check "the jar passes every check" test "$code" -eq 0

backends=$work/backends
mkdir -p "$backends"
cp "$jar" "$backends/"
echo "archetype smoke: pvmm compare --backends native,rmap --backend-path DIR --workload fork-exit --mode both"
launch ./pvmm compare --backends native,rmap --backend-path "$backends" --workload fork-exit --mode both --quiet
check "exits 0" test "$code" -eq 0
check "its translations agree with the reference" grep -Eq '^  translations +reference +AGREED$' <<<"$output"
check "no violation" grep -Eq '^  violations +none +none$' <<<"$output"

installed=$root/cli/target/pvmm-$version/backends/$(basename "$jar")
cp "$jar" "$installed"
echo "archetype smoke: pvmm backends, with the jar in the distribution's backends/"
launch ./pvmm backends
check "lists rmap from backends/" grep -Eq "loaded from +$root/cli/target/pvmm-$version/backends/pvmm-rmap-backend-0\.1\.0\.jar$" <<<"$output"
launch ./pvmm run --backend rmap --workload fork-exit -q
check "runs on rmap from backends/" grep -q "^backend rmap," <<<"$output"

echo "archetype smoke: $passed passed, $failed failed"
test "$failed" -eq 0
