/*
 * pg_kpi.h
 *		Shared declarations for every KPI family of pg_kpi: input validators,
 *		the normal quantile, the Wilson interval, the "(key=value,...)" text
 *		format shared by the summary types, and binary-format helpers.
 */
#ifndef PG_KPI_H
#define PG_KPI_H

#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

/* Version byte written first in the binary form of every summary type. */
#define KPI_BINARY_VERSION 1

/* Largest summary any pg_kpi type will build (stay well under 1 GB). */
#define KPI_MAX_SUMMARY_BYTES ((Size) MaxAllocSize)

/* Reject NaN and ±Infinity where a finite number is required. */
static inline void
kpi_check_finite(double value, const char *what)
{
	if (unlikely(isnan(value) || isinf(value)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be finite, got %g", what, value)));
}

/* Reject a confidence level outside (0,1), including NaN. */
static inline void
kpi_check_confidence(double confidence)
{
	if (unlikely(isnan(confidence) || !(confidence > 0.0 && confidence < 1.0)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence %g is out of range", confidence),
				 errdetail("The confidence level must be strictly between 0 and 1, such as 0.95.")));
}

/* Add two non-negative counts, erroring instead of wrapping around. */
static inline int64
kpi_add_count(int64 a, int64 b)
{
	int64		result;

	if (unlikely(pg_add_s64_overflow(a, b, &result)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("count out of range"),
				 errdetail("Adding %lld and %lld overflows a 64-bit count.",
						   (long long) a, (long long) b)));
	return result;
}

/*
 * The fixed-size state (argument 0) a transition or combine function may
 * update: in place when called inside an aggregate, a copy otherwise.
 */
static inline void *
kpi_fixed_state_for_update(FunctionCallInfo fcinfo, Size size)
{
	void	   *state = PG_GETARG_POINTER(0);

	if (!AggCheckCallContext(fcinfo, NULL))
	{
		void	   *copy = palloc(size);

		memcpy(copy, state, size);
		state = copy;
	}
	return state;
}

/* Inverse of the standard normal CDF, to full double precision; p in (0,1). */
extern double kpi_normal_quantile(double p);

/* Two-sided z for a confidence level in (0,1): kpi_normal_quantile(1 - (1-c)/2). */
extern double kpi_two_sided_z(double confidence);

/* Wilson score interval for x successes in n trials (n > 0). */
extern void kpi_wilson_interval(int64 x, int64 n, double confidence,
								double *lower, double *upper);

/* Standard normal CDF, P(Z <= x). */
extern double kpi_normal_cdf(double x);

/* Two-sided normal p-value 2·P(Z >= |z|), accurate far into the tail. */
extern double kpi_normal_two_sided_p(double z);

/* Student's t CDF P(T <= t) for df > 0 degrees of freedom (df may be fractional). */
extern double kpi_t_cdf(double t, double df);

/* Two-sided t p-value 2·P(T >= |t|), accurate far into the tail. */
extern double kpi_t_two_sided_p(double t, double df);

/* Student's t quantile: the t with P(T <= t) = p, p in (0,1), df > 0. */
extern double kpi_t_quantile(double p, double df);

/* Two-sided t multiplier for a confidence level: kpi_t_quantile(1 - (1-c)/2, df). */
extern double kpi_two_sided_t(double confidence, double df);

/*
 * Always-valid p-value of the normal-mixture SPRT for an effect estimate diff
 * with variance var from n observations in all (compare.c), and the checked
 * tuning argument (N*) at argument argno.
 */
extern double kpi_msprt_p_value(double diff, double var, double n, double tuning);
extern double kpi_msprt_tuning(FunctionCallInfo fcinfo, int argno);

/*
 * The fixed-size layouts of rate_summary and nps_summary, frozen with 1.0
 * (INTERNALLENGTH 16 and 88), for families that read them (comparisons).
 */
typedef struct KpiRateCounts
{
	int64		successes;
	int64		trials;
} KpiRateCounts;

#define KPI_NPS_NSCORES 11
typedef struct KpiNpsCounts
{
	int64		counts[KPI_NPS_NSCORES];	/* counts[s] = responses scoring s */
} KpiNpsCounts;

/*
 * "(key=value,...)" text form shared by the summary types.
 *
 * kpi_text_expect_key() consumes optional blanks, the key and '=', erroring
 * with the type's name if they are not next; the value parsers then consume
 * one value; kpi_text_expect_char() consumes a separator.
 */
typedef struct KpiTextCursor
{
	const char *input;			/* the whole input, for error messages */
	const char *pos;			/* next character to read */
	const char *type_name;		/* the summary type, for error messages */
} KpiTextCursor;

extern void kpi_text_init(KpiTextCursor *cur, const char *input, const char *type_name);
extern void kpi_text_expect_char(KpiTextCursor *cur, char c);
extern void kpi_text_expect_key(KpiTextCursor *cur, const char *key);
extern int64 kpi_text_read_int64(KpiTextCursor *cur, const char *key);
extern uint64 kpi_text_read_uint64(KpiTextCursor *cur, const char *key);
extern double kpi_text_read_float8(KpiTextCursor *cur, const char *key);
extern void kpi_text_expect_end(KpiTextCursor *cur);
pg_attribute_noreturn() extern void kpi_text_invalid(KpiTextCursor *cur, const char *detail_fmt,...) pg_attribute_printf(2, 3);

/*
 * Blanks are what isspace() accepts (space, tab, newline, CR, VT, FF),
 * everywhere in every text form.  kpi_text_skip_blanks() skips them;
 * kpi_text_accept() skips them and consumes lit if it comes next (returns
 * whether it did).
 */
extern void kpi_text_skip_blanks(KpiTextCursor *cur);
extern bool kpi_text_accept(KpiTextCursor *cur, const char *lit);

/*
 * The "{item,item,...}" lists of the text forms.  After the '{' was
 * consumed, call kpi_text_list_next(cur, i) before item i (0-based): it
 * returns false after consuming the closing '}', else true after consuming
 * the ',' that separates item i from item i-1, so
 *		kpi_text_expect_char(&cur, '{');
 *		for (int i = 0; kpi_text_list_next(&cur, i); i++)
 *			... read item i ...
 * accepts "{}" and "{a,b}" and rejects "{,}", "{a,}" and "{a b}".
 */
extern bool kpi_text_list_next(KpiTextCursor *cur, int i);

/* 22P02 "invalid input syntax for type T" for a whole input string, with a detail sentence. */
pg_attribute_noreturn() extern void kpi_text_invalid_input(const char *type_name, const char *input,
														   const char *detail_fmt,...) pg_attribute_printf(3, 4);

/* Append a double in the shortest form that reads back to the same bits. */
extern void kpi_append_float8(StringInfo buf, double value);

/* Binary input: read the version byte and check it; error if unknown. */
extern void kpi_recv_version(StringInfo buf, const char *type_name);

/* Bounds-checked readers for binary input (22P03 when the data is short). */
extern int	kpi_recv_uint8(StringInfo buf, const char *type_name);
extern int	kpi_recv_uint16(StringInfo buf, const char *type_name);
extern int32 kpi_recv_int32(StringInfo buf, const char *type_name);
extern int64 kpi_recv_int64(StringInfo buf, const char *type_name);
extern double kpi_recv_float8(StringInfo buf, const char *type_name);
extern void kpi_recv_end(StringInfo buf, const char *type_name);

/* Error for a binary summary that fails validation. */
pg_attribute_noreturn() extern void kpi_binary_invalid(const char *type_name, const char *detail_fmt,...) pg_attribute_printf(2, 3);

/*
 * A stored value (on disk, or a flat value handed to a function) that fails
 * the checks its input function made: one SQLSTATE for every family,
 * XX001 data_corrupted, with errmsg "corrupted T value" and an optional
 * detail sentence (detail_fmt may be NULL).  Input and receive functions
 * reject bad values with 22P02/22P03 instead; this is for values that got
 * past them (disk corruption, or a value built by an older, buggier build).
 */
#define KPI_ERRCODE_CORRUPTED ERRCODE_DATA_CORRUPTED
pg_attribute_noreturn() extern void kpi_corrupted(const char *type_name, const char *detail_fmt,...) pg_attribute_printf(2, 3);

/*
 * Is argument argno the read-write expanded object this aggregate owns?
 * Returns its header if the function runs inside an aggregate, the argument
 * is a read-write expanded object whose methods are methods (any methods
 * if NULL, for expanded arrays whose methods are private: check
 * ea_magic then), and its memory context is a child of the aggregate
 * context (so nodeAgg keeps it without copying); else NULL.  Such a state
 * may be updated in place; anything else must be copied first.
 */
static inline ExpandedObjectHeader *
kpi_expanded_own_state(FunctionCallInfo fcinfo, int argno, const ExpandedObjectMethods *methods)
{
	MemoryContext aggcxt;
	ExpandedObjectHeader *eoh;

	if (PG_ARGISNULL(argno) ||
		!VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(PG_GETARG_DATUM(argno))))
		return NULL;
	eoh = DatumGetEOHP(PG_GETARG_DATUM(argno));
	if ((methods != NULL && eoh->eoh_methods != methods) ||
		!AggCheckCallContext(fcinfo, &aggcxt) ||
		MemoryContextGetParent(eoh->eoh_context) != aggcxt)
		return NULL;
	return eoh;
}

/*
 * Unsigned LEB128 varints, shared by every family's flat and binary forms:
 * 7 bits a byte, least significant first, high bit set on every byte but
 * the last.  Writers emit the minimal encoding; kpi_varint_get() accepts
 * only that (rejecting over-long forms such as 0x81 0x00 for 1, and values
 * past 64 bits), so every value has exactly one encoding.
 */
#define KPI_VARINT_MAX_BYTES 10

/* Bytes of the encoding of v. */
static inline int
kpi_varint_len(uint64 v)
{
	int			n = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		n++;
	}
	return n;
}

/* Write v at p; returns the byte after it. */
static inline uint8 *
kpi_varint_put(uint8 *p, uint64 v)
{
	while (v >= 0x80)
	{
		*p++ = (uint8) (v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8) v;
	return p;
}

/*
 * Read a varint from [*pp, end) into *out and advance *pp; false (with *pp
 * unchanged) if it is truncated, over-long or does not fit in 64 bits.
 */
static inline bool
kpi_varint_get(const uint8 **pp, const uint8 *end, uint64 *out)
{
	const uint8 *p = *pp;
	uint64		v = 0;
	int			shift = 0;

	if (likely(p < end && *p < 0x80))
	{
		*out = *p;
		*pp = p + 1;
		return true;
	}
	for (;;)
	{
		uint8		b;

		if (p >= end)
			return false;
		b = *p++;
		if (shift == 63 && b > 1)
			return false;		/* past 64 bits */
		v |= (uint64) (b & 0x7f) << shift;
		if (!(b & 0x80))
		{
			if (b == 0 && shift > 0)
				return false;	/* over-long: a zero last byte */
			break;
		}
		shift += 7;
	}
	*pp = p;
	*out = v;
	return true;
}

/* Text and binary forms of the fixed-size count summaries (rate, NPS). */
extern void kpi_counts_parse(const char *input, const char *type_name,
							 const char *const *keys, int n, int64 *counts);
extern char *kpi_counts_format(const char *const *keys, int n, const int64 *counts);
extern bytea *kpi_counts_send(const int64 *counts, int n);
extern void kpi_counts_recv(StringInfo buf, const char *type_name, int n, int64 *counts);

/*
 * Privacy (privacy.c, SPEC §11).
 *
 * pg_kpi.min_group_size = k > 0 makes every KPI and accessor return NULL for
 * a group of fewer than k contributors (trials, responses, values, users or
 * rows, whichever the family counts).  Call kpi_group_suppressed() with the
 * contributor count before computing a result, or use KPI_SUPPRESS_SMALL_GROUP
 * in a V1 function.  Functions that consult it are STABLE, not IMMUTABLE.
 */
extern int	kpi_min_group_size;
extern bool kpi_group_suppressed(int64 contributors);

#define KPI_SUPPRESS_SMALL_GROUP(contributors) \
	do { \
		if (kpi_group_suppressed(contributors)) \
			PG_RETURN_NULL(); \
	} while (0)

/* Error 22023 unless epsilon is finite and > 0. */
extern void kpi_dp_check_epsilon(double epsilon);

/*
 * count + Z with Z exact discrete Laplace, P(Z = z) ~ exp(-|z| epsilon /
 * sensitivity), from pg_strong_random(): an epsilon-DP release of a count
 * whose value moves by at most `sensitivity` per unit of privacy.  May be
 * negative; the caller clamps the KPI it computes.  Checks epsilon.
 */
extern int64 kpi_dp_noisy_count(int64 count, double epsilon, double sensitivity);

/* max(0, x) for a noisy count (a function, so its argument is drawn once). */
static inline int64
kpi_dp_clamp0(int64 noisy)
{
	return noisy < 0 ? 0 : noisy;
}

#endif							/* PG_KPI_H */
