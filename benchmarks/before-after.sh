#!/usr/bin/env bash
# before-after.sh BEFORE_JAR [JMH options...]: HookCostBenchmark of two trees in one JMH run, so that a
# change of structure can show the native hot path did not slow down (ratios from one run).
#
# BEFORE_JAR is benchmarks/target/benchmarks.jar built from the tree before the change, e.g.
#   git worktree add --detach /tmp/base main && (cd /tmp/base && mvn -B -q -pl benchmarks -am package -DskipTests)
#   benchmarks/before-after.sh /tmp/base/benchmarks/target/benchmarks.jar -f 2 -wi 3 -w 1 -i 5 -r 1 -rf json -rff /tmp/ab.json
#
# This tree's benchmarks jar runs JMH. Its benchmark list gains a copy of every HookCostBenchmark
# entry named before.HookCostBenchmark whose forks carry -Dab.side=before; JMH starts every fork
# through a small launcher that gives those forks BEFORE_JAR as their class path. Both sides run the
# same benchmark code (method names and fork options unchanged) against their own tree's model.
set -euo pipefail
before=$(cd "$(dirname "${1:?usage: before-after.sh BEFORE_JAR [JMH options...]}")" && pwd)/$(basename "$1")
shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
after=$root/benchmarks/target/benchmarks.jar
[[ -f $before ]] || { echo "before-after: no jar at $before" >&2; exit 2; }
[[ -f $after ]] || { echo "before-after: build this tree's benchmarks first (mvn -pl benchmarks -am package -DskipTests)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/list/META-INF"
unzip -p "$after" META-INF/BenchmarkList | grep -F ' S 31 io.pvmm.bench.HookCostBenchmark ' \
    | sed -E -e 's/S 31 io\.pvmm\.bench\.HookCostBenchmark /S 24 before.HookCostBenchmark /' \
        -e 's/ L 1 21 -Dpvmm\.paravirt=false E U / L 2 21 -Dpvmm.paravirt=false 16 -Dab.side=before E U /' \
        -e 's/( I 1 [0-9]+ E E E E )E( E U )/\1L 1 16 -Dab.side=before\2/' >"$work/list/META-INF/BenchmarkList"
[[ $(grep -c -- '-Dab.side=before' "$work/list/META-INF/BenchmarkList") -eq $(grep -c . "$work/list/META-INF/BenchmarkList") ]] \
    || { echo "before-after: the benchmark list's format is not the one this script knows" >&2; exit 2; }
(cd "$work/list" && jar cf "$work/list.jar" .)

cat >"$work/java" <<'EOF'
#!/usr/bin/env bash
args=("$@")
for a in "${args[@]}"; do
    if [[ $a == -Dab.side=before ]]; then
        for i in "${!args[@]}"; do
            [[ ${args[$i]} == -cp ]] && args[$((i + 1))]=$AB_BEFORE_JAR
        done
        break
    fi
done
exec java "${args[@]}"
EOF
chmod +x "$work/java"

AB_BEFORE_JAR=$before java -cp "$work/list.jar:$after" org.openjdk.jmh.Main -jvm "$work/java" \
    -jvmArgsPrepend "-Xms2g -Xmx2g -XX:+UseParallelGC" "$@" 'HookCostBenchmark\.'
