/*
 * catalogue.c
 *		KPIs of the guides' catalogue whose SQL recipe is easy to get wrong:
 *		repeat_query_rate(user, query, ts [, within]) and
 *		sessions_per_user(user, ts, idle).
 *
 *		Both keep every event as a (user hash, query hash, time) triple in a
 *		bytea state: a plain SQL type, so the aggregates run in parallel plans
 *		and on Citus (bytea's text form round-trips), while inside an
 *		aggregate the state is an expanded object that grows in place.  The
 *		final functions sort the triples and scan them once.  User ids and
 *		queries are hashed to 64 bits (hash_bytes_extended), as text user ids
 *		are in the activity family: with n distinct values, the chance that any
 *		two collide is about n^2 / 2^65.
 *
 *		State layout: version byte, kind byte (1 repeat queries, 2 sessions),
 *		int64 window in microseconds, then 24-byte triples in host byte order
 *		(states are never stored: the final functions read them back in the
 *		same build).
 */
#include "pg_kpi.h"

#include "common/hashfn.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/expandeddatum.h"
#include "utils/timestamp.h"

#define CAT_REPEATS		1
#define CAT_SESSIONS	2
#define CAT_HEADER		10		/* version, kind, window */

typedef struct CatEvent
{
	uint64		user;
	uint64		query;
	int64		ts;
} CatEvent;

typedef struct CatExpanded
{
	ExpandedObjectHeader hdr;
	int			kind;
	int64		window;
	CatEvent   *ev;
	int64		n;
	int64		cap;
} CatExpanded;

static Size
cat_get_flat_size(ExpandedObjectHeader *eohptr)
{
	CatExpanded *e = (CatExpanded *) eohptr;

	return VARHDRSZ + CAT_HEADER + (Size) e->n * sizeof(CatEvent);
}

static void
cat_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	CatExpanded *e = (CatExpanded *) eohptr;
	char	   *p = VARDATA(result);

	SET_VARSIZE(result, allocated_size);
	p[0] = KPI_BINARY_VERSION;
	p[1] = (char) e->kind;
	memcpy(p + 2, &e->window, sizeof(int64));
	if (e->n > 0)
		memcpy(p + CAT_HEADER, e->ev, e->n * sizeof(CatEvent));
}

static const ExpandedObjectMethods cat_methods = {
	cat_get_flat_size,
	cat_flatten_into
};

static CatExpanded *
cat_new(MemoryContext parent, int kind, int64 window)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "pg_kpi event list", ALLOCSET_DEFAULT_SIZES);
	CatExpanded *e = MemoryContextAllocZero(cxt, sizeof(CatExpanded));

	EOH_init_header(&e->hdr, &cat_methods, cxt);
	e->kind = kind;
	e->window = window;
	return e;
}

/* Append events to e, growing its array in e's context. */
static void
cat_append(CatExpanded *e, const CatEvent *ev, int64 n)
{
	if (e->n + n > e->cap)
	{
		int64		cap = Max(Max(e->cap * 2, e->n + n), 256);

		if ((Size) cap * sizeof(CatEvent) > MaxAllocHugeSize / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many events in one group"),
					 errhint("Aggregate fewer rows per group.")));
		if (e->ev == NULL)
			e->ev = MemoryContextAllocHuge(e->hdr.eoh_context, cap * sizeof(CatEvent));
		else
			e->ev = repalloc_huge(e->ev, cap * sizeof(CatEvent));
		e->cap = cap;
	}
	memcpy(e->ev + e->n, ev, n * sizeof(CatEvent));
	e->n += n;
}

/* Read a flat state, checking its layout (it may come from anywhere as bytea). */
static CatExpanded *
cat_read_flat(bytea *b, MemoryContext cxt)
{
	Size		len = VARSIZE_ANY_EXHDR(b);
	const char *p = VARDATA_ANY(b);
	CatExpanded *e;
	int64		window;

	if (len < CAT_HEADER || (len - CAT_HEADER) % sizeof(CatEvent) != 0 ||
		p[0] != KPI_BINARY_VERSION || (p[1] != CAT_REPEATS && p[1] != CAT_SESSIONS))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid event-list state"),
				 errdetail("The state of repeat_query_rate() or sessions_per_user() is malformed.")));
	memcpy(&window, p + 2, sizeof(int64));
	if (window <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid event-list state"),
				 errdetail("The window of the state is not positive.")));
	e = cat_new(cxt, p[1], window);
	if (len > CAT_HEADER)
	{
		int64		n = (len - CAT_HEADER) / sizeof(CatEvent);
		CatEvent   *ev = palloc_extended(n * sizeof(CatEvent), MCXT_ALLOC_HUGE);

		memcpy(ev, p + CAT_HEADER, n * sizeof(CatEvent));
		cat_append(e, ev, n);
		pfree(ev);
	}
	return e;
}

/* The state of argument argno: our own read-write object, or a copy. */
static CatExpanded *
cat_state(FunctionCallInfo fcinfo, int argno)
{
	MemoryContext aggcxt;
	Datum		d;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		aggcxt = CurrentMemoryContext;
	if (PG_ARGISNULL(argno))
		return NULL;
	d = PG_GETARG_DATUM(argno);
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);
		CatExpanded *src;
		CatExpanded *e;

		if (eoh->eoh_methods != &cat_methods)
			elog(ERROR, "expanded object is not an event list");
		src = (CatExpanded *) eoh;
		if (argno == 0 && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)) &&
			MemoryContextGetParent(eoh->eoh_context) == aggcxt)
			return src;
		e = cat_new(aggcxt, src->kind, src->window);
		if (src->n > 0)
			cat_append(e, src->ev, src->n);
		return e;
	}
	return cat_read_flat(PG_GETARG_BYTEA_PP(argno), aggcxt);
}

/* 64-bit hash of a text value. */
static inline uint64
cat_hash(text *t)
{
	return hash_bytes_extended((const unsigned char *) VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), 0);
}

/* Microseconds of a window interval (months of 30 days); must be positive. */
static int64
cat_window(const Interval *iv, const char *what)
{
	int64		days;
	int64		usecs;

	if (pg_mul_s64_overflow((int64) iv->month * DAYS_PER_MONTH + iv->day, USECS_PER_DAY, &days) ||
		pg_add_s64_overflow(days, iv->time, &usecs))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s out of range", what)));
	if (usecs <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %s must be positive", what,
						DatumGetCString(DirectFunctionCall1(interval_out, PointerGetDatum(iv))))));
	return usecs;
}

/* Add one event to the state (a new state on the first row); the window must not change. */
static Datum
cat_accum(FunctionCallInfo fcinfo, int kind, uint64 user, uint64 query, TimestampTz ts,
		  int64 window, const char *what)
{
	CatExpanded *e = cat_state(fcinfo, 0);
	CatEvent	ev;

	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp %s is not finite", timestamptz_to_str(ts))));
	if (e == NULL)
	{
		MemoryContext aggcxt;

		if (!AggCheckCallContext(fcinfo, &aggcxt))
			aggcxt = CurrentMemoryContext;
		e = cat_new(aggcxt, kind, window);
	}
	else if (e->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event list of the wrong kind")));
	else if (e->window != window)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s changed within a group", what),
				 errhint("Pass the same %s on every row of a group, e.g. a constant.", what)));
	ev.user = user;
	ev.query = query;
	ev.ts = ts;
	cat_append(e, &ev, 1);
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

/* Transition function of repeat_query_rate(user_id, query, ts, within). */
PG_FUNCTION_INFO_V1(repeat_query_accum);
Datum
repeat_query_accum(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("repeat window must not be NULL")));
	return cat_accum(fcinfo, CAT_REPEATS, cat_hash(PG_GETARG_TEXT_PP(1)), cat_hash(PG_GETARG_TEXT_PP(2)),
					 PG_GETARG_TIMESTAMPTZ(3), cat_window(PG_GETARG_INTERVAL_P(4), "repeat window"),
					 "repeat window");
}

/* Transition function of repeat_query_rate(user_id, query, ts): the guide's 7-day window. */
PG_FUNCTION_INFO_V1(repeat_query_accum_7d);
Datum
repeat_query_accum_7d(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	return cat_accum(fcinfo, CAT_REPEATS, cat_hash(PG_GETARG_TEXT_PP(1)), cat_hash(PG_GETARG_TEXT_PP(2)),
					 PG_GETARG_TIMESTAMPTZ(3), 7 * USECS_PER_DAY, "repeat window");
}

/* Transition function of sessions_per_user(user_id, ts, idle). */
PG_FUNCTION_INFO_V1(sessions_per_user_accum);
Datum
sessions_per_user_accum(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("idle interval must not be NULL")));
	return cat_accum(fcinfo, CAT_SESSIONS, cat_hash(PG_GETARG_TEXT_PP(1)), 0,
					 PG_GETARG_TIMESTAMPTZ(2), cat_window(PG_GETARG_INTERVAL_P(3), "idle interval"),
					 "idle interval");
}

/* Combine function of both: the union of the events. */
PG_FUNCTION_INFO_V1(event_list_combine);
Datum
event_list_combine(PG_FUNCTION_ARGS)
{
	CatExpanded *e;
	CatExpanded *other;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	e = cat_state(fcinfo, 0);
	other = cat_state(fcinfo, 1);
	if (e == NULL)
		PG_RETURN_DATUM(EOHPGetRWDatum(&other->hdr));
	if (e->kind != other->kind || e->window != other->window)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine event lists of different kinds or windows")));
	if (other->n > 0)
		cat_append(e, other->ev, other->n);
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

static int
cat_cmp(const void *a, const void *b)
{
	const CatEvent *x = a;
	const CatEvent *y = b;

	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	if (x->query != y->query)
		return x->query < y->query ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return 0;
}

/* The events of the state argument, sorted by user, query and time (a private copy). */
static CatExpanded *
cat_sorted(FunctionCallInfo fcinfo, int kind)
{
	CatExpanded *src = cat_state(fcinfo, 0);
	CatExpanded *e;

	if (src == NULL || src->n == 0)
		return NULL;
	if (src->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event list of the wrong kind")));
	/* the final function must not change the aggregate's state: sort a copy */
	e = cat_new(CurrentMemoryContext, src->kind, src->window);
	cat_append(e, src->ev, src->n);
	qsort(e->ev, e->n, sizeof(CatEvent), cat_cmp);
	CHECK_FOR_INTERRUPTS();
	return e;
}

/*
 * Final function of repeat_query_rate: the share of distinct users who asked
 * some query again within the window (gap <= window) of an earlier ask.
 */
PG_FUNCTION_INFO_V1(repeat_query_final);
Datum
repeat_query_final(PG_FUNCTION_ARGS)
{
	CatExpanded *e = cat_sorted(fcinfo, CAT_REPEATS);
	int64		users = 0;
	int64		repeaters = 0;
	bool		repeated = false;

	if (e == NULL)
		PG_RETURN_NULL();
	for (int64 i = 0; i < e->n; i++)
	{
		const CatEvent *ev = &e->ev[i];

		if (i == 0 || ev->user != e->ev[i - 1].user)
		{
			users++;
			repeated = false;
		}
		else if (!repeated && ev->query == e->ev[i - 1].query &&
				 (uint64) ev->ts - (uint64) e->ev[i - 1].ts <= (uint64) e->window)
		{
			repeated = true;
			repeaters++;
		}
	}
	KPI_SUPPRESS_SMALL_GROUP(users);
	PG_RETURN_FLOAT8((double) repeaters / (double) users);
}

/*
 * Final function of sessions_per_user: sessions (a new one whenever the gap
 * to the user's previous event exceeds idle, as session_number() counts them)
 * divided by distinct users.
 */
PG_FUNCTION_INFO_V1(sessions_per_user_final);
Datum
sessions_per_user_final(PG_FUNCTION_ARGS)
{
	CatExpanded *e = cat_sorted(fcinfo, CAT_SESSIONS);
	int64		users = 0;
	int64		sessions = 0;

	if (e == NULL)
		PG_RETURN_NULL();
	for (int64 i = 0; i < e->n; i++)
	{
		const CatEvent *ev = &e->ev[i];

		if (i == 0 || ev->user != e->ev[i - 1].user)
		{
			users++;
			sessions++;
		}
		else if ((uint64) ev->ts - (uint64) e->ev[i - 1].ts > (uint64) e->window)
			sessions++;
	}
	KPI_SUPPRESS_SMALL_GROUP(users);
	PG_RETURN_FLOAT8((double) sessions / (double) users);
}

/* A money argument: finite and not negative. */
static Numeric
cat_money(Numeric v, const char *what)
{
	if (numeric_is_nan(v) || numeric_is_inf(v) ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(v),
										  NumericGetDatum(int64_to_numeric(0)))) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s %s is out of range", what,
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v)))),
				 errdetail("It must be a finite number, zero or more.")));
	return v;
}

/* usage_ltv(avg_monthly_spend, avg_lifespan_months): usage-based customer lifetime value. */
PG_FUNCTION_INFO_V1(catalogue_usage_ltv);
Datum
catalogue_usage_ltv(PG_FUNCTION_ARGS)
{
	Numeric		spend = cat_money(PG_GETARG_NUMERIC(0), "average monthly spend");
	Numeric		months = cat_money(PG_GETARG_NUMERIC(1), "average lifespan");

	PG_RETURN_DATUM(DirectFunctionCall2(numeric_mul, NumericGetDatum(spend), NumericGetDatum(months)));
}

/* cost_per_resolution(cost_per_interaction, resolution_rate): cost / rate; NULL when nothing is resolved. */
PG_FUNCTION_INFO_V1(catalogue_cost_per_resolution);
Datum
catalogue_cost_per_resolution(PG_FUNCTION_ARGS)
{
	Numeric		cost = cat_money(PG_GETARG_NUMERIC(0), "cost per interaction");
	double		rate = PG_GETARG_FLOAT8(1);

	if (isnan(rate) || rate < 0.0 || rate > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("resolution rate %g is out of range", rate),
				 errdetail("A resolution rate is a share between 0 and 1, such as 0.7.")));
	if (rate == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div, NumericGetDatum(cost),
										DirectFunctionCall1(float8_numeric, Float8GetDatum(rate))));
}
