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

/* ---------- bucket mapping (latency_sketch.c) ---------- */

extern void lat_set_alpha(LatSketch *s, double alpha);

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

/* ---------- expanded objects and aggregate states (latency_agg.c) ---------- */

extern const ExpandedObjectMethods lat_methods;
extern LatExpanded *lat_expanded_new(MemoryContext parent, double alpha);
extern const LatSketch *lat_read(Datum d);
extern LatExpanded *lat_state_for_update(FunctionCallInfo fcinfo, int argno);
extern LatExpanded *lat_state_new(FunctionCallInfo fcinfo, double alpha);

#define PG_GETARG_LAT(n) lat_read(PG_GETARG_DATUM(n))
#define LAT_RETURN_STATE(e) PG_RETURN_DATUM(EOHPGetRWDatum(&(e)->hdr))

#endif							/* LATENCY_H */
