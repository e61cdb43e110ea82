-- rate: accessors honour pg_kpi.min_group_size (privacy.c), so they are STABLE.
ALTER FUNCTION rate(rate_summary) STABLE;
ALTER FUNCTION successes(rate_summary) STABLE;
ALTER FUNCTION trials(rate_summary) STABLE;
ALTER FUNCTION ci_lower(rate_summary, float8) STABLE;
ALTER FUNCTION ci_upper(rate_summary, float8) STABLE;
ALTER FUNCTION lift_final(bigint[]) STABLE;
