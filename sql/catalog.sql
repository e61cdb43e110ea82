-- Catalog checks over every object the extension creates, so that a new
-- aggregate or function cannot silently break parallel query, Citus
-- pushdown (SPEC 1.3) or the security rules.  Each query lists violations
-- and must return no rows.
CREATE TEMP VIEW kpi_functions AS
SELECT p.oid, p.oid::regprocedure AS func, p.prokind, p.proparallel, p.prosecdef, p.provolatile
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi';

-- The extension creates aggregates at all (guards the checks below).
SELECT count(*) > 10 AS has_aggregates FROM kpi_functions WHERE prokind = 'a';

-- Every aggregate: a combine function, PARALLEL SAFE, a plain (not ordered-set) aggregate.
SELECT func, a.aggcombinefn, f.proparallel, a.aggkind
FROM kpi_functions f JOIN pg_aggregate a ON a.aggfnoid = f.oid
WHERE a.aggcombinefn = 0 OR f.proparallel <> 's' OR a.aggkind <> 'n';

-- Every aggregate's state type is concrete: not internal or any other pseudo-type,
-- and it has text input and output functions (Citus ships partial states as text).
SELECT func, a.aggtranstype::regtype, t.typtype
FROM kpi_functions f JOIN pg_aggregate a ON a.aggfnoid = f.oid JOIN pg_type t ON t.oid = a.aggtranstype
WHERE t.typtype = 'p' OR t.typinput = 0 OR t.typoutput = 0;

-- Every aggregate's argument types are concrete (no anyelement etc.).
SELECT func, t.oid::regtype
FROM kpi_functions f JOIN pg_proc p ON p.oid = f.oid, unnest(p.proargtypes) AS arg(typ)
JOIN pg_type t ON t.oid = arg.typ
WHERE f.prokind = 'a' AND t.typtype = 'p';

-- Support functions (transition, combine, final, inverse) are PARALLEL SAFE too.
SELECT f.func, s.fn::regprocedure
FROM kpi_functions f JOIN pg_aggregate a ON a.aggfnoid = f.oid,
     LATERAL (VALUES (a.aggtransfn), (a.aggfinalfn), (a.aggcombinefn), (a.aggmtransfn),
                     (a.aggminvtransfn), (a.aggmfinalfn)) AS s(fn)
JOIN pg_proc p ON p.oid = s.fn
WHERE s.fn <> 0 AND p.proparallel <> 's';

-- No function is SECURITY DEFINER, and every function is PARALLEL SAFE.
SELECT func FROM kpi_functions WHERE prosecdef OR proparallel <> 's';

-- Every summary type created by the extension has binary send and receive.
SELECT t.oid::regtype
FROM pg_type t
JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi'
WHERE t.typtype = 'b' AND (t.typsend = 0 OR t.typreceive = 0);

-- Citus ships partial aggregation states between nodes as text: every state
-- type must print and read back exactly.  Each type an aggregate uses as its
-- STYPE gets a sample value built by that family's *_agg (a type without a
-- sample here is listed, so a new summary type cannot skip this check); the
-- sample must survive text output -> input -> output unchanged, and so must
-- its rollup() (the combined state).  Samples are SQL text, so this file does
-- not mention types that a build lacks.
CREATE TEMP TABLE kpi_state_samples (typ text PRIMARY KEY, sample_sql text NOT NULL);
INSERT INTO kpi_state_samples VALUES
  ('rate_summary',   'SELECT rate_agg(i % 3 = 0) FROM generate_series(1, 1000) i'),
  ('nps_summary',    'SELECT nps_agg(i % 11) FROM generate_series(1, 999) i'),
  ('score_summary',  'SELECT quality_agg(i / 1000.0, 0.5, 1 - i / 1000.0, 0.3) FROM generate_series(1, 1000) i'),
  ('latency_sketch', 'SELECT latency_agg(exp(i / 100.0)) FROM generate_series(0, 2000) i'),
  ('user_activity',  'SELECT activity_agg(i % 97, date ''2026-01-01'' + i % 45) FROM generate_series(1, 3000) i'),
  ('mean_summary',   'SELECT mean_agg((i - 500) / 7.0) FROM generate_series(1, 1000) i'),
  ('uptime_summary', 'SELECT uptime_agg(timestamptz ''2026-01-01 00:00+00'' + i * interval ''61 seconds'', i % 17 <> 3) FROM generate_series(1, 2000) i'),
  ('mrr_bridge',     'SELECT mrr_bridge_agg((ARRAY[''new'', ''expansion'', ''contraction'', ''churn'', ''reactivation'', ''flat''])[1 + i % 6], CASE WHEN i % 6 IN (2, 3) THEN -i * 1.25 WHEN i % 6 = 5 THEN 0 ELSE i * 1.25 END) FROM generate_series(1, 600) i'),
  ('state_summary',  'SELECT state_agg(timestamptz ''2026-01-01 00:00+00'' + i * interval ''7 minutes'', (ARRAY[''open'', ''pending'', ''resolved''])[1 + i % 3]) FROM generate_series(1, 500) i');
CREATE FUNCTION pg_temp.state_text_roundtrips(typ regtype, sample_sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    ok boolean;
BEGIN
    EXECUTE format('SELECT s IS NOT NULL AND s::text = s::text::%1$s::text
                           AND (SELECT rollup(x) FROM (VALUES (s), (s)) v(x))::text
                               = (SELECT rollup(x) FROM (VALUES (s), (s)) v(x))::text::%1$s::text
                    FROM (%2$s) q(s)', typ, sample_sql) INTO ok;
    RETURN CASE WHEN ok THEN 'round-trips' ELSE 'differs' END;
EXCEPTION WHEN OTHERS THEN
    RETURN 'error: ' || SQLERRM;
END $$;
SELECT DISTINCT a.aggtranstype::regtype AS state_type,
       CASE WHEN s.typ IS NULL THEN 'no sample in sql/catalog.sql'
            ELSE pg_temp.state_text_roundtrips(a.aggtranstype::regtype, s.sample_sql) END AS problem
FROM kpi_functions f
JOIN pg_aggregate a ON a.aggfnoid = f.oid
JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = a.aggtranstype AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi'
LEFT JOIN kpi_state_samples s ON s.typ = a.aggtranstype::regtype::text
WHERE s.typ IS NULL OR pg_temp.state_text_roundtrips(a.aggtranstype::regtype, s.sample_sql) <> 'round-trips';

-- The check above covers every extension-owned state type in this build.
SELECT count(DISTINCT a.aggtranstype) >= 3 AS has_summary_states
FROM kpi_functions f JOIN pg_aggregate a ON a.aggfnoid = f.oid
JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = a.aggtranstype AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi';
