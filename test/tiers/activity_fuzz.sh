# Tier: fuzz the user_activity text and binary input functions.  Valid
# summaries are mutated at random (truncations, bit flips, changed counts,
# lengths, ids and days, giant length fields, inserted garbage); every mutant
# must either parse to a valid summary (whose text form round-trips and whose
# accessors run) or fail with 22P02 (text) / 22P03 (binary), and the server
# must stay up.  Runs against the cluster in PGHOST/PGPORT in its own database.
cd "$(dirname "$0")/../.."
db=pg_kpi_activity_fuzz
TEXT_N=${ACTIVITY_FUZZ_TEXT:-6000}
BINARY_N=${ACTIVITY_FUZZ_BINARY:-6000}

psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1 \
    || { echo "not ok - activity fuzz: create database $db"; exit 0; }
export PGDATABASE=$db
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

psql -XAtq -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || { echo "not ok - activity fuzz: setup"; exit 0; }
CREATE EXTENSION pg_kpi;
SELECT setseed(0.4242);
-- Valid seeds: small and large, bigint and hashed ids, long bitmaps, a retention_n state.
CREATE TABLE fuzz_seed AS
SELECT 1 AS id, activity_agg(u, date '2026-01-01' + d) AS s
FROM (VALUES (1, 0), (1, 3), (2, 9), (-7, 5)) v(u, d)
UNION ALL
SELECT 2, activity_agg((i * 37) % 50, date '2025-11-01' + (i * 13) % 200)
FROM generate_series(1, 400) i
UNION ALL
SELECT 3, activity_agg(md5(i::text), timestamptz '2026-01-01 00:00+00' + i * interval '7 hours')
FROM generate_series(1, 300) i
UNION ALL
SELECT 4, '(first_day=2026-01-01,last_day=2026-01-03,users=1,retention_n=2,activity={9223372036854775807:0+05})'::user_activity
UNION ALL
SELECT 5, activity_agg(9000000000000000000 + i, date '2020-02-29' + i * 3) FROM generate_series(1, 20) i;

-- Check a value that parsed: round trip and accessors must work.
CREATE FUNCTION fuzz_check(v user_activity) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF v::text::user_activity::text <> v::text THEN
        RAISE EXCEPTION 'round trip changed the value: %', v::text USING ERRCODE = 'XX000';
    END IF;
    PERFORM dau_mau(v), active_users(v), retention_rate(v, 1), first_day(v), last_day(v),
            active_users(v, daterange(first_day(v), last_day(v), '[]'));
    IF last_day(v) - first_day(v) < 400 THEN
        PERFORM count(*) FROM retention(v, 'week', 4);
        PERFORM count(*) FROM stickiness(v, 7);
    END IF;
END $$;

CREATE FUNCTION fuzz_pick(a text[]) RETURNS text LANGUAGE sql AS $$
    SELECT a[1 + floor(random() * array_length(a, 1))::int] $$;

-- One random mutation of a text form.
CREATE FUNCTION fuzz_text_mutate(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    op int := floor(random() * 9)::int;
    n int := length(t);
    p int := 1 + floor(random() * n)::int;
    q int := p + floor(random() * 12)::int;
BEGIN
    CASE op
    WHEN 0 THEN RETURN left(t, p - 1);                                            -- truncate
    WHEN 1 THEN RETURN overlay(t PLACING fuzz_pick(ARRAY['0','1','7','9','a','f','g',',',':','+','{','}','(',')','-',' ','=','x'])
                               FROM p FOR 1);                                     -- replace a character
    WHEN 2 THEN RETURN overlay(t PLACING '' FROM p FOR 1 + floor(random() * 3)::int); -- delete
    WHEN 3 THEN RETURN left(t, q) || substr(t, p, q - p + 1) || substr(t, q + 1);    -- duplicate a piece
    WHEN 4 THEN RETURN regexp_replace(t, 'users=[0-9]+',
                  'users=' || fuzz_pick(ARRAY['0','1','2','3','99','2147483647','2147483648','-1','99999999999999999999']));
    WHEN 5 THEN RETURN regexp_replace(t, '(:)[0-9]+', '\1' || fuzz_pick(ARRAY['0','1','8','64','4294967296','18446744073709551615','18446744073709551616']));
    WHEN 6 THEN RETURN regexp_replace(t, '(first_day|last_day)=[-0-9]+', '\1=' ||
                  fuzz_pick(ARRAY['2026-01-02','2025-12-31','0000-01-01','-4713-11-24','-4713-11-23','5874897-12-31',
                                  '5874898-01-01','2026-13-01','2026-02-29','99999999-01-01']));
    WHEN 7 THEN RETURN regexp_replace(t, '([0-9a-f]+)([,}])',
                  '\1' || fuzz_pick(ARRAY['00','ff','0','ffffffffffffffffffffffff','']) || '\2');
    ELSE RETURN regexp_replace(t, '(\{|,)(-?[0-9]+)', '\1' || fuzz_pick(ARRAY['-9223372036854775808','9223372036854775807',
                  '9223372036854775808','0','-1','1e3']));
    END CASE;
END $$;

CREATE FUNCTION fuzz_text(n int) RETURNS TABLE(tries int, parsed int, rejected int, bad int, first_bad text)
LANGUAGE plpgsql AS $$
DECLARE
    seeds text[] := ARRAY(SELECT s::text FROM fuzz_seed ORDER BY id);
    t text; v user_activity; st text; msg text;
BEGIN
    tries := 0; parsed := 0; rejected := 0; bad := 0;
    FOR i IN 1 .. n LOOP
        t := seeds[1 + (i % array_length(seeds, 1))];
        FOR j IN 0 .. floor(random() * 3)::int LOOP
            t := fuzz_text_mutate(t);
        END LOOP;
        tries := tries + 1;
        BEGIN
            v := t::user_activity;
            PERFORM fuzz_check(v);
            parsed := parsed + 1;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
            IF st = '22P02' THEN
                rejected := rejected + 1;
            ELSE
                bad := bad + 1;
                first_bad := coalesce(first_bad, st || ' ' || msg || ' on ' || left(t, 200));
            END IF;
        END;
    END LOOP;
    RETURN NEXT;
END $$;

-- One random mutation of a binary form.
CREATE FUNCTION fuzz_bytes_mutate(b bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    op int := floor(random() * 9)::int;
    n int := length(b);
    p int := floor(random() * n)::int;
BEGIN
    IF n = 0 THEN
        RETURN '\x01'::bytea;
    END IF;
    CASE op
    WHEN 0 THEN RETURN substr(b, 1, p);                                            -- truncate
    WHEN 1 THEN RETURN set_bit(b, floor(random() * n * 8)::int,
                               1 - get_bit(b, floor(random() * n * 8)::int));     -- flip a bit
    WHEN 2 THEN RETURN set_byte(b, p, floor(random() * 256)::int);                 -- random byte
    WHEN 3 THEN RETURN overlay(b PLACING int4send(fuzz_pick(ARRAY['0','1','2','3','-1','2147483647','1000000'])::int)
                               FROM 15 FOR 4);                                    -- users count
    WHEN 4 THEN RETURN overlay(b PLACING int4send(fuzz_pick(ARRAY['0','9496','9497','-2451545','2145031948','2147483647','-2147483648'])::int)
                               FROM 7 + 4 * floor(random() * 2)::int FOR 4);      -- first/last day
    WHEN 5 THEN RETURN substr(b, 1, p) || '\xffffffffffffffffff7f'::bytea || substr(b, p + 1);  -- giant varint
    WHEN 6 THEN RETURN substr(b, 1, p) || '\xffffffff0f'::bytea || substr(b, p + 2);             -- giant length
    WHEN 7 THEN RETURN b || '\x0001'::bytea;                                        -- trailing garbage
    ELSE RETURN overlay(b PLACING '\x80'::bytea FROM greatest(p, 19) + 1 FOR 0);     -- over-long varint
    END CASE;
END $$;

CREATE TABLE fuzz_recv (v user_activity);
CREATE FUNCTION fuzz_binary(n int) RETURNS TABLE(tries int, parsed int, rejected int, bad int, first_bad text)
LANGUAGE plpgsql AS $$
DECLARE
    seeds bytea[] := ARRAY(SELECT user_activity_send(s) FROM fuzz_seed ORDER BY id);
    b bytea; file bytea; lo oid; st text; msg text; v user_activity;
    path text := current_setting('data_directory') || '/pg_kpi_activity_fuzz.bin';
BEGIN
    tries := 0; parsed := 0; rejected := 0; bad := 0;
    FOR i IN 1 .. n LOOP
        b := seeds[1 + (i % array_length(seeds, 1))];
        FOR j IN 0 .. floor(random() * 3)::int LOOP
            b := fuzz_bytes_mutate(b);
        END LOOP;
        tries := tries + 1;
        file := '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea || '\x0001'::bytea
             || int4send(length(b)) || b || '\xffff'::bytea;
        lo := lo_from_bytea(0, file);
        PERFORM lo_export(lo, path);
        PERFORM lo_unlink(lo);
        BEGIN
            EXECUTE format('COPY fuzz_recv FROM %L (FORMAT binary)', path);
            SELECT fuzz_recv.v INTO v FROM fuzz_recv;
            PERFORM fuzz_check(v);
            parsed := parsed + 1;
            -- A valid binary form is canonical: sending it back gives the same bytes.
            IF user_activity_send(v) <> b THEN
                RAISE EXCEPTION 'binary form not canonical' USING ERRCODE = 'XX000';
            END IF;
            TRUNCATE fuzz_recv;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
            IF st = '22P03' THEN
                rejected := rejected + 1;
            ELSE
                bad := bad + 1;
                first_bad := coalesce(first_bad, st || ' ' || msg || ' on ' || encode(substr(b, 1, 80), 'hex'));
            END IF;
        END;
    END LOOP;
    RETURN NEXT;
END $$;
SQL

report() {   # report KIND ROW
    local kind=$1 row=$2 tries parsed rejected bad first_bad
    IFS='|' read -r tries parsed rejected bad first_bad <<<"$row"
    if [ -n "$tries" ] && [ "$bad" = 0 ] && [ "$((parsed + rejected))" = "$tries" ]; then
        echo "ok - activity fuzz $kind: $tries mutants, $parsed valid, $rejected rejected with the right SQLSTATE"
    else
        echo "not ok - activity fuzz $kind: ${row:-no result} ${first_bad:-}"
    fi
}
row=$(psql -XAtq -c "SELECT setseed(0.77)" -c "SELECT * FROM fuzz_text($TEXT_N)" 2>&1 | tail -1)
report text "$row"
row=$(psql -XAtq -c "SELECT setseed(0.78)" -c "SELECT * FROM fuzz_binary($BINARY_N)" 2>&1 | tail -1)
report binary "$row"
if [ "$(psql -XAtq -c 'SELECT 1' 2>&1)" = 1 ]; then
    echo "ok - activity fuzz: server still up"
else
    echo "not ok - activity fuzz: server is down"
fi
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
exit 0
