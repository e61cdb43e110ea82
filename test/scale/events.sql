-- test/scale/events.sql — shared by the scale_* tiers: a deterministic event
-- generator (the same rows on every node, no random(): pseudo-random numbers
-- come from hashint8extended(id, k)) and kpi_close(), the tolerance compare
-- the tiers use between a KPI and the plain SQL over the raw rows.
SET client_min_messages = warning;

-- A uniform number in [0,1) determined by (i, k).
CREATE OR REPLACE FUNCTION scale_u(i bigint, k int) RETURNS float8
IMMUTABLE PARALLEL SAFE LANGUAGE sql AS
$$ SELECT (hashint8extended(i, k) & 2147483647)::float8 / 2147483648 $$;

-- Rows first..last of the event stream.  Products cycle over four names; the
-- timestamps spread over `days` days from `start` (day: its UTC date); ~2% NULL outcomes, ~70%
-- of rows without an NPS answer, ~5% without quality grades.
CREATE OR REPLACE FUNCTION scale_events(first bigint, last bigint,
                                        start timestamptz DEFAULT '2026-08-03 00:00:00+00',
                                        days int DEFAULT 56)
RETURNS TABLE (id bigint, product text, ts timestamptz, day date, user_id bigint,
               completed boolean, score int,
               relevance float8, accuracy float8, completeness float8, tone float8,
               latency_ms float8, amount numeric, billing_period interval)
STABLE LANGUAGE sql AS $$
SELECT i,
       (ARRAY['assistant', 'copilot', 'helpdesk', 'search'])[1 + (i % 4)::int],
       start + floor(scale_u(i, 1) * days * 86400) * interval '1 second',
       ((start + floor(scale_u(i, 1) * days * 86400) * interval '1 second') AT TIME ZONE 'UTC')::date,
       1 + floor(power(scale_u(i, 2), 2) * 3000)::bigint,
       CASE WHEN scale_u(i, 3) < 0.02 THEN NULL ELSE scale_u(i, 4) < 0.84 - 0.04 * (i % 4) END,
       CASE WHEN scale_u(i, 5) < 0.7 THEN NULL ELSE least(10, floor(1 + sqrt(scale_u(i, 6)) * (9.6 + 0.2 * (i % 4))))::int END,
       CASE WHEN scale_u(i, 7) < 0.05 THEN NULL ELSE round(scale_u(i, 8)::numeric, 3)::float8 END,
       round(scale_u(i, 9)::numeric, 3)::float8,
       round(scale_u(i, 10)::numeric, 3)::float8,
       round(scale_u(i, 11)::numeric, 2)::float8,
       CASE WHEN scale_u(i, 12) < 0.01 THEN NULL
            ELSE round((20 + 3000 * power(scale_u(i, 13), 3))::numeric, 1)::float8 END,
       CASE WHEN i % 40 = 0 THEN (ARRAY[29, 99, 299.99])[1 + (i / 40 % 3)::int]::numeric END,
       CASE WHEN i % 40 = 0 THEN (ARRAY['1 month', '3 months', '1 year'])[1 + (i / 40 / 3 % 3)::int]::interval END
FROM generate_series(first, last) AS i
$$;

-- a and b agree: both NULL, or equal within a relative tolerance.
CREATE OR REPLACE FUNCTION kpi_close(a float8, b float8, tol float8) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql AS
$$ SELECT (a IS NULL AND b IS NULL)
       OR (a IS NOT NULL AND b IS NOT NULL AND (a = b OR abs(a - b) <= tol * greatest(abs(a), abs(b)))) $$;

RESET client_min_messages;
