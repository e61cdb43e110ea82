-- KPI dashboard, part 7: is a value good, and can it be published?
-- kpi_grade() reads the bands of the KPI guides from kpi_benchmark (users can add
-- their own rows); pg_kpi.min_group_size hides KPIs of groups too small to publish,
-- and the epsilon forms release differentially private counts.
\pset footer off
\echo
\echo '== Grades against the KPI guides'' bands (kpi_grade over kpi_benchmark), last 30 days =='
WITH k AS (
    SELECT product,
           rate(rollup(completion)) AS completion,
           rate(rollup(usat)) AS usat,
           quality_score(rollup(quality)) AS quality,
           percentile(rollup(latency), 0.95) / 1000 AS p95_s,
           nps(rollup(nps)) AS nps,
           dau_mau(rollup(activity)) AS dau_mau
    FROM kpi_daily
    WHERE day > (SELECT max(day) FROM kpi_daily) - 30
    GROUP BY product)
SELECT product,
       to_char(100 * completion, 'FM990.0') || '% ' || kpi_grade('task_completion', completion,
           CASE product WHEN 'helpdesk' THEN 'support' WHEN 'copilot' THEN 'code' ELSE 'writing' END) AS task_completion,
       to_char(100 * usat, 'FM990.0') || '% ' || kpi_grade('usat', usat) AS usat,
       to_char(quality, 'FM0.000') || ' ' || kpi_grade('quality_score', quality) AS quality,
       to_char(p95_s, 'FM990.00') || ' s ' || kpi_grade('latency_p95_seconds', p95_s) AS p95_latency,
       to_char(nps, 'FM990.0') || ' ' || kpi_grade('nps', nps) AS nps,
       to_char(100 * dau_mau, 'FM990.0') || '% ' || kpi_grade('dau_mau', dau_mau) AS dau_mau
FROM k ORDER BY product;

\echo
\echo '== Minimum group size: NPS by product and day with pg_kpi.min_group_size = 15 (small days hidden) =='
SET pg_kpi.min_group_size = 15;
SELECT day, product, responses(nps) AS responses, round(nps(nps)::numeric, 1) AS nps
FROM kpi_daily
WHERE day > (SELECT max(day) FROM kpi_daily) - 3 AND nps IS NOT NULL
ORDER BY day, product;
RESET pg_kpi.min_group_size;

\echo
\echo '== Differentially private release (epsilon = 1): active users and calendar DAU/MAU per product, last 30 days =='
WITH w AS (SELECT daterange(max(day) - 29, max(day) + 1) AS during FROM kpi_daily)
SELECT product,
       active_users(rollup(activity)) AS active_users_exact,
       active_users(rollup(activity), 1.0, w.during) AS active_users_dp,
       round(dau_mau(rollup(activity), w.during)::numeric, 4) AS dau_mau_exact,
       round(dau_mau(rollup(activity), 1.0, w.during)::numeric, 4) AS dau_mau_dp
FROM kpi_daily, w
WHERE day <@ w.during
GROUP BY product, w.during ORDER BY product;
