# Tier: mutation fuzzing of every summary type's text and binary input
# (test/fuzz.sql).  FUZZ_ITERATIONS mutants per type and form (default 10000).
# Each mutant is accepted (and round-trips) or rejected with 22P02/22P03/
# 22003/22023/54000; afterwards the server must still answer.  Every base
# type the extension creates must have samples below (checked from the
# catalog), so a new summary type cannot go unfuzzed; entries for types the
# installed extension lacks are skipped.
cd "$(dirname "$0")/../.."
source test/reliability_lib.sh
iterations=${FUZZ_ITERATIONS:-10000}
# Rejected mutants are errors by the thousand: keep them out of the server log.
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning -c log_min_messages=fatal -c log_min_error_statement=panic"
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS kpi_fuzz" -c "CREATE DATABASE kpi_fuzz" >/dev/null || exit 1
export PGDATABASE=kpi_fuzz
psql -XAtq -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_kpi" -f test/fuzz.sql >/dev/null || exit 1
rel_log_mark
rel_sentinel_start   # a crash restart would kill this idle backend

# type | SQL returning an array of valid sample summaries (text)
samples=(
  "rate_summary|SELECT ARRAY['(successes=0,trials=0)', '(successes=3,trials=10)', rate_agg(i % 3 = 0)::text] FROM generate_series(1, 1000) i"
  "nps_summary|SELECT ARRAY[nps_agg(i % 11)::text, nps_agg(10)::text] FROM generate_series(1, 999) i"
  "score_summary|SELECT ARRAY[quality_agg(0.3, 0.9, 0.5, 1)::text, weighted_score_agg(ARRAY[0.25, 0.5, 1], ARRAY[0.2, 0.3, 0.5])::text, '(responses=0,sum=0,sum_frac=0,weights={})'] FROM generate_series(1, 5)"
  "latency_sketch|SELECT ARRAY[(SELECT latency_agg(x / 10.0)::text FROM generate_series(1, 2000) x), (SELECT latency_agg(x, 0.05)::text FROM generate_series(0, 50) x), (SELECT latency_agg(1.5)::text)]"
  "user_activity|SELECT ARRAY[(SELECT activity_agg(u, date '2026-01-01' + (u * 7 + d) % 90)::text FROM generate_series(1, 40) u, generate_series(0, 3) d), (SELECT activity_agg(md5(u::text), date '2026-03-01' + u % 5)::text FROM generate_series(1, 10) u), (SELECT activity_agg(7::bigint, date '2026-01-01')::text)]"
  "uptime_summary|SELECT ARRAY[(SELECT uptime_agg(timestamptz '2026-01-01 00:00+00' + i * interval '61.5 seconds', i % 7 <> 3)::text FROM generate_series(1, 60) i), (SELECT heartbeat_agg(timestamptz '2026-01-01 00:00+00' + i * interval '50 seconds', interval '1 minute')::text FROM generate_series(1, 40) i WHERE i % 9 <> 4), '(kind=probes,pieces={raw[2026-01-01T00:00:00Z up,2026-01-01T00:01:00Z up],[2026-01-01T00:05:00.5Z down,2026-01-01T00:06:00Z down]})']"
  "mrr_bridge|SELECT ARRAY[(SELECT mrr_bridge_agg((ARRAY['new', 'expansion', 'contraction', 'churn', 'reactivation', 'flat'])[1 + i % 6], CASE WHEN i % 6 IN (2, 3) THEN -i * 1.25 WHEN i % 6 = 5 THEN 0 ELSE i * 1.25 END)::text FROM generate_series(1, 60) i), '(new=1:10.50,expansion=0:0,contraction=0:0,churn=2:40,reactivation=0:0,flat=3:0)']"
  "state_summary|SELECT ARRAY[(SELECT state_agg(timestamptz '2026-01-01 00:00+00' + i * interval '7 minutes', (ARRAY['open', 'pending', 'a\"b', 'resolved'])[1 + i % 4])::text FROM generate_series(1, 40) i), '(states={\"closed\",\"open\"},pieces={raw[2026-01-01T00:00:00Z 1,2026-01-01T01:00:00Z 1],[2026-01-02T00:00:00Z 0]})']"
  "mean_summary|SELECT ARRAY[(SELECT mean_agg((i - 500) / 7.0)::text FROM generate_series(1, 1000) i), (SELECT mean_agg(x)::text FROM unnest(ARRAY[-4.6e18, 4.6e18, 1e-300, 0.1, -0.1]::float8[]) x), (SELECT mean_agg(2.5)::text), '(count=0,min=0,max=0,sum=0x0,sum_sq=0x0)']"
)
# Every base type of the extension needs samples.
covered=" $(printf '%s\n' "${samples[@]}" | cut -d'|' -f1 | tr '\n' ' ') "
for t in $(psql -XAtq -c "SELECT t.typname FROM pg_type t JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e' JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi' WHERE t.typtype = 'b' ORDER BY 1"); do
    case "$covered" in *" $t "*) ;; *) echo "not ok - fuzz: no samples for type $t (add them to test/tiers/fuzz_summaries.sh)" ;; esac
done
for entry in "${samples[@]}"; do
    typ=${entry%%|*}
    query=${entry#*|}
    if [ "$(psql -XAtq -c "SELECT to_regtype('$typ') IS NOT NULL")" != t ]; then
        continue   # that family is not installed
    fi
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
rel_sentinel_check "fuzz: after fuzzing"
rel_log_check "fuzz"
rel_sentinel_stop
