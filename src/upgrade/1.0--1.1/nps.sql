-- nps: accessors honour pg_kpi.min_group_size (privacy.c), so they are STABLE.
ALTER FUNCTION nps(nps_summary) STABLE;
ALTER FUNCTION promoters(nps_summary) STABLE;
ALTER FUNCTION passives(nps_summary) STABLE;
ALTER FUNCTION detractors(nps_summary) STABLE;
ALTER FUNCTION responses(nps_summary) STABLE;
ALTER FUNCTION score_counts(nps_summary) STABLE;
ALTER FUNCTION ci_lower(nps_summary, float8) STABLE;
ALTER FUNCTION ci_upper(nps_summary, float8) STABLE;
