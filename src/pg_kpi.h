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

/* Append a double in the shortest form that reads back to the same bits. */
extern void kpi_append_float8(StringInfo buf, double value);

/* Binary input: read the version byte and check it; error if unknown. */
extern void kpi_recv_version(StringInfo buf, const char *type_name);

/* Bounds-checked readers for binary input (22P03 when the data is short). */
extern int	kpi_recv_uint8(StringInfo buf, const char *type_name);
extern int64 kpi_recv_int64(StringInfo buf, const char *type_name);
extern double kpi_recv_float8(StringInfo buf, const char *type_name);
extern void kpi_recv_end(StringInfo buf, const char *type_name);

/* Error for a binary summary that fails validation. */
pg_attribute_noreturn() extern void kpi_binary_invalid(const char *type_name, const char *detail_fmt,...) pg_attribute_printf(2, 3);

/* Text and binary forms of the fixed-size count summaries (rate, NPS). */
extern void kpi_counts_parse(const char *input, const char *type_name,
							 const char *const *keys, int n, int64 *counts);
extern char *kpi_counts_format(const char *const *keys, int n, const int64 *counts);
extern bytea *kpi_counts_send(const int64 *counts, int n);
extern void kpi_counts_recv(StringInfo buf, const char *type_name, int n, int64 *counts);

#endif							/* PG_KPI_H */
