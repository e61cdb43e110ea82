# Tier: A/A simulation of daily peeking (issue 12 §1).  2,000 seeded experiments
# whose two arms share the same true completion rate (10%), 100 trials per arm
# and day, 30 daily looks at the cumulative summaries.  Reports the share of
# experiments that ever reach p_value < 0.05 on some day (fixed-horizon test,
# peeked at daily: must be well above 5%) and the share that ever reach
# sequential_p_value < 0.05 (always valid: must stay within 5% + 3 simulation
# standard errors).  Daily counts come from a seeded awk generator; the daily
# rate_summary values, their cumulative rollup() and the tests run in SQL.
cd "$(dirname "$0")/../.."
source test/lib.sh
experiments=${AB_EXPERIMENTS:-2000}
days=30
trials=100
rate=0.10
db=kpi_ab_simulation
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
cleanup() { psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; }
trap cleanup EXIT
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
export PGDATABASE=$db

# experiment, day, successes of arm a, successes of arm b (each of $trials Bernoulli($rate) trials)
gen() {
    awk -v E="$experiments" -v D="$days" -v N="$trials" -v P="$rate" 'BEGIN {
        srand(20261130)
        for (e = 1; e <= E; e++)
            for (d = 1; d <= D; d++) {
                xa = 0; xb = 0
                for (i = 0; i < N; i++) { if (rand() < P) xa++; if (rand() < P) xb++ }
                printf "%d\t%d\t%d\t%d\n", e, d, xa, xb
            }
    }'
}

out=$( { echo "CREATE EXTENSION pg_kpi;
CREATE TABLE aa_daily (experiment int, day int, xa int, xb int);
COPY aa_daily FROM STDIN;"; gen; printf '\\.\n'; cat <<SQL
CREATE TABLE aa_looks AS
SELECT experiment, day,
       rollup(format('(successes=%s,trials=%s)', xa, $trials)::rate_summary) OVER w AS a,
       rollup(format('(successes=%s,trials=%s)', xb, $trials)::rate_summary) OVER w AS b
FROM aa_daily WINDOW w AS (PARTITION BY experiment ORDER BY day);
SELECT count(*), (SELECT count(*) FROM aa_looks),
       round(avg(ever_p::int), 4), round(avg(ever_seq::int), 4), round(avg(last_p::int), 4)
FROM (SELECT experiment,
             min(p_value(a, b)) < 0.05 AS ever_p,
             min(sequential_p_value(a, b)) < 0.05 AS ever_seq,
             bool_or(day = $days AND p_value(a, b) < 0.05) AS last_p
      FROM aa_looks GROUP BY experiment) q;
SQL
} | psql -XAtq -v ON_ERROR_STOP=1 -F ' ' 2>&1)
status=$?
if [ $status -ne 0 ]; then
    echo "$out" | tail -5
    echo "not ok - A/A simulation ran"
    exit 0
fi
read -r n_exp n_looks naive seq last <<<"$(echo "$out" | tail -1)"
echo "ok - A/A simulation ran: $n_exp experiments, $n_looks daily looks"
se=$(awk -v n="$n_exp" 'BEGIN { printf "%.4f", sqrt(0.05 * 0.95 / n) }')
printf '# share of A/A experiments reaching p < 0.05 on some day of %d: fixed-horizon p_value %.1f%%, sequential_p_value %.1f%% (one look at day %d: %.1f%%; simulation SE at 5%%: %.1f points)\n' \
    "$days" "$(awk -v x="$naive" 'BEGIN{print 100*x}')" "$(awk -v x="$seq" 'BEGIN{print 100*x}')" \
    "$days" "$(awk -v x="$last" 'BEGIN{print 100*x}')" "$(awk -v x="$se" 'BEGIN{print 100*x}')"
if awk -v x="$naive" 'BEGIN { exit !(x > 0.10) }'; then
    echo "ok - daily peeking at p_value raises false alarms well above 5% ($naive)"
else
    echo "not ok - daily peeking at p_value raises false alarms well above 5% ($naive)"
fi
if awk -v x="$seq" -v se="$se" 'BEGIN { exit !(x <= 0.05 + 3 * se) }'; then
    echo "ok - sequential_p_value keeps false alarms within 5% + 3 SE ($seq)"
else
    echo "not ok - sequential_p_value keeps false alarms within 5% + 3 SE ($seq)"
fi
if awk -v x="$last" -v se="$se" 'BEGIN { exit !(x <= 0.05 + 3 * se && x >= 0.05 - 3 * se) }'; then
    echo "ok - a single look at day $days is a valid 5% test ($last)"
else
    echo "not ok - a single look at day $days is a valid 5% test ($last)"
fi
