# Tier: crafted (not random) binary payloads for the receive function of
# every summary type, through real COPY ... FROM (FORMAT binary) files.  For
# small valid samples of each type (the samples of fuzz_summaries.sh whose
# binary form is at most 400 bytes, two per type) it tries, at every offset
# (every fourth offset past byte 32):
#   - every truncation, and one extra byte 0x00 / 0xff appended;
#   - version bytes 0-5, 7, 8, 16, 64, 127-129, 254, 255 (only the type's
#     known versions may be accepted);
#   - 8-byte fields set to 2^63-1, -1 and -2^63, 4-byte fields to 2^31-1,
#     -1, -2^31 (huge and negative counts, lengths, sums, timestamps);
#   - one byte set to 0x00, 0x80 (a varint continuation), 0xff; one byte
#     0x80 inserted; the continuation bit set and a 0x00 byte added after
#     it (the over-long LEB128 form of a varint's last byte);
#   - at every third of those offsets, an 8-, 9-, 16- or 24-byte block
#     duplicated or swapped with the next (duplicate and unsorted entries).
# Each payload is rejected with 22P02/22P03/22003/22023/54000, or accepted,
# and then its text form must read back to the same value (the count of
# accepted payloads that re-send as other bytes is printed).  Truncated and extended payloads must be rejected.
# The server must survive (sentinel session, server log).
cd "$(dirname "$0")/../.."
source test/reliability_lib.sh
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning -c log_min_messages=fatal -c log_min_error_statement=panic"
db=kpi_payloads
rel_create_db $db || { echo "not ok - payloads: create database $db"; exit 0; }
export PGDATABASE=$db
psql -XAtq -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || { echo "not ok - payloads: helper functions"; exit 0; }
CREATE SCHEMA kpi_pl;
-- The outcome of feeding payload p to typ's receive function.
CREATE FUNCTION kpi_pl.try(typ regtype, p bytea, path text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    back text; again text; st text; msg text; resent bytea;
BEGIN
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', p, path);
    BEGIN
        DELETE FROM kpi_pl_target;
        EXECUTE format('COPY kpi_pl_target FROM %L (FORMAT binary)', path);
        EXECUTE format('SELECT v::text, %s(v) FROM kpi_pl_target', (SELECT typsend FROM pg_type WHERE oid = typ))
            INTO back, resent;
        EXECUTE format('SELECT %L::%s::text', back, typ) INTO again;
        IF again IS DISTINCT FROM back THEN
            RETURN 'no text round trip';
        END IF;
        IF resent IS DISTINCT FROM p THEN
            RETURN 'accepted noncanonical';
        END IF;
        RETURN 'accepted';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        IF st IN ('22P02', '22P03', '22003', '22023', '54000') THEN
            RETURN 'rejected';
        END IF;
        RETURN st || ' ' || msg;
    END;
END $$;

-- The crafted payloads of one valid payload b: (class, payload).
CREATE FUNCTION kpi_pl.mutants(b bytea, OUT class text, OUT p bytea) RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
    n int := length(b);
    w int;
BEGIN
    FOR k IN 0 .. n - 1 LOOP
        class := 'truncated'; p := substring(b FROM 1 FOR k); RETURN NEXT;
    END LOOP;
    class := 'extended'; p := b || '\x00'::bytea; RETURN NEXT;
    p := b || '\xff'::bytea; RETURN NEXT;
    FOREACH w IN ARRAY ARRAY[0, 1, 2, 3, 4, 5, 7, 8, 16, 64, 127, 128, 129, 254, 255] LOOP
        class := 'version ' || w; p := set_byte(b, 0, w); RETURN NEXT;
    END LOOP;
    FOR i IN 1 .. n - 1 LOOP
        CONTINUE WHEN i > 32 AND i % 4 <> 0;
        class := 'field';
        IF i + 8 <= n THEN
            p := overlay(b PLACING '\x7fffffffffffffff'::bytea FROM i + 1 FOR 8); RETURN NEXT;
            p := overlay(b PLACING '\xffffffffffffffff'::bytea FROM i + 1 FOR 8); RETURN NEXT;
            p := overlay(b PLACING '\x8000000000000000'::bytea FROM i + 1 FOR 8); RETURN NEXT;
        END IF;
        IF i + 4 <= n THEN
            p := overlay(b PLACING '\x7fffffff'::bytea FROM i + 1 FOR 4); RETURN NEXT;
            p := overlay(b PLACING '\xffffffff'::bytea FROM i + 1 FOR 4); RETURN NEXT;
            p := overlay(b PLACING '\x80000000'::bytea FROM i + 1 FOR 4); RETURN NEXT;
        END IF;
        class := 'byte';
        p := set_byte(b, i, 0); RETURN NEXT;
        p := set_byte(b, i, 128); RETURN NEXT;
        p := set_byte(b, i, 255); RETURN NEXT;
        p := overlay(b PLACING '\x80'::bytea FROM i + 1 FOR 0); RETURN NEXT;
        class := 'overlong';   -- LEB128: byte i gets the continuation bit, then 0x00
        p := overlay(set_byte(b, i, get_byte(b, i) | 128) PLACING '\x00'::bytea FROM i + 2 FOR 0); RETURN NEXT;
        CONTINUE WHEN i % 3 <> 1;   -- blocks at every third offset
        class := 'block';
        FOREACH w IN ARRAY ARRAY[8, 9, 16, 24] LOOP
            IF i + 2 * w <= n THEN
                p := overlay(b PLACING substring(b FROM i + 1 FOR w) FROM i + 1 FOR 0); RETURN NEXT;
                p := overlay(b PLACING substring(b FROM i + w + 1 FOR w) || substring(b FROM i + 1 FOR w)
                             FROM i + 1 FOR 2 * w); RETURN NEXT;
            END IF;
        END LOOP;
    END LOOP;
END $$;

-- Try every mutant of every sample; one row per outcome class.
CREATE FUNCTION kpi_pl.run(typ regtype, samples text[], versions int[],
                           OUT tried int, OUT accepted int, OUT rejected int, OUT noncanonical int,
                           OUT unexpected text)
LANGUAGE plpgsql AS $$
DECLARE
    b bytea; m record; outcome text; n int := 0;
    prefix text := current_setting('data_directory') || '/pg_kpi_payload_' || pg_backend_pid() || '_';
BEGIN
    tried := 0; accepted := 0; rejected := 0; noncanonical := 0; unexpected := '';
    EXECUTE format('CREATE TEMP TABLE IF NOT EXISTS kpi_pl_target (v %s)', typ);
    FOR b IN EXECUTE format('SELECT %s(s::%s) FROM unnest($1) s', (SELECT typsend FROM pg_type WHERE oid = typ), typ) USING samples LOOP
        FOR m IN SELECT * FROM kpi_pl.mutants(b) LOOP
            CONTINUE WHEN m.p = b;
            n := n + 1;
            outcome := kpi_pl.try(typ, m.p, prefix || n || '.bin');
            tried := tried + 1;
            IF outcome LIKE 'accepted%' THEN
                accepted := accepted + 1;
                IF outcome = 'accepted noncanonical' THEN
                    noncanonical := noncanonical + 1;
                END IF;
                IF m.class IN ('truncated', 'extended')
                   OR (m.class LIKE 'version %' AND NOT substr(m.class, 9)::int = ANY (versions)) THEN
                    unexpected := unexpected || format(' [%s payload accepted: %s]', m.class, m.p);
                END IF;
            ELSIF outcome = 'rejected' THEN
                rejected := rejected + 1;
            ELSE
                unexpected := unexpected || format(' [%s: %s: %s]', m.class, outcome, m.p);
            END IF;
        END LOOP;
    END LOOP;
    EXECUTE 'DROP TABLE kpi_pl_target';
    EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', format('rm -f -- ''%s''*.bin', prefix));
END $$;
SQL
rel_log_mark
rel_sentinel_start

# Known format versions per type (a payload with another version byte must be rejected).
declare -A versions=([user_activity]="1,2" [latency_sketch]="1,2")
while IFS= read -r line; do
    entry=${line#  \"}
    entry=${entry%\"}
    typ=${entry%%|*}
    query=${entry#*|}
    query=${query//\\\"/\"}
    [ "$(psql -XAtq -c "SELECT to_regtype('$typ') IS NOT NULL")" = t ] || continue
    # two samples with the smallest binary forms of at most 400 bytes
    samples="ARRAY(SELECT s FROM unnest(($query)) s WHERE length($(psql -XAtq -c "SELECT typsend FROM pg_type WHERE oid = '$typ'::regtype")(s::$typ)) <= 400 ORDER BY length(s), s LIMIT 2)"
    start=$(date +%s)
    result=$(psql -XAtq -F '|' -c "SELECT * FROM kpi_pl.run('$typ', $samples, '{${versions[$typ]:-1}}')" 2>&1)
    IFS='|' read -r tried accepted rejected noncanonical unexpected <<< "$result"
    if [ -n "$tried" ] && [ "$tried" -gt 0 ] 2>/dev/null && [ -z "$unexpected" ]; then
        echo "ok - payloads $typ: $tried crafted payloads, $accepted accepted (round trip; $noncanonical of them re-sent as other bytes), $rejected rejected ($(( $(date +%s) - start )) s)"
    else
        echo "not ok - payloads $typ: ${unexpected:-$result}" | cut -c1-3000
    fi
done < <(grep -E '^  "[a-z_]+\|SELECT ' test/tiers/fuzz_summaries.sh)
rel_sentinel_check "payloads: after the crafted payloads"
rel_log_check "payloads"
rel_sentinel_stop
rel_drop_db $db
