#!/usr/bin/env bash
# Runs the JMH benchmarks, the heap footprint and the start-up measurement, then writes the report.
#
#   benchmarks/run.sh quick   every benchmark, 2 forks, short iterations (about ten minutes)
#   benchmarks/run.sh full    every benchmark as its annotations set it: 2 forks of 5 x 1 s warm-up
#                             and 10 x 1 s measurement, 5 forks for the hook-cost pairs (about 40 minutes)
#   benchmarks/run.sh full --docs   the same, then docs/performance.md shows this run's results
#
# Results go to benchmarks/results/<profile>/: jmh.json (JMH), footprint.json, startup.json,
# machine.txt, and the report made from them: summary.md, ratios.svg, slopes.svg.
# Extra arguments go to JMH, e.g. `run.sh quick GuestOps` to run only matching benchmarks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

profile=${1:-quick}
shift || true
docs=false
if [ "${1:-}" = --docs ]; then
    docs=true
    shift
fi
case $profile in
    quick) jmh_opts=(-f 2 -wi 3 -w 500ms -i 5 -r 500ms) ;;
    full)  jmh_opts=() ;;
    *) echo "usage: $0 quick|full [JMH benchmark regex...]" >&2; exit 2 ;;
esac
out=benchmarks/results/$profile
mkdir -p "$out"

echo "run.sh: building the benchmarks and the distribution"
mvn -B -q -ntp -pl benchmarks,cli -am package -DskipTests
jar=benchmarks/target/benchmarks.jar

{
    echo "nproc $(nproc)"
    echo "CPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "JDK $(java -version 2>&1 | head -1)"
    echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "profile $profile: JMH ${jmh_opts[*]:-as annotated (HookCost 5 forks, others 2; 5 x 1 s warm-up, 10 x 1 s measurement)}"
} >"$out/machine.txt"

eval "$(java -cp "$jar" io.pvmm.bench.guest.ListBackends | sed 's/^/discovered_/')"
echo "run.sh: backends ${discovered_backends}; audited ${discovered_audited:-none}"
params=(-p "backend=${discovered_backends}")
exclude=()
if [ -n "${discovered_audited:-}" ]; then
    params+=(-p "auditBackend=${discovered_audited}")
else
    exclude=(-e AuditSlopeBenchmark)
fi

echo "run.sh: JMH (${jmh_opts[*]:-as annotated})"
java -jar "$jar" ${jmh_opts[@]+"${jmh_opts[@]}"} "${params[@]}" ${exclude[@]+"${exclude[@]}"} \
    -jvmArgsPrepend "-Xms2g -Xmx2g -XX:+UseParallelGC" \
    -rf json -rff "$out/jmh.json" "$@" | tee "$out/jmh.log"

echo "run.sh: heap footprint"
java -XX:+UseSerialGC -Xmx4g -cp "$jar" io.pvmm.bench.memory.Footprint "$out/footprint.json" >/dev/null

echo "run.sh: start-up of pvmm backends"
pvmm=$(ls -d cli/target/pvmm-*/bin/pvmm | head -1)
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 3 --runs 30 --export-json "$out/startup.json" "$pvmm backends" >/dev/null
else
    # the same JSON shape as hyperfine's, from 30 timed runs
    times=()
    for _ in $(seq 30); do
        t0=$(date +%s%N); "$pvmm" backends >/dev/null; t1=$(date +%s%N)
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')")
    done
    median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    printf '{"results":[{"command":"%s","median":%s,"times":[%s]}]}\n' "$pvmm backends" "$median" \
        "$(IFS=,; echo "${times[*]}")" >"$out/startup.json"
fi

echo "run.sh: report"
if [ "$docs" = true ]; then
    java -cp "$jar" io.pvmm.bench.report.Charts "$out" docs/performance.md >/dev/null
    echo "run.sh: docs/performance.md now shows this run"
else
    java -cp "$jar" io.pvmm.bench.report.Charts "$out" >/dev/null
fi
echo "run.sh: done: $out/summary.md, $out/ratios.svg, $out/slopes.svg"
