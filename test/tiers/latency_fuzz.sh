#!/usr/bin/env bash
# Tier: fuzz the latency_sketch input functions.  Valid sketches (several
# shapes: typical latencies, zeros, collapsed buckets, attached percentiles)
# are mutated at random (fixed seed): truncations, bit flips, byte and
# character edits, changed counts/lengths, giant length fields.  Every
# mutation of the text form (input function) and of the binary form (receive
# function, through a real binary COPY) must either give a valid sketch (its
# text round-trips and its accessors work) or raise 22P02/22P03; the server
# must stay up.  Runs against the cluster in PGHOST/PGPORT, in its own database.
set -uo pipefail
cd "$(dirname "$0")/../.."

db=kpi_latency_fuzz
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
text_n=${LATENCY_FUZZ_TEXT:-6000}
bin_n=${LATENCY_FUZZ_BINARY:-4500}

psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null \
    || { echo "not ok - latency fuzz: create database $db"; exit 0; }
export PGDATABASE=$db
if ! psql -XAtq -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<'SQL'
CREATE EXTENSION pg_kpi;
\i test/regress_helpers.sql
SELECT setseed(0.77);
CREATE TABLE seeds AS
SELECT 'lognormal' AS name, latency_agg(exp(4 + 1.5 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())))::text AS s
FROM generate_series(1, 3000)
UNION ALL SELECT 'zeros', latency_agg(CASE WHEN i % 3 = 0 THEN 0 ELSE i END)::text FROM generate_series(1, 200) i
UNION ALL SELECT 'alpha_0.0001', latency_agg(100 + i, 0.0001)::text FROM generate_series(1, 300) i
UNION ALL SELECT 'alpha_0.1', latency_agg(i * i, 0.1)::text FROM generate_series(1, 300) i
UNION ALL SELECT 'collapsed', latency_agg(power(10, -40 + 80 * i / 500.0))::text FROM generate_series(0, 500) i
UNION ALL SELECT 'one', latency_agg(3.5)::text
UNION ALL SELECT 'percentiles', '(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2},percentiles={0.5,NULL,1})';
ALTER TABLE seeds ADD COLUMN b bytea;
UPDATE seeds SET b = kpi_test.send_bytes(s, 'latency_sketch');

-- A sketch that parsed must be valid: exact text round trip, working accessors,
-- and a merge with itself (which may only fail with a count overflow).
CREATE FUNCTION check_valid(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    s latency_sketch := t::latency_sketch;
    st text;
BEGIN
    -- (t itself may be non-canonical, e.g. blanks or 1e2 for 100.)
    IF s::text::latency_sketch::text <> s::text THEN RETURN 'text does not round-trip: ' || left(t, 200); END IF;
    PERFORM percentiles(s, '{0,0.01,0.5,0.99,1}'), percentile_rank(s, 1), num_values(s), mean(s),
            min_value(s), max_value(s), relative_accuracy(s);
    BEGIN
        PERFORM rollup(x) FROM (VALUES (s), (s)) v(x);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
        IF st <> '22003' THEN RETURN 'merge failed with ' || st || ': ' || left(t, 200); END IF;
    END;
    RETURN NULL;
END $$;

-- One random mutation of a text form.
CREATE FUNCTION mutate_text(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    op int := floor(random() * 8)::int;
    n int := length(t);
    pos int := 1 + floor(random() * n)::int;
    chars text := '0123456789-+,:{}()=.eE aNxNULL';
    nums text[] := ARRAY['0', '-1', '1', '4095', '4096', '4097', '2147483647', '2147483648', '-2147483649',
                         '9223372036854775807', '9223372036854775808', '99999999999999999999999', '1e308', '1e309',
                         'NaN', 'Infinity', '-0', '0.5', '1e-320', '35', '-35000'];
BEGIN
    CASE op
    WHEN 0 THEN RETURN left(t, pos - 1);                                                  -- truncate
    WHEN 1 THEN RETURN overlay(t PLACING substr(chars, 1 + floor(random() * length(chars))::int, 1) FROM pos FOR 1);
    WHEN 2 THEN RETURN overlay(t PLACING '' FROM pos FOR 1);                              -- delete a char
    WHEN 3 THEN RETURN overlay(t PLACING substr(chars, 1 + floor(random() * length(chars))::int, 1) FROM pos FOR 0);
    WHEN 4, 5 THEN                                                                         -- replace a number
        n := (SELECT count(*) FROM regexp_matches(t, '-?[0-9][0-9.e+]*', 'g'));
        IF n = 0 THEN RETURN t || '0'; END IF;
        RETURN regexp_replace(t, '-?[0-9][0-9.e+]*', nums[1 + floor(random() * array_length(nums, 1))::int],
                              1, 1 + floor(random() * n)::int);
    WHEN 6 THEN                                                                            -- duplicate a bucket
        RETURN regexp_replace(t, '([{,])(-?[0-9]+:[0-9]+)', '\1\2,\2');
    ELSE                                                                                   -- drop a bucket
        RETURN regexp_replace(t, ',?-?[0-9]+:[0-9]+', '');
    END CASE;
END $$;
SQL
then
    echo "not ok - latency fuzz: setup failed"
    exit 0
fi

# One random mutation of a binary form.
psql -XAtq -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || { echo "not ok - latency fuzz: setup of binary mutations failed"; exit 0; }
CREATE FUNCTION mutate_bytes(b bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    op int := floor(random() * 9)::int;
    n int := length(b);
    pos int := floor(random() * n)::int;          -- 0-based
    giant bytea[] := ARRAY['\x7fffffff'::bytea, '\xffffffff', '\x80000000', '\x00001000', '\x00001001', '\xffff'];
BEGIN
    IF n < 2 THEN RETURN b || '\x01'::bytea; END IF;
    CASE op
    WHEN 0 THEN RETURN substring(b FROM 1 FOR pos);                                          -- truncate
    WHEN 1, 2 THEN RETURN set_bit(b, floor(random() * n * 8)::int, 1 - get_bit(b, floor(random() * n * 8)::int)); -- flip a bit
    WHEN 3 THEN RETURN set_byte(b, pos, floor(random() * 256)::int);                        -- random byte
    WHEN 4 THEN RETURN b || decode(md5(random()::text), 'hex');                             -- trailing junk
    WHEN 5 THEN                                                                              -- giant/changed length fields
        RETURN overlay(b PLACING giant[1 + floor(random() * 6)::int]
                       FROM (ARRAY[3, 5, 9, 1 + length(b) - 4])[1 + floor(random() * 4)::int]);
    WHEN 6 THEN                                                                              -- changed count / zero count
        RETURN overlay(b PLACING int8send((random() * 2e18)::int8 * (CASE WHEN random() < 0.3 THEN -1 ELSE 1 END))
                       FROM (ARRAY[22, 30])[1 + floor(random() * 2)::int]);
    WHEN 7 THEN                                                                              -- overlong varint
        RETURN substring(b FROM 1 FOR 62) || '\xffffffffffffffffffff01'::bytea || substring(b FROM 63);
    ELSE                                                                                     -- delete a byte
        RETURN substring(b FROM 1 FOR pos) || substring(b FROM pos + 2);
    END CASE;
END $$;
SQL

# Text mutations: all in one server-side loop.
out=$(psql -XAtq -v ON_ERROR_STOP=1 2>&1 <<SQL
SET fuzz.n = $text_n;
SELECT setseed(0.5);
DO \$\$
DECLARE
    seeds text[] := ARRAY(SELECT s FROM seeds ORDER BY name);
    t text; msg text; st text;
    accepted int := 0; rejected int := 0; bad int := 0; firstbad text;
BEGIN
    FOR i IN 1 .. current_setting('fuzz.n')::int LOOP
        t := seeds[1 + (i % array_length(seeds, 1))];
        FOR k IN 0 .. floor(random() * 3)::int LOOP
            t := mutate_text(t);
        END LOOP;
        BEGIN
            msg := check_valid(t);
            IF msg IS NULL THEN accepted := accepted + 1;
            ELSE bad := bad + 1; firstbad := coalesce(firstbad, msg); END IF;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
            IF st = '22P02' THEN rejected := rejected + 1;
            ELSE bad := bad + 1; firstbad := coalesce(firstbad, st || ' ' || msg || ' for ' || left(t, 200)); END IF;
        END;
    END LOOP;
    RAISE WARNING 'RESULT % % % %', accepted, rejected, bad, coalesce(firstbad, '');
END \$\$;
SQL
)
set -- $(echo "$out" | sed -n 's/.*RESULT \([0-9]*\) \([0-9]*\) \([0-9]*\).*/\1 \2 \3/p')
if [ $# -eq 3 ] && [ "$3" -eq 0 ] && [ $(( $1 + $2 )) -eq "$text_n" ]; then
    echo "ok - latency_sketch text fuzz: $text_n mutations, $1 valid sketches, $2 rejected with 22P02"
else
    echo "not ok - latency_sketch text fuzz: $(echo "$out" | tail -3 | tr '\n' ' ')"
fi

# Binary mutations: each one through a real binary COPY (the receive function).
out=$(psql -XAtq -v ON_ERROR_STOP=1 2>&1 <<SQL
SET fuzz.n = $bin_n;
SELECT setseed(0.25);
DO \$\$
DECLARE
    seeds bytea[] := ARRAY(SELECT b FROM seeds ORDER BY name);
    b bytea; t text; msg text; st text;
    accepted int := 0; rejected int := 0; bad int := 0; firstbad text;
BEGIN
    FOR i IN 1 .. current_setting('fuzz.n')::int LOOP
        b := seeds[1 + (i % array_length(seeds, 1))];
        FOR k IN 0 .. floor(random() * 2)::int LOOP
            b := mutate_bytes(b);
        END LOOP;
        BEGIN
            t := kpi_test.recv_text(b, 'latency_sketch');
            msg := check_valid(t);
            IF msg IS NULL THEN accepted := accepted + 1;
            ELSE bad := bad + 1; firstbad := coalesce(firstbad, msg); END IF;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
            IF st = '22P03' THEN rejected := rejected + 1;
            ELSE bad := bad + 1; firstbad := coalesce(firstbad, st || ' ' || msg || ' for ' || encode(b, 'hex')); END IF;
        END;
    END LOOP;
    RAISE WARNING 'RESULT % % % %', accepted, rejected, bad, coalesce(firstbad, '');
END \$\$;
SQL
)
set -- $(echo "$out" | sed -n 's/.*RESULT \([0-9]*\) \([0-9]*\) \([0-9]*\).*/\1 \2 \3/p')
if [ $# -eq 3 ] && [ "$3" -eq 0 ] && [ $(( $1 + $2 )) -eq "$bin_n" ]; then
    echo "ok - latency_sketch binary fuzz: $bin_n mutations, $1 valid sketches, $2 rejected with 22P03"
else
    echo "not ok - latency_sketch binary fuzz: $(echo "$out" | tail -3 | tr '\n' ' ')"
fi

if [ "$(psql -XAtq -c 'SELECT 1')" = 1 ]; then
    echo "ok - server still up after latency_sketch fuzzing"
else
    echo "not ok - server still up after latency_sketch fuzzing"
fi
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
exit 0
