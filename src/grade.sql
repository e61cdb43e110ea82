-- Benchmark grades (SPEC §10): the kpi_benchmark configuration table, shipped
-- with the bands of the KPI guides, and kpi_grade().  Rates are fractions in
-- [0, 1] (0.25 = 25%); a band holds lower <= value < upper (NULL = unbounded).
-- A user row replaces the shipped row of the same kpi, segment and band (one
-- with lower = upper hides it).

CREATE TABLE kpi_benchmark (
    kpi     text    NOT NULL,
    segment text    NOT NULL DEFAULT 'all',
    band    text    NOT NULL,
    lower   float8,
    upper   float8,
    source  text    NOT NULL DEFAULT 'user',
    shipped boolean NOT NULL DEFAULT false,
    UNIQUE (kpi, segment, band, shipped),
    CHECK (lower IS NULL OR upper IS NULL OR lower <= upper),
    CHECK (lower IS NULL OR lower = lower AND lower > '-Infinity' AND lower < 'Infinity'),
    CHECK (upper IS NULL OR upper = upper AND upper > '-Infinity' AND upper < 'Infinity')
);
COMMENT ON TABLE kpi_benchmark IS
    'benchmark bands per KPI and segment (lower <= value < upper); add or change rows freely: pg_dump keeps user rows';

INSERT INTO kpi_benchmark (kpi, segment, band, lower, upper, source, shipped) VALUES
-- Guide R (retention KPIs for AI platforms)
('dau_mau', 'all', 'typical', 0.10, 0.20, 'guide R: most platforms 10-20%', true),
('dau_mau', 'all', 'healthy', 0.20, 0.30, 'guide R: healthy 20-30%', true),
('dau_mau', 'all', 'top', 0.50, NULL, 'guide R: top performers above 50%', true),
('nps', 'all', 'below benchmark', -100, 40, 'guide T: 40 is good', true),
('nps', 'all', 'good', 40, 50, 'guide T: 40 good; SPEC: > 40 good', true),
('nps', 'all', 'best in class', 50, NULL, 'guide T: best in class above 50', true),
-- Guide T (AI therapy platform)
('nps', 'health', 'below average', -100, 30, 'guide T: digital health average 30-50', true),
('nps', 'health', 'average', 30, 50, 'guide T: digital health average 30-50', true),
('nps', 'health', 'best in class', 50, NULL, 'guide T: best in class above 50', true),
('retention_90d', 'all', 'below benchmark', 0, 0.40, 'guide T: 90-day retention above 40%', true),
('retention_90d', 'all', 'strong', 0.40, NULL, 'guide T: 90-day retention above 40%', true),
('session_completion', 'all', 'below benchmark', 0, 0.85, 'guide T: above 85% is strong', true),
('session_completion', 'all', 'strong', 0.85, NULL, 'guide T: above 85% is strong', true),
('session_completion', 'teletherapy', 'below typical', 0, 0.80, 'guide T: teletherapy 80-90%', true),
('session_completion', 'teletherapy', 'typical', 0.80, 0.90, 'guide T: teletherapy 80-90%', true),
('session_completion', 'teletherapy', 'above typical', 0.90, NULL, 'guide T: teletherapy 80-90%', true),
('ltv_cac', 'all', 'below benchmark', NULL, 3, 'guide T: LTV:CAC of 3:1 or higher', true),
('ltv_cac', 'all', 'healthy', 3, NULL, 'guide T: LTV:CAC of 3:1 or higher', true),
('cac_usd', 'mental_health', 'below typical', 0, 30, 'guide T: mental health apps $30-100', true),
('cac_usd', 'mental_health', 'typical', 30, 100, 'guide T: mental health apps $30-100', true),
('cac_usd', 'mental_health', 'above typical', 100, NULL, 'guide T: mental health apps $30-100', true),
('arpu_usd_month', 'mental_health', 'below typical', 0, 8, 'guide T: top mental health apps $8-20/month', true),
('arpu_usd_month', 'mental_health', 'typical', 8, 20, 'guide T: top mental health apps $8-20/month', true),
('arpu_usd_month', 'mental_health', 'above typical', 20, NULL, 'guide T: top mental health apps $8-20/month', true),
('uptime', 'all', 'below target', 0, 0.999, 'guide T: aim for above 99.9%', true),
('uptime', 'all', 'meets target', 0.999, NULL, 'guide T: aim for above 99.9%', true),
('ticket_resolution_hours', 'all', 'meets target', 0, 24, 'guide T: under 24 hours', true),
('ticket_resolution_hours', 'all', 'above target', 24, NULL, 'guide T: under 24 hours', true),
('mrr_growth_mom', 'early', 'below typical', NULL, 0.10, 'guide T: 10-20% month over month early on', true),
('mrr_growth_mom', 'early', 'typical', 0.10, 0.20, 'guide T: 10-20% month over month early on', true),
('mrr_growth_mom', 'early', 'above typical', 0.20, NULL, 'guide T: 10-20% month over month early on', true),
('cac_payback_months', 'smb', 'typical', 6, 18, 'SPEC 10: 6-18 months for SMB', true),
-- Guide P (AI product metrics)
('task_completion', 'writing', 'below benchmark', 0, 0.70, 'guide P: writing assistants 70-85%', true),
('task_completion', 'writing', 'on benchmark', 0.70, 0.85, 'guide P: writing assistants 70-85%', true),
('task_completion', 'writing', 'above benchmark', 0.85, NULL, 'guide P: writing assistants 70-85%', true),
('task_completion', 'support', 'below benchmark', 0, 0.60, 'guide P: customer support 60-75%', true),
('task_completion', 'support', 'on benchmark', 0.60, 0.75, 'guide P: customer support 60-75%', true),
('task_completion', 'support', 'above benchmark', 0.75, NULL, 'guide P: customer support 60-75%', true),
('task_completion', 'code', 'below benchmark', 0, 0.40, 'guide P: code generators 40-60%', true),
('task_completion', 'code', 'on benchmark', 0.40, 0.60, 'guide P: code generators 40-60%', true),
('task_completion', 'code', 'above benchmark', 0.60, NULL, 'guide P: code generators 40-60%', true),
('task_completion', 'search', 'below benchmark', 0, 0.80, 'guide P: search/Q&A 80-90%', true),
('task_completion', 'search', 'on benchmark', 0.80, 0.90, 'guide P: search/Q&A 80-90%', true),
('task_completion', 'search', 'above benchmark', 0.90, NULL, 'guide P: search/Q&A 80-90%', true),
('quality_score', 'all', 'needs improvement', 0, 0.75, 'guide P: below 0.75 needs improvement', true),
('quality_score', 'all', 'good', 0.75, 0.85, 'guide P: 0.75-0.85 good', true),
('quality_score', 'all', 'excellent', 0.85, NULL, 'guide P: above 0.85 excellent', true),
('usat', 'all', 'needs work', 0, 0.70, 'guide P: below 70% positive needs work', true),
('usat', 'all', 'good', 0.70, 0.80, 'guide P: 70-80% positive good', true),
('usat', 'all', 'excellent', 0.80, NULL, 'guide P: above 80% thumbs up excellent', true),
('usat_score', 'all', 'needs work', NULL, 3.8, 'guide P: below 3.8/5 needs work', true),
('usat_score', 'all', 'good', 3.8, 4.2, 'guide P: 3.8-4.2/5 good', true),
('usat_score', 'all', 'excellent', 4.2, NULL, 'guide P: above 4.2/5 excellent', true),
('latency_p95_seconds', 'all', 'excellent', 0, 2, 'guide P: P95 below 2 s excellent', true),
('latency_p95_seconds', 'all', 'acceptable', 2, 5, 'guide P: P95 2-5 s acceptable', true),
('latency_p95_seconds', 'all', 'poor', 5, NULL, 'guide P: P95 above 5 s poor', true),
('hallucination_rate', 'all', 'meets benchmark', 0, 0.02, 'guide P: below 2% for non-critical uses', true),
('hallucination_rate', 'all', 'above benchmark', 0.02, NULL, 'guide P: below 2% for non-critical uses', true),
('hallucination_rate', 'medical', 'meets benchmark', 0, 0.001, 'guide P: below 0.1% for medical/legal/financial', true),
('hallucination_rate', 'medical', 'above benchmark', 0.001, NULL, 'guide P: below 0.1% for medical/legal/financial', true),
('hallucination_rate', 'legal', 'meets benchmark', 0, 0.001, 'guide P: below 0.1% for medical/legal/financial', true),
('hallucination_rate', 'legal', 'above benchmark', 0.001, NULL, 'guide P: below 0.1% for medical/legal/financial', true),
('hallucination_rate', 'financial', 'meets benchmark', 0, 0.001, 'guide P: below 0.1% for medical/legal/financial', true),
('hallucination_rate', 'financial', 'above benchmark', 0.001, NULL, 'guide P: below 0.1% for medical/legal/financial', true),
('harmful_content_rate', 'all', 'meets benchmark', 0, 0.0001, 'guide P: below 0.01%', true),
('harmful_content_rate', 'all', 'above benchmark', 0.0001, NULL, 'guide P: below 0.01%', true),
('escalation_rate', 'support', 'typical', 0.15, 0.30, 'guide P: support 15-30%', true),
('escalation_rate', 'sales', 'typical', 0.40, 0.60, 'guide P: sales 40-60%', true),
('escalation_rate', 'docs', 'typical', 0, 0.10, 'guide P: docs below 10%', true),
('deflection_rate', 'tier1', 'typical', 0.70, 0.85, 'guide P: tier 1 (simple) support 70-85%', true),
('deflection_rate', 'tier2', 'typical', 0.40, 0.60, 'guide P: tier 2 (moderate) 40-60%', true),
('deflection_rate', 'tier3', 'typical', 0.10, 0.25, 'guide P: tier 3 (complex) 10-25%', true),
('first_response_accuracy', 'all', 'below benchmark', 0, 0.75, 'guide P: above 75%', true),
('first_response_accuracy', 'all', 'meets benchmark', 0.75, NULL, 'guide P: above 75%', true),
('intent_accuracy', 'all', 'below benchmark', 0, 0.85, 'guide P: above 85%', true),
('intent_accuracy', 'all', 'meets benchmark', 0.85, NULL, 'guide P: above 85%', true),
('repeat_query_rate', 'all', 'meets benchmark', 0, 0.05, 'guide P: below 5%', true),
('repeat_query_rate', 'all', 'above benchmark', 0.05, NULL, 'guide P: below 5%', true),
('interaction_turns', 'all', 'red flag', 15, NULL, 'guide P: above 15 turns suggests the AI is struggling', true);

-- Everyone may read the bands (kpi_grade reads them with the caller's rights);
-- the owner of the extension changes them.
GRANT SELECT ON kpi_benchmark TO PUBLIC;

-- pg_dump keeps the rows users add or change, not the shipped ones (which
-- CREATE EXTENSION recreates), so a restore does not duplicate them.
SELECT pg_catalog.pg_extension_config_dump('kpi_benchmark', 'WHERE NOT shipped');

CREATE FUNCTION kpi_benchmark_mark_user() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION kpi_benchmark_mark_user() IS
    'marks rows inserted or updated by users as user rows (shipped = false), so pg_dump keeps them';
CREATE TRIGGER kpi_benchmark_user_rows BEFORE INSERT OR UPDATE ON kpi_benchmark
    FOR EACH ROW EXECUTE FUNCTION kpi_benchmark_mark_user();

CREATE FUNCTION kpi_grade(kpi text, value float8, segment text DEFAULT 'all') RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi_grade(text, float8, text) IS
    'benchmark band of a KPI value from kpi_benchmark (NULL if no band applies)';
