-- test/extension_catalog.sql — every object the pg_kpi extension owns, described
-- completely and portably (no OIDs), one line per object, sorted.  The upgrade
-- tier compares this listing for a fresh install and for an install that walked
-- every ALTER EXTENSION UPDATE step: a function that differs in any pg_proc field
-- (types, defaults, volatility, strictness, PARALLEL marking, cost, rows, support,
-- source, settings, privileges), an aggregate that differs in any pg_aggregate
-- field (transition, combine, serial, final and moving functions, initial values,
-- final modify, state types and sizes, sort operator), a type that differs in its
-- I/O, send/recv, typmod, analyze, storage, alignment, length or attributes, a
-- cast, an operator, a table (columns, config-dump condition, contents) or a
-- comment shows up as a differing line.
WITH ext AS (
    SELECT oid FROM pg_extension WHERE extname = 'pg_kpi'
), members AS (
    SELECT d.classid, d.objid
    FROM pg_depend d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), fn(oid) AS (
    SELECT objid FROM members WHERE classid = 'pg_proc'::regclass
)
SELECT line FROM (
    -- functions and aggregates: the whole pg_proc row
    SELECT format('function %s: kind=%s lang=%s ret=%s%s args=%s allargs=%s modes=%s names=%s defaults=%s '
                  'volatile=%s strict=%s parallel=%s cost=%s rows=%s leakproof=%s secdef=%s support=%s '
                  'config=%s variadic=%s src=%s bin=%s acl=%s comment=%s',
                  p.oid::regprocedure, p.prokind, l.lanname, p.prorettype::regtype,
                  CASE WHEN p.proretset THEN ' setof' ELSE '' END,
                  p.proargtypes::regtype[], p.proallargtypes::regtype[], p.proargmodes, p.proargnames,
                  pg_get_expr(p.proargdefaults, 0), p.provolatile, p.proisstrict, p.proparallel,
                  p.procost, p.prorows, p.proleakproof, p.prosecdef, p.prosupport::regprocedure,
                  p.proconfig, p.provariadic::regtype, p.prosrc,
                  replace(p.probin, '$libdir/', ''), p.proacl, obj_description(p.oid, 'pg_proc')) AS line
    FROM fn JOIN pg_proc p ON p.oid = fn.oid JOIN pg_language l ON l.oid = p.prolang
  UNION ALL
    -- aggregates: the whole pg_aggregate row
    SELECT format('aggregate %s: kind=%s direct=%s transfn=%s finalfn=%s combinefn=%s serialfn=%s '
                  'deserialfn=%s mtransfn=%s minvtransfn=%s mfinalfn=%s finalextra=%s mfinalextra=%s '
                  'finalmodify=%s mfinalmodify=%s sortop=%s transtype=%s transspace=%s mtranstype=%s '
                  'mtransspace=%s initval=%s minitval=%s',
                  a.aggfnoid::regprocedure, a.aggkind, a.aggnumdirectargs,
                  a.aggtransfn::regprocedure, nullif(a.aggfinalfn, 0)::regprocedure,
                  nullif(a.aggcombinefn, 0)::regprocedure, nullif(a.aggserialfn, 0)::regprocedure,
                  nullif(a.aggdeserialfn, 0)::regprocedure, nullif(a.aggmtransfn, 0)::regprocedure,
                  nullif(a.aggminvtransfn, 0)::regprocedure, nullif(a.aggmfinalfn, 0)::regprocedure,
                  a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify, a.aggmfinalmodify,
                  nullif(a.aggsortop, 0)::regoperator, a.aggtranstype::regtype, a.aggtransspace,
                  nullif(a.aggmtranstype, 0)::regtype, a.aggmtransspace, a.agginitval, a.aggminitval)
    FROM fn JOIN pg_aggregate a ON a.aggfnoid = fn.oid
  UNION ALL
    -- types: I/O, binary I/O, typmod, storage, alignment, attributes of composites
    SELECT format('type %s: type=%s len=%s byval=%s category=%s preferred=%s delim=%s input=%s output=%s '
                  'receive=%s send=%s modin=%s modout=%s analyze=%s subscript=%s align=%s storage=%s '
                  'notnull=%s elem=%s array=%s basetype=%s collation=%s default=%s attrs=%s acl=%s comment=%s',
                  t.oid::regtype, t.typtype, t.typlen, t.typbyval, t.typcategory, t.typispreferred,
                  t.typdelim, t.typinput::regprocedure, t.typoutput::regprocedure,
                  nullif(t.typreceive, 0)::regprocedure, nullif(t.typsend, 0)::regprocedure,
                  nullif(t.typmodin, 0)::regprocedure, nullif(t.typmodout, 0)::regprocedure,
                  nullif(t.typanalyze, 0)::regprocedure, nullif(t.typsubscript, 0)::regprocedure,
                  t.typalign, t.typstorage, t.typnotnull, nullif(t.typelem, 0)::regtype,
                  nullif(t.typarray, 0)::regtype, nullif(t.typbasetype, 0)::regtype, t.typcollation,
                  t.typdefault,
                  (SELECT string_agg(format('%s %s', att.attname, format_type(att.atttypid, att.atttypmod)),
                                     ', ' ORDER BY att.attnum)
                   FROM pg_attribute att
                   WHERE t.typrelid <> 0 AND att.attrelid = t.typrelid AND att.attnum > 0 AND NOT att.attisdropped),
                  t.typacl, obj_description(t.oid, 'pg_type'))
    FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
  UNION ALL
    SELECT format('cast %s: func=%s context=%s method=%s',
                  pg_describe_object(m.classid, m.objid, 0), nullif(c.castfunc, 0)::regprocedure,
                  c.castcontext, c.castmethod)
    FROM members m JOIN pg_cast c ON m.classid = 'pg_cast'::regclass AND c.oid = m.objid
  UNION ALL
    SELECT format('operator %s: result=%s code=%s commutator=%s negator=%s restrict=%s join=%s merges=%s hashes=%s comment=%s',
                  o.oid::regoperator, o.oprresult::regtype, o.oprcode::regprocedure,
                  nullif(o.oprcom, 0)::regoperator, nullif(o.oprnegate, 0)::regoperator,
                  nullif(o.oprrest, 0)::regprocedure, nullif(o.oprjoin, 0)::regprocedure,
                  o.oprcanmerge, o.oprcanhash, obj_description(o.oid, 'pg_operator'))
    FROM members m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
  UNION ALL
    -- tables, views, sequences: columns, defaults, constraints, privileges, contents
    SELECT format('relation %s: kind=%s columns=%s constraints=%s acl=%s comment=%s',
                  c.oid::regclass, c.relkind,
                  (SELECT string_agg(format('%s %s%s%s', att.attname, format_type(att.atttypid, att.atttypmod),
                                            CASE WHEN att.attnotnull THEN ' not null' ELSE '' END,
                                            coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')),
                                     ', ' ORDER BY att.attnum)
                   FROM pg_attribute att
                   LEFT JOIN pg_attrdef ad ON ad.adrelid = att.attrelid AND ad.adnum = att.attnum
                   WHERE att.attrelid = c.oid AND att.attnum > 0 AND NOT att.attisdropped),
                  (SELECT string_agg(pg_get_constraintdef(con.oid), ', ' ORDER BY con.conname)
                   FROM pg_constraint con WHERE con.conrelid = c.oid),
                  c.relacl, obj_description(c.oid, 'pg_class'))
    FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
  UNION ALL
    SELECT format('%s', pg_describe_object(m.classid, m.objid, 0))
    FROM members m
    WHERE m.classid NOT IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_cast'::regclass,
                            'pg_operator'::regclass, 'pg_class'::regclass)
  UNION ALL
    -- configuration tables registered for pg_dump, with their filters
    SELECT format('extension config: %s where %s', cfg.rel::regclass, cond)
    FROM pg_extension e, ext,
         unnest(e.extconfig, e.extcondition) AS cfg(rel, cond)
    WHERE e.oid = ext.oid
  UNION ALL
    SELECT format('extension: relocatable=%s schema=%s', e.extrelocatable, e.extnamespace::regnamespace)
    FROM pg_extension e, ext WHERE e.oid = ext.oid
) AS described
ORDER BY line;
