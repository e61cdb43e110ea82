# Tier: mutation fuzzing of every summary type's text and binary input
# (test/fuzz.sql).  FUZZ_ITERATIONS mutants per type and form (default 10000).
# Each mutant is accepted (and round-trips) or rejected with 22P02/22P03/
# 22003/22023/54000; afterwards the server must still answer.
cd "$(dirname "$0")/../.."
iterations=${FUZZ_ITERATIONS:-10000}
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS kpi_fuzz" -c "CREATE DATABASE kpi_fuzz" >/dev/null || exit 1
export PGDATABASE=kpi_fuzz
psql -XAtq -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_kpi" -f test/fuzz.sql >/dev/null || exit 1

# type | SQL returning an array of valid sample summaries (text)
samples=(
  "rate_summary|SELECT ARRAY['(successes=0,trials=0)', '(successes=3,trials=10)', rate_agg(i % 3 = 0)::text] FROM generate_series(1, 1000) i"
  "nps_summary|SELECT ARRAY[nps_agg(i % 11)::text, nps_agg(10)::text] FROM generate_series(1, 999) i"
  "score_summary|SELECT ARRAY[quality_agg(0.3, 0.9, 0.5, 1)::text, weighted_score_agg(ARRAY[0.25, 0.5, 1], ARRAY[0.2, 0.3, 0.5])::text, '(responses=0,sum=0,sum_frac=0,weights={})'] FROM generate_series(1, 5)"
)
for entry in "${samples[@]}"; do
    typ=${entry%%|*}
    query=${entry#*|}
    start=$(date +%s)
    result=$(psql -XAtq -F '|' -c "SELECT setseed(0.5)" \
        -c "SELECT form, tried, accepted, rejected, unexpected FROM kpi_fuzz.fuzz('$typ', ($query), $iterations)" 2>&1 | tail -n 2)
    while IFS='|' read -r form tried accepted rejected unexpected; do
        if [ -n "$form" ] && [ "$tried" = "$iterations" ] && [ -z "$unexpected" ]; then
            echo "ok - fuzz $typ $form input: $tried mutants, $accepted accepted, $rejected rejected ($(( $(date +%s) - start )) s)"
        else
            echo "not ok - fuzz $typ ${form:-?} input: ${unexpected:-$result}" | cut -c1-2000
        fi
    done <<< "$result"
done
if psql -XAtq -c "SELECT 1" >/dev/null 2>&1; then echo "ok - server still up after fuzzing"; else echo "not ok - server down after fuzzing"; fi
