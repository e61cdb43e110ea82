# Section: rates, NPS and quality score beside count(*) and the hand-written SQL.
bench_section "Rates, NPS, quality (ratio to count(*) and to the hand-written SQL)"

ms_sql=$(bench_ms "SELECT avg(completed::int) FROM events")
ms_kpi=$(bench_ms "SELECT rate(completed) FROM events")
bench_row "avg(completed::int)" "$ms_sql" "count=$BASE_COUNT"
bench_row "rate(completed)" "$ms_kpi" "count=$BASE_COUNT" "sql=$ms_sql"
ms_kpi=$(bench_ms "SELECT rate_agg(completed) FROM events")
bench_row "rate_agg(completed)" "$ms_kpi" "count=$BASE_COUNT" "sql=$ms_sql"
bench_check "rate(completed) equals avg(completed::int)" \
    "(SELECT rate(completed) = avg(completed::int)::float8 FROM events)"
