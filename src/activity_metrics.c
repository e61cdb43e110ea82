/*
 * activity_metrics.c
 *		The metrics read out of a user_activity summary: dau_mau,
 *		retention_rate, retention, stickiness, churn_rate,
 *		customer_retention_rate, active_users, first_day and last_day.  Written
 *		against the reading API of activity.h only.  Each honours
 *		pg_kpi.min_group_size (privacy.c) for the users it is computed over.
 */
#include "activity.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/rangetypes.h"
#include "utils/typcache.h"

/* DAU/MAU of a view: mean daily actives over every day of D / all actives. */
static double
act_dau_mau(ActView *v)
{
	ActIter		it;
	int64		pairs = 0;

	act_iter_init(&it, v);
	while (act_iter_next(&it))
		pairs += act_user_count(&it);
	return ((double) pairs / (double) v->ndays) / (double) v->nusers;
}

/*
 * N-day retention of a view; false when no user is old enough, or fewer than
 * pg_kpi.min_group_size are.
 */
static bool
act_retention_rate(ActView *v, int64 n, bool on_or_after, double *result)
{
	ActIter		it;
	int64		eligible = 0,
				retained = 0;

	act_iter_init(&it, v);
	while (act_iter_next(&it))
	{
		int64		target = (int64) act_user_first(&it) + n;

		if (target > v->last_day)
			continue;
		eligible++;
		if (on_or_after)
			retained += act_user_last(&it) >= target ? 1 : 0;
		else
			retained += act_user_active_on(&it, target) ? 1 : 0;
	}
	/* the group is the eligible users (min_group_size) */
	if (eligible == 0 || kpi_group_suppressed(eligible))
		return false;
	*result = (double) retained / (double) eligible;
	return true;
}

/* Parse a retention mode: 'on' or 'on_or_after'. */
static bool
act_parse_mode(text *mode)
{
	char	   *s = text_to_cstring(mode);

	if (strcmp(s, "on") == 0)
		return false;
	if (strcmp(s, "on_or_after") == 0)
		return true;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid retention mode \"%s\"", s),
			 errhint("Valid modes are 'on' and 'on_or_after'.")));
	return false;
}

/* Reject a negative retention day n. */
static inline void
act_check_n(int32 n)
{
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention day n must not be negative, got %d", n)));
}

PG_FUNCTION_INFO_V1(activity_dau_mau);
Datum
activity_dau_mau(PG_FUNCTION_ARGS)
{
	ActView		v;

	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0)
		PG_RETURN_NULL();
	KPI_SUPPRESS_SMALL_GROUP(v.nusers);
	PG_RETURN_FLOAT8(act_dau_mau(&v));
}

/* Final function of the dau_mau(user_id, ts) aggregate. */
PG_FUNCTION_INFO_V1(activity_dau_mau_final);
Datum
activity_dau_mau_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	return activity_dau_mau(fcinfo);
}

PG_FUNCTION_INFO_V1(activity_retention_rate);
Datum
activity_retention_rate(PG_FUNCTION_ARGS)
{
	ActView		v;
	int32		n = PG_GETARG_INT32(1);
	bool		on_or_after = act_parse_mode(PG_GETARG_TEXT_PP(2));
	double		result;

	act_check_n(n);
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0 || !act_retention_rate(&v, n, on_or_after, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* Final function of the retention_rate(user_id, ts, n) aggregate (mode 'on'). */
PG_FUNCTION_INFO_V1(activity_retention_rate_final);
Datum
activity_retention_rate_final(PG_FUNCTION_ARGS)
{
	ActView		v;
	double		result;
	int32		n;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0)
		PG_RETURN_NULL();
	if (v.exp ? !v.exp->has_n : !(v.flat->flags & ACT_FLAG_RETENTION_N))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_rate state does not record n")));
	n = v.exp ? v.exp->retention_n : v.flat->retention_n;
	if (!act_retention_rate(&v, n, false, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* Period arithmetic for retention(): 0 = day, 1 = week, 2 = month. */
typedef enum ActGranularity
{
	ACT_DAY,
	ACT_WEEK,
	ACT_MONTH
} ActGranularity;

static ActGranularity
act_parse_granularity(text *g)
{
	char	   *s = text_to_cstring(g);

	if (strcmp(s, "day") == 0)
		return ACT_DAY;
	if (strcmp(s, "week") == 0)
		return ACT_WEEK;
	if (strcmp(s, "month") == 0)
		return ACT_MONTH;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid retention granularity \"%s\"", s),
			 errhint("Valid granularities are 'day', 'week' and 'month'.")));
	return ACT_DAY;
}

/* Floor division. */
static inline int64
act_floor_div(int64 a, int64 b)
{
	int64		q = a / b;

	if ((a % b) != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Index of the calendar period holding day (2000-01-03 is a Monday). */
static inline int64
act_period_of(ActGranularity g, int32 day)
{
	int			y,
				m,
				d;

	switch (g)
	{
		case ACT_DAY:
			return day;
		case ACT_WEEK:
			return act_floor_div((int64) day - 2, 7);
		default:
			j2date(day + POSTGRES_EPOCH_JDATE, &y, &m, &d);
			return (int64) y * 12 + (m - 1);
	}
}

/* First day of period p. */
static inline int64
act_period_start(ActGranularity g, int64 p)
{
	switch (g)
	{
		case ACT_DAY:
			return p;
		case ACT_WEEK:
			return p * 7 + 2;
		default:
			return (int64) date2j((int) act_floor_div(p, 12),
								  (int) (p - 12 * act_floor_div(p, 12)) + 1, 1)
				- POSTGRES_EPOCH_JDATE;
	}
}

/* retention(s, granularity, periods, mode): the cohort table. */
PG_FUNCTION_INFO_V1(activity_retention);
Datum
activity_retention(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ActGranularity g = act_parse_granularity(PG_GETARG_TEXT_PP(1));
	int32		periods = PG_GETARG_INT32(2);
	bool		on_or_after = act_parse_mode(PG_GETARG_TEXT_PP(3));
	ActView		v;
	ActIter		it;
	int64		p_first,
				p_last,
				ncohorts,
				kmax;
	int64	   *pidx;
	int64	   *size;
	int64	   *retained;

	if (periods < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of periods must not be negative, got %d", periods)));
	InitMaterializedSRF(fcinfo, 0);
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0)
		return (Datum) 0;
	p_first = act_period_of(g, v.first_day);
	p_last = act_period_of(g, v.last_day);
	ncohorts = p_last - p_first + 1;
	kmax = Min((int64) periods, p_last - p_first);
	/* Period index of every day of D, relative to p_first. */
	pidx = act_alloc_array(v.ndays, sizeof(int64), "retention table");
	for (int64 i = 0; i < v.ndays; i++)
	{
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		pidx[i] = act_period_of(g, (int32) (v.first_day + i)) - p_first;
	}
	size = act_alloc_array(ncohorts, sizeof(int64), "retention table");
	if (kmax + 1 > 0 && ncohorts > (int64) (MaxAllocSize / sizeof(int64)) / (kmax + 1))
		act_too_large("retention table");
	retained = act_alloc_array(ncohorts * (kmax + 1), sizeof(int64), "retention table");

	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		int64		off = (int64) act_user_first(&it) - v.first_day;
		int64		ci = pidx[off];
		int64	   *row = retained + ci * (kmax + 1);

		size[ci]++;
		if (on_or_after)
		{
			int64		last = (int64) act_user_last(&it) - v.first_day;
			int64		kl = Min(pidx[last] - ci, kmax);

			/* Retained in periods 0..kl: a difference row, summed below. */
			row[0]++;
			if (kl < kmax)
				row[kl + 1]--;
		}
		else
		{
			int64		prevk = -1;
			ActDays		dc;
			int32		day;

			act_days_init(&dc, &it);
			while (act_days_next(&dc, &day))
			{
				int64		k = pidx[day - v.first_day] - ci;

				if (k > kmax)
					break;
				if (k != prevk)
					row[k]++;
				prevk = k;
			}
		}
	}

	for (int64 ci = 0; ci < ncohorts; ci++)
	{
		if (size[ci] == 0)
			continue;
		if (on_or_after)
			for (int64 k = 1; k <= kmax; k++)
				retained[ci * (kmax + 1) + k] += retained[ci * (kmax + 1) + k - 1];
		for (int64 k = 0; k <= kmax; k++)
		{
			Datum		values[5];
			bool		nulls[5] = {false, false, false, false, false};
			int64		r = retained[ci * (kmax + 1) + k];

			CHECK_FOR_INTERRUPTS();
			/* A period that ends after the last day of D is incomplete. */
			if (act_period_start(g, p_first + ci + k + 1) - 1 > v.last_day)
				break;
			/* A period starting before 4714-11-24 BC is labelled with that day. */
			values[0] = DateADTGetDatum(act_readable_date(act_period_start(g, p_first + ci)));
			values[1] = Int64GetDatum(size[ci]);
			values[2] = Int32GetDatum((int32) k);
			values[3] = Int64GetDatum(r);
			values[4] = Float8GetDatum((double) r / (double) size[ci]);
			/* a cell of a cohort smaller than min_group_size: counts hidden */
			if (kpi_group_suppressed(size[ci]))
				nulls[1] = nulls[3] = nulls[4] = true;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

/* stickiness(s, window_days): per day of D, DAU / users active in the window. */
PG_FUNCTION_INFO_V1(activity_stickiness);
Datum
activity_stickiness(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		window = PG_GETARG_INT32(1);
	ActView		v;
	ActIter		it;
	int64	   *dau;
	int64	   *delta;
	int64		mau = 0;

	if (window < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_days must be at least 1, got %d", window)));
	InitMaterializedSRF(fcinfo, 0);
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0)
		return (Datum) 0;
	dau = act_alloc_array(v.ndays, sizeof(int64), "stickiness table");
	delta = act_alloc_array(v.ndays + 1, sizeof(int64), "stickiness table");

	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		int64		lo = -1,
					hi = -1;
		ActDays		dc;
		int32		day;

		/* Union of [a, a + window - 1] over active days a, clipped to D. */
		act_days_init(&dc, &it);
		while (act_days_next(&dc, &day))
		{
			int64		a = (int64) day - v.first_day;

			dau[a]++;
			if (lo >= 0 && a <= hi + 1)
				hi = a + window - 1;
			else
			{
				if (lo >= 0)
				{
					delta[lo]++;
					delta[Min(hi, v.ndays - 1) + 1]--;
				}
				lo = a;
				hi = a + window - 1;
			}
		}
		delta[lo]++;
		delta[Min(hi, v.ndays - 1) + 1]--;
	}

	for (int64 i = 0; i < v.ndays; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		mau += delta[i];
		values[0] = DateADTGetDatum((DateADT) (v.first_day + i));
		values[1] = Int64GetDatum(dau[i]);
		values[2] = Int64GetDatum(mau);
		if (mau > 0)
			values[3] = Float8GetDatum((double) dau[i] / (double) mau);
		else
			nulls[3] = true;
		/* the day's group: the users active in its window */
		if (kpi_group_suppressed(mau))
			nulls[1] = nulls[2] = nulls[3] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * Inclusive days [*lo, *hi] of a daterange argument.  With allow_open,
 * unbounded or infinite ends are allowed (clipped to int32); otherwise they
 * and empty ranges are errors.  Returns false for an empty range.
 */
bool
act_range_days(Datum d, const char *what, bool allow_open, int64 *lo, int64 *hi)
{
	RangeType  *range = DatumGetRangeTypeP(d);
	TypeCacheEntry *typcache = lookup_type_cache(RangeTypeGetOid(range), TYPECACHE_RANGE_INFO);
	RangeBound	lower,
				upper;
	bool		empty;
	Oid			outfn;
	bool		isvarlena;

	if (typcache->rngelemtype == NULL || typcache->rngelemtype->type_id != DATEOID)
		elog(ERROR, "expected a daterange");
	range_deserialize(typcache, range, &lower, &upper, &empty);
	if (empty && !allow_open)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s period must not be empty", what),
				 errhint("Give a non-empty date range, such as daterange('2026-01-01', '2026-02-01').")));
	if (empty)
		return false;
	if (!allow_open &&
		(lower.infinite || upper.infinite ||
		 DATE_NOT_FINITE(DatumGetDateADT(lower.val)) || DATE_NOT_FINITE(DatumGetDateADT(upper.val))))
	{
		getTypeOutputInfo(RangeTypeGetOid(range), &outfn, &isvarlena);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s period %s is not finite", what, OidOutputFunctionCall(outfn, d)),
				 errhint("Give both ends of the date range, such as daterange('2026-01-01', '2026-02-01').")));
	}
	if (lower.infinite || DATE_IS_NOBEGIN(DatumGetDateADT(lower.val)))
		*lo = PG_INT32_MIN;
	else if (DATE_IS_NOEND(DatumGetDateADT(lower.val)))
		return false;
	else
		*lo = (int64) DatumGetDateADT(lower.val) + (lower.inclusive ? 0 : 1);
	if (upper.infinite || DATE_IS_NOEND(DatumGetDateADT(upper.val)))
		*hi = PG_INT32_MAX;
	else if (DATE_IS_NOBEGIN(DatumGetDateADT(upper.val)))
		return false;
	else
		*hi = (int64) DatumGetDateADT(upper.val) - (upper.inclusive ? 0 : 1);
	return *lo <= *hi;
}

/* Shared body of churn_rate and customer_retention_rate. */
static Datum
act_period_compare(FunctionCallInfo fcinfo, bool crr)
{
	ActView		v;
	ActIter		it;
	int64		plo,
				phi,
				clo,
				chi;
	int64		s = 0,
				both = 0,
				e = 0,
				nnew = 0;

	act_range_days(PG_GETARG_DATUM(1), "previous", false, &plo, &phi);
	act_range_days(PG_GETARG_DATUM(2), "current", false, &clo, &chi);
	act_view(PG_GETARG_DATUM(0), &v);
	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		bool		in_prev = act_user_active(&it, plo, phi);
		bool		in_cur = act_user_active(&it, clo, chi);

		s += in_prev;
		both += in_prev && in_cur;
		e += in_cur;
		nnew += in_cur && act_user_first(&it) >= clo && act_user_first(&it) <= chi;
	}
	if (s == 0)
		PG_RETURN_NULL();
	/* Without history before previous, returning users would look new. */
	if (v.first_day > plo)
	{
		char		first[MAXDATELEN + 1],
					start[MAXDATELEN + 1];
		struct pg_tm tm;

		j2date(v.first_day + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
		EncodeDateOnly(&tm, USE_ISO_DATES, first);
		j2date((int) plo + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
		EncodeDateOnly(&tm, USE_ISO_DATES, start);
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("%s needs activity from before the previous period, but the summary starts on %s",
						crr ? "customer_retention_rate" : "churn_rate", first),
				 errdetail("The previous period starts on %s; the result is NULL rather than a rate computed from missing history.",
						   start),
				 errhint("Build the summary from activity that starts before the previous period, or start previous on or after first_day(summary).")));
		PG_RETURN_NULL();
	}
	KPI_SUPPRESS_SMALL_GROUP(s);
	if (crr)
		PG_RETURN_FLOAT8((double) (e - nnew) / (double) s);
	PG_RETURN_FLOAT8((double) (s - both) / (double) s);
}

PG_FUNCTION_INFO_V1(activity_churn_rate);
Datum
activity_churn_rate(PG_FUNCTION_ARGS)
{
	return act_period_compare(fcinfo, false);
}

PG_FUNCTION_INFO_V1(activity_customer_retention_rate);
Datum
activity_customer_retention_rate(PG_FUNCTION_ARGS)
{
	return act_period_compare(fcinfo, true);
}

/* active_users(s [, during]): users active (in the range). */
PG_FUNCTION_INFO_V1(activity_active_users);
Datum
activity_active_users(PG_FUNCTION_ARGS)
{
	ActView		v;
	ActIter		it;
	int64		lo,
				hi,
				count = 0;

	act_view(PG_GETARG_DATUM(0), &v);
	if (PG_NARGS() == 1)
		count = v.nusers;
	else if (act_range_days(PG_GETARG_DATUM(1), "during", true, &lo, &hi))
	{
		act_iter_init(&it, &v);
		while (act_iter_next(&it))
			count += act_user_active(&it, lo, hi);
	}
	KPI_SUPPRESS_SMALL_GROUP(count);
	PG_RETURN_INT64(count);
}

/* Shared body of first_day and last_day, optionally within a range. */
static Datum
act_edge_day(FunctionCallInfo fcinfo, bool last)
{
	ActView		v;
	ActIter		it;
	int64		lo,
				hi,
				best;
	bool		found = false;

	act_view(PG_GETARG_DATUM(0), &v);
	if (PG_NARGS() == 1)
	{
		KPI_SUPPRESS_SMALL_GROUP(v.nusers);
		PG_RETURN_DATEADT(last ? v.last_day : v.first_day);
	}
	if (!act_range_days(PG_GETARG_DATUM(1), "during", true, &lo, &hi))
		PG_RETURN_NULL();
	lo = Max(lo, (int64) v.first_day);
	hi = Min(hi, (int64) v.last_day);
	if (lo > hi)
		PG_RETURN_NULL();
	if (kpi_min_group_size > 0)
	{
		/* the group: the users active in the range */
		int64		n = 0;

		act_iter_init(&it, &v);
		while (act_iter_next(&it))
			n += act_user_active(&it, lo, hi);
		KPI_SUPPRESS_SMALL_GROUP(n);
	}
	best = last ? lo : hi;
	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		int32		d;

		/* Only a day beyond the best so far matters. */
		if (last)
		{
			if (act_user_last(&it) < best + (found ? 1 : 0))
				continue;
			if (act_user_prev_day(&it, hi, &d) && d >= lo && (!found || d > best))
			{
				best = d;
				found = true;
			}
		}
		else
		{
			if (act_user_first(&it) > best - (found ? 1 : 0))
				continue;
			if (act_user_next_day(&it, lo, &d) && d <= hi && (!found || d < best))
			{
				best = d;
				found = true;
			}
		}
	}
	if (!found)
		PG_RETURN_NULL();
	PG_RETURN_DATEADT((DateADT) best);
}

PG_FUNCTION_INFO_V1(activity_first_day);
Datum
activity_first_day(PG_FUNCTION_ARGS)
{
	return act_edge_day(fcinfo, false);
}

PG_FUNCTION_INFO_V1(activity_last_day);
Datum
activity_last_day(PG_FUNCTION_ARGS)
{
	return act_edge_day(fcinfo, true);
}
