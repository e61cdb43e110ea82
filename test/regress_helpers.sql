-- test/regress_helpers.sql — helpers the pg_regress tests include with
-- \i test/regress_helpers.sql: binary round trips of summary values through
-- real COPY ... (FORMAT binary) files, so the types' send/recv functions run
-- exactly as they do for clients and pg_dump.
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS kpi_test;
RESET client_min_messages;

-- The payload bytes that a value's send function produces, read back out of
-- a binary COPY file (19-byte file header, 2-byte field count, 4-byte length).
CREATE OR REPLACE FUNCTION kpi_test.send_bytes(value text, typ regtype) RETURNS bytea
LANGUAGE plpgsql AS $$
DECLARE
    file bytea;
    len int;
BEGIN
    EXECUTE format('COPY (SELECT %L::%s) TO %L (FORMAT binary)', value, typ,
                   current_setting('data_directory') || '/pg_kpi_regress.bin');
    file := pg_read_binary_file('pg_kpi_regress.bin');
    len := (get_byte(file, 21) << 24) | (get_byte(file, 22) << 16) | (get_byte(file, 23) << 8) | get_byte(file, 24);
    RETURN substring(file FROM 26 FOR len);
END $$;

-- Feed payload to the type's receive function through COPY FROM a binary file;
-- returns the received value's text form (errors from recv propagate).
CREATE OR REPLACE FUNCTION kpi_test.recv_text(payload bytea, typ regtype) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    file bytea;
    lo oid;
    result text;
BEGIN
    file := '\x5047434f50590aff0d0a00'::bytea            -- signature
         || '\x00000000'::bytea || '\x00000000'::bytea   -- flags, header extension
         || '\x0001'::bytea                              -- one field
         || int4send(length(payload)) || payload
         || '\xffff'::bytea;                             -- trailer
    lo := lo_from_bytea(0, file);
    PERFORM lo_export(lo, current_setting('data_directory') || '/pg_kpi_regress.bin');
    PERFORM lo_unlink(lo);
    EXECUTE format('CREATE TEMP TABLE kpi_recv_value (v %s)', typ);
    BEGIN
        EXECUTE format('COPY kpi_recv_value FROM %L (FORMAT binary)',
                       current_setting('data_directory') || '/pg_kpi_regress.bin');
        SELECT v::text INTO result FROM kpi_recv_value;
    EXCEPTION WHEN OTHERS THEN
        DROP TABLE kpi_recv_value;
        RAISE;
    END;
    DROP TABLE kpi_recv_value;
    RETURN result;
END $$;

-- Text form after a full binary round trip (send, then receive).
CREATE OR REPLACE FUNCTION kpi_test.binary_roundtrip(value text, typ regtype) RETURNS text
LANGUAGE sql AS $$ SELECT kpi_test.recv_text(kpi_test.send_bytes(value, typ), typ) $$;

-- Run a statement that must fail and show its SQLSTATE, message, detail and
-- hint on one line (psql's verbose mode would also print C source line numbers,
-- which change with every edit).  Returns 'no error' if it succeeds.
CREATE OR REPLACE FUNCTION kpi_test.error_of(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hnt text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg
        || CASE WHEN det <> '' THEN E'\nDETAIL: ' || det ELSE '' END
        || CASE WHEN hnt <> '' THEN E'\nHINT: ' || hnt ELSE '' END;
END $$;
