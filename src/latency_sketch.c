/*
 * latency_sketch.c
 *		The latency_sketch core: bucket mapping, the dense bucket window and
 *		its collapsing, percentiles and ranks, copying and merging, the
 *		consistency check of a parsed sketch, and percentile-list arguments.
 */
#include "latency.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/float.h"

/* ---------- bucket mapping ---------- */

/* Set alpha and the constants derived from it. */
void
lat_set_alpha(LatSketch *s, double alpha)
{
	lat_set_gamma(s, alpha);
	s->index_lo = (int32) ceil(log(DBL_MIN) * s->inv_ln_gamma);
	s->index_hi = (int32) ceil(log(DBL_MAX) * s->inv_ln_gamma);
}

/* ---------- the dense bucket window ---------- */

/* Rebuild the moving state's bitmap of non-empty slots (after the window moved). */
void
lat_bitmap_rebuild(LatSketch *s)
{
	memset(s->nonempty, 0, sizeof(uint64) * LAT_BITMAP_WORDS);
	for (int32 p = 0; p < s->nslots; p++)
		if (s->slots[p] != 0)
			s->nonempty[p >> 6] |= UINT64CONST(1) << (p & 63);
}

/* Lowest non-empty bucket index >= i (one must exist). */
int32
lat_bitmap_next(const LatSketch *s, int32 i)
{
	int32		p = i - s->lo;
	int			w = p >> 6;
	uint64		bits = s->nonempty[w] & (~UINT64CONST(0) << (p & 63));

	while (bits == 0)
	{
		if (++w >= LAT_BITMAP_WORDS)
			elog(ERROR, "no non-empty latency bucket above %d", i);
		bits = s->nonempty[w];
	}
	return s->lo + (w << 6) + pg_rightmost_one_pos64(bits);
}

/* Highest non-empty bucket index <= i (one must exist). */
int32
lat_bitmap_prev(const LatSketch *s, int32 i)
{
	int32		p = i - s->lo;
	int			w = p >> 6;
	uint64		bits = s->nonempty[w] & (~UINT64CONST(0) >> (63 - (p & 63)));

	while (bits == 0)
	{
		if (--w < 0)
			elog(ERROR, "no non-empty latency bucket below %d", i);
		bits = s->nonempty[w];
	}
	return s->lo + (w << 6) + pg_leftmost_one_pos64(bits);
}

/* Make the slot window cover bucket indexes [a, b] (b - a < LAT_MAX_BUCKETS). */
void
lat_ensure_window(LatSketch *s, int32 a, int32 b)
{
	int32		span = b - a + 1;
	int32		cap;
	int32		newlo;
	int64	   *slots;

	Assert(span >= 1 && span <= LAT_MAX_BUCKETS);
	if (s->nslots > 0 && a >= s->lo && b < s->lo + s->nslots)
		return;
	cap = 32;
	while (cap < span * 2 && cap < LAT_MAX_BUCKETS)
		cap *= 2;
	if (cap < s->nslots)
		cap = s->nslots;
	newlo = a - (cap - span) / 2;
	slots = MemoryContextAllocZero(s->cxt, sizeof(int64) * cap);
	if (s->nslots > 0)
	{
		/* Copy the old slots that fall inside the new window (every non-empty one does). */
		int32		from = Max(s->lo, newlo);
		int32		to = Min(s->lo + s->nslots, newlo + cap);

		if (from < to)
			memcpy(slots + (from - newlo), s->slots + (from - s->lo),
				   sizeof(int64) * (to - from));
		pfree(s->slots);
	}
	s->slots = slots;
	s->lo = newlo;
	s->nslots = cap;
	if (s->nonempty)
		lat_bitmap_rebuild(s);
}

/*
 * Add n values to bucket i.  The buckets stay within LAT_MAX_BUCKETS of the
 * highest one: values further below it are counted in the lowest allowed
 * bucket.  The outcome depends only on the multiset of indexes added, so
 * merging in any order gives the same buckets.
 */
void
lat_add_index(LatSketch *s, int32 i, int64 n)
{
	if (s->bucket_total == 0)
	{
		s->first = s->last = i;
	}
	else if (i > s->last)
	{
		if ((int64) i - s->first >= LAT_MAX_BUCKETS)
		{
			int32		newlo = i - (LAT_MAX_BUCKETS - 1);
			int64		folded = 0;

			for (int32 j = s->first; j <= s->last && j < newlo; j++)
			{
				folded += s->slots[j - s->lo];
				s->slots[j - s->lo] = 0;
			}
			s->collapsed = true;
			s->first = newlo;
			s->last = Max(s->last, newlo);
			lat_ensure_window(s, newlo, i);
			s->slots[newlo - s->lo] += folded;
			if (s->nonempty)
				lat_bitmap_rebuild(s);
		}
		s->last = i;
	}
	else if (i < s->first)
	{
		if ((int64) s->last - i >= LAT_MAX_BUCKETS)
		{
			i = s->last - (LAT_MAX_BUCKETS - 1);
			s->collapsed = true;
		}
		s->first = Min(s->first, i);
	}
	lat_ensure_window(s, s->first, s->last);
	if (s->nonempty && s->slots[i - s->lo] == 0)
		s->nonempty[(i - s->lo) >> 6] |= UINT64CONST(1) << ((i - s->lo) & 63);
	s->slots[i - s->lo] += n;
	s->bucket_total += n;
}

/* Remove one value from bucket i (moving windows only; the sketch never collapsed). */
void
lat_remove_index(LatSketch *s, int32 i)
{
	if (s->bucket_total <= 0 || i < s->first || i > s->last || s->slots[i - s->lo] <= 0)
		elog(ERROR, "latency value to remove is not in the moving-window state");
	if (--s->slots[i - s->lo] == 0)
		s->nonempty[(i - s->lo) >> 6] &= ~(UINT64CONST(1) << ((i - s->lo) & 63));
	s->bucket_total--;
	if (s->bucket_total == 0)
		return;
	if (s->slots[s->first - s->lo] == 0)
		s->first = lat_bitmap_next(s, s->first);
	if (s->slots[s->last - s->lo] == 0)
		s->last = lat_bitmap_prev(s, s->last);
}

/* ---------- percentiles ---------- */

/* The value of rank k (1-based) among the bucketed values, walking from the nearer end. */
static double
lat_bucket_rank_value(const LatSketch *s, int64 r)
{
	int64		cum = 0;

	if (r <= s->bucket_total / 2)
	{
		for (int32 i = s->first; i <= s->last; i++)
		{
			cum += s->slots[i - s->lo];
			if (cum >= r)
				return lat_bucket_value(s, i);
		}
	}
	else
	{
		int64		from_top = s->bucket_total - r + 1;

		for (int32 i = s->last; i >= s->first; i--)
		{
			cum += s->slots[i - s->lo];
			if (cum >= from_top)
				return lat_bucket_value(s, i);
		}
	}
	return lat_bucket_value(s, s->last);
}

/*
 * Percentile p of a non-empty sketch: the bucket of the nearest-rank value
 * k = max(1, ceil(p*N)) (percentile_disc's rank), clamped to [min, max]; the
 * first and last ranks are the exact min and max.
 */
double
lat_quantile(const LatSketch *s, double p)
{
	int64		k;
	double		v;

	Assert(s->count > 0);
	if (lat_quantile_direct(p, s->count, s->zero_count, s->min, s->max, &k, &v))
		return v;
	return lat_clamp(lat_bucket_rank_value(s, k - s->zero_count), s->min, s->max);
}

/* Share of values <= x (values in x's own bucket count as <= x). */
double
lat_rank(const LatSketch *s, double x)
{
	int64		below;

	if (x < s->min)
		return 0.0;
	if (x >= s->max)
		return 1.0;
	below = s->zero_count;
	if (x >= DBL_MIN && s->bucket_total > 0)
	{
		int32		ix = lat_index(s, x);

		for (int32 i = s->first; i <= s->last && i <= ix; i++)
			below += s->slots[i - s->lo];
	}
	return (double) below / (double) s->count;
}

/* ---------- building, copying and merging ---------- */

/* An empty sketch with accuracy alpha whose memory lives in cxt. */
void
lat_init(LatSketch *s, double alpha, MemoryContext cxt)
{
	memset(s, 0, sizeof(LatSketch));
	s->cxt = cxt;
	lat_set_alpha(s, alpha);
}

/* Attach the requested percentiles (copied into the sketch's context). */
void
lat_set_quantiles(LatSketch *s, const double *q, int n)
{
	s->has_quantiles = true;
	s->nquantiles = n;
	s->quantiles = n > 0 ? MemoryContextAlloc(s->cxt, sizeof(double) * n) : NULL;
	if (n > 0)
		memcpy(s->quantiles, q, sizeof(double) * n);
}

/* A percentile list as text for messages: "0.5" or "{0.5,0.95}". */
static char *
lat_quantiles_text(const double *q, int n, bool scalar)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (!scalar)
		appendStringInfoChar(&buf, '{');
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		if (isnan(q[i]))
			appendStringInfoString(&buf, "NULL");
		else
			appendStringInfo(&buf, "%g", q[i]);
	}
	if (!scalar)
		appendStringInfoChar(&buf, '}');
	return buf.data;
}

/* Error unless two percentile lists are the same (they must not change within a group). */
void
lat_check_same_quantiles(const LatSketch *s, const double *q, int n, bool scalar)
{
	bool		same = (s->nquantiles == n);

	for (int i = 0; same && i < n; i++)
		same = lat_same_double(s->quantiles[i], q[i]);
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("percentile changed within a group"),
				 errdetail("An earlier row asked for %s and this row for %s.",
						   lat_quantiles_text(s->quantiles, s->nquantiles, scalar),
						   lat_quantiles_text(q, n, scalar)),
				 errhint("Pass the same percentile on every row of a group, e.g. a constant.")));
}

/* Copy src into the empty sketch dst (which has its own context). */
void
lat_copy(LatSketch *dst, const LatSketch *src)
{
	MemoryContext cxt = dst->cxt;

	*dst = *src;
	dst->cxt = cxt;
	dst->slots = NULL;
	dst->nonempty = NULL;
	dst->nslots = 0;
	dst->lo = 0;
	if (src->bucket_total > 0)
	{
		lat_ensure_window(dst, src->first, src->last);
		memcpy(dst->slots + (src->first - dst->lo), src->slots + (src->first - src->lo),
			   sizeof(int64) * (src->last - src->first + 1));
	}
	dst->quantiles = NULL;
	if (src->has_quantiles)
		lat_set_quantiles(dst, src->quantiles, src->nquantiles);
}

/* Merge src into dst: equal accuracy required; counts, sums and buckets add up. */
void
lat_merge(LatSketch *dst, const LatSketch *src)
{
	if (!lat_same_double(dst->alpha, src->alpha))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge latency sketches with different relative accuracies"),
				 errdetail("One sketch has relative accuracy %g, the other %g.",
						   dst->alpha, src->alpha),
				 errhint("Build all the sketches you merge with the same relative_accuracy argument of latency_agg().")));
	if (src->has_quantiles)
	{
		if (dst->has_quantiles)
			lat_check_same_quantiles(dst, src->quantiles, src->nquantiles, false);
		else
			lat_set_quantiles(dst, src->quantiles, src->nquantiles);
	}
	if (src->count == 0)
		return;
	if (dst->count == 0)
	{
		dst->min = src->min;
		dst->max = src->max;
	}
	else
	{
		dst->min = Min(dst->min, src->min);
		dst->max = Max(dst->max, src->max);
	}
	dst->count = kpi_add_count(dst->count, src->count);
	dst->zero_count += src->zero_count;
	lat_sum_merge(&dst->sum, &src->sum);
	if (src->bucket_total > 0)
	{
		/* From the top down, so the highest bucket is known before any collapsing. */
		for (int32 i = src->last; i >= src->first; i--)
		{
			int64		c = src->slots[i - src->lo];

			if (c > 0)
				lat_add_index(dst, i, c);
		}
	}
}

/*
 * Check a parsed sketch for consistency; returns a sentence describing the
 * first problem, or NULL.  Everything later code relies on is checked here,
 * so a corrupted sketch is rejected instead of read out of bounds.
 */
const char *
lat_problem(const LatParsed *p)
{
	LatSketch	tmp;
	int64		total;

	if (!lat_alpha_ok(p->alpha))
		return psprintf("The relative accuracy %g is not between %g and %g.",
						p->alpha, LAT_MIN_ALPHA, LAT_MAX_ALPHA);
	if (p->count < 1)
		return "A sketch holds at least one value.";
	if (p->zero_count < 0)
		return "The zero bucket count is negative.";
	if (p->nbuckets < 0 || p->nbuckets > LAT_MAX_BUCKETS)
		return psprintf("A sketch has at most %d buckets.", LAT_MAX_BUCKETS);
	if (!(p->min >= 0.0) || !(p->max >= p->min) || isinf(p->max))
		return "The minimum and maximum must be finite with 0 <= min <= max.";
	if (!(p->sum >= 0.0) || isinf(p->sum))
		return "The sum must be finite and non-negative.";
	lat_set_alpha(&tmp, p->alpha);
	total = p->zero_count;
	for (int i = 0; i < p->nbuckets; i++)
	{
		if (p->counts[i] < 1)
			return psprintf("Bucket %d has a count below 1.", p->index[i]);
		if (p->index[i] < tmp.index_lo || p->index[i] > tmp.index_hi)
			return psprintf("Bucket index %d is out of range for relative accuracy %g.",
							p->index[i], p->alpha);
		if (i > 0 && p->index[i] <= p->index[i - 1])
			return "Bucket indexes must be strictly increasing.";
		if (pg_add_s64_overflow(total, p->counts[i], &total))
			return "The bucket counts overflow a 64-bit count.";
	}
	if (total != p->count)
		return psprintf("The count %lld differs from the zero bucket plus the bucket counts (%lld).",
						(long long) p->count, (long long) total);
	{
		/*
		 * count*min <= sum <= count*max, up to the rounding of a sum that a
		 * 1.0 build accumulated in float8 (at most count+2 units in the last
		 * place, relative).
		 */
		double		n = (double) p->count;
		double		slack = (n + 2.0) * DBL_EPSILON;

		if (p->sum < n * p->min * (1.0 - slack) || p->sum > n * p->max * (1.0 + slack))
			return psprintf("The sum %g is not between count * min (%g) and count * max (%g).",
							p->sum, n * p->min, n * p->max);
	}
	if (p->nbuckets > 0 &&
		(int64) p->index[p->nbuckets - 1] - p->index[0] >= LAT_MAX_BUCKETS)
		return psprintf("The buckets span more than %d indexes.", LAT_MAX_BUCKETS);
	/* min and max must fall in the lowest and highest non-empty buckets. */
	if (p->zero_count > 0)
	{
		if (!(p->min < DBL_MIN))
			return "The minimum does not fall in the zero bucket, which is not empty.";
	}
	else
	{
		int32		first = p->index[0];
		int32		last = p->index[p->nbuckets - 1];
		int32		imin;

		if (p->min < DBL_MIN)
			return "The minimum falls in the zero bucket, which is empty.";
		imin = lat_index(&tmp, p->min);
		if (!(imin == first || (imin < first && last - first == LAT_MAX_BUCKETS - 1)))
			return "The minimum does not fall in the lowest bucket.";
	}
	if (p->nbuckets > 0)
	{
		if (p->max < DBL_MIN || lat_index(&tmp, p->max) != p->index[p->nbuckets - 1])
			return "The maximum does not fall in the highest bucket.";
	}
	else if (!(p->max < DBL_MIN))
		return "The maximum does not fall in the zero bucket.";
	if (p->has_quantiles)
	{
		if (p->nquantiles < 0 || p->nquantiles > LAT_MAX_QUANTILES)
			return psprintf("At most %d percentiles can be attached.", LAT_MAX_QUANTILES);
		for (int i = 0; i < p->nquantiles; i++)
			if (!isnan(p->quantiles[i]) && !(p->quantiles[i] >= 0.0 && p->quantiles[i] <= 1.0))
				return "An attached percentile is not between 0 and 1.";
	}
	return NULL;
}

/* Build the in-memory sketch s (already lat_init'ed in some context) from a valid parse. */
void
lat_from_parsed(LatSketch *s, const LatParsed *p)
{
	lat_init(s, p->alpha, s->cxt);
	s->count = p->count;
	s->zero_count = p->zero_count;
	s->sum = p->sum_exact;
	s->min = p->min;
	s->max = p->max;
	if (p->nbuckets > 0)
	{
		s->first = p->index[0];
		s->last = p->index[p->nbuckets - 1];
		lat_ensure_window(s, s->first, s->last);
		for (int i = 0; i < p->nbuckets; i++)
			s->slots[p->index[i] - s->lo] = p->counts[i];
		s->bucket_total = p->count - p->zero_count;
	}
	if (p->has_quantiles)
	{
		lat_set_quantiles(s, p->quantiles, p->nquantiles);
		for (int i = 0; i < s->nquantiles; i++)
			if (isnan(s->quantiles[i]))
				s->quantiles[i] = get_float8_nan();		/* one NULL marker */
			else if (s->quantiles[i] == 0.0)
				s->quantiles[i] = 0.0;	/* -0 is 0 */
	}
}

/* ---------- percentile array arguments ---------- */

/* Read a float8[] of percentiles (NULL elements become NaN); validates each one. */
double *
lat_read_quantiles(ArrayType *arr, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *q;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("percentile array must be one-dimensional")));
	if (ARR_ELEMTYPE(arr) != FLOAT8OID)
		elog(ERROR, "percentile array must be of type float8[]");
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, n);
	if (*n > LAT_MAX_QUANTILES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many percentiles: %d", *n),
				 errdetail("At most %d percentiles can be asked for at once.", LAT_MAX_QUANTILES)));
	q = palloc(sizeof(double) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			q[i] = get_float8_nan();
		else
		{
			q[i] = DatumGetFloat8(elems[i]);
			lat_check_p(q[i]);
			if (q[i] == 0.0)
				q[i] = 0.0;		/* -0 is 0 */
		}
	}
	return q;
}

/* float8[] of the percentiles q of s (NULL where q is the NULL marker). */
ArrayType *
lat_quantiles_array(const LatSketch *s, const double *q, int n)
{
	Datum	   *values = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		nulls[i] = isnan(q[i]);
		values[i] = Float8GetDatum(nulls[i] ? 0.0 : lat_quantile(s, q[i]));
	}
	if (n == 0)
		return construct_empty_array(FLOAT8OID);
	return construct_md_array(values, nulls, 1, dims, lbs, FLOAT8OID, sizeof(float8),
							  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}
