-- MRR bridge: mrr_bridge_agg(movement, mrr_change) over the rows mrr_movement()
-- labels; the mrr_bridge summary, rollup(), and its accessors.  Money is
-- numeric; the quick ratio is float8.  Accessors are STABLE: they return NULL
-- under pg_kpi.min_group_size (contributors: the rows counted).

CREATE TYPE mrr_bridge;
CREATE FUNCTION mrr_bridge_in(cstring) RETURNS mrr_bridge
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_bridge_out(mrr_bridge) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_bridge_recv(internal) RETURNS mrr_bridge
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_bridge_send(mrr_bridge) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mrr_bridge (
    INPUT = mrr_bridge_in,
    OUTPUT = mrr_bridge_out,
    RECEIVE = mrr_bridge_recv,
    SEND = mrr_bridge_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE mrr_bridge IS 'MRR bridge: per movement kind, the customer-months and the MRR moved; merge with rollup()';

CREATE FUNCTION mrr_bridge_accum(mrr_bridge, text, numeric) RETURNS mrr_bridge
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mrr_bridge_combine(mrr_bridge, mrr_bridge) RETURNS mrr_bridge
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mrr_bridge_agg(movement text, mrr_change numeric) (
    SFUNC = mrr_bridge_accum,
    STYPE = mrr_bridge,
    COMBINEFUNC = mrr_bridge_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr_bridge_agg(text, numeric) IS 'MRR bridge of movements labelled by mrr_movement() and their MRR changes';

CREATE AGGREGATE rollup(mrr_bridge) (
    SFUNC = mrr_bridge_combine,
    STYPE = mrr_bridge,
    COMBINEFUNC = mrr_bridge_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(mrr_bridge) IS 'sum MRR bridges (e.g. months to a quarter, segments to the company)';

CREATE FUNCTION new_mrr(mrr_bridge) RETURNS numeric
    AS 'MODULE_PATHNAME', 'mrr_bridge_new' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION new_mrr(mrr_bridge) IS 'MRR from new customers';
CREATE FUNCTION expansion_mrr(mrr_bridge) RETURNS numeric
    AS 'MODULE_PATHNAME', 'mrr_bridge_expansion' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION expansion_mrr(mrr_bridge) IS 'MRR gained from customers paying more';
CREATE FUNCTION contraction_mrr(mrr_bridge) RETURNS numeric
    AS 'MODULE_PATHNAME', 'mrr_bridge_contraction' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION contraction_mrr(mrr_bridge) IS 'MRR lost from customers paying less (a positive amount)';
CREATE FUNCTION churned_mrr(mrr_bridge) RETURNS numeric
    AS 'MODULE_PATHNAME', 'mrr_bridge_churned' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churned_mrr(mrr_bridge) IS 'MRR lost from customers who stopped paying (a positive amount)';
CREATE FUNCTION reactivation_mrr(mrr_bridge) RETURNS numeric
    AS 'MODULE_PATHNAME', 'mrr_bridge_reactivation' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION reactivation_mrr(mrr_bridge) IS 'MRR from customers who came back';
CREATE FUNCTION net_new_mrr(mrr_bridge) RETURNS numeric
    AS 'MODULE_PATHNAME', 'mrr_bridge_net_new' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION net_new_mrr(mrr_bridge) IS 'new + expansion + reactivation - contraction - churned MRR';
CREATE FUNCTION quick_ratio(mrr_bridge) RETURNS float8
    AS 'MODULE_PATHNAME', 'mrr_bridge_quick_ratio' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION quick_ratio(mrr_bridge) IS 'SaaS quick ratio (new + expansion + reactivation) / (contraction + churn); NULL when nothing was lost';
CREATE FUNCTION customers(mrr_bridge, kind text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'mrr_bridge_customers' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION customers(mrr_bridge, text) IS 'customer-months of one movement kind (new, expansion, contraction, churn, reactivation, flat)';
