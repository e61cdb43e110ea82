-- Sample warehouse, part 9.5: change alerts (README "Alerting").  Star
-- ratings get their own daily rollup of mean_summary values; kpi_alerts
-- receives one row per detected change; kpi_check_alerts(as_of) compares, for
-- every product, the week ending on as_of with the week before, and inserts:
--  * completion_drop / usat_drop: the rate fell by more than 5% (relative,
--    the guide's "completion dropping over 5%") and the pooled z-test says
--    the fall is real (p < 0.05);
--  * satisfaction_low: the week's mean star rating is below 3.5/5 with 95%
--    confidence (the upper bound of its t interval is below 3.5).
-- A pg_cron job runs it every morning (dashboard_60_alerts.sql, README).
CREATE MATERIALIZED VIEW kpi_daily_ratings AS
SELECT date_trunc('day', ts)::date AS day, product, mean_agg(stars) AS stars
FROM interactions WHERE stars IS NOT NULL GROUP BY 1, 2;
CREATE UNIQUE INDEX kpi_daily_ratings_day_product ON kpi_daily_ratings (day, product);

CREATE TABLE kpi_alerts (
    id          bigserial PRIMARY KEY,
    detected_at timestamptz NOT NULL DEFAULT now(),
    week_ending date NOT NULL,
    product     text NOT NULL,
    alert       text NOT NULL,
    previous    float8,
    current     float8,
    change      float8,
    p_value     float8,
    UNIQUE (week_ending, product, alert)
);

CREATE FUNCTION kpi_check_alerts(as_of date) RETURNS SETOF kpi_alerts
LANGUAGE sql AS $$
    WITH weeks AS (
        SELECT product,
               rollup(completion) FILTER (WHERE day >  as_of - 7)  AS completion_cur,
               rollup(completion) FILTER (WHERE day <= as_of - 7)  AS completion_prev,
               rollup(usat)       FILTER (WHERE day >  as_of - 7)  AS usat_cur,
               rollup(usat)       FILTER (WHERE day <= as_of - 7)  AS usat_prev
        FROM kpi_daily
        WHERE day > as_of - 14 AND day <= as_of
        GROUP BY product
    ), ratings AS (
        SELECT product, rollup(stars) AS stars_cur
        FROM kpi_daily_ratings
        WHERE day > as_of - 7 AND day <= as_of
        GROUP BY product
    ), found AS (
        SELECT product, 'completion_drop' AS alert, rate(completion_prev) AS previous,
               rate(completion_cur) AS current, lift(completion_cur, completion_prev) AS change,
               p_value(completion_cur, completion_prev) AS p
        FROM weeks
        WHERE lift(completion_cur, completion_prev) < -0.05 AND p_value(completion_cur, completion_prev) < 0.05
        UNION ALL
        SELECT product, 'usat_drop', rate(usat_prev), rate(usat_cur), lift(usat_cur, usat_prev),
               p_value(usat_cur, usat_prev)
        FROM weeks
        WHERE lift(usat_cur, usat_prev) < -0.05 AND p_value(usat_cur, usat_prev) < 0.05
        UNION ALL
        SELECT product, 'satisfaction_low', NULL, mean(stars_cur), NULL, NULL
        FROM ratings
        WHERE ci_upper(stars_cur) < 3.5
    )
    INSERT INTO kpi_alerts (week_ending, product, alert, previous, current, change, p_value)
    SELECT as_of, product, alert, previous, current, change, p FROM found
    ON CONFLICT (week_ending, product, alert) DO NOTHING
    RETURNING *
$$;
