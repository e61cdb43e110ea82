/*
 * revenue.c
 *		Revenue KPIs, money kept in numeric end to end: mrr() (amounts
 *		normalized to one month and summed exactly, with a moving-aggregate
 *		mode), ltv(), cac(), cac_payback_months(), the ltv_cac_ratio(),
 *		net_revenue_retention() and gross_revenue_retention() aggregates over
 *		a numeric[2] state of exact sums, and the mrr_movement() window
 *		function.
 */
#include "pg_kpi.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "windowapi.h"

/*
 * One month is 30.4375 days (365.25 / 12), in microseconds: the unit in
 * which billing periods are measured.  30.4375 * 86400 is a whole number of
 * seconds, so every interval is an exact integer number of microseconds.
 */
#define MRR_USECS_PER_MONTH INT64CONST(2629800000000)

/*
 * A billing period as the reduced fraction (month length) / (period length):
 * an amount per period times num / den is the amount per month.  mrr()
 * caches the fraction of the last period it saw in fn_extra.
 */
typedef struct MrrPeriodFactor
{
	int64		period_usecs;	/* the period the fraction belongs to; 0 = none */
	int64		num_value;
	int64		den_value;
	Numeric		num;			/* num_value and den_value as numerics */
	Numeric		den;
} MrrPeriodFactor;

/* Moving-aggregate state of mrr(): the exact sum of the frame's monthly amounts. */
typedef struct MrrMovingState
{
	int64		count;			/* non-NULL rows in the frame */
	Numeric		sum;			/* Σ monthly amount, in the aggregate context */
	int32		max_scale;		/* largest display scale of a row in the frame */
	int64		max_scale_count;	/* rows in the frame that have max_scale */
} MrrMovingState;

/* mrr_movement()'s memory for one partition. */
typedef struct MrrMovementState
{
	int64		next_pos;		/* the row position expected next */
	bool		ever_paid;		/* an earlier row had MRR > 0 */
} MrrMovementState;

/* The numeric of an int64 (int64_to_numeric() exists from PostgreSQL 14). */
static inline Numeric
rev_int64_numeric(int64 value)
{
#if PG_VERSION_NUM >= 140000
	return int64_to_numeric(value);
#else
	return DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(value)));
#endif
}

/* Is a numeric NaN or ±Infinity? */
static inline bool
rev_numeric_special(Numeric value)
{
#if PG_VERSION_NUM >= 140000
	return numeric_is_nan(value) || numeric_is_inf(value);
#else
	return numeric_is_nan(value);
#endif
}

/* Text of a numeric, for error messages. */
static inline char *
rev_numeric_text(Numeric value)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value)));
}

/* Compare a numeric with zero: -1, 0 or 1. */
static inline int
rev_numeric_sign(Numeric value)
{
	static Numeric zero = NULL;

	if (zero == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		zero = rev_int64_numeric(0);
		MemoryContextSwitchTo(old);
	}
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(value),
											 NumericGetDatum(zero)));
}

/* Compare two numerics: -1, 0 or 1. */
static inline int
rev_numeric_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a),
											 NumericGetDatum(b)));
}

/* Reject a NaN or infinite money amount (22003), naming the argument. */
static inline void
rev_check_money(Numeric value, const char *what)
{
	if (unlikely(rev_numeric_special(value)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be finite, got %s", what, rev_numeric_text(value)),
				 errdetail("Money amounts must be finite numbers.")));
}

/* Reject a NaN, infinite or negative money amount (22003). */
static inline void
rev_check_money_nonnegative(Numeric value, const char *what)
{
	rev_check_money(value, what);
	if (unlikely(rev_numeric_sign(value) < 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must not be negative, got %s", what, rev_numeric_text(value))));
}

/* Reject a share (churn rate, gross margin) that is not finite or outside [0,1]. */
static inline void
rev_check_share(double value, const char *what)
{
	kpi_check_finite(value, what);
	if (unlikely(value < 0.0 || value > 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s %g is out of range", what, value),
				 errdetail("A %s is a fraction between 0 and 1, such as 0.05 for 5%%.", what)));
}

/* Reject an MRR value that is NaN, infinite or negative (22003). */
static inline void
rev_check_mrr(Numeric value, const char *what)
{
	rev_check_money(value, what);
	if (unlikely(rev_numeric_sign(value) < 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must not be negative, got %s", what, rev_numeric_text(value)),
				 errdetail("Monthly recurring revenue is zero or positive."),
				 errhint("Net credits against revenue first, or clamp with greatest(%s, 0).", what)));
}

/* Greatest common divisor of two positive int64s. */
static inline int64
rev_gcd(int64 a, int64 b)
{
	while (b != 0)
	{
		int64		t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Length of a billing period in microseconds: months at 30.4375 days, days
 * at 24 hours, plus the time part.  It must be positive (22023) and fit in
 * 64 bits (22003).
 */
static inline int64
mrr_period_usecs(const Interval *period)
{
	int64		months,
				days,
				total;

	if (unlikely(pg_mul_s64_overflow((int64) period->month, MRR_USECS_PER_MONTH, &months) ||
				 pg_mul_s64_overflow((int64) period->day, USECS_PER_DAY, &days) ||
				 pg_add_s64_overflow(months, days, &total) ||
				 pg_add_s64_overflow(total, period->time, &total)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("billing period %s is out of range",
						DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(period)))),
				 errdetail("A billing period must be shorter than about 292,000 years.")));
	if (unlikely(total <= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("billing period %s is not positive",
						DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(period)))),
				 errdetail("A billing period must be longer than zero, such as '1 month', '3 months', '1 year' or '7 days'.")));
	return total;
}

/*
 * amount per billing period -> amount per month: amount * num / den with the
 * period's reduced fraction (one exact multiplication, then one numeric
 * division at PostgreSQL's usual result scale).  The fraction is cached in
 * fn_extra, since a column of periods usually repeats a few values.
 */
static Numeric
mrr_monthly_amount(FunctionCallInfo fcinfo, Numeric amount, const Interval *period)
{
	MrrPeriodFactor *f = (MrrPeriodFactor *) fcinfo->flinfo->fn_extra;
	int64		usecs;
	Numeric		result = amount;

	rev_check_money(amount, "amount");
	usecs = mrr_period_usecs(period);
	if (f == NULL)
	{
		f = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(MrrPeriodFactor));
		fcinfo->flinfo->fn_extra = f;
	}
	if (f->period_usecs != usecs)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		int64		g = rev_gcd(MRR_USECS_PER_MONTH, usecs);

		if (f->num != NULL)
			pfree(f->num);
		if (f->den != NULL)
			pfree(f->den);
		f->num_value = MRR_USECS_PER_MONTH / g;
		f->den_value = usecs / g;
		f->num = rev_int64_numeric(f->num_value);
		f->den = rev_int64_numeric(f->den_value);
		f->period_usecs = usecs;
		MemoryContextSwitchTo(old);
	}
	if (f->num_value != 1)
		result = numeric_mul_opt_error(result, f->num, NULL);
	if (f->den_value != 1)
		result = numeric_div_opt_error(result, f->den, NULL);
	return result;
}

/*
 * Transition function of mrr(): add one row's monthly amount to the exact
 * numeric sum.  The state starts NULL (no rows yet); rows with a NULL amount
 * or period are skipped.  Never modifies its input: the sum is a new value.
 */
PG_FUNCTION_INFO_V1(mrr_accum);
Datum
mrr_accum(PG_FUNCTION_ARGS)
{
	Numeric		monthly;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	monthly = mrr_monthly_amount(fcinfo, PG_GETARG_NUMERIC(1), PG_GETARG_INTERVAL_P(2));
	if (PG_ARGISNULL(0))
		PG_RETURN_NUMERIC(monthly);
	PG_RETURN_NUMERIC(numeric_add_opt_error(PG_GETARG_NUMERIC(0), monthly, NULL));
}

/* Combine function of mrr(): add two partial sums; NULL means no rows. */
PG_FUNCTION_INFO_V1(mrr_combine);
Datum
mrr_combine(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
	{
		if (PG_ARGISNULL(1))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(1));
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	PG_RETURN_NUMERIC(numeric_add_opt_error(PG_GETARG_NUMERIC(0), PG_GETARG_NUMERIC(1), NULL));
}

/* Display scale of a finite numeric. */
static inline int32
rev_numeric_scale(Numeric value)
{
	return DatumGetInt32(DirectFunctionCall1(numeric_scale, NumericGetDatum(value)));
}

/* Replace the moving state's sum by new_sum, copied into the aggregate context. */
static inline void
mrr_moving_set_sum(MrrMovingState *state, MemoryContext aggcontext, Numeric new_sum)
{
	MemoryContext old = MemoryContextSwitchTo(aggcontext);
	Numeric		copy = DatumGetNumericCopy(NumericGetDatum(new_sum));

	MemoryContextSwitchTo(old);
	if (state->sum != NULL)
		pfree(state->sum);
	state->sum = copy;
}

/* The aggregate context of a moving-aggregate call; error outside one. */
static inline MemoryContext
mrr_moving_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "mrr moving-aggregate function called in non-aggregate context");
	return aggcontext;
}

/*
 * Forward transition of mrr() in a moving window frame: add one row's
 * monthly amount, tracking the largest display scale as numeric's own
 * sum() does so that the result prints like a fresh computation.
 */
PG_FUNCTION_INFO_V1(mrr_moving_accum);
Datum
mrr_moving_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = mrr_moving_context(fcinfo);
	MrrMovingState *state;
	Numeric		monthly;
	int32		scale;

	if (PG_ARGISNULL(0))
		state = MemoryContextAllocZero(aggcontext, sizeof(MrrMovingState));
	else
		state = (MrrMovingState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);

	monthly = mrr_monthly_amount(fcinfo, PG_GETARG_NUMERIC(1), PG_GETARG_INTERVAL_P(2));
	scale = rev_numeric_scale(monthly);
	mrr_moving_set_sum(state, aggcontext, state->sum == NULL ? monthly :
					   numeric_add_opt_error(state->sum, monthly, NULL));
	state->count++;
	if (scale > state->max_scale)
	{
		state->max_scale = scale;
		state->max_scale_count = 1;
	}
	else if (scale == state->max_scale)
		state->max_scale_count++;
	PG_RETURN_POINTER(state);
}

/*
 * Inverse transition of mrr(): subtract the same monthly amount again
 * (exact in numeric).  Returns NULL, which makes the window restart the
 * frame, when the last row with the largest display scale leaves, since
 * the sum's display scale cannot shrink otherwise.
 */
PG_FUNCTION_INFO_V1(mrr_moving_discard);
Datum
mrr_moving_discard(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = mrr_moving_context(fcinfo);
	MrrMovingState *state;
	Numeric		monthly;
	int32		scale;

	if (PG_ARGISNULL(0))
		elog(ERROR, "mrr inverse transition called without a state");
	state = (MrrMovingState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);
	if (state->count <= 0 || state->sum == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot remove a row that was never added to the mrr state")));

	monthly = mrr_monthly_amount(fcinfo, PG_GETARG_NUMERIC(1), PG_GETARG_INTERVAL_P(2));
	scale = rev_numeric_scale(monthly);
	if (scale == state->max_scale)
	{
		if (state->max_scale_count > 1 || state->max_scale == 0)
			state->max_scale_count--;
		else
			PG_RETURN_NULL();	/* restart: the display scale would change */
	}
	mrr_moving_set_sum(state, aggcontext, numeric_sub_opt_error(state->sum, monthly, NULL));
	state->count--;
	PG_RETURN_POINTER(state);
}

/* Final function of mrr()'s moving mode: the sum, or NULL for an empty frame. */
PG_FUNCTION_INFO_V1(mrr_moving_final);
Datum
mrr_moving_final(PG_FUNCTION_ARGS)
{
	MrrMovingState *state;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (MrrMovingState *) PG_GETARG_POINTER(0);
	if (state->count == 0 || state->sum == NULL)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(DatumGetNumericCopy(NumericGetDatum(state->sum)));
}

/* ltv(arpu, churn_rate, gross_margin): arpu × margin ÷ churn; churn 0 gives NULL. */
PG_FUNCTION_INFO_V1(revenue_ltv);
Datum
revenue_ltv(PG_FUNCTION_ARGS)
{
	Numeric		arpu = PG_GETARG_NUMERIC(0);
	double		churn = PG_GETARG_FLOAT8(1);
	double		margin = PG_GETARG_FLOAT8(2);
	Numeric		value;

	rev_check_money(arpu, "arpu");
	rev_check_share(churn, "churn_rate");
	rev_check_share(margin, "gross_margin");
	if (churn == 0.0)
		PG_RETURN_NULL();
	value = numeric_mul_opt_error(arpu,
								  DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(margin))),
								  NULL);
	PG_RETURN_NUMERIC(numeric_div_opt_error(value,
											DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(churn))),
											NULL));
}

/* cac(spend, new_customers): spend ÷ new customers; 0 customers gives NULL. */
PG_FUNCTION_INFO_V1(revenue_cac);
Datum
revenue_cac(PG_FUNCTION_ARGS)
{
	Numeric		spend = PG_GETARG_NUMERIC(0);
	int64		customers = PG_GETARG_INT64(1);

	rev_check_money_nonnegative(spend, "spend");
	if (customers < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("new_customers must not be negative, got %lld", (long long) customers)));
	if (customers == 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(numeric_div_opt_error(spend, rev_int64_numeric(customers), NULL));
}

/* A finite numeric as float8 (numeric's own conversion). */
static inline double
rev_numeric_float8(Numeric value)
{
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(value)));
}

/*
 * cac_payback_months(cac, new_mrr, gross_margin): months of margin-adjusted
 * new MRR needed to earn the CAC back; NULL when new MRR or margin is 0.
 */
PG_FUNCTION_INFO_V1(revenue_cac_payback_months);
Datum
revenue_cac_payback_months(PG_FUNCTION_ARGS)
{
	Numeric		cac = PG_GETARG_NUMERIC(0);
	Numeric		new_mrr = PG_GETARG_NUMERIC(1);
	double		margin = PG_GETARG_FLOAT8(2);
	double		monthly;

	rev_check_money_nonnegative(cac, "cac");
	rev_check_money_nonnegative(new_mrr, "new_mrr");
	rev_check_share(margin, "gross_margin");
	monthly = rev_numeric_float8(new_mrr) * margin;
	if (monthly == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rev_numeric_float8(cac) / monthly);
}

/*
 * The numeric[2] state of ltv_cac_ratio(), net_revenue_retention() and
 * gross_revenue_retention(): two exact sums.  Checked, since the SQL-visible
 * transition and combine functions can be called with any array.
 */
static inline void
rev_pair_read(ArrayType *state, Numeric *a, Numeric *b)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] != 2 || ARR_HASNULL(state) ||
		ARR_ELEMTYPE(state) != NUMERICOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid revenue aggregate state"),
				 errdetail("The state must be a one-dimensional numeric array of 2 non-NULL sums.")));
	deconstruct_array(state, NUMERICOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	*a = DatumGetNumeric(elems[0]);
	*b = DatumGetNumeric(elems[1]);
	if (rev_numeric_special(*a) || rev_numeric_special(*b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid revenue aggregate state"),
				 errdetail("The sums in the state must be finite.")));
	pfree(elems);
	pfree(nulls);
}

/* A new numeric[2] state {a, b}. */
static inline ArrayType *
rev_pair_make(Numeric a, Numeric b)
{
	Datum		elems[2] = {NumericGetDatum(a), NumericGetDatum(b)};

	return construct_array(elems, 2, NUMERICOID, -1, false, TYPALIGN_INT);
}

/* The state plus {add_a, add_b}: a new array, the input is never modified. */
static inline ArrayType *
rev_pair_add(ArrayType *state, Numeric add_a, Numeric add_b)
{
	Numeric		a,
				b;

	rev_pair_read(state, &a, &b);
	return rev_pair_make(numeric_add_opt_error(a, add_a, NULL),
						 numeric_add_opt_error(b, add_b, NULL));
}

/* Combine function of the numeric[2] aggregates: add the sums pairwise. */
PG_FUNCTION_INFO_V1(revenue_pair_combine);
Datum
revenue_pair_combine(PG_FUNCTION_ARGS)
{
	Numeric		a,
				b;

	rev_pair_read(PG_GETARG_ARRAYTYPE_P(1), &a, &b);
	PG_RETURN_ARRAYTYPE_P(rev_pair_add(PG_GETARG_ARRAYTYPE_P(0), a, b));
}

/* Σ first ÷ Σ second of a numeric[2] state as float8; NULL when Σ second is 0. */
static inline Datum
rev_pair_ratio(FunctionCallInfo fcinfo, bool first_over_second)
{
	Numeric		a,
				b,
				num,
				den;

	rev_pair_read(PG_GETARG_ARRAYTYPE_P(0), &a, &b);
	num = first_over_second ? a : b;
	den = first_over_second ? b : a;
	if (rev_numeric_sign(den) == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rev_numeric_float8(num) / rev_numeric_float8(den));
}

/* Transition function of ltv_cac_ratio(): add one customer's value and cost. */
PG_FUNCTION_INFO_V1(ltv_cac_accum);
Datum
ltv_cac_accum(PG_FUNCTION_ARGS)
{
	Numeric		value = PG_GETARG_NUMERIC(1);
	Numeric		cost = PG_GETARG_NUMERIC(2);

	rev_check_money(value, "customer_value");
	rev_check_money_nonnegative(cost, "acquisition_cost");
	PG_RETURN_ARRAYTYPE_P(rev_pair_add(PG_GETARG_ARRAYTYPE_P(0), value, cost));
}

/* Final function of ltv_cac_ratio(): Σ value ÷ Σ cost. */
PG_FUNCTION_INFO_V1(ltv_cac_final);
Datum
ltv_cac_final(PG_FUNCTION_ARGS)
{
	return rev_pair_ratio(fcinfo, true);
}

/*
 * Shared transition of net_revenue_retention() and gross_revenue_retention():
 * for a customer with start_mrr > 0, add start and end (NRR) or
 * min(start, end) (GRR).  Customers with start 0 (new ones) are skipped.
 */
static inline Datum
retention_accum(FunctionCallInfo fcinfo, bool gross)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P(0);
	Numeric		start = PG_GETARG_NUMERIC(1);
	Numeric		end = PG_GETARG_NUMERIC(2);

	rev_check_mrr(start, "start_mrr");
	rev_check_mrr(end, "end_mrr");
	if (rev_numeric_sign(start) == 0)
		PG_RETURN_ARRAYTYPE_P(state);
	if (gross && rev_numeric_cmp(end, start) > 0)
		end = start;
	PG_RETURN_ARRAYTYPE_P(rev_pair_add(state, start, end));
}

PG_FUNCTION_INFO_V1(nrr_accum);
Datum
nrr_accum(PG_FUNCTION_ARGS)
{
	return retention_accum(fcinfo, false);
}

PG_FUNCTION_INFO_V1(grr_accum);
Datum
grr_accum(PG_FUNCTION_ARGS)
{
	return retention_accum(fcinfo, true);
}

/* Final function of both retention aggregates: Σ end ÷ Σ start. */
PG_FUNCTION_INFO_V1(retention_final);
Datum
retention_final(PG_FUNCTION_ARGS)
{
	return rev_pair_ratio(fcinfo, false);
}

/*
 * mrr_movement(mrr) OVER (PARTITION BY customer ORDER BY month): classify
 * each month against the one before.  NULL MRR counts as 0.  Remembers per
 * partition whether an earlier month was paid, so it reads only the current
 * and the previous row: O(1) per row.
 */
PG_FUNCTION_INFO_V1(mrr_movement);
Datum
mrr_movement(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	MrrMovementState *st;
	int64		pos = WinGetCurrentPosition(winobj);
	Datum		cur_datum;
	Numeric		cur = NULL;
	Numeric		prev = NULL;
	bool		isnull;
	int			cur_sign = 0;
	int			prev_sign = 0;
	bool		ever_paid;
	const char *movement = NULL;

	st = (MrrMovementState *) WinGetPartitionLocalMemory(winobj, sizeof(MrrMovementState));
	if (pos != st->next_pos)
		elog(ERROR, "mrr_movement expected row %lld of its partition, got row %lld",
			 (long long) st->next_pos, (long long) pos);
	st->next_pos = pos + 1;

	cur_datum = WinGetFuncArgCurrent(winobj, 0, &isnull);
	if (!isnull)
	{
		cur = DatumGetNumeric(cur_datum);
		rev_check_mrr(cur, "mrr");
		cur_sign = rev_numeric_sign(cur);
	}

	if (pos > 0)
	{
		Datum		prev_datum;
		bool		isout;

		if (WinRowsArePeers(winobj, pos - 1, pos))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("mrr_movement found rows %lld and %lld of a partition at the same position of the window's ORDER BY",
							(long long) pos, (long long) pos + 1),
					 errdetail("mrr_movement compares each month with the month before, so each partition needs exactly one row per month, in month order."),
					 errhint("Write OVER (PARTITION BY customer ORDER BY month), with one row per customer and month (GROUP BY customer, month).")));
		prev_datum = WinGetFuncArgInPartition(winobj, 0, -1, WINDOW_SEEK_CURRENT,
											  true, &isnull, &isout);
		if (!isnull && !isout)
		{
			prev = DatumGetNumeric(prev_datum);
			prev_sign = rev_numeric_sign(prev);
		}
	}

	ever_paid = st->ever_paid;
	if (cur_sign > 0)
	{
		st->ever_paid = true;
		if (!ever_paid)
			movement = "new";
		else if (prev_sign > 0)
		{
			int			c = rev_numeric_cmp(cur, prev);

			movement = c > 0 ? "expansion" : (c < 0 ? "contraction" : "flat");
		}
		else
			movement = "reactivation";
	}
	else if (prev_sign > 0)
		movement = "churn";

	if (movement == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(movement));
}
