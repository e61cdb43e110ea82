# Section: rates, NPS and quality score beside count(*) and the hand-written SQL.
bench_section "Rates, NPS, quality (ratio to count(*) and to the hand-written SQL)"

# count(completed) reads the same column as rate(completed): the floor for any
# aggregate of that column (count(*) does not even deform the rows).
ms_col=$(bench_ms "SELECT count(completed) FROM events")
bench_row "count(completed) (column floor)" "$ms_col" "count=$BASE_COUNT"
ms_sql=$(bench_ms "SELECT avg(completed::int) FROM events")
ms_kpi=$(bench_ms "SELECT rate(completed) FROM events")
bench_row "avg(completed::int)" "$ms_sql" "count=$BASE_COUNT"
bench_row "rate(completed)" "$ms_kpi" "count=$BASE_COUNT" "sql=$ms_sql" "col=$ms_col"
ms_kpi=$(bench_ms "SELECT rate_agg(completed) FROM events")
bench_row "rate_agg(completed)" "$ms_kpi" "count=$BASE_COUNT" "sql=$ms_sql"
bench_check "rate(completed) equals avg(completed::int)" \
    "(SELECT rate(completed) = avg(completed::int)::float8 FROM events)"

ms_sql=$(bench_ms "SELECT 100.0 * (count(*) FILTER (WHERE nps_score >= 9) - count(*) FILTER (WHERE nps_score <= 6)) / count(nps_score) FROM events")
ms_kpi=$(bench_ms "SELECT nps(nps_score) FROM events")
bench_row "NPS FILTER formula" "$ms_sql" "count=$BASE_COUNT"
bench_row "nps(nps_score)" "$ms_kpi" "count=$BASE_COUNT" "sql=$ms_sql"
bench_check "nps(nps_score) equals the FILTER formula" \
    "(SELECT abs(nps(nps_score) - 100.0 * (count(*) FILTER (WHERE nps_score >= 9) - count(*) FILTER (WHERE nps_score <= 6)) / count(nps_score)) < 1e-9 FROM events)"

ms_sql=$(bench_ms "SELECT avg(0.4 * relevance + 0.4 * accuracy + 0.1 * completeness + 0.1 * tone) FROM events")
ms_kpi=$(bench_ms "SELECT quality_score(relevance, accuracy, completeness, tone) FROM events")
bench_row "avg(weighted expression)" "$ms_sql" "count=$BASE_COUNT"
bench_row "quality_score(4 dimensions)" "$ms_kpi" "count=$BASE_COUNT" "sql=$ms_sql"
ms_kpi=$(bench_ms "SELECT quality_score(relevance, accuracy, completeness, tone, '{0.25,0.25,0.25,0.25}') FROM events")
bench_row "quality_score(custom weights)" "$ms_kpi" "count=$BASE_COUNT" "sql=$ms_sql"
bench_check "quality_score equals avg(weighted expression)" \
    "(SELECT abs(quality_score(relevance, accuracy, completeness, tone) - avg(0.4 * relevance + 0.4 * accuracy + 0.1 * completeness + 0.1 * tone)) < 1e-12 FROM events)"

ms_sql=$(bench_ms "SELECT avg(completed::int) OVER (ORDER BY id ROWS 999 PRECEDING) FROM events OFFSET $BENCH_ROWS")
ms_kpi=$(bench_ms "SELECT rate(completed) OVER (ORDER BY id ROWS 999 PRECEDING) FROM events OFFSET $BENCH_ROWS")
bench_row "rolling avg(completed::int), 1000 rows" "$ms_sql" "count=$BASE_COUNT"
bench_row "rolling rate(completed), 1000 rows" "$ms_kpi" "count=$BASE_COUNT" "sql=$ms_sql"
ms_kpi=$(bench_ms "SELECT nps(nps_score) OVER (ORDER BY id ROWS 999 PRECEDING) FROM events OFFSET $BENCH_ROWS")
bench_row "rolling nps(nps_score), 1000 rows" "$ms_kpi" "count=$BASE_COUNT"
