-- Revenue: mrr() (with moving-aggregate mode), ltv(), cac(), ltv_cac_ratio(),
-- cac_payback_months(), net_revenue_retention(), gross_revenue_retention()
-- and the mrr_movement() window function.  Money is numeric; ratios float8.
-- Final functions are STABLE: they return NULL under pg_kpi.min_group_size
-- (privacy.c); the states count their rows for it.

-- mrr()'s state: numeric[] pairs {billing period in microseconds, exact sum
-- of the amounts billed with it}; each sum is divided once, at the end.
CREATE FUNCTION mrr_accum(numeric[], numeric, interval) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mrr_combine(numeric[], numeric[]) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mrr_final(numeric[]) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_moving_accum(internal, numeric, interval) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mrr_moving_discard(internal, numeric, interval) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mrr_moving_final(internal) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE mrr(amount numeric, billing_period interval) (
    SFUNC = mrr_accum,
    STYPE = numeric[],
    FINALFUNC = mrr_final,
    COMBINEFUNC = mrr_combine,
    MSFUNC = mrr_moving_accum,
    MINVFUNC = mrr_moving_discard,
    MSTYPE = internal,
    MFINALFUNC = mrr_moving_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr(numeric, interval) IS
    'monthly recurring revenue: sum of amounts normalized to one month (30.4375-day months)';

CREATE FUNCTION ltv(arpu numeric, churn_rate float8, gross_margin float8 DEFAULT 1) RETURNS numeric
    AS 'MODULE_PATHNAME', 'revenue_ltv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ltv(numeric, float8, float8) IS
    'customer lifetime value: arpu * gross_margin / churn_rate (NULL when churn_rate is 0)';

CREATE FUNCTION cac(spend numeric, new_customers bigint) RETURNS numeric
    AS 'MODULE_PATHNAME', 'revenue_cac' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cac(numeric, bigint) IS
    'customer acquisition cost: spend / new_customers (NULL when there are none)';

CREATE FUNCTION cac_payback_months(cac numeric, new_mrr numeric, gross_margin float8 DEFAULT 1) RETURNS float8
    AS 'MODULE_PATHNAME', 'revenue_cac_payback_months' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cac_payback_months(numeric, numeric, float8) IS
    'months to earn back the CAC: cac / (new_mrr * gross_margin)';

CREATE FUNCTION revenue_pair_combine(numeric[], numeric[]) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION ltv_cac_accum(numeric[], numeric, numeric) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ltv_cac_final(numeric[]) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE ltv_cac_ratio(customer_value numeric, acquisition_cost numeric) (
    SFUNC = ltv_cac_accum,
    STYPE = numeric[],
    INITCOND = '{0,0}',
    FINALFUNC = ltv_cac_final,
    COMBINEFUNC = revenue_pair_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ltv_cac_ratio(numeric, numeric) IS
    'sum of customer value / sum of acquisition cost over rows where both are known';

CREATE FUNCTION nrr_accum(numeric[], numeric, numeric) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION grr_accum(numeric[], numeric, numeric) RETURNS numeric[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_final(numeric[]) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE net_revenue_retention(start_mrr numeric, end_mrr numeric) (
    SFUNC = nrr_accum,
    STYPE = numeric[],
    INITCOND = '{0,0}',
    FINALFUNC = retention_final,
    COMBINEFUNC = revenue_pair_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE net_revenue_retention(numeric, numeric) IS
    'NRR: sum of end MRR / sum of start MRR over customers with start MRR > 0';

CREATE AGGREGATE gross_revenue_retention(start_mrr numeric, end_mrr numeric) (
    SFUNC = grr_accum,
    STYPE = numeric[],
    INITCOND = '{0,0}',
    FINALFUNC = retention_final,
    COMBINEFUNC = revenue_pair_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE gross_revenue_retention(numeric, numeric) IS
    'GRR: sum of least(start, end) MRR / sum of start MRR over customers with start MRR > 0';

CREATE FUNCTION mrr_movement(mrr numeric) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mrr_movement(numeric) IS
    'window function over (PARTITION BY customer ORDER BY month): new, expansion, contraction, flat, churn or reactivation';
