-- latency: accessors and final functions honour pg_kpi.min_group_size
-- (privacy.c), so they are STABLE.
ALTER FUNCTION latency_percentile_final(latency_sketch) STABLE;
ALTER FUNCTION latency_percentiles_final(latency_sketch) STABLE;
ALTER FUNCTION latency_mfinal_p(internal) STABLE;
ALTER FUNCTION latency_mfinal_parr(internal) STABLE;
ALTER FUNCTION percentile(latency_sketch, float8) STABLE;
ALTER FUNCTION percentiles(latency_sketch, float8[]) STABLE;
ALTER FUNCTION percentile_rank(latency_sketch, float8) STABLE;
ALTER FUNCTION num_values(latency_sketch) STABLE;
ALTER FUNCTION mean(latency_sketch) STABLE;
ALTER FUNCTION min_value(latency_sketch) STABLE;
ALTER FUNCTION max_value(latency_sketch) STABLE;
