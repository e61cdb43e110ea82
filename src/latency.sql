-- Latency percentiles: latency_sketch (a DDSketch with a guaranteed relative
-- error), latency_agg(), rollup(), percentile_latency(), latency_percentiles()
-- (with moving-window mode), and the accessors.
-- Accessors and final functions are STABLE: they return NULL under
-- pg_kpi.min_group_size (privacy.c).

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
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION latency_percentiles_final(latency_sketch) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

-- Moving-window (MSFUNC/MINVFUNC) functions; the state is internal.
CREATE FUNCTION latency_mcollect_p(internal, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_mdiscard_p(internal, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'latency_mdiscard' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_mfinal_p(internal) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION latency_mcollect_parr(internal, float8, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_mdiscard_parr(internal, float8, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME', 'latency_mdiscard' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION latency_mfinal_parr(internal) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

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
    AS 'MODULE_PATHNAME', 'latency_sketch_percentile' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION percentile(latency_sketch, float8) IS 'approximate percentile p, within the sketch''s relative accuracy of percentile_disc(p)';
CREATE FUNCTION percentiles(latency_sketch, p float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'latency_sketch_percentiles' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION percentiles(latency_sketch, float8[]) IS 'approximate percentiles, one per element of p';
CREATE FUNCTION percentile_rank(latency_sketch, value float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'latency_sketch_percentile_rank' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION percentile_rank(latency_sketch, float8) IS 'approximate share of values <= value';
CREATE FUNCTION num_values(latency_sketch) RETURNS bigint
    AS 'MODULE_PATHNAME', 'latency_sketch_num_values' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean(latency_sketch) RETURNS float8
    AS 'MODULE_PATHNAME', 'latency_sketch_mean' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION min_value(latency_sketch) RETURNS float8
    AS 'MODULE_PATHNAME', 'latency_sketch_min' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION max_value(latency_sketch) RETURNS float8
    AS 'MODULE_PATHNAME', 'latency_sketch_max' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relative_accuracy(latency_sketch) RETURNS float8
    AS 'MODULE_PATHNAME', 'latency_sketch_alpha' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
