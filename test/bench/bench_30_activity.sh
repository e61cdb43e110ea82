# Section: user activity — dau_mau and weekly cohort retention beside count(*),
# the plain-SQL formulas they replace and (for dau_mau) the hll extension,
# plus exactness checks and the summary's size per user.
bench_section "User activity (ratio to count(*) and to the plain SQL)"

act_sql_dau_mau="WITH daily AS (SELECT date_trunc('day', ts) AS d, count(DISTINCT user_id) AS dau FROM events GROUP BY 1),
     d AS (SELECT min(date_trunc('day', ts))::date AS f, max(date_trunc('day', ts))::date AS l,
                  count(DISTINCT user_id) AS mau FROM events)
SELECT sum(dau)::float8 / (d.l - d.f + 1)::float8 / d.mau::float8 FROM daily, d GROUP BY d.f, d.l, d.mau"
ms_sql=$(bench_ms "$act_sql_dau_mau")
bench_row "dau_mau, plain SQL (count distinct)" "$ms_sql" "count=$BASE_COUNT"
ms_kpi=$(bench_ms "SELECT dau_mau(user_id, ts) FROM events")
bench_row "dau_mau(user_id, ts)" "$ms_kpi" "count=$BASE_COUNT" "sql=$ms_sql"
if psql -XAtq -c "CREATE EXTENSION IF NOT EXISTS hll" >/dev/null 2>&1; then
    act_hll="WITH daily AS (SELECT date_trunc('day', ts) AS d, hll_add_agg(hll_hash_bigint(user_id)) AS h FROM events GROUP BY 1)
SELECT sum(hll_cardinality(h)) / (extract(epoch FROM max(d) - min(d)) / 86400 + 1) / hll_cardinality(hll_union_agg(h)) FROM daily"
    ms_hll=$(bench_ms "$act_hll")
    bench_row "dau_mau via hll (approximate)" "$ms_hll" "count=$BASE_COUNT" "sql=$ms_sql"
    hll_err=$(psql -XAtq -c "SELECT round((100 * abs(($act_hll) / ($act_sql_dau_mau) - 1))::numeric, 2)")
    echo "  hll dau_mau relative error vs exact: ${hll_err}%"
else
    echo "  dau_mau via hll: skipped (extension hll not available)"
fi
bench_check "dau_mau(user_id, ts) equals the plain-SQL formula exactly" \
    "(SELECT dau_mau(user_id, ts) FROM events) = ($act_sql_dau_mau)"

act_sql_ret="WITH ua AS (SELECT user_id, date_trunc('day', ts)::date AS day FROM events GROUP BY 1, 2),
     fu AS (SELECT user_id, min(day) AS first FROM ua GROUP BY 1),
     lastday AS (SELECT max(day) AS l FROM ua),
     sizes AS (SELECT date_trunc('week', first)::date AS cohort, count(*) AS size FROM fu GROUP BY 1),
     act AS (SELECT DISTINCT ua.user_id, date_trunc('week', fu.first)::date AS cohort,
                    (date_trunc('week', ua.day)::date - date_trunc('week', fu.first)::date) / 7 AS period
             FROM ua JOIN fu USING (user_id))
SELECT a.cohort, s.size AS cohort_size, a.period, count(*) AS retained, count(*)::float8 / s.size::float8 AS rate
FROM act a JOIN sizes s USING (cohort), lastday
WHERE a.period <= 12 AND a.cohort + (a.period + 1) * 7 - 1 <= lastday.l
GROUP BY a.cohort, s.size, a.period"
ms_sql=$(bench_ms "SELECT count(*) FROM ($act_sql_ret) q")
bench_row "weekly retention, plain-SQL cohort query" "$ms_sql" "count=$BASE_COUNT"
ms_kpi=$(bench_ms "SELECT count(*) FROM retention((SELECT activity_agg(user_id, ts) FROM events), 'week', 12)")
bench_row "retention(activity_agg(...), 'week', 12)" "$ms_kpi" "count=$BASE_COUNT" "sql=$ms_sql"
ms_sum=$(bench_ms "SELECT activity_agg(user_id, ts) IS NOT NULL FROM events")
bench_row "activity_agg(user_id, ts) alone" "$ms_sum" "count=$BASE_COUNT"
psql -XAtq -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS bench_activity" -c "CREATE TABLE bench_activity AS SELECT activity_agg(user_id, ts) AS s FROM events" || true
ms_acc=$(bench_ms "SELECT count(*) FROM bench_activity, retention(s, 'week', 12)")
bench_row "retention(stored summary, 'week', 12)" "$ms_acc" "count=$BASE_COUNT" "sql=$ms_sql"
bench_check "retention(..., 'week', 12) equals the plain-SQL cohort query" \
    "(SELECT count(*) FROM (SELECT r.cohort, r.cohort_size, r.period, r.retained, r.rate FROM bench_activity, retention(s, 'week', 12) r WHERE r.retained > 0
                            EXCEPT ALL ($act_sql_ret)) x) = 0
     AND (SELECT count(*) FROM (($act_sql_ret) EXCEPT ALL SELECT r.cohort, r.cohort_size, r.period, r.retained, r.rate FROM bench_activity, retention(s, 'week', 12) r) x) = 0"
psql -XAtq -F ' ' -c "SELECT active_users(s), pg_column_size(s), round(pg_column_size(s)::numeric / active_users(s), 2),
                             round(activity_memory_bytes(s) / 1048576.0, 1),
                             round(activity_memory_bytes(s)::numeric / active_users(s), 1)
                      FROM bench_activity" |
    while read -r users bytes per_user mem_mb mem_per_user; do
        echo "  summary: $users users, $bytes bytes on disk = $per_user bytes/user; in memory ${mem_mb} MB = $mem_per_user bytes/user"
    done
psql -XAtq -c "DROP TABLE bench_activity" || true
