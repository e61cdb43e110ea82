-- KPI dashboard, part 9: scheduled rollups.  kpi_daily (per-day, per-product
-- summaries) is refreshed by a pg_cron job; monthly KPIs are rollup()s of it.
-- On the demo's throwaway cluster (which preloads pg_cron when installed) the
-- job is created and left running; on your own server it is only created if
-- pg_cron is already set up there and you may schedule jobs, and it is
-- unscheduled again at once.  Without pg_cron this part only refreshes by hand.
\pset footer off
\if :{?own_server}
\else
\set own_server yes
\endif
\echo
\echo '== Scheduled rollups: a pg_cron job refreshes kpi_daily every minute =='
SELECT coalesce(current_setting('shared_preload_libraries') ~ 'pg_cron'
                AND current_setting('cron.database_name', true) IS NOT NULL, false) AS cron_loaded,
       coalesce(current_setting('cron.database_name', true), '') AS cron_db,
       current_database() AS kpi_db, current_schema() AS kpi_schema,
       :'own_server' = 'no' AS throwaway \gset
\if :cron_loaded
\connect :cron_db
\if :throwaway
CREATE EXTENSION IF NOT EXISTS pg_cron;
\endif
SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_cron')
       AND has_function_privilege('cron.schedule_in_database(text,text,text,text,text,boolean)', 'execute') AS can_schedule \gset
\if :can_schedule
SELECT cron.schedule_in_database('pg_kpi_demo_refresh_kpi_daily', '* * * * *',
           format('REFRESH MATERIALIZED VIEW CONCURRENTLY %I.kpi_daily', :'kpi_schema'), :'kpi_db') AS jobid \gset
SELECT jobid, jobname, schedule, database, command FROM cron.job WHERE jobid = :jobid;
\if :throwaway
\echo '(the job runs every minute while the cluster runs; see cron.job_run_details)'
\else
SELECT cron.unschedule(:jobid) AS unscheduled_again;
\endif
\else
\echo '(pg_cron is loaded but not set up in this database or you may not schedule jobs: skipping the schedule)'
\endif
\connect :kpi_db
\else
\echo '(pg_cron is not in shared_preload_libraries on this server: skipping the schedule; see doc/scale.md)'
\endif
-- What the job runs (done here by hand so the numbers below are current):
REFRESH MATERIALIZED VIEW CONCURRENTLY kpi_daily;

\echo
\echo '== Monthly KPIs rolled up from the daily summaries (no raw rows read) =='
SELECT to_regtype('latency_sketch') IS NOT NULL AS has_latency,
       to_regtype('user_activity') IS NOT NULL AS has_activity \gset
\set latency_col ''
\set activity_col ''
\if :has_latency
\set latency_col ', round(percentile(rollup(latency), 0.95)::numeric) AS p95_ms'
\endif
\if :has_activity
\set activity_col ', round(100 * dau_mau(rollup(activity))::numeric, 1) AS dau_mau_pct, active_users(rollup(activity)) AS users'
\endif
SELECT date_trunc('month', day)::date AS month, product,
       round(100 * rate(rollup(completion))::numeric, 2) AS completion_pct,
       round(100 * rate(rollup(escalation))::numeric, 2) AS escalation_pct,
       round(100 * rate(rollup(usat))::numeric, 2) AS usat_pct,
       round(nps(rollup(nps))::numeric, 1) AS nps,
       round(quality_score(rollup(quality))::numeric, 4) AS quality
       :latency_col :activity_col,
       trials(rollup(completion)) AS interactions
FROM kpi_daily GROUP BY 1, 2 ORDER BY 1, 2;
