# Tier: memory and size limits (issue 7.3).  Each case runs in a fresh
# session with parallel query off (so that the backend measured does all the
# work) while this script samples the backend's /proc/<pid>/status every
# 20 ms: the peak of RssAnon (private memory; VmHWM also counts the shared
# buffers the backend touched) is printed, with VmHWM.  A case passes when it
# ends as expected — success, or a clean error with the expected SQLSTATE
# (54000 where a size limit is hit, 22003 for counts that would overflow) —
# its peak private memory stays under its bound (which catches per-row leaks
# in constant-memory aggregates: 5M rows x 16 bytes is 80 MB), and no backend
# was killed (sentinel and log).
#
# LIMITS_BIG=1 adds the slow cases: 20M distinct users in one activity
# summary and a summary built towards 1 GB (LIMITS_HUGE_USERS, default 80M
# users), which must end in a result or a clean 54000, never an OOM kill.
cd "$(dirname "$0")/../.."
source test/reliability_lib.sh
db=kpi_limits
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
rel_create_db $db || { echo "not ok - limits: create database $db"; exit 0; }
export PGDATABASE=$db
has() { [ "$(psql -XAtq -c "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = '$1')")" = t ]; }
rel_log_mark
rel_sentinel_start

# limit_case NAME EXPECT MAX_MB SQL
#   EXPECT: 00000 (success) or the SQLSTATE the query must fail with.
#   MAX_MB: bound on the backend's peak private memory (RssAnon, sampled
#   every 20 ms from /proc while the query runs), or empty.
limit_case() {
    local name=$1 expect=$2 bound=$3 sql=$4 app="kpi_limits_$$_$RANDOM" out state pid job
    local t0 t1 anon peak_anon=0 hwm=0 line
    out=$(mktemp)
    t0=$(rel_now_ms)
    PGAPPNAME=$app psql -XAtq >"$out" 2>&1 <<SQL &
SET max_parallel_workers_per_gather = 0;
SELECT pg_sleep(0.3);   -- time to find the backend's pid
$sql;
\echo state=:SQLSTATE
SQL
    job=$!
    pid=""
    for _ in $(seq 1 100); do
        pid=$(psql -XAtq -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'")
        [ -n "$pid" ] && break
        kill -0 $job 2>/dev/null || break
        sleep 0.05
    done
    while kill -0 $job 2>/dev/null; do
        if [ -n "$pid" ] && [ -r /proc/$pid/status ]; then
            anon=$(awk '/^RssAnon:/ {print $2}' /proc/$pid/status 2>/dev/null)
            line=$(awk '/^VmHWM:/ {print $2}' /proc/$pid/status 2>/dev/null)
            [ -n "$anon" ] && [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
            [ -n "$line" ] && hwm=$line
        fi
        sleep 0.02
    done
    wait $job
    t1=$(rel_now_ms)
    state=$(sed -n 's/^state=//p' "$out")
    local what="peak private memory $((peak_anon / 1024)) MB (VmHWM $((hwm / 1024)) MB), $(( (t1 - t0) / 1000 )) s"
    [ "$peak_anon" -eq 0 ] && what="memory not measured (backend not readable in /proc here), $(( (t1 - t0) / 1000 )) s"
    if [ "$state" != "$expect" ]; then
        echo "not ok - limits: $name: SQLSTATE ${state:-none}, expected $expect: $(grep -m1 -E 'ERROR|FATAL|server' "$out") ($what)"
    elif [ -n "$bound" ] && [ "$peak_anon" -gt $((bound * 1024)) ]; then
        echo "not ok - limits: $name: peak private memory $((peak_anon / 1024)) MB, more than $bound MB ($what)"
    else
        echo "ok - limits: $name: $( [ "$expect" = 00000 ] && echo "completes" || echo "clean $expect error"), $what"
    fi
    grep -E '^[0-9-]' "$out" | head -3 | sed 's/^/#   result: /'
    rm -f "$out"
}

# Constant-memory one-step aggregates over 5M rows: a leak of even 16 bytes
# per row would add 80 MB.
limit_case "rate/nps/quality/lift over 5M rows in constant memory" 00000 64 \
  "SELECT rate(i % 3 = 0), nps((i % 11)::int), quality_score((i % 10) / 10.0, 0.5, 0.5, 0.5), lift(i % 3 = 0, i % 2 = 0)
   FROM (SELECT generate_series(1, 5000000) i) gs"
limit_case "revenue aggregates over 3M rows in constant memory" 00000 64 \
  "SELECT mrr(i % 100, CASE WHEN i % 2 = 0 THEN interval '1 month' ELSE interval '1 year' END),
          ltv_cac_ratio(i % 100, i % 7 + 1), net_revenue_retention(i % 50 + 1, i % 60), gross_revenue_retention(i % 50 + 1, i % 60)
   FROM (SELECT generate_series(1, 3000000) i) gs"
limit_case "weighted_score at 64 dimensions over 1M rows" 00000 64 \
  "SELECT weighted_score(array_fill((i % 10) / 10.0::float8, ARRAY[64]), array_fill(1.0::float8 / 64, ARRAY[64]))
   FROM (SELECT generate_series(1, 1000000) i) gs"
limit_case "weighted_score at 65 dimensions" 54000 "" \
  "SELECT weighted_score(array_fill(0.5::float8, ARRAY[65]), array_fill(1.0::float8 / 65, ARRAY[65]))"
limit_case "moving window frames (nps, rate, quality, mrr) over 1M rows" 00000 200 \
  "SELECT count(a), sum(b), sum(c), sum(d) FROM (SELECT nps((i % 11)::int) OVER w a, rate(i % 2 = 0) OVER w b, quality_score(0.5, 0.5, 0.5, (i % 3) / 3.0) OVER w c,
          mrr(i % 100, interval '1 month') OVER w d FROM (SELECT generate_series(1, 1000000) i) gs WINDOW w AS (ORDER BY i ROWS 9999 PRECEDING)) q"
# Many groups: the hash aggregate spills past work_mem (64 MB x hash_mem_multiplier) instead of growing.
limit_case "1M groups of rate/nps/quality summaries (hash aggregate spills)" 00000 600 \
  "SELECT count(*), sum(trials(r)), sum(responses(n)), sum(responses(q)) FROM (SELECT i % 1000000 AS g, rate_agg(i % 3 = 0) r, nps_agg((i % 11)::int) n,
          quality_agg(0.5, 0.5, 0.5, 0.5) q FROM (SELECT generate_series(1, 3000000) i) gs GROUP BY 1) s"
limit_case "1M groups of 64-dimension score summaries (hash aggregate spills)" 00000 600 \
  "SELECT count(*), sum(responses(w)) FROM (SELECT i % 1000000, weighted_score_agg(array_fill(0.5::float8, ARRAY[64]), array_fill(1.0::float8 / 64, ARRAY[64])) w
   FROM (SELECT generate_series(1, 2000000) i) gs GROUP BY 1) s"
limit_case "mrr with 20,000 distinct billing periods" 00000 200 \
  "SELECT mrr(1, i * interval '1 minute') IS NOT NULL FROM (SELECT generate_series(1, 20000) i) gs"
# Giant counts: adding past 2^63-1 is a clean 22003, never a wrap-around.
limit_case "rollup of rate summaries past 2^63 trials" 22003 "" \
  "SELECT rollup(s) FROM (VALUES ('(successes=9223372036854775807,trials=9223372036854775807)'::rate_summary), ('(successes=1,trials=1)')) v(s)"
limit_case "rollup of NPS summaries past 2^63 responses" 22003 "" \
  "SELECT rollup(s) FROM (VALUES ('(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=9223372036854775807)'::nps_summary), ('(0=1,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)')) v(s)"
limit_case "rollup of score summaries past 2^63 responses" 22003 "" \
  "SELECT rollup(s) FROM (VALUES ('(responses=9223372036854775807,sum=1,sum_frac=0,weights={1})'::score_summary), ('(responses=1,sum=0,sum_frac=0,weights={1})')) v(s)"
limit_case "lift counts past 2^63" 22003 "" \
  "SELECT lift_combine('{9223372036854775807,0,1,1}', '{1,0,1,1}')"
limit_case "summaries with giant counts stay exact in accessors" 00000 "" \
  "SELECT rate('(successes=9223372036854775806,trials=9223372036854775807)'::rate_summary),
          ci_lower('(successes=9223372036854775806,trials=9223372036854775807)'::rate_summary),
          nps('(0=4611686018427387903,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=4611686018427387903)'::nps_summary),
          quality_score('(responses=9223372036854775807,sum=4611686018427387903,sum_frac=0,weights={1})'::score_summary)"

if has latency_agg; then
    limit_case "latency sketch at the 4096-bucket cap (values from 1e-300 to 1e300)" 00000 64 \
      "SELECT num_values(s), pg_column_size(s), percentile(s, 0.99) FROM (SELECT latency_agg(exp(x / 100.0)) s FROM generate_series(-69000, 69000, 5) x) q"
    limit_case "latency sketch at the cap with the finest accuracy (0.0001)" 00000 64 \
      "SELECT num_values(s), pg_column_size(s), percentile(s, 0.5) FROM (SELECT latency_agg(exp(x / 1000.0), 0.0001) s FROM generate_series(-690000, 690000, 70) x) q"
    limit_case "rollup of 1,000 sketches into one at the bucket cap" 00000 128 \
      "SELECT num_values(r), pg_column_size(r), percentile(r, 0.99) FROM (SELECT rollup(s) r FROM (SELECT latency_agg(exp(((x * 7919) % 138000 - 69000) / 100.0)) s
       FROM (SELECT generate_series(1, 200000)::bigint x) gs GROUP BY x % 1000) q) q2"
    limit_case "rolling P95 over 1M rows (frame of 10,000)" 00000 200 \
      "SELECT count(p), sum(p) FROM (SELECT percentile_latency((i * 7919 % 1000) / 10.0, 0.95) OVER (ORDER BY i ROWS 9999 PRECEDING) p FROM (SELECT generate_series(1, 1000000)::bigint i) gs) q"
else
    echo "# limits: latency cases skipped (latency_agg not installed)"
fi

if has activity_agg; then
    limit_case "activity summary over 2M distinct users" 00000 "" \
      "SELECT active_users(s), pg_column_size(s), round(pg_column_size(s)::numeric / active_users(s), 1) AS bytes_per_user, dau_mau(s)
       FROM (SELECT activity_agg(i::bigint, date '2026-01-01' + i % 90) s FROM generate_series(1, 2000000) i) q"
    limit_case "retention table over 500k users and 365 days" 00000 "" \
      "SELECT count(*) FROM retention((SELECT activity_agg(i % 500000, date '2025-01-01' + (i * 7) % 365) FROM generate_series(1, 2000000) i), 'day', 365)"
    # rollup() of 5 users active on 2026-01-15 and on the last representable
    # day: in 1.0 each user's bitmap took 268 MB (a clean 54000); since issue
    # 11 a user costs bytes per active day, not per day of its span.
    limit_case "rollup of users spanning 5.8 million years costs bytes, not 1 GB" 00000 64 \
      "SELECT pg_column_size(rollup(s)) FROM (SELECT activity_agg(u::bigint, date '2026-01-15') s FROM generate_series(1, 5) u
       UNION ALL SELECT activity_agg(u::bigint, date '5874897-12-31') FROM generate_series(1, 5) u) q"
    if [ "${LIMITS_BIG:-0}" = 1 ]; then
        limit_case "activity summary over 20M distinct users" 00000 "" \
          "SELECT active_users(s), pg_column_size(s) FROM (SELECT activity_agg(i::bigint, date '2026-01-01' + i % 30) s FROM generate_series(1, 20000000) i) q"
        # Towards 1 GB: must end with a result or a clean 54000, never an OOM kill.
        huge=${LIMITS_HUGE_USERS:-80000000}
        limit_case "activity summary over $huge users (towards 1 GB)" "${LIMITS_HUGE_EXPECT:-54000}" "" \
          "SELECT active_users(s), pg_column_size(s) FROM (SELECT activity_agg(i::bigint, date '2000-01-01' + i % 9000) s FROM generate_series(1, $huge) i) q"
    fi
else
    echo "# limits: activity cases skipped (activity_agg not installed)"
fi

rel_sentinel_check "limits"
rel_log_check "limits"
rel_sentinel_stop
rel_drop_db $db
exit 0
