-- kpi_benchmark and kpi_grade(): the shipped bands against a hand-written table
-- of the KPI guides' thresholds, band boundaries, segments, user rows, errors.
\i test/regress_helpers.sql
\pset null '(null)'

-- Hand-written from the guides (P = AI product metrics, T = therapy platform,
-- R = retention): a value just inside each band and the band expected.
CREATE TEMP TABLE grade_cases (kpi text, segment text, value float8, expected text);
INSERT INTO grade_cases VALUES
  ('dau_mau', 'all', 0.15, 'typical'), ('dau_mau', 'all', 0.25, 'healthy'), ('dau_mau', 'all', 0.60, 'top'),
  ('dau_mau', 'all', 0.40, NULL), ('dau_mau', 'all', 0.05, NULL),
  ('nps', 'all', 20, 'below benchmark'), ('nps', 'all', 45, 'good'), ('nps', 'all', 72, 'best in class'),
  ('nps', 'health', 25, 'below average'), ('nps', 'health', 45, 'average'), ('nps', 'health', 55, 'best in class'),
  ('retention_90d', 'all', 0.45, 'strong'), ('retention_90d', 'all', 0.30, 'below benchmark'),
  ('session_completion', 'all', 0.87, 'strong'), ('session_completion', 'all', 0.80, 'below benchmark'),
  ('session_completion', 'teletherapy', 0.85, 'typical'),
  ('task_completion', 'writing', 0.78, 'on benchmark'), ('task_completion', 'support', 0.55, 'below benchmark'),
  ('task_completion', 'code', 0.50, 'on benchmark'), ('task_completion', 'search', 0.95, 'above benchmark'),
  ('quality_score', 'all', 0.90, 'excellent'), ('quality_score', 'all', 0.80, 'good'),
  ('quality_score', 'all', 0.70, 'needs improvement'),
  ('usat', 'all', 0.85, 'excellent'), ('usat', 'all', 0.75, 'good'), ('usat', 'all', 0.60, 'needs work'),
  ('usat_score', 'all', 4.5, 'excellent'), ('usat_score', 'all', 4.0, 'good'), ('usat_score', 'all', 3.5, 'needs work'),
  ('latency_p95_seconds', 'all', 1.5, 'excellent'), ('latency_p95_seconds', 'all', 3, 'acceptable'),
  ('latency_p95_seconds', 'all', 8, 'poor'),
  ('hallucination_rate', 'all', 0.01, 'meets benchmark'), ('hallucination_rate', 'all', 0.03, 'above benchmark'),
  ('hallucination_rate', 'medical', 0.0005, 'meets benchmark'), ('hallucination_rate', 'legal', 0.01, 'above benchmark'),
  ('hallucination_rate', 'financial', 0.002, 'above benchmark'),
  ('harmful_content_rate', 'all', 0.00005, 'meets benchmark'), ('harmful_content_rate', 'all', 0.001, 'above benchmark'),
  ('escalation_rate', 'support', 0.2, 'typical'), ('escalation_rate', 'sales', 0.5, 'typical'),
  ('escalation_rate', 'docs', 0.05, 'typical'), ('escalation_rate', 'docs', 0.2, NULL),
  ('deflection_rate', 'tier1', 0.8, 'typical'), ('deflection_rate', 'tier2', 0.5, 'typical'),
  ('deflection_rate', 'tier3', 0.2, 'typical'),
  ('first_response_accuracy', 'all', 0.8, 'meets benchmark'), ('first_response_accuracy', 'all', 0.7, 'below benchmark'),
  ('intent_accuracy', 'all', 0.9, 'meets benchmark'), ('intent_accuracy', 'all', 0.8, 'below benchmark'),
  ('repeat_query_rate', 'all', 0.03, 'meets benchmark'), ('repeat_query_rate', 'all', 0.08, 'above benchmark'),
  ('ltv_cac', 'all', 7.5, 'healthy'), ('ltv_cac', 'all', 2, 'below benchmark'),
  ('cac_usd', 'mental_health', 60, 'typical'), ('arpu_usd_month', 'mental_health', 35.71, 'above typical'),
  ('uptime', 'all', 0.9993, 'meets target'), ('uptime', 'all', 0.99, 'below target'),
  ('ticket_resolution_hours', 'all', 25, 'above target'), ('ticket_resolution_hours', 'all', 2.3, 'meets target'),
  ('mrr_growth_mom', 'early', 0.15, 'typical'), ('cac_payback_months', 'smb', 12, 'typical'),
  ('interaction_turns', 'all', 20, 'red flag'), ('interaction_turns', 'all', 3.4, NULL);
SELECT count(*) AS cases, count(*) FILTER (WHERE kpi_grade(kpi, value, segment) IS NOT DISTINCT FROM expected) AS matching
FROM grade_cases;
SELECT kpi, segment, value, expected, kpi_grade(kpi, value, segment) AS got
FROM grade_cases WHERE kpi_grade(kpi, value, segment) IS DISTINCT FROM expected;
-- Every shipped KPI has a case above.
SELECT DISTINCT kpi FROM kpi_benchmark WHERE kpi NOT IN (SELECT kpi FROM grade_cases);
-- Shipped rows: count, all marked shipped, each with its source.
SELECT count(*) AS shipped_rows, count(DISTINCT kpi) AS kpis, bool_and(shipped) AS all_shipped,
       bool_and(source LIKE 'guide %' OR source LIKE 'SPEC %') AS sourced FROM kpi_benchmark;

-- Boundaries: lower inclusive, upper exclusive.
SELECT kpi_grade('quality_score', 0.85) AS at_085, kpi_grade('quality_score', 0.75) AS at_075,
       kpi_grade('quality_score', 0.7499999) AS below_075, kpi_grade('nps', 40) AS nps_40,
       kpi_grade('nps', 50) AS nps_50, kpi_grade('latency_p95_seconds', 2) AS p95_2s,
       kpi_grade('latency_p95_seconds', 5) AS p95_5s, kpi_grade('nps', -100) AS nps_min;
-- The segment defaults to 'all'; an unknown segment falls back to 'all'; a KPI with
-- only segments has no 'all' band (NULL).
SELECT kpi_grade('nps', 45) = kpi_grade('nps', 45, 'all') AS default_all,
       kpi_grade('nps', 45, 'no_such_segment') AS unknown_segment,
       kpi_grade('task_completion', 0.5) AS no_all_segment;
-- NULL in, NULL out (strict).
SELECT kpi_grade('nps', NULL) AS null_value, kpi_grade(NULL, 1) AS null_kpi, kpi_grade('nps', 1, NULL) AS null_segment;

-- Errors: unknown KPI (the message lists the known ones), non-finite values.
SELECT kpi_test.error_of($$SELECT kpi_grade('nsp', 45)$$);
SELECT kpi_test.error_of($$SELECT kpi_grade('nps', 'NaN')$$);
SELECT kpi_test.error_of($$SELECT kpi_grade('nps', 'Infinity')$$);
SELECT kpi_test.error_of($$SELECT kpi_grade('nps', '-Infinity')$$);
-- Inconsistent or non-finite bands are refused by the table.
SELECT kpi_test.error_of($$INSERT INTO kpi_benchmark (kpi, band, lower, upper) VALUES ('x', 'y', 2, 1)$$);
SELECT kpi_test.error_of($$INSERT INTO kpi_benchmark (kpi, band, lower, upper) VALUES ('x', 'y', 'NaN', 1)$$);
SELECT kpi_test.error_of($$INSERT INTO kpi_benchmark (kpi, band, lower, upper) VALUES ('x', 'y', 0, 'Infinity')$$);

-- User rows (in a transaction rolled back at the end, the table is shared).
BEGIN;
-- A new KPI, with a segment.
INSERT INTO kpi_benchmark (kpi, segment, band, lower, upper) VALUES
  ('csat_score', 'all', 'low', NULL, 3.5), ('csat_score', 'all', 'ok', 3.5, NULL),
  ('csat_score', 'premium', 'ok', 4.0, NULL);
SELECT kpi_grade('csat_score', 3.2) AS low, kpi_grade('csat_score', 3.7) AS ok,
       kpi_grade('csat_score', 3.7, 'premium') AS premium_none, kpi_grade('csat_score', 4.1, 'premium') AS premium_ok;
-- A user row replaces the shipped band of the same name; the other shipped bands stay.
UPDATE kpi_benchmark SET upper = 0.25 WHERE kpi = 'dau_mau' AND segment = 'all' AND band = 'healthy';
SELECT kpi_grade('dau_mau', 0.22) AS healthy, kpi_grade('dau_mau', 0.27) AS gap_now,
       kpi_grade('dau_mau', 0.15) AS typical_still, kpi_grade('dau_mau', 0.7) AS top_still;
-- Rows users insert or update are user rows, even if they claim to be shipped.
INSERT INTO kpi_benchmark (kpi, band, lower, upper, shipped) VALUES ('nps', 'stellar', 80, NULL, true);
SELECT kpi, segment, band, lower, upper, source, shipped FROM kpi_benchmark WHERE NOT shipped ORDER BY kpi, segment, band;
-- Overlapping bands: the one with the highest lower bound wins.
SELECT kpi_grade('nps', 85) AS overlapping, kpi_grade('nps', 60) AS below_overlap;
-- A user row with lower = upper hides a shipped band.
INSERT INTO kpi_benchmark (kpi, band, lower, upper) VALUES ('interaction_turns', 'red flag', 0, 0);
SELECT kpi_grade('interaction_turns', 20) AS hidden_band;
ROLLBACK;
SELECT kpi_grade('dau_mau', 0.27) AS restored, count(*) FILTER (WHERE NOT shipped) AS user_rows FROM kpi_benchmark;

-- The table is an extension configuration table dumped without the shipped rows.
SELECT c.relname, x.cond
FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(cfg, cond)
JOIN pg_class c ON c.oid = x.cfg WHERE e.extname = 'pg_kpi';

-- The caller's search_path cannot redirect kpi_grade to another kpi_benchmark.
CREATE SCHEMA grade_trap;
CREATE TABLE grade_trap.kpi_benchmark (kpi text, segment text, band text, lower float8, upper float8, shipped boolean);
INSERT INTO grade_trap.kpi_benchmark VALUES ('nps', 'all', 'trapped', NULL, NULL, false);
SET search_path = grade_trap, public;
SELECT public.kpi_grade('nps', 45) AS not_trapped;
RESET search_path;
DROP SCHEMA grade_trap CASCADE;
-- kpi_grade is STABLE and PARALLEL SAFE, the trigger function PARALLEL SAFE.
SELECT proname, provolatile, proparallel FROM pg_proc WHERE proname IN ('kpi_grade', 'kpi_benchmark_mark_user') ORDER BY 1;
-- Grades on a dashboard: weekly rollups graded per product.
SELECT product, round(q::numeric, 3) AS quality, kpi_grade('quality_score', q) AS grade
FROM (VALUES ('writer', 0.91), ('helpdesk', 0.8), ('coder', 0.62)) v(product, q) ORDER BY product;
