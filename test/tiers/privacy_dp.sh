# Tier: the statistics of the differentially private releases (issue 13 §2).
#   (a) the noise: 100,000 draws at epsilon 0.5 and 2 follow the discrete
#       Laplace law P(Z = z) = (1-p)/(1+p) p^|z|, p = e^-epsilon (chi-square
#       goodness of fit, p-value > 0.001) and have mean 0 (|mean| < 4.5 SE);
#   (b) the guarantee, empirically: for neighbouring inputs (one user added to
#       a user_activity; one row added to a rate_summary or an nps_summary) the frequency of
#       every output value (rate: every bin of width 0.005) differs by at most
#       a factor e^epsilon, up to 4.5 standard errors of the log ratio;
#   (c) utility at epsilon 1 over 10,000 users: the error of active_users,
#       of dau_mau and of every retention count matches the noise scale the
#       mechanism promises.
# The draws come from the public functions (active_users(s, epsilon, during)
# minus the true count is exactly the noise while the count is far from 0);
# there is no seed anywhere.  Each check is a fixed-threshold test; a failed
# check is repeated once on fresh draws and fails only if it fails again, so
# a false failure has probability below 1e-6 per check, while a real defect
# (which fails essentially every time at these sample sizes) still fails.
cd "$(dirname "$0")/../.."
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
q() { psql -XAtq -v ON_ERROR_STOP=1 -d kpi_privacy_dp "$@"; }

psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS kpi_privacy_dp" -c "CREATE DATABASE kpi_privacy_dp" >/dev/null || exit 1
q -c "CREATE EXTENSION pg_kpi" || { echo "not ok - create extension"; exit 1; }
q <<'SQL' || { echo "not ok - fixtures"; exit 1; }
-- 100 and 101 users (neighbours), and 10,000 users over 30 days.
CREATE TABLE ua AS
SELECT n, activity_agg(u, date '2026-01-01' + (u * 7 + d * 3) % 30) AS s
FROM (VALUES (100), (101), (10000)) AS sizes(n), generate_series(1, n) AS u, generate_series(0, u % 4) AS d
GROUP BY n;
-- Noise draws: active_users(s, epsilon) - n over the 100-user summary.
CREATE FUNCTION draws(eps float8, m int) RETURNS TABLE (z bigint) LANGUAGE sql VOLATILE AS $$
    SELECT active_users(s, eps, '(,)') - 100 FROM ua, generate_series(1, m) WHERE n = 100
$$;
-- (a) chi-square statistic, degrees of freedom, Wilson-Hilferty z of the
-- statistic (z < 3.0902 <=> p-value > 0.001), mean and its bound.
CREATE FUNCTION gof(eps float8, m int)
RETURNS TABLE (chi2 float8, df int, wh_z float8, mean float8, mean_bound float8, lo bigint, hi bigint) LANGUAGE plpgsql AS $$
DECLARE
    p float8 := exp(-eps);
    k int := 0;
BEGIN
    -- Largest K whose tail bins P(Z > K) = p^(K+1)/(1+p) still expect >= 20 draws.
    WHILE m * p ^ (k + 2) / (1 + p) >= 20 LOOP k := k + 1; END LOOP;
    CREATE TEMP TABLE IF NOT EXISTS d (z bigint);
    TRUNCATE d;
    INSERT INTO d SELECT * FROM draws(eps, m);
    RETURN QUERY
    WITH bins AS (
        SELECT b, CASE WHEN b < -k THEN p ^ (k + 1) / (1 + p)
                       WHEN b > k THEN p ^ (k + 1) / (1 + p)
                       ELSE (1 - p) / (1 + p) * p ^ abs(b) END * m AS expected
        FROM generate_series(-k - 1, k + 1) AS b),
    obs AS (SELECT greatest(-k - 1, least(k + 1, z)) AS b, count(*) AS observed FROM d GROUP BY 1),
    stat AS (SELECT sum((coalesce(o.observed, 0) - e.expected) ^ 2 / e.expected) AS x, count(*)::int - 1 AS df
             FROM bins e LEFT JOIN obs o USING (b))
    SELECT x, stat.df,
           ((x / stat.df) ^ (1.0 / 3) - (1 - 2.0 / (9 * stat.df))) / sqrt(2.0 / (9 * stat.df)),
           (SELECT avg(z)::float8 FROM d),
           4.5 * sqrt(2 * p / (1 - p) ^ 2 / m),
           (SELECT min(z) FROM d), (SELECT max(z) FROM d)
    FROM stat;
END $$;
-- (b) neighbouring inputs: per output value, the log frequency ratio and its bound.
CREATE FUNCTION neighbours_users(eps float8, m int)
RETURNS TABLE (values_compared bigint, max_log_ratio float8, violations bigint) LANGUAGE sql VOLATILE AS $$
    WITH a AS (SELECT active_users(s, eps, '(,)') AS v FROM ua, generate_series(1, m) WHERE n = 100),
         b AS (SELECT active_users(s, eps, '(,)') AS v FROM ua, generate_series(1, m) WHERE n = 101),
         ca AS (SELECT v, count(*) AS c FROM a GROUP BY v),
         cb AS (SELECT v, count(*) AS c FROM b GROUP BY v),
         j AS (SELECT abs(ln(ca.c::float8 / cb.c)) AS lr, sqrt(1.0 / ca.c + 1.0 / cb.c) AS se
               FROM ca JOIN cb USING (v) WHERE ca.c >= 200 AND cb.c >= 200)
    SELECT count(*), max(lr), count(*) FILTER (WHERE lr > eps + 4.5 * se) FROM j
$$;
CREATE FUNCTION neighbours_rate(eps float8, m int)
RETURNS TABLE (values_compared bigint, max_log_ratio float8, violations bigint) LANGUAGE sql VOLATILE AS $$
    WITH a AS (SELECT round(rate('(successes=30,trials=100)'::rate_summary, eps)::numeric * 200) AS v FROM generate_series(1, m)),
         b AS (SELECT round(rate('(successes=31,trials=101)'::rate_summary, eps)::numeric * 200) AS v FROM generate_series(1, m)),
         ca AS (SELECT v, count(*) AS c FROM a GROUP BY v),
         cb AS (SELECT v, count(*) AS c FROM b GROUP BY v),
         j AS (SELECT abs(ln(ca.c::float8 / cb.c)) AS lr, sqrt(1.0 / ca.c + 1.0 / cb.c) AS se
               FROM ca JOIN cb USING (v) WHERE ca.c >= 200 AND cb.c >= 200)
    SELECT count(*), max(lr), count(*) FILTER (WHERE lr > eps + 4.5 * se) FROM j
$$;
CREATE FUNCTION neighbours_nps(eps float8, m int)
RETURNS TABLE (values_compared bigint, max_log_ratio float8, violations bigint) LANGUAGE sql VOLATILE AS $$
    WITH a AS (SELECT round(nps('(0=5,1=0,2=0,3=0,4=0,5=0,6=5,7=10,8=10,9=10,10=10)'::nps_summary, eps)::numeric) AS v
               FROM generate_series(1, m)),
         b AS (SELECT round(nps('(0=5,1=0,2=0,3=0,4=0,5=0,6=5,7=10,8=10,9=10,10=11)'::nps_summary, eps)::numeric) AS v
               FROM generate_series(1, m)),
         ca AS (SELECT v, count(*) AS c FROM a GROUP BY v),
         cb AS (SELECT v, count(*) AS c FROM b GROUP BY v),
         j AS (SELECT abs(ln(ca.c::float8 / cb.c)) AS lr, sqrt(1.0 / ca.c + 1.0 / cb.c) AS se
               FROM ca JOIN cb USING (v) WHERE ca.c >= 200 AND cb.c >= 200)
    SELECT count(*), max(lr), count(*) FILTER (WHERE lr > eps + 4.5 * se) FROM j
$$;
-- (c) utility at epsilon 1 over 10,000 users.  Variance of the discrete
-- Laplace with P ~ exp(-|z|/b): 2p/(1-p)^2, p = e^(-1/b).
CREATE FUNCTION dl_var(b float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    SELECT 2 * exp(-1 / b) / (1 - exp(-1 / b)) ^ 2
$$;
CREATE FUNCTION utility_users(m int)
RETURNS TABLE (rmse float8, expected_sd float8, bias float8, bias_bound float8) LANGUAGE sql VOLATILE AS $$
    WITH d AS (SELECT active_users(s, 1, '(,)') - 10000 AS e FROM ua, generate_series(1, m) WHERE n = 10000)
    SELECT sqrt(avg(e::float8 ^ 2)), sqrt(dl_var(1)), avg(e)::float8, 4.5 * sqrt(dl_var(1) / m) FROM d
$$;
-- dau_mau(s, 1, during) over the 30 days: U users (sensitivity 1, epsilon/2)
-- and P user-days (sensitivity 30, epsilon/2); delta-method SD of P/(30 U).
CREATE FUNCTION utility_dau_mau(m int)
RETURNS TABLE (rmse float8, expected_sd float8, bias float8, bias_bound float8) LANGUAGE sql VOLATILE AS $$
    WITH t AS (SELECT s, active_users(s) AS u, dau_mau(s) * 30 * active_users(s) AS pairs
               FROM ua WHERE n = 10000),
         d AS (SELECT dau_mau(s, 1, '[2026-01-01,2026-01-31)') - pairs / (30 * u) AS e, u, pairs
               FROM t, generate_series(1, m))
    SELECT sqrt(avg(e ^ 2)),
           sqrt(dl_var(60) / (30 * min(u)) ^ 2 + (min(pairs) / (30 * min(u) ^ 2)) ^ 2 * dl_var(2)),
           avg(e), 4.5 * sqrt((dl_var(60) / (30 * min(u)) ^ 2 + (min(pairs) / (30 * min(u) ^ 2)) ^ 2 * dl_var(2)) / m)
    FROM d
$$;
-- retention(s, 'week', 3, epsilon => 1) over the 10,000 users: every cell and
-- cohort size gets noise of scale (3 + 2) / 1; pooled over the counts far from
-- 0 (>= 100, so clamping never happens), the RMSE matches that noise's SD.
-- (epsilon => 1 + 0 * g makes the function run once per draw.)
CREATE FUNCTION utility_retention(m int)
RETURNS TABLE (counts bigint, rmse float8, expected_sd float8, bias float8, bias_bound float8) LANGUAGE sql VOLATILE AS $$
    WITH t AS (SELECT r.* FROM ua, retention(s, 'week', 3) r WHERE n = 10000),
         d AS (SELECT g, r.* FROM ua, generate_series(1, m) g,
                      LATERAL retention(s, 'week', 3, epsilon => 1 + 0 * g) r WHERE n = 10000),
         e AS (SELECT d.retained - t.retained AS err FROM d JOIN t USING (cohort, period) WHERE t.retained >= 100
               UNION ALL
               SELECT d.cohort_size - t.cohort_size FROM d JOIN t USING (cohort, period)
               WHERE t.cohort_size >= 100 AND d.period = 0)
    SELECT count(*), sqrt(avg(err::float8 ^ 2)), sqrt(dl_var(5)), avg(err)::float8, 4.5 * sqrt(dl_var(5) / count(*)) FROM e
$$;
SQL

# check NAME SQL-QUERY CONDITION-FIELD: runs the query (one row, |-separated,
# last field t/f), retries once on failure, prints ok/not ok with the figures.
check() {
    local name=$1 sql=$2 out try
    for try in 1 2; do
        out=$(q -c "$sql" 2>&1) || { echo "not ok - $name: $out"; return; }
        if [ "${out##*|}" = "true" ]; then
            [ "$try" = 1 ] && echo "ok - $name (${out%|*})" || echo "ok - $name (${out%|*}; passed on the retry)"
            return
        fi
    done
    echo "not ok - $name (${out%|*})"
}

for eps in 0.5 2; do
    check "discrete Laplace at epsilon $eps, 100000 draws: chi-square fit p > 0.001 and mean 0 (chi2|df|WH z|mean|bound|min|max)" \
        "SELECT round(chi2::numeric, 2) || '|' || df || '|' || round(wh_z::numeric, 3) || '|' || round(mean::numeric, 4)
                || '|' || round(mean_bound::numeric, 4) || '|' || lo || '|' || hi || '|' || (wh_z < 3.0902 AND abs(mean) < mean_bound)
         FROM gof($eps, 100000)"
done

check "neighbouring user_activity (100 vs 101 users), epsilon 0.5, 100000 draws each: every output frequency ratio <= e^epsilon (values compared|max |log ratio|, bound 0.5|violations)" \
    "SELECT values_compared || '|' || round(max_log_ratio::numeric, 4) || '|' || violations || '|' || (violations = 0 AND values_compared >= 10)
     FROM neighbours_users(0.5, 100000)"
check "neighbouring rate_summary (30/100 vs 31/101), epsilon 1, 100000 draws each: every output bin (width 0.005) ratio <= e^epsilon (bins compared|max |log ratio|, bound 1|violations)" \
    "SELECT values_compared || '|' || round(max_log_ratio::numeric, 4) || '|' || violations || '|' || (violations = 0 AND values_compared >= 5)
     FROM neighbours_rate(1, 100000)"
check "neighbouring nps_summary (50 vs 51 responses), epsilon 1, 100000 draws each: every output bin (1 NPS point) ratio <= e^epsilon (bins compared|max |log ratio|, bound 1|violations)" \
    "SELECT values_compared || '|' || round(max_log_ratio::numeric, 4) || '|' || violations || '|' || (violations = 0 AND values_compared >= 5)
     FROM neighbours_nps(1, 100000)"
check "utility: active_users at epsilon 1 over 10000 users, 2000 draws: RMSE matches the noise SD (RMSE|expected SD|bias|bias bound)" \
    "SELECT round(rmse::numeric, 4) || '|' || round(expected_sd::numeric, 4) || '|' || round(bias::numeric, 4) || '|' || round(bias_bound::numeric, 4)
            || '|' || (rmse BETWEEN 0.8 * expected_sd AND 1.25 * expected_sd AND abs(bias) < bias_bound)
     FROM utility_users(2000)"
check "utility: dau_mau at epsilon 1 over 10000 users and 30 days, 2000 draws: RMSE matches the delta-method SD (RMSE|expected SD|bias|bias bound)" \
    "SELECT round(rmse::numeric, 7) || '|' || round(expected_sd::numeric, 7) || '|' || round(bias::numeric, 7) || '|' || round(bias_bound::numeric, 7)
            || '|' || (rmse BETWEEN 0.8 * expected_sd AND 1.25 * expected_sd AND abs(bias) < bias_bound)
     FROM utility_dau_mau(2000)"
check "utility: retention(s, 'week', 3, epsilon => 1) over 10000 users, 200 draws: RMSE of every count >= 100 matches the noise SD of scale 5 (counts|RMSE|expected SD|bias|bias bound)" \
    "SELECT counts || '|' || round(rmse::numeric, 4) || '|' || round(expected_sd::numeric, 4) || '|' || round(bias::numeric, 4) || '|' || round(bias_bound::numeric, 4)
            || '|' || (counts >= 1000 AND rmse BETWEEN 0.8 * expected_sd AND 1.25 * expected_sd AND abs(bias) < bias_bound)
     FROM utility_retention(200)"

psql -XAtq -d postgres -c "DROP DATABASE kpi_privacy_dp" >/dev/null
