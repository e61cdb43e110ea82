-- Net Promoter Score: nps_summary, nps(), nps_agg(), rollup(), accessors and
-- the confidence interval.
-- Accessors are STABLE: they return NULL under pg_kpi.min_group_size (privacy.c).

CREATE TYPE nps_summary;

CREATE FUNCTION nps_summary_in(cstring) RETURNS nps_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps_summary_out(nps_summary) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps_summary_recv(internal) RETURNS nps_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps_summary_send(nps_summary) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE nps_summary (
    INPUT = nps_summary_in,
    OUTPUT = nps_summary_out,
    RECEIVE = nps_summary_recv,
    SEND = nps_summary_send,
    INTERNALLENGTH = 88,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE nps_summary IS 'count of NPS responses per score 0..10; merge with rollup()';

CREATE FUNCTION nps_accum(nps_summary, integer) RETURNS nps_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps_discard(nps_summary, integer) RETURNS nps_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps_combine(nps_summary, nps_summary) RETURNS nps_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps_agg_final(nps_summary) RETURNS nps_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION nps(nps_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'nps_summary_nps' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps(nps_summary) IS '% promoters - % detractors, in [-100, 100]';
CREATE FUNCTION promoters(nps_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'nps_summary_promoters' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION passives(nps_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'nps_summary_passives' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION detractors(nps_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'nps_summary_detractors' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION responses(nps_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'nps_summary_responses' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION score_counts(nps_summary) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'nps_summary_score_counts' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION score_counts(nps_summary) IS 'the 11 response counts; index 1 is score 0';
CREATE FUNCTION ci_lower(nps_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'nps_summary_ci_lower' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ci_lower(nps_summary, float8) IS 'NPS - z * standard error, clamped to [-100, 100]';
CREATE FUNCTION ci_upper(nps_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'nps_summary_ci_upper' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ci_upper(nps_summary, float8) IS 'NPS + z * standard error, clamped to [-100, 100]';

CREATE AGGREGATE nps(score integer) (
    SFUNC = nps_accum,
    STYPE = nps_summary,
    INITCOND = '(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)',
    FINALFUNC = nps,
    COMBINEFUNC = nps_combine,
    MSFUNC = nps_accum,
    MINVFUNC = nps_discard,
    MSTYPE = nps_summary,
    MINITCOND = '(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)',
    MFINALFUNC = nps,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps(integer) IS 'Net Promoter Score of 0..10 answers: % promoters - % detractors';

CREATE AGGREGATE nps_agg(score integer) (
    SFUNC = nps_accum,
    STYPE = nps_summary,
    INITCOND = '(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)',
    FINALFUNC = nps_agg_final,
    COMBINEFUNC = nps_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps_agg(integer) IS 'nps_summary of the non-NULL scores';

CREATE AGGREGATE rollup(nps_summary) (
    SFUNC = nps_combine,
    STYPE = nps_summary,
    INITCOND = '(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)',
    FINALFUNC = nps_agg_final,
    COMBINEFUNC = nps_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(nps_summary) IS 'merge NPS summaries by adding their counts';
