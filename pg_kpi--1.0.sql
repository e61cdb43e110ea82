-- pg_kpi--1.0.sql: generated from the src/ SQL files by the Makefile; do not edit

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION pg_kpi" to load this file. \quit

-- ===== src/rate.sql =====
-- Rates (proportions): rate_summary, rate(), rate_agg(), rollup(), accessors,
-- Wilson interval bounds, and lift().

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
    AS 'MODULE_PATHNAME', 'rate_summary_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rate(rate_summary) IS 'successes / trials';
CREATE FUNCTION successes(rate_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'rate_summary_successes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION trials(rate_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'rate_summary_trials' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ci_lower(rate_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_summary_ci_lower' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ci_lower(rate_summary, float8) IS 'lower bound of the Wilson score interval';
CREATE FUNCTION ci_upper(rate_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_summary_ci_upper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
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
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE lift(converted boolean, treated boolean) (
    SFUNC = lift_accum,
    STYPE = bigint[],
    INITCOND = '{0,0,0,0}',
    FINALFUNC = lift_final,
    COMBINEFUNC = lift_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE lift(boolean, boolean) IS 'conversion lift: treated rate / control rate - 1';

-- ===== src/nps.sql =====
-- Net Promoter Score: nps_summary, nps(), nps_agg(), rollup(), accessors and
-- the confidence interval.

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
    AS 'MODULE_PATHNAME', 'nps_summary_nps' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps(nps_summary) IS '% promoters - % detractors, in [-100, 100]';
CREATE FUNCTION promoters(nps_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'nps_summary_promoters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION passives(nps_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'nps_summary_passives' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION detractors(nps_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'nps_summary_detractors' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION responses(nps_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'nps_summary_responses' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION score_counts(nps_summary) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'nps_summary_score_counts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION score_counts(nps_summary) IS 'the 11 response counts; index 1 is score 0';
CREATE FUNCTION ci_lower(nps_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'nps_summary_ci_lower' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ci_lower(nps_summary, float8) IS 'NPS - z * standard error, clamped to [-100, 100]';
CREATE FUNCTION ci_upper(nps_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'nps_summary_ci_upper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
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

-- ===== src/quality.sql =====
-- Weighted quality scores: score_summary, quality_score(), weighted_score(),
-- quality_agg(), weighted_score_agg(), rollup(), accessors, response_quality().

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
    AS 'MODULE_PATHNAME', 'score_summary_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION quality_score(score_summary) IS 'mean weighted score of the summarized responses';
CREATE FUNCTION weighted_score(score_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'score_summary_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION weighted_score(score_summary) IS 'mean weighted score of the summarized responses';
CREATE FUNCTION responses(score_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'score_summary_responses' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
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

-- ===== src/latency.sql =====
-- Latency percentiles: latency_sketch (a DDSketch with a guaranteed relative
-- error), latency_agg(), rollup(), percentile_latency(), latency_percentiles()
-- (with moving-window mode), and the accessors.

CREATE TYPE latency_sketch;

CREATE FUNCTION latency_sketch_in(cstring) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION latency_sketch_out(latency_sketch) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION latency_sketch_recv(internal) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION latency_sketch_send(latency_sketch) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE latency_sketch (
    INPUT = latency_sketch_in,
    OUTPUT = latency_sketch_out,
    RECEIVE = latency_sketch_recv,
    SEND = latency_sketch_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE latency_sketch IS 'mergeable latency quantile sketch (DDSketch) with exact count, sum, min and max; merge with rollup()';

-- Transition, combine and final functions.  They are not strict: they skip
-- NULL rows themselves and keep the state an expanded object.
CREATE FUNCTION latency_accum(latency_sketch, float8) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_accum_alpha(latency_sketch, float8, float8) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_accum_p(latency_sketch, float8, float8) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_accum_parr(latency_sketch, float8, float8[]) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_combine(latency_sketch, latency_sketch) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_sketch_final(latency_sketch) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_percentile_final(latency_sketch) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_percentiles_final(latency_sketch) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Moving-window (MSFUNC/MINVFUNC) functions; the state is internal.
CREATE FUNCTION latency_mcollect_p(internal, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_mdiscard_p(internal, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'latency_mdiscard' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_mfinal_p(internal) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_mcollect_parr(internal, float8, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_mdiscard_parr(internal, float8, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME', 'latency_mdiscard' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_mfinal_parr(internal) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE latency_agg(latency float8) (
    SFUNC = latency_accum,
    STYPE = latency_sketch,
    FINALFUNC = latency_sketch_final,
    COMBINEFUNC = latency_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE latency_agg(float8) IS 'latency_sketch of the non-NULL latencies, relative accuracy 0.01';

CREATE AGGREGATE latency_agg(latency float8, relative_accuracy float8) (
    SFUNC = latency_accum_alpha,
    STYPE = latency_sketch,
    FINALFUNC = latency_sketch_final,
    COMBINEFUNC = latency_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE latency_agg(float8, float8) IS 'latency_sketch of the non-NULL latencies with the given relative accuracy (0.0001 to 0.1)';

CREATE AGGREGATE rollup(latency_sketch) (
    SFUNC = latency_combine,
    STYPE = latency_sketch,
    FINALFUNC = latency_sketch_final,
    COMBINEFUNC = latency_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(latency_sketch) IS 'merge latency sketches of equal relative accuracy';

CREATE AGGREGATE percentile_latency(latency float8, p float8) (
    SFUNC = latency_accum_p,
    STYPE = latency_sketch,
    FINALFUNC = latency_percentile_final,
    COMBINEFUNC = latency_combine,
    MSFUNC = latency_mcollect_p,
    MINVFUNC = latency_mdiscard_p,
    MSTYPE = internal,
    MFINALFUNC = latency_mfinal_p,
    MFINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE percentile_latency(float8, float8) IS 'approximate percentile p of the latencies, within 1% of percentile_disc(p)';

CREATE AGGREGATE latency_percentiles(latency float8, p float8[]) (
    SFUNC = latency_accum_parr,
    STYPE = latency_sketch,
    FINALFUNC = latency_percentiles_final,
    COMBINEFUNC = latency_combine,
    MSFUNC = latency_mcollect_parr,
    MINVFUNC = latency_mdiscard_parr,
    MSTYPE = internal,
    MFINALFUNC = latency_mfinal_parr,
    MFINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE latency_percentiles(float8, float8[]) IS 'approximate percentiles of the latencies, each within 1% of percentile_disc';

-- Accessors.
CREATE FUNCTION percentile(latency_sketch, p float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'latency_sketch_percentile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION percentile(latency_sketch, float8) IS 'approximate percentile p, within the sketch''s relative accuracy of percentile_disc(p)';
CREATE FUNCTION percentiles(latency_sketch, p float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'latency_sketch_percentiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION percentiles(latency_sketch, float8[]) IS 'approximate percentiles, one per element of p';
CREATE FUNCTION percentile_rank(latency_sketch, value float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'latency_sketch_percentile_rank' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION percentile_rank(latency_sketch, float8) IS 'approximate share of values <= value';
CREATE FUNCTION num_values(latency_sketch) RETURNS bigint
    AS 'MODULE_PATHNAME', 'latency_sketch_num_values' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean(latency_sketch) RETURNS float8
    AS 'MODULE_PATHNAME', 'latency_sketch_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION min_value(latency_sketch) RETURNS float8
    AS 'MODULE_PATHNAME', 'latency_sketch_min' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION max_value(latency_sketch) RETURNS float8
    AS 'MODULE_PATHNAME', 'latency_sketch_max' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relative_accuracy(latency_sketch) RETURNS float8
    AS 'MODULE_PATHNAME', 'latency_sketch_alpha' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ===== src/activity.sql =====
-- User activity: the user_activity summary (each user once, with a bitmap of
-- active days), activity_agg(), rollup(), dau_mau, retention_rate, retention,
-- stickiness, churn_rate, customer_retention_rate, active_users, first_day,
-- last_day.

CREATE TYPE user_activity;

CREATE FUNCTION user_activity_in(cstring) RETURNS user_activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION user_activity_out(user_activity) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION user_activity_recv(internal) RETURNS user_activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION user_activity_send(user_activity) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE user_activity (
    INPUT = user_activity_in,
    OUTPUT = user_activity_out,
    RECEIVE = user_activity_recv,
    SEND = user_activity_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);
COMMENT ON TYPE user_activity IS 'which user was active on which day (each user once, with a bitmap of active days); merge with rollup()';

CREATE FUNCTION activity_accum(user_activity, bigint, date) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_int8_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, bigint, date, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_int8_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, bigint, timestamptz) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_int8_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, bigint, timestamptz, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_int8_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, text, date) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_text_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, text, date, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_text_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, text, timestamptz) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_text_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, text, timestamptz, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_text_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, uuid, date) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_uuid_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, uuid, date, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_uuid_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, uuid, timestamptz) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_uuid_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, uuid, timestamptz, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_uuid_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_combine(user_activity, user_activity) RETURNS user_activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_final(user_activity) RETURNS user_activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_dau_mau_final(user_activity) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_retention_rate_final(user_activity) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE activity_agg(user_id bigint, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(bigint, date) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id bigint, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(bigint, date) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id bigint, ts date, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(bigint, date, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE activity_agg(user_id bigint, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(bigint, timestamptz) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id bigint, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(bigint, timestamptz) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id bigint, ts timestamptz, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(bigint, timestamptz, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE activity_agg(user_id text, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(text, date) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id text, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(text, date) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id text, ts date, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(text, date, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE activity_agg(user_id text, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(text, timestamptz) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id text, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(text, timestamptz) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id text, ts timestamptz, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(text, timestamptz, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE activity_agg(user_id uuid, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(uuid, date) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id uuid, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(uuid, date) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id uuid, ts date, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(uuid, date, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE activity_agg(user_id uuid, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(uuid, timestamptz) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id uuid, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(uuid, timestamptz) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id uuid, ts timestamptz, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(uuid, timestamptz, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE rollup(user_activity) (
    SFUNC = activity_combine, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(user_activity) IS 'merge user_activity summaries: the union of their (user, day) pairs';

CREATE FUNCTION dau_mau(user_activity) RETURNS float8
    AS 'MODULE_PATHNAME', 'activity_dau_mau' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dau_mau(user_activity) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE FUNCTION retention_rate(user_activity, n integer, mode text DEFAULT 'on') RETURNS float8
    AS 'MODULE_PATHNAME', 'activity_retention_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION retention_rate(user_activity, integer, text) IS 'N-day retention of the users old enough; mode on or on_or_after';
CREATE FUNCTION retention(user_activity, granularity text DEFAULT 'week', periods integer DEFAULT 12,
                          mode text DEFAULT 'on')
    RETURNS TABLE(cohort date, cohort_size bigint, period integer, retained bigint, rate float8)
    AS 'MODULE_PATHNAME', 'activity_retention' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION retention(user_activity, text, integer, text) IS 'cohort retention table: complete periods 0..periods of each day/week/month cohort';
CREATE FUNCTION stickiness(user_activity, window_days integer DEFAULT 30)
    RETURNS TABLE(day date, dau bigint, mau bigint, dau_mau float8)
    AS 'MODULE_PATHNAME', 'activity_stickiness' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 90;
COMMENT ON FUNCTION stickiness(user_activity, integer) IS 'per day: DAU / users active in the window_days days ending that day';
CREATE FUNCTION churn_rate(user_activity, previous daterange, current daterange) RETURNS float8
    AS 'MODULE_PATHNAME', 'activity_churn_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churn_rate(user_activity, daterange, daterange) IS 'share of the users active in previous who are not active in current';
CREATE FUNCTION customer_retention_rate(user_activity, previous daterange, current daterange) RETURNS float8
    AS 'MODULE_PATHNAME', 'activity_customer_retention_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION customer_retention_rate(user_activity, daterange, daterange) IS '(E - N) / S: active in current minus new in current, over active in previous';
CREATE FUNCTION active_users(user_activity) RETURNS bigint
    AS 'MODULE_PATHNAME', 'activity_active_users' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION active_users(user_activity, during daterange) RETURNS bigint
    AS 'MODULE_PATHNAME', 'activity_active_users' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION active_users(user_activity, daterange) IS 'users active on some day of the range';
CREATE FUNCTION first_day(user_activity) RETURNS date
    AS 'MODULE_PATHNAME', 'activity_first_day' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION first_day(user_activity, during daterange) RETURNS date
    AS 'MODULE_PATHNAME', 'activity_first_day' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION last_day(user_activity) RETURNS date
    AS 'MODULE_PATHNAME', 'activity_last_day' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION last_day(user_activity, during daterange) RETURNS date
    AS 'MODULE_PATHNAME', 'activity_last_day' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION activity_memory_bytes(user_activity) RETURNS bigint
    AS 'MODULE_PATHNAME', 'activity_memory_bytes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_memory_bytes(user_activity) IS 'bytes the in-memory (hash table) form of the summary takes while aggregating';

-- ===== src/session.sql =====
-- Sessions: session_number(ts, idle), a window function.

CREATE FUNCTION session_number(ts timestamptz, idle interval) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION session_number(timestamptz, interval) IS
    'window function: session number along the ordered partition; a new session starts when the gap to the previous row exceeds idle';

-- ===== src/revenue.sql =====
-- Revenue: mrr() (with moving-aggregate mode), ltv(), cac(), ltv_cac_ratio(),
-- cac_payback_months(), net_revenue_retention(), gross_revenue_retention()
-- and the mrr_movement() window function.  Money is numeric; ratios float8.

-- mrr()'s state: numeric[] pairs {billing period in microseconds, exact sum
-- of the amounts billed with it}; each sum is divided once, at the end.
CREATE FUNCTION mrr_accum(numeric[], numeric, interval) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mrr_combine(numeric[], numeric[]) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mrr_final(numeric[]) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_moving_accum(internal, numeric, interval) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mrr_moving_discard(internal, numeric, interval) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mrr_moving_final(internal) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mrr(amount numeric, billing_period interval) (
    SFUNC = mrr_accum,
    STYPE = numeric[],
    FINALFUNC = mrr_final,
    COMBINEFUNC = mrr_combine,
    MSFUNC = mrr_moving_accum,
    MINVFUNC = mrr_moving_discard,
    MSTYPE = internal,
    MFINALFUNC = mrr_moving_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr(numeric, interval) IS
    'monthly recurring revenue: sum of amounts normalized to one month (30.4375-day months)';

CREATE FUNCTION ltv(arpu numeric, churn_rate float8, gross_margin float8 DEFAULT 1) RETURNS numeric
    AS 'MODULE_PATHNAME', 'revenue_ltv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ltv(numeric, float8, float8) IS
    'customer lifetime value: arpu * gross_margin / churn_rate (NULL when churn_rate is 0)';

CREATE FUNCTION cac(spend numeric, new_customers bigint) RETURNS numeric
    AS 'MODULE_PATHNAME', 'revenue_cac' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cac(numeric, bigint) IS
    'customer acquisition cost: spend / new_customers (NULL when there are none)';

CREATE FUNCTION cac_payback_months(cac numeric, new_mrr numeric, gross_margin float8 DEFAULT 1) RETURNS float8
    AS 'MODULE_PATHNAME', 'revenue_cac_payback_months' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cac_payback_months(numeric, numeric, float8) IS
    'months to earn back the CAC: cac / (new_mrr * gross_margin)';

CREATE FUNCTION revenue_pair_combine(numeric[], numeric[]) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION ltv_cac_accum(numeric[], numeric, numeric) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ltv_cac_final(numeric[]) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE ltv_cac_ratio(customer_value numeric, acquisition_cost numeric) (
    SFUNC = ltv_cac_accum,
    STYPE = numeric[],
    INITCOND = '{0,0}',
    FINALFUNC = ltv_cac_final,
    COMBINEFUNC = revenue_pair_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ltv_cac_ratio(numeric, numeric) IS
    'sum of customer value / sum of acquisition cost over rows where both are known';

CREATE FUNCTION nrr_accum(numeric[], numeric, numeric) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION grr_accum(numeric[], numeric, numeric) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_final(numeric[]) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE net_revenue_retention(start_mrr numeric, end_mrr numeric) (
    SFUNC = nrr_accum,
    STYPE = numeric[],
    INITCOND = '{0,0}',
    FINALFUNC = retention_final,
    COMBINEFUNC = revenue_pair_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE net_revenue_retention(numeric, numeric) IS
    'NRR: sum of end MRR / sum of start MRR over customers with start MRR > 0';

CREATE AGGREGATE gross_revenue_retention(start_mrr numeric, end_mrr numeric) (
    SFUNC = grr_accum,
    STYPE = numeric[],
    INITCOND = '{0,0}',
    FINALFUNC = retention_final,
    COMBINEFUNC = revenue_pair_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE gross_revenue_retention(numeric, numeric) IS
    'GRR: sum of least(start, end) MRR / sum of start MRR over customers with start MRR > 0';

CREATE FUNCTION mrr_movement(mrr numeric) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mrr_movement(numeric) IS
    'window function over (PARTITION BY customer ORDER BY month): new, expansion, contraction, flat, churn or reactivation';
