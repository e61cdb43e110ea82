/*
 * latency_sum.c
 *		The exact sum of a latency_sketch: a fixed-point accumulator wide
 *		enough for any sum of float8 values (LatSum, see latency.h), so the
 *		sum -- and the sketch -- depend only on the multiset of values, not
 *		on the order they were added or merged in.  Here: merging, rounding
 *		to float8 (once, to nearest, ties to even), conversion from a float8,
 *		the canonical limb range, and the text form of an exact sum.
 */
#include "latency.h"

#include "port/pg_bitutils.h"

/* Raise 22003 for a sum whose float8 rounding would be infinite. */
void
lat_sum_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("sum of latencies out of range"),
			 errdetail("The sum of the latencies exceeds the largest float8 value.")));
}

/* Add src into dst (exactly). */
void
lat_sum_merge(LatSum *dst, const LatSum *src)
{
	uint64		carry = 0;

	for (int i = 0; i < LAT_SUM_LIMBS; i++)
	{
		uint64		a = dst->limb[i];
		uint64		r = a + src->limb[i];
		uint64		c = (r < a);

		r += carry;
		c |= (r < carry);
		dst->limb[i] = r;
		carry = c;
	}
	if (carry != 0 || lat_sum_too_large(dst))
		lat_sum_overflow();
}

/* Bits [pos, pos+n) of the accumulator as an integer (0 < n <= 64; pos >= 0). */
static uint64
lat_sum_bits(const LatSum *a, int pos, int n)
{
	int			i = pos >> 6;
	int			s = pos & 63;
	uint64		v = a->limb[i] >> s;

	if (s != 0 && s + n > 64 && i + 1 < LAT_SUM_LIMBS)
		v |= a->limb[i + 1] << (64 - s);
	if (n < 64)
		v &= (UINT64CONST(1) << n) - 1;
	return v;
}

/* Is any bit below position pos set? */
static bool
lat_sum_any_below(const LatSum *a, int pos)
{
	int			i = pos >> 6;

	for (int j = 0; j < i; j++)
		if (a->limb[j] != 0)
			return true;
	if ((pos & 63) != 0 && (a->limb[i] & ((UINT64CONST(1) << (pos & 63)) - 1)) != 0)
		return true;
	return false;
}

/* Position of the highest set bit, or -1 if the sum is zero. */
static int
lat_sum_top_bit(const LatSum *a)
{
	for (int i = LAT_SUM_LIMBS - 1; i >= 0; i--)
		if (a->limb[i] != 0)
			return i * 64 + pg_leftmost_one_pos64(a->limb[i]);
	return -1;
}

/*
 * The sum rounded to the nearest float8 (ties to even): the one rounding
 * of the exact sum.  Bit position b stands for 2^(b - LAT_SUM_BIAS); the
 * smallest float8 bit (2^-1074) is at position LAT_SUM_BIAS - 1074.
 */
double
lat_sum_double(const LatSum *a)
{
	int			top = lat_sum_top_bit(a);
	int			lsb;
	uint64		mant;
	bool		half;

	if (top < 0)
		return 0.0;
	lsb = Max(top - 52, LAT_SUM_BIAS - 1074);
	mant = lat_sum_bits(a, lsb, top - lsb + 1);
	half = lsb > 0 && lat_sum_bits(a, lsb - 1, 1) != 0;
	if (half && ((mant & 1) != 0 || lat_sum_any_below(a, lsb - 1)))
		mant++;
	return ldexp((double) mant, lsb - LAT_SUM_BIAS);
}

/* The exact sum equal to one finite, non-negative float8. */
void
lat_sum_from_double(LatSum *a, double x)
{
	memset(a, 0, sizeof(LatSum));
	lat_sum_add(a, x);
}

/* The canonical limb range: first non-zero limb and the number up to the last one (0 if zero). */
void
lat_sum_range(const LatSum *a, int *lo, int *nlimbs)
{
	int			first = -1,
				last = -1;

	for (int i = 0; i < LAT_SUM_LIMBS; i++)
		if (a->limb[i] != 0)
		{
			if (first < 0)
				first = i;
			last = i;
		}
	*lo = first < 0 ? 0 : first;
	*nlimbs = first < 0 ? 0 : last - first + 1;
}

/*
 * Append the text form of an exact sum: the shortest decimals of float8
 * terms d1+d2+...+dk (each >= 0), d1 the sum's top 53 bits (truncated),
 * d2 the top 53 bits of what remains, and so on; "0" for a zero sum.  A
 * sum that is exactly a float8 -- every sum of pg_kpi 1.0, and of integer
 * latencies -- is one term, as in 1.0's text form.  The terms add up to the
 * exact sum (lat_sum_parse reads them back exactly) and the form is
 * canonical: one text per exact sum.
 */
void
lat_sum_append_text(StringInfo buf, const LatSum *a)
{
	LatSum		rest = *a;
	int			top;
	bool		first = true;

	while ((top = lat_sum_top_bit(&rest)) >= 0)
	{
		int			lsb = Max(top - 52, LAT_SUM_BIAS - 1074);
		uint64		mant = lat_sum_bits(&rest, lsb, top - lsb + 1);

		if (!first)
			appendStringInfoChar(buf, '+');
		kpi_append_float8(buf, ldexp((double) mant, lsb - LAT_SUM_BIAS));
		first = false;
		/* Clear bits [lsb, top] of rest: that term is printed. */
		for (int b = lsb; b <= top; b++)
			rest.limb[b >> 6] &= ~(UINT64CONST(1) << (b & 63));
	}
	if (first)
		appendStringInfoChar(buf, '0');
}
