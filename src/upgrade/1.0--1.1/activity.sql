-- Changes to the activity family from 1.0 to 1.1.

-- retention() gains options (src/analytics.sql defines the new signature and
-- its result type).  The old signature is dropped first: an overload with more
-- defaulted parameters would make retention(s) ambiguous.  Views that call
-- retention() must be dropped before ALTER EXTENSION pg_kpi UPDATE and
-- recreated after it (see the README, Upgrading).
DROP FUNCTION retention(user_activity, text, integer, text);
