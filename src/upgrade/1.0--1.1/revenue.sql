-- revenue: the aggregates' final functions honour pg_kpi.min_group_size
-- (privacy.c), so they are STABLE.
ALTER FUNCTION mrr_final(numeric[]) STABLE;
ALTER FUNCTION mrr_moving_final(internal) STABLE;
ALTER FUNCTION ltv_cac_final(numeric[]) STABLE;
ALTER FUNCTION retention_final(numeric[]) STABLE;
