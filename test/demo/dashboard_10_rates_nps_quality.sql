-- KPI dashboard, part 1: rates with Wilson intervals, NPS with its margin,
-- the weekly NPS trend, and the response quality score.
\pset footer off
\echo
\echo '== Assistant outcome rates, last 90 days (Wilson 95% interval) =='
SELECT kpi,
       to_char(100 * rate(s), 'FM990.00') || '%' AS rate,
       to_char(100 * ci_lower(s), 'FM990.00') || '% .. ' || to_char(100 * ci_upper(s), 'FM990.00') || '%' AS "95% CI",
       trials(s) AS n
FROM (SELECT rate_agg(completed) AS s_completed, rate_agg(escalated) AS s_escalated,
             rate_agg(thumbs_up) AS s_usat, rate_agg(stars >= 4) AS s_csat,
             rate_agg(hallucinated) AS s_halluc
      FROM interactions) r,
LATERAL (VALUES ('task completion rate', s_completed), ('escalation rate', s_escalated),
                ('USAT (thumbs up)', s_usat), ('CSAT (4-5 stars)', s_csat),
                ('hallucination rate', s_halluc)) AS k(kpi, s);

\echo
\echo '== Task completion by product (one-step aggregate) =='
SELECT product, round(100 * rate(completed)::numeric, 2) AS completion_pct,
       round(100 * rate(escalated)::numeric, 2) AS escalation_pct,
       round(lift(completed, after_upgrade)::numeric, 4) AS upgrade_lift
FROM interactions GROUP BY product ORDER BY product;
