#!/usr/bin/env bash
# behaviour-snapshot.sh OUT_DIR [REPO]: records what a tree's model and backends do, timings aside,
# so a change of structure can show that it changed nothing else.
#
# For every built-in workload and every shipped trace (workloads/*.trace), in both paging modes, it
# writes the JSON of
#   pvmm compare --backends all --workload W --mode both --format json              W.json
#   pvmm compare --backends all --workload W --mode both --format json --bugs all   W.bugs.json
# into OUT_DIR with every "elapsedMillis" removed (the only field that depends on the machine). Hook
# counts, counters, frames, translation digests, audit findings, violations and the detection matrix
# stay. Exit codes 0 and 4 are both recorded answers (4: a run found something, as bug runs do).
#
# The check for a structural change (docs/architecture.md, "Checking a structural change"):
#
#   git -C <repo> worktree add --detach /tmp/base main      # once; later: checkout --detach main
#   scripts/behaviour-snapshot.sh /tmp/before /tmp/base
#   scripts/behaviour-snapshot.sh /tmp/after
#   diff -r /tmp/before /tmp/after && echo "no behaviour changed"
#
# REPO defaults to the repository holding this script; its ./pvmm builds that tree's distribution
# on first use.
set -euo pipefail
out=${1:?usage: behaviour-snapshot.sh OUT_DIR [REPO]}
repo=${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
repo=$(cd "$repo" && pwd)
command -v jq >/dev/null 2>&1 || { echo "behaviour-snapshot: jq not found" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)

workloads=(boot fork-exit pageattr smp-mixed)
for trace in "$repo"/workloads/*.trace; do
    [[ -e $trace ]] && workloads+=("$trace")
done

run() { # name, extra compare options...
    local name=$1; shift
    local raw rc=0
    raw=$(cd "$repo" && ./pvmm compare --backends all --mode both --format json -q "$@") || rc=$?
    if [[ $rc -ne 0 && $rc -ne 4 ]]; then
        echo "behaviour-snapshot: pvmm compare $* exited $rc" >&2
        exit "$rc"
    fi
    printf '%s\n' "$raw" | jq -S 'del(.. | .elapsedMillis?)' > "$out/$name.json"
    echo "exit $rc" >> "$out/$name.json"
}

for w in "${workloads[@]}"; do
    name=$(basename "$w")
    run "$name" --workload "$w"
    run "$name.bugs" --workload "$w" --bugs all
    echo "behaviour-snapshot: $name" >&2
done
