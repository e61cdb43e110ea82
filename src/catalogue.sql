-- KPI catalogue helpers (src/catalogue.c): the guides' KPIs whose SQL recipe
-- is easy to get wrong.  repeat_query_rate() and sessions_per_user() keep
-- their events in a bytea state (a plain SQL type: parallel and Citus safe);
-- their final functions are STABLE because pg_kpi.min_group_size applies.

CREATE FUNCTION repeat_query_accum(bytea, text, text, timestamptz, interval) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION repeat_query_accum_7d(bytea, text, text, timestamptz) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sessions_per_user_accum(bytea, text, timestamptz, interval) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION event_list_combine(bytea, bytea) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION repeat_query_final(bytea) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION sessions_per_user_final(bytea) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE repeat_query_rate(user_id text, query text, ts timestamptz, within interval) (
    SFUNC = repeat_query_accum,
    STYPE = bytea,
    FINALFUNC = repeat_query_final,
    COMBINEFUNC = event_list_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE repeat_query_rate(text, text, timestamptz, interval) IS
    'share of distinct users who asked the same query again within the window of an earlier ask';

CREATE AGGREGATE repeat_query_rate(user_id text, query text, ts timestamptz) (
    SFUNC = repeat_query_accum_7d,
    STYPE = bytea,
    FINALFUNC = repeat_query_final,
    COMBINEFUNC = event_list_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE repeat_query_rate(text, text, timestamptz) IS
    'share of distinct users who asked the same query again within 7 days of an earlier ask';

CREATE AGGREGATE sessions_per_user(user_id text, ts timestamptz, idle interval) (
    SFUNC = sessions_per_user_accum,
    STYPE = bytea,
    FINALFUNC = sessions_per_user_final,
    COMBINEFUNC = event_list_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE sessions_per_user(text, timestamptz, interval) IS
    'average sessions per user: a new session whenever a user''s gap exceeds idle (as session_number counts)';

CREATE FUNCTION usage_ltv(avg_monthly_spend numeric, avg_lifespan_months numeric) RETURNS numeric
    AS 'MODULE_PATHNAME', 'catalogue_usage_ltv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usage_ltv(numeric, numeric) IS
    'usage-based customer lifetime value: average monthly spend * average lifespan in months';

CREATE FUNCTION cost_per_resolution(cost_per_interaction numeric, resolution_rate float8) RETURNS numeric
    AS 'MODULE_PATHNAME', 'catalogue_cost_per_resolution' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cost_per_resolution(numeric, float8) IS
    'cost per resolved interaction: cost per interaction / resolution rate (NULL when the rate is 0)';
