-- Privacy (SPEC §11, issue 13): differentially private releases of counting
-- KPIs.  Each adds exact discrete Laplace noise (pg_strong_random) to the
-- counts the KPI is computed from (privacy.c), so results are random: the
-- functions are VOLATILE.  They are PARALLEL SAFE: no seed, no shared state
-- (like gen_random_uuid()).  pg_kpi.min_group_size applies to the noisy count.

CREATE FUNCTION rate(rate_summary, epsilon float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'rate_summary_rate_dp' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rate(rate_summary, float8) IS
    'epsilon-differentially private rate (per row): noisy successes / (noisy successes + noisy failures)';

CREATE FUNCTION nps(nps_summary, epsilon float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'nps_summary_nps_dp' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps(nps_summary, float8) IS
    'epsilon-differentially private NPS (per response) from noisy promoter, passive and detractor counts';

CREATE FUNCTION active_users(user_activity, epsilon float8, during daterange) RETURNS bigint
    AS 'MODULE_PATHNAME', 'activity_active_users_dp' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION active_users(user_activity, float8, daterange) IS
    'epsilon-differentially private (per user) count of the users active in during; ''(,)'' = every day';

CREATE FUNCTION dau_mau(user_activity, epsilon float8, during daterange) RETURNS float8
    AS 'MODULE_PATHNAME', 'activity_dau_mau_dp' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dau_mau(user_activity, float8, daterange) IS
    'epsilon-differentially private (per user) DAU/MAU over the calendar days of during';
