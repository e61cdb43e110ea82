# Section: product analytics — retention() with each option and lifecycle()
# over a stored summary of BENCH_ROWS/10 users (1M in the full run), beside the
# 1.0 retention() (its C function, still exported) and the plain-SQL weekly
# cohort query over the same (user, day) rows.  Target: each within 2x the
# 1.0 retention().
bench_section "Product analytics over a stored summary (ratio to 1.0 retention() and to plain SQL)"

an_users=$(( BENCH_ROWS / 10 ))
psql -XAtq -v ON_ERROR_STOP=1 \
    -c "DROP TABLE IF EXISTS bench_an_pairs, bench_an" \
    -c "CREATE TABLE bench_an_pairs AS
        SELECT u::bigint AS user_id, date '2026-01-01' + (abs(hashint4(u)) % 150) + k * (1 + abs(hashint4(u + k)) % 9) AS day
        FROM generate_series(1, $an_users) u, generate_series(0, 9) k" \
    -c "CREATE TABLE bench_an AS SELECT activity_agg(user_id, day) AS s FROM bench_an_pairs" \
    -c "CREATE FUNCTION bench_retention_10(user_activity, text, integer, text)
            RETURNS TABLE(cohort date, cohort_size bigint, period integer, retained bigint, rate float8)
            AS '\$libdir/pg_kpi', 'activity_retention' LANGUAGE C STABLE STRICT" >/dev/null || return 1
echo "  stored summary: $(psql -XAtq -c "SELECT active_users(s) || ' users, ' || pg_size_pretty(pg_column_size(s)::bigint) FROM bench_an")"

ms_10=$(bench_ms "SELECT count(*) FROM bench_an, bench_retention_10(s, 'week', 12, 'on') r")
bench_row "1.0 retention(s, 'week', 12)" "$ms_10"
an_sql_ret="WITH fu AS (SELECT user_id, min(day) AS first FROM bench_an_pairs GROUP BY 1),
     lastday AS (SELECT max(day) AS l FROM bench_an_pairs),
     sizes AS (SELECT date_trunc('week', first)::date AS cohort, count(*) AS size FROM fu GROUP BY 1),
     act AS (SELECT DISTINCT p.user_id, date_trunc('week', fu.first)::date AS cohort,
                    (date_trunc('week', p.day)::date - date_trunc('week', fu.first)::date) / 7 AS period
             FROM bench_an_pairs p JOIN fu USING (user_id))
SELECT a.cohort, s.size, a.period, count(*), count(*)::float8 / s.size
FROM act a JOIN sizes s USING (cohort), lastday
WHERE a.period <= 12 AND a.cohort + (a.period + 1) * 7 - 1 <= lastday.l
GROUP BY a.cohort, s.size, a.period"
ms_sql=$(bench_ms "SELECT count(*) FROM ($an_sql_ret) q")
bench_row "weekly retention, plain-SQL cohort query" "$ms_sql" "1.0=$ms_10"

an_case() {   # an_case LABEL SQL-call-args
    local ms
    ms=$(bench_ms "SELECT count(*) FROM bench_an, $2 r")
    bench_row "$1" "$ms" "1.0=$ms_10" "sql=$ms_sql"
}
an_case "retention(s) (defaults = 1.0)" "retention(s, 'week', 12)"
an_case "retention(..., mode => 'on_or_after')" "retention(s, 'week', 12, mode => 'on_or_after')"
an_case "retention(..., cohort => 'recurring')" "retention(s, 'week', 12, cohort => 'recurring')"
an_case "retention(..., week_start => 'sunday')" "retention(s, 'week', 12, week_start => 'sunday')"
an_case "retention(..., calendar => false)" "retention(s, 'week', 12, calendar => false)"
an_case "retention(..., brackets => {1,7,14,30,60,90})" "retention(s, 'week', brackets => '{1,7,14,30,60,90}')"
an_case "retention(..., as_of, include_incomplete)" "retention(s, 'week', 12, as_of => '2026-04-15', include_incomplete => true)"
an_case "retention(recurring, rolling, on_or_after)" "retention(s, 'week', 12, 'on_or_after', 'recurring', calendar => false)"
an_case "lifecycle(s, 'week')" "lifecycle(s, 'week')"
an_case "activity_frequency(s, 'month')" "activity_frequency(s, 'month')"
bench_check "retention(s) equals the 1.0 retention() on its non-empty cohorts" \
    "(SELECT count(*) FROM (SELECT r.cohort, r.cohort_size, r.period, r.retained, r.rate FROM bench_an, retention(s) r WHERE r.cohort_size > 0
                            EXCEPT ALL SELECT r.* FROM bench_an, bench_retention_10(s, 'week', 12, 'on') r) x) = 0
     AND (SELECT count(*) FROM (SELECT r.* FROM bench_an, bench_retention_10(s, 'week', 12, 'on') r
                                EXCEPT ALL SELECT r.cohort, r.cohort_size, r.period, r.retained, r.rate FROM bench_an, retention(s) r) x) = 0"
psql -XAtq -c "DROP TABLE bench_an_pairs, bench_an" -c "DROP FUNCTION bench_retention_10(user_activity, text, integer, text)" >/dev/null || true
