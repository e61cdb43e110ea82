/*
 * revenue.c
 *		Revenue KPIs, money kept in numeric end to end: mrr() (exact sums
 *		per billing period in an expanded numeric[] state, each converted to
 *		one month once at the end; a moving-aggregate mode for window
 *		frames), ltv(), cac(), cac_payback_months(), the ltv_cac_ratio(),
 *		net_revenue_retention() and gross_revenue_retention() aggregates over
 *		a numeric[2] state of exact sums, and the mrr_movement() window
 *		function.
 */
#include "pg_kpi.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "windowapi.h"

/*
 * One month is 30.4375 days (365.25 / 12), in microseconds: the unit in
 * which billing periods are measured.  30.4375 * 86400 is a whole number of
 * seconds, so every interval is an exact integer number of microseconds.
 */
#define MRR_USECS_PER_MONTH INT64CONST(2629800000000)

/*
 * mrr()'s state is a numeric[] of pairs {period, sum, period, sum, ...}: for
 * each distinct billing period (its length in microseconds, an integer) the
 * exact sum of the amounts billed with it; and (since 1.1) one pair
 * {0, rows} counting the rows, for pg_kpi.min_group_size.  A state without
 * it (built by 1.0) counts as 0 rows.  Amounts are only added, never
 * divided, until the final function converts each period's sum to one
 * month once; so the result does not depend on the order of the rows, the
 * grouping of a parallel plan, or how many rows share a period.  Inside an
 * aggregate the array is an expanded object in the aggregate context,
 * updated in place; its flat form (plain numeric[] text and binary I/O) is
 * what crosses process boundaries.
 */
#define MRR_STATE_NAME "mrr state"

/* mrr()'s per-call cache in fn_extra: the last billing period seen, as a key. */
typedef struct MrrCache
{
	int64		usecs;			/* the period; 0 = none yet */
	Numeric		key;			/* usecs as a numeric, in fn_mcxt */
	int			last_index;		/* where the key was found last time */
	Numeric		rows_key;		/* 0: the key of the row-count pair, in fn_mcxt */
	Numeric		one;			/* 1, in fn_mcxt */
	int			rows_index;		/* where the row-count pair was found last time */
	ArrayMetaState meta;		/* element type data for expand_array() */
} MrrCache;

/*
 * A hash index of an mrr state with many periods: billing period -> element
 * index of its key in the state array.  It is attached to the expanded
 * array's own memory context (as the argument of a reset callback, which is
 * how it is found again), so it lives and dies with that one state; a state
 * with few periods is searched linearly.
 */
#define MRR_INDEX_MIN_PERIODS 8

typedef struct MrrIndexEntry
{
	int64		usecs;			/* the billing period */
	int32		index;			/* element index of its key in the state */
	char		status;			/* simplehash bookkeeping */
} MrrIndexEntry;

#define SH_PREFIX mrrix
#define SH_ELEMENT_TYPE MrrIndexEntry
#define SH_KEY_TYPE int64
#define SH_KEY usecs
#define SH_HASH_KEY(tb, k) murmurhash32((uint32) (k) ^ (uint32) ((uint64) (k) >> 32))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

typedef struct MrrIndex
{
	MemoryContextCallback cb;	/* registered on the state's context; finds the index */
	mrrix_hash *hash;
	int			nindexed;		/* state elements [0, nindexed) are in the hash */
} MrrIndex;

/* One billing period of mrr()'s moving-aggregate state. */
typedef struct MrrMovingPeriod
{
	int64		usecs;			/* the period's length */
	Numeric		sum;			/* Σ amount, in the aggregate context; NULL if no row */
	int64		count;			/* rows in the frame with this period */
	int32		max_scale;		/* largest display scale of those amounts */
	int64		max_scale_count;	/* how many of them have max_scale */
} MrrMovingPeriod;

/* Moving-aggregate state of mrr() (internal: window frames are never distributed). */
typedef struct MrrMovingState
{
	int			nperiods;
	int			maxperiods;
	MrrMovingPeriod *periods;	/* in the aggregate context */
	mrrix_hash *index;			/* period -> index in periods[], once there are many */
} MrrMovingState;

/* mrr_movement()'s memory for one partition. */
typedef struct MrrMovementState
{
	int64		next_pos;		/* the row position expected next */
	bool		ever_paid;		/* an earlier row had MRR > 0 */
} MrrMovementState;

/* The numeric of an int64. */
static inline Numeric
rev_int64_numeric(int64 value)
{
	return int64_to_numeric(value);
}

/* Is a numeric NaN or ±Infinity? */
static inline bool
rev_numeric_special(Numeric value)
{
	return numeric_is_nan(value) || numeric_is_inf(value);
}

/* Text of a numeric, for error messages. */
static inline char *
rev_numeric_text(Numeric value)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value)));
}

/* Compare a numeric with zero: -1, 0 or 1. */
static inline int
rev_numeric_sign(Numeric value)
{
	static Numeric zero = NULL;

	if (zero == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		zero = rev_int64_numeric(0);
		MemoryContextSwitchTo(old);
	}
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(value),
											 NumericGetDatum(zero)));
}

/* Compare two numerics: -1, 0 or 1. */
static inline int
rev_numeric_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a),
											 NumericGetDatum(b)));
}

/* Reject a NaN or infinite money amount (22003), naming the argument. */
static inline void
rev_check_money(Numeric value, const char *what)
{
	if (unlikely(rev_numeric_special(value)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be finite, got %s", what, rev_numeric_text(value)),
				 errdetail("Money amounts must be finite numbers.")));
}

/* Reject a NaN, infinite or negative money amount (22003). */
static inline void
rev_check_money_nonnegative(Numeric value, const char *what)
{
	rev_check_money(value, what);
	if (unlikely(rev_numeric_sign(value) < 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must not be negative, got %s", what, rev_numeric_text(value))));
}

/* Reject a share (churn rate, gross margin) that is not finite or outside [0,1]. */
static inline void
rev_check_share(double value, const char *what)
{
	kpi_check_finite(value, what);
	if (unlikely(value < 0.0 || value > 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s %g is out of range", what, value),
				 errdetail("A %s is a fraction between 0 and 1, such as 0.05 for 5%%.", what)));
}

/* Reject an MRR value that is NaN, infinite or negative (22003). */
static inline void
rev_check_mrr(Numeric value, const char *what)
{
	rev_check_money(value, what);
	if (unlikely(rev_numeric_sign(value) < 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must not be negative, got %s", what, rev_numeric_text(value)),
				 errdetail("Monthly recurring revenue is zero or positive."),
				 errhint("Net credits against revenue first, or clamp with greatest(%s, 0).", what)));
}

/* Greatest common divisor of two positive int64s. */
static inline int64
rev_gcd(int64 a, int64 b)
{
	while (b != 0)
	{
		int64		t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Length of a billing period in microseconds: months at 30.4375 days, days
 * at 24 hours, plus the time part.  It must be positive (22023) and fit in
 * 64 bits (22003).
 */
static inline int64
mrr_period_usecs(const Interval *period)
{
	int64		months,
				days,
				total;

	if (unlikely(pg_mul_s64_overflow((int64) period->month, MRR_USECS_PER_MONTH, &months) ||
				 pg_mul_s64_overflow((int64) period->day, USECS_PER_DAY, &days) ||
				 pg_add_s64_overflow(months, days, &total) ||
				 pg_add_s64_overflow(total, period->time, &total)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("billing period %s is out of range",
						DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(period)))),
				 errdetail("A billing period must be shorter than about 292,000 years.")));
	if (unlikely(total <= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("billing period %s is not positive",
						DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(period)))),
				 errdetail("A billing period must be longer than zero, such as '1 month', '3 months', '1 year' or '7 days'.")));
	return total;
}

/*
 * A billing period's sum of amounts converted to one month: sum * num / den
 * with the reduced fraction (month length) / (period length), one exact
 * multiplication and one numeric division at PostgreSQL's usual result
 * scale (at least 16 significant digits).  A monthly period is exact.
 */
static Numeric
mrr_period_monthly(Numeric sum, int64 usecs)
{
	int64		g = rev_gcd(MRR_USECS_PER_MONTH, usecs);
	int64		num = MRR_USECS_PER_MONTH / g;
	int64		den = usecs / g;
	Numeric		result = sum;

	if (num != 1)
		result = numeric_mul_opt_error(result, rev_int64_numeric(num), NULL);
	if (den != 1)
		result = numeric_div_opt_error(result, rev_int64_numeric(den), NULL);
	return result;
}

/* Display scale of a finite numeric. */
static inline int32
rev_numeric_scale(Numeric value)
{
	return DatumGetInt32(DirectFunctionCall1(numeric_scale, NumericGetDatum(value)));
}

/* Raise the 22023 error for a malformed mrr state, with a detail sentence. */
pg_attribute_noreturn() static void
mrr_state_invalid(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s", MRR_STATE_NAME),
			 errdetail("%s", detail)));
	pg_unreachable();
}

/*
 * Read and check any mrr state (flat or expanded, from any caller): a
 * one-dimensional numeric[] without NULLs of {period, sum} pairs, each
 * period a positive whole number of microseconds, each sum finite, and at
 * most one {0, rows} pair whose rows is a whole number >= 0.
 * Returns the periods and sums (in the current memory context).
 */
static int
mrr_state_read(Datum state, int64 **usecs_out, Numeric **sums_out)
{
	Datum	   *values;
	bool	   *nulls = NULL;
	int			nelems;
	int			npairs;
	int64	   *usecs;
	Numeric    *sums;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(state)))
	{
		ExpandedArrayHeader *eah = (ExpandedArrayHeader *) DatumGetEOHP(state);

		if (eah->ea_magic != EA_MAGIC || eah->element_type != NUMERICOID || eah->ndims > 1)
			mrr_state_invalid("The state must be a one-dimensional numeric array.");
		if (eah->dvalues != NULL)
		{
			values = eah->dvalues;
			nulls = eah->dnulls;
			nelems = eah->nelems;
		}
		else
			deconstruct_array(eah->fvalue, NUMERICOID, -1, false, TYPALIGN_INT,
							  &values, &nulls, &nelems);
	}
	else
	{
		ArrayType  *arr = DatumGetArrayTypeP(state);

		if (ARR_ELEMTYPE(arr) != NUMERICOID || ARR_NDIM(arr) > 1)
			mrr_state_invalid("The state must be a one-dimensional numeric array.");
		deconstruct_array(arr, NUMERICOID, -1, false, TYPALIGN_INT, &values, &nulls, &nelems);
	}
	if (nelems % 2 != 0)
		mrr_state_invalid("The state must hold pairs of a billing period in microseconds and a sum.");
	npairs = nelems / 2;
	usecs = palloc(sizeof(int64) * Max(npairs, 1));
	sums = palloc(sizeof(Numeric) * Max(npairs, 1));
	for (int i = 0; i < npairs; i++)
	{
		Numeric		key,
					sum;
		int64		k;

		CHECK_FOR_INTERRUPTS();
		if (nulls != NULL && (nulls[2 * i] || nulls[2 * i + 1]))
			mrr_state_invalid("The state must not contain NULLs.");
		key = DatumGetNumeric(values[2 * i]);
		sum = DatumGetNumeric(values[2 * i + 1]);
		if (rev_numeric_special(key) || rev_numeric_special(sum))
			mrr_state_invalid("The periods and sums in the state must be finite.");
		if (rev_numeric_sign(key) == 0)
		{
			/* the row count: a whole number >= 0, at most once */
			if (rev_numeric_sign(sum) < 0 ||
				rev_numeric_cmp(sum, rev_int64_numeric(PG_INT64_MAX)) > 0 ||
				rev_numeric_cmp(sum, rev_int64_numeric(DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(sum))))) != 0)
				mrr_state_invalid("The row count in the state (the pair with period 0) must be a whole number of rows.");
			for (int j = 0; j < i; j++)
				if (usecs[j] == 0)
					mrr_state_invalid("The state must hold one row count (the pair with period 0).");
			usecs[i] = 0;
			sums[i] = sum;
			continue;
		}
		if (rev_numeric_sign(key) < 0 ||
			rev_numeric_cmp(key, rev_int64_numeric(PG_INT64_MAX)) > 0)
			mrr_state_invalid("A billing period in the state must be a positive number of microseconds.");
		k = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(key)));
		if (rev_numeric_cmp(key, rev_int64_numeric(k)) != 0)
			mrr_state_invalid("A billing period in the state must be a whole number of microseconds.");
		usecs[i] = k;
		sums[i] = sum;
	}
	*usecs_out = usecs;
	*sums_out = sums;
	return npairs;
}

/* The fn_extra cache of mrr()'s transition and combine functions. */
static inline MrrCache *
mrr_cache(FunctionCallInfo fcinfo)
{
	MrrCache   *cache = (MrrCache *) fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		MemoryContext old;

		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(MrrCache));
		cache->meta.element_type = InvalidOid;
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		cache->rows_key = rev_int64_numeric(0);
		cache->one = rev_int64_numeric(1);
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

/* Point the cache's key at a billing period (a numeric made once per distinct period). */
static inline void
mrr_cache_set_period(FunctionCallInfo fcinfo, MrrCache *cache, int64 usecs)
{
	if (cache->usecs != usecs)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (cache->key != NULL)
			pfree(cache->key);
		cache->key = rev_int64_numeric(usecs);
		cache->usecs = usecs;
		MemoryContextSwitchTo(old);
	}
}

/*
 * The mrr state to update.  Inside an aggregate, a read-write expanded
 * array is the aggregate's own state and is updated in place; a NULL state
 * becomes a new empty expanded array in the aggregate context; anything
 * else is checked and expanded into a copy (so a direct call never
 * modifies its argument).
 */
static ExpandedArrayHeader *
mrr_state_for_update(FunctionCallInfo fcinfo, MrrCache *cache)
{
	MemoryContext aggcontext;
	ExpandedArrayHeader *eah;
	Datum		state;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		aggcontext = CurrentMemoryContext;
	if (PG_ARGISNULL(0))
		return construct_empty_expanded_array(NUMERICOID, aggcontext, &cache->meta);
	state = PG_GETARG_DATUM(0);
	eah = (ExpandedArrayHeader *) kpi_expanded_own_state(fcinfo, 0, NULL);
	if (eah != NULL && eah->ea_magic == EA_MAGIC && eah->element_type == NUMERICOID &&
		eah->ndims <= 1)
	{
		deconstruct_expanded_array(eah);
		return eah;
	}
	{
		int64	   *usecs;
		Numeric    *sums;

		(void) mrr_state_read(state, &usecs, &sums);
	}
	return (ExpandedArrayHeader *) DatumGetEOHP(expand_array(state, aggcontext, &cache->meta));
}

/* Does an element of the state hold exactly the numeric key? (Keys are canonical integers.) */
static inline bool
mrr_key_equal(Datum element, Numeric key)
{
	Size		len = VARSIZE_ANY_EXHDR(DatumGetPointer(element));

	return len == VARSIZE_ANY_EXHDR(key) &&
		memcmp(VARDATA_ANY(DatumGetPointer(element)), VARDATA_ANY(key), len) == 0;
}

/* Replace element i (0-based) of a one-dimensional expanded array; the value is copied. */
static inline void
mrr_state_set(ExpandedArrayHeader *eah, int i, Datum value)
{
	int			index = (eah->ndims == 0 ? 1 : eah->lbound[0]) + i;

	(void) array_set_element(EOHPGetRWDatum(&eah->hdr), 1, &index, value, false,
							 -1, -1, false, TYPALIGN_INT);
}

/* Reset callback of a state's context: the index goes with the context's memory. */
static void
mrr_index_forget(void *arg)
{
}

/* The index attached to a state's context, or NULL. */
static inline MrrIndex *
mrr_index_find(ExpandedArrayHeader *eah)
{
	for (MemoryContextCallback *cb = eah->hdr.eoh_context->reset_cbs; cb != NULL; cb = cb->next)
		if (cb->func == mrr_index_forget)
			return (MrrIndex *) cb->arg;
	return NULL;
}

/* The state's index (made on first use), brought up to date with its elements. */
static MrrIndex *
mrr_state_index(ExpandedArrayHeader *eah)
{
	MrrIndex   *ix = mrr_index_find(eah);

	if (ix == NULL)
	{
		ix = MemoryContextAllocZero(eah->hdr.eoh_context, sizeof(MrrIndex));
		ix->hash = mrrix_create(eah->hdr.eoh_context, Max(eah->nelems, 16), NULL);
		ix->cb.func = mrr_index_forget;
		ix->cb.arg = ix;
		MemoryContextRegisterResetCallback(eah->hdr.eoh_context, &ix->cb);
	}
	for (int i = ix->nindexed; i + 1 < eah->nelems; i += 2)
	{
		int64		usecs = DatumGetInt64(DirectFunctionCall1(numeric_int8, eah->dvalues[i]));
		bool		found;
		MrrIndexEntry *entry;

		CHECK_FOR_INTERRUPTS();
		entry = mrrix_insert(ix->hash, usecs, &found);
		if (!found)
			entry->index = i;
		ix->nindexed = i + 2;
	}
	return ix;
}

/* A period was appended at element index i: keep an up-to-date index so. */
static inline void
mrr_index_added(ExpandedArrayHeader *eah, int64 usecs, int i)
{
	MrrIndex   *ix = mrr_index_find(eah);

	if (ix != NULL && ix->nindexed == i)
	{
		bool		found;

		mrrix_insert(ix->hash, usecs, &found)->index = i;
		ix->nindexed = i + 2;
	}
}

/*
 * Add amount to the sum of the pair with this key, appending the pair if
 * new; *hint is where the key was found last time, updated.  usecs is the
 * key as an integer (0 for the row count), for the hash index.
 */
static void
mrr_state_add_key(ExpandedArrayHeader *eah, Numeric key, int64 usecs, int *hint, Numeric amount)
{
	int			nelems;
	int			found = -1;

	deconstruct_expanded_array(eah);
	nelems = eah->nelems;
	if (*hint + 1 < nelems && mrr_key_equal(eah->dvalues[*hint], key))
		found = *hint;
	else if (nelems / 2 >= MRR_INDEX_MIN_PERIODS)
	{
		MrrIndex   *ix = mrr_state_index(eah);
		MrrIndexEntry *entry = mrrix_lookup(ix->hash, usecs);

		if (entry != NULL)
			found = entry->index;
	}
	else
	{
		for (int i = 0; i + 1 < nelems; i += 2)
		{
			if (mrr_key_equal(eah->dvalues[i], key))
			{
				found = i;
				break;
			}
		}
	}
	if (found >= 0)
	{
		/*
		 * Replace the sum in place: the new sum is made directly in the
		 * array's memory context, the old one freed unless it lies in the
		 * array's original flat copy, and the flat form is invalidated (what
		 * array_set_element() does, without its extra copy per row).
		 */
		Pointer		old = DatumGetPointer(eah->dvalues[found + 1]);
		MemoryContext oldcxt = MemoryContextSwitchTo(eah->hdr.eoh_context);
		Numeric		sum = numeric_add_opt_error(DatumGetNumeric(PointerGetDatum(old)),
												amount, NULL);

		MemoryContextSwitchTo(oldcxt);
		eah->dvalues[found + 1] = NumericGetDatum(sum);
		if (old < eah->fstartptr || old >= eah->fendptr)
			pfree(old);
		eah->fvalue = NULL;
		eah->flat_size = 0;
		*hint = found;
	}
	else
	{
		if (nelems > (int) (MaxAllocSize / sizeof(Datum)) - 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("mrr state has too many distinct billing periods")));
		mrr_state_set(eah, nelems, NumericGetDatum(key));
		mrr_state_set(eah, nelems + 1, NumericGetDatum(amount));
		*hint = nelems;
		mrr_index_added(eah, usecs, nelems);
	}
}

/* Add amount to the sum of the cached period in the state, appending the period if new. */
static inline void
mrr_state_add(ExpandedArrayHeader *eah, MrrCache *cache, Numeric amount)
{
	mrr_state_add_key(eah, cache->key, cache->usecs, &cache->last_index, amount);
}

/* Add rows to the state's row count (the pair with period 0). */
static inline void
mrr_state_add_rows(ExpandedArrayHeader *eah, MrrCache *cache, Numeric rows)
{
	mrr_state_add_key(eah, cache->rows_key, 0, &cache->rows_index, rows);
}

/*
 * Transition function of mrr(): add one row's amount to the exact sum of
 * its billing period.  The state starts NULL (no rows yet); rows with a
 * NULL amount or period are skipped.
 */
PG_FUNCTION_INFO_V1(mrr_accum);
Datum
mrr_accum(PG_FUNCTION_ARGS)
{
	MrrCache   *cache;
	ExpandedArrayHeader *eah;
	Numeric		amount;
	int64		usecs;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		/* A direct call must not hand back an invalid state unchecked. */
		if (!AggCheckCallContext(fcinfo, NULL))
		{
			int64	   *usecs;
			Numeric    *sums;

			(void) mrr_state_read(PG_GETARG_DATUM(0), &usecs, &sums);
		}
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	amount = PG_GETARG_NUMERIC(1);
	rev_check_money(amount, "amount");
	usecs = mrr_period_usecs(PG_GETARG_INTERVAL_P(2));
	cache = mrr_cache(fcinfo);
	mrr_cache_set_period(fcinfo, cache, usecs);
	eah = mrr_state_for_update(fcinfo, cache);
	mrr_state_add_rows(eah, cache, cache->one);
	mrr_state_add(eah, cache, amount);
	PG_RETURN_EXPANDED_ARRAY(eah);
}

/* Combine function of mrr(): add the other state's sums period by period; NULL means no rows. */
PG_FUNCTION_INFO_V1(mrr_combine);
Datum
mrr_combine(PG_FUNCTION_ARGS)
{
	MrrCache   *cache;
	ExpandedArrayHeader *eah;
	int64	   *usecs;
	Numeric    *sums;
	int			npairs;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		/* A direct call must not hand back an invalid state unchecked. */
		if (!AggCheckCallContext(fcinfo, NULL))
			(void) mrr_state_read(PG_GETARG_DATUM(0), &usecs, &sums);
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	npairs = mrr_state_read(PG_GETARG_DATUM(1), &usecs, &sums);
	cache = mrr_cache(fcinfo);
	eah = mrr_state_for_update(fcinfo, cache);
	for (int i = 0; i < npairs; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (usecs[i] == 0)
		{
			mrr_state_add_rows(eah, cache, sums[i]);
			continue;
		}
		mrr_cache_set_period(fcinfo, cache, usecs[i]);
		mrr_state_add(eah, cache, sums[i]);
	}
	PG_RETURN_EXPANDED_ARRAY(eah);
}

/*
 * Σ over periods of the period's sum converted to one month; NULL if there
 * is none, or if the rows are fewer than pg_kpi.min_group_size.  The pair
 * with period 0, if any, is the row count.
 */
static Datum
mrr_total(FunctionCallInfo fcinfo, int n, const int64 *usecs, Numeric const *sums, int64 rows)
{
	Numeric		total = NULL;

	if (kpi_group_suppressed(rows))
		PG_RETURN_NULL();
	for (int i = 0; i < n; i++)
	{
		Numeric		monthly;

		if (sums[i] == NULL || usecs[i] == 0)
			continue;
		monthly = mrr_period_monthly(sums[i], usecs[i]);
		total = (total == NULL) ? monthly : numeric_add_opt_error(total, monthly, NULL);
	}
	if (total == NULL)
		PG_RETURN_NULL();
	/* Never hand out a pointer into the state. */
	PG_RETURN_NUMERIC(DatumGetNumericCopy(NumericGetDatum(total)));
}

/* Final function of mrr(): each period's exact sum divided once, then added. */
PG_FUNCTION_INFO_V1(mrr_final);
Datum
mrr_final(PG_FUNCTION_ARGS)
{
	int64	   *usecs;
	Numeric    *sums;
	int			npairs = mrr_state_read(PG_GETARG_DATUM(0), &usecs, &sums);
	int64		rows = 0;

	for (int i = 0; i < npairs; i++)
		if (usecs[i] == 0)
			rows = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(sums[i])));
	return mrr_total(fcinfo, npairs, usecs, sums, rows);
}

/* The aggregate context of a moving-aggregate call; error outside one. */
static inline MemoryContext
mrr_moving_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "mrr moving-aggregate function called in non-aggregate context");
	return aggcontext;
}

/* The moving state's entry for a billing period, added (empty) if create is set. */
static MrrMovingPeriod *
mrr_moving_period(MrrMovingState *state, MemoryContext aggcontext, int64 usecs, bool create)
{
	MrrMovingPeriod *p;
	MrrIndexEntry *entry;
	bool		found;

	if (state->index != NULL)
	{
		entry = mrrix_lookup(state->index, usecs);
		if (entry != NULL)
			return &state->periods[entry->index];
	}
	else
	{
		for (int i = 0; i < state->nperiods; i++)
			if (state->periods[i].usecs == usecs)
				return &state->periods[i];
	}
	if (!create)
		return NULL;
	if (state->nperiods == state->maxperiods)
	{
		int			newmax = state->maxperiods * 2;

		if ((Size) newmax * sizeof(MrrMovingPeriod) >= MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("mrr window frame has too many distinct billing periods")));
		state->periods = repalloc(state->periods, newmax * sizeof(MrrMovingPeriod));
		state->maxperiods = newmax;
	}
	p = &state->periods[state->nperiods++];
	memset(p, 0, sizeof(MrrMovingPeriod));
	p->usecs = usecs;
	if (state->index == NULL && state->nperiods >= MRR_INDEX_MIN_PERIODS)
	{
		/* Many periods: index them all from now on. */
		state->index = mrrix_create(aggcontext, state->nperiods * 2, NULL);
		for (int i = 0; i < state->nperiods; i++)
			mrrix_insert(state->index, state->periods[i].usecs, &found)->index = i;
	}
	else if (state->index != NULL)
		mrrix_insert(state->index, usecs, &found)->index = state->nperiods - 1;
	return p;
}

/* Replace a period's sum by new_sum, copied into the aggregate context. */
static inline void
mrr_moving_set_sum(MrrMovingPeriod *p, MemoryContext aggcontext, Numeric new_sum)
{
	Numeric		copy = (Numeric) MemoryContextAlloc(aggcontext, VARSIZE(new_sum));

	memcpy(copy, new_sum, VARSIZE(new_sum));
	if (p->sum != NULL)
		pfree(p->sum);
	p->sum = copy;
}

/*
 * Forward transition of mrr() in a moving window frame: add the amount to
 * its period's sum, tracking the largest display scale as numeric's own
 * sum() does, so that the result prints exactly like a fresh computation.
 */
PG_FUNCTION_INFO_V1(mrr_moving_accum);
Datum
mrr_moving_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = mrr_moving_context(fcinfo);
	MrrMovingState *state;
	MrrMovingPeriod *p;
	Numeric		amount;
	int32		scale;

	if (PG_ARGISNULL(0))
	{
		state = MemoryContextAllocZero(aggcontext, sizeof(MrrMovingState));
		state->maxperiods = 4;
		state->periods = MemoryContextAlloc(aggcontext, state->maxperiods * sizeof(MrrMovingPeriod));
	}
	else
		state = (MrrMovingState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);

	amount = PG_GETARG_NUMERIC(1);
	rev_check_money(amount, "amount");
	p = mrr_moving_period(state, aggcontext,
						  mrr_period_usecs(PG_GETARG_INTERVAL_P(2)), true);
	scale = rev_numeric_scale(amount);
	mrr_moving_set_sum(p, aggcontext, p->sum == NULL ? amount :
					   numeric_add_opt_error(p->sum, amount, NULL));
	p->count++;
	if (p->count == 1 || scale > p->max_scale)
	{
		p->max_scale = scale;
		p->max_scale_count = 1;
	}
	else if (scale == p->max_scale)
		p->max_scale_count++;
	PG_RETURN_POINTER(state);
}

/*
 * Inverse transition of mrr(): subtract the amount from its period's sum
 * again (exact in numeric).  Returns NULL, which makes the window restart
 * the frame, when the last amount with the period's largest display scale
 * leaves while others stay, since the sum's display scale cannot shrink.
 */
PG_FUNCTION_INFO_V1(mrr_moving_discard);
Datum
mrr_moving_discard(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = mrr_moving_context(fcinfo);
	MrrMovingState *state;
	MrrMovingPeriod *p;
	Numeric		amount;
	int32		scale;

	if (PG_ARGISNULL(0))
		elog(ERROR, "mrr inverse transition called without a state");
	state = (MrrMovingState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);

	amount = PG_GETARG_NUMERIC(1);
	rev_check_money(amount, "amount");
	p = mrr_moving_period(state, aggcontext,
						  mrr_period_usecs(PG_GETARG_INTERVAL_P(2)), false);
	if (p == NULL || p->count <= 0 || p->sum == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot remove a row that was never added to the mrr state")));
	if (p->count == 1)
	{
		/*
		 * The period's last row leaves: the period drops out of the frame
		 * (the last period takes its place), so the state holds only the
		 * frame's periods however many a partition has.
		 */
		int			idx = p - state->periods;
		int			last = state->nperiods - 1;

		pfree(p->sum);
		if (state->index != NULL)
			mrrix_delete(state->index, p->usecs);
		if (idx != last)
		{
			state->periods[idx] = state->periods[last];
			if (state->index != NULL)
				mrrix_lookup(state->index, state->periods[idx].usecs)->index = idx;
		}
		state->nperiods--;
		PG_RETURN_POINTER(state);
	}
	scale = rev_numeric_scale(amount);
	if (scale == p->max_scale)
	{
		if (p->max_scale_count > 1 || p->max_scale == 0)
			p->max_scale_count--;
		else
			PG_RETURN_NULL();	/* restart: the display scale would change */
	}
	mrr_moving_set_sum(p, aggcontext, numeric_sub_opt_error(p->sum, amount, NULL));
	p->count--;
	PG_RETURN_POINTER(state);
}

/* Final function of mrr()'s moving mode: as mrr_final, NULL for a frame without rows. */
PG_FUNCTION_INFO_V1(mrr_moving_final);
Datum
mrr_moving_final(PG_FUNCTION_ARGS)
{
	MrrMovingState *state;
	int64	   *usecs;
	Numeric    *sums;
	int64		rows = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (MrrMovingState *) PG_GETARG_POINTER(0);
	usecs = palloc(sizeof(int64) * Max(state->nperiods, 1));
	sums = palloc(sizeof(Numeric) * Max(state->nperiods, 1));
	for (int i = 0; i < state->nperiods; i++)
	{
		usecs[i] = state->periods[i].usecs;
		sums[i] = state->periods[i].sum;
		rows += state->periods[i].count;
	}
	return mrr_total(fcinfo, state->nperiods, usecs, sums, rows);
}

/* ltv(arpu, churn_rate, gross_margin): arpu × margin ÷ churn; churn 0 gives NULL. */
PG_FUNCTION_INFO_V1(revenue_ltv);
Datum
revenue_ltv(PG_FUNCTION_ARGS)
{
	Numeric		arpu = PG_GETARG_NUMERIC(0);
	double		churn = PG_GETARG_FLOAT8(1);
	double		margin = PG_GETARG_FLOAT8(2);
	Numeric		value;

	rev_check_money(arpu, "arpu");
	rev_check_share(churn, "churn_rate");
	rev_check_share(margin, "gross_margin");
	if (churn == 0.0)
		PG_RETURN_NULL();
	value = numeric_mul_opt_error(arpu,
								  DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(margin))),
								  NULL);
	PG_RETURN_NUMERIC(numeric_div_opt_error(value,
											DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(churn))),
											NULL));
}

/* cac(spend, new_customers): spend ÷ new customers; 0 customers gives NULL. */
PG_FUNCTION_INFO_V1(revenue_cac);
Datum
revenue_cac(PG_FUNCTION_ARGS)
{
	Numeric		spend = PG_GETARG_NUMERIC(0);
	int64		customers = PG_GETARG_INT64(1);

	rev_check_money_nonnegative(spend, "spend");
	if (customers < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("new_customers must not be negative, got %lld", (long long) customers)));
	if (customers == 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(numeric_div_opt_error(spend, rev_int64_numeric(customers), NULL));
}

/* A finite numeric as float8 (numeric's own conversion). */
static inline double
rev_numeric_float8(Numeric value)
{
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(value)));
}

/*
 * cac_payback_months(cac, new_mrr, gross_margin): months of margin-adjusted
 * new MRR needed to earn the CAC back; NULL when new MRR or margin is 0.
 */
PG_FUNCTION_INFO_V1(revenue_cac_payback_months);
Datum
revenue_cac_payback_months(PG_FUNCTION_ARGS)
{
	Numeric		cac = PG_GETARG_NUMERIC(0);
	Numeric		new_mrr = PG_GETARG_NUMERIC(1);
	double		margin = PG_GETARG_FLOAT8(2);
	double		monthly;
	double		months;

	rev_check_money_nonnegative(cac, "cac");
	rev_check_money_nonnegative(new_mrr, "new_mrr");
	rev_check_share(margin, "gross_margin");
	monthly = rev_numeric_float8(new_mrr) * margin;
	if (monthly == 0.0)
		PG_RETURN_NULL();
	months = rev_numeric_float8(cac) / monthly;
	/* A tiny margin-adjusted MRR (e.g. a subnormal margin) can overflow float8. */
	if (unlikely(isinf(months)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cac_payback_months is out of range for type double precision"),
				 errdetail("cac %g divided by new_mrr %g times gross_margin %g overflows.",
						   rev_numeric_float8(cac), rev_numeric_float8(new_mrr), margin)));
	PG_RETURN_FLOAT8(months);
}

/*
 * The numeric[] state of ltv_cac_ratio(), net_revenue_retention() and
 * gross_revenue_retention(): two exact sums and (since 1.1) the number of
 * rows counted, for pg_kpi.min_group_size; the INITCOND {0,0} and states
 * built by 1.0 have no count, which reads as 0 rows.  Checked, since the
 * SQL-visible transition and combine functions can be called with any array.
 */
static inline void
rev_pair_read(ArrayType *state, Numeric *a, Numeric *b, int64 *rows)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(state) != 1 || (ARR_DIMS(state)[0] != 2 && ARR_DIMS(state)[0] != 3) ||
		ARR_HASNULL(state) || ARR_ELEMTYPE(state) != NUMERICOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid revenue aggregate state"),
				 errdetail("The state must be a one-dimensional numeric array of 2 non-NULL sums and an optional row count.")));
	deconstruct_array(state, NUMERICOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	*a = DatumGetNumeric(elems[0]);
	*b = DatumGetNumeric(elems[1]);
	if (rev_numeric_special(*a) || rev_numeric_special(*b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid revenue aggregate state"),
				 errdetail("The sums in the state must be finite.")));
	*rows = 0;
	if (n == 3)
	{
		Numeric		r = DatumGetNumeric(elems[2]);

		if (rev_numeric_special(r) || rev_numeric_sign(r) < 0 ||
			rev_numeric_cmp(r, rev_int64_numeric(PG_INT64_MAX)) > 0 ||
			rev_numeric_cmp(r, rev_int64_numeric(DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(r))))) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid revenue aggregate state"),
					 errdetail("The row count in the state must be a whole number >= 0.")));
		*rows = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(r)));
	}
	pfree(elems);
	pfree(nulls);
}

/* A new numeric[3] state {a, b, rows}. */
static inline ArrayType *
rev_pair_make(Numeric a, Numeric b, int64 rows)
{
	Datum		elems[3] = {NumericGetDatum(a), NumericGetDatum(b),
	NumericGetDatum(rev_int64_numeric(rows))};

	return construct_array(elems, 3, NUMERICOID, -1, false, TYPALIGN_INT);
}

/* The state plus {add_a, add_b, add_rows}: a new array, the input is never modified. */
static inline ArrayType *
rev_pair_add(ArrayType *state, Numeric add_a, Numeric add_b, int64 add_rows)
{
	Numeric		a,
				b;
	int64		rows;

	rev_pair_read(state, &a, &b, &rows);
	return rev_pair_make(numeric_add_opt_error(a, add_a, NULL),
						 numeric_add_opt_error(b, add_b, NULL),
						 kpi_add_count(rows, add_rows));
}

/* Combine function of the numeric[] pair aggregates: add the sums and counts. */
PG_FUNCTION_INFO_V1(revenue_pair_combine);
Datum
revenue_pair_combine(PG_FUNCTION_ARGS)
{
	Numeric		a,
				b;
	int64		rows;

	rev_pair_read(PG_GETARG_ARRAYTYPE_P(1), &a, &b, &rows);
	PG_RETURN_ARRAYTYPE_P(rev_pair_add(PG_GETARG_ARRAYTYPE_P(0), a, b, rows));
}

/*
 * Σ first ÷ Σ second of a pair state as float8; NULL when Σ second is 0 or
 * the rows are fewer than pg_kpi.min_group_size.
 */
static inline Datum
rev_pair_ratio(FunctionCallInfo fcinfo, bool first_over_second)
{
	Numeric		a,
				b,
				num,
				den;
	double		ratio;
	int64		rows;

	rev_pair_read(PG_GETARG_ARRAYTYPE_P(0), &a, &b, &rows);
	num = first_over_second ? a : b;
	den = first_over_second ? b : a;
	if (rev_numeric_sign(den) == 0)
		PG_RETURN_NULL();
	KPI_SUPPRESS_SMALL_GROUP(rows);
	ratio = rev_numeric_float8(num) / rev_numeric_float8(den);
	/* Sums near the ends of float8's range (1e300 / 1e-300) overflow. */
	if (unlikely(isinf(ratio)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("ratio of the sums is out of range for type double precision"),
				 errdetail("The sums are %g and %g.", rev_numeric_float8(num), rev_numeric_float8(den))));
	PG_RETURN_FLOAT8(ratio);
}

/* Transition function of ltv_cac_ratio(): add one customer's value and cost. */
PG_FUNCTION_INFO_V1(ltv_cac_accum);
Datum
ltv_cac_accum(PG_FUNCTION_ARGS)
{
	Numeric		value = PG_GETARG_NUMERIC(1);
	Numeric		cost = PG_GETARG_NUMERIC(2);

	rev_check_money(value, "customer_value");
	rev_check_money_nonnegative(cost, "acquisition_cost");
	PG_RETURN_ARRAYTYPE_P(rev_pair_add(PG_GETARG_ARRAYTYPE_P(0), value, cost, 1));
}

/* Final function of ltv_cac_ratio(): Σ value ÷ Σ cost. */
PG_FUNCTION_INFO_V1(ltv_cac_final);
Datum
ltv_cac_final(PG_FUNCTION_ARGS)
{
	return rev_pair_ratio(fcinfo, true);
}

/*
 * Shared transition of net_revenue_retention() and gross_revenue_retention():
 * for a customer with start_mrr > 0, add start and end (NRR) or
 * min(start, end) (GRR).  Customers with start 0 (new ones) are skipped.
 */
static inline Datum
retention_accum(FunctionCallInfo fcinfo, bool gross)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P(0);
	Numeric		start = PG_GETARG_NUMERIC(1);
	Numeric		end = PG_GETARG_NUMERIC(2);

	rev_check_mrr(start, "start_mrr");
	rev_check_mrr(end, "end_mrr");
	if (rev_numeric_sign(start) == 0)
	{
		/* A direct call must not hand back an invalid state unchecked. */
		if (!AggCheckCallContext(fcinfo, NULL))
		{
			Numeric		a,
						b;
			int64		rows;

			rev_pair_read(state, &a, &b, &rows);
		}
		PG_RETURN_ARRAYTYPE_P(state);
	}
	if (gross && rev_numeric_cmp(end, start) > 0)
		end = start;
	PG_RETURN_ARRAYTYPE_P(rev_pair_add(state, start, end, 1));
}

PG_FUNCTION_INFO_V1(nrr_accum);
Datum
nrr_accum(PG_FUNCTION_ARGS)
{
	return retention_accum(fcinfo, false);
}

PG_FUNCTION_INFO_V1(grr_accum);
Datum
grr_accum(PG_FUNCTION_ARGS)
{
	return retention_accum(fcinfo, true);
}

/* Final function of both retention aggregates: Σ end ÷ Σ start. */
PG_FUNCTION_INFO_V1(retention_final);
Datum
retention_final(PG_FUNCTION_ARGS)
{
	return rev_pair_ratio(fcinfo, false);
}

/*
 * mrr_movement(mrr) OVER (PARTITION BY customer ORDER BY month): classify
 * each month against the one before.  NULL MRR counts as 0.  Remembers per
 * partition whether an earlier month was paid, so it reads only the current
 * and the previous row: O(1) per row.
 */
PG_FUNCTION_INFO_V1(mrr_movement);
Datum
mrr_movement(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	MrrMovementState *st;
	int64		pos = WinGetCurrentPosition(winobj);
	Datum		cur_datum;
	Numeric		cur = NULL;
	Numeric		prev = NULL;
	bool		isnull;
	int			cur_sign = 0;
	int			prev_sign = 0;
	bool		ever_paid;
	const char *movement = NULL;

	st = (MrrMovementState *) WinGetPartitionLocalMemory(winobj, sizeof(MrrMovementState));
	if (pos != st->next_pos)
		elog(ERROR, "mrr_movement expected row %lld of its partition, got row %lld",
			 (long long) st->next_pos, (long long) pos);
	st->next_pos = pos + 1;

	cur_datum = WinGetFuncArgCurrent(winobj, 0, &isnull);
	if (!isnull)
	{
		cur = DatumGetNumeric(cur_datum);
		rev_check_mrr(cur, "mrr");
		cur_sign = rev_numeric_sign(cur);
	}

	if (pos > 0)
	{
		Datum		prev_datum;
		bool		isout;

		if (WinRowsArePeers(winobj, pos - 1, pos))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("mrr_movement found rows %lld and %lld of a partition at the same position of the window's ORDER BY",
							(long long) pos, (long long) pos + 1),
					 errdetail("mrr_movement compares each month with the month before, so each partition needs exactly one row per month, in month order."),
					 errhint("Write OVER (PARTITION BY customer ORDER BY month), with one row per customer and month (GROUP BY customer, month).")));
		prev_datum = WinGetFuncArgInPartition(winobj, 0, -1, WINDOW_SEEK_CURRENT,
											  true, &isnull, &isout);
		if (!isnull && !isout)
		{
			prev = DatumGetNumeric(prev_datum);
			prev_sign = rev_numeric_sign(prev);
		}
	}

	ever_paid = st->ever_paid;
	if (cur_sign > 0)
	{
		st->ever_paid = true;
		if (!ever_paid)
			movement = "new";
		else if (prev_sign > 0)
		{
			int			c = rev_numeric_cmp(cur, prev);

			movement = c > 0 ? "expansion" : (c < 0 ? "contraction" : "flat");
		}
		else
			movement = "reactivation";
	}
	else if (prev_sign > 0)
		movement = "churn";

	if (movement == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(movement));
}
