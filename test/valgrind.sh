#!/usr/bin/env bash
# test/valgrind.sh — run the pg_regress suite against a throwaway cluster whose
# server runs under valgrind memcheck (--leak-check=no: memory errors only,
# with test/valgrind.supp for the stock server's known false positives).
# Prints the number of valgrind error reports; exits non-zero if there are any
# or if a regress test fails.  Slow (minutes): not part of test/run_tests.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
source test/lib.sh
kpi_install_deps valgrind || exit 1
kpi_build_install || exit 1
trap kpi_cluster_stop_all EXIT
KPI_VALGRIND=1 kpi_start_main_cluster "max_parallel_workers_per_gather = 2" || exit 1
make -s installcheck KPI_THROWAWAY=1
status=$?
sleep 2
# Keep every report; a report counts against pg_kpi when one of its frames is in
# pg_kpi (a src/*.c line, or pg_kpi.so).  Reports entirely inside the stock server or the dynamic loader
# (whose binaries carry no symbols here) are listed separately.
report=${VALGRIND_REPORT:-valgrind-report.txt}
# Frames in any of our C files, e.g. "(latency_io.c:123)".
ours_re="\\(($(cd src && ls *.c | sed 's/[.]c$//' | paste -sd'|'))\\.c:[0-9]+\\)|pg_kpi\\.so"
cat "$KPI_MAIN_DIR"/valgrind.*.log > "$report" 2>/dev/null
ours=$(awk -v re="$ours_re" '/VALGRINDERROR-BEGIN/ { inrep = 1; hit = 0; next }
            /VALGRINDERROR-END/   { if (hit) n++; inrep = 0; next }
            inrep && $0 ~ re { hit = 1 }
            END { print n + 0 }' "$report")
total=$(grep -c 'VALGRINDERROR-BEGIN' "$report")
if [ "$ours" -gt 0 ]; then
    awk -v re="$ours_re" '/VALGRINDERROR-BEGIN/ { buf = ""; inrep = 1; hit = 0; next }
         /VALGRINDERROR-END/   { if (hit) print buf; inrep = 0; next }
         inrep { buf = buf "\n" $0; if ($0 ~ re) hit = 1 }' "$report" | head -300
fi
echo "valgrind: $ours error reports in pg_kpi, $((total - ours)) outside it (server/loader; see $report); regress exit status $status"
[ "$ours" -eq 0 ] && [ $status -eq 0 ]
