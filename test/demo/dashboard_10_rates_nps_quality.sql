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

\echo
\echo '== Net Promoter Score by product (95% interval) =='
SELECT product, round(nps(s)::numeric, 1) AS nps,
       '±' || round(((ci_upper(s) - ci_lower(s)) / 2)::numeric, 1) AS margin,
       promoters(s) AS promoters, passives(s) AS passives, detractors(s) AS detractors
FROM (SELECT product, nps_agg(score) AS s FROM nps_responses GROUP BY product) q
ORDER BY product;

\echo
\echo '== Weekly NPS trend (daily summaries rolled up to weeks) =='
WITH daily AS (
    SELECT date_trunc('day', answered_at)::date AS day, nps_agg(score) AS s
    FROM nps_responses GROUP BY 1
)
SELECT date_trunc('week', day)::date AS week, responses(rollup(s)) AS responses,
       round(nps(rollup(s))::numeric, 1) AS nps,
       round(ci_lower(rollup(s))::numeric, 1) || ' .. ' || round(ci_upper(rollup(s))::numeric, 1) AS "95% CI"
FROM daily GROUP BY 1 ORDER BY 1;

\echo
\echo '== Response Quality Score (0.4 relevance + 0.4 accuracy + 0.1 completeness + 0.1 tone) =='
SELECT CASE WHEN after_upgrade THEN 'after model upgrade' ELSE 'before model upgrade' END AS period,
       round(quality_score(relevance, accuracy, completeness, tone)::numeric, 4) AS quality,
       round(quality_score(relevance, accuracy, completeness, tone, '{0.25,0.25,0.25,0.25}')::numeric, 4) AS equal_weights,
       count(*) AS responses
FROM interactions GROUP BY after_upgrade ORDER BY after_upgrade;

\echo
\echo '== Rolling 7-day completion rate and quality (window functions), last 7 days =='
SELECT day, round(100 * completion_7d::numeric, 2) AS completion_7d_pct, round(quality_7d::numeric, 4) AS quality_7d
FROM (SELECT day,
             rate(completed) OVER w AS completion_7d,
             quality_score(relevance, accuracy, completeness, tone) OVER w AS quality_7d
      FROM (SELECT date_trunc('day', ts)::date AS day, completed, relevance, accuracy, completeness, tone
            FROM interactions) i
      WINDOW w AS (ORDER BY day RANGE BETWEEN '6 days' PRECEDING AND CURRENT ROW)) r
GROUP BY day, completion_7d, quality_7d
ORDER BY day DESC LIMIT 7;
