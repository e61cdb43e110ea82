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

-- kpi_benchmark_mark_user: any table owner may attach the trigger function to
-- a table of their own; on a table whose column "shipped" is not boolean it
-- wrote a boolean into it (a text column: the backend crashed, signal 11).
CREATE TABLE atk_not_benchmark (id int, shipped text);
CREATE TRIGGER atk_mark BEFORE INSERT OR UPDATE ON atk_not_benchmark
    FOR EACH ROW EXECUTE FUNCTION kpi_benchmark_mark_user();
SELECT kpi_test.error_of($$INSERT INTO atk_not_benchmark VALUES (1, 'x')$$);
CREATE TABLE atk_no_shipped (id int);
CREATE TRIGGER atk_mark BEFORE INSERT ON atk_no_shipped
    FOR EACH ROW EXECUTE FUNCTION kpi_benchmark_mark_user();
SELECT kpi_test.error_of($$INSERT INTO atk_no_shipped VALUES (1)$$);
SELECT count(*) AS rows_stored FROM atk_not_benchmark;
-- On kpi_benchmark itself it still marks user rows.
INSERT INTO kpi_benchmark (kpi, band, lower, upper, shipped) VALUES ('atk_kpi', 'good', 0, 1, true);
SELECT kpi, band, shipped FROM kpi_benchmark WHERE kpi = 'atk_kpi';
DELETE FROM kpi_benchmark WHERE kpi = 'atk_kpi';

-- Transition functions called directly on crafted summaries built values
-- that their own text input rejects (found by the hostile tier's text round
-- trip of returned summaries): nps_accum() let the total of responses pass
-- 2^63 - 1; rate_discard() removed a failure from a summary of successes
-- only, leaving successes > trials.
SELECT kpi_test.error_of($$SELECT nps_accum('(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=9223372036854775807)', 0)$$);
SELECT nps_accum('(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=9223372036854775806)', 0);
SELECT kpi_test.error_of($$SELECT rate_discard('(successes=9223372036854775807,trials=9223372036854775807)', false)$$);
SELECT kpi_test.error_of($$SELECT rate_discard('(successes=3,trials=3)', false)$$);
SELECT rate_discard('(successes=3,trials=4)', false), rate_discard('(successes=3,trials=3)', true);
