/*
 * latency_access.c
 *		Accessors of latency_sketch: percentile(), percentiles(),
 *		percentile_rank(), num_values(), mean(), min(), max(),
 *		relative_accuracy().  All but relative_accuracy() (a setting, not
 *		data) return NULL under pg_kpi.min_group_size (privacy.c).
 *
 * The read path: a stored (flat) sketch is read in place -- header fields
 * directly, percentiles and ranks by walking its stored bucket varints once
 * -- without decoding it into an in-memory sketch.  Its contents were
 * validated by the input or receive function that made it; only bounds are
 * checked here (lat_view_init, and every varint read stays inside the
 * value), so a corrupted value gives XX001 instead of a wrong read.  An
 * expanded sketch (an aggregate's result in the same query) is read as is.
 */
#include "latency.h"

#include "miscadmin.h"

/* An accessor's sketch argument: an expanded sketch, or a flat one viewed in place. */
typedef struct LatArg
{
	const LatSketch *sk;		/* expanded: the sketch; NULL for a flat value */
	LatView		v;				/* flat: the view */
	int64		count;
} LatArg;

/* Set up a for argument argno (never NULL: the accessors are STRICT). */
static inline void
lat_arg(FunctionCallInfo fcinfo, int argno, LatArg *a)
{
	Datum		d = PG_GETARG_DATUM(argno);

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		a->sk = lat_read(d);
		a->count = a->sk->count;
	}
	else
	{
		a->sk = NULL;
		lat_view_init(&a->v, (struct varlena *) PG_DETOAST_DATUM(d));
		a->count = a->v.f->count;
	}
}

/* Read the next stored bucket (index delta unless first, then count); XX001 if past the end. */
static inline void
lat_view_next(const LatView *v, const uint8 **pos, bool first, int64 *index, uint64 *count)
{
	uint64		delta;

	if (!first)
	{
		if (unlikely(!kpi_varint_get(pos, v->end, &delta)))
			kpi_corrupted(LAT_NAME, "The stored buckets end early.");
		*index += (int64) delta;
	}
	if (unlikely(!kpi_varint_get(pos, v->end, count)))
		kpi_corrupted(LAT_NAME, "The stored buckets end early.");
}

/*
 * The index of the stored bucket where the running count of a flat sketch's
 * buckets reaches r (1 <= r): one forward walk, with a fast path for the
 * usual two one-byte varints (index delta, count) per bucket.
 */
static int64
lat_view_find_rank(const LatView *v, uint64 r)
{
	const uint8 *pos = v->stream;
	const uint8 *end = v->end;
	int64		index = v->f->first_index;
	int32		n = v->f->nbuckets;
	uint64		cum;

	if (unlikely(n < 1 || !kpi_varint_get(&pos, end, &cum)))
		kpi_corrupted(LAT_NAME, "The stored buckets end early.");
	for (int32 i = 1; cum < r && i < n; i++)
	{
		uint64		w;

		/* Four buckets of one-byte varints at once, if the rank is beyond them. */
		if (i + 4 <= n && end - pos >= 8 &&
			(memcpy(&w, pos, 8), (w & UINT64CONST(0x8080808080808080)) == 0) &&
			cum + pos[1] + pos[3] + pos[5] + pos[7] < r)
		{
			index += pos[0] + pos[2] + pos[4] + pos[6];
			cum += pos[1] + pos[3] + pos[5] + pos[7];
			pos += 8;
			i += 3;
		}
		else if (likely(end - pos >= 2 && (pos[0] | pos[1]) < 0x80))
		{
			index += pos[0];
			cum += pos[1];
			pos += 2;
		}
		else
		{
			uint64		c;

			lat_view_next(v, &pos, false, &index, &c);
			cum += c;
		}
	}
	if (unlikely(cum < r))
		kpi_corrupted(LAT_NAME, "The stored bucket counts add up to less than the count.");
	return index;
}

/* lat_quantile() of a flat sketch: one forward walk over its stored buckets. */
static double
lat_view_quantile(const LatView *v, double p)
{
	const LatFlat *f = v->f;
	int64		k;
	double		value;
	LatSketch	g;

	if (lat_quantile_direct(p, f->count, f->zero_count, f->min, f->max, &k, &value))
		return value;
	lat_set_gamma(&g, f->alpha);
	value = lat_bucket_value(&g, (int32) lat_view_find_rank(v, (uint64) (k - f->zero_count)));
	return lat_clamp(value, f->min, f->max);
}

/* lat_rank() of a flat sketch: values in buckets up to x's own, over the count. */
static double
lat_view_rank(const LatView *v, double x)
{
	const LatFlat *f = v->f;
	uint64		below = (uint64) f->zero_count;

	if (x < f->min)
		return 0.0;
	if (x >= f->max)
		return 1.0;
	if (x >= DBL_MIN && f->nbuckets > 0)
	{
		LatSketch	g;
		int32		ix;
		const uint8 *pos = v->stream;
		int64		index = f->first_index;

		lat_set_gamma(&g, f->alpha);
		ix = lat_index(&g, x);
		for (int32 i = 0; i < f->nbuckets; i++)
		{
			uint64		c;

			lat_view_next(v, &pos, i == 0, &index, &c);
			if (index > ix)
				break;
			below += c;
		}
	}
	return (double) below / (double) f->count;
}

/* Percentile p of the argument (count > 0). */
static inline double
lat_arg_quantile(const LatArg *a, double p)
{
	return a->sk ? lat_quantile(a->sk, p) : lat_view_quantile(&a->v, p);
}

PG_FUNCTION_INFO_V1(latency_sketch_percentile);
Datum
latency_sketch_percentile(PG_FUNCTION_ARGS)
{
	LatArg		a;
	double		p = PG_GETARG_FLOAT8(1);

	lat_check_p(p);
	lat_arg(fcinfo, 0, &a);
	KPI_SUPPRESS_SMALL_GROUP(a.count);
	PG_RETURN_FLOAT8(lat_arg_quantile(&a, p));
}

PG_FUNCTION_INFO_V1(latency_sketch_percentiles);
Datum
latency_sketch_percentiles(PG_FUNCTION_ARGS)
{
	LatArg		a;
	int			n;
	double	   *q = lat_read_quantiles(PG_GETARG_ARRAYTYPE_P(1), &n);
	Datum	   *values;
	bool	   *nulls;
	int			dims[1];
	int			lbs[1] = {1};

	lat_arg(fcinfo, 0, &a);
	KPI_SUPPRESS_SMALL_GROUP(a.count);
	if (a.sk != NULL)
		PG_RETURN_ARRAYTYPE_P(lat_quantiles_array(a.sk, q, n));
	if (n == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(FLOAT8OID));
	values = palloc(sizeof(Datum) * n);
	nulls = palloc(sizeof(bool) * n);
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		nulls[i] = isnan(q[i]);
		values[i] = Float8GetDatum(nulls[i] ? 0.0 : lat_view_quantile(&a.v, q[i]));
	}
	dims[0] = n;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(values, nulls, 1, dims, lbs, FLOAT8OID,
											 sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(latency_sketch_percentile_rank);
Datum
latency_sketch_percentile_rank(PG_FUNCTION_ARGS)
{
	LatArg		a;
	double		x = PG_GETARG_FLOAT8(1);

	kpi_check_finite(x, "value");
	lat_arg(fcinfo, 0, &a);
	KPI_SUPPRESS_SMALL_GROUP(a.count);
	PG_RETURN_FLOAT8(a.sk ? lat_rank(a.sk, x) : lat_view_rank(&a.v, x));
}

PG_FUNCTION_INFO_V1(latency_sketch_num_values);
Datum
latency_sketch_num_values(PG_FUNCTION_ARGS)
{
	LatArg		a;

	lat_arg(fcinfo, 0, &a);
	KPI_SUPPRESS_SMALL_GROUP(a.count);
	PG_RETURN_INT64(a.count);
}

/* mean(): the exact sum rounded to float8 once, over the count. */
PG_FUNCTION_INFO_V1(latency_sketch_mean);
Datum
latency_sketch_mean(PG_FUNCTION_ARGS)
{
	LatArg		a;

	lat_arg(fcinfo, 0, &a);
	KPI_SUPPRESS_SMALL_GROUP(a.count);
	PG_RETURN_FLOAT8((a.sk ? lat_sum_double(&a.sk->sum) : a.v.f->sum) / (double) a.count);
}

PG_FUNCTION_INFO_V1(latency_sketch_min);
Datum
latency_sketch_min(PG_FUNCTION_ARGS)
{
	LatArg		a;

	lat_arg(fcinfo, 0, &a);
	KPI_SUPPRESS_SMALL_GROUP(a.count);
	PG_RETURN_FLOAT8(a.sk ? a.sk->min : a.v.f->min);
}

PG_FUNCTION_INFO_V1(latency_sketch_max);
Datum
latency_sketch_max(PG_FUNCTION_ARGS)
{
	LatArg		a;

	lat_arg(fcinfo, 0, &a);
	KPI_SUPPRESS_SMALL_GROUP(a.count);
	PG_RETURN_FLOAT8(a.sk ? a.sk->max : a.v.f->max);
}

PG_FUNCTION_INFO_V1(latency_sketch_alpha);
Datum
latency_sketch_alpha(PG_FUNCTION_ARGS)
{
	LatArg		a;

	lat_arg(fcinfo, 0, &a);
	PG_RETURN_FLOAT8(a.sk ? a.sk->alpha : a.v.f->alpha);
}
