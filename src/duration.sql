-- Durations: interval overloads of the latency family.  The state is the
-- latency_sketch of the durations in seconds (as EXTRACT(epoch FROM interval)
-- counts them); results come back as intervals.

CREATE FUNCTION duration_accum(latency_sketch, interval) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION duration_accum_alpha(latency_sketch, interval, float8) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION duration_accum_p(latency_sketch, interval, float8) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION duration_accum_parr(latency_sketch, interval, float8[]) RETURNS latency_sketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION duration_percentile_final(latency_sketch) RETURNS interval
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION duration_percentiles_final(latency_sketch) RETURNS interval[]
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION duration_mcollect_p(internal, interval, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION duration_mdiscard_p(internal, interval, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'duration_mdiscard' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION duration_mfinal_p(internal) RETURNS interval
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION duration_mcollect_parr(internal, interval, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION duration_mdiscard_parr(internal, interval, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME', 'duration_mdiscard' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION duration_mfinal_parr(internal) RETURNS interval[]
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE latency_agg(latency interval) (
    SFUNC = duration_accum,
    STYPE = latency_sketch,
    FINALFUNC = latency_sketch_final,
    COMBINEFUNC = latency_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE latency_agg(interval) IS 'latency_sketch of the non-NULL durations in seconds, relative accuracy 0.01';

CREATE AGGREGATE latency_agg(latency interval, relative_accuracy float8) (
    SFUNC = duration_accum_alpha,
    STYPE = latency_sketch,
    FINALFUNC = latency_sketch_final,
    COMBINEFUNC = latency_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE latency_agg(interval, float8) IS 'latency_sketch of the non-NULL durations in seconds with the given relative accuracy';

CREATE AGGREGATE percentile_latency(latency interval, p float8) (
    SFUNC = duration_accum_p,
    STYPE = latency_sketch,
    FINALFUNC = duration_percentile_final,
    COMBINEFUNC = latency_combine,
    MSFUNC = duration_mcollect_p,
    MINVFUNC = duration_mdiscard_p,
    MSTYPE = internal,
    MFINALFUNC = duration_mfinal_p,
    MFINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE percentile_latency(interval, float8) IS 'approximate percentile p of the durations, within 1% of percentile_disc(p)';

CREATE AGGREGATE latency_percentiles(latency interval, p float8[]) (
    SFUNC = duration_accum_parr,
    STYPE = latency_sketch,
    FINALFUNC = duration_percentiles_final,
    COMBINEFUNC = latency_combine,
    MSFUNC = duration_mcollect_parr,
    MINVFUNC = duration_mdiscard_parr,
    MSTYPE = internal,
    MFINALFUNC = duration_mfinal_parr,
    MFINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE latency_percentiles(interval, float8[]) IS 'approximate percentiles of the durations, each within 1% of percentile_disc';

CREATE FUNCTION percentile_interval(latency_sketch, p float8) RETURNS interval
    AS 'MODULE_PATHNAME', 'duration_sketch_percentile' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION percentile_interval(latency_sketch, float8) IS 'approximate percentile p of a sketch of durations, as an interval';
CREATE FUNCTION percentiles_interval(latency_sketch, p float8[]) RETURNS interval[]
    AS 'MODULE_PATHNAME', 'duration_sketch_percentiles' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION percentiles_interval(latency_sketch, float8[]) IS 'approximate percentiles of a sketch of durations, as intervals';
