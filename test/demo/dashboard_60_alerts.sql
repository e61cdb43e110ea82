-- KPI dashboard, part 6: change alerts.  kpi_check_alerts(as_of) (defined in
-- warehouse_95_alerts.sql) compares every product's week ending on as_of with
-- the week before and records significant drops; in production a pg_cron job
-- calls it every morning:
--   SELECT cron.schedule('kpi-alerts', '0 6 * * *',
--                        $$SELECT count(*) FROM kpi_check_alerts(current_date - 1)$$);
-- The sample warehouse has one real change (warehouse_60_completion_drop.sql):
-- helpdesk's completion falls by 8% in the last week.  The check finds it and
-- nothing else.
\pset footer off
\echo
\echo '== Alerts: week ending 2026-10-29 vs the week before (drop > 5% and p < 0.05, or stars < 3.5/5) =='
SELECT product,
       round(rate(rollup(completion) FILTER (WHERE day <= date '2026-10-22'))::numeric, 4) AS completion_prev,
       round(rate(rollup(completion) FILTER (WHERE day >  date '2026-10-22'))::numeric, 4) AS completion_cur,
       round(lift(rollup(completion) FILTER (WHERE day >  date '2026-10-22'),
                  rollup(completion) FILTER (WHERE day <= date '2026-10-22'))::numeric, 4) AS change,
       round(p_value(rollup(completion) FILTER (WHERE day >  date '2026-10-22'),
                     rollup(completion) FILTER (WHERE day <= date '2026-10-22'))::numeric, 6) AS p,
       round(lift(rollup(usat) FILTER (WHERE day >  date '2026-10-22'),
                  rollup(usat) FILTER (WHERE day <= date '2026-10-22'))::numeric, 4) AS usat_change
FROM kpi_daily WHERE day > date '2026-10-15' AND day <= date '2026-10-29'
GROUP BY product ORDER BY product;
SELECT product, round(mean(rollup(stars))::numeric, 2) AS stars, round(ci_upper(rollup(stars))::numeric, 2) AS stars_ci_upper
FROM kpi_daily_ratings WHERE day > date '2026-10-22' AND day <= date '2026-10-29'
GROUP BY product ORDER BY product;
\echo 'Alerts recorded by kpi_check_alerts(''2026-10-29''):'
SELECT week_ending, product, alert, round(previous::numeric, 4) AS previous, round(current::numeric, 4) AS current,
       round(change::numeric, 4) AS change, round(p_value::numeric, 6) AS p_value
FROM kpi_check_alerts(date '2026-10-29');
SELECT count(*) AS alerts_in_table FROM kpi_alerts;
