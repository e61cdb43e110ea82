/*
 * latency.h
 *		Private header of the latency family: the only place that knows the
 *		latency_sketch layout -- the bucket mapping, the in-memory sketch,
 *		the flat (on-disk) and parsed forms -- and the functions the
 *		latency_*.c files share.  Not installed; other families go through
 *		the SQL functions or the declarations marked "for other families".
 *
 * A latency_sketch is a DDSketch with logarithmic buckets of base
 * gamma = (1+alpha)/(1-alpha), a zero bucket, exact count, sum, min and
 * max.  In memory a sketch keeps its buckets in a dense window of at most
 * LAT_MAX_BUCKETS counters.  On disk and in transit it is a flat varlena:
 * a fixed header, the requested percentiles (only inside the one-step
 * aggregates' states), then the non-empty buckets as varints (index delta,
 * count).  Bucket i holds the values x with i-1 < ln(x)/ln(gamma) <= i and
 * stands for gamma^i * (1-alpha), within alpha of every value it holds.
 *
 * Files: latency_sketch.c (bucket mapping, dense window, collapse, merge,
 * percentiles, validation), latency_io.c (flat format, text and binary
 * I/O), latency_agg.c (expanded-object glue, aggregates), latency_window.c
 * (moving-window engine), latency_access.c (accessors).
 */
#ifndef LATENCY_H
#define LATENCY_H

#include "pg_kpi.h"

#include <float.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/expandeddatum.h"

#define LAT_NAME "latency_sketch"
#define LAT_MAX_BUCKETS 4096		/* most buckets a sketch holds */
#define LAT_MIN_ALPHA 0.0001
#define LAT_MAX_ALPHA 0.1
#define LAT_DEFAULT_ALPHA 0.01
#define LAT_MAX_QUANTILES 1000		/* most percentiles one call asks for */
#define LAT_FLAG_QUANTILES 0x01		/* the state carries requested percentiles */

/*
 * The buckets are computed with an accuracy a hair tighter than the one the
 * user asked for, so rounding in log() and exp() can never push a result
 * past the promised bound.
 */
#define LAT_ALPHA_MARGIN (1.0 - 1e-7)

/*
 * Format versions of the flat and binary forms.  Version 1 (pg_kpi 1.0)
 * stores the sum as a float8 accumulated in row order; version 2 stores the
 * exact sum (LatSum limbs) beside its float8 rounding.  Both are read;
 * version 2 is written.
 */
#define LAT_FORMAT_V1 1
#define LAT_FORMAT_V2 2
#define LAT_FORMAT_VERSION LAT_FORMAT_V2

/*
 * The exact sum of the values: a fixed-point integer in 64-bit limbs where
 * bit position b stands for 2^(b - LAT_SUM_BIAS).  Every float8 is a
 * multiple of 2^-1074 (position 14) and a sum of at most 2^63 values below
 * 2^1024 stays below 2^1087 (position 2175), so LAT_SUM_LIMBS limbs hold
 * any sum exactly; integer addition is associative, so the sum depends only
 * on the multiset of values.  It is rounded to float8 once, when read.
 */
#define LAT_SUM_LIMBS 35
#define LAT_SUM_BIAS 1088

typedef struct LatSum
{
	uint64		limb[LAT_SUM_LIMBS];	/* least significant first */
} LatSum;

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
	LatSum		sum;			/* exact (not kept by moving-window states) */
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

/* The flat varlena's fixed header, format version 2 (8-byte aligned fields). */
typedef struct LatFlat
{
	int32		vl_len_;
	uint8		version;		/* LAT_FORMAT_V2 */
	uint8		flags;
	uint16		nquantiles;
	int32		nbuckets;		/* non-empty buckets */
	int32		first_index;	/* index of the first one (0 if none) */
	double		alpha;
	int64		count;
	int64		zero_count;
	double		sum;			/* the exact sum rounded to float8 */
	double		min;
	double		max;
	int16		sum_lo;			/* first stored limb of the exact sum */
	uint16		sum_nlimbs;		/* limbs stored: first and last non-zero; 0 if the sum is 0 */
	int32		reserved;		/* 0 */
	/* then double quantiles[nquantiles], uint64 limbs[sum_nlimbs], the bucket varints */
} LatFlat;

/*
 * The header of format version 1 (1.0): the same fields up to max, then
 * double quantiles[nquantiles] and the bucket varints.
 */
#define LAT_FLAT_V1_SIZE offsetof(LatFlat, sum_lo)

/* Fields common to the text, binary and flat forms, before validation. *//* Fields common to the text, binary and flat forms, before validation. */
typedef struct LatParsed
{
	double		alpha;
	int64		count;
	int64		zero_count;
	double		sum;			/* the float8 sum (rounded exact sum) */
	LatSum		sum_exact;
	double		min;
	double		max;
	int			nbuckets;
	int32	   *index;			/* [nbuckets], strictly increasing */
	int64	   *counts;			/* [nbuckets], each >= 1 */
	bool		has_quantiles;
	int			nquantiles;
	double	   *quantiles;
} LatParsed;


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

/* ---------- the exact sum (latency_sum.c) ---------- */

pg_attribute_noreturn() extern void lat_sum_overflow(void);
extern void lat_sum_merge(LatSum *dst, const LatSum *src);
extern double lat_sum_double(const LatSum *a);
extern void lat_sum_from_double(LatSum *a, double x);
extern void lat_sum_range(const LatSum *a, int *lo, int *nlimbs);
extern void lat_sum_append_text(StringInfo buf, const LatSum *a);

/*
 * Would the sum round to an infinite float8?  That starts at
 * 2^1024 - 2^970 (DBL_MAX plus half its last place: the tie goes to even,
 * past DBL_MAX): bits 10..63 of limb 32 all set, or anything in limbs 33+.
 */
static inline bool
lat_sum_too_large(const LatSum *a)
{
	return a->limb[33] != 0 || a->limb[34] != 0 ||
		a->limb[32] >= UINT64CONST(0xFFFFFFFFFFFFFC00);
}

/* Add v at limb i, carrying upwards. */
static inline void
lat_sum_add_at(LatSum *a, int i, uint64 v)
{
	while (v != 0 && i < LAT_SUM_LIMBS)
	{
		uint64		old = a->limb[i];

		a->limb[i] = old + v;
		v = a->limb[i] < old;
		i++;
	}
}

/* Add a finite x >= 0 exactly (the caller checks lat_sum_too_large). */
static inline void
lat_sum_add_raw(LatSum *a, double x)
{
	uint64		bits;
	uint64		mant;
	int			exp;
	int			pos;

	memcpy(&bits, &x, sizeof(bits));
	mant = bits & ((UINT64CONST(1) << 52) - 1);
	exp = (int) (bits >> 52) & 0x7ff;
	if (exp == 0)
	{
		if (mant == 0)
			return;
		pos = LAT_SUM_BIAS - 1074;	/* subnormal: lsb is 2^-1074 */
	}
	else
	{
		mant |= UINT64CONST(1) << 52;
		pos = LAT_SUM_BIAS + exp - 1075;
	}
#ifdef HAVE_INT128
	{
		/* One 128-bit add over the two limbs the value touches, then any carry. */
		int			i = pos >> 6;
		uint128		cur = ((uint128) a->limb[i + 1] << 64) | a->limb[i];
		uint128		sum = cur + ((uint128) mant << (pos & 63));

		a->limb[i] = (uint64) sum;
		a->limb[i + 1] = (uint64) (sum >> 64);
		if (unlikely(sum < cur))
			lat_sum_add_at(a, i + 2, 1);
	}
#else
	lat_sum_add_at(a, pos >> 6, mant << (pos & 63));
	if ((pos & 63) != 0)
		lat_sum_add_at(a, (pos >> 6) + 1, mant >> (64 - (pos & 63)));
#endif
}

/* Add a finite x >= 0 exactly; 22003 if the sum leaves the float8 range. */
static inline void
lat_sum_add(LatSum *a, double x)
{
	lat_sum_add_raw(a, x);
	if (unlikely(lat_sum_too_large(a)))
		lat_sum_overflow();
}

/* ---------- bucket mapping (latency_sketch.c) ---------- */

extern void lat_set_alpha(LatSketch *s, double alpha);

/* Set the constants of the bucket mapping (all but index_lo/index_hi) from alpha. */
static inline void
lat_set_gamma(LatSketch *s, double alpha)
{
	s->alpha = alpha;
	s->alpha_eff = alpha * LAT_ALPHA_MARGIN;
	s->ln_gamma = log1p(2.0 * s->alpha_eff / (1.0 - s->alpha_eff));
	s->inv_ln_gamma = 1.0 / s->ln_gamma;
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

/* ---------- the dense bucket window (latency_sketch.c) ---------- */

#define LAT_BITMAP_WORDS (LAT_MAX_BUCKETS / 64)

extern void lat_bitmap_rebuild(LatSketch *s);
extern int32 lat_bitmap_next(const LatSketch *s, int32 i);
extern int32 lat_bitmap_prev(const LatSketch *s, int32 i);
extern void lat_ensure_window(LatSketch *s, int32 a, int32 b);
extern void lat_add_index(LatSketch *s, int32 i, int64 n);
extern void lat_remove_index(LatSketch *s, int32 i);

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
	lat_sum_add(&s->sum, x);
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

/* ---------- percentiles, building, merging, validation (latency_sketch.c) ---------- */

/*
 * The nearest rank of percentile p among n >= 1 values: max(1, ceil(p*n))
 * (percentile_disc's rank), at most n.  Computed in double and compared
 * before converting, so no n (up to 2^63-1) overflows the conversion.
 */
static inline int64
lat_nearest_rank(double p, int64 n)
{
	double		r = ceil(p * (double) n);

	if (!(r >= 1.0))
		return 1;
	if (r >= (double) n)
		return n;
	return (int64) r;
}

/* v clamped to [min, max]. */
static inline double
lat_clamp(double v, double min, double max)
{
	return v < min ? min : (v > max ? max : v);
}

/*
 * The percentile rule of every reader (in-memory, moving window, stored):
 * the rank is k = lat_nearest_rank(p, n); the first and last ranks are the
 * exact min and max, other ranks in the zero bucket are 0, and the rest are
 * the value of the bucket holding rank k, clamped to [min, max].  Sets *k;
 * returns true with *value set when no bucket is needed.
 */
static inline bool
lat_quantile_direct(double p, int64 n, int64 zero_count, double min, double max,
					int64 *k, double *value)
{
	*k = lat_nearest_rank(p, n);
	if (*k == 1)
		*value = min;
	else if (*k == n)
		*value = max;
	else if (*k <= zero_count)
		*value = lat_clamp(0.0, min, max);
	else
		return false;
	return true;
}

extern double lat_quantile(const LatSketch *s, double p);
extern double lat_rank(const LatSketch *s, double x);
extern void lat_init(LatSketch *s, double alpha, MemoryContext cxt);
extern void lat_set_quantiles(LatSketch *s, const double *q, int n);
extern void lat_check_same_quantiles(const LatSketch *s, const double *q, int n, bool scalar);
extern void lat_copy(LatSketch *dst, const LatSketch *src);
extern void lat_merge(LatSketch *dst, const LatSketch *src);
extern const char *lat_problem(const LatParsed *p);
extern void lat_from_parsed(LatSketch *s, const LatParsed *p);
extern double *lat_read_quantiles(ArrayType *arr, int *n);
extern ArrayType *lat_quantiles_array(const LatSketch *s, const double *q, int n);

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

/* ---------- the flat form (latency_io.c) ---------- */


extern Size lat_stream_size(const LatSketch *s);
extern int32 lat_stream_write(const LatSketch *s, uint8 *out);
extern const char *lat_stream_read(LatParsed *p, int32 first_index, const uint8 *data, Size len);
extern Size lat_flat_size(const LatSketch *s);
extern void lat_flat_write(const LatSketch *s, void *result, Size size);
extern Datum lat_flat_datum(const LatSketch *s);
extern void lat_from_flat(LatSketch *s, const struct varlena *v);

/*
 * A flat sketch of either format version, looked at in place (the read
 * path of the accessors): the common header fields up to max through f,
 * and where its parts start.  Doubles after the header may be unaligned in
 * principle: read them with memcpy.
 */
typedef struct LatView
{
	const LatFlat *f;			/* only the fields up to max in version 1 */
	int			sum_lo;			/* version 2: the exact sum's limbs */
	int			sum_nlimbs;
	const uint8 *quantiles;		/* double[f->nquantiles] */
	const uint8 *limbs;			/* uint64[sum_nlimbs] */
	const uint8 *stream;		/* bucket varints up to end */
	const uint8 *end;
} LatView;

extern void lat_view_init(LatView *v, const struct varlena *flat);

/* ---------- expanded objects and aggregate states (latency_agg.c) ---------- */

extern const ExpandedObjectMethods lat_methods;
extern LatExpanded *lat_expanded_new(MemoryContext parent, double alpha);
extern const LatSketch *lat_read(Datum d);
extern LatExpanded *lat_state_for_update(FunctionCallInfo fcinfo, int argno);
extern LatExpanded *lat_state_new(FunctionCallInfo fcinfo, double alpha);

#define PG_GETARG_LAT(n) lat_read(PG_GETARG_DATUM(n))
#define LAT_RETURN_STATE(e) PG_RETURN_DATUM(EOHPGetRWDatum(&(e)->hdr))

#endif							/* LATENCY_H */
