-- The min_group_size sweep (issue 13 §1): every SQL-callable function of the
-- extension, found from the catalog and called with typical arguments
-- (test/hostile.sql), once with pg_kpi.min_group_size = 0 and once with a k
-- larger than any typical group.  A function whose answer is the same non-NULL
-- value both times is not suppressed; the list below, minus summaries and
-- aggregate support functions, is the reviewed set of functions that are not
-- KPIs over a group of people (README, Privacy).  A new KPI that forgets the
-- suppression shows up here.
SET client_min_messages = warning;
\set ECHO none
\i test/hostile.sql
\set ECHO all
SET client_min_messages = warning;
CREATE TEMP TABLE sweep_k0 AS SELECT * FROM kpi_hostile.typical('pg_kpi');
SET pg_kpi.min_group_size = 1000000;
CREATE TEMP TABLE sweep_k AS SELECT * FROM kpi_hostile.typical('pg_kpi');
RESET pg_kpi.min_group_size;
CREATE TEMP VIEW sweep AS
SELECT a.sig, a.form, p.oid AS fn, p.prorettype, a.result AS r0, b.result AS rk, a.state AS s0, b.state AS sk
FROM sweep_k0 a JOIN sweep_k b USING (sig, form) JOIN pg_proc p ON p.oid = to_regprocedure(a.sig);
-- Aggregate support functions (transition, combine, final, moving) and
-- functions returning the extension's own types (summaries) are not KPIs.
CREATE TEMP VIEW sweep_support AS
SELECT s.fn FROM pg_aggregate,
     unnest(ARRAY[aggtransfn, aggcombinefn, aggmtransfn, aggminvtransfn, aggfinalfn, aggmfinalfn]::oid[]) AS s(fn)
WHERE s.fn <> 0;
CREATE TEMP VIEW sweep_types AS
SELECT d.objid AS typ FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi'
WHERE d.classid = 'pg_type'::regclass AND d.deptype = 'e';

-- Many functions answered, and many were suppressed; no call failed.
SELECT count(*) > 200 AS many_calls, count(*) FILTER (WHERE r0 IS DISTINCT FROM rk) > 100 AS many_suppressed,
       count(*) FILTER (WHERE s0 IS NOT NULL OR sk IS NOT NULL) AS errors
FROM sweep;
-- Suppressed scalar calls answer NULL.
SELECT sig, rk FROM sweep
WHERE r0 IS DISTINCT FROM rk AND rk <> '{NULL}' AND NOT (SELECT proretset FROM pg_proc WHERE oid = fn) ORDER BY 1;
-- Not suppressed (reviewed): per-row arithmetic (cac, ltv, usage_ltv,
-- cac_payback_months, cost_per_resolution, response_quality, kpi_grade of a
-- given value), window functions
-- that label rows (session_number, mrr_movement), settings and configuration
-- (relative_accuracy, weights, kpi_grade), a diagnostic (activity_memory_bytes), and the
-- uptime/state accessors (a timeline describes a service, not people).
SELECT sig, form, prorettype::regtype AS returns
FROM sweep
WHERE r0 IS NOT DISTINCT FROM rk AND s0 IS NULL AND sk IS NULL AND r0 <> '{NULL}'
  AND prorettype NOT IN (SELECT typ FROM sweep_types)
  AND fn NOT IN (SELECT fn FROM sweep_support)
ORDER BY 1, 2;
DROP SCHEMA kpi_hostile CASCADE;
RESET client_min_messages;
