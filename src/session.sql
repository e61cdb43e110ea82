-- Sessions: session_number(ts, idle), a window function.

CREATE FUNCTION session_number(ts timestamptz, idle interval) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION session_number(timestamptz, interval) IS
    'window function: session number along the ordered partition; a new session starts when the gap to the previous row exceeds idle';
