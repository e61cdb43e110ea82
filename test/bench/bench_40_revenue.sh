# Section: revenue — mrr() beside count(*) and the hand-written sum(amount / months),
# and the mrr_movement() window function beside the lag()-plus-CASE SQL (which needs a
# second window, a running bool_or, to tell 'new' from 'reactivation').
#
# Its own table: $BENCH_ROWS subscription-month rows (24 months per customer, fixed
# seed), monthly / quarterly / annual plans, MRR that moves up, down, to 0 and back.
bench_section "Revenue (ratio to count(*) and to the hand-written SQL), $BENCH_ROWS subscription months"

psql -XAtq -v ON_ERROR_STOP=1 -v rows="$BENCH_ROWS" >/dev/null <<'SQL' || return 1
SET client_min_messages = warning;
SELECT setseed(0.4242);
DROP TABLE IF EXISTS sub_months;
CREATE UNLOGGED TABLE sub_months AS
SELECT customer_id, month, months, make_interval(months => months) AS billing_period,
       (mrr * months * CASE months WHEN 12 THEN 0.85 WHEN 3 THEN 0.95 ELSE 1 END)::numeric(12,2) AS amount,
       mrr
FROM (SELECT c AS customer_id,
             (date '2024-01-01' + m * interval '1 month')::date AS month,
             (ARRAY[1, 1, 1, 3, 12])[1 + (c % 5)::int] AS months,
             CASE WHEN random() < 0.08 THEN 0
                  ELSE (ARRAY[19, 49, 99, 249])[1 + floor(random() * 4)::int] END::numeric(12,2) AS mrr
      FROM generate_series(1, greatest(1, :rows / 24)) AS c, generate_series(0, 23) AS m) s;
ALTER TABLE sub_months SET LOGGED;
VACUUM ANALYZE sub_months;
SQL

ms_count=$(bench_ms "SELECT count(*) FROM sub_months")
bench_row "count(*) over sub_months (floor)" "$ms_count"
ms_sql=$(bench_ms "SELECT sum(amount / months) FROM sub_months")
bench_row "sum(amount / months)" "$ms_sql" "count=$ms_count"
ms_kpi=$(bench_ms "SELECT mrr(amount, billing_period) FROM sub_months")
bench_row "mrr(amount, billing_period)" "$ms_kpi" "count=$ms_count" "sql=$ms_sql"
ms_sql=$(bench_ms "SELECT month, sum(amount / months) FROM sub_months GROUP BY month")
bench_row "sum(amount / months) GROUP BY month" "$ms_sql" "count=$ms_count"
ms_kpi=$(bench_ms "SELECT month, mrr(amount, billing_period) FROM sub_months GROUP BY month")
bench_row "mrr(amount, billing_period) GROUP BY month" "$ms_kpi" "count=$ms_count" "sql=$ms_sql"
# mrr() adds each billing period's amounts exactly and divides once per period, so it
# equals the SQL that groups by period first; the row-by-row SQL rounds every row.
bench_check "mrr(amount, billing_period) equals sum over periods of sum(amount) / months, exactly" \
    "(SELECT mrr(amount, billing_period) = (SELECT sum(s / months) FROM (SELECT months, sum(amount) AS s
                                                                      FROM sub_months GROUP BY months) q)
      FROM sub_months)"
bench_check "mrr per month is within 1e-6 of the row-by-row sum(amount / months)" \
    "(SELECT bool_and(abs(k - s) < 1e-6) FROM (SELECT mrr(amount, billing_period) AS k, sum(amount / months) AS s
                                               FROM sub_months GROUP BY month) q)"

movement_sql="CASE WHEN coalesce(mrr, 0) > 0 THEN
    CASE WHEN NOT coalesce(bool_or(mrr > 0) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) THEN 'new'
         WHEN coalesce(lag(mrr) OVER w, 0) > 0 THEN
              CASE WHEN mrr > lag(mrr) OVER w THEN 'expansion' WHEN mrr < lag(mrr) OVER w THEN 'contraction' ELSE 'flat' END
         ELSE 'reactivation' END
  WHEN coalesce(lag(mrr) OVER w, 0) > 0 THEN 'churn' END"
ms_sql=$(bench_ms "SELECT count(mv) FROM (SELECT $movement_sql AS mv FROM sub_months
                   WINDOW w AS (PARTITION BY customer_id ORDER BY month)) s")
bench_row "lag() + bool_or() + CASE movement SQL" "$ms_sql" "count=$ms_count"
ms_kpi=$(bench_ms "SELECT count(mv) FROM (SELECT mrr_movement(mrr) OVER (PARTITION BY customer_id ORDER BY month) AS mv
                   FROM sub_months) s")
bench_row "mrr_movement(mrr) OVER (...)" "$ms_kpi" "count=$ms_count" "sql=$ms_sql"
bench_check "mrr_movement equals the lag()/bool_or()/CASE SQL on every row" \
    "(SELECT count(*) = 0 FROM (SELECT mrr_movement(mrr) OVER w AS k, $movement_sql AS s FROM sub_months
                                WINDOW w AS (PARTITION BY customer_id ORDER BY month)) q
      WHERE k IS DISTINCT FROM s)"
