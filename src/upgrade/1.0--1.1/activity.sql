-- Changes to the activity family from 1.0 to 1.1.

-- activity: metrics honour pg_kpi.min_group_size (privacy.c), so they are STABLE.
ALTER FUNCTION activity_dau_mau_final(user_activity) STABLE;
ALTER FUNCTION activity_retention_rate_final(user_activity) STABLE;
ALTER FUNCTION dau_mau(user_activity) STABLE;
ALTER FUNCTION retention_rate(user_activity, integer, text) STABLE;
ALTER FUNCTION stickiness(user_activity, integer) STABLE;
ALTER FUNCTION churn_rate(user_activity, daterange, daterange) STABLE;
ALTER FUNCTION customer_retention_rate(user_activity, daterange, daterange) STABLE;
ALTER FUNCTION active_users(user_activity) STABLE;
ALTER FUNCTION active_users(user_activity, daterange) STABLE;
ALTER FUNCTION first_day(user_activity) STABLE;
ALTER FUNCTION first_day(user_activity, daterange) STABLE;
ALTER FUNCTION last_day(user_activity) STABLE;
ALTER FUNCTION last_day(user_activity, daterange) STABLE;
-- activity_memory_bytes is a diagnostic of the in-memory form (issue 11).
COMMENT ON FUNCTION activity_memory_bytes(user_activity) IS 'diagnostic, not a KPI: bytes the in-memory (hash table) form of the summary takes while aggregating';

-- retention() gains options (src/analytics.sql defines the new signature and
-- its result type).  The old signature is dropped first: an overload with more
-- defaulted parameters would make retention(s) ambiguous.  Views that call
-- retention() must be dropped before ALTER EXTENSION pg_kpi UPDATE and
-- recreated after it (see the README, Upgrading).
DROP FUNCTION retention(user_activity, text, integer, text);
