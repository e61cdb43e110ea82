-- User activity: the user_activity summary (each user once, with a bitmap of
-- active days), activity_agg(), rollup(), dau_mau, retention_rate, retention,
-- stickiness, churn_rate, customer_retention_rate, active_users, first_day,
-- last_day.
-- Metrics are STABLE: they return NULL under pg_kpi.min_group_size (privacy.c).

CREATE TYPE user_activity;

CREATE FUNCTION user_activity_in(cstring) RETURNS user_activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION user_activity_out(user_activity) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION user_activity_recv(internal) RETURNS user_activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION user_activity_send(user_activity) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE user_activity (
    INPUT = user_activity_in,
    OUTPUT = user_activity_out,
    RECEIVE = user_activity_recv,
    SEND = user_activity_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);
COMMENT ON TYPE user_activity IS 'which user was active on which day (each user once, with a bitmap of active days); merge with rollup()';

CREATE FUNCTION activity_accum(user_activity, bigint, date) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_int8_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, bigint, date, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_int8_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, bigint, timestamptz) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_int8_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, bigint, timestamptz, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_int8_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, text, date) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_text_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, text, date, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_text_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, text, timestamptz) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_text_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, text, timestamptz, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_text_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, uuid, date) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_uuid_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, uuid, date, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_uuid_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, uuid, timestamptz) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_uuid_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_accum(user_activity, uuid, timestamptz, integer) RETURNS user_activity
    AS 'MODULE_PATHNAME', 'activity_accum_uuid_tstz' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_combine(user_activity, user_activity) RETURNS user_activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_final(user_activity) RETURNS user_activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_dau_mau_final(user_activity) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_retention_rate_final(user_activity) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE activity_agg(user_id bigint, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(bigint, date) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id bigint, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(bigint, date) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id bigint, ts date, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(bigint, date, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE activity_agg(user_id bigint, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(bigint, timestamptz) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id bigint, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(bigint, timestamptz) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id bigint, ts timestamptz, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(bigint, timestamptz, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE activity_agg(user_id text, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(text, date) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id text, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(text, date) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id text, ts date, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(text, date, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE activity_agg(user_id text, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(text, timestamptz) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id text, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(text, timestamptz) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id text, ts timestamptz, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(text, timestamptz, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE activity_agg(user_id uuid, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(uuid, date) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id uuid, ts date) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(uuid, date) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id uuid, ts date, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(uuid, date, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE activity_agg(user_id uuid, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(uuid, timestamptz) IS 'user_activity summary of the (user, day) pairs of the non-NULL rows';
CREATE AGGREGATE dau_mau(user_id uuid, ts timestamptz) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_dau_mau_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE dau_mau(uuid, timestamptz) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE AGGREGATE retention_rate(user_id uuid, ts timestamptz, n integer) (
    SFUNC = activity_accum, STYPE = user_activity, FINALFUNC = activity_retention_rate_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(uuid, timestamptz, integer) IS 'N-day retention (mode on): share of users old enough who were active on day first + n';

CREATE AGGREGATE rollup(user_activity) (
    SFUNC = activity_combine, STYPE = user_activity, FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(user_activity) IS 'merge user_activity summaries: the union of their (user, day) pairs';

CREATE FUNCTION dau_mau(user_activity) RETURNS float8
    AS 'MODULE_PATHNAME', 'activity_dau_mau' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dau_mau(user_activity) IS 'mean daily active users over every day from the first to the last active day, divided by all active users';
CREATE FUNCTION retention_rate(user_activity, n integer, mode text DEFAULT 'on') RETURNS float8
    AS 'MODULE_PATHNAME', 'activity_retention_rate' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION retention_rate(user_activity, integer, text) IS 'N-day retention of the users old enough; mode on or on_or_after';
-- retention(user_activity, ...) is defined in src/analytics.sql (1.1: options).
CREATE FUNCTION stickiness(user_activity, window_days integer DEFAULT 30)
    RETURNS TABLE(day date, dau bigint, mau bigint, dau_mau float8)
    AS 'MODULE_PATHNAME', 'activity_stickiness' LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 90;
COMMENT ON FUNCTION stickiness(user_activity, integer) IS 'per day: DAU / users active in the window_days days ending that day';
CREATE FUNCTION churn_rate(user_activity, previous daterange, current daterange) RETURNS float8
    AS 'MODULE_PATHNAME', 'activity_churn_rate' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churn_rate(user_activity, daterange, daterange) IS 'share of the users active in previous who are not active in current';
CREATE FUNCTION customer_retention_rate(user_activity, previous daterange, current daterange) RETURNS float8
    AS 'MODULE_PATHNAME', 'activity_customer_retention_rate' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION customer_retention_rate(user_activity, daterange, daterange) IS '(E - N) / S: active in current minus new in current, over active in previous';
CREATE FUNCTION active_users(user_activity) RETURNS bigint
    AS 'MODULE_PATHNAME', 'activity_active_users' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION active_users(user_activity, during daterange) RETURNS bigint
    AS 'MODULE_PATHNAME', 'activity_active_users' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION active_users(user_activity, daterange) IS 'users active on some day of the range';
CREATE FUNCTION first_day(user_activity) RETURNS date
    AS 'MODULE_PATHNAME', 'activity_first_day' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION first_day(user_activity, during daterange) RETURNS date
    AS 'MODULE_PATHNAME', 'activity_first_day' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION last_day(user_activity) RETURNS date
    AS 'MODULE_PATHNAME', 'activity_last_day' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION last_day(user_activity, during daterange) RETURNS date
    AS 'MODULE_PATHNAME', 'activity_last_day' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION activity_memory_bytes(user_activity) RETURNS bigint
    AS 'MODULE_PATHNAME', 'activity_memory_bytes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_memory_bytes(user_activity) IS 'diagnostic, not a KPI: bytes the in-memory (hash table) form of the summary takes while aggregating';
