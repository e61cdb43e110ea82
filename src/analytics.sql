-- Product analytics over user_activity (src/activity_analytics.c):
-- retention() with PostHog/Amplitude/Mixpanel options, lifecycle(),
-- activity_frequency(), the calendar dau_mau(s, during), and the segment
-- operations activity_intersect(), activity_except(), overlap_users().
-- The metrics are STABLE: they honour pg_kpi.min_group_size (privacy.c);
-- activity_intersect and activity_except return summaries and are IMMUTABLE.
-- (A new family file: it sorts after activity.sql, so user_activity exists.
-- The 1.0 retention(user_activity, text, integer, text) is dropped by
-- src/upgrade/1.0--1.1/activity.sql before this file runs.)

-- One cell of the retention table.  A composite type rather than RETURNS
-- TABLE: the option `cohort` and the output column `cohort` share a name.
CREATE TYPE retention_row AS (
    cohort date,          -- first day of the cohort's period
    cohort_size bigint,   -- users in the cohort (0: nobody; the grid has no holes)
    period integer,       -- 0 = the cohort's own period
    retained bigint,      -- cohort users active in that period
    rate float8,          -- retained / cohort_size (NULL when cohort_size = 0)
    incomplete boolean    -- the period ends after as_of (only with include_incomplete)
);
COMMENT ON TYPE retention_row IS 'one cell of the retention() cohort table';

CREATE FUNCTION retention(user_activity,
                          granularity text DEFAULT 'week',
                          periods integer DEFAULT 12,
                          mode text DEFAULT 'on',
                          cohort text DEFAULT 'first',
                          week_start text DEFAULT 'monday',
                          calendar boolean DEFAULT true,
                          brackets integer[] DEFAULT NULL,
                          as_of date DEFAULT NULL,
                          include_incomplete boolean DEFAULT false,
                          epsilon float8 DEFAULT NULL)
    RETURNS SETOF retention_row
    AS 'MODULE_PATHNAME', 'activity_retention_options' LANGUAGE C VOLATILE PARALLEL SAFE ROWS 100;
-- VOLATILE: with epsilon => the counts are random (privacy.c, README Privacy).
COMMENT ON FUNCTION retention(user_activity, text, integer, text, text, text, boolean, integer[], date, boolean, float8)
    IS 'cohort retention table: first or recurring cohorts, calendar or rolling periods, custom brackets, reporting date; epsilon => differentially private counts';

CREATE FUNCTION lifecycle(user_activity, granularity text DEFAULT 'week', as_of date DEFAULT NULL)
    RETURNS TABLE(period date, new bigint, "returning" bigint, resurrecting bigint, dormant bigint, quick_ratio float8)
    AS 'MODULE_PATHNAME', 'activity_lifecycle' LANGUAGE C STABLE PARALLEL SAFE ROWS 52;
COMMENT ON FUNCTION lifecycle(user_activity, text, date)
    IS 'per period: new, returning, resurrecting and dormant users, and the quick ratio (new + resurrecting) / dormant';

CREATE FUNCTION activity_frequency(user_activity, granularity text DEFAULT 'month', as_of date DEFAULT NULL)
    RETURNS TABLE(period date, active_days integer, users bigint)
    AS 'MODULE_PATHNAME', 'activity_frequency' LANGUAGE C STABLE PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION activity_frequency(user_activity, text, date)
    IS 'per period and k: users active on exactly k days of the period (PostHog stickiness, Mixpanel frequency)';

CREATE FUNCTION dau_mau(user_activity, during daterange) RETURNS float8
    AS 'MODULE_PATHNAME', 'activity_dau_mau_during' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dau_mau(user_activity, daterange)
    IS 'mean daily active users over every calendar day of during, divided by the users active in during';

CREATE FUNCTION activity_intersect(user_activity, user_activity) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_intersect' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_intersect(user_activity, user_activity)
    IS 'the users of the first summary who are also in the second, with their days from the first';
CREATE FUNCTION activity_except(user_activity, user_activity) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_except' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_except(user_activity, user_activity)
    IS 'the users of the first summary who are not in the second, with their days from the first';
CREATE FUNCTION overlap_users(user_activity, user_activity) RETURNS bigint
    AS 'MODULE_PATHNAME', 'activity_overlap_users' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION overlap_users(user_activity, user_activity)
    IS 'number of users active in both summaries (exact)';
