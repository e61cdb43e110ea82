# Tier: cancellation of the text and binary forms and accessors of large
# uptime_summary / state_summary values (3M heartbeat intervals, 3M state
# changes: 48 MB and 27 MB stored, 132 MB and 88 MB of text).  Their parse, print and
# read loops must check for interrupts: with statement_timeout = 1 s (detoasting is done by then) each
# statement must stop within CANCEL_MAX_MS (default 1000, the bound of
# reliability_cancel.sh) after the timeout is due; before the fix, printing
# the heartbeat summary ran 3.5 s past its timeout, parsing it 1.4 s.  Stored with
# STORAGE external: pglz compression of such values is slow and cannot be
# cancelled (core PostgreSQL).
cd "$(dirname "$0")/../.."
source test/reliability_lib.sh
db=kpi_cancel_tl
max_ms=${CANCEL_MAX_MS:-1000}
timeout_ms=${CANCEL_TIMEOUT_MS:-1000}
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

rel_create_db $db \
    "CREATE TABLE tl (name text, s uptime_summary, st state_summary, t text)" \
    "ALTER TABLE tl ALTER s SET STORAGE external, ALTER st SET STORAGE external, ALTER t SET STORAGE external" \
    "INSERT INTO tl (name, s) SELECT 'heartbeats', heartbeat_agg(timestamptz '2026-01-01 00:00+00' + i * interval '2 s', interval '1 s') FROM generate_series(1, 3000000) i" \
    "INSERT INTO tl (name, st) SELECT 'states', state_agg(timestamptz '2026-01-01 00:00+00' + i * interval '1 s', (i % 7)::text) FROM generate_series(1, 3000000) i" \
    "UPDATE tl SET t = coalesce(s::text, st::text)" \
    || { echo "not ok - cancel timelines: create database $db"; exit 0; }
export PGDATABASE=$db
rel_log_mark
rel_sentinel_start

cases=(
  "uptime_summary text output|SELECT length(s::text) FROM tl WHERE name = 'heartbeats'"
  "uptime_summary text input|SELECT t::uptime_summary IS NULL FROM tl WHERE name = 'heartbeats'"
  "uptime_summary accessor (binary read)|SELECT uptime(s) FROM tl WHERE name = 'heartbeats'"
  "state_summary text output|SELECT length(st::text) FROM tl WHERE name = 'states'"
  "state_summary text input|SELECT t::state_summary IS NULL FROM tl WHERE name = 'states'"
  "state_summary binary round trip|SELECT length(state_summary_send(st)) FROM tl WHERE name = 'states'"
)
for entry in "${cases[@]}"; do
    name=${entry%%|*}
    query=${entry#*|}
    start=$(rel_now_ms)
    err=$(PGOPTIONS="$PGOPTIONS -c statement_timeout=${timeout_ms}" psql -XAtq -c "$query" 2>&1 >/dev/null)
    late=$(( $(rel_now_ms) - start - timeout_ms ))
    if [ -z "$err" ]; then
        echo "ok - cancel timelines: $name finished within its ${timeout_ms} ms timeout (nothing to cancel)"
    elif ! echo "$err" | grep -q 'statement timeout'; then
        echo "not ok - cancel timelines: $name failed: $err"
    elif [ "$late" -gt "$max_ms" ]; then
        echo "not ok - cancel timelines: $name stopped ${late} ms after its ${timeout_ms} ms timeout (bound ${max_ms} ms)"
    else
        echo "ok - cancel timelines: $name stopped ${late} ms after its ${timeout_ms} ms timeout"
    fi
done
rel_sentinel_check "cancel timelines"
rel_log_check "cancel timelines"
rel_sentinel_stop
rel_drop_db $db
