/*
 * mean.c
 *		Means with intervals: the mean_summary type (count, exact fixed-point
 *		sum and sum of squares, min, max), mean_agg() and rollup(), the
 *		moving-aggregate mode of mean_agg() for window frames, the accessors
 *		(mean, variance, stddev, t interval, ...) and the comparisons of two
 *		mean summaries (Welch's t interval and test, mSPRT).
 *
 * Exactness.  Each value x (finite, |x| < 2^62) is added as the integer
 * v = round(x·2^64), a signed 128-bit number; the state keeps Σv in a signed
 * 192-bit integer and Σv² in an unsigned 320-bit integer (little-endian
 * arrays of 64-bit words).  These cannot overflow for any count below 2^63,
 * and integer sums are exact and associative, so serial, parallel, rolled-up
 * and moving-window results are bit-for-bit identical, and removing a value
 * undoes adding it exactly.  Values with |x| >= 2^-12 are represented
 * exactly; smaller ones are rounded to a multiple of 2^-64 (error < 2.8e-20).
 * The variance is computed from the exact integer n·Σv² - (Σv)², so it has
 * no cancellation error.
 */
#include "pg_kpi.h"

#include "libpq/pqformat.h"
#include "utils/memutils.h"

#define MEAN_SUMMARY_NAME "mean_summary"
#define MEAN_SUM_WORDS 3		/* Σv: signed, two's complement */
#define MEAN_SQ_WORDS 5			/* Σv²: unsigned */
#define MEAN_LIMIT 4611686018427387904.0	/* 2^62: |x| must be below this */

typedef unsigned __int128 uint128;
typedef __int128 int128;

/* mean_summary: fixed size (88 bytes), passed by reference. */
typedef struct MeanSummary
{
	int64		count;			/* values counted */
	double		min;			/* smallest value (0 when count = 0) */
	double		max;			/* largest value (0 when count = 0) */
	uint64		sum[MEAN_SUM_WORDS];	/* Σ round(x·2^64), two's complement */
	uint64		sum_sq[MEAN_SQ_WORDS];	/* Σ round(x·2^64)² */
} MeanSummary;

#define PG_GETARG_MEAN_SUMMARY(n) ((MeanSummary *) PG_GETARG_POINTER(n))

/* ---------- multi-word integer helpers (little-endian 64-bit words) ---------- */

/* acc += v (nv words, then extended with ext = 0 or all ones), modulo 2^(64·n). */
static inline void
w_add(uint64 *acc, int n, const uint64 *v, int nv, uint64 ext)
{
	uint64		carry = 0;

	for (int i = 0; i < n; i++)
	{
		uint128		s = (uint128) acc[i] + (i < nv ? v[i] : ext) + carry;

		acc[i] = (uint64) s;
		carry = (uint64) (s >> 64);
	}
}

/* acc -= v (as w_add), modulo 2^(64·n). */
static inline void
w_sub(uint64 *acc, int n, const uint64 *v, int nv, uint64 ext)
{
	uint64		borrow = 0;

	for (int i = 0; i < n; i++)
	{
		uint64		x = i < nv ? v[i] : ext;
		uint128		d = (uint128) acc[i] - x - borrow;

		acc[i] = (uint64) d;
		borrow = (uint64) (d >> 64) ? 1 : 0;
	}
}

/* out[0 .. na+nb) = a · b (unsigned). */
static void
w_mul(const uint64 *a, int na, const uint64 *b, int nb, uint64 *out)
{
	memset(out, 0, sizeof(uint64) * (na + nb));
	for (int i = 0; i < na; i++)
	{
		uint64		carry = 0;

		for (int j = 0; j < nb; j++)
		{
			uint128		p = (uint128) a[i] * b[j] + out[i + j] + carry;

			out[i + j] = (uint64) p;
			carry = (uint64) (p >> 64);
		}
		out[i + nb] = carry;
	}
}

/* Compare unsigned a and b of n words: -1, 0, 1. */
static int
w_cmp(const uint64 *a, const uint64 *b, int n)
{
	for (int i = n - 1; i >= 0; i--)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* True if the signed number of n words is negative. */
static inline bool
w_negative(const uint64 *a, int n)
{
	return (a[n - 1] >> 63) != 0;
}

/* |a| of a signed n-word number, into out (n words). */
static void
w_abs(const uint64 *a, int n, uint64 *out)
{
	memcpy(out, a, sizeof(uint64) * n);
	if (w_negative(a, n))
	{
		uint64		one = 1;

		for (int i = 0; i < n; i++)
			out[i] = ~out[i];
		w_add(out, n, &one, 1, 0);
	}
}

/* An unsigned n-word number as a long double (relative error ~1e-19). */
static long double
w_to_ld(const uint64 *a, int n)
{
	long double r = 0;

	for (int i = n - 1; i >= 0; i--)
		r = r * 18446744073709551616.0L + (long double) a[i];
	return r;
}

/* A signed n-word number as a long double. */
static long double
w_signed_to_ld(const uint64 *a, int n)
{
	uint64		mag[8];

	Assert(n <= 8);
	w_abs(a, n, mag);
	return w_negative(a, n) ? -w_to_ld(mag, n) : w_to_ld(mag, n);
}

/* ---------- values ---------- */

/* Reject a value that is not finite or too large for the exact sums. */
static inline void
mean_check_value(double x)
{
	kpi_check_finite(x, "mean_agg value");
	if (unlikely(!(fabs(x) < MEAN_LIMIT)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("mean_agg value %g is out of range", x),
				 errdetail("mean_agg sums values exactly in fixed point; their magnitude must be below 2^62 (about 4.61e18).")));
}

/* round(x·2^64) as two's-complement words [lo, hi]; |x| < 2^62 checked. */
static inline void
mean_fixed(double x, uint64 *v)
{
	int128		f = (int128) rint(ldexp(x, 64));

	v[0] = (uint64) f;
	v[1] = (uint64) ((uint128) f >> 64);
}

/* (round(x·2^64))² as 4 words. */
static inline void
mean_fixed_square(const uint64 *v, uint64 *sq)
{
	uint64		mag[2];

	w_abs(v, 2, mag);
	w_mul(mag, 2, mag, 2, sq);
}

/* Add (or with negate, remove) one value's fixed-point terms. */
static inline void
mean_add_terms(MeanSummary *s, double x, bool negate)
{
	uint64		v[2],
				sq[4];
	uint64		ext;

	mean_fixed(x, v);
	mean_fixed_square(v, sq);
	ext = w_negative(v, 2) ? ~UINT64CONST(0) : 0;
	if (!negate)
	{
		w_add(s->sum, MEAN_SUM_WORDS, v, 2, ext);
		w_add(s->sum_sq, MEAN_SQ_WORDS, sq, 4, 0);
	}
	else
	{
		w_sub(s->sum, MEAN_SUM_WORDS, v, 2, ext);
		w_sub(s->sum_sq, MEAN_SQ_WORDS, sq, 4, 0);
	}
}

/* ---------- validation ---------- */

/* n·(fixed x) as a signed 3-word number. */
static void
mean_count_times(int64 n, double x, uint64 *out)
{
	uint64		v[2],
				mag[2],
				nn = (uint64) n,
				prod[3];

	mean_fixed(x, v);
	w_abs(v, 2, mag);
	w_mul(mag, 2, &nn, 1, prod);
	if (w_negative(v, 2))
	{
		uint64		zero[3] = {0, 0, 0};

		w_sub(zero, 3, prod, 3, 0);
		memcpy(out, zero, sizeof(zero));
	}
	else
		memcpy(out, prod, sizeof(prod));
}

/*
 * Describe what is wrong with a summary, or return NULL: every field must be
 * consistent with some list of count values between min and max.
 */
static const char *
mean_summary_problem(const MeanSummary *s)
{
	uint64		t[3],
				abs_sum[3],
				lhs[6],
				rhs[6],
				nn;
	uint64		vmin[2],
				vmax[2],
				sqmin[4],
				sqmax[4],
				bound[5];

	if (s->count < 0)
		return psprintf("The count is negative (%lld).", (long long) s->count);
	if (isnan(s->min) || isinf(s->min) || isnan(s->max) || isinf(s->max))
		return "The minimum and maximum must be finite.";
	if (s->count == 0)
	{
		for (int i = 0; i < MEAN_SUM_WORDS; i++)
			if (s->sum[i] != 0)
				return "A summary of no values must have a sum of 0.";
		for (int i = 0; i < MEAN_SQ_WORDS; i++)
			if (s->sum_sq[i] != 0)
				return "A summary of no values must have a sum of squares of 0.";
		if (s->min != 0 || s->max != 0)
			return "A summary of no values must have min and max 0.";
		return NULL;
	}
	if (!(fabs(s->min) < MEAN_LIMIT && fabs(s->max) < MEAN_LIMIT))
		return "The minimum and maximum must be below 2^62 in magnitude.";
	if (s->min > s->max)
		return psprintf("The minimum %g exceeds the maximum %g.", s->min, s->max);

	/* count·min <= sum <= count·max */
	mean_count_times(s->count, s->min, t);
	w_sub(t, 3, s->sum, 3, 0);	/* count·min - sum must be <= 0 */
	if (!w_negative(t, 3) && (t[0] | t[1] | t[2]) != 0)
		return "The sum is below count times the minimum.";
	mean_count_times(s->count, s->max, t);
	w_sub(t, 3, s->sum, 3, 0);	/* count·max - sum must be >= 0 */
	if (w_negative(t, 3))
		return "The sum is above count times the maximum.";

	/* (Σv)² <= n·Σv² (Cauchy-Schwarz) */
	nn = (uint64) s->count;
	w_abs(s->sum, 3, abs_sum);
	w_mul(abs_sum, 3, abs_sum, 3, lhs);
	w_mul(s->sum_sq, 5, &nn, 1, rhs);
	if (w_cmp(lhs, rhs, 6) > 0)
		return "The sum of squares is too small for the sum.";

	/* Σv² <= n·max(vmin², vmax²) */
	mean_fixed(s->min, vmin);
	mean_fixed(s->max, vmax);
	mean_fixed_square(vmin, sqmin);
	mean_fixed_square(vmax, sqmax);
	w_mul(w_cmp(sqmin, sqmax, 4) > 0 ? sqmin : sqmax, 4, &nn, 1, bound);
	if (w_cmp(s->sum_sq, bound, 5) > 0)
		return "The sum of squares is too large for the minimum and maximum.";
	return NULL;
}

/* ---------- text and binary forms ---------- */

/* Append a multi-word integer in hexadecimal (signed: a leading '-' if negative). */
static void
mean_append_hex(StringInfo buf, const uint64 *a, int n, bool is_signed)
{
	uint64		mag[8];
	int			top;

	if (is_signed && w_negative(a, n))
	{
		w_abs(a, n, mag);
		appendStringInfoChar(buf, '-');
	}
	else
		memcpy(mag, a, sizeof(uint64) * n);
	for (top = n - 1; top > 0 && mag[top] == 0; top--)
		;
	appendStringInfo(buf, "0x%llx", (unsigned long long) mag[top]);
	for (int i = top - 1; i >= 0; i--)
		appendStringInfo(buf, "%016llx", (unsigned long long) mag[i]);
}

/* Read a hexadecimal integer "[-]0x..." of field key into n words. */
static void
mean_read_hex(KpiTextCursor *cur, const char *key, uint64 *out, int n, bool is_signed)
{
	bool		negative = false;
	int			ndigits = 0;

	memset(out, 0, sizeof(uint64) * n);
	while (isspace((unsigned char) *cur->pos))
		cur->pos++;
	if (is_signed && *cur->pos == '-')
	{
		negative = true;
		cur->pos++;
	}
	if (cur->pos[0] != '0' || (cur->pos[1] != 'x' && cur->pos[1] != 'X'))
		kpi_text_invalid(cur, "Field \"%s\" must be a hexadecimal integer such as 0x1f.", key);
	cur->pos += 2;
	while (isxdigit((unsigned char) *cur->pos))
	{
		int			c = (unsigned char) *cur->pos;
		int			d = isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10);

		if ((out[n - 1] >> 60) != 0)
			kpi_text_invalid(cur, "Field \"%s\" is out of range.", key);
		for (int i = n - 1; i > 0; i--)
			out[i] = (out[i] << 4) | (out[i - 1] >> 60);
		out[0] = (out[0] << 4) | (uint64) d;
		cur->pos++;
		ndigits++;
	}
	if (ndigits == 0)
		kpi_text_invalid(cur, "Field \"%s\" must be a hexadecimal integer such as 0x1f.", key);
	if (is_signed)
	{
		if (w_negative(out, n))
			kpi_text_invalid(cur, "Field \"%s\" is out of range.", key);
		if (negative)
		{
			uint64		zero[8] = {0};

			w_sub(zero, n, out, n, 0);
			memcpy(out, zero, sizeof(uint64) * n);
		}
	}
}

PG_FUNCTION_INFO_V1(mean_summary_in);
Datum
mean_summary_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	MeanSummary *s = palloc0(sizeof(MeanSummary));
	KpiTextCursor cur;
	const char *problem;

	kpi_text_init(&cur, input, MEAN_SUMMARY_NAME);
	kpi_text_expect_char(&cur, '(');
	kpi_text_expect_key(&cur, "count");
	s->count = kpi_text_read_int64(&cur, "count");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "min");
	s->min = kpi_text_read_float8(&cur, "min");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "max");
	s->max = kpi_text_read_float8(&cur, "max");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "sum");
	mean_read_hex(&cur, "sum", s->sum, MEAN_SUM_WORDS, true);
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "sum_sq");
	mean_read_hex(&cur, "sum_sq", s->sum_sq, MEAN_SQ_WORDS, false);
	kpi_text_expect_char(&cur, ')');
	kpi_text_expect_end(&cur);
	if ((problem = mean_summary_problem(s)) != NULL)
		kpi_text_invalid(&cur, "%s", problem);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(mean_summary_out);
Datum
mean_summary_out(PG_FUNCTION_ARGS)
{
	MeanSummary *s = PG_GETARG_MEAN_SUMMARY(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(count=" INT64_FORMAT ",min=", s->count);
	kpi_append_float8(&buf, s->min);
	appendStringInfoString(&buf, ",max=");
	kpi_append_float8(&buf, s->max);
	appendStringInfoString(&buf, ",sum=");
	mean_append_hex(&buf, s->sum, MEAN_SUM_WORDS, true);
	appendStringInfoString(&buf, ",sum_sq=");
	mean_append_hex(&buf, s->sum_sq, MEAN_SQ_WORDS, false);
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

/* Binary form: version byte, count, min, max, then the 3 + 5 words low first. */
PG_FUNCTION_INFO_V1(mean_summary_recv);
Datum
mean_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	MeanSummary *s = palloc0(sizeof(MeanSummary));
	const char *problem;

	kpi_recv_version(buf, MEAN_SUMMARY_NAME);
	s->count = kpi_recv_int64(buf, MEAN_SUMMARY_NAME);
	s->min = kpi_recv_float8(buf, MEAN_SUMMARY_NAME);
	s->max = kpi_recv_float8(buf, MEAN_SUMMARY_NAME);
	for (int i = 0; i < MEAN_SUM_WORDS; i++)
		s->sum[i] = (uint64) kpi_recv_int64(buf, MEAN_SUMMARY_NAME);
	for (int i = 0; i < MEAN_SQ_WORDS; i++)
		s->sum_sq[i] = (uint64) kpi_recv_int64(buf, MEAN_SUMMARY_NAME);
	kpi_recv_end(buf, MEAN_SUMMARY_NAME);
	if ((problem = mean_summary_problem(s)) != NULL)
		kpi_binary_invalid(MEAN_SUMMARY_NAME, "%s", problem);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(mean_summary_send);
Datum
mean_summary_send(PG_FUNCTION_ARGS)
{
	MeanSummary *s = PG_GETARG_MEAN_SUMMARY(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, KPI_BINARY_VERSION);
	pq_sendint64(&buf, s->count);
	pq_sendfloat8(&buf, s->min);
	pq_sendfloat8(&buf, s->max);
	for (int i = 0; i < MEAN_SUM_WORDS; i++)
		pq_sendint64(&buf, (int64) s->sum[i]);
	for (int i = 0; i < MEAN_SQ_WORDS; i++)
		pq_sendint64(&buf, (int64) s->sum_sq[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---------- aggregation ---------- */

/* Add one value to a summary. */
static inline void
mean_summary_add(MeanSummary *s, double x)
{
	mean_check_value(x);
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
	mean_add_terms(s, x, false);
}

/* Transition function of mean_agg(): add one value. */
PG_FUNCTION_INFO_V1(mean_accum);
Datum
mean_accum(PG_FUNCTION_ARGS)
{
	MeanSummary *state = kpi_fixed_state_for_update(fcinfo, sizeof(MeanSummary));

	mean_summary_add(state, PG_GETARG_FLOAT8(1));
	PG_RETURN_POINTER(state);
}

/* Combine function and rollup(): add two summaries. */
PG_FUNCTION_INFO_V1(mean_combine);
Datum
mean_combine(PG_FUNCTION_ARGS)
{
	MeanSummary *state = kpi_fixed_state_for_update(fcinfo, sizeof(MeanSummary));
	MeanSummary *other = PG_GETARG_MEAN_SUMMARY(1);

	if (other->count == 0)
		PG_RETURN_POINTER(state);
	if (state->count == 0)
	{
		state->min = other->min;
		state->max = other->max;
	}
	else
	{
		state->min = Min(state->min, other->min);
		state->max = Max(state->max, other->max);
	}
	state->count = kpi_add_count(state->count, other->count);
	w_add(state->sum, MEAN_SUM_WORDS, other->sum, MEAN_SUM_WORDS, 0);
	w_add(state->sum_sq, MEAN_SQ_WORDS, other->sum_sq, MEAN_SQ_WORDS, 0);
	PG_RETURN_POINTER(state);
}

/* Final function of mean_agg() and rollup(): the summary, or NULL when it counts nothing. */
PG_FUNCTION_INFO_V1(mean_agg_final);
Datum
mean_agg_final(PG_FUNCTION_ARGS)
{
	MeanSummary *s = PG_GETARG_MEAN_SUMMARY(0);

	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(s);
}

/*
 * Moving-aggregate state of mean_agg() in a window frame.  The sums are
 * un-done exactly; min and max come from two monotone queues of the values
 * still in the frame (the sliding-window minimum algorithm): PostgreSQL
 * removes rows from a frame in the order it added them, so each value is
 * pushed and popped at most once and a frame of any size costs O(1) per row.
 */
typedef struct MeanQueue
{
	int64	   *pos;			/* insertion number of each value */
	double	   *val;
	int			head;			/* first live entry */
	int			tail;			/* one past the last */
	int			cap;
} MeanQueue;

typedef struct MeanMoving
{
	MeanSummary sums;			/* count and exact sums (min/max unused) */
	int64		added;			/* non-NULL values added so far */
	int64		removed;		/* non-NULL values removed so far */
	MeanQueue	mins;			/* increasing values: the frame's minimum first */
	MeanQueue	maxs;			/* decreasing values: the frame's maximum first */
} MeanMoving;

/* Append (pos, x) to a queue after dropping entries x makes irrelevant. */
static void
mean_queue_push(MeanQueue *q, int64 pos, double x, bool for_min)
{
	while (q->tail > q->head &&
		   (for_min ? q->val[q->tail - 1] > x : q->val[q->tail - 1] < x))
		q->tail--;
	if (q->tail == q->cap)
	{
		if (q->head > 0)
		{
			int			live = q->tail - q->head;

			memmove(q->pos, q->pos + q->head, sizeof(int64) * live);
			memmove(q->val, q->val + q->head, sizeof(double) * live);
			q->head = 0;
			q->tail = live;
		}
		if (q->tail == q->cap)
		{
			if (q->cap >= (int) (MaxAllocSize / sizeof(int64) / 2))
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("mean_agg window frame is too large")));
			q->cap *= 2;
			q->pos = repalloc(q->pos, sizeof(int64) * q->cap);
			q->val = repalloc(q->val, sizeof(double) * q->cap);
		}
	}
	q->pos[q->tail] = pos;
	q->val[q->tail] = x;
	q->tail++;
}

/* Forget the value inserted as number pos, if the queue still holds it. */
static inline void
mean_queue_pop(MeanQueue *q, int64 pos)
{
	if (q->tail > q->head && q->pos[q->head] == pos)
		q->head++;
}

static void
mean_queue_init(MeanQueue *q)
{
	q->cap = 64;
	q->head = q->tail = 0;
	q->pos = palloc(sizeof(int64) * q->cap);
	q->val = palloc(sizeof(double) * q->cap);
}

/* Moving transition of mean_agg(): add one value (NULL is skipped). */
PG_FUNCTION_INFO_V1(mean_moving_accum);
Datum
mean_moving_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	MeanMoving *state;
	double		x;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("mean_moving_accum called in non-aggregate context")));
	if (PG_ARGISNULL(0))
	{
		MemoryContext old = MemoryContextSwitchTo(aggcontext);

		state = palloc0(sizeof(MeanMoving));
		mean_queue_init(&state->mins);
		mean_queue_init(&state->maxs);
		MemoryContextSwitchTo(old);
	}
	else
		state = (MeanMoving *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	x = PG_GETARG_FLOAT8(1);
	mean_check_value(x);
	{
		MemoryContext old = MemoryContextSwitchTo(aggcontext);

		mean_queue_push(&state->mins, state->added, x, true);
		mean_queue_push(&state->maxs, state->added, x, false);
		MemoryContextSwitchTo(old);
	}
	state->added++;
	state->sums.count++;
	mean_add_terms(&state->sums, x, false);
	PG_RETURN_POINTER(state);
}

/* Inverse moving transition of mean_agg(): remove the oldest value. */
PG_FUNCTION_INFO_V1(mean_moving_discard);
Datum
mean_moving_discard(PG_FUNCTION_ARGS)
{
	MeanMoving *state;
	double		x;

	if (!AggCheckCallContext(fcinfo, NULL) || PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("mean_moving_discard called in non-aggregate context")));
	state = (MeanMoving *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	x = PG_GETARG_FLOAT8(1);
	if (state->sums.count <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot remove a value that was never added to the mean_summary")));
	mean_queue_pop(&state->mins, state->removed);
	mean_queue_pop(&state->maxs, state->removed);
	state->removed++;
	state->sums.count--;
	mean_add_terms(&state->sums, x, true);
	PG_RETURN_POINTER(state);
}

/* Final function of the moving mode: the frame's mean_summary, NULL if empty. */
PG_FUNCTION_INFO_V1(mean_moving_final);
Datum
mean_moving_final(PG_FUNCTION_ARGS)
{
	MeanMoving *state;
	MeanSummary *result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (MeanMoving *) PG_GETARG_POINTER(0);
	if (state->sums.count == 0)
		PG_RETURN_NULL();
	result = palloc(sizeof(MeanSummary));
	memcpy(result, &state->sums, sizeof(MeanSummary));
	result->min = state->mins.val[state->mins.head];
	result->max = state->maxs.val[state->maxs.head];
	PG_RETURN_POINTER(result);
}

/* ---------- accessors ---------- */

/* Mean of a non-empty summary. */
static double
mean_value(const MeanSummary *s)
{
	long double sum = w_signed_to_ld(s->sum, MEAN_SUM_WORDS);

	return (double) (ldexpl(sum, -64) / (long double) s->count);
}

/* Sample variance (n - 1) of a summary with count >= 2, from n·Σv² - (Σv)², exact. */
static double
mean_variance(const MeanSummary *s)
{
	uint64		abs_sum[3],
				sq_sum[6],
				n_sq[6],
				nn = (uint64) s->count;
	long double num;

	w_abs(s->sum, 3, abs_sum);
	w_mul(abs_sum, 3, abs_sum, 3, sq_sum);
	w_mul(s->sum_sq, 5, &nn, 1, n_sq);
	w_sub(n_sq, 6, sq_sum, 6, 0);	/* >= 0 by Cauchy-Schwarz */
	num = ldexpl(w_to_ld(n_sq, 6), -128);
	return (double) (num / ((long double) s->count * (long double) (s->count - 1)));
}

PG_FUNCTION_INFO_V1(mean_summary_mean);
Datum
mean_summary_mean(PG_FUNCTION_ARGS)
{
	MeanSummary *s = PG_GETARG_MEAN_SUMMARY(0);

	KPI_SUPPRESS_SMALL_GROUP(s->count);
	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(mean_value(s));
}

PG_FUNCTION_INFO_V1(mean_summary_variance);
Datum
mean_summary_variance(PG_FUNCTION_ARGS)
{
	MeanSummary *s = PG_GETARG_MEAN_SUMMARY(0);

	KPI_SUPPRESS_SMALL_GROUP(s->count);
	if (s->count < 2)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(mean_variance(s));
}

PG_FUNCTION_INFO_V1(mean_summary_stddev);
Datum
mean_summary_stddev(PG_FUNCTION_ARGS)
{
	MeanSummary *s = PG_GETARG_MEAN_SUMMARY(0);

	KPI_SUPPRESS_SMALL_GROUP(s->count);
	if (s->count < 2)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sqrt(mean_variance(s)));
}

PG_FUNCTION_INFO_V1(mean_summary_num_values);
Datum
mean_summary_num_values(PG_FUNCTION_ARGS)
{
	MeanSummary *s = PG_GETARG_MEAN_SUMMARY(0);

	KPI_SUPPRESS_SMALL_GROUP(s->count);
	PG_RETURN_INT64(s->count);
}

PG_FUNCTION_INFO_V1(mean_summary_min_value);
Datum
mean_summary_min_value(PG_FUNCTION_ARGS)
{
	MeanSummary *s = PG_GETARG_MEAN_SUMMARY(0);

	KPI_SUPPRESS_SMALL_GROUP(s->count);
	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->min);
}

PG_FUNCTION_INFO_V1(mean_summary_max_value);
Datum
mean_summary_max_value(PG_FUNCTION_ARGS)
{
	MeanSummary *s = PG_GETARG_MEAN_SUMMARY(0);

	KPI_SUPPRESS_SMALL_GROUP(s->count);
	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->max);
}

/* Shared body of ci_lower/ci_upper: mean ± t(n-1)·s/√n; NULL below 2 values. */
static Datum
mean_interval_bound(FunctionCallInfo fcinfo, bool upper)
{
	MeanSummary *s = PG_GETARG_MEAN_SUMMARY(0);
	double		confidence = PG_GETARG_FLOAT8(1);
	double		t,
				half;

	kpi_check_confidence(confidence);
	KPI_SUPPRESS_SMALL_GROUP(s->count);
	if (s->count < 2)
		PG_RETURN_NULL();
	t = kpi_two_sided_t(confidence, (double) (s->count - 1));
	half = t * sqrt(mean_variance(s) / (double) s->count);
	PG_RETURN_FLOAT8(upper ? mean_value(s) + half : mean_value(s) - half);
}

PG_FUNCTION_INFO_V1(mean_summary_ci_lower);
Datum
mean_summary_ci_lower(PG_FUNCTION_ARGS)
{
	return mean_interval_bound(fcinfo, false);
}

PG_FUNCTION_INFO_V1(mean_summary_ci_upper);
Datum
mean_summary_ci_upper(PG_FUNCTION_ARGS)
{
	return mean_interval_bound(fcinfo, true);
}

/* ---------- comparisons (Welch) ---------- */

/* Welch's statistics of a vs b; false when undefined (a side below 2 values). */
typedef struct WelchStats
{
	double		diff;			/* mean_a - mean_b */
	double		se2;			/* var_a/n_a + var_b/n_b */
	double		df;				/* Welch-Satterthwaite degrees of freedom */
	double		n;				/* n_a + n_b */
} WelchStats;

static bool
mean_welch(const MeanSummary *a, const MeanSummary *b, WelchStats *w)
{
	double		va,
				vb;

	if (a->count < 2 || b->count < 2 || kpi_group_suppressed(Min(a->count, b->count)))
		return false;
	va = mean_variance(a) / (double) a->count;
	vb = mean_variance(b) / (double) b->count;
	w->diff = mean_value(a) - mean_value(b);
	w->se2 = va + vb;
	w->n = (double) a->count + (double) b->count;
	if (w->se2 > 0.0)
		w->df = w->se2 * w->se2 /
			(va * va / (double) (a->count - 1) + vb * vb / (double) (b->count - 1));
	else
		w->df = 0.0;
	return true;
}

/* difference(mean_summary, mean_summary): mean_a - mean_b. */
PG_FUNCTION_INFO_V1(mean_difference);
Datum
mean_difference(PG_FUNCTION_ARGS)
{
	MeanSummary *a = PG_GETARG_MEAN_SUMMARY(0);
	MeanSummary *b = PG_GETARG_MEAN_SUMMARY(1);

	KPI_SUPPRESS_SMALL_GROUP(Min(a->count, b->count));
	if (a->count == 0 || b->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(mean_value(a) - mean_value(b));
}

/* Welch's t interval: diff ± t(df)·se; NULL when undefined or se = 0. */
static Datum
mean_difference_bound(FunctionCallInfo fcinfo, bool upper)
{
	double		confidence = PG_GETARG_FLOAT8(2);
	WelchStats	w;
	double		half;

	kpi_check_confidence(confidence);
	if (!mean_welch(PG_GETARG_MEAN_SUMMARY(0), PG_GETARG_MEAN_SUMMARY(1), &w) || w.se2 == 0.0)
		PG_RETURN_NULL();
	half = kpi_two_sided_t(confidence, w.df) * sqrt(w.se2);
	PG_RETURN_FLOAT8(upper ? w.diff + half : w.diff - half);
}

PG_FUNCTION_INFO_V1(mean_difference_ci_lower);
Datum
mean_difference_ci_lower(PG_FUNCTION_ARGS)
{
	return mean_difference_bound(fcinfo, false);
}

PG_FUNCTION_INFO_V1(mean_difference_ci_upper);
Datum
mean_difference_ci_upper(PG_FUNCTION_ARGS)
{
	return mean_difference_bound(fcinfo, true);
}

/* p_value(mean_summary, mean_summary): Welch's two-sided t-test. */
PG_FUNCTION_INFO_V1(mean_p_value);
Datum
mean_p_value(PG_FUNCTION_ARGS)
{
	WelchStats	w;

	if (!mean_welch(PG_GETARG_MEAN_SUMMARY(0), PG_GETARG_MEAN_SUMMARY(1), &w) || w.se2 == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(kpi_t_two_sided_p(w.diff / sqrt(w.se2), w.df));
}

/* sequential_p_value(mean_summary, mean_summary [, tuning]): mSPRT with Welch's variance. */
PG_FUNCTION_INFO_V1(mean_sequential_p_value);
Datum
mean_sequential_p_value(PG_FUNCTION_ARGS)
{
	double		tuning = kpi_msprt_tuning(fcinfo, 2);
	WelchStats	w;

	if (!mean_welch(PG_GETARG_MEAN_SUMMARY(0), PG_GETARG_MEAN_SUMMARY(1), &w) || w.se2 == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(kpi_msprt_p_value(w.diff, w.se2, w.n, tuning));
}
