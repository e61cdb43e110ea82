-- Privileges and schemas (issue 7.6).  Runs in its own database and roles
-- (the regress database has pg_kpi preloaded in public), and removes them.
-- Every function is found from the catalog and called with valid arguments
-- (test/hostile.sql), so new families are covered without editing this file.
SET client_min_messages = warning;
SELECT current_database() AS regress_db, current_user AS regress_su \gset

-- Every SQL or PL/pgSQL function of the extension pins its name resolution:
-- a SET search_path clause, or a BEGIN ATOMIC body (bound at creation).
-- Lists the unpinned ones: none.
SELECT p.oid::regprocedure AS unpinned
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi'
JOIN pg_language l ON l.oid = p.prolang
WHERE l.lanname NOT IN ('c', 'internal')
  AND p.prosqlbody IS NULL
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%');

-- No function is SECURITY DEFINER, and none is LEAKPROOF (only a superuser
-- may vouch for that).
SELECT p.oid::regprocedure AS definer_or_leakproof
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi'
WHERE p.prosecdef OR p.proleakproof;

-- The control file: trusted and relocatable, for every installable version.
SELECT name, version, trusted, relocatable, superuser FROM pg_available_extension_versions WHERE name = 'pg_kpi' ORDER BY version;

DROP DATABASE IF EXISTS regress_kpi_priv;
DROP ROLE IF EXISTS regress_kpi_owner;
DROP ROLE IF EXISTS regress_kpi_user;
DROP ROLE IF EXISTS regress_kpi_attacker;
CREATE ROLE regress_kpi_owner LOGIN;      -- has CREATE on the database: installs pg_kpi
CREATE ROLE regress_kpi_user LOGIN;       -- only uses it
CREATE ROLE regress_kpi_attacker LOGIN;   -- plants objects on others' search_path
CREATE DATABASE regress_kpi_priv;
GRANT CREATE ON DATABASE regress_kpi_priv TO regress_kpi_owner, regress_kpi_attacker;

-- Without CREATE on the database, a non-superuser cannot install it.
\c regress_kpi_priv regress_kpi_user
SET client_min_messages = warning;
CREATE EXTENSION pg_kpi;

-- A non-superuser with CREATE installs the trusted extension into a schema.
\c regress_kpi_priv regress_kpi_owner
SET client_min_messages = warning;
SELECT rolsuper FROM pg_roles WHERE rolname = current_user;
CREATE SCHEMA analytics;
CREATE EXTENSION pg_kpi SCHEMA analytics;
SELECT extname, extowner::regrole, extnamespace::regnamespace, extrelocatable
FROM pg_extension WHERE extname = 'pg_kpi';
-- The extension belongs to its installer; its objects to a superuser (so
-- the installer cannot redefine them), all in schema analytics.
SELECT bool_and(r.rolsuper) AS functions_owned_by_superuser,
       bool_and(p.pronamespace = 'analytics'::regnamespace) AS all_in_analytics,
       bool_and(p.proacl IS NULL) AS default_privileges
FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi';
SELECT bool_and(r.rolsuper) AS types_owned_by_superuser,
       bool_and(t.typnamespace = 'analytics'::regnamespace) AS all_in_analytics
FROM pg_type t JOIN pg_roles r ON r.oid = t.typowner
JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi';

-- Every function works schema-qualified with analytics outside search_path
-- (aggregates included: their support functions and initial states find
-- their types).  Lists failures: none.
\set ECHO none
\i test/hostile.sql
\set ECHO all
SET client_min_messages = warning;
SET search_path = '';
CREATE TEMP TABLE kpi_priv_baseline AS SELECT * FROM kpi_hostile.typical('pg_kpi', '');
SELECT count(*) > 60 AS many_functions_called FROM kpi_priv_baseline;
SELECT sig, form, state, message FROM kpi_priv_baseline WHERE state IS NOT NULL;
-- The same calls with the arguments given as expressions, and with
-- analytics on the search_path, give the same results.
SELECT b.sig, b.result, t.result, t.state
FROM kpi_priv_baseline b JOIN kpi_hostile.typical('pg_kpi') t USING (sig)
WHERE b.result IS DISTINCT FROM t.result OR t.state IS NOT NULL;
SELECT b.sig, b.result, t.result, t.state
FROM kpi_priv_baseline b JOIN kpi_hostile.typical('pg_kpi', 'analytics') t USING (sig)
WHERE b.result IS DISTINCT FROM t.result OR t.state IS NOT NULL;
RESET search_path;

-- The installer still cannot do what a non-superuser cannot do: load C code,
-- redefine or re-own the extension's functions, read server files.
CREATE FUNCTION analytics.evil_out(int) RETURNS int AS '$libdir/pg_kpi', 'rate_summary_out' LANGUAGE c;
CREATE OR REPLACE FUNCTION analytics.trials(analytics.rate_summary) RETURNS bigint
    LANGUAGE sql AS 'SELECT 1::bigint';
ALTER FUNCTION analytics.trials(analytics.rate_summary) SECURITY DEFINER;
ALTER FUNCTION analytics.trials(analytics.rate_summary) OWNER TO regress_kpi_owner;
ALTER TYPE analytics.rate_summary OWNER TO regress_kpi_owner;
SELECT pg_read_file('/etc/hostname');
COPY (SELECT 1) TO '/tmp/regress_kpi_priv.txt';
SELECT rolname FROM pg_roles r
WHERE pg_has_role('regress_kpi_owner', r.oid, 'MEMBER') AND rolname <> 'regress_kpi_owner';
-- Others use it once granted USAGE on the schema.
GRANT USAGE ON SCHEMA analytics TO PUBLIC;

\c regress_kpi_priv regress_kpi_user
SET client_min_messages = warning;
SELECT analytics.rate(ok) AS rate, analytics.nps(s) AS nps,
       analytics.quality_score(0.5, 0.5, 0.5, 0.5) AS quality
FROM (VALUES (true, 10), (false, 3)) v(ok, s);
SELECT analytics.trials('(successes=3,trials=10)'::analytics.rate_summary) AS trials;

-- A hostile user plants, in a schema on the caller's search_path before
-- analytics and pg_catalog: a function with the name and argument types of
-- every extension function and aggregate, a type with the name of every
-- extension type, an operator for every binary operator between the
-- built-in types the extension works with, and a function with the
-- signature of every built-in function named in an extension SQL or
-- PL/pgSQL function body.  Each raises "hijacked" (SQLSTATE XX666).
\c regress_kpi_priv regress_kpi_attacker
SET client_min_messages = warning;
CREATE SCHEMA hostile;
GRANT USAGE ON SCHEMA hostile TO PUBLIC;
DO $$
DECLARE
    r record;
    body constant text := $b$ LANGUAGE plpgsql AS 'BEGIN RAISE EXCEPTION ''hijacked'' USING ERRCODE = ''XX666''; END'$b$;
    n int := 0;
BEGIN
    FOR r IN
        -- the extension's functions and aggregates (not those taking internal or cstring)
        SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args,
               format_type(p.prorettype, NULL) AS ret, p.proretset
        FROM pg_proc p
        JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi'
        WHERE NOT EXISTS (SELECT 1 FROM unnest(p.proargtypes::oid[]) a(t)
                          JOIN pg_type ty ON ty.oid = a.t WHERE ty.typtype = 'p')
          AND (SELECT typtype FROM pg_type WHERE oid = p.prorettype) <> 'p'
        UNION
        -- built-in functions named in the bodies of the extension's SQL/PL functions
        SELECT b.proname, pg_get_function_identity_arguments(b.oid), format_type(b.prorettype, NULL), b.proretset
        FROM pg_proc p
        JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi'
        JOIN pg_language l ON l.oid = p.prolang AND l.lanname NOT IN ('c', 'internal')
        CROSS JOIN LATERAL regexp_matches(lower(p.prosrc), '([a-z_][a-z0-9_]*)\s*\(', 'g') AS m(w)
        JOIN pg_proc b ON b.proname = m.w[1] AND b.pronamespace = 'pg_catalog'::regnamespace
        WHERE b.prokind = 'f'
          AND NOT EXISTS (SELECT 1 FROM unnest(b.proargtypes::oid[]) a(t)
                          JOIN pg_type ty ON ty.oid = a.t WHERE ty.typtype = 'p')
          AND (SELECT typtype FROM pg_type WHERE oid = b.prorettype) <> 'p'
    LOOP
        BEGIN
            EXECUTE format('CREATE FUNCTION hostile.%I(%s) RETURNS %s%s', r.proname, r.args,
                           CASE WHEN r.proretset THEN 'SETOF ' ELSE '' END, r.ret) || body;
            n := n + 1;
        EXCEPTION WHEN duplicate_function THEN NULL;
        END;
    END LOOP;
    FOR r IN
        SELECT t.typname FROM pg_type t
        JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi'
        WHERE t.typtype = 'b'
    LOOP
        EXECUTE format('CREATE DOMAIN hostile.%I AS integer', r.typname);
        n := n + 1;
    END LOOP;
    FOR r IN
        SELECT o.oid, o.oprname, format_type(o.oprleft, NULL) AS l, format_type(o.oprright, NULL) AS rt,
               format_type(o.oprresult, NULL) AS res
        FROM pg_operator o
        WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND o.oprkind = 'b'
          AND o.oprleft IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'float8'::regtype,
                            'numeric'::regtype, 'date'::regtype, 'timestamptz'::regtype,
                            'interval'::regtype, 'text'::regtype, 'bool'::regtype, 'daterange'::regtype)
          AND o.oprright IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'float8'::regtype,
                             'numeric'::regtype, 'date'::regtype, 'timestamptz'::regtype,
                             'interval'::regtype, 'text'::regtype, 'bool'::regtype, 'daterange'::regtype)
    LOOP
        EXECUTE format('CREATE FUNCTION hostile.op_%s(%s, %s) RETURNS %s', r.oid, r.l, r.rt, r.res) || body;
        EXECUTE format('CREATE OPERATOR hostile.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = hostile.op_%s)',
                       r.oprname, r.l, r.rt, r.oid);
        n := n + 1;
    END LOOP;
END $$;
SELECT count(*) > 100 AS many_traps FROM pg_proc WHERE pronamespace = 'hostile'::regnamespace;
-- The traps work: unqualified names on this search_path reach them.
SET search_path = hostile, pg_catalog, analytics;
\set VERBOSITY terse
SELECT 1 + 1;
SELECT trials('(successes=3,trials=10)');
\set VERBOSITY default
RESET search_path;

-- The victim calls every function under the hostile search_path (hostile
-- schema before pg_catalog, and before analytics with pg_catalog implicitly
-- first): the same results as with an empty search_path, no "hijacked".
\c regress_kpi_priv regress_kpi_owner
SET client_min_messages = warning;
SET search_path = '';
CREATE TEMP TABLE kpi_priv_baseline AS SELECT * FROM kpi_hostile.typical('pg_kpi', '');
SELECT b.sig, b.result, t.result, t.state, t.message
FROM kpi_priv_baseline b JOIN kpi_hostile.typical('pg_kpi', 'hostile, pg_catalog, analytics') t USING (sig)
WHERE b.result IS DISTINCT FROM t.result OR t.state IS NOT NULL;
SELECT b.sig, b.result, t.result, t.state, t.message
FROM kpi_priv_baseline b JOIN kpi_hostile.typical('pg_kpi', 'hostile, analytics') t USING (sig)
WHERE b.result IS DISTINCT FROM t.result OR t.state IS NOT NULL;
RESET search_path;

-- The attacker removes the traps.
\c regress_kpi_priv regress_kpi_attacker
SET client_min_messages = warning;
DROP SCHEMA hostile CASCADE;

-- The extension is relocatable, but its objects belong to a superuser, so
-- the non-superuser owner cannot move them (PostgreSQL's rule for trusted
-- extensions); a superuser can, and everything works in the new schema.
\c regress_kpi_priv regress_kpi_owner
SET client_min_messages = warning;
CREATE SCHEMA kpi2;
ALTER EXTENSION pg_kpi SET SCHEMA kpi2;
\c regress_kpi_priv :regress_su
SET client_min_messages = warning;
ALTER EXTENSION pg_kpi SET SCHEMA kpi2;
SET search_path = '';
SELECT count(*) AS failures FROM kpi_hostile.typical('pg_kpi', '') WHERE state IS NOT NULL;
SELECT kpi2.nps(kpi2.rollup(s)) AS nps
FROM (VALUES ('(0=1,1=0,2=0,3=0,4=0,5=0,6=1,7=1,8=0,9=1,10=2)'::kpi2.nps_summary)) v(s);
RESET search_path;
-- The owner can drop it.
\c regress_kpi_priv regress_kpi_owner
SET client_min_messages = warning;
DROP EXTENSION pg_kpi;
SELECT count(*) AS extensions_left FROM pg_extension WHERE extname = 'pg_kpi';

-- Clean up.
\c :regress_db :regress_su
SET client_min_messages = warning;
DROP DATABASE regress_kpi_priv;
DROP ROLE regress_kpi_owner;
DROP ROLE regress_kpi_user;
DROP ROLE regress_kpi_attacker;
