-- mrr() (plain, grouped, moving window), ltv(), cac(), cac_payback_months(),
-- ltv_cac_ratio(), net_revenue_retention(), gross_revenue_retention() and the
-- mrr_movement() window function.  Every result is compared with an
-- independent plain-SQL computation of the same definition.
\i test/regress_helpers.sql
\pset null '(null)'

-- Fixture: one row per customer and month, the price of the customer's plan
-- that month and its billing period, plus the period's length in months
-- written out by hand (months of 30.4375 days) for the SQL comparisons.
--   acme      monthly: 100, upgrade 150, downgrade 80, cancel, (no data), reactivate 90, 90
--   globex    annual plan 1200 / year (100 a month), then a 3-year plan
--   initech   quarterly 300 / 3 months, with a credit of -30 in month 4
--   hooli     weekly 70 / week, then 4 weeks, then 30 days 10:30 (= one month)
--   umbrella  never pays (0 and NULL)
--   NULL      a row without a customer (the NULL group)
CREATE TABLE rev_subs (customer text, month date, amount numeric, billing_period interval,
                       period_months numeric, month_based boolean);
INSERT INTO rev_subs VALUES
  ('acme', '2026-01-01', 100, '1 mon', 1, true),
  ('acme', '2026-02-01', 150, '1 mon', 1, true),
  ('acme', '2026-03-01', 80, '1 mon', 1, true),
  ('acme', '2026-04-01', 0, '1 mon', 1, true),
  ('acme', '2026-05-01', NULL, '1 mon', 1, true),
  ('acme', '2026-06-01', 90, '1 mon', 1, true),
  ('acme', '2026-07-01', 90.00, '1 mon', 1, true),
  ('globex', '2026-01-01', 1200, '1 year', 12, true),
  ('globex', '2026-02-01', 1200, '12 mons', 12, true),
  ('globex', '2026-03-01', 1200, '1 year', 12, true),
  ('globex', '2026-04-01', 1000.50, '1 year', 12, true),
  ('globex', '2026-05-01', 3000, '3 years', 36, true),
  ('globex', '2026-06-01', 3000, '3 years', 36, true),
  ('globex', '2026-07-01', 3000, '3 years', 36, true),
  ('initech', '2026-01-01', 300, '3 mons', 3, true),
  ('initech', '2026-02-01', 300, '3 mons', 3, true),
  ('initech', '2026-03-01', 300, '3 mons', 3, true),
  ('initech', '2026-04-01', -30, '1 mon', 1, true),
  ('initech', '2026-05-01', 450, '3 mons', 3, true),
  ('initech', '2026-06-01', 450, '3 mons', 3, true),
  ('initech', '2026-07-01', 450, NULL, NULL, true),
  ('hooli', '2026-01-01', 70, '1 week', 7 / 30.4375, false),
  ('hooli', '2026-02-01', 70, '7 days', 7 / 30.4375, false),
  ('hooli', '2026-03-01', 280, '4 weeks', 28 / 30.4375, false),
  ('hooli', '2026-04-01', 304.375, '30 days 10:30:00', 1, false),
  ('hooli', '2026-05-01', 304.375, '730 hours 30 minutes', 1, false),
  ('hooli', '2026-06-01', 50, '1 mon -15 days', 15.4375 / 30.4375, false),
  ('hooli', '2026-07-01', 25, '2 days 12:00:00', 2.5 / 30.4375, false),
  ('umbrella', '2026-01-01', 0, '1 mon', 1, true),
  ('umbrella', '2026-02-01', NULL, '1 mon', 1, true),
  ('umbrella', '2026-03-01', 0, '1 year', 12, true),
  (NULL, '2026-01-01', 42, '1 mon', 1, true),
  (NULL, '2026-02-01', 120, '1 year', 12, true);

-- Known answers: '1 year' is /12, '3 mons' /3, '1 week' x 30.4375/7, days at
-- 30.4375 per month, the time part at 24 hours a day.
SELECT mrr(1200, '1 year') AS annual, mrr(300, '3 mons') AS quarterly, mrr(70, '1 week') AS weekly,
       mrr(100, '30 days 10:30:00') AS days_and_time, mrr(100, '1 mon') AS monthly,
       mrr(1800, '1 year 6 mons') AS eighteen_months, mrr(-20, '1 mon') AS credit;
SELECT mrr(1200, '1 year') = 100 AND mrr(70, '1 week') = 70 * 30.4375 / 7
       AND mrr(100, '30 days 10:30:00') = 100 AND mrr(100, '1 day') = 3043.75
       AND mrr(1, '1 microsecond') = 2629800000000 AS known_answers;

-- The definition in plain SQL: a period's length in microseconds (months of
-- 30.4375 days, days of 24 hours), and the exact sum of a period's amounts
-- times (month length / period length) as a reduced fraction.
CREATE FUNCTION rev_sql_usecs(p interval) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
SELECT (extract(year FROM p) * 12 + extract(month FROM p)) * 2629800000000
     + extract(day FROM p) * 86400000000 + extract(hour FROM p) * 3600000000
     + extract(minute FROM p) * 60000000 + extract(microseconds FROM p) $$;
CREATE FUNCTION rev_sql_monthly(s numeric, u numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
SELECT s * div(2629800000000, gcd(2629800000000, u)) / div(u, gcd(2629800000000, u)) $$;

-- mrr() per month and per customer: exactly the per-period sums converted
-- in SQL, and within 1e-12 of the row-by-row sum of amount / period length
-- in months (which rounds every row).  NULL amounts and periods are
-- skipped; the NULL group works.
SELECT month, mrr(amount, billing_period) AS mrr,
       mrr(amount, billing_period) = (SELECT sum(rev_sql_monthly(s, u))
                                      FROM (SELECT rev_sql_usecs(b.billing_period) AS u, sum(b.amount) AS s
                                            FROM rev_subs b WHERE b.month = r.month GROUP BY 1) q) AS exact,
       abs(mrr(amount, billing_period) - sum(amount / period_months)) < 1e-12 AS close
FROM rev_subs r GROUP BY month ORDER BY month;
SELECT customer, mrr(amount, billing_period) AS mrr,
       mrr(amount, billing_period) = (SELECT sum(rev_sql_monthly(s, u))
                                      FROM (SELECT rev_sql_usecs(b.billing_period) AS u, sum(b.amount) AS s
                                            FROM rev_subs b WHERE b.customer IS NOT DISTINCT FROM r.customer
                                            GROUP BY 1) q) AS exact,
       abs(mrr(amount, billing_period) - sum(amount / period_months)) < 1e-12 AS close
FROM rev_subs r GROUP BY customer ORDER BY customer;
-- Three thirds of a 3-year plan make exactly one 3-year plan's month.
SELECT mrr(a, p) AS three_thirds, mrr(a, p) = 250 AS exact_250
FROM (VALUES (3000::numeric, '3 years'::interval), (3000, '3 years'), (3000, '36 mons')) v(a, p);

-- The state: numeric[] pairs {period in microseconds, exact sum}.  The
-- functions behind the aggregate can be called directly and check any
-- state they are given.
SELECT mrr_accum(mrr_accum(mrr_accum(NULL, 100, '1 year'), 50, '1 mon'), 20, '12 mons') AS state;
SELECT mrr_final('{31557600000000,120,2629800000000,50}') AS from_state,
       mrr_final('{31557600000000,120,2629800000000,50}') = 120 / 12.0 + 50 AS same,
       mrr_final('{}') AS empty_state;
SELECT mrr_combine('{2629800000000,1.5}', '{31557600000000,12,2629800000000,2}') AS combined,
       mrr_combine(NULL, '{2629800000000,1}') AS combined_null, mrr_combine('{2629800000000,1}', NULL) AS combined_other_null;
SELECT kpi_test.error_of($$SELECT mrr_final('{2629800000000}')$$);
SELECT kpi_test.error_of($$SELECT mrr_final('{2629800000000,NULL}')$$);
SELECT kpi_test.error_of($$SELECT mrr_final('{0,5}')$$);
SELECT kpi_test.error_of($$SELECT mrr_final('{-2629800000000,5}')$$);
SELECT kpi_test.error_of($$SELECT mrr_final('{2629800000000.5,5}')$$);
SELECT kpi_test.error_of($$SELECT mrr_final('{99999999999999999999,5}')$$);
SELECT kpi_test.error_of($$SELECT mrr_final('{2629800000000,NaN}')$$);
SELECT kpi_test.error_of($$SELECT mrr_final('{{2629800000000,5},{1,2}}')$$);
SELECT kpi_test.error_of($$SELECT mrr_combine('{2629800000000,5}', '{1,2,3}')$$);
SELECT kpi_test.error_of($$SELECT mrr_accum('{1}', 5, '1 mon')$$);

-- Empty input, all-NULL input, a NULL period, one row.
SELECT mrr(amount, billing_period) AS empty FROM rev_subs WHERE false;
SELECT mrr(NULL::numeric, '1 mon') AS all_null FROM generate_series(1, 3);
SELECT mrr(100, NULL::interval) AS null_period;
SELECT mrr(amount, billing_period) AS one_row FROM rev_subs WHERE customer = 'globex' AND month = '2026-04-01';

-- Billing period and amount errors.
SELECT kpi_test.error_of($$SELECT mrr(100, '0 days')$$);
SELECT kpi_test.error_of($$SELECT mrr(100, '-1 mon')$$);
SELECT kpi_test.error_of($$SELECT mrr(100, '1 mon -31 days')$$);
SELECT kpi_test.error_of($$SELECT mrr(100, '-00:00:01')$$);
SELECT kpi_test.error_of($$SELECT mrr(100, '178000000 years')$$);
SELECT kpi_test.error_of($$SELECT mrr('NaN', '1 mon')$$);
SELECT kpi_test.error_of($$SELECT mrr('Infinity', '1 mon')$$);
SELECT kpi_test.error_of($$SELECT mrr('-Infinity', '1 year')$$);
-- A bad row in the middle of a group is an error too, not skipped.
SELECT kpi_test.error_of($$SELECT mrr(a, p) FROM (VALUES (1::numeric, '1 mon'::interval), (2, '0 mons')) v(a, p)$$);

-- Moving window: a trailing 3-row MRR per customer equals the same frame
-- recomputed by a self-join, both as a plain aggregate (same value and same
-- display scale) and as the sum of amount / period length.
SELECT count(*) AS frames,
       count(*) FILTER (WHERE w.r IS NOT DISTINCT FROM j.r) AS equal,
       count(*) FILTER (WHERE w.r::text IS NOT DISTINCT FROM j.r::text) AS same_text,
       count(*) FILTER (WHERE (w.r IS NULL AND j.s IS NULL) OR abs(w.r - j.s) < 1e-12) AS close_to_sql
FROM (SELECT customer, month,
             mrr(amount, billing_period) OVER (PARTITION BY customer ORDER BY month ROWS 2 PRECEDING) AS r
      FROM rev_subs) w
JOIN (SELECT a.customer, a.month, mrr(b.amount, b.billing_period) AS r, sum(b.amount / b.period_months) AS s
      FROM rev_subs a JOIN rev_subs b
        ON b.customer IS NOT DISTINCT FROM a.customer
       AND b.month BETWEEN a.month - interval '2 months' AND a.month
      GROUP BY a.customer, a.month) j
  ON j.customer IS NOT DISTINCT FROM w.customer AND j.month = w.month;
SELECT customer, month, amount, billing_period,
       mrr(amount, billing_period) OVER (PARTITION BY customer ORDER BY month ROWS 2 PRECEDING) AS trailing_3
FROM rev_subs WHERE customer IN ('acme', 'globex') ORDER BY customer, month;

-- A longer sequence with mixed periods and scales and NULL stretches (some
-- frames hold no row at all), under two frame sizes.
CREATE TABLE rev_seq AS
SELECT i,
       CASE WHEN i % 17 IN (3, 4, 5, 6, 7) THEN NULL
            ELSE round(((i * 7919) % 1000 - 100)::numeric / (1 + i % 3 * 9), i % 4) END AS amount,
       (ARRAY['1 mon', '3 mons', '1 year', '1 week', '30 days', '2 mons 12:00:00']::interval[])[1 + i % 6] AS p
FROM generate_series(1, 400) AS i;
SELECT f AS preceding, count(*) AS frames,
       count(*) FILTER (WHERE w.r::text IS NOT DISTINCT FROM j.r::text) AS same_text
FROM (VALUES (1), (4), (9)) fr(f),
LATERAL (SELECT i, CASE f WHEN 1 THEN mrr(amount, p) OVER (ORDER BY i ROWS 1 PRECEDING)
                          WHEN 4 THEN mrr(amount, p) OVER (ORDER BY i ROWS 4 PRECEDING)
                          ELSE mrr(amount, p) OVER (ORDER BY i ROWS 9 PRECEDING) END AS r
         FROM rev_seq) w
JOIN LATERAL (SELECT mrr(b.amount, b.p) AS r FROM rev_seq b WHERE b.i BETWEEN w.i - f AND w.i) j ON true
GROUP BY f ORDER BY f;

-- A growing frame (the plain transition function, called again and again
-- on the same state) and a frame reaching ahead, against the same self-join.
SELECT count(*) AS frames, count(*) FILTER (WHERE w.r::text IS NOT DISTINCT FROM j.r::text) AS same_text
FROM (SELECT i, mrr(amount, p) OVER (ORDER BY i) AS r FROM rev_seq) w
JOIN LATERAL (SELECT mrr(b.amount, b.p) AS r FROM rev_seq b WHERE b.i <= w.i) j ON true;
SELECT count(*) AS frames, count(*) FILTER (WHERE w.r::text IS NOT DISTINCT FROM j.r::text) AS same_text
FROM (SELECT i, mrr(amount, p) OVER (ORDER BY i ROWS BETWEEN 3 PRECEDING AND 2 FOLLOWING) AS r FROM rev_seq) w
JOIN LATERAL (SELECT mrr(b.amount, b.p) AS r FROM rev_seq b WHERE b.i BETWEEN w.i - 3 AND w.i + 2) j ON true;
-- GROUP BY and whole-partition windows over the same groups give the same sums.
SELECT count(*) AS groups, count(*) FILTER (WHERE h.m::text = s.m::text) AS identical
FROM (SELECT i % 13 AS g, mrr(amount, p) AS m FROM rev_seq GROUP BY 1) h
JOIN (SELECT g, m FROM (SELECT i % 13 AS g, mrr(amount, p) OVER (PARTITION BY i % 13) AS m FROM rev_seq) x
      GROUP BY g, m) s USING (g);

-- ltv(): arpu x gross_margin / churn_rate, against the same formula in SQL.
SELECT arpu, churn, margin, ltv(arpu, churn, margin) AS ltv,
       ltv(arpu, churn, margin) = arpu * margin::numeric / churn::numeric AS same
FROM (VALUES (50::numeric, 0.05::float8, 0.8::float8), (99.99, 0.02, 0.75), (120, 1, 1),
             (10, 0.3333, 0), (-5, 0.1, 1), (0, 0.5, 0.5)) v(arpu, churn, margin);
SELECT ltv(50, 0.05) AS default_margin, ltv(50, 0.05) = ltv(50, 0.05, 1) AS default_is_1,
       ltv(50, 0) AS churn_zero, ltv(NULL, 0.05) AS null_arpu, ltv(50, NULL) AS null_churn;
SELECT kpi_test.error_of($$SELECT ltv(50, -0.1)$$);
SELECT kpi_test.error_of($$SELECT ltv(50, 1.5)$$);
SELECT kpi_test.error_of($$SELECT ltv(50, 'NaN')$$);
SELECT kpi_test.error_of($$SELECT ltv(50, 'Infinity')$$);
SELECT kpi_test.error_of($$SELECT ltv(50, 0.1, 1.2)$$);
SELECT kpi_test.error_of($$SELECT ltv(50, 0.1, -0.5)$$);
SELECT kpi_test.error_of($$SELECT ltv(50, 0.1, '-Infinity')$$);
SELECT kpi_test.error_of($$SELECT ltv('NaN', 0.1)$$);

-- cac(): spend / new customers.
SELECT spend, n, cac(spend, n) AS cac, cac(spend, n) = spend / n AS same
FROM (VALUES (1000::numeric, 3::bigint), (12500.50, 25), (0, 4), (999999999999.99, 7)) v(spend, n);
SELECT cac(1000, 0) AS no_customers, cac(NULL, 3) AS null_spend, cac(1000, NULL) AS null_customers;
SELECT kpi_test.error_of($$SELECT cac(1000, -1)$$);
SELECT kpi_test.error_of($$SELECT cac(-1000, 10)$$);
SELECT kpi_test.error_of($$SELECT cac('NaN', 10)$$);
SELECT kpi_test.error_of($$SELECT cac('Infinity', 10)$$);

-- cac_payback_months(): cac / (new_mrr x gross_margin).
SELECT c, m, g, cac_payback_months(c, m, g) AS months,
       cac_payback_months(c, m, g) = c::float8 / (m::float8 * g) AS same
FROM (VALUES (300::numeric, 50::numeric, 0.8::float8), (1234.56, 99.99, 0.7), (0, 10, 1), (500, 500, 1)) v(c, m, g);
SELECT cac_payback_months(300, 50) AS default_margin, cac_payback_months(300, 0) AS no_new_mrr,
       cac_payback_months(300, 50, 0) AS zero_margin, cac_payback_months(NULL, 50) AS null_cac;
SELECT kpi_test.error_of($$SELECT cac_payback_months(-1, 50)$$);
SELECT kpi_test.error_of($$SELECT cac_payback_months(300, -50)$$);
SELECT kpi_test.error_of($$SELECT cac_payback_months(300, 50, 2)$$);
SELECT kpi_test.error_of($$SELECT cac_payback_months(300, 'NaN')$$);
SELECT kpi_test.error_of($$SELECT cac_payback_months(1e300, 1e-10, 1e-300)$$);  -- overflows float8: an error, not Infinity
SELECT kpi_test.error_of($$SELECT cac_payback_months(300, 50, 'NaN')$$);

-- ltv_cac_ratio(): per channel, sum(value) / sum(cost) over rows where both
-- are known, against the same sums in SQL; includes a refunded customer
-- (negative value), free customers (cost 0) and a NULL channel.
CREATE TABLE rev_customers (customer int, channel text, ltv numeric, cac numeric);
INSERT INTO rev_customers
SELECT i, (ARRAY['ads', 'seo', 'partners', NULL])[1 + i % 4],
       CASE WHEN i % 13 = 0 THEN NULL WHEN i % 29 = 0 THEN -50 ELSE round((i * 37 % 900 + 100)::numeric * 1.37, 2) END,
       CASE WHEN i % 11 = 0 THEN NULL WHEN i % 4 = 1 THEN 0 ELSE round((i * 53 % 300 + 20)::numeric / 3, 2) END
FROM generate_series(1, 400) AS i;
SELECT channel, ltv_cac_ratio(ltv, cac) AS ratio,
       ltv_cac_ratio(ltv, cac) = (sum(ltv) FILTER (WHERE cac IS NOT NULL))::float8
                                 / nullif(sum(cac) FILTER (WHERE ltv IS NOT NULL), 0)::float8 AS same
FROM rev_customers GROUP BY channel ORDER BY channel;
SELECT ltv_cac_ratio(ltv, cac) AS empty FROM rev_customers WHERE false;
SELECT ltv_cac_ratio(ltv, cac) AS all_cost_zero FROM rev_customers WHERE channel = 'seo';
SELECT ltv_cac_ratio(NULL::numeric, cac) AS all_null FROM rev_customers;
SELECT ltv_cac_ratio(3000, 1000) AS one_row;
SELECT kpi_test.error_of($$SELECT ltv_cac_ratio(v, c) FROM (VALUES (100::numeric, -1::numeric)) x(v, c)$$);
SELECT kpi_test.error_of($$SELECT ltv_cac_ratio('NaN', 10)$$);
SELECT kpi_test.error_of($$SELECT ltv_cac_ratio(10, 'Infinity')$$);
-- The state is a plain numeric[] of two sums; anything else is rejected.
SELECT kpi_test.error_of($$SELECT revenue_pair_combine('{1}', '{1,2}')$$);
SELECT kpi_test.error_of($$SELECT revenue_pair_combine('{1,NULL}', '{1,2}')$$);
SELECT kpi_test.error_of($$SELECT ltv_cac_final('{NaN,1}')$$);
SELECT kpi_test.error_of($$SELECT ltv_cac_final('{1e300,1e-300}')$$);  -- ratio overflows float8: an error, not Infinity
SELECT kpi_test.error_of($$SELECT ltv_cac_ratio(v, c) FROM (VALUES (1e300, 1e-300)) t(v, c)$$);
SELECT kpi_test.error_of($$SELECT retention_final('{1e-300,1e300}')$$);
SELECT revenue_pair_combine('{1.5,2}', '{3,4.25}') AS combined;

-- Net and gross revenue retention: start MRR = January, end MRR = July, per
-- customer, from the fixture (acme 100 -> 90, globex 100 -> 83.33..,
-- initech 100 -> NULL period, hooli, umbrella 0 -> 0).  A missing end month
-- is a churned customer, written coalesce(end, 0) as the docs recommend.
CREATE TABLE rev_nrr AS
SELECT customer,
       (SELECT mrr(amount, billing_period) FROM rev_subs s WHERE s.customer = c.customer AND month = '2026-01-01') AS start_mrr,
       (SELECT mrr(amount, billing_period) FROM rev_subs s WHERE s.customer = c.customer AND month = '2026-07-01') AS end_mrr
FROM (SELECT DISTINCT customer FROM rev_subs WHERE customer IS NOT NULL) c;
INSERT INTO rev_nrr VALUES ('newco', 0, 500), ('gone', 80, 0), ('expander', 40, 100), ('unknown', 60, NULL);
SELECT * FROM rev_nrr ORDER BY customer;
SELECT net_revenue_retention(start_mrr, end_mrr) AS nrr,
       net_revenue_retention(start_mrr, end_mrr)
         = (sum(end_mrr) FILTER (WHERE start_mrr > 0))::float8 / (sum(start_mrr) FILTER (WHERE start_mrr > 0 AND end_mrr IS NOT NULL))::float8 AS nrr_same,
       gross_revenue_retention(start_mrr, end_mrr) AS grr,
       gross_revenue_retention(start_mrr, end_mrr)
         = (sum(least(start_mrr, end_mrr)) FILTER (WHERE start_mrr > 0 AND end_mrr IS NOT NULL))::float8 / (sum(start_mrr) FILTER (WHERE start_mrr > 0 AND end_mrr IS NOT NULL))::float8 AS grr_same,
       net_revenue_retention(start_mrr, coalesce(end_mrr, 0)) AS nrr_missing_is_churn
FROM rev_nrr;
SELECT net_revenue_retention(s, e) AS nrr_only_new, gross_revenue_retention(s, e) AS grr_only_new
FROM (VALUES (0::numeric, 100::numeric), (0, 50)) v(s, e);
SELECT net_revenue_retention(s, e) AS nrr_empty, gross_revenue_retention(s, e) AS grr_empty
FROM (VALUES (1::numeric, 1::numeric)) v(s, e) WHERE false;
SELECT net_revenue_retention(100, 120) AS nrr_one, gross_revenue_retention(100, 120) AS grr_one,
       gross_revenue_retention(100, 70) AS grr_one_down;
SELECT kpi_test.error_of($$SELECT net_revenue_retention(-1, 10)$$);
SELECT kpi_test.error_of($$SELECT gross_revenue_retention(10, -1)$$);
SELECT kpi_test.error_of($$SELECT net_revenue_retention('NaN', 10)$$);
SELECT kpi_test.error_of($$SELECT gross_revenue_retention(10, 'Infinity')$$);

-- mrr_movement() against the plain-SQL definition: lag() for the month
-- before, plus a running bool_or() over the earlier months to tell a new
-- customer from a reactivated one.  NULL MRR counts as 0.
-- initech's credit month nets to -30: MRR is clamped at 0 first, as the
-- error's hint says (a negative MRR is an error, tested below).
CREATE VIEW rev_monthly AS
SELECT customer, month, greatest(mrr(amount, billing_period), 0) AS mrr FROM rev_subs GROUP BY customer, month;
-- A larger random history: 300 customers x 24 months with stretches of 0 and NULL.
CREATE TABLE rev_history AS
SELECT c AS customer, (date '2024-01-01' + m * interval '1 month')::date AS month,
       CASE WHEN (c * 31 + m * 17) % 11 = 0 THEN NULL
            WHEN (c * 7 + m * 5) % 6 = 0 OR m < c % 5 THEN 0
            ELSE ((c * 13 + (m / 3) * 29) % 4 * 25 + 25)::numeric END AS mrr
FROM generate_series(1, 300) AS c, generate_series(0, 23) AS m;
-- Both histories, each row with mrr_movement() and the SQL definition.
CREATE VIEW rev_movement_cmp AS
SELECT src, customer, month, mrr, mrr_movement(mrr) OVER w AS k,
       CASE WHEN coalesce(mrr, 0) > 0 THEN
            CASE WHEN NOT coalesce(bool_or(mrr > 0) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) THEN 'new'
                 WHEN coalesce(lag(mrr) OVER w, 0) > 0 THEN
                      CASE WHEN mrr > lag(mrr) OVER w THEN 'expansion'
                           WHEN mrr < lag(mrr) OVER w THEN 'contraction' ELSE 'flat' END
                 ELSE 'reactivation' END
            WHEN coalesce(lag(mrr) OVER w, 0) > 0 THEN 'churn' END AS s
FROM (SELECT 'fixture' AS src, customer, month, mrr FROM rev_monthly WHERE customer IS NOT NULL
      UNION ALL
      SELECT 'history', customer::text, month, mrr FROM rev_history) h
WINDOW w AS (PARTITION BY src, customer ORDER BY month);
SELECT src, count(*) AS rows, count(*) FILTER (WHERE k IS DISTINCT FROM s) AS differ,
       count(*) FILTER (WHERE k = 'reactivation') > 0 AS has_reactivations
FROM rev_movement_cmp GROUP BY src ORDER BY src;
SELECT customer, month, mrr, k AS movement FROM rev_movement_cmp WHERE src = 'fixture' ORDER BY customer, month;
-- The expected classification of acme, written out by hand.
SELECT array_agg(movement ORDER BY month) IS NOT DISTINCT FROM
       ARRAY['new', 'expansion', 'contraction', 'churn', NULL, 'reactivation', 'flat'] AS acme_as_expected
FROM (SELECT month, mrr_movement(mrr) OVER (ORDER BY month) AS movement
      FROM rev_monthly WHERE customer = 'acme') q;
SELECT k AS movement, count(*) FROM (SELECT mrr_movement(mrr) OVER (PARTITION BY customer ORDER BY month) AS k
                                     FROM rev_history) q GROUP BY k ORDER BY k;
-- One-row partitions, and a partition in descending order (which reads the
-- months backwards, as asked).
SELECT mrr_movement(m) OVER (ORDER BY i) AS one_paid FROM (VALUES (1, 10::numeric)) v(i, m);
SELECT mrr_movement(m) OVER (ORDER BY i) AS one_unpaid FROM (VALUES (1, NULL::numeric)) v(i, m);
SELECT i, mrr_movement(m) OVER (ORDER BY i DESC) AS backwards
FROM (VALUES (1, 10::numeric), (2, 20), (3, 0)) v(i, m) ORDER BY i;
-- Errors: no ORDER BY, two rows for one month, a negative or NaN MRR.
SELECT kpi_test.error_of($$SELECT mrr_movement(m) OVER () FROM (VALUES (1, 10::numeric), (2, 20)) v(i, m)$$);
SELECT kpi_test.error_of($$SELECT mrr_movement(m) OVER (ORDER BY i) FROM (VALUES (1, 10::numeric), (2, 20), (2, 30)) v(i, m)$$);
SELECT kpi_test.error_of($$SELECT mrr_movement(m) OVER (ORDER BY i) FROM (VALUES (1, 10::numeric), (2, -5)) v(i, m)$$);
SELECT kpi_test.error_of($$SELECT mrr_movement(m) OVER (ORDER BY i) FROM (VALUES (1, 'NaN'::numeric)) v(i, m)$$);

-- Serial and forced-parallel plans give identical results.
CREATE TABLE rev_big AS
SELECT i, i % 7 AS g,
       CASE WHEN i % 23 = 0 THEN NULL ELSE round(((i::bigint * 7919) % 50000)::numeric / 100 - 20, 2) END AS amount,
       (ARRAY['1 mon', '3 mons', '1 year', '1 week', '45 days']::interval[])[1 + i % 5] AS p,
       round(((i::bigint * 104729) % 90000)::numeric / 100, 2) AS start_mrr,
       CASE WHEN i % 17 = 0 THEN NULL ELSE round(((i::bigint * 15485863) % 90000)::numeric / 100, 2) END AS end_mrr
FROM generate_series(1, 100000) AS i;
ANALYZE rev_big;
CREATE TEMP TABLE rev_serial AS
SELECT g, mrr(amount, p)::text AS m, ltv_cac_ratio(end_mrr, start_mrr) AS r,
       net_revenue_retention(start_mrr, end_mrr) AS nrr, gross_revenue_retention(start_mrr, end_mrr) AS grr
FROM rev_big GROUP BY g;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE s.m::numeric = x.exact AND abs(s.m::numeric - x.m) < 1e-9 AND abs(s.nrr - x.nrr) < 1e-12 AND abs(s.grr - x.grr) < 1e-12) AS match_sql
FROM rev_serial s
JOIN (SELECT g, sum(amount / CASE p WHEN '1 mon' THEN 1 WHEN '3 mons' THEN 3 WHEN '1 year' THEN 12 END)
                  FILTER (WHERE p IN ('1 mon', '3 mons', '1 year'))
                + coalesce(sum(amount * 30.4375 / 7) FILTER (WHERE p = '1 week'), 0)
                + coalesce(sum(amount * 30.4375 / 45) FILTER (WHERE p = '45 days'), 0) AS m,
             (SELECT sum(rev_sql_monthly(s, u)) FROM (SELECT rev_sql_usecs(b.p) AS u, sum(b.amount) AS s
                                                     FROM rev_big b WHERE b.g = rev_big.g GROUP BY 1) q) AS exact,
             (sum(end_mrr) FILTER (WHERE start_mrr > 0))::float8 / (sum(start_mrr) FILTER (WHERE start_mrr > 0 AND end_mrr IS NOT NULL))::float8 AS nrr,
             (sum(least(start_mrr, end_mrr)) FILTER (WHERE start_mrr > 0 AND end_mrr IS NOT NULL))::float8 / (sum(start_mrr) FILTER (WHERE start_mrr > 0 AND end_mrr IS NOT NULL))::float8 AS grr
      FROM rev_big GROUP BY g) x USING (g);
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT g, mrr(amount, p), ltv_cac_ratio(end_mrr, start_mrr), net_revenue_retention(start_mrr, end_mrr),
       gross_revenue_retention(start_mrr, end_mrr) FROM rev_big GROUP BY g;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE p.m = s.m AND p.r = s.r AND p.nrr = s.nrr AND p.grr = s.grr) AS identical
FROM (SELECT g, mrr(amount, p)::text AS m, ltv_cac_ratio(end_mrr, start_mrr) AS r,
             net_revenue_retention(start_mrr, end_mrr) AS nrr, gross_revenue_retention(start_mrr, end_mrr) AS grr
      FROM rev_big GROUP BY g) p
JOIN rev_serial s USING (g);
EXPLAIN (COSTS OFF) SELECT mrr(amount, p) FROM rev_big;
SELECT mrr(amount, p) = (SELECT sum(rev_sql_monthly(s, u))
                         FROM (SELECT rev_sql_usecs(p) AS u, sum(amount) AS s FROM rev_big GROUP BY 1) q) AS parallel_total_exact,
       abs(mrr(amount, p) - (SELECT sum(m::numeric) FROM rev_serial)) < 1e-9 AS close_to_sum_of_groups
FROM rev_big;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
-- Many distinct billing periods (40,000: one per length in seconds): mrr()
-- equals the per-period conversion in SQL, serial and forced-parallel (the
-- combine merges 40,000 pairs), and a moving frame over a partition with
-- 3,000 periods matches the SQL over each frame.  statement_timeout is a
-- hang guard, not a timing assertion: a linear search per row and per pair
-- took 9 s for the serial query before the fix (0.2 s after).
CREATE TABLE rev_periods AS
SELECT i, (i % 97)::numeric + 0.25 AS amount, make_interval(secs => i) AS p FROM generate_series(1, 40000) i;
CREATE INDEX ON rev_periods (i);
ANALYZE rev_periods;
SET statement_timeout = '5s';
SELECT mrr(amount, p) = (SELECT sum(rev_sql_monthly(amount, i * 1000000::numeric)) FROM rev_periods) AS serial_exact
FROM rev_periods;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT mrr(amount, p) FROM rev_periods;
SELECT mrr(amount, p) = (SELECT sum(rev_sql_monthly(amount, i * 1000000::numeric)) FROM rev_periods) AS parallel_exact
FROM rev_periods;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
SELECT count(*) AS frames,
       count(*) FILTER (WHERE m = (SELECT sum(rev_sql_monthly(r2.amount, r2.i * 1000000::numeric))
                                   FROM rev_periods r2 WHERE r2.i BETWEEN r.i - 9 AND r.i)) AS match_sql
FROM (SELECT i, mrr(amount, p) OVER (ORDER BY i ROWS 9 PRECEDING) AS m FROM rev_periods WHERE i <= 3000) r;
RESET statement_timeout;
-- Direct calls that pass a state through (NULL row, NULL other state, a new
-- customer) still reject an invalid state instead of returning it.
SELECT kpi_test.error_of($$SELECT mrr_accum('{1,Infinity}', 0, NULL)$$);
SELECT kpi_test.error_of($$SELECT mrr_combine('{1,Infinity}', NULL)$$);
SELECT kpi_test.error_of($$SELECT nrr_accum('{NaN,1}', 0, 0)$$);
SELECT mrr_accum('{2629800000000,5}', NULL, NULL) AS passed_through, nrr_accum('{1,2}', 0, 5) AS new_customer_skipped;
