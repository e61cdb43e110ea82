# Tier: the benchmark in quick mode (~100k rows), so it cannot rot.  Its
# accuracy/exactness checks count as tests; its times are only printed.
cd "$(dirname "$0")/../.."
out=$(bash test/bench/run.sh --quick 2>&1)
status=$?
echo "$out"
if [ $status -eq 0 ]; then echo "ok - benchmark quick run completes"; else echo "not ok - benchmark quick run exited with $status"; fi
