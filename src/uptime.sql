-- Uptime and time in state: uptime_summary (uptime_agg() from probes,
-- heartbeat_agg() from heartbeats), state_summary (state_agg()), rollup()
-- and the accessors.

CREATE TYPE uptime_summary;
CREATE FUNCTION uptime_summary_in(cstring) RETURNS uptime_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uptime_summary_out(uptime_summary) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uptime_summary_recv(internal) RETURNS uptime_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uptime_summary_send(uptime_summary) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE uptime_summary (
    INPUT = uptime_summary_in,
    OUTPUT = uptime_summary_out,
    RECEIVE = uptime_summary_recv,
    SEND = uptime_summary_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = extended
);
COMMENT ON TYPE uptime_summary IS 'when a service was up, down or unknown (from probes or heartbeats); merge with rollup()';

CREATE TYPE state_summary;
CREATE FUNCTION state_summary_in(cstring) RETURNS state_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION state_summary_out(state_summary) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION state_summary_recv(internal) RETURNS state_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION state_summary_send(state_summary) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE state_summary (
    INPUT = state_summary_in,
    OUTPUT = state_summary_out,
    RECEIVE = state_summary_recv,
    SEND = state_summary_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = extended
);
COMMENT ON TYPE state_summary IS 'which state something was in when (from state changes); merge with rollup()';

-- Transition, combine and final functions (not strict: they skip NULL rows
-- themselves and keep the state an expanded object).
CREATE FUNCTION uptime_accum(uptime_summary, timestamptz, boolean) RETURNS uptime_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION heartbeat_accum(uptime_summary, timestamptz, interval) RETURNS uptime_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uptime_combine(uptime_summary, uptime_summary) RETURNS uptime_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uptime_final(uptime_summary) RETURNS uptime_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION state_accum(state_summary, timestamptz, text) RETURNS state_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION state_combine(state_summary, state_summary) RETURNS state_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION state_final(state_summary) RETURNS state_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE uptime_agg(ts timestamptz, up boolean) (
    SFUNC = uptime_accum,
    STYPE = uptime_summary,
    FINALFUNC = uptime_final,
    COMBINEFUNC = uptime_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uptime_agg(timestamptz, boolean) IS 'uptime_summary of probes: each probe''s state holds until the next probe';

CREATE AGGREGATE heartbeat_agg(ts timestamptz, timeout interval) (
    SFUNC = heartbeat_accum,
    STYPE = uptime_summary,
    FINALFUNC = uptime_final,
    COMBINEFUNC = uptime_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE heartbeat_agg(timestamptz, interval) IS 'uptime_summary of heartbeats: up from each heartbeat until timeout after it';

CREATE AGGREGATE rollup(uptime_summary) (
    SFUNC = uptime_combine,
    STYPE = uptime_summary,
    FINALFUNC = uptime_final,
    COMBINEFUNC = uptime_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(uptime_summary) IS 'merge uptime summaries (of time ranges that do not overlap, for probes)';

CREATE AGGREGATE state_agg(ts timestamptz, state text) (
    SFUNC = state_accum,
    STYPE = state_summary,
    FINALFUNC = state_final,
    COMBINEFUNC = state_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE state_agg(timestamptz, text) IS 'state_summary of state changes: each state holds until the next change';

CREATE AGGREGATE rollup(state_summary) (
    SFUNC = state_combine,
    STYPE = state_summary,
    FINALFUNC = state_final,
    COMBINEFUNC = state_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(state_summary) IS 'merge state summaries of time ranges that do not overlap';

-- Accessors of uptime_summary; during clips to a time range.
CREATE FUNCTION uptime(uptime_summary) RETURNS float8
    AS 'MODULE_PATHNAME', 'uptime_share' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uptime(uptime_summary, during tstzrange) RETURNS float8
    AS 'MODULE_PATHNAME', 'uptime_share' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uptime(uptime_summary) IS 'share of known time that was up';
COMMENT ON FUNCTION uptime(uptime_summary, tstzrange) IS 'share of known time within during that was up';
CREATE FUNCTION downtime(uptime_summary) RETURNS interval
    AS 'MODULE_PATHNAME', 'uptime_downtime' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION downtime(uptime_summary, during tstzrange) RETURNS interval
    AS 'MODULE_PATHNAME', 'uptime_downtime' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION downtime(uptime_summary) IS 'known time that was down';
COMMENT ON FUNCTION downtime(uptime_summary, tstzrange) IS 'known time within during that was down';
CREATE FUNCTION known_time(uptime_summary) RETURNS interval
    AS 'MODULE_PATHNAME', 'uptime_known_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION known_time(uptime_summary, during tstzrange) RETURNS interval
    AS 'MODULE_PATHNAME', 'uptime_known_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION known_time(uptime_summary) IS 'time the summary knows the state of';
COMMENT ON FUNCTION known_time(uptime_summary, tstzrange) IS 'time within during the summary knows the state of';
CREATE FUNCTION outages(uptime_summary) RETURNS bigint
    AS 'MODULE_PATHNAME', 'uptime_outages' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION outages(uptime_summary, during tstzrange) RETURNS bigint
    AS 'MODULE_PATHNAME', 'uptime_outages' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION outages(uptime_summary) IS 'number of outages (down periods)';
COMMENT ON FUNCTION outages(uptime_summary, tstzrange) IS 'number of outages overlapping during';
CREATE FUNCTION mttr(uptime_summary) RETURNS interval
    AS 'MODULE_PATHNAME', 'uptime_mttr' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mttr(uptime_summary, during tstzrange) RETURNS interval
    AS 'MODULE_PATHNAME', 'uptime_mttr' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mttr(uptime_summary) IS 'mean time to recovery: mean outage length (NULL without outages)';
COMMENT ON FUNCTION mttr(uptime_summary, tstzrange) IS 'mean length of the outages clipped to during (NULL without outages)';
CREATE FUNCTION longest_outage(uptime_summary) RETURNS interval
    AS 'MODULE_PATHNAME', 'uptime_longest_outage' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION longest_outage(uptime_summary, during tstzrange) RETURNS interval
    AS 'MODULE_PATHNAME', 'uptime_longest_outage' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION longest_outage(uptime_summary) IS 'the longest outage (0 without outages)';
COMMENT ON FUNCTION longest_outage(uptime_summary, tstzrange) IS 'the longest outage clipped to during (0 without outages)';
CREATE FUNCTION up_intervals(uptime_summary) RETURNS SETOF tstzrange
    AS 'MODULE_PATHNAME', 'uptime_up_intervals' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
CREATE FUNCTION up_intervals(uptime_summary, during tstzrange) RETURNS SETOF tstzrange
    AS 'MODULE_PATHNAME', 'uptime_up_intervals' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION up_intervals(uptime_summary) IS 'the up time as ranges';
COMMENT ON FUNCTION up_intervals(uptime_summary, tstzrange) IS 'the up time as ranges clipped to during';

-- Accessors of state_summary.
CREATE FUNCTION duration_in(state_summary, state text) RETURNS interval
    AS 'MODULE_PATHNAME', 'state_duration_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION duration_in(state_summary, state text, during tstzrange) RETURNS interval
    AS 'MODULE_PATHNAME', 'state_duration_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION duration_in(state_summary, text) IS 'time spent in state';
COMMENT ON FUNCTION duration_in(state_summary, text, tstzrange) IS 'time within during spent in state';
CREATE FUNCTION state_share(state_summary, state text) RETURNS float8
    AS 'MODULE_PATHNAME', 'state_share' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION state_share(state_summary, state text, during tstzrange) RETURNS float8
    AS 'MODULE_PATHNAME', 'state_share' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION state_share(state_summary, text) IS 'share of known time spent in state';
COMMENT ON FUNCTION state_share(state_summary, text, tstzrange) IS 'share of known time within during spent in state';
CREATE FUNCTION states(state_summary) RETURNS text[]
    AS 'MODULE_PATHNAME', 'state_names' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION states(state_summary) IS 'the states the summary has seen, sorted';
