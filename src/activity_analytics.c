/*
 * activity_analytics.c
 *		Product-analytics views of a user_activity summary, the way PostHog,
 *		Amplitude and Mixpanel define them: retention() with its options
 *		(first or recurring cohorts, Monday or Sunday weeks, calendar or
 *		rolling windows, custom day brackets, a reporting date and incomplete
 *		periods), lifecycle(), activity_frequency(), the calendar
 *		dau_mau(s, during), and the segment operations activity_intersect(),
 *		activity_except() and overlap_users().
 *
 * Everything here reads summaries only through the stable API of
 * activity.h (act_view / act_iter / act_days), so the storage underneath
 * can change without touching this file.  The metrics honour
 * pg_kpi.min_group_size (privacy.c), so they are STABLE.
 */
#include "activity.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"

/* ---------- calendar periods ---------- */

typedef enum AnGranularity
{
	AN_DAY,
	AN_WEEK,
	AN_MONTH
} AnGranularity;

/* A period calendar: granularity plus the first day of the week. */
typedef struct AnCalendar
{
	AnGranularity g;
	bool		sunday;			/* weeks start on Sunday (else Monday, ISO) */
} AnCalendar;

/* Parse 'day', 'week' or 'month' (the same words and errors as retention() in 1.0). */
static AnGranularity
an_parse_granularity(text *t, const char *what)
{
	char	   *s = text_to_cstring(t);

	if (strcmp(s, "day") == 0)
		return AN_DAY;
	if (strcmp(s, "week") == 0)
		return AN_WEEK;
	if (strcmp(s, "month") == 0)
		return AN_MONTH;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s granularity \"%s\"", what, s),
			 errhint("Valid granularities are 'day', 'week' and 'month'.")));
	return AN_DAY;
}

/* Floor division. */
static inline int64
an_floor_div(int64 a, int64 b)
{
	int64		q = a / b;

	if ((a % b) != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Index of the period holding day (2000-01-02 is a Sunday, 2000-01-03 a Monday). */
static int64
an_period_of(const AnCalendar *cal, int64 day)
{
	int			y,
				m,
				d;

	switch (cal->g)
	{
		case AN_DAY:
			return day;
		case AN_WEEK:
			return an_floor_div(day - (cal->sunday ? 1 : 2), 7);
		default:
			j2date((int) (day + POSTGRES_EPOCH_JDATE), &y, &m, &d);
			return (int64) y * 12 + (m - 1);
	}
}

/* First day of period p. */
static int64
an_period_start(const AnCalendar *cal, int64 p)
{
	switch (cal->g)
	{
		case AN_DAY:
			return p;
		case AN_WEEK:
			return p * 7 + (cal->sunday ? 1 : 2);
		default:
			return (int64) date2j((int) an_floor_div(p, 12),
								  (int) (p - 12 * an_floor_div(p, 12)) + 1, 1)
				- POSTGRES_EPOCH_JDATE;
	}
}

/*
 * The date labelling a period that starts on day: a first period starting
 * before 4714-11-24 BC (the first valid date) is labelled with that day.
 */
static inline Datum
an_period_label(int64 day)
{
	return DateADTGetDatum((DateADT) Max(day, (int64) (DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE)));
}

/* A finite date argument (as_of), or an error naming the parameter. */
static int32
an_finite_date(Datum d, const char *what)
{
	DateADT		day = DatumGetDateADT(d);

	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite date", what),
				 errhint("Give a calendar date such as '2026-06-30'.")));
	return (int32) day;
}

/*
 * Period index (relative to base) of every day of [first, last]: a table
 * the per-day loops read instead of calling j2date.
 */
static int32 *
an_period_table(const AnCalendar *cal, int32 first, int32 last, int64 base)
{
	int64		n = (int64) last - first + 1;
	int32	   *t = act_alloc_array(n, sizeof(int32), "period table");

	for (int64 i = 0; i < n; i++)
	{
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		t[i] = (int32) (an_period_of(cal, first + i) - base);
	}
	return t;
}

/* A growable per-user scratch array of int32. */
typedef struct AnBuf
{
	int32	   *v;
	int64		n;
	int64		cap;
} AnBuf;

static inline void
an_buf_push(AnBuf *b, int32 x)
{
	if (b->n == b->cap)
	{
		int64		cap = Max(b->cap * 2, 64);

		if ((Size) cap * sizeof(int32) > MaxAllocSize)
			act_too_large("per-user day list");
		b->v = b->v ? repalloc(b->v, cap * sizeof(int32)) : palloc(cap * sizeof(int32));
		b->cap = cap;
	}
	b->v[b->n++] = x;
}

/* ---------- retention() with options ---------- */

/*
 * The options of retention(), parsed in one place.  Arguments, in order:
 * 0 summary, 1 granularity, 2 periods, 3 mode, 4 cohort, 5 week_start,
 * 6 calendar, 7 brackets, 8 as_of, 9 include_incomplete.  New options are
 * appended (with defaults) after the last one.
 */
typedef struct AnRetentionOptions
{
	AnCalendar	cal;
	int32		periods;
	bool		on_or_after;
	bool		recurring;
	bool		calendar;		/* calendar periods (else rolling windows) */
	int			nbrackets;		/* > 0: custom day brackets (rolling) */
	int32	   *brackets;
	bool		has_as_of;
	int32		as_of;
	bool		include_incomplete;
	bool		dp;				/* 10 epsilon given: a differentially private table */
	double		epsilon;
} AnRetentionOptions;

#define AN_RET_NARGS 10			/* the options; epsilon (privacy.c) follows them */
#define AN_MAX_BRACKET 100000

/* Parse a text option against a list of words; returns the index. */
static int
an_parse_word(text *t, const char *what, const char *const *words, const char *hint)
{
	char	   *s = text_to_cstring(t);

	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s \"%s\"", what, s),
			 errhint("%s", hint)));
	return 0;
}

/* Read and check the brackets array: strictly increasing day offsets >= 1. */
static void
an_parse_brackets(ArrayType *arr, AnRetentionOptions *o)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("brackets must be a one-dimensional array")));
	deconstruct_array(arr, INT4OID, sizeof(int32), true, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("brackets must not be empty"),
				 errhint("Give day offsets such as '{1,7,14,30}', or leave brackets NULL.")));
	o->brackets = palloc(sizeof(int32) * n);
	for (int i = 0; i < n; i++)
	{
		int32		b;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("brackets must not contain NULL")));
		b = DatumGetInt32(elems[i]);
		if (b < 1 || b > AN_MAX_BRACKET)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("bracket %d is out of range", b),
					 errdetail("Brackets are day offsets after the cohort day, from 1 to %d.",
							   AN_MAX_BRACKET)));
		if (i > 0 && b <= o->brackets[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("brackets must be strictly increasing, got %d after %d",
							b, o->brackets[i - 1])));
		o->brackets[i] = b;
	}
	o->nbrackets = n;
}

/*
 * Parse every option; returns false when a required option is NULL (the
 * function then returns no rows, as the STRICT 1.0 retention() did).
 */
static bool
an_retention_options(FunctionCallInfo fcinfo, AnRetentionOptions *o)
{
	static const char *const modes[] = {"on", "on_or_after", NULL};
	static const char *const cohorts[] = {"first", "recurring", NULL};
	static const char *const weeks[] = {"monday", "sunday", NULL};

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < AN_RET_NARGS; i++)
		if (i != 7 && i != 8 && PG_ARGISNULL(i))
			return false;
	o->cal.g = an_parse_granularity(PG_GETARG_TEXT_PP(1), "retention");
	o->periods = PG_GETARG_INT32(2);
	if (o->periods < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of periods must not be negative, got %d", o->periods)));
	o->on_or_after = an_parse_word(PG_GETARG_TEXT_PP(3), "retention mode", modes,
								   "Valid modes are 'on' and 'on_or_after'.") == 1;
	o->recurring = an_parse_word(PG_GETARG_TEXT_PP(4), "retention cohort", cohorts,
								 "Valid cohorts are 'first' and 'recurring'.") == 1;
	o->cal.sunday = an_parse_word(PG_GETARG_TEXT_PP(5), "week_start", weeks,
								  "Valid values are 'monday' and 'sunday'.") == 1;
	o->calendar = PG_GETARG_BOOL(6);
	if (!PG_ARGISNULL(7))
	{
		an_parse_brackets(PG_GETARG_ARRAYTYPE_P(7), o);
		o->calendar = false;
	}
	if (!PG_ARGISNULL(8))
	{
		o->has_as_of = true;
		o->as_of = an_finite_date(PG_GETARG_DATUM(8), "as_of");
	}
	o->include_incomplete = PG_GETARG_BOOL(9);
	if (PG_NARGS() > AN_RET_NARGS && !PG_ARGISNULL(AN_RET_NARGS))
	{
		o->dp = true;
		o->epsilon = PG_GETARG_FLOAT8(AN_RET_NARGS);
		kpi_dp_check_epsilon(o->epsilon);
		if (o->recurring)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("epsilon is not supported with cohort 'recurring'"),
					 errdetail("A user belongs to many recurring cohorts, so the noise would have to grow with their number."),
					 errhint("Use cohort => 'first' for a differentially private retention table.")));
	}
	return true;
}

/* Rolling windows: the first and last day offset of period k after the cohort day. */
static inline void
an_window(const AnRetentionOptions *o, int64 k, int64 *lo, int64 *hi)
{
	int64		len;

	if (o->nbrackets > 0)
	{
		if (k == 0)
			*lo = *hi = 0;
		else
		{
			*lo = o->brackets[k - 1];
			*hi = (int64) o->brackets[k] - 1;
		}
		return;
	}
	len = o->cal.g == AN_DAY ? 1 : o->cal.g == AN_WEEK ? 7 : 30;
	*lo = k * len;
	*hi = k * len + len - 1;
}

/*
 * retention(s, granularity, periods, mode, cohort, week_start, calendar,
 * brackets, as_of, include_incomplete): the cohort table.
 */
PG_FUNCTION_INFO_V1(activity_retention_options);
Datum
activity_retention_options(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AnRetentionOptions o;
	ActView		v;
	ActIter		it;
	AnBuf		days = {0},
				pers = {0};
	int64		kmax,
				p_lo,
				p_asof,
				ncohorts,
				maxoff = 0;
	int32	   *pidx;
	int32	   *bucket = NULL;	/* rolling: period of each day offset, -1 none */
	int64	   *size;
	int64	   *retained;
	int64	   *wlo;			/* rolling: first offset of each period */
	int32		as_of;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || !an_retention_options(fcinfo, &o))
		return (Datum) 0;
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0)
		return (Datum) 0;

	kmax = o.nbrackets > 0 ? o.nbrackets - 1 : o.periods;
	as_of = o.has_as_of ? o.as_of : v.last_day;
	p_asof = an_period_of(&o.cal, as_of);
	p_lo = an_period_of(&o.cal, v.first_day);
	/* With a reporting date, the grid always holds the last kmax + 1 cohorts. */
	if (o.has_as_of)
		p_lo = Min(p_lo, p_asof - kmax);
	if (p_asof < p_lo)
		return (Datum) 0;
	ncohorts = p_asof - p_lo + 1;
	if (ncohorts > (int64) (MaxAllocSize / sizeof(int64)) / (kmax + 1))
		act_too_large("retention table");
	size = act_alloc_array(ncohorts, sizeof(int64), "retention table");
	retained = act_alloc_array(ncohorts * (kmax + 1), sizeof(int64), "retention table");
	pidx = an_period_table(&o.cal, v.first_day, v.last_day, p_lo);

	/* Rolling windows: the period of each day offset after the cohort day. */
	wlo = act_alloc_array(kmax + 1, sizeof(int64), "retention table");
	for (int64 k = 0; k <= kmax; k++)
	{
		int64		hi;

		an_window(&o, k, &wlo[k], &hi);
		if (!o.calendar)
			maxoff = Min(hi, v.ndays - 1);
	}
	if (!o.calendar)
	{
		bucket = act_alloc_array(maxoff + 1, sizeof(int32), "retention table");
		for (int64 off = 0; off <= maxoff; off++)
			bucket[off] = -1;
		for (int64 k = 0; k <= kmax; k++)
		{
			int64		lo,
						hi;

			an_window(&o, k, &lo, &hi);
			for (int64 off = lo; off <= Min(hi, maxoff); off++)
				bucket[off] = (int32) k;
		}
	}

	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		ActDays		dc;
		int32		d;
		int64		first_p = pidx[act_user_first(&it) - v.first_day];
		int64		last_p = pidx[act_user_last(&it) - v.first_day];

		if (first_p > p_asof - p_lo)
			continue;			/* the user's first cohort is after as_of */
		days.n = 0;
		pers.n = 0;
		/* The user's active days and distinct periods, in order. */
		act_days_init(&dc, &it);
		while (act_days_next(&dc, &d))
		{
			int32		p = pidx[d - v.first_day];

			if (o.calendar && !o.recurring && !o.on_or_after && p - first_p > kmax)
				break;			/* nothing further counts */
			an_buf_push(&days, d);
			if (pers.n == 0 || pers.v[pers.n - 1] != p)
				an_buf_push(&pers, p);
		}

		for (int64 ci = 0; ci < pers.n; ci++)
		{
			int64		c = pers.v[ci];
			int64	   *row;

			if (c > p_asof - p_lo)
				break;
			if (ci > 0 && !o.recurring)
				break;
			row = retained + c * (kmax + 1);
			size[c]++;
			if (o.calendar)
			{
				if (o.on_or_after)
				{
					int64		kl = Min(last_p - c, kmax);

					for (int64 k = 0; k <= kl; k++)
						row[k]++;
				}
				else
				{
					for (int64 cj = ci; cj < pers.n && pers.v[cj] - c <= kmax; cj++)
						row[pers.v[cj] - c]++;
				}
			}
			else
			{
				/* Rolling windows from the user's first day in cohort period c. */
				int64		di;
				int32		anchor;

				for (di = 0; pidx[days.v[di] - v.first_day] != c; di++)
					;
				anchor = days.v[di];
				if (o.on_or_after)
				{
					int64		lastoff = (int64) act_user_last(&it) - anchor;

					for (int64 k = 0; k <= kmax && wlo[k] <= lastoff; k++)
						row[k]++;
				}
				else
				{
					int32		prevk = -1;

					for (; di < days.n; di++)
					{
						int64		off = (int64) days.v[di] - anchor;
						int32		k;

						if (off > maxoff)
							break;
						k = bucket[off];
						if (k >= 0 && k != prevk)
						{
							row[k]++;
							prevk = k;
						}
					}
				}
			}
		}
	}

	/*
	 * With epsilon (privacy.c, issue 13 §2): each released count gets discrete
	 * Laplace noise of scale (kmax + 2) / epsilon.  A user (the unit of
	 * privacy) is in one cohort and adds 1 to its size and at most 1 to each of
	 * its kmax + 1 cells, so the whole table is epsilon-DP.  The noisy size is
	 * drawn once per cohort, the rate computed from the clamped noisy counts.
	 */
	for (int64 c = 0; c < ncohorts; c++)
	{
		int64		cstart = an_period_start(&o.cal, p_lo + c);
		int64		cend = an_period_start(&o.cal, p_lo + c + 1) - 1;
		int64		csize = size[c];

		CHECK_FOR_INTERRUPTS();
		if (o.dp)
			csize = kpi_dp_clamp0(kpi_dp_noisy_count(size[c], o.epsilon, (double) (kmax + 2)));
		for (int64 k = 0; k <= kmax; k++)
		{
			Datum		values[6];
			bool		nulls[6] = {false, false, false, false, false, false};
			int64		s,
						e,
						r = retained[c * (kmax + 1) + k];
			bool		complete;

			if (o.calendar)
			{
				s = an_period_start(&o.cal, p_lo + c + k);
				e = an_period_start(&o.cal, p_lo + c + k + 1) - 1;
			}
			else
			{
				int64		lo,
							hi;

				an_window(&o, k, &lo, &hi);
				s = cstart + lo;
				e = cend + hi;	/* the cohort's last user's window */
			}
			complete = e <= as_of;
			if (!complete && !(o.include_incomplete && s <= as_of))
				break;
			if (o.dp)
				r = kpi_dp_clamp0(kpi_dp_noisy_count(r, o.epsilon, (double) (kmax + 2)));
			values[0] = an_period_label(cstart);
			values[1] = Int64GetDatum(csize);
			values[2] = Int32GetDatum((int32) k);
			values[3] = Int64GetDatum(r);
			if (csize > 0)
				values[4] = Float8GetDatum(Min(1.0, (double) r / (double) csize));
			else
				nulls[4] = true;
			values[5] = BoolGetDatum(!complete);
			/* a cohort smaller than min_group_size: counts hidden (privacy.c) */
			if (kpi_group_suppressed(csize))
				nulls[1] = nulls[3] = nulls[4] = true;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

/* ---------- lifecycle() ---------- */

/* The period range [first period, as_of period] of a lifecycle-style table. */
static bool
an_period_range(FunctionCallInfo fcinfo, ActView *v, const AnCalendar *cal, int argno,
				int64 *p_first, int64 *p_last)
{
	int32		as_of = v->last_day;

	if (PG_NARGS() > argno && !PG_ARGISNULL(argno))
		as_of = an_finite_date(PG_GETARG_DATUM(argno), "as_of");
	*p_first = an_period_of(cal, v->first_day);
	*p_last = an_period_of(cal, as_of);
	if (*p_last - *p_first + 1 > (int64) (MaxAllocSize / (32 * sizeof(int64))))
		act_too_large("period table");
	return *p_last >= *p_first;
}

/*
 * lifecycle(s, granularity, as_of): per period, new, returning,
 * resurrecting and dormant users and the quick ratio.
 */
PG_FUNCTION_INFO_V1(activity_lifecycle);
Datum
activity_lifecycle(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AnCalendar	cal = {AN_WEEK, false};
	ActView		v;
	ActIter		it;
	int64		p_first,
				p_last,
				np;
	int32	   *pidx;
	int64	   *cnt;			/* np rows of new, returning, resurrecting, dormant */

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		return (Datum) 0;
	cal.g = an_parse_granularity(PG_GETARG_TEXT_PP(1), "lifecycle");
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0 || !an_period_range(fcinfo, &v, &cal, 2, &p_first, &p_last))
		return (Datum) 0;
	np = p_last - p_first + 1;
	cnt = act_alloc_array(np * 4, sizeof(int64), "lifecycle table");
	pidx = an_period_table(&cal, v.first_day, v.last_day, p_first);

	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		ActDays		dc;
		int32		d;
		int64		prev = -1;

		act_days_init(&dc, &it);
		while (act_days_next(&dc, &d))
		{
			int64		p = pidx[d - v.first_day];

			if (p >= np)
				break;
			if (p == prev)
				continue;
			if (prev < 0)
				cnt[p * 4 + 0]++;	/* new */
			else if (p == prev + 1)
				cnt[p * 4 + 1]++;	/* returning */
			else
			{
				cnt[p * 4 + 2]++;	/* resurrecting */
				cnt[(prev + 1) * 4 + 3]++;	/* dormant after prev */
			}
			prev = p;
		}
		if (prev >= 0 && prev + 1 < np)
			cnt[(prev + 1) * 4 + 3]++;	/* dormant after the last active period */
	}

	for (int64 p = 0; p < np; p++)
	{
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};
		int64	   *c = cnt + p * 4;

		CHECK_FOR_INTERRUPTS();
		values[0] = an_period_label(an_period_start(&cal, p_first + p));
		for (int i = 0; i < 4; i++)
			values[1 + i] = Int64GetDatum(c[i]);
		if (c[3] > 0)
			values[5] = Float8GetDatum((double) (c[0] + c[2]) / (double) c[3]);
		else
			nulls[5] = true;
		/* the group: users active in this or the previous period */
		if (kpi_group_suppressed(c[0] + c[1] + c[2] + c[3]))
			for (int i = 1; i < 6; i++)
				nulls[i] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---------- activity_frequency() ---------- */

/*
 * activity_frequency(s, granularity, as_of): per period and k = 1..days in
 * the period, the users active on exactly k days of it.
 */
PG_FUNCTION_INFO_V1(activity_frequency);
Datum
activity_frequency(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AnCalendar	cal = {AN_MONTH, false};
	ActView		v;
	ActIter		it;
	int64		p_first,
				p_last,
				np;
	int32	   *pidx;
	int64	   *cnt;			/* np rows of 32 counters: index k = days */

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		return (Datum) 0;
	cal.g = an_parse_granularity(PG_GETARG_TEXT_PP(1), "activity_frequency");
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0 || !an_period_range(fcinfo, &v, &cal, 2, &p_first, &p_last))
		return (Datum) 0;
	np = p_last - p_first + 1;
	cnt = act_alloc_array(np * 32, sizeof(int64), "activity_frequency table");
	pidx = an_period_table(&cal, v.first_day, v.last_day, p_first);

	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		ActDays		dc;
		int32		d;
		int64		cur = -1;
		int			k = 0;

		act_days_init(&dc, &it);
		while (act_days_next(&dc, &d))
		{
			int64		p = pidx[d - v.first_day];

			if (p >= np)
				break;
			if (p != cur)
			{
				if (cur >= 0)
					cnt[cur * 32 + k]++;
				cur = p;
				k = 0;
			}
			k++;
		}
		if (cur >= 0)
			cnt[cur * 32 + k]++;
	}

	for (int64 p = 0; p < np; p++)
	{
		int64		len = an_period_start(&cal, p_first + p + 1) - an_period_start(&cal, p_first + p);
		int64		active = 0;

		CHECK_FOR_INTERRUPTS();
		for (int k = 1; k <= len; k++)
			active += cnt[p * 32 + k];
		for (int k = 1; k <= len; k++)
		{
			Datum		values[3];
			bool		nulls[3] = {false, false, false};

			values[0] = an_period_label(an_period_start(&cal, p_first + p));
			values[1] = Int32GetDatum(k);
			values[2] = Int64GetDatum(cnt[p * 32 + k]);
			/* the group: users active in the period */
			nulls[2] = kpi_group_suppressed(active);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

/* ---------- calendar dau_mau(s, during) ---------- */

/*
 * dau_mau(s, during): the mean DAU over every calendar day of during (days
 * without activity count as zero) / the users active in during.
 */
PG_FUNCTION_INFO_V1(activity_dau_mau_during);
Datum
activity_dau_mau_during(PG_FUNCTION_ARGS)
{
	ActView		v;
	ActIter		it;
	int64		lo,
				hi,
				pairs = 0,
				users = 0;

	act_range_days(PG_GETARG_DATUM(1), "during", false, &lo, &hi);
	act_view(PG_GETARG_DATUM(0), &v);
	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		int32		d;
		int64		n = 0;
		int64		from = lo;

		while (act_user_next_day(&it, from, &d) && d <= hi)
		{
			n++;
			from = (int64) d + 1;
		}
		pairs += n;
		users += n > 0;
	}
	if (users == 0)
		PG_RETURN_NULL();
	KPI_SUPPRESS_SMALL_GROUP(users);
	PG_RETURN_FLOAT8(((double) pairs / (double) (hi - lo + 1)) / (double) users);
}

/* ---------- segment overlap ---------- */

/*
 * Walk two summaries in key order.  mode 0: count common users; 1: build
 * the users of a also in b; 2: build the users of a not in b (days from a).
 */
static Datum
an_segment(FunctionCallInfo fcinfo, int mode)
{
	ActView		va,
				vb;
	ActIter		ia,
				ib;
	bool		more_a,
				more_b;
	int64		common = 0;
	ActExpanded *e = NULL;
	bool		any = false;

	act_view_sorted(PG_GETARG_DATUM(0), &va);
	act_view_sorted(PG_GETARG_DATUM(1), &vb);
	if (mode != 0)
		e = act_expanded_new(CurrentMemoryContext, 0);
	act_iter_init(&ia, &va);
	act_iter_init(&ib, &vb);
	more_a = act_iter_next(&ia);
	more_b = act_iter_next(&ib);
	while (more_a)
	{
		bool		in_b;

		while (more_b && act_user_key(&ib) < act_user_key(&ia))
			more_b = act_iter_next(&ib);
		in_b = more_b && act_user_key(&ib) == act_user_key(&ia);
		common += in_b;
		if (mode != 0 && in_b == (mode == 1))
		{
			ActDays		dc;
			int32		d;

			act_days_init(&dc, &ia);
			while (act_days_next(&dc, &d))
				act_expanded_add(e, act_user_key(&ia), d);
			any = true;
		}
		more_a = act_iter_next(&ia);
	}
	if (mode == 0)
	{
		KPI_SUPPRESS_SMALL_GROUP(common);
		PG_RETURN_INT64(common);
	}
	if (!any)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(act_expanded_flatten(e));
}

/* overlap_users(a, b): users active in both summaries. */
PG_FUNCTION_INFO_V1(activity_overlap_users);
Datum
activity_overlap_users(PG_FUNCTION_ARGS)
{
	return an_segment(fcinfo, 0);
}

/* activity_intersect(a, b): the users of a also in b, with their days from a. */
PG_FUNCTION_INFO_V1(activity_intersect);
Datum
activity_intersect(PG_FUNCTION_ARGS)
{
	return an_segment(fcinfo, 1);
}

/* activity_except(a, b): the users of a not in b, with their days from a. */
PG_FUNCTION_INFO_V1(activity_except);
Datum
activity_except(PG_FUNCTION_ARGS)
{
	return an_segment(fcinfo, 2);
}
