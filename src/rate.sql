-- Rates (proportions): rate_summary, rate(), rate_agg(), rollup(), accessors,
-- Wilson interval bounds, and lift().
-- Accessors are STABLE: they return NULL under pg_kpi.min_group_size (privacy.c).

CREATE TYPE rate_summary;

CREATE FUNCTION rate_summary_in(cstring) RETURNS rate_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rate_summary_out(rate_summary) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rate_summary_recv(internal) RETURNS rate_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rate_summary_send(rate_summary) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE rate_summary (
    INPUT = rate_summary_in,
    OUTPUT = rate_summary_out,
    RECEIVE = rate_summary_recv,
    SEND = rate_summary_send,
    INTERNALLENGTH = 16,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE rate_summary IS 'successes and trials of a rate; merge with rollup()';

CREATE FUNCTION rate_accum(rate_summary, boolean) RETURNS rate_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rate_discard(rate_summary, boolean) RETURNS rate_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rate_combine(rate_summary, rate_summary) RETURNS rate_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rate_agg_final(rate_summary) RETURNS rate_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION rate(rate_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_summary_rate' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rate(rate_summary) IS 'successes / trials';
CREATE FUNCTION successes(rate_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'rate_summary_successes' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION trials(rate_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'rate_summary_trials' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ci_lower(rate_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_summary_ci_lower' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ci_lower(rate_summary, float8) IS 'lower bound of the Wilson score interval';
CREATE FUNCTION ci_upper(rate_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_summary_ci_upper' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ci_upper(rate_summary, float8) IS 'upper bound of the Wilson score interval';

CREATE AGGREGATE rate(success boolean) (
    SFUNC = rate_accum,
    STYPE = rate_summary,
    INITCOND = '(successes=0,trials=0)',
    FINALFUNC = rate,
    COMBINEFUNC = rate_combine,
    MSFUNC = rate_accum,
    MINVFUNC = rate_discard,
    MSTYPE = rate_summary,
    MINITCOND = '(successes=0,trials=0)',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rate(boolean) IS 'share of non-NULL rows that are true, in [0,1]';

CREATE AGGREGATE rate_agg(success boolean) (
    SFUNC = rate_accum,
    STYPE = rate_summary,
    INITCOND = '(successes=0,trials=0)',
    FINALFUNC = rate_agg_final,
    COMBINEFUNC = rate_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rate_agg(boolean) IS 'rate_summary of the non-NULL rows';

CREATE AGGREGATE rollup(rate_summary) (
    SFUNC = rate_combine,
    STYPE = rate_summary,
    INITCOND = '(successes=0,trials=0)',
    FINALFUNC = rate_agg_final,
    COMBINEFUNC = rate_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(rate_summary) IS 'merge rate summaries by adding their counts';

CREATE FUNCTION lift_accum(bigint[], boolean, boolean) RETURNS bigint[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION lift_combine(bigint[], bigint[]) RETURNS bigint[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION lift_final(bigint[]) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE lift(converted boolean, treated boolean) (
    SFUNC = lift_accum,
    STYPE = bigint[],
    INITCOND = '{0,0,0,0}',
    FINALFUNC = lift_final,
    COMBINEFUNC = lift_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE lift(boolean, boolean) IS 'conversion lift: treated rate / control rate - 1';
