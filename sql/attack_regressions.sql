-- Regressions for defects found by attacking the extension (hostile inputs,
-- round trips, limits); each block names the defect it guards against.
\i test/regress_helpers.sql
\pset null '(null)'

-- mrr_bridge: mrr_bridge_agg() summed amounts of any numeric size, but the
-- text input refused amounts longer than 1000 characters, so such a summary
-- could not be read back from its text form (COPY, plain pg_dump).
CREATE TABLE atk_bridge AS
SELECT mrr_bridge_agg(m, v) AS b
FROM (VALUES ('new', 1e1000), ('churn', -1e-16383), ('expansion', 9.5e131071), ('new', 1)) x(m, v);
SELECT b::text::mrr_bridge::text = b::text AS text_round_trip,
       kpi_test.binary_roundtrip(b::text, 'mrr_bridge') = b::text AS binary_round_trip,
       new_mrr(b::text::mrr_bridge) = 1e1000 + 1 AS new_exact,
       churned_mrr(b::text::mrr_bridge) = 1e-16383 AS churned_exact,
       expansion_mrr(b::text::mrr_bridge) = 9.5e131071 AS expansion_exact
FROM atk_bridge;
-- An amount longer than any numeric is still rejected.
SELECT left(e, 5) AS sqlstate, split_part(e, E'\n', 2) AS detail
FROM (SELECT kpi_test.error_of($$SELECT ('(new=1:' || repeat('1', 147457) || ',expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)')::mrr_bridge$$) AS e) x;
