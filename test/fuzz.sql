-- test/fuzz.sql — mutation fuzzing of summary types' text and binary input.
-- kpi_fuzz.fuzz(type, samples, iterations) mutates valid summaries at random
-- (truncation, bit flips, byte/character insertion and deletion, digit
-- changes, giant and negative numbers, duplicated segments) and feeds each
-- mutant to the type's input function (text) or receive function (through a
-- real binary COPY).  Every mutant must either be accepted — and then print
-- and re-read to the same value — or be rejected with an expected SQLSTATE.
-- Returns one row per form: mutants tried, accepted, rejected, and a list of
-- unexpected outcomes (empty when all is well).
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS kpi_fuzz;

CREATE OR REPLACE FUNCTION kpi_fuzz.mutate_text(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n int := length(t);
    pos int := 1 + floor(random() * greatest(n, 1))::int;
    kind int := floor(random() * 9)::int;
    pieces text[] := ARRAY['9223372036854775807', '9223372036854775808', '-1', '-9223372036854775808',
                           '99999999999999999999999', 'NaN', 'Infinity', '1e308', '1e-320', '0', '',
                           ',', '(', ')', '{', '}', '=', ' ', 'x', '0.5', '4611686018427387904'];
BEGIN
    CASE kind
    WHEN 0 THEN RETURN left(t, pos - 1);                                         -- truncate
    WHEN 1 THEN RETURN left(t, pos - 1) || substr(t, pos + 1);                   -- delete a char
    WHEN 2 THEN RETURN left(t, pos - 1) || chr(32 + floor(random() * 95)::int) || substr(t, pos);  -- insert
    WHEN 3 THEN RETURN left(t, pos - 1) || chr(32 + floor(random() * 95)::int) || substr(t, pos + 1); -- replace
    WHEN 4 THEN RETURN regexp_replace(t, '[0-9]+', pieces[1 + floor(random() * array_length(pieces, 1))::int],
                                      1, 1 + floor(random() * 4)::int);          -- swap a number
    WHEN 5 THEN RETURN left(t, pos - 1) || substr(t, pos, 1 + floor(random() * 20)::int) || substr(t, pos); -- duplicate
    WHEN 6 THEN RETURN regexp_replace(t, '[0-9]', floor(random() * 10)::int::text, 1,
                                      1 + floor(random() * greatest(n / 2, 1))::int);  -- change a digit
    WHEN 7 THEN RETURN left(t, pos - 1) || pieces[1 + floor(random() * array_length(pieces, 1))::int] || substr(t, pos);
    ELSE RETURN kpi_fuzz.mutate_text(kpi_fuzz.mutate_text(t));                  -- two mutations
    END CASE;
END $$;

CREATE OR REPLACE FUNCTION kpi_fuzz.mutate_bytes(b bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    n int := length(b);
    pos int := floor(random() * greatest(n, 1))::int;   -- 0-based
    kind int := floor(random() * 8)::int;
    k int;
BEGIN
    IF n = 0 THEN RETURN '\x01'::bytea; END IF;
    CASE kind
    WHEN 0 THEN RETURN substring(b FROM 1 FOR pos);                                  -- truncate
    WHEN 1 THEN RETURN set_bit(b, pos * 8 + floor(random() * 8)::int, 1 - get_bit(b, pos * 8 + floor(random() * 8)::int)); -- flip
    WHEN 2 THEN RETURN set_byte(b, pos, floor(random() * 256)::int);                 -- random byte
    WHEN 3 THEN RETURN overlay(b PLACING '\xffffffff'::bytea FROM pos + 1 FOR 0);    -- insert giant
    WHEN 4 THEN                                                                      -- giant/negative 8-byte field
        k := 1 + 8 * floor(random() * greatest((n - 1) / 8, 1))::int;
        RETURN overlay(b PLACING (CASE WHEN random() < 0.5 THEN '\x7fffffffffffffff' ELSE '\xffffffffffffffff' END)::bytea
                       FROM least(k + 1, n) FOR 8);
    WHEN 5 THEN RETURN b || substring(b FROM pos + 1 FOR 1 + floor(random() * 16)::int); -- trailing junk
    WHEN 6 THEN RETURN overlay(b PLACING '' FROM pos + 1 FOR 1 + floor(random() * 8)::int); -- delete bytes
    ELSE RETURN kpi_fuzz.mutate_bytes(kpi_fuzz.mutate_bytes(b));
    END CASE;
END $$;

CREATE OR REPLACE FUNCTION kpi_fuzz.fuzz(typ regtype, samples text[], iterations int,
                                         OUT form text, OUT tried int, OUT accepted int,
                                         OUT rejected int, OUT unexpected text)
RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
    mutant text;
    mbytes bytea;
    back text;
    st text;
    msg text;
    -- One new file per binary mutant: rewriting one file would truncate it
    -- each time, which costs a journal flush on ext4 (auto_da_alloc).
    prefix text := current_setting('data_directory') || '/pg_kpi_fuzz_' || pg_backend_pid() || '_';
    path text;
    ok_states text[] := ARRAY['22P02', '22P03', '22003', '22023', '54000'];
    send_fn regproc := (SELECT typsend FROM pg_type WHERE oid = typ);
BEGIN
    -- Text input.
    form := 'text'; tried := 0; accepted := 0; rejected := 0; unexpected := '';
    FOR i IN 1..iterations LOOP
        mutant := kpi_fuzz.mutate_text(samples[1 + (i % array_length(samples, 1))]);
        tried := tried + 1;
        BEGIN
            EXECUTE format('SELECT %L::%s::text', mutant, typ) INTO back;
            EXECUTE format('SELECT %L::%s::text', back, typ) INTO msg;
            IF msg IS DISTINCT FROM back THEN
                unexpected := unexpected || format(' [no round trip: %s]', mutant);
            END IF;
            accepted := accepted + 1;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
            IF st = ANY (ok_states) THEN
                rejected := rejected + 1;
            ELSE
                unexpected := unexpected || format(' [%s %s: %s]', st, msg, mutant);
            END IF;
        END;
    END LOOP;
    RETURN NEXT;

    -- Binary input, through COPY FROM a binary file.
    form := 'binary'; tried := 0; accepted := 0; rejected := 0; unexpected := '';
    EXECUTE format('CREATE TEMP TABLE IF NOT EXISTS kpi_fuzz_target (v %s)', typ);
    FOR i IN 1..iterations LOOP
        EXECUTE format('SELECT %s(%L::%s)', send_fn, samples[1 + (i % array_length(samples, 1))], typ) INTO mbytes;
        mbytes := kpi_fuzz.mutate_bytes(mbytes);
        -- A binary COPY file is typeless: the field written for a bytea is
        -- read back as the raw bytes of the summary type's binary form.
        path := prefix || i || '.bin';
        EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', mbytes, path);
        tried := tried + 1;
        BEGIN
            DELETE FROM kpi_fuzz_target;
            EXECUTE format('COPY kpi_fuzz_target FROM %L (FORMAT binary)', path);
            SELECT v::text INTO back FROM kpi_fuzz_target;
            EXECUTE format('SELECT %L::%s::text', back, typ) INTO msg;
            IF msg IS DISTINCT FROM back THEN
                unexpected := unexpected || format(' [no round trip: %s]', mbytes);
            END IF;
            accepted := accepted + 1;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
            IF st = ANY (ok_states) THEN
                rejected := rejected + 1;
            ELSE
                unexpected := unexpected || format(' [%s %s: %s]', st, msg, mbytes);
            END IF;
        END;
    END LOOP;
    EXECUTE 'DROP TABLE kpi_fuzz_target';
    EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', format('rm -f -- ''%s''*.bin', prefix));
    RETURN NEXT;
END $$;
RESET client_min_messages;
