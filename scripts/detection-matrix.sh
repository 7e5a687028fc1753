#!/usr/bin/env bash
# detection-matrix.sh [REPO]: prints the bug-detection matrix as docs/detection-matrix.md shows it, in
# Markdown, from the runs of
#
#   pvmm compare --backends all --workload fork-exit --bugs all --mode both --format json
#
# (the JSON's "matrix" rows, which io.pvmm.guest.run.DetectionMatrix builds; rule ids in code spans,
# as DetectionMatrix.markdown() writes them). Paste its output over the page's table when a backend
# changes what it catches; DetectionMatrixTest and .ci/run check that the page and the runs agree.
# REPO defaults to the repository holding this script; its ./pvmm builds that tree on first use.
set -euo pipefail
repo=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
command -v jq >/dev/null 2>&1 || { echo "detection-matrix: jq not found" >&2; exit 2; }
rc=0
json=$(cd "$repo" && ./pvmm compare --backends all --workload fork-exit --bugs all --mode both --format json -q) || rc=$?
if [[ $rc -ne 0 && $rc -ne 4 ]]; then
    echo "detection-matrix: pvmm compare exited $rc" >&2
    exit "$rc"
fi
printf '%s\n' "$json" | jq -r '.matrix | .[0] as $h
    | ("| " + ($h | join(" | ")) + " |"),
      ("|" + ("---|" * ($h | length))),
      (.[1:][] | "| " + (([.[0], .[1]] + (.[2:] | map(if . == "-" or . == "" then . else "`" + . + "`" end))) | join(" | ")) + " |")'
