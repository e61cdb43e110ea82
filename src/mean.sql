-- Means with intervals: mean_summary, mean_agg(), rollup(), accessors (mean,
-- variance, stddev, t interval, ...), and the mean_summary comparisons
-- (difference and Welch interval, Welch p-value, sequential p-value).
-- Accessors and comparisons are STABLE: they return NULL under
-- pg_kpi.min_group_size (privacy.c).

CREATE TYPE mean_summary;

CREATE FUNCTION mean_summary_in(cstring) RETURNS mean_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean_summary_out(mean_summary) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean_summary_recv(internal) RETURNS mean_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean_summary_send(mean_summary) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE mean_summary (
    INPUT = mean_summary_in,
    OUTPUT = mean_summary_out,
    RECEIVE = mean_summary_recv,
    SEND = mean_summary_send,
    INTERNALLENGTH = 88,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE mean_summary IS 'count, exact sum and sum of squares, min and max of values; merge with rollup()';

CREATE FUNCTION mean_accum(mean_summary, float8) RETURNS mean_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean_combine(mean_summary, mean_summary) RETURNS mean_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean_agg_final(mean_summary) RETURNS mean_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean_moving_accum(internal, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mean_moving_discard(internal, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mean_moving_final(internal) RETURNS mean_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mean_agg(x float8) (
    SFUNC = mean_accum,
    STYPE = mean_summary,
    INITCOND = '(count=0,min=0,max=0,sum=0x0,sum_sq=0x0)',
    FINALFUNC = mean_agg_final,
    COMBINEFUNC = mean_combine,
    MSFUNC = mean_moving_accum,
    MINVFUNC = mean_moving_discard,
    MSTYPE = internal,
    MFINALFUNC = mean_moving_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mean_agg(float8) IS 'mean_summary of the non-NULL values';

CREATE AGGREGATE rollup(mean_summary) (
    SFUNC = mean_combine,
    STYPE = mean_summary,
    INITCOND = '(count=0,min=0,max=0,sum=0x0,sum_sq=0x0)',
    FINALFUNC = mean_agg_final,
    COMBINEFUNC = mean_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(mean_summary) IS 'merge mean summaries by adding their counts and exact sums';

CREATE FUNCTION mean(mean_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_summary_mean' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mean(mean_summary) IS 'arithmetic mean of the summarized values';
CREATE FUNCTION variance(mean_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_summary_variance' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION variance(mean_summary) IS 'sample variance (n - 1), NULL below 2 values';
CREATE FUNCTION stddev(mean_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_summary_stddev' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stddev(mean_summary) IS 'sample standard deviation (n - 1), NULL below 2 values';
CREATE FUNCTION num_values(mean_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'mean_summary_num_values' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION min_value(mean_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_summary_min_value' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION max_value(mean_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_summary_max_value' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ci_lower(mean_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_summary_ci_lower' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ci_lower(mean_summary, float8) IS 'lower bound of the t interval for the mean';
CREATE FUNCTION ci_upper(mean_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_summary_ci_upper' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ci_upper(mean_summary, float8) IS 'upper bound of the t interval for the mean';

CREATE FUNCTION difference(a mean_summary, b mean_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_difference' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION difference(mean_summary, mean_summary) IS 'mean of a - mean of b';
CREATE FUNCTION difference_ci_lower(a mean_summary, b mean_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_difference_ci_lower' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION difference_ci_lower(mean_summary, mean_summary, float8) IS
    'lower bound of Welch''s t interval for the difference of two means';
CREATE FUNCTION difference_ci_upper(a mean_summary, b mean_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_difference_ci_upper' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION difference_ci_upper(mean_summary, mean_summary, float8) IS
    'upper bound of Welch''s t interval for the difference of two means';
CREATE FUNCTION p_value(a mean_summary, b mean_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_p_value' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION p_value(mean_summary, mean_summary) IS 'two-sided p-value of Welch''s t-test';
CREATE FUNCTION sequential_p_value(a mean_summary, b mean_summary, tuning float8 DEFAULT 5000) RETURNS float8
    AS 'MODULE_PATHNAME', 'mean_sequential_p_value' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sequential_p_value(mean_summary, mean_summary, float8) IS
    'always-valid p-value (normal-mixture SPRT) for the difference of two means';
