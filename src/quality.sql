-- Weighted quality scores: score_summary, quality_score(), weighted_score(),
-- quality_agg(), weighted_score_agg(), rollup(), accessors, response_quality().
-- Accessors are STABLE: they return NULL under pg_kpi.min_group_size (privacy.c).

CREATE TYPE score_summary;

CREATE FUNCTION score_summary_in(cstring) RETURNS score_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION score_summary_out(score_summary) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION score_summary_recv(internal) RETURNS score_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION score_summary_send(score_summary) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE score_summary (
    INPUT = score_summary_in,
    OUTPUT = score_summary_out,
    RECEIVE = score_summary_recv,
    SEND = score_summary_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = main
);
COMMENT ON TYPE score_summary IS 'count and exact sum of weighted response scores, with the weights; merge with rollup()';

CREATE FUNCTION quality_accum(score_summary, float8, float8, float8, float8) RETURNS score_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION quality_discard(score_summary, float8, float8, float8, float8) RETURNS score_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION quality_weighted_accum(score_summary, float8, float8, float8, float8, float8[]) RETURNS score_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION quality_weighted_discard(score_summary, float8, float8, float8, float8, float8[]) RETURNS score_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION weighted_score_accum(score_summary, float8[], float8[]) RETURNS score_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION weighted_score_discard(score_summary, float8[], float8[]) RETURNS score_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION score_combine(score_summary, score_summary) RETURNS score_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION score_agg_final(score_summary) RETURNS score_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION quality_score(score_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'score_summary_mean' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION quality_score(score_summary) IS 'mean weighted score of the summarized responses';
CREATE FUNCTION weighted_score(score_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'score_summary_mean' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION weighted_score(score_summary) IS 'mean weighted score of the summarized responses';
CREATE FUNCTION responses(score_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'score_summary_responses' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION weights(score_summary) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'score_summary_weights' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION response_quality(relevance float8, accuracy float8, completeness float8, tone float8)
    RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION response_quality(float8, float8, float8, float8) IS
    'one response''s quality: relevance*0.4 + accuracy*0.4 + completeness*0.1 + tone*0.1';
CREATE FUNCTION response_quality(relevance float8, accuracy float8, completeness float8, tone float8,
                                 weights float8[])
    RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION response_quality(float8, float8, float8, float8, float8[]) IS
    'one response''s quality with custom weights for relevance, accuracy, completeness, tone';

CREATE AGGREGATE quality_score(relevance float8, accuracy float8, completeness float8, tone float8) (
    SFUNC = quality_accum,
    STYPE = score_summary,
    INITCOND = '(responses=0,sum=0,sum_frac=0,weights={0.4,0.4,0.1,0.1})',
    FINALFUNC = quality_score,
    COMBINEFUNC = score_combine,
    MSFUNC = quality_accum,
    MINVFUNC = quality_discard,
    MSTYPE = score_summary,
    MINITCOND = '(responses=0,sum=0,sum_frac=0,weights={0.4,0.4,0.1,0.1})',
    MFINALFUNC = quality_score,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE quality_score(float8, float8, float8, float8) IS
    'mean Response Quality Score: relevance*0.4 + accuracy*0.4 + completeness*0.1 + tone*0.1';

CREATE AGGREGATE quality_score(relevance float8, accuracy float8, completeness float8, tone float8,
                               weights float8[]) (
    SFUNC = quality_weighted_accum,
    STYPE = score_summary,
    INITCOND = '(responses=0,sum=0,sum_frac=0,weights={})',
    FINALFUNC = quality_score,
    COMBINEFUNC = score_combine,
    MSFUNC = quality_weighted_accum,
    MINVFUNC = quality_weighted_discard,
    MSTYPE = score_summary,
    MINITCOND = '(responses=0,sum=0,sum_frac=0,weights={})',
    MFINALFUNC = quality_score,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE quality_score(float8, float8, float8, float8, float8[]) IS
    'mean quality score with custom weights for relevance, accuracy, completeness, tone';

CREATE AGGREGATE weighted_score(scores float8[], weights float8[]) (
    SFUNC = weighted_score_accum,
    STYPE = score_summary,
    INITCOND = '(responses=0,sum=0,sum_frac=0,weights={})',
    FINALFUNC = weighted_score,
    COMBINEFUNC = score_combine,
    MSFUNC = weighted_score_accum,
    MINVFUNC = weighted_score_discard,
    MSTYPE = score_summary,
    MINITCOND = '(responses=0,sum=0,sum_frac=0,weights={})',
    MFINALFUNC = weighted_score,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE weighted_score(float8[], float8[]) IS 'mean weighted score for any rubric';

CREATE AGGREGATE quality_agg(relevance float8, accuracy float8, completeness float8, tone float8) (
    SFUNC = quality_accum,
    STYPE = score_summary,
    INITCOND = '(responses=0,sum=0,sum_frac=0,weights={0.4,0.4,0.1,0.1})',
    FINALFUNC = score_agg_final,
    COMBINEFUNC = score_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE quality_agg(float8, float8, float8, float8) IS 'score_summary of quality scores (default weights)';

CREATE AGGREGATE quality_agg(relevance float8, accuracy float8, completeness float8, tone float8,
                             weights float8[]) (
    SFUNC = quality_weighted_accum,
    STYPE = score_summary,
    INITCOND = '(responses=0,sum=0,sum_frac=0,weights={})',
    FINALFUNC = score_agg_final,
    COMBINEFUNC = score_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE quality_agg(float8, float8, float8, float8, float8[]) IS 'score_summary of quality scores (custom weights)';

CREATE AGGREGATE weighted_score_agg(scores float8[], weights float8[]) (
    SFUNC = weighted_score_accum,
    STYPE = score_summary,
    INITCOND = '(responses=0,sum=0,sum_frac=0,weights={})',
    FINALFUNC = score_agg_final,
    COMBINEFUNC = score_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE weighted_score_agg(float8[], float8[]) IS 'score_summary of weighted scores for any rubric';

CREATE AGGREGATE rollup(score_summary) (
    SFUNC = score_combine,
    STYPE = score_summary,
    INITCOND = '(responses=0,sum=0,sum_frac=0,weights={})',
    FINALFUNC = score_agg_final,
    COMBINEFUNC = score_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(score_summary) IS 'merge score summaries built with the same weights';
