/*
 * latency.c
 *		Latency percentiles: the latency_sketch type (a DDSketch with
 *		logarithmic buckets of base gamma = (1+alpha)/(1-alpha), a zero
 *		bucket, exact count, sum, min and max), its expanded in-memory form,
 *		the transition, combine and moving-window functions behind
 *		latency_agg(), rollup(), percentile_latency() and
 *		latency_percentiles(), and the accessors.
 *
 * In memory a sketch keeps its buckets in a dense window of at most
 * LAT_MAX_BUCKETS counters.  On disk and in transit it is a flat varlena:
 * a fixed header, the requested percentiles (only inside the one-step
 * aggregates' states), then the non-empty buckets as varints (index delta,
 * count).  Bucket i holds the values x with i-1 < ln(x)/ln(gamma) <= i and
 * stands for gamma^i * (1-alpha), within alpha of every value it holds.
 */
#include "pg_kpi.h"

#include <float.h>

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/expandeddatum.h"
#include "utils/float.h"
#include "utils/memutils.h"

#define LAT_NAME "latency_sketch"
#define LAT_MAX_BUCKETS 4096		/* most buckets a sketch holds */
#define LAT_MIN_ALPHA 0.0001
#define LAT_MAX_ALPHA 0.1
#define LAT_DEFAULT_ALPHA 0.01
#define LAT_MAX_QUANTILES 1000		/* most percentiles one call asks for */
#define LAT_FLAG_QUANTILES 0x01		/* the state carries requested percentiles */
#define LAT_MAX_VARINT 10			/* bytes of the longest 64-bit varint */

/*
 * The buckets are computed with an accuracy a hair tighter than the one the
 * user asked for, so rounding in log() and exp() can never push a result
 * past the promised bound.
 */
#define LAT_ALPHA_MARGIN (1.0 - 1e-7)

/* The in-memory sketch (inside an expanded object, or a moving-window state). */
typedef struct LatSketch
{
	double		alpha;			/* relative accuracy the user asked for */
	double		alpha_eff;		/* alpha * LAT_ALPHA_MARGIN */
	double		ln_gamma;		/* ln(gamma), gamma from alpha_eff */
	double		inv_ln_gamma;	/* 1 / ln(gamma) */
	int32		index_lo;		/* index of the smallest normal double */
	int32		index_hi;		/* index of the largest double */
	int64		count;			/* all values, zero bucket included */
	int64		zero_count;		/* values below DBL_MIN (0 and subnormals) */
	double		sum;
	double		min;
	double		max;
	int64		bucket_total;	/* values in the log buckets */
	int32		first;			/* lowest non-empty bucket (if bucket_total > 0) */
	int32		last;			/* highest non-empty bucket (if bucket_total > 0) */
	int32		lo;				/* bucket index of slots[0] */
	int32		nslots;			/* allocated slots, at most LAT_MAX_BUCKETS */
	int64	   *slots;
	bool		collapsed;		/* lower buckets were ever merged (moving state) */
	uint64	   *nonempty;		/* moving state only: bit per slot, set if count > 0 */
	bool		has_quantiles;	/* requested percentiles are attached */
	int			nquantiles;
	double	   *quantiles;		/* NaN marks a NULL array element */
	MemoryContext cxt;			/* where slots and quantiles live */
} LatSketch;

/* The expanded object: header first, then the sketch. */
typedef struct LatExpanded
{
	ExpandedObjectHeader hdr;
	LatSketch	sk;
} LatExpanded;

/* The flat varlena's fixed header (8-byte aligned fields). */
typedef struct LatFlat
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;
	uint16		nquantiles;
	int32		nbuckets;		/* non-empty buckets */
	int32		first_index;	/* index of the first one (0 if none) */
	double		alpha;
	int64		count;
	int64		zero_count;
	double		sum;
	double		min;
	double		max;
	/* then double quantiles[nquantiles], then the bucket varints */
} LatFlat;

/* Fields common to the text, binary and flat forms, before validation. */
typedef struct LatParsed
{
	double		alpha;
	int64		count;
	int64		zero_count;
	double		sum;
	double		min;
	double		max;
	int			nbuckets;
	int32	   *index;			/* [nbuckets], strictly increasing */
	int64	   *counts;			/* [nbuckets], each >= 1 */
	bool		has_quantiles;
	int			nquantiles;
	double	   *quantiles;
} LatParsed;

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

static Size lat_get_flat_size(ExpandedObjectHeader *eohptr);
static void lat_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods lat_methods = {
	lat_get_flat_size,
	lat_flatten_into
};

/* ---------- validators ---------- */

/* A latency must be finite and non-negative; returns it with -0 made +0. */
static inline double
lat_check_latency(double x)
{
	if (unlikely(isnan(x) || isinf(x) || x < 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("latency %g is out of range", x),
				 errdetail("Latencies must be finite and non-negative.")));
	return x == 0.0 ? 0.0 : x;
}

/* A percentile must be in [0,1] (same SQLSTATE and wording as percentile_disc). */
static inline void
lat_check_p(double p)
{
	if (unlikely(isnan(p) || p < 0.0 || p > 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("percentile value %g is not between 0 and 1", p)));
}

/* The relative accuracy must be in [LAT_MIN_ALPHA, LAT_MAX_ALPHA]. */
static inline bool
lat_alpha_ok(double alpha)
{
	return !isnan(alpha) && alpha >= LAT_MIN_ALPHA && alpha <= LAT_MAX_ALPHA;
}

/* Raise 22023 for a relative accuracy out of range. */
static inline void
lat_check_alpha(double alpha)
{
	if (unlikely(!lat_alpha_ok(alpha)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relative accuracy %g is out of range", alpha),
				 errdetail("The relative accuracy must be between %g and %g.",
						   LAT_MIN_ALPHA, LAT_MAX_ALPHA)));
}

/* Two doubles are the same setting only if their bits are equal (NaN = NULL marker). */
static inline bool
lat_same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof(double)) == 0;
}

/* The running sum must stay finite (two huge latencies can overflow it). */
static inline void
lat_check_sum(double sum)
{
	if (unlikely(isinf(sum)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sum of latencies out of range"),
				 errdetail("The sum of the latencies exceeds the largest float8 value.")));
}

/* ---------- bucket mapping ---------- */

/* Set alpha and the constants derived from it. */
static void
lat_set_alpha(LatSketch *s, double alpha)
{
	s->alpha = alpha;
	s->alpha_eff = alpha * LAT_ALPHA_MARGIN;
	s->ln_gamma = log1p(2.0 * s->alpha_eff / (1.0 - s->alpha_eff));
	s->inv_ln_gamma = 1.0 / s->ln_gamma;
	s->index_lo = (int32) ceil(log(DBL_MIN) * s->inv_ln_gamma);
	s->index_hi = (int32) ceil(log(DBL_MAX) * s->inv_ln_gamma);
}

/* Bucket index of a value x >= DBL_MIN. */
static inline int32
lat_index(const LatSketch *s, double x)
{
	return (int32) ceil(log(x) * s->inv_ln_gamma);
}

/* The value bucket i stands for: gamma^i * (1 - alpha). */
static inline double
lat_bucket_value(const LatSketch *s, int32 i)
{
	return exp((double) i * s->ln_gamma) * (1.0 - s->alpha_eff);
}

/* ---------- the dense bucket window ---------- */

#define LAT_BITMAP_WORDS (LAT_MAX_BUCKETS / 64)

/* Rebuild the moving state's bitmap of non-empty slots (after the window moved). */
static void
lat_bitmap_rebuild(LatSketch *s)
{
	memset(s->nonempty, 0, sizeof(uint64) * LAT_BITMAP_WORDS);
	for (int32 p = 0; p < s->nslots; p++)
		if (s->slots[p] != 0)
			s->nonempty[p >> 6] |= UINT64CONST(1) << (p & 63);
}

/* Lowest non-empty bucket index >= i (one must exist). */
static inline int32
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
static inline int32
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
static void
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
static void
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
static void
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

/* Count one validated latency. */
static inline void
lat_add_value(LatSketch *s, double x)
{
	if (s->count == 0)
		s->min = s->max = x;
	else
	{
		if (x < s->min)
			s->min = x;
		if (x > s->max)
			s->max = x;
	}
	s->count = kpi_add_count(s->count, 1);
	s->sum += x;
	lat_check_sum(s->sum);
	if (x < DBL_MIN)
		s->zero_count++;
	else
	{
		int32		i = lat_index(s, x);

		/* Fast path: a bucket inside the current range. */
		if (likely(s->bucket_total > 0 && i >= s->first && i <= s->last))
		{
			s->slots[i - s->lo]++;
			s->bucket_total++;
		}
		else
			lat_add_index(s, i, 1);
	}
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
static double
lat_quantile(const LatSketch *s, double p)
{
	int64		n = s->count;
	int64		k = (int64) ceil(p * (double) n);
	double		v;

	Assert(n > 0);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	if (k == 1)
		return s->min;
	if (k == n)
		return s->max;
	if (k <= s->zero_count)
		v = 0.0;
	else
		v = lat_bucket_rank_value(s, k - s->zero_count);
	if (v < s->min)
		v = s->min;
	if (v > s->max)
		v = s->max;
	return v;
}

/* Share of values <= x (values in x's own bucket count as <= x). */
static double
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
static void
lat_init(LatSketch *s, double alpha, MemoryContext cxt)
{
	memset(s, 0, sizeof(LatSketch));
	s->cxt = cxt;
	lat_set_alpha(s, alpha);
}

/* Attach the requested percentiles (copied into the sketch's context). */
static void
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
static void
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
static void
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
static void
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
	dst->sum += src->sum;
	lat_check_sum(dst->sum);
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
static const char *
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
static void
lat_from_parsed(LatSketch *s, const LatParsed *p)
{
	lat_init(s, p->alpha, s->cxt);
	s->count = p->count;
	s->zero_count = p->zero_count;
	s->sum = p->sum;
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

/* ---------- the flat form ---------- */

/* Bytes of v as an unsigned LEB128 varint. */
static inline int
lat_varint_len(uint64 v)
{
	int			n = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		n++;
	}
	return n;
}

/* Write v as a varint at p; returns the bytes written. */
static inline int
lat_varint_put(uint8 *p, uint64 v)
{
	int			n = 0;

	while (v >= 0x80)
	{
		p[n++] = (uint8) (v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8) v;
	return n;
}

/* Read a varint from [*pos, end); false if it is truncated or overflows 64 bits. */
static inline bool
lat_varint_get(const uint8 **pos, const uint8 *end, uint64 *v)
{
	uint64		result = 0;
	int			shift = 0;

	while (*pos < end)
	{
		uint8		b = *(*pos)++;

		if (shift == 63 && (b & 0x7e) != 0)
			return false;
		result |= (uint64) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
		{
			*v = result;
			return true;
		}
		shift += 7;
		if (shift > 63)
			return false;
	}
	return false;
}

/* Bytes of the bucket varints of s. */
static Size
lat_stream_size(const LatSketch *s)
{
	Size		size = 0;
	int32		prev = 0;
	bool		any = false;

	if (s->bucket_total == 0)
		return 0;
	for (int32 i = s->first; i <= s->last; i++)
	{
		int64		c = s->slots[i - s->lo];

		if (c == 0)
			continue;
		if (any)
			size += lat_varint_len((uint64) (i - prev));
		size += lat_varint_len((uint64) c);
		prev = i;
		any = true;
	}
	return size;
}

/* Write the bucket varints of s at out; returns the number of non-empty buckets. */
static int32
lat_stream_write(const LatSketch *s, uint8 *out)
{
	int32		prev = 0;
	int32		n = 0;

	if (s->bucket_total == 0)
		return 0;
	for (int32 i = s->first; i <= s->last; i++)
	{
		int64		c = s->slots[i - s->lo];

		if (c == 0)
			continue;
		if (n > 0)
			out += lat_varint_put(out, (uint64) (i - prev));
		out += lat_varint_put(out, (uint64) c);
		prev = i;
		n++;
	}
	return n;
}

/*
 * Decode nbuckets (index delta, count) varints from [data, data+len) into
 * p->index/p->counts (allocated here); returns a problem sentence or NULL.
 */
static const char *
lat_stream_read(LatParsed *p, int32 first_index, const uint8 *data, Size len)
{
	const uint8 *pos = data;
	const uint8 *end = data + len;
	int64		index = first_index;

	if (p->nbuckets < 0 || p->nbuckets > LAT_MAX_BUCKETS)
		return psprintf("A sketch has at most %d buckets.", LAT_MAX_BUCKETS);
	if ((Size) p->nbuckets > len)
		return "The bucket data is shorter than the bucket count says.";
	p->index = palloc(sizeof(int32) * Max(p->nbuckets, 1));
	p->counts = palloc(sizeof(int64) * Max(p->nbuckets, 1));
	for (int i = 0; i < p->nbuckets; i++)
	{
		uint64		v;

		if (i > 0)
		{
			if (!lat_varint_get(&pos, end, &v))
				return "A bucket index delta is truncated or too long.";
			if (v < 1 || v >= LAT_MAX_BUCKETS)
				return "A bucket index delta is out of range.";
			index += (int64) v;
			if (index > PG_INT32_MAX)
				return "A bucket index is out of range.";
		}
		if (!lat_varint_get(&pos, end, &v))
			return "A bucket count is truncated or too long.";
		if (v < 1 || v > (uint64) PG_INT64_MAX)
			return "A bucket count is out of range.";
		p->index[i] = (int32) index;
		p->counts[i] = (int64) v;
	}
	if (pos != end)
		return psprintf("%d bytes follow the last bucket.", (int) (end - pos));
	return NULL;
}

/* Size of the flat form of s, overflow-checked against the varlena limit. */
static Size
lat_flat_size(const LatSketch *s)
{
	Size		size = sizeof(LatFlat) + sizeof(double) * s->nquantiles + lat_stream_size(s);

	if (size > KPI_MAX_SUMMARY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("latency_sketch would take %zu bytes, more than the limit", size),
				 errhint("Ask for fewer percentiles.")));
	return size;
}

/* Write the flat form of s into result (exactly size bytes). */
static void
lat_flat_write(const LatSketch *s, void *result, Size size)
{
	LatFlat    *f = (LatFlat *) result;
	uint8	   *q = (uint8 *) result + sizeof(LatFlat);

	memset(f, 0, sizeof(LatFlat));
	SET_VARSIZE(f, size);
	f->version = KPI_BINARY_VERSION;
	f->flags = s->has_quantiles ? LAT_FLAG_QUANTILES : 0;
	f->nquantiles = (uint16) s->nquantiles;
	f->first_index = s->bucket_total > 0 ? s->first : 0;
	f->alpha = s->alpha;
	f->count = s->count;
	f->zero_count = s->zero_count;
	f->sum = s->sum;
	f->min = s->min;
	f->max = s->max;
	if (s->nquantiles > 0)
		memcpy(q, s->quantiles, sizeof(double) * s->nquantiles);
	q += sizeof(double) * s->nquantiles;
	f->nbuckets = lat_stream_write(s, q);
}

/* A freshly palloc'd flat copy of s. */
static Datum
lat_flat_datum(const LatSketch *s)
{
	Size		size = lat_flat_size(s);
	void	   *result = palloc(size);

	lat_flat_write(s, result, size);
	return PointerGetDatum(result);
}

/* Expanded-object method: size of the flat form. */
static Size
lat_get_flat_size(ExpandedObjectHeader *eohptr)
{
	return lat_flat_size(&((LatExpanded *) eohptr)->sk);
}

/* Expanded-object method: write the flat form. */
static void
lat_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	lat_flat_write(&((LatExpanded *) eohptr)->sk, result, allocated_size);
}

/* Decode and validate a flat sketch into s (lat_init'ed with its context). */
static void
lat_from_flat(LatSketch *s, const struct varlena *v)
{
	LatFlat		f;
	LatParsed	p;
	Size		len = VARSIZE(v);
	const uint8 *data = (const uint8 *) v;
	Size		qbytes;
	const char *problem;

	if (len < sizeof(LatFlat))
		kpi_binary_invalid(LAT_NAME, "The stored sketch is only %zu bytes long.", len);
	memcpy(&f, v, sizeof(LatFlat));
	if (f.version != KPI_BINARY_VERSION)
		kpi_binary_invalid(LAT_NAME, "Unknown format version %d; this build reads version %d.",
						   f.version, KPI_BINARY_VERSION);
	memset(&p, 0, sizeof(p));
	p.alpha = f.alpha;
	p.count = f.count;
	p.zero_count = f.zero_count;
	p.sum = f.sum;
	p.min = f.min;
	p.max = f.max;
	p.nbuckets = f.nbuckets;
	p.has_quantiles = (f.flags & LAT_FLAG_QUANTILES) != 0;
	p.nquantiles = f.nquantiles;
	qbytes = sizeof(double) * f.nquantiles;
	if (len - sizeof(LatFlat) < qbytes || (!p.has_quantiles && f.nquantiles != 0))
		kpi_binary_invalid(LAT_NAME, "The stored sketch's percentile list is inconsistent.");
	if (p.nquantiles > 0)
	{
		p.quantiles = palloc(qbytes);
		memcpy(p.quantiles, data + sizeof(LatFlat), qbytes);
	}
	problem = lat_stream_read(&p, f.first_index, data + sizeof(LatFlat) + qbytes,
							  len - sizeof(LatFlat) - qbytes);
	if (problem == NULL)
		problem = lat_problem(&p);
	if (problem != NULL)
		kpi_binary_invalid(LAT_NAME, "%s", problem);
	lat_from_parsed(s, &p);
}

/* A new, empty expanded sketch in a child context of parent. */
static LatExpanded *
lat_expanded_new(MemoryContext parent, double alpha)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "latency_sketch",
											  ALLOCSET_SMALL_SIZES);
	LatExpanded *e = MemoryContextAlloc(cxt, sizeof(LatExpanded));

	EOH_init_header(&e->hdr, &lat_methods, cxt);
	lat_init(&e->sk, alpha, cxt);
	return e;
}

/* Read-only view of a latency_sketch datum, expanded or flat. */
static const LatSketch *
lat_read(Datum d)
{
	LatSketch  *s;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods != &lat_methods)
			elog(ERROR, "expanded object is not a latency_sketch");
		return &((LatExpanded *) eoh)->sk;
	}
	s = palloc(sizeof(LatSketch));
	s->cxt = CurrentMemoryContext;
	lat_from_flat(s, (struct varlena *) PG_DETOAST_DATUM(d));
	return s;
}

#define PG_GETARG_LAT(n) lat_read(PG_GETARG_DATUM(n))

/*
 * The state a transition function may change: the read-write expanded
 * sketch this aggregate owns (kept by nodeAgg without copying because its
 * context is a child of the aggregate context), or else a new expanded copy
 * of argument argno (flat, e.g. from a parallel worker or a table).  Returns
 * NULL for a NULL argument.  Outside an aggregate the copy lives in the
 * current context, so the caller's value is never modified.
 */
static LatExpanded *
lat_state_for_update(FunctionCallInfo fcinfo, int argno)
{
	MemoryContext aggcxt;
	Datum		d;
	const LatSketch *src;
	LatExpanded *e;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		aggcxt = NULL;
	if (PG_ARGISNULL(argno))
		return NULL;
	d = PG_GETARG_DATUM(argno);
	if (aggcxt != NULL && argno == 0 && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &lat_methods &&
			MemoryContextGetParent(eoh->eoh_context) == aggcxt)
			return (LatExpanded *) eoh;
	}
	src = lat_read(d);
	e = lat_expanded_new(aggcxt ? aggcxt : CurrentMemoryContext, src->alpha);
	lat_copy(&e->sk, src);
	return e;
}

/* A new empty state for the first row of a group. */
static LatExpanded *
lat_state_new(FunctionCallInfo fcinfo, double alpha)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		aggcxt = CurrentMemoryContext;
	return lat_expanded_new(aggcxt, alpha);
}

#define LAT_RETURN_STATE(e) PG_RETURN_DATUM(EOHPGetRWDatum(&(e)->hdr))

/* ---------- percentile array arguments ---------- */

/* Read a float8[] of percentiles (NULL elements become NaN); validates each one. */
static double *
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

/*
 * Fast path for the array argument on every row after the first: true if
 * arr holds exactly the percentiles already attached to s (no NULLs).
 */
static inline bool
lat_same_quantile_array(const LatSketch *s, ArrayType *arr)
{
	return s->has_quantiles && ARR_NDIM(arr) == 1 && !ARR_HASNULL(arr) &&
		ARR_ELEMTYPE(arr) == FLOAT8OID && ARR_DIMS(arr)[0] == s->nquantiles &&
		memcmp(ARR_DATA_PTR(arr), s->quantiles, sizeof(double) * s->nquantiles) == 0;
}

/* float8[] of the percentiles q of s (NULL where q is the NULL marker). */
static ArrayType *
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

/* ---------- type I/O ---------- */

/* Skip blanks in a text cursor. */
static inline void
lat_skip_space(KpiTextCursor *cur)
{
	while (*cur->pos == ' ' || *cur->pos == '\t' || *cur->pos == '\n' || *cur->pos == '\r')
		cur->pos++;
}

/*
 * Text form: (alpha=A,count=N,min=m,max=M,sum=S,zero=Z,buckets={i:c,...})
 * with ",percentiles={p,...}" before the ")" inside the one-step aggregates'
 * states.
 */
PG_FUNCTION_INFO_V1(latency_sketch_in);
Datum
latency_sketch_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	KpiTextCursor cur;
	LatParsed	p;
	LatSketch	s;
	const char *problem;

	memset(&p, 0, sizeof(p));
	kpi_text_init(&cur, input, LAT_NAME);
	kpi_text_expect_char(&cur, '(');
	kpi_text_expect_key(&cur, "alpha");
	p.alpha = kpi_text_read_float8(&cur, "alpha");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "count");
	p.count = kpi_text_read_int64(&cur, "count");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "min");
	p.min = kpi_text_read_float8(&cur, "min");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "max");
	p.max = kpi_text_read_float8(&cur, "max");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "sum");
	p.sum = kpi_text_read_float8(&cur, "sum");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "zero");
	p.zero_count = kpi_text_read_int64(&cur, "zero");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "buckets");
	kpi_text_expect_char(&cur, '{');
	p.index = palloc(sizeof(int32) * LAT_MAX_BUCKETS);
	p.counts = palloc(sizeof(int64) * LAT_MAX_BUCKETS);
	lat_skip_space(&cur);
	if (*cur.pos == '}')
		cur.pos++;
	else
	{
		for (;;)
		{
			int64		index;

			if (p.nbuckets >= LAT_MAX_BUCKETS)
				kpi_text_invalid(&cur, "A sketch has at most %d buckets.", LAT_MAX_BUCKETS);
			index = kpi_text_read_int64(&cur, "buckets");
			if (index < PG_INT32_MIN || index > PG_INT32_MAX)
				kpi_text_invalid(&cur, "Bucket index %lld is out of range.", (long long) index);
			kpi_text_expect_char(&cur, ':');
			p.index[p.nbuckets] = (int32) index;
			p.counts[p.nbuckets] = kpi_text_read_int64(&cur, "buckets");
			p.nbuckets++;
			lat_skip_space(&cur);
			if (*cur.pos == '}')
			{
				cur.pos++;
				break;
			}
			kpi_text_expect_char(&cur, ',');
		}
	}
	lat_skip_space(&cur);
	if (*cur.pos == ',')
	{
		cur.pos++;
		kpi_text_expect_key(&cur, "percentiles");
		kpi_text_expect_char(&cur, '{');
		p.has_quantiles = true;
		p.quantiles = palloc(sizeof(double) * LAT_MAX_QUANTILES);
		lat_skip_space(&cur);
		if (*cur.pos == '}')
			cur.pos++;
		else
		{
			for (;;)
			{
				if (p.nquantiles >= LAT_MAX_QUANTILES)
					kpi_text_invalid(&cur, "At most %d percentiles can be attached.", LAT_MAX_QUANTILES);
				lat_skip_space(&cur);
				if (strncmp(cur.pos, "NULL", 4) == 0)
				{
					cur.pos += 4;
					p.quantiles[p.nquantiles++] = get_float8_nan();
				}
				else
					p.quantiles[p.nquantiles++] = kpi_text_read_float8(&cur, "percentiles");
				lat_skip_space(&cur);
				if (*cur.pos == '}')
				{
					cur.pos++;
					break;
				}
				kpi_text_expect_char(&cur, ',');
			}
		}
	}
	kpi_text_expect_char(&cur, ')');
	kpi_text_expect_end(&cur);
	if (p.min == 0.0)
		p.min = 0.0;			/* -0 reads as 0 */
	if (p.max == 0.0)
		p.max = 0.0;
	if ((problem = lat_problem(&p)) != NULL)
		kpi_text_invalid(&cur, "%s", problem);
	s.cxt = CurrentMemoryContext;
	lat_from_parsed(&s, &p);
	PG_RETURN_DATUM(lat_flat_datum(&s));
}

PG_FUNCTION_INFO_V1(latency_sketch_out);
Datum
latency_sketch_out(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);
	StringInfoData buf;
	bool		any = false;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "(alpha=");
	kpi_append_float8(&buf, s->alpha);
	appendStringInfo(&buf, ",count=" INT64_FORMAT ",min=", s->count);
	kpi_append_float8(&buf, s->min);
	appendStringInfoString(&buf, ",max=");
	kpi_append_float8(&buf, s->max);
	appendStringInfoString(&buf, ",sum=");
	kpi_append_float8(&buf, s->sum);
	appendStringInfo(&buf, ",zero=" INT64_FORMAT ",buckets={", s->zero_count);
	for (int32 i = s->first; s->bucket_total > 0 && i <= s->last; i++)
	{
		int64		c = s->slots[i - s->lo];

		if (c == 0)
			continue;
		appendStringInfo(&buf, "%s%d:" INT64_FORMAT, any ? "," : "", i, c);
		any = true;
	}
	appendStringInfoChar(&buf, '}');
	if (s->has_quantiles)
	{
		appendStringInfoString(&buf, ",percentiles={");
		for (int i = 0; i < s->nquantiles; i++)
		{
			if (i > 0)
				appendStringInfoChar(&buf, ',');
			if (isnan(s->quantiles[i]))
				appendStringInfoString(&buf, "NULL");
			else
				kpi_append_float8(&buf, s->quantiles[i]);
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

/* Bounds-checked reads of the binary form's 16- and 32-bit fields. */
static int
lat_recv_int(StringInfo buf, int bytes)
{
	if (buf->len - buf->cursor < bytes)
		kpi_binary_invalid(LAT_NAME, "The data ends after %d bytes; more were expected.", buf->len);
	return pq_getmsgint(buf, bytes);
}

/*
 * Binary form: version byte, flags byte, uint16 number of percentiles,
 * int32 number of buckets, int32 first bucket index, float8 alpha, int8
 * count, int8 zero count, float8 sum, min, max, float8 percentiles, then
 * the bucket varints (as in the flat form) up to the end.
 */
PG_FUNCTION_INFO_V1(latency_sketch_recv);
Datum
latency_sketch_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	LatParsed	p;
	LatSketch	s;
	int			flags;
	int32		first_index;
	const char *problem;

	memset(&p, 0, sizeof(p));
	kpi_recv_version(buf, LAT_NAME);
	flags = kpi_recv_uint8(buf, LAT_NAME);
	if ((flags & ~LAT_FLAG_QUANTILES) != 0)
		kpi_binary_invalid(LAT_NAME, "Unknown flags %d.", flags);
	p.has_quantiles = (flags & LAT_FLAG_QUANTILES) != 0;
	p.nquantiles = (uint16) lat_recv_int(buf, 2);
	p.nbuckets = (int32) lat_recv_int(buf, 4);
	first_index = (int32) lat_recv_int(buf, 4);
	p.alpha = kpi_recv_float8(buf, LAT_NAME);
	p.count = kpi_recv_int64(buf, LAT_NAME);
	p.zero_count = kpi_recv_int64(buf, LAT_NAME);
	p.sum = kpi_recv_float8(buf, LAT_NAME);
	p.min = kpi_recv_float8(buf, LAT_NAME);
	p.max = kpi_recv_float8(buf, LAT_NAME);
	if (!p.has_quantiles && p.nquantiles != 0)
		kpi_binary_invalid(LAT_NAME, "Percentiles are listed but the flag says there are none.");
	if (p.nquantiles > LAT_MAX_QUANTILES)
		kpi_binary_invalid(LAT_NAME, "At most %d percentiles can be attached.", LAT_MAX_QUANTILES);
	if (p.nquantiles > 0)
	{
		p.quantiles = palloc(sizeof(double) * p.nquantiles);
		for (int i = 0; i < p.nquantiles; i++)
		{
			if (buf->len - buf->cursor < 8)
				kpi_binary_invalid(LAT_NAME, "The data ends after %d bytes; more were expected.", buf->len);
			p.quantiles[i] = pq_getmsgfloat8(buf);
		}
	}
	problem = lat_stream_read(&p, first_index, (const uint8 *) buf->data + buf->cursor,
							  buf->len - buf->cursor);
	if (problem == NULL)
		problem = lat_problem(&p);
	if (problem != NULL)
		kpi_binary_invalid(LAT_NAME, "%s", problem);
	buf->cursor = buf->len;
	if (p.min == 0.0)
		p.min = 0.0;
	if (p.max == 0.0)
		p.max = 0.0;
	s.cxt = CurrentMemoryContext;
	lat_from_parsed(&s, &p);
	PG_RETURN_DATUM(lat_flat_datum(&s));
}

PG_FUNCTION_INFO_V1(latency_sketch_send);
Datum
latency_sketch_send(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);
	StringInfoData buf;
	Size		stream = lat_stream_size(s);
	uint8	   *bytes = palloc(Max(stream, 1));
	int32		nbuckets = lat_stream_write(s, bytes);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, KPI_BINARY_VERSION);
	pq_sendbyte(&buf, s->has_quantiles ? LAT_FLAG_QUANTILES : 0);
	pq_sendint16(&buf, (uint16) s->nquantiles);
	pq_sendint32(&buf, nbuckets);
	pq_sendint32(&buf, s->bucket_total > 0 ? s->first : 0);
	pq_sendfloat8(&buf, s->alpha);
	pq_sendint64(&buf, s->count);
	pq_sendint64(&buf, s->zero_count);
	pq_sendfloat8(&buf, s->sum);
	pq_sendfloat8(&buf, s->min);
	pq_sendfloat8(&buf, s->max);
	for (int i = 0; i < s->nquantiles; i++)
		pq_sendfloat8(&buf, s->quantiles[i]);
	pq_sendbytes(&buf, (char *) bytes, stream);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---------- aggregates: latency_agg, rollup, percentile_latency, latency_percentiles ---------- */

/* The state for this row: the existing one, or a new one with accuracy alpha. */
static inline LatExpanded *
lat_state_or_new(FunctionCallInfo fcinfo, double alpha)
{
	LatExpanded *e = lat_state_for_update(fcinfo, 0);

	return e != NULL ? e : lat_state_new(fcinfo, alpha);
}

/* Return the state argument unchanged (NULL stays NULL) for a skipped row. */
#define LAT_RETURN_ARG0() \
	do { \
		if (PG_ARGISNULL(0)) PG_RETURN_NULL(); \
		PG_RETURN_DATUM(PG_GETARG_DATUM(0)); \
	} while (0)

/* Transition function of latency_agg(latency): default accuracy. */
PG_FUNCTION_INFO_V1(latency_accum);
Datum
latency_accum(PG_FUNCTION_ARGS)
{
	LatExpanded *e;
	double		x;

	if (PG_ARGISNULL(1))
		LAT_RETURN_ARG0();
	x = lat_check_latency(PG_GETARG_FLOAT8(1));
	e = lat_state_or_new(fcinfo, LAT_DEFAULT_ALPHA);
	lat_add_value(&e->sk, x);
	LAT_RETURN_STATE(e);
}

/* Transition function of latency_agg(latency, relative_accuracy). */
PG_FUNCTION_INFO_V1(latency_accum_alpha);
Datum
latency_accum_alpha(PG_FUNCTION_ARGS)
{
	LatExpanded *e;
	double		x;
	double		alpha;

	if (PG_ARGISNULL(1))
		LAT_RETURN_ARG0();
	x = lat_check_latency(PG_GETARG_FLOAT8(1));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relative accuracy must not be NULL")));
	alpha = PG_GETARG_FLOAT8(2);
	lat_check_alpha(alpha);
	e = lat_state_or_new(fcinfo, alpha);
	if (!lat_same_double(e->sk.alpha, alpha))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relative accuracy changed within a group"),
				 errdetail("An earlier row used %g and this row %g.", e->sk.alpha, alpha),
				 errhint("Pass the same relative accuracy on every row of a group, e.g. a constant.")));
	lat_add_value(&e->sk, x);
	LAT_RETURN_STATE(e);
}

/* Shared body of the one-step transition functions: add x, attach or check q. */
static Datum
lat_accum_quantiles(FunctionCallInfo fcinfo, LatExpanded *e, double x,
					const double *q, int n, bool scalar)
{
	if (e == NULL)
		e = lat_state_or_new(fcinfo, LAT_DEFAULT_ALPHA);

	if (e->sk.has_quantiles)
		lat_check_same_quantiles(&e->sk, q, n, scalar);
	else
		lat_set_quantiles(&e->sk, q, n);
	lat_add_value(&e->sk, x);
	LAT_RETURN_STATE(e);
}

/* Transition function of percentile_latency(latency, p). */
PG_FUNCTION_INFO_V1(latency_accum_p);
Datum
latency_accum_p(PG_FUNCTION_ARGS)
{
	double		x;
	double		p;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		LAT_RETURN_ARG0();
	x = lat_check_latency(PG_GETARG_FLOAT8(1));
	p = PG_GETARG_FLOAT8(2);
	lat_check_p(p);
	if (p == 0.0)
		p = 0.0;				/* -0 is 0 */
	return lat_accum_quantiles(fcinfo, NULL, x, &p, 1, true);
}

/* Transition function of latency_percentiles(latency, p[]). */
PG_FUNCTION_INFO_V1(latency_accum_parr);
Datum
latency_accum_parr(PG_FUNCTION_ARGS)
{
	double		x;
	ArrayType  *arr;
	LatExpanded *e;
	double	   *q;
	int			n;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		LAT_RETURN_ARG0();
	x = lat_check_latency(PG_GETARG_FLOAT8(1));
	arr = PG_GETARG_ARRAYTYPE_P(2);
	e = lat_state_for_update(fcinfo, 0);
	if (e != NULL && lat_same_quantile_array(&e->sk, arr))
	{
		lat_add_value(&e->sk, x);
		LAT_RETURN_STATE(e);
	}
	q = lat_read_quantiles(arr, &n);
	return lat_accum_quantiles(fcinfo, e, x, q, n, false);
}

/* Combine function of every latency aggregate, and rollup()'s transition function. */
PG_FUNCTION_INFO_V1(latency_combine);
Datum
latency_combine(PG_FUNCTION_ARGS)
{
	LatExpanded *e;

	if (PG_ARGISNULL(1))
		LAT_RETURN_ARG0();
	e = lat_state_for_update(fcinfo, 0);
	if (e == NULL)
		e = lat_state_for_update(fcinfo, 1);	/* a copy of the first non-NULL input */
	else
		lat_merge(&e->sk, PG_GETARG_LAT(1));
	LAT_RETURN_STATE(e);
}

/* Final function of latency_agg() and rollup(): the flat sketch, without attached percentiles. */
PG_FUNCTION_INFO_V1(latency_sketch_final);
Datum
latency_sketch_final(PG_FUNCTION_ARGS)
{
	const LatSketch *s;
	LatSketch	copy;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = PG_GETARG_LAT(0);
	if (s->count == 0)
		PG_RETURN_NULL();
	copy = *s;
	copy.has_quantiles = false;
	copy.nquantiles = 0;
	PG_RETURN_DATUM(lat_flat_datum(&copy));
}

/* Final function of percentile_latency(). */
PG_FUNCTION_INFO_V1(latency_percentile_final);
Datum
latency_percentile_final(PG_FUNCTION_ARGS)
{
	const LatSketch *s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = PG_GETARG_LAT(0);
	if (s->count == 0 || !s->has_quantiles || s->nquantiles != 1)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(lat_quantile(s, s->quantiles[0]));
}

/* Final function of latency_percentiles(). */
PG_FUNCTION_INFO_V1(latency_percentiles_final);
Datum
latency_percentiles_final(PG_FUNCTION_ARGS)
{
	const LatSketch *s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = PG_GETARG_LAT(0);
	if (s->count == 0 || !s->has_quantiles)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(lat_quantiles_array(s, s->quantiles, s->nquantiles));
}

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
	int64		n = s->count;
	int64		k = (int64) ceil(p * (double) n);
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
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	if (k == 1)
		return s->min;
	if (k == n)
		return s->max;
	c = lat_cursor_seek(m, j, k);
	v = (c == LAT_ZERO_INDEX(s)) ? 0.0 : lat_bucket_value(s, c);
	if (v < s->min)
		v = s->min;
	if (v > s->max)
		v = s->max;
	return v;
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

/* Make the moving state's sketch whole for reading: min and max from the deques. */
static const LatSketch *
lat_moving_sketch(LatMoving *m)
{
	if (m->sk.count == 0 || !m->sk.has_quantiles)
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

/* ---------- accessors ---------- */

PG_FUNCTION_INFO_V1(latency_sketch_percentile);
Datum
latency_sketch_percentile(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);
	double		p = PG_GETARG_FLOAT8(1);

	lat_check_p(p);
	PG_RETURN_FLOAT8(lat_quantile(s, p));
}

PG_FUNCTION_INFO_V1(latency_sketch_percentiles);
Datum
latency_sketch_percentiles(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);
	int			n;
	double	   *q = lat_read_quantiles(PG_GETARG_ARRAYTYPE_P(1), &n);

	PG_RETURN_ARRAYTYPE_P(lat_quantiles_array(s, q, n));
}

PG_FUNCTION_INFO_V1(latency_sketch_percentile_rank);
Datum
latency_sketch_percentile_rank(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);
	double		x = PG_GETARG_FLOAT8(1);

	kpi_check_finite(x, "value");
	PG_RETURN_FLOAT8(lat_rank(s, x));
}

PG_FUNCTION_INFO_V1(latency_sketch_num_values);
Datum
latency_sketch_num_values(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_LAT(0)->count);
}

PG_FUNCTION_INFO_V1(latency_sketch_mean);
Datum
latency_sketch_mean(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);

	PG_RETURN_FLOAT8(s->sum / (double) s->count);
}

PG_FUNCTION_INFO_V1(latency_sketch_min);
Datum
latency_sketch_min(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(PG_GETARG_LAT(0)->min);
}

PG_FUNCTION_INFO_V1(latency_sketch_max);
Datum
latency_sketch_max(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(PG_GETARG_LAT(0)->max);
}

PG_FUNCTION_INFO_V1(latency_sketch_alpha);
Datum
latency_sketch_alpha(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(PG_GETARG_LAT(0)->alpha);
}
