-- Sample warehouse, part 9: the scheduled-rollup pattern.  kpi_daily holds
-- one row of summaries per day and product; weekly and monthly KPIs are read
-- with rollup() from it, never from the raw rows.  The unique index lets
-- REFRESH MATERIALIZED VIEW CONCURRENTLY (what the pg_cron job runs) update
-- it without blocking readers.  See doc/scale.md.
-- Latency and activity summaries are included when this build has them.
SELECT to_regtype('latency_sketch') IS NOT NULL AS has_latency,
       to_regtype('user_activity') IS NOT NULL AS has_activity \gset
\set latency_col ''
\set activity_col ''
\if :has_latency
\set latency_col ', latency_agg(latency_ms) AS latency'
\endif
\if :has_activity
\set activity_col ', activity_agg(user_id, date_trunc(''day'', ts)::date) AS activity'
\endif
CREATE MATERIALIZED VIEW kpi_daily AS
SELECT *
FROM (SELECT date_trunc('day', ts)::date AS day, product,
             rate_agg(completed) AS completion, rate_agg(escalated) AS escalation,
             rate_agg(thumbs_up) AS usat,
             quality_agg(relevance, accuracy, completeness, tone) AS quality
             :latency_col :activity_col
      FROM interactions GROUP BY 1, 2) i
FULL JOIN (SELECT date_trunc('day', answered_at)::date AS day, product, nps_agg(score) AS nps
           FROM nps_responses GROUP BY 1, 2) n USING (day, product);
CREATE UNIQUE INDEX kpi_daily_day_product ON kpi_daily (day, product);
