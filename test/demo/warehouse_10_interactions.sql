-- Sample warehouse, part 1: ~90 days of AI-assistant interactions and NPS
-- survey answers for three products, generated with a fixed seed.
SELECT setseed(0.2026);

CREATE TABLE products (product text PRIMARY KEY, segment text NOT NULL);
INSERT INTO products VALUES ('assistant', 'smb'), ('copilot', 'enterprise'), ('helpdesk', 'smb');

-- One row per assistant interaction.  Users sign up over the quarter, stay
-- for an exponentially distributed lifetime (mean 40 days), are active on a
-- share of their days (a few power users, many casual ones), and work in
-- sessions of 1-4 interactions a few minutes apart.  Quality improves over the
-- quarter (a model upgrade on day 45), and the enterprise product escalates less.
CREATE TABLE interactions AS
WITH users AS (
    SELECT u AS user_id,
           floor(85 * power(random(), 0.8))::int AS signup_day,
           -40 * ln(1 - random()) AS lifetime_days,
           0.04 + 0.5 * power(random(), 3) AS p_active,
           (ARRAY['assistant', 'copilot', 'helpdesk'])[1 + floor(random() * 3)::int] AS product
    FROM generate_series(1, 4000) AS u
), active_days AS (
    SELECT user_id, product, d AS day
    FROM users, generate_series(signup_day, least(89, signup_day + ceil(lifetime_days)::int)) AS d
    WHERE d = signup_day OR random() < p_active
), sessions AS (
    SELECT user_id, product, day, s, 8 + random() * 13 AS start_hour, 1 + floor(random() * 4)::int AS n_int
    FROM active_days, generate_series(1, 1 + floor(random() * 2)::int) AS s
), base AS (
    SELECT row_number() OVER (ORDER BY user_id, day, s, i) AS id,
           timestamptz '2026-08-01 00:00:00+00' + make_interval(days => day)
             + make_interval(secs => start_hour * 3600 + (i - 1) * (60 + random() * 240)) AS ts,
           user_id, product,
           random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
    FROM sessions, generate_series(1, n_int) AS i
)
SELECT id, ts, user_id, product,
       (ts >= timestamptz '2026-09-15 00:00:00+00') AS after_upgrade,
       r1 < CASE product WHEN 'copilot' THEN 0.88 ELSE 0.80 END
            + CASE WHEN ts >= timestamptz '2026-09-15 00:00:00+00' THEN 0.05 ELSE 0 END AS completed,
       r2 < CASE product WHEN 'helpdesk' THEN 0.12 ELSE 0.06 END AS escalated,
       CASE WHEN r3 < 0.35 THEN r4 < 0.78 + CASE WHEN ts >= timestamptz '2026-09-15 00:00:00+00' THEN 0.08 ELSE 0 END END AS thumbs_up,
       CASE WHEN r3 BETWEEN 0.35 AND 0.45 THEN least(5, 1 + floor(r5 * 5 + 0.8))::int END AS stars,
       r5 < CASE WHEN ts >= timestamptz '2026-09-15 00:00:00+00' THEN 0.015 ELSE 0.03 END AS hallucinated,
       least(1, greatest(0, 0.70 + 0.25 * r4 + CASE WHEN ts >= timestamptz '2026-09-15 00:00:00+00' THEN 0.05 ELSE 0 END))::float8 AS relevance,
       least(1, greatest(0, 0.65 + 0.30 * r1))::float8 AS accuracy,
       least(1, greatest(0, 0.60 + 0.40 * r2))::float8 AS completeness,
       least(1, greatest(0, 0.80 + 0.20 * r3))::float8 AS tone,
       round(exp(6.2 + 0.7 * sqrt(-2 * ln(1 - r2)) * cos(2 * pi() * r5))::numeric, 1)::float8 AS latency_ms
FROM base;
ALTER TABLE interactions ADD PRIMARY KEY (id);

-- NPS survey answers (0-10), roughly 1 in 10 users answer each month.
CREATE TABLE nps_responses AS
SELECT user_id, answered_at, product,
       CASE WHEN random() < 0.03 THEN NULL
            ELSE least(10, greatest(0, round(8.0 + CASE WHEN product = 'copilot' THEN 0.6 ELSE 0 END
                                              + 1.9 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))))::int
       END AS score
FROM (SELECT u AS user_id,
             timestamptz '2026-08-01 00:00:00+00' + random() * interval '90 days' AS answered_at,
             (ARRAY['assistant', 'copilot', 'helpdesk'])[1 + floor(random() * 3)::int] AS product
      FROM generate_series(1, 4000) AS u, generate_series(1, 3) AS m
      WHERE random() < 0.35) AS answers;

ANALYZE products, interactions, nps_responses;
