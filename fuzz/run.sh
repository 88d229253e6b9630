#!/usr/bin/env bash
# Run the atheris target for a set time with ONE worker (no -fork/-jobs).
#
#   fuzz/run.sh DURATION_SECONDS [extra libFuzzer flags]
#   FUZZ_SKIP_KNOWN=1 fuzz/run.sh 1800    # go on past the open findings listed in KNOWN
#   FUZZ_IDEMPOTENCY=converge ...         # only require that normalise converges (fuzz_article.py)
#
# The seed corpus (fuzz/corpus/) is copied into the working corpus fuzz/corpus-work/ (kept
# between runs, git-ignored), so a restart goes on from what earlier runs found. Crash, timeout
# and OOM inputs land in fuzz/artifacts/; the full log in fuzz/logs/.
set -u
if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 DURATION_SECONDS [libFuzzer flags...]" >&2
    exit 2
fi
duration=$1
shift
cd "$(dirname "$0")/.."
python=${PYTHON:-python}
# The pure-Python modules: atheris instruments Python bytecode, and a compiled (mypyc) build's
# extension modules are invisible to it. With a fresh build the runs reported ~150 edges
# (2026-12-07: two runs of 2,400 s and 1,500 s); pure, ~3,400.
export CONVERTER_PURE_PYTHON=${CONVERTER_PURE_PYTHON:-1}
mkdir -p fuzz/corpus-work fuzz/artifacts fuzz/logs
cp -n fuzz/corpus/* fuzz/corpus-work/ 2>/dev/null || true
log=fuzz/logs/run-$(date +%Y%m%d-%H%M%S).log
echo "fuzzing for ${duration}s (CONVERTER_PURE_PYTHON=$CONVERTER_PURE_PYTHON FUZZ_SKIP_KNOWN=${FUZZ_SKIP_KNOWN:-0}" \
    "FUZZ_IDEMPOTENCY=${FUZZ_IDEMPOTENCY:-strict}); log: $log"
start=$(date +%s)
"$python" fuzz/fuzz_article.py fuzz/corpus-work \
    -max_total_time="$duration" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=fuzz/artifacts/ -print_final_stats=1 "$@" >"$log" 2>&1
status=$?
elapsed=$(( $(date +%s) - start ))
echo "exit status: $status after ${elapsed}s"
echo "last stats line:"
grep -E '^#[0-9]+' "$log" | tail -n 1
grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log"
echo "corpus-work: $(ls fuzz/corpus-work | wc -l) files"
n=$(grep -cE '^artifact_prefix=.*Test unit written to' "$log")
echo "crashes in this run: $n"
grep -E 'Test unit written to' "$log" | sed 's/.*Test unit written to /  artifact: /'
if [ "$n" -gt 0 ]; then
    echo "first error:"
    grep -m1 -A4 -E '=== Uncaught Python exception|ERROR: libFuzzer' "$log" | cut -c1-300 | sed 's/^/  /'
fi
exit $status
