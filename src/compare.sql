-- Comparisons of two rate or NPS summaries (a = new period or treatment,
-- b = baseline or control): difference() and its interval, p_value(), lift()
-- and its interval, and the always-valid sequential_p_value().  The
-- mean_summary overloads are in mean.sql, after the type.  STABLE: a
-- comparison is NULL when either side is below pg_kpi.min_group_size.

CREATE FUNCTION difference(a rate_summary, b rate_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_difference' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION difference(rate_summary, rate_summary) IS 'rate of a - rate of b';
CREATE FUNCTION difference_ci_lower(a rate_summary, b rate_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_difference_ci_lower' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION difference_ci_lower(rate_summary, rate_summary, float8) IS
    'lower bound of Newcombe''s hybrid score interval for the difference of two rates';
CREATE FUNCTION difference_ci_upper(a rate_summary, b rate_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_difference_ci_upper' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION difference_ci_upper(rate_summary, rate_summary, float8) IS
    'upper bound of Newcombe''s hybrid score interval for the difference of two rates';
CREATE FUNCTION p_value(a rate_summary, b rate_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_p_value' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION p_value(rate_summary, rate_summary) IS
    'two-sided p-value of the pooled two-proportion z-test';
CREATE FUNCTION sequential_p_value(a rate_summary, b rate_summary, tuning float8 DEFAULT 5000) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_sequential_p_value' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sequential_p_value(rate_summary, rate_summary, float8) IS
    'always-valid p-value (normal-mixture SPRT) for the difference of two rates; safe to check every day';
CREATE FUNCTION lift(treatment rate_summary, control rate_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_lift' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lift(rate_summary, rate_summary) IS 'treatment rate / control rate - 1';
CREATE FUNCTION lift_ci_lower(treatment rate_summary, control rate_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_lift_ci_lower' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lift_ci_lower(rate_summary, rate_summary, float8) IS
    'lower bound of the lift from Katz''s log risk ratio interval';
CREATE FUNCTION lift_ci_upper(treatment rate_summary, control rate_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_lift_ci_upper' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lift_ci_upper(rate_summary, rate_summary, float8) IS
    'upper bound of the lift from Katz''s log risk ratio interval';

CREATE FUNCTION difference(a nps_summary, b nps_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'nps_difference' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION difference(nps_summary, nps_summary) IS 'NPS of a - NPS of b, in points';
CREATE FUNCTION difference_ci_lower(a nps_summary, b nps_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'nps_difference_ci_lower' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION difference_ci_lower(nps_summary, nps_summary, float8) IS
    'NPS difference - z * sqrt(SE_a^2 + SE_b^2)';
CREATE FUNCTION difference_ci_upper(a nps_summary, b nps_summary, confidence float8 DEFAULT 0.95) RETURNS float8
    AS 'MODULE_PATHNAME', 'nps_difference_ci_upper' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION difference_ci_upper(nps_summary, nps_summary, float8) IS
    'NPS difference + z * sqrt(SE_a^2 + SE_b^2)';
CREATE FUNCTION p_value(a nps_summary, b nps_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'nps_p_value' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION p_value(nps_summary, nps_summary) IS 'two-sided p-value of the z-test on the NPS difference';
CREATE FUNCTION sequential_p_value(a nps_summary, b nps_summary, tuning float8 DEFAULT 5000) RETURNS float8
    AS 'MODULE_PATHNAME', 'nps_sequential_p_value' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sequential_p_value(nps_summary, nps_summary, float8) IS
    'always-valid p-value (normal-mixture SPRT) for the NPS difference';
