/*
 * quality.c
 *		Weighted quality scores: the score_summary type (response count, an
 *		exact fixed-point sum of per-response scores, and the weights), the
 *		transition, inverse and combine functions behind quality_score(),
 *		weighted_score() and their *_agg() forms, the accessors, and the
 *		scalar response_quality().
 *
 * Each response's weighted score s = Σ w_i·d_i is a double in [0, 1]; it is
 * added to the state as the integer round(s·2^62), kept as whole units plus
 * a fraction below 2^62.  Integer sums are exact and associative, so removing
 * a row in a moving window undoes exactly what adding it did, and serial,
 * parallel and rolled-up results are bit-for-bit identical.  The rounding
 * costs at most 2^-63 per response.
 */
#include "pg_kpi.h"

#include "catalog/pg_type.h"
#include "common/int128.h"
#include "libpq/pqformat.h"
#include "utils/array.h"

#define SCORE_SUMMARY_NAME "score_summary"
#define SCORE_MAX_DIMS 64
#define SCORE_FRAC_BITS 62
#define SCORE_FRAC_ONE (UINT64CONST(1) << SCORE_FRAC_BITS)
#define SCORE_FRAC_MASK (SCORE_FRAC_ONE - 1)
#define SCORE_WEIGHT_TOLERANCE 1e-9

/* score_summary: varlena; weights[] has ndims entries (0 = not chosen yet). */
typedef struct ScoreSummary
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int32		ndims;			/* number of dimensions, 0..64 */
	int64		responses;		/* rows counted */
	int64		sum_units;		/* whole part of the sum of scores */
	uint64		sum_frac;		/* fractional part, in units of 2^-62 */
	double		weights[FLEXIBLE_ARRAY_MEMBER];
} ScoreSummary;

#define SCORE_SUMMARY_SIZE(ndims) (offsetof(ScoreSummary, weights) + sizeof(double) * (ndims))
#define PG_GETARG_SCORE_SUMMARY(n) ((ScoreSummary *) PG_DETOAST_DATUM(PG_GETARG_DATUM(n)))

/* Names of quality_score's four dimensions, for error messages. */
static const char *const quality_dim_names[4] = {"relevance", "accuracy", "completeness", "tone"};

/* The weights quality_score() uses when none are given. */
static const double quality_default_weights[4] = {0.4, 0.4, 0.1, 0.1};

/* Validated weights of the last weights array seen at a call site (fn_extra). */
typedef struct WeightsCache
{
	Size		raw_size;		/* VARSIZE of the cached array */
	char		raw[SCORE_MAX_DIMS * sizeof(double) + 64];	/* its bytes */
	int			ndims;
	double		weights[SCORE_MAX_DIMS];
} WeightsCache;

/* Reject a dimension score that is not finite or outside [0,1]. */
static inline void
score_check_dimension(double value, const char *name, int position)
{
	if (unlikely(!(value >= 0.0 && value <= 1.0)))
	{
		if (name)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s %g is out of range", name, value),
					 errdetail("Quality dimensions must be finite numbers from 0 to 1.")));
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("score %g at position %d is out of range", value, position),
				 errdetail("Scores must be finite numbers from 0 to 1.")));
	}
}

/*
 * Check a weight vector: returns the 0-based position of the first weight
 * that is not a finite non-negative number, or -1 with *sum set to the sum
 * of the weights (which must be 1 within SCORE_WEIGHT_TOLERANCE).
 */
static int
score_weights_scan(const double *w, int n, double *sum)
{
	*sum = 0.0;
	for (int i = 0; i < n; i++)
	{
		if (isnan(w[i]) || isinf(w[i]) || w[i] < 0.0)
			return i;
		*sum += w[i];
	}
	return -1;
}

/* Describe what is wrong with a stored weight vector, or return NULL. */
static const char *
score_weights_problem(const double *w, int n)
{
	double		sum;
	int			bad = score_weights_scan(w, n, &sum);

	if (bad >= 0)
		return psprintf("Weight %g at position %d is not a finite non-negative number.",
						w[bad], bad + 1);
	if (fabs(sum - 1.0) > SCORE_WEIGHT_TOLERANCE)
		return psprintf("The weights sum to %.17g, not 1.", sum);
	return NULL;
}

/* Raise the error for weights given as a function argument. */
static void
score_check_weights(const double *w, int n)
{
	double		sum;
	int			bad = score_weights_scan(w, n, &sum);

	if (bad >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weight %g at position %d is invalid", w[bad], bad + 1),
				 errdetail("Weights must be finite and non-negative.")));
	if (fabs(sum - 1.0) > SCORE_WEIGHT_TOLERANCE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weights must sum to 1"),
				 errdetail("Weights must add up to 1 within %g.", SCORE_WEIGHT_TOLERANCE),
				 errhint("The weights given sum to %.17g.", sum)));
}

/*
 * Read a float8[] argument as a plain C array: one-dimensional, non-empty, at
 * most 64 elements.  NULL elements are an error unless nulls_ok, in which case
 * NULL is returned for an array holding any.  what names the argument in errors.
 */
static const double *
score_array_values(ArrayType *array, const char *what, bool nulls_ok, int *n)
{
	int			count;

	if (ARR_NDIM(array) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what)));
	if (ARR_NDIM(array) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("The array has %d dimensions.", ARR_NDIM(array))));
	Assert(ARR_ELEMTYPE(array) == FLOAT8OID);
	count = ARR_DIMS(array)[0];
	if (count > SCORE_MAX_DIMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has %d elements, more than the maximum of %d", what, count, SCORE_MAX_DIMS)));
	if (array_contains_nulls(array))
	{
		if (nulls_ok)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not contain NULL elements", what)));
	}
	*n = count;
	return (const double *) ARR_DATA_PTR(array);
}

/*
 * The validated weights of a weights array argument.  The last array seen at
 * this call site is cached byte for byte, so a constant weights argument is
 * parsed and checked once, not once per row.
 */
static const double *
score_weights_arg(FunctionCallInfo fcinfo, int argno, int *n)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(argno);
	WeightsCache *cache = (WeightsCache *) fcinfo->flinfo->fn_extra;
	Size		size = VARSIZE(array);
	const double *values;
	int			count;

	if (cache != NULL && cache->raw_size == size && memcmp(cache->raw, array, size) == 0)
	{
		*n = cache->ndims;
		return cache->weights;
	}

	values = score_array_values(array, "weights", false, &count);
	score_check_weights(values, count);

	if (size <= sizeof(cache->raw))
	{
		if (cache == NULL)
			cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(WeightsCache));
		memcpy(cache->raw, array, size);
		cache->raw_size = size;
		cache->ndims = count;
		memcpy(cache->weights, values, sizeof(double) * count);
		fcinfo->flinfo->fn_extra = cache;
		values = cache->weights;
	}
	*n = count;
	return values;
}

/* A new summary with the given weights and nothing counted. */
static ScoreSummary *
score_summary_new(const double *weights, int ndims)
{
	ScoreSummary *s = palloc0(SCORE_SUMMARY_SIZE(ndims));

	SET_VARSIZE(s, SCORE_SUMMARY_SIZE(ndims));
	s->ndims = ndims;
	if (ndims > 0)
		memcpy(s->weights, weights, sizeof(double) * ndims);
	return s;
}

/* A copy of a summary (for updates outside an aggregate). */
static inline ScoreSummary *
score_summary_copy(const ScoreSummary *s)
{
	ScoreSummary *copy = palloc(VARSIZE(s));

	memcpy(copy, s, VARSIZE(s));
	return copy;
}

/* True if two weight vectors are identical. */
static inline bool
score_same_weights(const double *a, int na, const double *b, int nb)
{
	return na == nb && memcmp(a, b, sizeof(double) * na) == 0;
}

/*
 * The state to add a row with these weights to: in place inside an aggregate
 * (a copy otherwise); a fresh state when no weights were chosen yet; an error
 * when the weights differ from the group's.
 */
static ScoreSummary *
score_state_for_row(FunctionCallInfo fcinfo, const double *weights, int ndims)
{
	ScoreSummary *state = PG_GETARG_SCORE_SUMMARY(0);

	if (state->ndims == 0)
		return score_summary_new(weights, ndims);
	if (unlikely(!score_same_weights(state->weights, state->ndims, weights, ndims)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weights changed within a group"),
				 errdetail("The weights must be the same for every row of a group.")));
	if (!AggCheckCallContext(fcinfo, NULL))
		state = score_summary_copy(state);
	return state;
}

/* Weighted score of one response in 2^-62 units; dims already validated. */
static inline uint64
score_fixed_point(const double *dims, const double *weights, int ndims)
{
	double		s = 0.0;

	for (int i = 0; i < ndims; i++)
		s += weights[i] * dims[i];
	return (uint64) rint(ldexp(s, SCORE_FRAC_BITS));
}

/* Add (or with negate, remove) one response's fixed-point score. */
static inline void
score_add_fixed(ScoreSummary *state, uint64 v, bool negate)
{
	int64		units = (int64) (v >> SCORE_FRAC_BITS);
	uint64		frac = v & SCORE_FRAC_MASK;

	if (!negate)
	{
		state->sum_frac += frac;
		if (state->sum_frac >= SCORE_FRAC_ONE)
		{
			state->sum_frac -= SCORE_FRAC_ONE;
			units++;
		}
		state->sum_units = kpi_add_count(state->sum_units, units);
		state->responses = kpi_add_count(state->responses, 1);
	}
	else
	{
		if (state->sum_frac < frac)
		{
			state->sum_frac += SCORE_FRAC_ONE;
			units++;
		}
		state->sum_frac -= frac;
		state->sum_units -= units;
		state->responses--;
		if (state->responses < 0 || state->sum_units < 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot remove a response that was never added to the score_summary")));
	}
}

/* Shared body of quality_score's transition and inverse functions. */
static Datum
quality_step(FunctionCallInfo fcinfo, bool custom_weights, bool negate)
{
	double		dims[4];
	const double *weights = quality_default_weights;
	int			ndims = 4;
	ScoreSummary *state;

	for (int i = 0; i < 4; i++)
	{
		dims[i] = PG_GETARG_FLOAT8(i + 1);
		score_check_dimension(dims[i], quality_dim_names[i], i + 1);
	}
	if (custom_weights)
	{
		weights = score_weights_arg(fcinfo, 5, &ndims);
		if (ndims != 4)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("quality_score takes 4 weights, got %d", ndims),
					 errdetail("The weights apply to relevance, accuracy, completeness and tone, in that order.")));
	}
	state = score_state_for_row(fcinfo, weights, ndims);
	score_add_fixed(state, score_fixed_point(dims, weights, ndims), negate);
	PG_RETURN_POINTER(state);
}

/*
 * Shared body of weighted_score's transition and inverse functions.  A scores
 * array holding a NULL is skipped, like a NULL dimension of quality_score.
 */
static Datum
weighted_step(FunctionCallInfo fcinfo, bool negate)
{
	int			nscores,
				nweights;
	const double *scores = score_array_values(PG_GETARG_ARRAYTYPE_P(1), "scores", true, &nscores);
	const double *weights = score_weights_arg(fcinfo, 2, &nweights);
	ScoreSummary *state;

	if (scores == NULL)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	if (nscores != nweights)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scores and weights must have the same length"),
				 errdetail("Got %d scores and %d weights.", nscores, nweights)));
	for (int i = 0; i < nscores; i++)
		score_check_dimension(scores[i], NULL, i + 1);
	state = score_state_for_row(fcinfo, weights, nweights);
	score_add_fixed(state, score_fixed_point(scores, weights, nweights), negate);
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(quality_accum);
Datum
quality_accum(PG_FUNCTION_ARGS)
{
	return quality_step(fcinfo, false, false);
}

PG_FUNCTION_INFO_V1(quality_discard);
Datum
quality_discard(PG_FUNCTION_ARGS)
{
	return quality_step(fcinfo, false, true);
}

PG_FUNCTION_INFO_V1(quality_weighted_accum);
Datum
quality_weighted_accum(PG_FUNCTION_ARGS)
{
	return quality_step(fcinfo, true, false);
}

PG_FUNCTION_INFO_V1(quality_weighted_discard);
Datum
quality_weighted_discard(PG_FUNCTION_ARGS)
{
	return quality_step(fcinfo, true, true);
}

PG_FUNCTION_INFO_V1(weighted_score_accum);
Datum
weighted_score_accum(PG_FUNCTION_ARGS)
{
	return weighted_step(fcinfo, false);
}

PG_FUNCTION_INFO_V1(weighted_score_discard);
Datum
weighted_score_discard(PG_FUNCTION_ARGS)
{
	return weighted_step(fcinfo, true);
}

/* Combine function and rollup(): add two summaries built with the same weights. */
PG_FUNCTION_INFO_V1(score_combine);
Datum
score_combine(PG_FUNCTION_ARGS)
{
	ScoreSummary *state = PG_GETARG_SCORE_SUMMARY(0);
	ScoreSummary *other = PG_GETARG_SCORE_SUMMARY(1);

	if (other->responses == 0)
		PG_RETURN_POINTER(state);
	if (state->responses == 0)
		PG_RETURN_POINTER(score_summary_copy(other));
	if (!score_same_weights(state->weights, state->ndims, other->weights, other->ndims))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge score summaries with different weights"),
				 errhint("Roll up only summaries built with the same weights.")));
	if (!AggCheckCallContext(fcinfo, NULL))
		state = score_summary_copy(state);
	state->sum_frac += other->sum_frac;
	if (state->sum_frac >= SCORE_FRAC_ONE)
	{
		state->sum_frac -= SCORE_FRAC_ONE;
		state->sum_units = kpi_add_count(state->sum_units, 1);
	}
	state->sum_units = kpi_add_count(state->sum_units, other->sum_units);
	state->responses = kpi_add_count(state->responses, other->responses);
	PG_RETURN_POINTER(state);
}

/* Final function of the *_agg() forms: the summary, or NULL when it counts nothing. */
PG_FUNCTION_INFO_V1(score_agg_final);
Datum
score_agg_final(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY(0);

	if (s->responses == 0)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(s);
}

/* quality_score(score_summary), weighted_score(score_summary), and the final functions: the mean score. */
PG_FUNCTION_INFO_V1(score_summary_mean);
Datum
score_summary_mean(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY(0);
	long double sum;

	if (s->responses == 0)
		PG_RETURN_NULL();
	KPI_SUPPRESS_SMALL_GROUP(s->responses);
	sum = (long double) s->sum_units + ldexpl((long double) s->sum_frac, -SCORE_FRAC_BITS);
	PG_RETURN_FLOAT8((double) (sum / (long double) s->responses));
}

PG_FUNCTION_INFO_V1(score_summary_responses);
Datum
score_summary_responses(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY(0);

	KPI_SUPPRESS_SMALL_GROUP(s->responses);
	PG_RETURN_INT64(s->responses);
}

/* weights(score_summary): the weights as float8[] (NULL before any row chose them). */
PG_FUNCTION_INFO_V1(score_summary_weights);
Datum
score_summary_weights(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY(0);
	Datum		elems[SCORE_MAX_DIMS];

	if (s->ndims == 0)
		PG_RETURN_NULL();
	for (int i = 0; i < s->ndims; i++)
		elems[i] = Float8GetDatum(s->weights[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, s->ndims, FLOAT8OID, sizeof(double),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* response_quality(r, a, c, t [, weights]): one response's weighted score. */
PG_FUNCTION_INFO_V1(response_quality);
Datum
response_quality(PG_FUNCTION_ARGS)
{
	double		dims[4];
	const double *weights = quality_default_weights;
	double		s = 0.0;

	for (int i = 0; i < 4; i++)
	{
		dims[i] = PG_GETARG_FLOAT8(i);
		score_check_dimension(dims[i], quality_dim_names[i], i + 1);
	}
	if (PG_NARGS() > 4)
	{
		int			ndims;

		weights = score_weights_arg(fcinfo, 4, &ndims);
		if (ndims != 4)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("response_quality takes 4 weights, got %d", ndims),
					 errdetail("The weights apply to relevance, accuracy, completeness and tone, in that order.")));
	}
	for (int i = 0; i < 4; i++)
		s += weights[i] * dims[i];
	PG_RETURN_FLOAT8(s);
}

/* Describe what is wrong with a summary's fields, or return NULL. */
static const char *
score_summary_problem(const ScoreSummary *s)
{
	const char *problem;

	if (s->ndims < 0 || s->ndims > SCORE_MAX_DIMS)
		return psprintf("The number of weights must be from 0 to %d.", SCORE_MAX_DIMS);
	if (s->responses < 0 || s->sum_units < 0)
		return pstrdup("Counts and sums must not be negative.");
	if (s->sum_frac >= SCORE_FRAC_ONE)
		return pstrdup("The fractional part of the sum must be below 2^62.");
	if (s->ndims == 0 && s->responses > 0)
		return pstrdup("A summary that counts responses must have weights.");
	if (s->responses == 0 && (s->sum_units != 0 || s->sum_frac != 0))
		return pstrdup("A summary with no responses must have a zero sum.");
	if (s->ndims > 0 && (problem = score_weights_problem(s->weights, s->ndims)) != NULL)
		return problem;
	if (s->ndims > 0)
	{
		/*
		 * Each response scores at most score_fixed_point() of all-ones
		 * dimensions (rounding is monotonic), so the exact sum, whole units
		 * and fraction together, is at most responses times that.
		 */
		double		ones[SCORE_MAX_DIMS];
		INT128		sum = int64_to_int128(0);
		INT128		bound = int64_to_int128(0);

		for (int i = 0; i < s->ndims; i++)
			ones[i] = 1.0;
		int128_add_int64_mul_int64(&sum, s->sum_units, (int64) SCORE_FRAC_ONE);
		int128_add_uint64(&sum, s->sum_frac);
		int128_add_int64_mul_int64(&bound, s->responses,
								   (int64) score_fixed_point(ones, s->weights, s->ndims));
		if (int128_compare(sum, bound) > 0)
			return pstrdup("The sum of scores exceeds what the number of responses allows.");
	}
	return NULL;
}

PG_FUNCTION_INFO_V1(score_summary_in);
Datum
score_summary_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	KpiTextCursor cur;
	double		weights[SCORE_MAX_DIMS];
	int			ndims = 0;
	int64		responses,
				units;
	uint64		frac;
	ScoreSummary *result;
	const char *problem;

	kpi_text_init(&cur, input, SCORE_SUMMARY_NAME);
	kpi_text_expect_char(&cur, '(');
	kpi_text_expect_key(&cur, "responses");
	responses = kpi_text_read_int64(&cur, "responses");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "sum");
	units = kpi_text_read_int64(&cur, "sum");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "sum_frac");
	frac = kpi_text_read_uint64(&cur, "sum_frac");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "weights");
	kpi_text_expect_char(&cur, '{');
	for (int i = 0; kpi_text_list_next(&cur, i); i++)
	{
		if (ndims == SCORE_MAX_DIMS)
			kpi_text_invalid(&cur, "A summary has at most %d weights.", SCORE_MAX_DIMS);
		weights[ndims++] = kpi_text_read_float8(&cur, "weights");
	}
	kpi_text_expect_char(&cur, ')');
	kpi_text_expect_end(&cur);

	result = score_summary_new(weights, ndims);
	result->responses = responses;
	result->sum_units = units;
	result->sum_frac = frac;
	if ((problem = score_summary_problem(result)) != NULL)
		kpi_text_invalid(&cur, "%s", problem);
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(score_summary_out);
Datum
score_summary_out(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(responses=" INT64_FORMAT ",sum=" INT64_FORMAT ",sum_frac=" UINT64_FORMAT ",weights={",
					 s->responses, s->sum_units, s->sum_frac);
	for (int i = 0; i < s->ndims; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		kpi_append_float8(&buf, s->weights[i]);
	}
	appendStringInfoString(&buf, "})");
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(score_summary_recv);
Datum
score_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	ScoreSummary *result;
	int			ndims;
	const char *problem;

	kpi_recv_version(buf, SCORE_SUMMARY_NAME);
	ndims = kpi_recv_uint8(buf, SCORE_SUMMARY_NAME);
	if (ndims > SCORE_MAX_DIMS)
		kpi_binary_invalid(SCORE_SUMMARY_NAME, "The summary claims %d weights; at most %d are allowed.",
						   ndims, SCORE_MAX_DIMS);
	result = score_summary_new(NULL, 0);
	result = repalloc(result, SCORE_SUMMARY_SIZE(ndims));
	SET_VARSIZE(result, SCORE_SUMMARY_SIZE(ndims));
	result->ndims = ndims;
	result->responses = kpi_recv_int64(buf, SCORE_SUMMARY_NAME);
	result->sum_units = kpi_recv_int64(buf, SCORE_SUMMARY_NAME);
	result->sum_frac = (uint64) kpi_recv_int64(buf, SCORE_SUMMARY_NAME);
	for (int i = 0; i < ndims; i++)
		result->weights[i] = kpi_recv_float8(buf, SCORE_SUMMARY_NAME);
	kpi_recv_end(buf, SCORE_SUMMARY_NAME);
	if ((problem = score_summary_problem(result)) != NULL)
		kpi_binary_invalid(SCORE_SUMMARY_NAME, "%s", problem);
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(score_summary_send);
Datum
score_summary_send(PG_FUNCTION_ARGS)
{
	ScoreSummary *s = PG_GETARG_SCORE_SUMMARY(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, KPI_BINARY_VERSION);
	pq_sendbyte(&buf, (uint8) s->ndims);
	pq_sendint64(&buf, s->responses);
	pq_sendint64(&buf, s->sum_units);
	pq_sendint64(&buf, (int64) s->sum_frac);
	for (int i = 0; i < s->ndims; i++)
		pq_sendfloat8(&buf, s->weights[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
