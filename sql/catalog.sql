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
