/*
 * latency_window.c
 *		The moving-window engine of percentile_latency() and
 *		latency_percentiles() used as window aggregates: exact min/max from
 *		two monotonic deques, buckets with removal, and per-percentile
 *		cursors so a rolling percentile costs O(1) buckets per row.
 */
#include "latency.h"

#include "catalog/pg_type.h"

/* The moving-window state of percentile_latency/latency_percentiles. */
typedef struct LatDeque
{
	double	   *buf;
	int64		head;
	int64		len;
	int64		cap;			/* a power of two */
} LatDeque;

typedef struct LatMoving
{
	LatSketch	sk;				/* count, zero bucket, buckets; min/max below */
	LatDeque	mins;			/* increasing from the front: front is the min */
	LatDeque	maxs;			/* decreasing from the front: front is the max */
	int32	   *cur;			/* per percentile: bucket the last answer came from */
	int64	   *below;			/* per percentile: values in lower buckets than cur */
	bool		cur_valid;		/* cur/below are set up */
} LatMoving;

/* ---------- moving-window mode ---------- */

/* Append x at the back of a deque, growing it in cxt as needed. */
static void
lat_deque_push(LatDeque *d, double x, MemoryContext cxt)
{
	if (d->len == d->cap)
	{
		int64		newcap = d->cap == 0 ? 64 : d->cap * 2;
		double	   *buf;

		if ((Size) newcap * sizeof(double) > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("window frame too large for percentile_latency")));
		buf = MemoryContextAlloc(cxt, newcap * sizeof(double));
		for (int64 k = 0; k < d->len; k++)
			buf[k] = d->buf[(d->head + k) & (d->cap - 1)];
		if (d->buf)
			pfree(d->buf);
		d->buf = buf;
		d->head = 0;
		d->cap = newcap;
	}
	d->buf[(d->head + d->len) & (d->cap - 1)] = x;
	d->len++;
}

#define LAT_DEQUE_FRONT(d) ((d)->buf[(d)->head & ((d)->cap - 1)])
#define LAT_DEQUE_BACK(d) ((d)->buf[((d)->head + (d)->len - 1) & ((d)->cap - 1)])

/* The zero bucket, ordered below every log bucket, as a pseudo index. */
#define LAT_ZERO_INDEX(s) ((s)->index_lo - 1)

/* Count of bucket i (LAT_ZERO_INDEX for the zero bucket). */
static inline int64
lat_count_at(const LatSketch *s, int32 i)
{
	if (i == LAT_ZERO_INDEX(s))
		return s->zero_count;
	if (s->bucket_total == 0 || i < s->first || i > s->last)
		return 0;
	return s->slots[i - s->lo];
}

/* A value entered (delta 1) or left (delta -1) bucket i: keep the cursors' counts below. */
static inline void
lat_cursor_shift(LatMoving *m, int32 i, int delta)
{
	if (!m->cur_valid)
		return;
	for (int j = 0; j < m->sk.nquantiles; j++)
		if (i < m->cur[j])
			m->below[j] += delta;
}

/*
 * The bucket holding rank r (1-based, over all values): moves percentile j's
 * cursor from where the previous frame's answer was, so a rolling percentile
 * costs O(1) buckets per row in the usual case instead of a walk over all of
 * them.  Gives the same bucket as lat_quantile's walk.
 */
static int32
lat_cursor_seek(LatMoving *m, int j, int64 r)
{
	LatSketch  *s = &m->sk;
	int32		zero = LAT_ZERO_INDEX(s);
	int32		c = m->cur[j];
	int64		below = m->below[j];

	for (;;)
	{
		int64		here = lat_count_at(s, c);

		if (r <= below)
		{
			/* Down to the next lower bucket (the zero bucket below the first). */
			if (s->bucket_total > 0 && c > s->last)
				c = s->last;
			else if (s->bucket_total == 0 || c <= s->first)
				c = zero;
			else
				c = lat_bitmap_prev(s, c - 1);
			below -= lat_count_at(s, c);
		}
		else if (r > below + here)
		{
			/* Up to the next higher bucket. */
			below += here;
			if (s->bucket_total == 0 || c >= s->last)
				elog(ERROR, "rank %lld is beyond the moving-window state", (long long) r);
			if (c < s->first)
				c = s->first;
			else
				c = lat_bitmap_next(s, c + 1);
		}
		else
			break;
	}
	m->cur[j] = c;
	m->below[j] = below;
	return c;
}

/* Percentile j of the moving state (count > 0): lat_quantile through the cursor. */
static double
lat_moving_quantile(LatMoving *m, int j)
{
	LatSketch  *s = &m->sk;
	double		p = s->quantiles[j];
	int64		k;
	int32		c;
	double		v;

	if (s->collapsed)
		return lat_quantile(s, p);
	if (!m->cur_valid)
	{
		m->cur = MemoryContextAlloc(s->cxt, sizeof(int32) * Max(s->nquantiles, 1));
		m->below = MemoryContextAlloc(s->cxt, sizeof(int64) * Max(s->nquantiles, 1));
		for (int q = 0; q < s->nquantiles; q++)
		{
			m->cur[q] = LAT_ZERO_INDEX(s);
			m->below[q] = 0;
		}
		m->cur_valid = true;
	}
	if (lat_quantile_direct(p, s->count, s->zero_count, s->min, s->max, &k, &v))
		return v;
	c = lat_cursor_seek(m, j, k);
	return lat_clamp(lat_bucket_value(s, c), s->min, s->max);
}

/*
 * Rows leave a window frame in the order they entered it, so the exact
 * minimum and maximum of the frame are the fronts of two monotonic deques
 * (amortized O(1) per row): a new value drops the values behind it that it
 * dominates; a leaving value is at the front exactly when it is the extreme.
 */
static void
lat_moving_add(LatMoving *m, double x)
{
	while (m->mins.len > 0 && LAT_DEQUE_BACK(&m->mins) > x)
		m->mins.len--;
	lat_deque_push(&m->mins, x, m->sk.cxt);
	while (m->maxs.len > 0 && LAT_DEQUE_BACK(&m->maxs) < x)
		m->maxs.len--;
	lat_deque_push(&m->maxs, x, m->sk.cxt);
	m->sk.count++;
	if (x < DBL_MIN)
	{
		m->sk.zero_count++;
		lat_cursor_shift(m, LAT_ZERO_INDEX(&m->sk), 1);
	}
	else
	{
		int32		i = lat_index(&m->sk, x);

		lat_add_index(&m->sk, i, 1);
		lat_cursor_shift(m, i, 1);
	}
}

/* Remove the oldest value x of the frame; false if that cannot be done exactly. */
static bool
lat_moving_remove(LatMoving *m, double x)
{
	if (m->sk.collapsed)
		return false;			/* collapsed buckets cannot be split again */
	if (m->sk.count <= 0 || m->mins.len == 0 || m->maxs.len == 0)
		elog(ERROR, "latency value to remove is not in the moving-window state");
	if (LAT_DEQUE_FRONT(&m->mins) == x)
	{
		m->mins.head++;
		m->mins.len--;
	}
	if (LAT_DEQUE_FRONT(&m->maxs) == x)
	{
		m->maxs.head++;
		m->maxs.len--;
	}
	if (x < DBL_MIN)
	{
		if (m->sk.zero_count <= 0)
			elog(ERROR, "latency value to remove is not in the moving-window state");
		m->sk.zero_count--;
		lat_cursor_shift(m, LAT_ZERO_INDEX(&m->sk), -1);
	}
	else
	{
		int32		i = lat_index(&m->sk, x);

		lat_remove_index(&m->sk, i);
		lat_cursor_shift(m, i, -1);
	}
	m->sk.count--;
	return true;
}

/* The moving state, created on the first call in the window's aggregate context. */
static LatMoving *
lat_moving_state(FunctionCallInfo fcinfo)
{
	MemoryContext aggcxt;
	LatMoving  *m;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("moving-window latency functions can only be called as window aggregates")));
	if (!PG_ARGISNULL(0))
		return (LatMoving *) PG_GETARG_POINTER(0);
	m = MemoryContextAllocZero(aggcxt, sizeof(LatMoving));
	lat_init(&m->sk, LAT_DEFAULT_ALPHA, aggcxt);
	m->sk.nonempty = MemoryContextAllocZero(aggcxt, sizeof(uint64) * LAT_BITMAP_WORDS);
	return m;
}

/* Attach the percentiles on the first row, or check they did not change. */
static inline void
lat_moving_quantiles(LatMoving *m, const double *q, int n, bool scalar)
{
	if (m->sk.has_quantiles)
		lat_check_same_quantiles(&m->sk, q, n, scalar);
	else
		lat_set_quantiles(&m->sk, q, n);
}

/* Moving transition function of percentile_latency(). */
PG_FUNCTION_INFO_V1(latency_mcollect_p);
Datum
latency_mcollect_p(PG_FUNCTION_ARGS)
{
	LatMoving  *m = lat_moving_state(fcinfo);

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		double		x = lat_check_latency(PG_GETARG_FLOAT8(1));
		double		p = PG_GETARG_FLOAT8(2);

		lat_check_p(p);
		if (p == 0.0)
			p = 0.0;			/* -0 is 0 */
		lat_moving_quantiles(m, &p, 1, true);
		lat_moving_add(m, x);
	}
	PG_RETURN_POINTER(m);
}

/* Moving transition function of latency_percentiles(). */
PG_FUNCTION_INFO_V1(latency_mcollect_parr);
Datum
latency_mcollect_parr(PG_FUNCTION_ARGS)
{
	LatMoving  *m = lat_moving_state(fcinfo);

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		double		x = lat_check_latency(PG_GETARG_FLOAT8(1));
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(2);

		if (!lat_same_quantile_array(&m->sk, arr))
		{
			int			n;
			double	   *q = lat_read_quantiles(arr, &n);

			lat_moving_quantiles(m, q, n, false);
		}
		lat_moving_add(m, x);
	}
	PG_RETURN_POINTER(m);
}

/* Inverse transition of both: forget the frame's oldest row (NULL asks for a restart). */
PG_FUNCTION_INFO_V1(latency_mdiscard);
Datum
latency_mdiscard(PG_FUNCTION_ARGS)
{
	LatMoving  *m = lat_moving_state(fcinfo);

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		double		x = lat_check_latency(PG_GETARG_FLOAT8(1));

		if (!lat_moving_remove(m, x))
			PG_RETURN_NULL();
	}
	PG_RETURN_POINTER(m);
}

/*
 * Make the moving state's sketch whole for reading: min and max from the
 * deques.  NULL for an empty frame or one under pg_kpi.min_group_size.
 */
static const LatSketch *
lat_moving_sketch(LatMoving *m)
{
	if (m->sk.count == 0 || !m->sk.has_quantiles || kpi_group_suppressed(m->sk.count))
		return NULL;
	m->sk.min = LAT_DEQUE_FRONT(&m->mins);
	m->sk.max = LAT_DEQUE_FRONT(&m->maxs);
	return &m->sk;
}

/* Moving final function of percentile_latency(). */
PG_FUNCTION_INFO_V1(latency_mfinal_p);
Datum
latency_mfinal_p(PG_FUNCTION_ARGS)
{
	LatMoving  *m;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = (LatMoving *) PG_GETARG_POINTER(0);
	if (lat_moving_sketch(m) == NULL || m->sk.nquantiles != 1)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(lat_moving_quantile(m, 0));
}

/* Moving final function of latency_percentiles(). */
PG_FUNCTION_INFO_V1(latency_mfinal_parr);
Datum
latency_mfinal_parr(PG_FUNCTION_ARGS)
{
	LatMoving  *m;
	int			n;
	Datum	   *values;
	bool	   *nulls;
	int			dims[1];
	int			lbs[1] = {1};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = (LatMoving *) PG_GETARG_POINTER(0);
	if (lat_moving_sketch(m) == NULL)
		PG_RETURN_NULL();
	n = m->sk.nquantiles;
	if (n == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(FLOAT8OID));
	values = palloc(sizeof(Datum) * n);
	nulls = palloc(sizeof(bool) * n);
	for (int j = 0; j < n; j++)
	{
		nulls[j] = isnan(m->sk.quantiles[j]);
		values[j] = Float8GetDatum(nulls[j] ? 0.0 : lat_moving_quantile(m, j));
	}
	dims[0] = n;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(values, nulls, 1, dims, lbs, FLOAT8OID,
											 sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}
