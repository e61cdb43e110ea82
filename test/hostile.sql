-- test/hostile.sql — a catalogue of argument values per SQL type, and drivers
-- that call every SQL-callable function of pg_kpi with them.  Used by the
-- hostile-input tier (test/tiers/reliability_hostile.sh) and by the
-- privileges regress test (sql/privileges.sql).
--
-- The functions to call come from the catalog (pg_proc joined through
-- pg_depend to the extension), so a new family is covered as soon as it is
-- installed; only its new argument types need rows in kpi_hostile.arg_values
-- (a type without rows is reported, never skipped silently).  Excluded:
-- the types' I/O functions (fuzzed by test/tiers/fuzz_summaries.sh) and
-- functions with internal arguments (SQL cannot call them).
--
--   kpi_hostile.functions(ext)        the callable functions, with their kind
--   kpi_hostile.hostile(oid, nrandom) every hostile call of one function, run
--                                     and classified (one row per outcome)
--   kpi_hostile.typical(ext, path)    one call per function with valid
--                                     arguments; the result as text (with
--                                     path: literal arguments, the call run
--                                     under that search_path)
--
-- Expressions may use @extschema@ for the extension's schema.  A value with
-- typical = true is the valid value used for the other arguments while one
-- argument varies; argname / func, when set, restrict a row to arguments of
-- that name / functions of that name.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS kpi_hostile CASCADE;
CREATE SCHEMA kpi_hostile;

CREATE TABLE kpi_hostile.arg_values (
    typ      text NOT NULL,          -- pg_type.typname, or element typname || '[]'
    expr     text NOT NULL,          -- SQL expression (cast to the argument type when used)
    typical  boolean NOT NULL DEFAULT false,
    argname  text,                   -- only for arguments with this name (NULL: any)
    func     text,                   -- only for functions with this name (NULL: any)
    known_bug text,                  -- a value that triggers a known, reported bug in
    known_bug_funcs text             -- the functions matching this regex: left out unless
                                     -- SET kpi_hostile.known_bugs = on (HOSTILE_KNOWN_BUGS=1)
);

INSERT INTO kpi_hostile.arg_values (typ, expr, typical, argname) VALUES
-- boolean
('bool', 'true', true, NULL), ('bool', 'false', false, NULL),
-- integer
('int4', '7', true, NULL), ('int4', '9', true, 'score'), ('int4', '4', true, 'periods'),
('int4', '0', false, NULL), ('int4', '-1', false, NULL), ('int4', '1', false, NULL),
('int4', '10', false, NULL), ('int4', '11', false, NULL), ('int4', '100000', false, NULL),
('int4', '2147483647', false, NULL), ('int4', '-2147483648', false, NULL),
-- bigint
('int8', '10', true, NULL), ('int8', '0', false, NULL), ('int8', '-1', false, NULL),
('int8', '1', false, NULL), ('int8', '9223372036854775807', false, NULL),
('int8', '-9223372036854775808', false, NULL),
-- float8
('float8', '0.5', true, NULL), ('float8', '0.01', true, 'relative_accuracy'), ('float8', '5000', true, 'tuning'),
-- epsilon (privacy): huge, so the releases are deterministic (noise 0 but with probability ~e^-1000000)
('float8', '1e6', true, 'epsilon'),
('float8', '0', false, NULL), ('float8', '''-0''', false, NULL), ('float8', '1', false, NULL),
('float8', '-1', false, NULL), ('float8', '0.95', false, NULL), ('float8', '1.5', false, NULL),
('float8', '0.0001', false, NULL), ('float8', '0.1', false, NULL), ('float8', '1e-300', false, NULL),
('float8', '''4.9e-324''', false, NULL), ('float8', '1e308', false, NULL), ('float8', '-1e308', false, NULL),
('float8', '''NaN''', false, NULL), ('float8', '''Infinity''', false, NULL),
('float8', '''-Infinity''', false, NULL),
-- numeric
('numeric', '100', true, NULL), ('numeric', '0', false, NULL), ('numeric', '-1', false, NULL),
('numeric', '1', false, NULL), ('numeric', '0.001', false, NULL), ('numeric', '1e-1000', false, NULL),
('numeric', '9223372036854775808', false, NULL), ('numeric', '1e100', false, NULL),
('numeric', '''1e131071''', false, NULL), ('numeric', '''-1e131071''', false, NULL),
('numeric', '''1e-16383''', false, NULL), ('numeric', '''NaN''', false, NULL),
('numeric', '''Infinity''', false, NULL), ('numeric', '''-Infinity''', false, NULL),
-- interval
('interval', '''1 month''', true, NULL), ('interval', '''30 minutes''', true, 'idle'),
('interval', '''0''', false, NULL), ('interval', '''-1 month''', false, NULL),
('interval', '''1 microsecond''', false, NULL), ('interval', '''-1 microsecond''', false, NULL),
('interval', '''1 year''', false, NULL), ('interval', '''7 days''', false, NULL),
('interval', '''1 month -30 days''', false, NULL), ('interval', '''-1 month 31 days''', false, NULL),
('interval', '''178000000 years''', false, NULL), ('interval', '''-178000000 years''', false, NULL),
('interval', '''2147483647 days''', false, NULL), ('interval', '''2147483647 months''', false, NULL),
('interval', '''2147483647 months 2147483647 days 2562047788 hours''', false, NULL),
-- date
('date', '''2026-01-15''', true, NULL), ('date', '''2026-01-16''', false, NULL),
('date', '''2000-02-29''', false, NULL), ('date', '''infinity''', false, NULL),
('date', '''-infinity''', false, NULL),

-- timestamptz
('timestamptz', '''2026-01-15 10:00:00+00''', true, NULL),
('timestamptz', '''2026-01-15 09:00:00+00''', false, NULL),
('timestamptz', '''infinity''', false, NULL), ('timestamptz', '''-infinity''', false, NULL),

-- text
('text', '''u1''', true, NULL), ('text', '''on''', true, 'mode'), ('text', '''week''', true, 'granularity'),
('text', '''nps''', true, 'kpi'), ('text', '''all''', true, 'segment'),
('text', '''''', false, NULL), ('text', '''on_or_after''', false, NULL), ('text', '''ON''', false, NULL),
('text', '''day''', false, NULL), ('text', '''month''', false, NULL), ('text', '''year''', false, NULL),
('text', '''garbage''', false, NULL), ('text', 'E''\u00e9t\u00e9''', false, NULL),
('text', 'repeat(''x'', 1000000)', false, NULL),
-- uuid
('uuid', '''a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11''', true, NULL),
('uuid', '''00000000-0000-0000-0000-000000000000''', false, NULL),
('uuid', '''ffffffff-ffff-ffff-ffff-ffffffffffff''', false, NULL),
-- daterange
('daterange', '''[2026-01-01,2026-02-01)''', true, NULL),
('daterange', '''[2026-01-15,2026-01-16)''', false, NULL), ('daterange', '''empty''', false, NULL),
('daterange', '''(,)''', false, NULL), ('daterange', '''[2026-01-01,)''', false, NULL),
('daterange', '''(,2026-01-01)''', false, NULL), ('daterange', '''[-infinity,infinity]''', false, NULL),
('daterange', '''[4713-01-01 BC,5874897-12-31]''', false, NULL),
-- int4[]: retention brackets (day offsets)
('int4[]', '''{1,7,14,30}''', true, NULL), ('int4[]', '''{}''', false, NULL), ('int4[]', '''{NULL}''', false, NULL),
('int4[]', '''{7,1}''', false, NULL), ('int4[]', '''{0,7}''', false, NULL), ('int4[]', '''{-1}''', false, NULL),
('int4[]', '''{{1,7},{14,30}}''', false, NULL), ('int4[]', '''[2:3]={1,7}''', false, NULL),
('int4[]', '''{2147483647}''', false, NULL), ('int4[]', 'array_fill(1, ARRAY[100000])', false, NULL),
('int4[]', '(SELECT array_agg(i) FROM generate_series(1, 100000) i)', false, NULL),
-- float8[]: weights, scores, percentiles
('float8[]', '''{0.25,0.25,0.25,0.25}''', true, NULL), ('float8[]', '''{0.5,0.95,0.99}''', true, 'p'),
('float8[]', '''{}''', false, NULL), ('float8[]', '''{NULL}''', false, NULL),
('float8[]', '''{0.5,NULL,0.5}''', false, NULL), ('float8[]', '''{1}''', false, NULL),
('float8[]', '''{0.5,0.5}''', false, NULL), ('float8[]', '''{0,0.5,1}''', false, NULL),
('float8[]', '''{NaN,0,0,1}''', false, NULL), ('float8[]', '''{Infinity,0,0,0}''', false, NULL),
('float8[]', '''{-Infinity,1,0,0}''', false, NULL), ('float8[]', '''{-0.5,0.5,0.5,0.5}''', false, NULL),
('float8[]', '''{1.5,-0.5}''', false, NULL), ('float8[]', '''{1e308,1e308}''', false, NULL),
('float8[]', '''{{0.5,0.5},{0.5,0.5}}''', false, NULL),
('float8[]', '''[2:5]={0.25,0.25,0.25,0.25}''', false, NULL),
('float8[]', 'array_fill(1.0::float8 / 64, ARRAY[64])', false, NULL),
('float8[]', 'array_fill(1.0::float8 / 65, ARRAY[65])', false, NULL),
('float8[]', 'array_fill(0.5::float8, ARRAY[100000])', false, NULL),
-- bigint[]: lift's state
('int8[]', '''{10,3,10,2}''', true, NULL), ('int8[]', '''{}''', false, NULL),
('int8[]', '''{0,0,0,0}''', false, NULL), ('int8[]', '''{NULL,0,0,0}''', false, NULL),
('int8[]', '''{-1,0,0,0}''', false, NULL), ('int8[]', '''{1,5,1,1}''', false, NULL),
('int8[]', '''{10,-3,10,2}''', false, NULL),
('int8[]', '''{9223372036854775807,9223372036854775807,9223372036854775807,9223372036854775807}''', false, NULL),
('int8[]', '''{1,2,3}''', false, NULL), ('int8[]', '''{{1,2},{3,4}}''', false, NULL),
('int8[]', '''[0:3]={1,1,1,1}''', false, NULL),
('int8[]', 'array_fill(1::bigint, ARRAY[100000])', false, NULL),
-- numeric[]: mrr's {period, sum} pairs and the revenue aggregates' two sums
('numeric[]', '''{2629800000000,100}''', true, NULL), ('numeric[]', '''{}''', false, NULL),
('numeric[]', '''{0,0}''', false, NULL), ('numeric[]', '''{NaN,1}''', false, NULL),
('numeric[]', '''{1,Infinity}''', false, NULL), ('numeric[]', '''{1,2,3}''', false, NULL),
('numeric[]', '''{NULL,1}''', false, NULL), ('numeric[]', '''{-1,5}''', false, NULL),
('numeric[]', '''{1,-5}''', false, NULL), ('numeric[]', '''{1.5,2}''', false, NULL),
('numeric[]', '''{9223372036854775808,1}''', false, NULL), ('numeric[]', '''{{1,2},{3,4}}''', false, NULL),
('numeric[]', '''{2629800000000,1e1000}''', false, NULL), ('numeric[]', '''{1e300,1e-300}''', false, NULL),
('numeric[]', '''{1e-300,1e300}''', false, NULL), ('numeric[]', '''{1e400,1}''', false, NULL),
('numeric[]', '(SELECT array_agg(CASE WHEN x % 2 = 1 THEN 2629800000000 ELSE x END) FROM generate_series(1::numeric, 100000) x)', false, NULL),
-- summaries
('rate_summary', '''(successes=3,trials=10)''', true, NULL),
('rate_summary', '''(successes=0,trials=0)''', false, NULL),
('rate_summary', '''(successes=1,trials=1)''', false, NULL),
('rate_summary', '''(successes=0,trials=9223372036854775807)''', false, NULL),
('rate_summary', '''(successes=9223372036854775807,trials=9223372036854775807)''', false, NULL),
('nps_summary', '''(0=1,1=0,2=0,3=0,4=0,5=0,6=1,7=1,8=0,9=1,10=2)''', true, NULL),
('nps_summary', '''(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)''', false, NULL),
('nps_summary', '''(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=9223372036854775807)''', false, NULL),
('nps_summary', '''(0=9223372036854775807,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=9223372036854775807)''', false, NULL),
('score_summary', '''(responses=2,sum=1,sum_frac=0,weights={0.25,0.25,0.25,0.25})''', true, NULL),
('score_summary', '''(responses=0,sum=0,sum_frac=0,weights={})''', false, NULL),
('score_summary', '''(responses=0,sum=0,sum_frac=0,weights={0.4,0.4,0.1,0.1})''', false, NULL),
('score_summary', '''(responses=1,sum=0,sum_frac=0,weights={0.5,0.5})''', false, NULL),
('score_summary', '''(responses=9223372036854775807,sum=9223372036854775807,sum_frac=4611686018427387903,weights={1})''', false, NULL),
('score_summary', '(SELECT @extschema@.weighted_score_agg(array_fill(0.5::float8, ARRAY[64]), array_fill(1.0::float8 / 64, ARRAY[64])))', false, NULL),
('mean_summary', '(SELECT @extschema@.mean_agg(x / 4.0) FROM generate_series(1, 20) x)', true, NULL),
('mean_summary', '''(count=0,min=0,max=0,sum=0x0,sum_sq=0x0)''', false, NULL),
('mean_summary', '(SELECT @extschema@.mean_agg(3.0::float8))', false, NULL),
('mean_summary', '(SELECT @extschema@.mean_agg(x) FROM (VALUES (4611686018427387392::float8), (-4611686018427387392), (1e-300)) v(x))', false, NULL),
('mean_summary', '''(count=9223372036854775807,min=4611686018427387392,max=4611686018427387392,sum=0x1ffffffffffffeffc0000000000002000000000000000000,sum_sq=0x7ffffffffffff7ff0000000000200fffffffffffffc000000000000000000000000000000000000)''', false, NULL),
('latency_sketch', '(SELECT @extschema@.latency_agg(x / 100.0) FROM generate_series(1, 1000) x)', true, NULL),
('latency_sketch', '(SELECT @extschema@.latency_agg(0))', false, NULL),
('latency_sketch', '(SELECT @extschema@.latency_agg(x, 0.1) FROM generate_series(1, 10) x)', false, NULL),
('latency_sketch', '(SELECT @extschema@.latency_agg(exp(x / 10.0)) FROM generate_series(-7000, 7000) x)', false, NULL),
('latency_sketch', '(SELECT @extschema@.latency_agg(1e300))', false, NULL),
('user_activity', '(SELECT @extschema@.activity_agg(u::bigint, date ''2026-01-01'' + d) FROM generate_series(1, 50) u, generate_series(0, 60, 3) d WHERE (u + d) % 4 = 0)', true, NULL),
('user_activity', '(SELECT @extschema@.activity_agg(1::bigint, date ''2026-01-15''))', false, NULL),
('user_activity', '(SELECT @extschema@.activity_agg(md5(u::text), date ''2000-01-01'' + u * 97) FROM generate_series(1, 300) u)', false, NULL),
('user_activity', '(SELECT @extschema@.activity_agg((-9223372036854775808)::bigint, date ''2000-01-01''))', false, NULL),
('user_activity', '(SELECT @extschema@.activity_agg(9223372036854775807::bigint, date ''5874897-12-31''))', false, NULL);

-- uptime and time in state (src/uptime.c), the MRR bridge (src/mrr_bridge.c).
INSERT INTO kpi_hostile.arg_values (typ, expr, typical, argname) VALUES
('uptime_summary', '(SELECT @extschema@.uptime_agg(timestamptz ''2026-01-15 00:00+00'' + i * interval ''1 minute'', i % 11 <> 4) FROM generate_series(0, 500) i)', true, NULL),
('uptime_summary', '(SELECT @extschema@.heartbeat_agg(timestamptz ''2026-01-15 00:00+00'' + i * interval ''30 seconds'', interval ''45 seconds'') FROM generate_series(0, 500) i WHERE i % 13 <> 0)', false, NULL),
('uptime_summary', '''(kind=probes,pieces={[2026-01-15T10:00:00Z down]})''', false, NULL),
('uptime_summary', '''(kind=probes,pieces={raw[2026-01-15T10:00:00Z up,2026-01-15T11:00:00Z up],[2026-01-16T00:00:00Z down,2026-01-16T01:00:00Z up]})''', false, NULL),
('uptime_summary', '''(kind=probes,pieces={[-4713-11-24T00:00:00Z up,294276-12-31T23:59:59.999999Z down]})''', false, NULL),
('state_summary', '(SELECT @extschema@.state_agg(timestamptz ''2026-01-15 00:00+00'' + i * interval ''1 minute'', (ARRAY[''u1'', ''on'', ''week''])[1 + i % 3]) FROM generate_series(0, 300) i)', true, NULL),
('state_summary', '''(states={"u1"},pieces={[2026-01-15T10:00:00Z 0]})''', false, NULL),
('mrr_bridge', '''(new=3:150.50,expansion=1:20,contraction=1:5,churn=2:60,reactivation=1:30,flat=4:0)''', true, NULL),
('mrr_bridge', '''(new=0:0,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)''', false, NULL),
('mrr_bridge', '''(new=9223372036854775807:99999999999999999999999999999999999999,expansion=0:0,contraction=0:0,churn=1:0.000000000000000000000000000001,reactivation=0:0,flat=0:0)''', false, NULL),
('text', '''new''', true, 'movement'), ('text', '''churn''', false, 'movement'), ('text', '''flat''', false, 'movement'),
('text', '''new''', true, 'kind'), ('text', '''flat''', false, 'kind'),
('text', '''first''', true, 'cohort'), ('text', '''recurring''', false, 'cohort'),
('text', '''monday''', true, 'week_start'), ('text', '''sunday''', false, 'week_start'),
('bytea', '''\x010100a0e3d08c000000''', true, NULL),
('bytea', '''\x''', false, NULL), ('bytea', '''\x0102''', false, NULL),
('bytea', '''\x020100a0e3d08c000000''', false, NULL),
('bytea', '''\x010200a0e3d08c000000''', false, NULL),
('bytea', '''\x010100a0e3d08c000000'' || repeat(''ab'', 12)::bytea', false, NULL),
('tstzrange', '''[2026-01-15 00:00+00,2026-01-16 00:00+00)''', true, NULL),
('tstzrange', '''empty''', false, NULL), ('tstzrange', '''(,)''', false, NULL),
('tstzrange', '''[2026-01-15 10:00+00,2026-01-15 10:00+00]''', false, NULL),
('tstzrange', '''[-infinity,infinity]''', false, NULL),
('tstzrange', '''(2026-01-15 12:00+00,)''', false, NULL);

INSERT INTO kpi_hostile.arg_values (typ, expr, typical, func) VALUES
('score_summary', '''(responses=2,sum=1,sum_frac=0,weights={0.4,0.4,0.1,0.1})''', true, 'quality_accum'),
('score_summary', '''(responses=2,sum=1,sum_frac=0,weights={0.4,0.4,0.1,0.1})''', true, 'quality_discard'),
('float8', '0.01', true, 'latency_accum_alpha'),
('float8', '0.01', true, 'duration_accum_alpha'),
('user_activity', '(SELECT @extschema@.activity_accum(@extschema@.activity_accum(NULL::@extschema@.user_activity, 1::bigint, date ''2026-01-01'', 7), 1::bigint, date ''2026-01-08'', 7))', true, 'activity_retention_rate_final'),
-- uptime, MRR bridge, catalogue: states that fit the typical arguments
('uptime_summary', '(SELECT @extschema@.heartbeat_agg(timestamptz ''2026-01-15 00:00+00'' + i * interval ''30 seconds'', interval ''45 seconds'') FROM generate_series(0, 500) i WHERE i % 13 <> 0)', true, 'heartbeat_accum'),
('text', '''new''', true, 'mrr_bridge_accum'),
('bytea', '''\x010100403d7f5b020000''', true, 'repeat_query_accum'),
('bytea', '''\x010200403d7f5b020000''', true, 'sessions_per_user_accum');

-- Days before 2000-01-01 (negative DateADT) once crashed act_merge_streams()
-- (fixed on main: 6a3c6cd); kept as ordinary values.
INSERT INTO kpi_hostile.arg_values (typ, expr, typical, argname) VALUES
('date', '''4713-01-01 BC''', false, NULL),
('date', '''1999-01-01''', false, NULL),
('timestamptz', '''4713-01-01 00:00:00+00 BC''', false, NULL),
('timestamptz', '''1970-01-01 00:00:00+00''', false, NULL),
('user_activity', '(SELECT @extschema@.activity_agg(7::bigint, date ''1999-01-01''))', false, NULL),
('user_activity', '(SELECT @extschema@.activity_agg((-9223372036854775808)::bigint, date ''4713-01-01 BC''))', false, NULL);
-- The last date and timestamp.  activity_accum() called directly with a
-- summary once built a 268 MB bitmap for a user spanning 2e9 days (left out
-- here as a known bug); user_activity format 2 stores such a user in a few
-- bytes, so they are ordinary values now.
INSERT INTO kpi_hostile.arg_values (typ, expr, typical, argname) VALUES
('date', '''5874897-12-31''', false, NULL),
('timestamptz', '''294276-12-31 23:59:59+00''', false, NULL);

-- The key under which a type's values are listed.
CREATE FUNCTION kpi_hostile.type_key(t oid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN ty.typcategory = 'A' THEN el.typname || '[]' ELSE ty.typname::text END
    FROM pg_catalog.pg_type ty LEFT JOIN pg_catalog.pg_type el ON el.oid = ty.typelem
    WHERE ty.oid = t
$$;

-- Every SQL-callable function of the extension except type I/O and
-- functions with internal (or other pseudo-type) arguments.
CREATE FUNCTION kpi_hostile.functions(ext text DEFAULT 'pg_kpi')
RETURNS TABLE (fn oid, kind "char", sig text, argtypes oid[], argnames text[],
               rettype oid, retset boolean)
LANGUAGE sql STABLE AS $$
    SELECT p.oid, p.prokind, p.oid::regprocedure::text, ARRAY(SELECT unnest(p.proargtypes::oid[])),
           CASE WHEN p.proargnames IS NULL THEN array_fill(''::text, ARRAY[p.pronargs])
                ELSE p.proargnames[1:p.pronargs] END,
           p.prorettype, p.proretset
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                               AND d.deptype = 'e'
    JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = ext
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t
                      WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend,
                                      t.typmodin, t.typmodout, t.typanalyze))
      AND NOT EXISTS (SELECT 1 FROM unnest(p.proargtypes::oid[]) a(t)
                      JOIN pg_catalog.pg_type ty ON ty.oid = a.t WHERE ty.typtype = 'p')
      AND p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype
    ORDER BY p.oid::regprocedure::text
$$;

-- Values for one argument of function proname: the most specific typical
-- value first (func and argname match, then argname, then any), then the rest.
CREATE FUNCTION kpi_hostile.values_for(t oid, arg text, proname text, ext_schema text)
RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT array_agg(replace(v.expr, '@extschema@', quote_ident(ext_schema))
                     ORDER BY v.typical AND v.func IS NOT NULL DESC,
                              v.typical AND v.argname IS NOT NULL DESC,
                              v.typical DESC, v.expr)
    FROM kpi_hostile.arg_values v
    WHERE v.typ = kpi_hostile.type_key(t)
      AND (v.argname IS NULL OR v.argname = arg)
      AND (v.func IS NULL OR v.func = proname)
      AND (v.known_bug IS NULL OR proname !~ v.known_bug_funcs
           OR current_setting('kpi_hostile.known_bugs', true) = 'on')
$$;

-- The SQL text of one call of function fn with argument expressions args
-- (already cast), in one of the forms: 'call' (plain function), 'agg1'
-- (aggregate over the hostile row), 'agg3' (typical, hostile, typical rows),
-- 'moving' (aggregate in a moving window frame), 'window' (window function).
-- The query yields (rows, bad, length) where bad counts NaN/Infinity
-- numbers and length is the longest result's text (so every result is
-- computed and printed), or
-- with as_text the results as one text.
CREATE FUNCTION kpi_hostile.call_sql(fn oid, form text, args text[], typical text[],
                                     as_text boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    f text := (SELECT format('%I.%I', n.nspname, p.proname)
               FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
               WHERE p.oid = fn);
    ret oid := (SELECT prorettype FROM pg_catalog.pg_proc WHERE oid = fn);
    n int := coalesce(array_length(args, 1), 0);
    cols text := (SELECT string_agg('c' || i, ', ') FROM generate_series(1, n) i);
    numeric_result boolean := kpi_hostile.type_key(ret) IN ('float8', 'numeric', 'float8[]', 'numeric[]');
    summary_result boolean := EXISTS (SELECT FROM pg_catalog.pg_depend d
                                      WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = ret
                                        AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e');
    expr text;
    src text;
BEGIN
    IF form = 'call' THEN
        expr := format('%s(%s)', f, array_to_string(args, ', '));
        src := '';
    ELSIF form IN ('agg1', 'agg3', 'moving', 'window') THEN
        expr := format('%s(%s)', f, cols);
        IF form = 'moving' THEN
            expr := expr || ' OVER (ORDER BY i ROWS 1 PRECEDING)';
        ELSIF form = 'window' THEN
            expr := expr || ' OVER (ORDER BY i)';
        END IF;
        IF form = 'agg1' THEN
            src := format(' FROM (VALUES (1, %s)) v(i, %s)', array_to_string(args, ', '), cols);
        ELSE
            src := format(' FROM (VALUES (1, %1$s), (2, %2$s), (3, %1$s), (4, %1$s)) v(i, %3$s)',
                          array_to_string(typical, ', '), array_to_string(args, ', '), cols);
        END IF;
    ELSE
        RAISE EXCEPTION 'unknown call form %', form;
    END IF;
    IF as_text THEN
        RETURN format('SELECT ARRAY(SELECT r::text FROM (SELECT %s AS r%s) s)::text', expr, src);
    END IF;
    -- r must be referenced: an unused subquery output is never computed.
    RETURN format('SELECT count(*), count(*) FILTER (WHERE %s), max(length(r::text)) FROM (SELECT %s AS r%s) s',
                  CASE WHEN numeric_result THEN 'r::text ~* ''(nan|infinity)'''
                       WHEN summary_result THEN format('NOT kpi_hostile.reads_back(r::text, %L)', ret::regtype)
                       ELSE 'false' END,
                  expr, src);
END $$;

-- Does the text form v of a summary read back as type t to the same text?
-- (False, not an error, when the input function rejects it: a summary that
-- an aggregate or function returned must restore from COPY and dumps.)
CREATE FUNCTION kpi_hostile.reads_back(v text, t regtype) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    back text;
BEGIN
    EXECUTE format('SELECT %L::%s::text', v, t) INTO back;
    RETURN back = v;
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END $$;

-- A subquery value (a summary built by an aggregate) evaluated once per
-- session and then given as a literal; other expressions unchanged.
CREATE FUNCTION kpi_hostile.evaluated(expr text, tname text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    lit text;
BEGIN
    IF expr NOT LIKE '(SELECT %' THEN
        RETURN expr;
    END IF;
    IF to_regclass('pg_temp.kpi_hostile_cache') IS NULL THEN
        CREATE TEMP TABLE kpi_hostile_cache (key text PRIMARY KEY, lit text);
    END IF;
    SELECT c.lit INTO lit FROM pg_temp.kpi_hostile_cache c WHERE c.key = expr || '::' || tname;
    IF NOT FOUND THEN
        EXECUTE format('SELECT (%s)::%s::text', expr, tname) INTO lit;
        INSERT INTO pg_temp.kpi_hostile_cache VALUES (expr || '::' || tname, lit);
    END IF;
    RETURN quote_nullable(lit);
END $$;

-- The argument tuples to try for one function: the typical tuple, all NULLs,
-- each argument through all its values (NULL included) with the others
-- typical, and nrandom random tuples.
CREATE FUNCTION kpi_hostile.tuples(fn oid, nrandom int)
RETURNS TABLE (args text[], typical text[]) LANGUAGE plpgsql AS $$
DECLARE
    ext_schema text := (SELECT n.nspname FROM pg_catalog.pg_proc p
                        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = fn);
    proname text := (SELECT p.proname FROM pg_catalog.pg_proc p WHERE p.oid = fn);
    types oid[] := (SELECT ARRAY(SELECT unnest(proargtypes::oid[])) FROM pg_catalog.pg_proc WHERE oid = fn);
    names text[] := (SELECT proargnames FROM pg_catalog.pg_proc WHERE oid = fn);
    nargs int := coalesce(array_length(types, 1), 0);
    lists jsonb := '[]';
    v text[];
    tname text;
    base text[] := '{}';
    nulls text[] := '{}';
    t text[];
BEGIN
    FOR i IN 1..nargs LOOP
        tname := format_type(types[i], NULL);
        v := kpi_hostile.values_for(types[i], coalesce(names[i], ''), proname, ext_schema);
        IF v IS NULL THEN
            RAISE EXCEPTION 'no hostile values for type %', kpi_hostile.type_key(types[i])
                USING ERRCODE = 'KH001';
        END IF;
        v := (SELECT array_agg(format('(%s)::%s', kpi_hostile.evaluated(x, tname), tname) ORDER BY o)
              FROM unnest(v) WITH ORDINALITY u(x, o))
             || format('NULL::%s', tname);
        lists := lists || jsonb_build_array(to_jsonb(v));
        base := base || v[1];
        nulls := nulls || format('NULL::%s', tname);
    END LOOP;
    args := base; typical := base; RETURN NEXT;
    IF nargs = 0 THEN RETURN; END IF;
    args := nulls; RETURN NEXT;
    FOR i IN 1..nargs LOOP
        FOR j IN 2..jsonb_array_length(lists -> (i - 1)) LOOP
            t := base;
            t[i] := lists -> (i - 1) ->> (j - 1);
            args := t; RETURN NEXT;
        END LOOP;
    END LOOP;
    FOR k IN 1..nrandom LOOP
        t := '{}';
        FOR i IN 1..nargs LOOP
            t := t || (lists -> (i - 1) ->> floor(random() * jsonb_array_length(lists -> (i - 1)))::int);
        END LOOP;
        args := t; RETURN NEXT;
    END LOOP;
END $$;

-- Run every hostile call of one function.  One row per call form and
-- outcome: 'returned', the SQLSTATE of an error, 'bad result' (a NaN or
-- infinite number, or a summary whose text form does not read back to the
-- same value), or 'setup' (no values for an argument type).  Errors are
-- acceptable when their SQLSTATE is of class 22 (data exception) or 54000.
CREATE FUNCTION kpi_hostile.hostile(fn oid, nrandom int DEFAULT 20)
RETURNS TABLE (form text, outcome text, calls bigint, acceptable boolean, example text)
LANGUAGE plpgsql AS $$
DECLARE
    kind "char" := (SELECT prokind FROM pg_catalog.pg_proc WHERE oid = fn);
    forms text[] := CASE kind WHEN 'a' THEN ARRAY['agg1', 'agg3', 'moving']
                              WHEN 'w' THEN ARRAY['window'] ELSE ARRAY['call'] END;
    tup record;
    q text;
    nrows bigint;
    nbad bigint;
    nlen bigint;
    st text;
    msg text;
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS kpi_hostile_outcomes (form text, outcome text, example text);
    TRUNCATE kpi_hostile_outcomes;
    BEGIN
        FOR tup IN SELECT * FROM kpi_hostile.tuples(fn, nrandom) LOOP
            FOREACH form IN ARRAY forms LOOP
                q := kpi_hostile.call_sql(fn, form, tup.args, tup.typical);
                BEGIN
                    EXECUTE q INTO nrows, nbad, nlen;
                    INSERT INTO kpi_hostile_outcomes
                    VALUES (form, CASE WHEN nbad > 0 THEN 'bad result' ELSE 'returned' END, left(q, 600));
                EXCEPTION WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
                    INSERT INTO kpi_hostile_outcomes VALUES (form, st, left(msg || ' -- ' || q, 600));
                END;
            END LOOP;
        END LOOP;
    EXCEPTION WHEN SQLSTATE 'KH001' THEN
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
        INSERT INTO kpi_hostile_outcomes VALUES ('-', 'setup', msg);
    END;
    RETURN QUERY
        SELECT o.form, o.outcome, count(*),
               o.outcome = 'returned' OR o.outcome LIKE '22%' OR o.outcome = '54000',
               min(o.example)
        FROM kpi_hostile_outcomes o GROUP BY o.form, o.outcome ORDER BY 1, 2;
END $$;

-- One call of every function with typical (valid) arguments, as text, or
-- the error.  Functions are called schema-qualified.
CREATE FUNCTION kpi_hostile.typical(ext text DEFAULT 'pg_kpi', exec_path text DEFAULT NULL)
RETURNS TABLE (sig text, form text, result text, state text, message text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    f record;
    tup record;
    q text;
    v text;
    t text;
    lit text[];
BEGIN
    FOR f IN SELECT * FROM kpi_hostile.functions(ext) LOOP
        sig := f.sig;
        form := CASE f.kind WHEN 'a' THEN 'agg3' WHEN 'w' THEN 'window' ELSE 'call' END;
        result := NULL; state := NULL; message := NULL;
        BEGIN
            SELECT * INTO tup FROM kpi_hostile.tuples(f.fn, 0) LIMIT 1;
            IF exec_path IS NOT NULL THEN
                -- Arguments as literals, so that the call under exec_path
                -- runs no operator or function other than the one tested.
                lit := '{}';
                FOREACH q IN ARRAY tup.args LOOP
                    EXECUTE format('SELECT (%s)::text, pg_typeof(%s)::text', q, q) INTO v, t;
                    lit := lit || format('%s::%s', quote_nullable(v), t);
                END LOOP;
                q := kpi_hostile.call_sql(f.fn, form, lit, lit, true);
                PERFORM pg_catalog.set_config('search_path', exec_path, true);
                EXECUTE q INTO result;
                PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
            ELSE
                q := kpi_hostile.call_sql(f.fn, form, tup.args, tup.typical, true);
                EXECUTE q INTO result;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
        END;
        RETURN NEXT;
    END LOOP;
END $$;
RESET client_min_messages;

-- Calls that must fail with a given SQLSTATE (inconsistent input that would
-- otherwise give a silently wrong number).  @extschema@ as above.
CREATE TABLE kpi_hostile.expectations (call text NOT NULL, sqlstate text NOT NULL);
INSERT INTO kpi_hostile.expectations VALUES
('@extschema@.lift_final(''{10,11,10,2}'')', '22023'),        -- successes > trials
('@extschema@.lift_final(''{-10,-3,10,2}'')', '22023'),       -- negative counts
('@extschema@.lift_combine(''{10,3,10,2}'', ''{1,5,1,1}'')', '22023'),
('@extschema@.lift_accum(''{0,0,-1,0}'', true, false)', '22023'),
('@extschema@.mrr_final(''{2629800000000,1,2629800000000}'')', '22023'),
('@extschema@.mrr_final(''{-1,1}'')', '22023'),                    -- negative period
('@extschema@.mrr_final(''{0,1,0,1}'')', '22023'),                 -- two row counts (pg_kpi.min_group_size)
('@extschema@.mrr_final(''{0,-1}'')', '22023'),                    -- negative row count
('@extschema@.ltv_cac_final(''{1,2,3,4}'')', '22023'),             -- sums and a row count, not more
('@extschema@.ltv_cac_final(''{1,2,0.5}'')', '22023'),             -- fractional row count
('@extschema@.retention_final(''{NaN,1}'')', '22023'),
('@extschema@.ltv_cac_final(''{1e300,1e-300}'')', '22003'),       -- ratio overflows float8
('@extschema@.cac_payback_months(100, 100, ''4.9e-324'')', '22003'),
('@extschema@.rate_combine(''(successes=9223372036854775807,trials=9223372036854775807)'', ''(successes=1,trials=1)'')', '22003'),
('@extschema@.nps_combine(''(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=9223372036854775807)'', ''(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=1)'')', '22003'),
('''(0=9223372036854775807,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=9223372036854775807)''::@extschema@.nps_summary', '22P02'),
('@extschema@.weighted_score_agg(array_fill(0.5::float8, ARRAY[65]), array_fill(1.0::float8 / 65, ARRAY[65]))', '54000');

-- Run the expectations: one row per call with what happened.
CREATE FUNCTION kpi_hostile.check_expectations(ext text DEFAULT 'pg_kpi')
RETURNS TABLE (call text, expected text, got text, message text)
LANGUAGE plpgsql AS $$
DECLARE
    ext_schema text := (SELECT n.nspname FROM pg_catalog.pg_extension e
                        JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = ext);
    r record;
    res text;
BEGIN
    FOR r IN SELECT * FROM kpi_hostile.expectations LOOP
        call := replace(r.call, '@extschema@', quote_ident(ext_schema));
        expected := r.sqlstate;
        message := NULL;
        BEGIN
            EXECUTE 'SELECT (' || call || ')::text' INTO res;
            got := 'returned';
            message := res;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS got = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
        END;
        RETURN NEXT;
    END LOOP;
END $$;
