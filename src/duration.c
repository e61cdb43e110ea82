/*
 * duration.c
 *		Interval overloads of the latency family: percentile_latency(interval, p),
 *		latency_percentiles(interval, p[]), latency_agg(interval [, accuracy]) and
 *		percentile_interval()/percentiles_interval() on a latency_sketch.
 *
 *		A duration is stored in the latency_sketch as float8 seconds, converted
 *		the way EXTRACT(epoch FROM interval) does (a month is 30 days, a year
 *		365.25 days, a day 86400 seconds).  Each wrapper rewrites its interval
 *		argument to float8 seconds inside the caller's FunctionCallInfo and
 *		tail-calls the latency entry point, so the aggregate context, the
 *		expanded state and the moving-window state are exactly the latency
 *		family's.  Results go back to intervals as whole microseconds, split
 *		into days of 24 hours and a time part (as timestamptz subtraction
 *		gives them).
 */
#include "pg_kpi.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

/* Latency entry points named in pg_kpi--1.0.sql (exported, stable behaviour). */
extern Datum latency_accum(PG_FUNCTION_ARGS);
extern Datum latency_accum_alpha(PG_FUNCTION_ARGS);
extern Datum latency_accum_p(PG_FUNCTION_ARGS);
extern Datum latency_accum_parr(PG_FUNCTION_ARGS);
extern Datum latency_percentile_final(PG_FUNCTION_ARGS);
extern Datum latency_percentiles_final(PG_FUNCTION_ARGS);
extern Datum latency_mcollect_p(PG_FUNCTION_ARGS);
extern Datum latency_mcollect_parr(PG_FUNCTION_ARGS);
extern Datum latency_mdiscard(PG_FUNCTION_ARGS);
extern Datum latency_mfinal_p(PG_FUNCTION_ARGS);
extern Datum latency_mfinal_parr(PG_FUNCTION_ARGS);
extern Datum latency_sketch_percentile(PG_FUNCTION_ARGS);
extern Datum latency_sketch_percentiles(PG_FUNCTION_ARGS);

/*
 * Seconds in an interval, as EXTRACT(epoch FROM interval) counts them: the
 * exact number of microseconds divided once by 1e6 (so the result is the
 * float8 nearest to EXTRACT's numeric whenever it fits in 2^53 microseconds,
 * about 285 years).  A negative duration is an error.
 */
static double
duration_seconds(const Interval *iv)
{
	int64		usecs;
	int64		days_usecs;
	double		secs;

	if (!pg_mul_s64_overflow((int64) (iv->month / MONTHS_PER_YEAR),
							 (int64) (DAYS_PER_YEAR * SECS_PER_DAY) * USECS_PER_SEC, &usecs) &&
		!pg_mul_s64_overflow((int64) (iv->month % MONTHS_PER_YEAR) * DAYS_PER_MONTH + iv->day,
							 USECS_PER_DAY, &days_usecs) &&
		!pg_add_s64_overflow(usecs, days_usecs, &usecs) &&
		!pg_add_s64_overflow(usecs, iv->time, &usecs))
		secs = (double) usecs / USECS_PER_SEC;
	else
		secs = (double) iv->time / USECS_PER_SEC +
			((double) DAYS_PER_YEAR * (iv->month / MONTHS_PER_YEAR) +
			 (double) DAYS_PER_MONTH * (iv->month % MONTHS_PER_YEAR) +
			 (double) iv->day) * SECS_PER_DAY;
	if (secs < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("duration %s is negative",
						DatumGetCString(DirectFunctionCall1(interval_out,
															PointerGetDatum(iv)))),
				 errdetail("Durations must be zero or positive."),
				 errhint("Subtract the earlier time from the later one, e.g. resolved_at - opened_at.")));
	return secs;
}

/* An interval of secs seconds, rounded to microseconds: days of 24 hours and a time part. */
static Interval *
duration_interval(double secs)
{
	Interval   *iv = palloc(sizeof(Interval));
	double		usecs = rint(secs * USECS_PER_SEC);
	int64		total;

	if (isnan(usecs) || usecs < 0.0 || usecs >= (double) PG_INT64_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("interval out of range"),
				 errdetail("A duration of %g seconds cannot be represented as an interval.", secs)));
	total = (int64) usecs;
	iv->month = 0;
	iv->day = (int32) (total / USECS_PER_DAY);
	iv->time = total % USECS_PER_DAY;
	return iv;
}

/* Replace interval argument argno by its float8 seconds in place (NULL stays NULL). */
static inline void
duration_arg_to_seconds(FunctionCallInfo fcinfo, int argno)
{
	if (!PG_ARGISNULL(argno))
		fcinfo->args[argno].value =
			Float8GetDatum(duration_seconds(PG_GETARG_INTERVAL_P(argno)));
}

/* A float8 result (possibly NULL) of a latency function as an interval. */
static Datum
duration_result(FunctionCallInfo fcinfo, Datum secs)
{
	if (fcinfo->isnull)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(duration_interval(DatumGetFloat8(secs)));
}

/* A float8[] result (possibly NULL) of a latency function as an interval[]. */
static Datum
duration_array_result(FunctionCallInfo fcinfo, Datum arr)
{
	ArrayType  *a;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			dims[1];
	int			lbs[1] = {1};

	if (fcinfo->isnull)
		PG_RETURN_NULL();
	a = DatumGetArrayTypeP(arr);
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	if (n == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(INTERVALOID));
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			elems[i] = IntervalPGetDatum(duration_interval(DatumGetFloat8(elems[i])));
	dims[0] = n;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, 1, dims, lbs, INTERVALOID,
											 sizeof(Interval), false, TYPALIGN_DOUBLE));
}

/* Transition function of latency_agg(interval). */
PG_FUNCTION_INFO_V1(duration_accum);
Datum
duration_accum(PG_FUNCTION_ARGS)
{
	duration_arg_to_seconds(fcinfo, 1);
	return latency_accum(fcinfo);
}

/* Transition function of latency_agg(interval, relative_accuracy). */
PG_FUNCTION_INFO_V1(duration_accum_alpha);
Datum
duration_accum_alpha(PG_FUNCTION_ARGS)
{
	duration_arg_to_seconds(fcinfo, 1);
	return latency_accum_alpha(fcinfo);
}

/* Transition function of percentile_latency(interval, p). */
PG_FUNCTION_INFO_V1(duration_accum_p);
Datum
duration_accum_p(PG_FUNCTION_ARGS)
{
	duration_arg_to_seconds(fcinfo, 1);
	return latency_accum_p(fcinfo);
}

/* Transition function of latency_percentiles(interval, p[]). */
PG_FUNCTION_INFO_V1(duration_accum_parr);
Datum
duration_accum_parr(PG_FUNCTION_ARGS)
{
	duration_arg_to_seconds(fcinfo, 1);
	return latency_accum_parr(fcinfo);
}

/* Final function of percentile_latency(interval, p): the percentile as an interval. */
PG_FUNCTION_INFO_V1(duration_percentile_final);
Datum
duration_percentile_final(PG_FUNCTION_ARGS)
{
	Datum		secs = latency_percentile_final(fcinfo);

	return duration_result(fcinfo, secs);
}

/* Final function of latency_percentiles(interval, p[]): interval[]. */
PG_FUNCTION_INFO_V1(duration_percentiles_final);
Datum
duration_percentiles_final(PG_FUNCTION_ARGS)
{
	Datum		arr = latency_percentiles_final(fcinfo);

	return duration_array_result(fcinfo, arr);
}

/* Moving transition function of percentile_latency(interval, p). */
PG_FUNCTION_INFO_V1(duration_mcollect_p);
Datum
duration_mcollect_p(PG_FUNCTION_ARGS)
{
	duration_arg_to_seconds(fcinfo, 1);
	return latency_mcollect_p(fcinfo);
}

/* Moving transition function of latency_percentiles(interval, p[]). */
PG_FUNCTION_INFO_V1(duration_mcollect_parr);
Datum
duration_mcollect_parr(PG_FUNCTION_ARGS)
{
	duration_arg_to_seconds(fcinfo, 1);
	return latency_mcollect_parr(fcinfo);
}

/* Inverse moving transition of both interval forms. */
PG_FUNCTION_INFO_V1(duration_mdiscard);
Datum
duration_mdiscard(PG_FUNCTION_ARGS)
{
	duration_arg_to_seconds(fcinfo, 1);
	return latency_mdiscard(fcinfo);
}

/* Moving final function of percentile_latency(interval, p). */
PG_FUNCTION_INFO_V1(duration_mfinal_p);
Datum
duration_mfinal_p(PG_FUNCTION_ARGS)
{
	Datum		secs = latency_mfinal_p(fcinfo);

	return duration_result(fcinfo, secs);
}

/* Moving final function of latency_percentiles(interval, p[]). */
PG_FUNCTION_INFO_V1(duration_mfinal_parr);
Datum
duration_mfinal_parr(PG_FUNCTION_ARGS)
{
	Datum		arr = latency_mfinal_parr(fcinfo);

	return duration_array_result(fcinfo, arr);
}

/* percentile_interval(sketch, p): percentile p of a sketch of durations, as an interval. */
PG_FUNCTION_INFO_V1(duration_sketch_percentile);
Datum
duration_sketch_percentile(PG_FUNCTION_ARGS)
{
	Datum		secs = latency_sketch_percentile(fcinfo);

	return duration_result(fcinfo, secs);
}

/* percentiles_interval(sketch, p[]): several percentiles of a sketch of durations. */
PG_FUNCTION_INFO_V1(duration_sketch_percentiles);
Datum
duration_sketch_percentiles(PG_FUNCTION_ARGS)
{
	Datum		arr = latency_sketch_percentiles(fcinfo);

	return duration_array_result(fcinfo, arr);
}
