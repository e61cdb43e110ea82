# test/scale/lib.sh — shared by the scale_* tiers (source it after cd to the
# repository root).  The tiers are data-driven: every summary kind is one line
# of KPI_KINDS (how to build it from the events table), and its checks are
# lines of KPI_CHECKS (an accessor on the summary S, the independent plain SQL
# over the raw rows it must equal, and the relative tolerance).  A kind whose
# type is not in the installed extension is skipped (and reported as such).

# kind | summary type | the *_agg call over the events table (see events.sql)
#      | [the text that must be identical however the rows were split and merged;
#         default S::text.  A latency sketch's float sum depends on the order of
#         additions, so it is left out here and checked by mean() instead]
KPI_KINDS=(
  "rate|rate_summary|rate_agg(completed)"
  "nps|nps_summary|nps_agg(score)"
  "quality|score_summary|quality_agg(relevance, accuracy, completeness, tone)"
  "latency|latency_sketch|latency_agg(latency_ms)|regexp_replace(S::text, ',sum=[^,]*,', ',')"
  "activity|user_activity|activity_agg(user_id, day)"
  "mean|mean_summary|mean_agg(latency_ms)"
)

# kind | label | accessor on the summary S | plain SQL over the raw rows | relative tolerance
# Counts that would be 0 are NULL on the raw side: a *_agg over no rows is NULL.
KPI_CHECKS=(
  "rate|trials|trials(S)|nullif(count(completed), 0)|0"
  "rate|successes|successes(S)|nullif(count(completed), 0) - count(*) FILTER (WHERE NOT completed)|0"
  "rate|rate|rate(S)|avg(completed::int)::float8|1e-14"
  "rate|ci_lower 0.9|ci_lower(S, 0.9)|(avg(completed::int)::float8 + 1.6448536269514722^2 / (2 * count(completed)) - 1.6448536269514722 * sqrt(avg(completed::int)::float8 * (1 - avg(completed::int)::float8) / count(completed) + 1.6448536269514722^2 / (4.0 * count(completed)^2))) / (1 + 1.6448536269514722^2 / count(completed))|1e-9"
  "nps|responses|responses(S)|nullif(count(score), 0)|0"
  "nps|promoters|promoters(S)|nullif(count(score), 0) - count(*) FILTER (WHERE score <= 8)|0"
  "nps|nps|nps(S)|100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))::float8 / count(score)|1e-12"
  "nps|ci_upper|ci_upper(S)|least(100, 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))::float8 / count(score) + 1.959963984540054 * 100 * sqrt(((count(*) FILTER (WHERE score >= 9) + count(*) FILTER (WHERE score <= 6))::float8 / count(score) - ((count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))::float8 / count(score))^2) / count(score)))|1e-9"
  "quality|responses|responses(S)|nullif(count(*) FILTER (WHERE relevance IS NOT NULL AND accuracy IS NOT NULL AND completeness IS NOT NULL AND tone IS NOT NULL), 0)|0"
  "quality|quality_score|quality_score(S)|avg(0.4 * relevance + 0.4 * accuracy + 0.1 * completeness + 0.1 * tone)|1e-12"
  "latency|num_values|num_values(S)|nullif(count(latency_ms), 0)|0"
  "latency|max_value|max_value(S)|max(latency_ms)|0"
  "latency|mean|mean(S)|avg(latency_ms)|1e-12"
  "latency|p50|percentile(S, 0.5)|percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms)|0.0100001"
  "latency|p95|percentile(S, 0.95)|percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms)|0.0100001"
  "activity|active_users|active_users(S)|nullif(count(DISTINCT user_id), 0)|0"
  "activity|dau_mau|dau_mau(S)|count(DISTINCT (user_id, day))::float8 / ((max(day) - min(day) + 1) * count(DISTINCT user_id))|1e-12"
  "mean|num_values|num_values(S)|nullif(count(latency_ms), 0)|0"
  "mean|mean|mean(S)|avg(latency_ms::numeric)::float8|1e-15"
  "mean|stddev|stddev(S)|stddev_samp(latency_ms::numeric)::float8|1e-13"
)

# One-step aggregates (plain numbers): kind | label | aggregate call | plain SQL | tolerance
KPI_ONE_STEP=(
  "rate|rate|rate(completed)|avg(completed::int)::float8|1e-14"
  "nps|nps|nps(score)|100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))::float8 / count(score)|1e-12"
  "quality|quality_score|quality_score(relevance, accuracy, completeness, tone)|avg(0.4 * relevance + 0.4 * accuracy + 0.1 * completeness + 0.1 * tone)|1e-12"
  "revenue|mrr|mrr(amount, billing_period)|sum(amount / (extract(year FROM billing_period) * 12 + extract(month FROM billing_period)))|1e-12"
  "latency|p95|percentile_latency(latency_ms, 0.95)|percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms)|0.0100001"
  "activity|dau_mau|dau_mau(user_id, day)|count(DISTINCT (user_id, day))::float8 / ((max(day) - min(day) + 1) * count(DISTINCT user_id))|1e-12"
)
# the type or function whose presence enables a kind without a summary type
declare -A KPI_KIND_PROBE=([revenue]="mrr(numeric,interval)")

KPI_ACTIVE=()        # kinds available in the installed extension (kpi_detect_kinds)

# The text of summary expression $2 that must not depend on how rows were merged.
kpi_canonical() {
    local line canon
    for line in "${KPI_KINDS[@]}"; do
        [ "$(kpi_field "$line" 1)" = "$1" ] || continue
        canon=$(kpi_field "$line" 4)
        [ -n "$canon" ] || canon="S::text"
        echo "${canon//S/$2}"
    done
}

# Field N (1-based) of a |-separated line.
kpi_field() { local IFS='|'; local -a f; read -r -a f <<< "$1"; printf '%s' "${f[$(($2 - 1))]}"; }

# Fill KPI_ACTIVE from the database psql connects to (pg_kpi must be installed);
# print an "ok - ... # SKIP" line for each kind that is not in this build.
kpi_detect_kinds() {
    local tier=$1 line kind typ present
    KPI_ACTIVE=()
    for line in "${KPI_KINDS[@]}"; do
        kind=$(kpi_field "$line" 1); typ=$(kpi_field "$line" 2)
        present=$(psql -XAtq -c "SELECT to_regtype('$typ') IS NOT NULL")
        if [ "$present" = t ]; then KPI_ACTIVE+=("$kind")
        else echo "ok - $tier: $kind ($typ) # SKIP $typ is not in this build of pg_kpi"; fi
    done
    present=$(psql -XAtq -c "SELECT to_regprocedure('${KPI_KIND_PROBE[revenue]}') IS NOT NULL")
    [ "$present" = t ] && KPI_ACTIVE+=(revenue)
    return 0
}

kpi_kind_active() { local k; for k in "${KPI_ACTIVE[@]}"; do [ "$k" = "$1" ] && return 0; done; return 1; }

# Summary kinds (those with a type) that are active.
kpi_summary_kinds() {
    local line kind
    for line in "${KPI_KINDS[@]}"; do
        kind=$(kpi_field "$line" 1)
        kpi_kind_active "$kind" && echo "$kind"
    done
}

# "rate_agg(completed) AS s_rate, nps_agg(score) AS s_nps, ..." for the active kinds.
kpi_agg_columns() {
    local line kind out=()
    for line in "${KPI_KINDS[@]}"; do
        kind=$(kpi_field "$line" 1)
        kpi_kind_active "$kind" && out+=("$(kpi_field "$line" 3) AS s_$kind")
    done
    local IFS=,; echo "${out[*]}"
}

# "rollup(s_rate) AS s_rate, ..." for the active kinds.
kpi_rollup_columns() {
    local kind out=()
    for kind in $(kpi_summary_kinds); do out+=("rollup(s_$kind) AS s_$kind"); done
    local IFS=,; echo "${out[*]}"
}

# "s_rate rate_summary, ..." column definitions for the active kinds.
kpi_summary_coldefs() {
    local line kind out=()
    for line in "${KPI_KINDS[@]}"; do
        kind=$(kpi_field "$line" 1)
        kpi_kind_active "$kind" && out+=("s_$kind $(kpi_field "$line" 2)")
    done
    local IFS=,; echo "${out[*]}"
}

# A query comparing summaries with the raw rows, one output row per check:
#   label|groups|mismatches|first mismatch
# kpi_compare_query SUMMARIES_SQL RAW_FROM GROUP_COLS
#   SUMMARIES_SQL yields GROUP_COLS and one column s_<kind> per active kind;
#   RAW_FROM is a FROM-clause item holding the raw event rows; GROUP_COLS is a
#   comma-separated list of output column names (may be empty: one group) that
#   RAW_FROM must also provide (use a subquery for computed keys).
kpi_compare_query() {
    local summaries=$1 raw=$2 groups=$3
    local line kind label acc rawsql tol n=0 rawcols=() selects=() join
    for line in "${KPI_CHECKS[@]}"; do
        kind=$(kpi_field "$line" 1)
        kpi_kind_active "$kind" || continue
        label=$(kpi_field "$line" 2); acc=$(kpi_field "$line" 3)
        rawsql=$(kpi_field "$line" 4); tol=$(kpi_field "$line" 5)
        n=$((n + 1))
        acc=${acc//S/s_$kind}
        rawcols+=("$rawsql AS r$n")
        selects+=("SELECT '$kind $label' AS label, count(*) AS groups,
                   count(*) FILTER (WHERE NOT kpi_close(($acc)::float8, r$n::float8, $tol)) AS bad,
                   min(format('%s: %s vs raw %s', row($groups), ($acc)::float8, r$n::float8))
                       FILTER (WHERE NOT kpi_close(($acc)::float8, r$n::float8, $tol)) AS example FROM j")
    done
    local IFS=,
    local gb="" sel_groups=""
    if [ -n "$groups" ]; then gb="GROUP BY $groups"; sel_groups="$groups,"; join="USING ($groups)"; else join="ON true"; fi
    local body
    body=$(printf '%s\nUNION ALL\n' "${selects[@]}")
    body=${body%UNION ALL*}
    # with no group columns, row() of nothing is invalid: use a constant
    [ -z "$groups" ] && body=${body//row()/"'all'"}
    printf 'WITH s AS (%s),\n r AS (SELECT %s %s FROM %s %s),\n j AS (SELECT * FROM s FULL JOIN r %s)\n%s' \
        "$summaries" "$sel_groups" "${rawcols[*]}" "$raw" "$gb" "$join" "$body"
}

# Run a comparison query (psql's current database) and print one TAP line per check.
# kpi_report_compare PREFIX QUERY
kpi_report_compare() {
    local prefix=$1 query=$2 out label groups bad example
    out=$(psql -XAtq -F '|' -c "$query" 2>&1)
    if [ $? -ne 0 ] || [ -z "$out" ]; then
        echo "not ok - $prefix: comparison query failed: $(echo "$out" | head -3 | tr '\n' ' ')"
        return
    fi
    while IFS='|' read -r label groups bad example; do
        if [ "$bad" = 0 ] && [ "$groups" -gt 0 ]; then
            echo "ok - $prefix: $label equals plain SQL over raw rows ($groups groups)"
        else
            echo "not ok - $prefix: $label: $bad of $groups groups differ from plain SQL, e.g. $example"
        fi
    done <<< "$out"
}

# Milliseconds since the epoch (for timings printed in the TAP lines).
kpi_now_ms() { date +%s%3N; }

# Like kpi_report_compare, but one TAP line for all checks of the query.
# kpi_report_compare_all PREFIX QUERY
kpi_report_compare_all() {
    local prefix=$1 out lines bad
    out=$(kpi_report_compare "$1" "$2")
    lines=$(echo "$out" | grep -c '^ok')
    bad=$(echo "$out" | grep '^not ok')
    if [ -z "$bad" ] && [ "$lines" -gt 0 ]; then
        echo "ok - $prefix: all $lines summary checks equal plain SQL over the raw rows ($(echo "$out" | head -1 | sed -n 's/.*(\([0-9]* groups\))$/\1/p'))"
    else
        echo "not ok - $prefix: $(echo "$bad" | head -3 | sed 's/^not ok - //' | tr '\n' ';')"
    fi
}

# "s_rate,s_nps,..." — the summary column names of the active kinds.
kpi_summary_names() {
    local kind out=()
    for kind in $(kpi_summary_kinds); do out+=("s_$kind"); done
    local IFS=,; echo "${out[*]}"
}
