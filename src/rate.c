/*
 * rate.c
 *		Rates (proportions): the rate_summary type (successes, trials), the
 *		transition, inverse and combine functions behind rate() and
 *		rate_agg(), its accessors and Wilson interval, lift(), and the
 *		differentially private rate(rate_summary, epsilon) (SQL in privacy.sql).
 */
#include "pg_kpi.h"

#include "libpq/pqformat.h"
#include "utils/array.h"
#include "catalog/pg_type.h"

/* rate_summary: a fixed-size, pass-by-reference pair of counts. */
typedef struct RateSummary
{
	int64		successes;
	int64		trials;
} RateSummary;

#define RATE_SUMMARY_NAME "rate_summary"
#define PG_GETARG_RATE_SUMMARY(n) ((RateSummary *) PG_GETARG_POINTER(n))

static const char *const rate_keys[] = {"successes", "trials"};

/* lift's state is an int8[] of these four counts. */
enum
{
	LIFT_TREATED_TRIALS,
	LIFT_TREATED_SUCCESSES,
	LIFT_CONTROL_TRIALS,
	LIFT_CONTROL_SUCCESSES,
	LIFT_NCOUNTS
};

/* Describe what is wrong with a rate summary's counts, or return NULL. */
static inline const char *
rate_summary_problem(const RateSummary *s)
{
	if (s->successes > s->trials)
		return psprintf("Successes (%lld) exceed trials (%lld).",
						(long long) s->successes, (long long) s->trials);
	return NULL;
}

PG_FUNCTION_INFO_V1(rate_summary_in);
Datum
rate_summary_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	RateSummary *result = palloc(sizeof(RateSummary));
	int64		counts[2];
	const char *problem;

	kpi_counts_parse(input, RATE_SUMMARY_NAME, rate_keys, 2, counts);
	result->successes = counts[0];
	result->trials = counts[1];
	if ((problem = rate_summary_problem(result)) != NULL)
		kpi_text_invalid_input(RATE_SUMMARY_NAME, input, "%s", problem);
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(rate_summary_out);
Datum
rate_summary_out(PG_FUNCTION_ARGS)
{
	RateSummary *s = PG_GETARG_RATE_SUMMARY(0);
	int64		counts[2] = {s->successes, s->trials};

	PG_RETURN_CSTRING(kpi_counts_format(rate_keys, 2, counts));
}

PG_FUNCTION_INFO_V1(rate_summary_recv);
Datum
rate_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	RateSummary *result = palloc(sizeof(RateSummary));
	int64		counts[2];
	const char *problem;

	kpi_counts_recv(buf, RATE_SUMMARY_NAME, 2, counts);
	result->successes = counts[0];
	result->trials = counts[1];
	if ((problem = rate_summary_problem(result)) != NULL)
		kpi_binary_invalid(RATE_SUMMARY_NAME, "%s", problem);
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(rate_summary_send);
Datum
rate_summary_send(PG_FUNCTION_ARGS)
{
	RateSummary *s = PG_GETARG_RATE_SUMMARY(0);
	int64		counts[2] = {s->successes, s->trials};

	PG_RETURN_BYTEA_P(kpi_counts_send(counts, 2));
}

/* Transition function of rate() and rate_agg(): count one boolean outcome. */
PG_FUNCTION_INFO_V1(rate_accum);
Datum
rate_accum(PG_FUNCTION_ARGS)
{
	RateSummary *state = kpi_fixed_state_for_update(fcinfo, sizeof(RateSummary));

	if (unlikely(state->trials == PG_INT64_MAX))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("rate_summary trial count out of range")));
	state->trials++;
	state->successes += PG_GETARG_BOOL(1) ? 1 : 0;
	PG_RETURN_POINTER(state);
}

/* Inverse transition of rate() in a moving window frame: forget one outcome. */
PG_FUNCTION_INFO_V1(rate_discard);
Datum
rate_discard(PG_FUNCTION_ARGS)
{
	RateSummary *state = kpi_fixed_state_for_update(fcinfo, sizeof(RateSummary));
	bool		success = PG_GETARG_BOOL(1);

	if (state->trials <= 0 || (success ? state->successes <= 0 : state->successes >= state->trials))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot remove a value that was never added to the rate_summary")));
	state->trials--;
	state->successes -= success ? 1 : 0;
	PG_RETURN_POINTER(state);
}

/* Combine function and rollup(): add two summaries' counts. */
PG_FUNCTION_INFO_V1(rate_combine);
Datum
rate_combine(PG_FUNCTION_ARGS)
{
	RateSummary *state = kpi_fixed_state_for_update(fcinfo, sizeof(RateSummary));
	RateSummary *other = PG_GETARG_RATE_SUMMARY(1);

	state->successes = kpi_add_count(state->successes, other->successes);
	state->trials = kpi_add_count(state->trials, other->trials);
	PG_RETURN_POINTER(state);
}

/* Final function of rate_agg(): the summary, or NULL when it counts no trials. */
PG_FUNCTION_INFO_V1(rate_agg_final);
Datum
rate_agg_final(PG_FUNCTION_ARGS)
{
	RateSummary *s = PG_GETARG_RATE_SUMMARY(0);

	if (s->trials == 0)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(s);
}

/* rate(rate_summary), also rate()'s final function: successes / trials. */
PG_FUNCTION_INFO_V1(rate_summary_rate);
Datum
rate_summary_rate(PG_FUNCTION_ARGS)
{
	RateSummary *s = PG_GETARG_RATE_SUMMARY(0);

	if (s->trials == 0)
		PG_RETURN_NULL();
	KPI_SUPPRESS_SMALL_GROUP(s->trials);
	PG_RETURN_FLOAT8((double) s->successes / (double) s->trials);
}

PG_FUNCTION_INFO_V1(rate_summary_successes);
Datum
rate_summary_successes(PG_FUNCTION_ARGS)
{
	RateSummary *s = PG_GETARG_RATE_SUMMARY(0);

	KPI_SUPPRESS_SMALL_GROUP(s->trials);
	PG_RETURN_INT64(s->successes);
}

PG_FUNCTION_INFO_V1(rate_summary_trials);
Datum
rate_summary_trials(PG_FUNCTION_ARGS)
{
	RateSummary *s = PG_GETARG_RATE_SUMMARY(0);

	KPI_SUPPRESS_SMALL_GROUP(s->trials);
	PG_RETURN_INT64(s->trials);
}

/*
 * rate(rate_summary, epsilon): an epsilon-differentially private rate.  The
 * successes and the failures are disjoint counts (one row changes exactly one
 * of them by 1), so each gets discrete Laplace noise of scale 1/epsilon and
 * the pair is epsilon-DP per row; the rate is computed from the noisy counts
 * clamped at 0 (post-processing), NULL when their sum is 0 or under
 * pg_kpi.min_group_size.
 */
PG_FUNCTION_INFO_V1(rate_summary_rate_dp);
Datum
rate_summary_rate_dp(PG_FUNCTION_ARGS)
{
	RateSummary *s = PG_GETARG_RATE_SUMMARY(0);
	double		epsilon = PG_GETARG_FLOAT8(1);
	int64		successes,
				failures;
	double		total;

	kpi_dp_check_epsilon(epsilon);
	successes = kpi_dp_clamp0(kpi_dp_noisy_count(s->successes, epsilon, 1.0));
	failures = kpi_dp_clamp0(kpi_dp_noisy_count(s->trials - s->successes, epsilon, 1.0));
	total = (double) successes + (double) failures;
	if (total == 0.0 || kpi_group_suppressed((int64) Min(total, (double) PG_INT64_MAX)))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) successes / total);
}

/* Shared body of ci_lower/ci_upper: the Wilson score interval's bound. */
static Datum
rate_wilson_bound(FunctionCallInfo fcinfo, bool upper)
{
	RateSummary *s = PG_GETARG_RATE_SUMMARY(0);
	double		confidence = PG_GETARG_FLOAT8(1);
	double		lo,
				hi;

	kpi_check_confidence(confidence);
	if (s->trials == 0)
		PG_RETURN_NULL();
	KPI_SUPPRESS_SMALL_GROUP(s->trials);
	kpi_wilson_interval(s->successes, s->trials, confidence, &lo, &hi);
	PG_RETURN_FLOAT8(upper ? hi : lo);
}

PG_FUNCTION_INFO_V1(rate_summary_ci_lower);
Datum
rate_summary_ci_lower(PG_FUNCTION_ARGS)
{
	return rate_wilson_bound(fcinfo, false);
}

PG_FUNCTION_INFO_V1(rate_summary_ci_upper);
Datum
rate_summary_ci_upper(PG_FUNCTION_ARGS)
{
	return rate_wilson_bound(fcinfo, true);
}

/*
 * lift's int8[4] state, checked: callers of the SQL-visible functions may
 * pass anything, and an inconsistent state (a negative count, more
 * successes than trials) would give a silently wrong lift.
 */
static inline int64 *
lift_counts(ArrayType *state)
{
	int64	   *c;

	if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] != LIFT_NCOUNTS ||
		ARR_HASNULL(state) || ARR_ELEMTYPE(state) != INT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid lift state"),
				 errdetail("The state must be a one-dimensional bigint array of %d non-NULL counts.",
						   LIFT_NCOUNTS)));
	c = (int64 *) ARR_DATA_PTR(state);
	if (unlikely(c[LIFT_TREATED_SUCCESSES] < 0 || c[LIFT_CONTROL_SUCCESSES] < 0 ||
				 c[LIFT_TREATED_SUCCESSES] > c[LIFT_TREATED_TRIALS] ||
				 c[LIFT_CONTROL_SUCCESSES] > c[LIFT_CONTROL_TRIALS]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid lift state"),
				 errdetail("The counts must not be negative, and successes must not exceed trials: got {%lld,%lld,%lld,%lld}.",
						   (long long) c[0], (long long) c[1], (long long) c[2], (long long) c[3])));
	return c;
}

/* The lift state to update: in place inside an aggregate, a copy otherwise. */
static inline ArrayType *
lift_state_for_update(FunctionCallInfo fcinfo)
{
	if (AggCheckCallContext(fcinfo, NULL))
		return PG_GETARG_ARRAYTYPE_P(0);
	return PG_GETARG_ARRAYTYPE_P_COPY(0);
}

/* Transition function of lift(): count one (converted, treated) row. */
PG_FUNCTION_INFO_V1(lift_accum);
Datum
lift_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = lift_state_for_update(fcinfo);
	int64	   *c = lift_counts(state);
	bool		converted = PG_GETARG_BOOL(1);
	bool		treated = PG_GETARG_BOOL(2);
	int			trials = treated ? LIFT_TREATED_TRIALS : LIFT_CONTROL_TRIALS;
	int			successes = treated ? LIFT_TREATED_SUCCESSES : LIFT_CONTROL_SUCCESSES;

	c[trials] = kpi_add_count(c[trials], 1);
	c[successes] += converted ? 1 : 0;
	PG_RETURN_ARRAYTYPE_P(state);
}

/* Combine function of lift(): add the four counts. */
PG_FUNCTION_INFO_V1(lift_combine);
Datum
lift_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = lift_state_for_update(fcinfo);
	int64	   *c = lift_counts(state);
	int64	   *other = lift_counts(PG_GETARG_ARRAYTYPE_P(1));

	for (int i = 0; i < LIFT_NCOUNTS; i++)
		c[i] = kpi_add_count(c[i], other[i]);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* Final function of lift(): p_treated / p_control - 1, NULL if undefined. */
PG_FUNCTION_INFO_V1(lift_final);
Datum
lift_final(PG_FUNCTION_ARGS)
{
	int64	   *c = lift_counts(PG_GETARG_ARRAYTYPE_P(0));
	double		p_treated,
				p_control;

	if (c[LIFT_TREATED_TRIALS] == 0 || c[LIFT_CONTROL_TRIALS] == 0 ||
		c[LIFT_CONTROL_SUCCESSES] == 0)
		PG_RETURN_NULL();
	/* each arm is a group of its own */
	KPI_SUPPRESS_SMALL_GROUP(Min(c[LIFT_TREATED_TRIALS], c[LIFT_CONTROL_TRIALS]));
	p_treated = (double) c[LIFT_TREATED_SUCCESSES] / (double) c[LIFT_TREATED_TRIALS];
	p_control = (double) c[LIFT_CONTROL_SUCCESSES] / (double) c[LIFT_CONTROL_TRIALS];
	PG_RETURN_FLOAT8(p_treated / p_control - 1.0);
}
