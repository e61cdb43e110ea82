-- KPI dashboard, part 5: operations — uptime per service and month (guide:
-- > 99.9%), ticket resolution time P50/P90 per month (guide: < 24 h), time
-- tickets spent waiting on customers — and the MRR bridge with quick ratio.
\pset footer off

\echo
\echo '== Uptime by service and month (uptime_agg over 5-minute probes; target > 99.9%) =='
SELECT service, to_char(month, 'YYYY-MM') AS month,
       round(100 * uptime(s)::numeric, 3) || '%' AS uptime,
       CASE WHEN uptime(s) > 0.999 THEN 'ok' ELSE 'below 99.9%' END AS target,
       downtime(s), outages(s), mttr(s), longest_outage(s)
FROM (SELECT service, date_trunc('month', checked_at) AS month, uptime_agg(checked_at, ok) AS s
      FROM service_probes GROUP BY 1, 2) q
ORDER BY service, month;

\echo
\echo '== Uptime for the quarter, rolled up from stored daily summaries =='
CREATE TEMP TABLE uptime_daily AS
SELECT service, checked_at::date AS day, uptime_agg(checked_at, ok) AS s
FROM service_probes GROUP BY 1, 2;
SELECT service, round(100 * uptime(rollup(s))::numeric, 3) || '%' AS uptime,
       outages(rollup(s)), longest_outage(rollup(s)),
       round(avg(pg_column_size(s))) AS bytes_per_day
FROM uptime_daily GROUP BY service ORDER BY service;

\echo
\echo '== Support ticket resolution time by month (target: resolved within 24 h) =='
SELECT to_char(date_trunc('month', opened_at), 'YYYY-MM') AS month, count(*) AS tickets,
       date_trunc('second', percentile_latency(resolved_at - opened_at, 0.5)) AS p50,
       date_trunc('second', percentile_latency(resolved_at - opened_at, 0.9)) AS p90,
       round(100 * rate(resolved_at - opened_at < interval '24 hours')::numeric, 1) || '%' AS within_24h
FROM support_tickets GROUP BY 1 ORDER BY 1;

\echo
\echo '== Where ticket time goes: open vs waiting on the customer (state_agg per ticket) =='
SELECT product,
       date_trunc('second', avg(duration_in(s, 'open'))) AS avg_open,
       date_trunc('second', avg(duration_in(s, 'pending'))) AS avg_pending,
       round(100 * avg(state_share(s, 'pending'))::numeric, 1) || '%' AS pending_share
FROM (SELECT t.product, state_agg(e.changed_at, e.status) AS s
      FROM ticket_events e JOIN support_tickets t USING (ticket_id) GROUP BY t.ticket_id, t.product) q
GROUP BY product ORDER BY product;

\echo
\echo '== MRR bridge and quick ratio by month (mrr_bridge_agg over mrr_movement()) =='
CREATE TEMP VIEW bridge_customer_months AS
SELECT c.customer_id, cal.month::date AS month, mrr(s.amount, s.billing_period) AS mrr
FROM customers c
CROSS JOIN LATERAL generate_series(c.signup_month, date '2026-10-01', interval '1 month') AS cal(month)
LEFT JOIN subscription_months s ON s.customer_id = c.customer_id AND s.month = cal.month
GROUP BY c.customer_id, cal.month;
CREATE TEMP TABLE mrr_bridge_monthly AS
SELECT month, mrr_bridge_agg(movement, change) AS b
FROM (SELECT month, mrr_movement(mrr) OVER w AS movement,
             coalesce(mrr, 0) - coalesce(lag(mrr) OVER w, 0) AS change
      FROM bridge_customer_months WINDOW w AS (PARTITION BY customer_id ORDER BY month)) m
GROUP BY month;
SELECT to_char(month, 'YYYY-MM') AS month,
       round(new_mrr(b), 2) AS new, round(expansion_mrr(b), 2) AS expansion,
       round(reactivation_mrr(b), 2) AS reactivation,
       round(-contraction_mrr(b), 2) AS contraction, round(-churned_mrr(b), 2) AS churned,
       round(net_new_mrr(b), 2) AS net_new, round(quick_ratio(b)::numeric, 2) AS quick_ratio,
       customers(b, 'new') AS new_customers, customers(b, 'churn') AS churned_customers
FROM mrr_bridge_monthly ORDER BY month;
SELECT 'last 3 months' AS period, round(net_new_mrr(rollup(b)), 2) AS net_new,
       round(quick_ratio(rollup(b))::numeric, 2) AS quick_ratio
FROM mrr_bridge_monthly WHERE month >= date '2026-08-01';
