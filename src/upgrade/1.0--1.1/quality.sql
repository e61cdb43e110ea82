-- quality: accessors honour pg_kpi.min_group_size (privacy.c), so they are STABLE.
ALTER FUNCTION quality_score(score_summary) STABLE;
ALTER FUNCTION weighted_score(score_summary) STABLE;
ALTER FUNCTION responses(score_summary) STABLE;
