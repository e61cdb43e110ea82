-- KPI dashboard, part 4: revenue — MRR and its movements, NRR / GRR,
-- LTV:CAC by acquisition channel and CAC payback.
\pset footer off

-- One row per customer and calendar month from signup to the last month, so
-- a cancelled month (no subscription row) is a NULL MRR that mrr_movement()
-- sees as churn.
CREATE TEMP VIEW customer_months AS
SELECT c.customer_id, c.channel, cal.month::date AS month,
       mrr(s.amount, s.billing_period) AS mrr
FROM customers c
CROSS JOIN LATERAL generate_series(c.signup_month, date '2026-10-01', interval '1 month') AS cal(month)
LEFT JOIN subscription_months s ON s.customer_id = c.customer_id AND s.month = cal.month
GROUP BY c.customer_id, c.channel, cal.month;

CREATE TEMP VIEW customer_movements AS
SELECT customer_id, channel, month, mrr,
       mrr_movement(mrr) OVER w AS movement,
       coalesce(mrr, 0) - coalesce(lag(mrr) OVER w, 0) AS mrr_change
FROM customer_months
WINDOW w AS (PARTITION BY customer_id ORDER BY month);

\echo
\echo '== MRR and MRR movements by month (mrr() normalizes quarterly and annual plans; mrr_movement() window) =='
SELECT month,
       round(sum(mrr), 2) AS mrr,
       round(sum(mrr_change) FILTER (WHERE movement = 'new'), 2) AS new,
       round(sum(mrr_change) FILTER (WHERE movement = 'expansion'), 2) AS expansion,
       round(sum(mrr_change) FILTER (WHERE movement = 'contraction'), 2) AS contraction,
       round(sum(mrr_change) FILTER (WHERE movement = 'churn'), 2) AS churn,
       round(sum(mrr_change) FILTER (WHERE movement = 'reactivation'), 2) AS reactivation,
       count(*) FILTER (WHERE movement = 'churn') AS churned,
       count(*) FILTER (WHERE movement = 'reactivation') AS reactivated
FROM customer_movements GROUP BY month ORDER BY month;

\echo
\echo '== MRR by billing period, Oct 2026, and trailing 3-month average MRR (moving-aggregate window) =='
SELECT billing_period, count(*) AS subscriptions, round(mrr(amount, billing_period), 2) AS mrr,
       round(sum(amount), 2) AS billed_per_period
FROM subscription_months WHERE month = '2026-10-01' GROUP BY billing_period ORDER BY billing_period;
-- mrr() as a window aggregate over the subscription rows of the last 3 months.
SELECT DISTINCT month,
       round(mrr(amount, billing_period)
             OVER (ORDER BY month RANGE BETWEEN interval '2 months' PRECEDING AND CURRENT ROW) / 3, 2)
         AS trailing_3_month_avg_mrr
FROM subscription_months ORDER BY month DESC LIMIT 3;

\echo
\echo '== Net and gross revenue retention, Apr 2026 -> Oct 2026 (customers paying in April) =='
SELECT coalesce(channel, 'all channels') AS channel,
       count(*) FILTER (WHERE start_mrr > 0) AS customers,
       to_char(100 * net_revenue_retention(start_mrr, end_mrr), 'FM990.0') || '%' AS nrr,
       to_char(100 * gross_revenue_retention(start_mrr, end_mrr), 'FM990.0') || '%' AS grr
FROM (SELECT channel, customer_id,
             max(mrr) FILTER (WHERE month = '2026-04-01') AS start_mrr,
             coalesce(max(mrr) FILTER (WHERE month = '2026-10-01'), 0) AS end_mrr
      FROM customer_months GROUP BY channel, customer_id) x
GROUP BY GROUPING SETS ((channel), ())
ORDER BY channel NULLS LAST;

\echo
\echo '== Unit economics by acquisition channel (gross margin 80%) =='
WITH spend AS (
    SELECT channel, sum(spend) AS spend FROM marketing_spend GROUP BY channel
), signups AS (
    SELECT channel, count(*) AS new_customers FROM customers GROUP BY channel
), monthly_cac AS (      -- each customer's CAC: the channel's spend in the signup month / signups
    SELECT ms.channel, ms.month, cac(ms.spend, count(c.customer_id)) AS cac
    FROM marketing_spend ms LEFT JOIN customers c ON c.channel = ms.channel AND c.signup_month = ms.month
    GROUP BY ms.channel, ms.month, ms.spend
), churn AS (            -- monthly logo churn: churned customers / customers paying the month before
    SELECT channel,
           count(*) FILTER (WHERE movement = 'churn')::float8
             / count(*) FILTER (WHERE movement IN ('expansion', 'contraction', 'flat', 'churn')) AS monthly_churn,
           avg(mrr) FILTER (WHERE movement IS NOT NULL AND movement <> 'churn') AS arpu,
           avg(mrr) FILTER (WHERE movement = 'new') AS new_mrr
    FROM customer_movements GROUP BY channel
), per_customer AS (     -- each customer's LTV from their first MRR and the channel's churn
    SELECT c.channel, ltv(cm.mrr, ch.monthly_churn, 0.8) AS customer_ltv, mc.cac
    FROM customers c
    JOIN customer_months cm ON cm.customer_id = c.customer_id AND cm.month = c.signup_month
    JOIN churn ch ON ch.channel = c.channel
    JOIN monthly_cac mc ON mc.channel = c.channel AND mc.month = c.signup_month
)
SELECT s.channel,
       round(cac(s.spend, n.new_customers), 0) AS cac,
       round(ch.arpu, 2) AS arpu,
       to_char(100 * ch.monthly_churn, 'FM90.00') || '%' AS churn_mo,
       round(ltv(round(ch.arpu, 2), ch.monthly_churn, 0.8), 0) AS ltv,
       round(ltv_cac_ratio(pc.customer_ltv, pc.cac)::numeric, 2) AS "LTV:CAC",
       round(cac_payback_months(cac(s.spend, n.new_customers), round(ch.new_mrr, 2), 0.8)::numeric, 1) AS payback_months
FROM spend s JOIN signups n USING (channel) JOIN churn ch USING (channel)
JOIN per_customer pc USING (channel)
GROUP BY s.channel, s.spend, n.new_customers, ch.arpu, ch.monthly_churn, ch.new_mrr
ORDER BY "LTV:CAC" DESC;

\echo
\echo '== One customer''s history: plan changes, cancellation, reactivation =='
SELECT month, plan, billing_period, amount, round(mrr, 2) AS mrr, movement
FROM customer_movements cm LEFT JOIN subscription_months s USING (customer_id, month)
WHERE customer_id = (SELECT customer_id FROM customer_movements
                     GROUP BY customer_id
                     ORDER BY count(DISTINCT movement) DESC, bool_or(movement = 'reactivation') DESC, customer_id
                     LIMIT 1)
ORDER BY month;
