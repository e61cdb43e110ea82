/*
 * common.c
 *		Helpers shared by every KPI family: the module magic block, the
 *		normal quantile and Wilson interval, the normal and Student's t
 *		distributions (CDF, two-sided p-value, t quantile), and the parsing and printing
 *		of the "(key=value,...)" text form and the binary version byte.
 */
#include "pg_kpi.h"

#include <ctype.h>
#include <float.h>
#include <errno.h>
#include <stdlib.h>

#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"

PG_MODULE_MAGIC;

/*
 * Inverse of the standard normal CDF: Acklam's rational approximation
 * (relative error 1.15e-9) followed by one Halley step against erfc(),
 * which brings it to full double precision.
 */
double
kpi_normal_quantile(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
	-3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
	-1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
	4.374664141464968e+00, 2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
	2.445134137142996e+00, 3.754408661907416e+00};
	const double p_low = 0.02425;
	double		x;
	double		e;
	double		u;

	Assert(p > 0.0 && p < 1.0);

	if (p < p_low)
	{
		double		q = sqrt(-2.0 * log(p));

		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}
	else if (p <= 1.0 - p_low)
	{
		double		q = p - 0.5;
		double		r = q * q;

		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
			(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
	}
	else
	{
		double		q = sqrt(-2.0 * log(1.0 - p));

		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}

	/* One Halley refinement step. */
	e = 0.5 * erfc(-x / M_SQRT2) - p;
	u = e * sqrt(2.0 * M_PI) * exp(x * x / 2.0);
	x = x - u / (1.0 + x * u / 2.0);

	return x;
}

/* Two-sided normal quantile for a confidence level, computed from the upper tail. */
double
kpi_two_sided_z(double confidence)
{
	kpi_check_confidence(confidence);
	return -kpi_normal_quantile((1.0 - confidence) / 2.0);
}

/* Wilson score interval for x successes in n > 0 trials, clamped to [0,1]. */
void
kpi_wilson_interval(int64 x, int64 n, double confidence, double *lower, double *upper)
{
	double		z = kpi_two_sided_z(confidence);
	double		nn = (double) n;
	double		p = (double) x / nn;
	double		z2 = z * z;
	double		denom = 1.0 + z2 / nn;
	double		centre = (p + z2 / (2.0 * nn)) / denom;
	double		half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;

	Assert(n > 0 && x >= 0 && x <= n);
	/* At p = 0 and p = 1 the bound touching the edge is exactly 0 or 1. */
	*lower = (x == 0) ? 0.0 : Max(0.0, centre - half);
	*upper = (x == n) ? 1.0 : Min(1.0, centre + half);
}

/* Standard normal CDF. */
double
kpi_normal_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/* Two-sided normal p-value, from erfc so that tiny p-values keep their digits. */
double
kpi_normal_two_sided_p(double z)
{
	return erfc(fabs(z) / M_SQRT2);
}

/*
 * log(Gamma(a + b) / Gamma(a)) for a > 0, b > 0.  For large a, lgamma()'s
 * absolute error (~ulp of a·log a) would swamp the difference, so the Stirling
 * series is subtracted term by term instead.
 */
static double
kpi_log_gamma_ratio(double a, double b)
{
	double		c,
				ia,
				ic;

	if (a < 1000.0)
		return lgamma(a + b) - lgamma(a);
	c = a + b;
	ia = 1.0 / a;
	ic = 1.0 / c;
	return (a - 0.5) * log1p(b / a) + b * log(c) - b
		+ (ic - ia) / 12.0
		- (ic * ic * ic - ia * ia * ia) / 360.0
		+ (pow(ic, 5) - pow(ia, 5)) / 1260.0;
}

/*
 * Continued fraction of the regularized incomplete beta function (modified
 * Lentz's method, as in Numerical Recipes' betacf); converges quickly for
 * x < (a+1)/(a+b+2).
 */
static double
kpi_beta_continued_fraction(double a, double b, double x)
{
	const double tiny = 1e-300;
	const double eps = 1e-16;
	double		qab = a + b,
				qap = a + 1.0,
				qam = a - 1.0;
	double		c = 1.0,
				d = 1.0 - qab * x / qap;
	double		h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= 1000000; m++)
	{
		int			m2 = 2 * m;
		double		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		double		del;

		if ((m & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < eps)
			break;
	}
	return h;
}

/*
 * The upper tail P(T >= |t|) of Student's t with df degrees of freedom:
 * 0.5·I_x(df/2, 1/2) with x = df/(df+t²), where I is the regularized
 * incomplete beta function; 1-x = t²/(df+t²) is passed separately to avoid
 * cancellation.
 */
static double
kpi_t_upper_tail(double t, double df)
{
	double		a = df / 2.0,
				b = 0.5;
	double		t2 = t * t;
	double		x,
				y,
				log_front;

	if (t == 0.0)
		return 0.5;
	if (isinf(t))
		return 0.0;
	if (df > 1e12)
		return 0.5 * erfc(fabs(t) / M_SQRT2);
	x = df / (df + t2);
	y = t2 / (df + t2);
	/* log(x^a · y^b / B(a,b)), with log x = -log1p(t²/df). */
	log_front = -a * log1p(t2 / df) + b * log(y)
		+ kpi_log_gamma_ratio(a, b) - lgamma(b);
	if (x < (a + 1.0) / (a + b + 2.0))
		return 0.5 * exp(log_front) * kpi_beta_continued_fraction(a, b, x) / a;
	return 0.5 * (1.0 - exp(log_front) * kpi_beta_continued_fraction(b, a, y) / b);
}

/* Student's t CDF. */
double
kpi_t_cdf(double t, double df)
{
	double		tail = kpi_t_upper_tail(t, df);

	return t < 0.0 ? tail : 1.0 - tail;
}

/* Two-sided t p-value. */
double
kpi_t_two_sided_p(double t, double df)
{
	return Min(1.0, 2.0 * kpi_t_upper_tail(t, df));
}

/* Density of Student's t at t. */
static double
kpi_t_density(double t, double df)
{
	return exp(kpi_log_gamma_ratio(df / 2.0, 0.5) - 0.5 * log(df * M_PI)
			   - (df + 1.0) / 2.0 * log1p(t * t / df));
}

/*
 * Student's t quantile, solved on the upper tail: find s > 0 with
 * P(T >= s) = min(p, 1-p) by safeguarded Newton steps (bisection whenever a
 * step would leave the bracket), starting from the normal quantile.  The
 * tail is computed to full precision, so the quantile is too.
 */
double
kpi_t_quantile(double p, double df)
{
	double		q = Min(p, 1.0 - p);
	double		lo = 0.0,
				hi,
				s;

	Assert(p > 0.0 && p < 1.0 && df > 0.0);
	if (p == 0.5)
		return 0.0;
	s = -kpi_normal_quantile(q);
	/* Grow the bracket until the tail at hi is below q. */
	hi = Max(1.0, s);
	while (kpi_t_upper_tail(hi, df) > q)
	{
		lo = hi;
		hi *= 2.0;
		if (hi > 1e300)
			break;
	}
	s = Min(Max(s, lo), hi);
	for (int i = 0; i < 200; i++)
	{
		double		f = kpi_t_upper_tail(s, df) - q;
		double		next;

		if (f == 0.0)
			break;
		if (f > 0.0)
			lo = s;
		else
			hi = s;
		next = s + f / kpi_t_density(s, df);
		if (!(next > lo && next < hi))
			next = 0.5 * (lo + hi);
		if (fabs(next - s) <= 4.0 * DBL_EPSILON * fabs(next))
		{
			s = next;
			break;
		}
		s = next;
	}
	return p < 0.5 ? -s : s;
}

/* Two-sided t multiplier for a confidence level. */
double
kpi_two_sided_t(double confidence, double df)
{
	kpi_check_confidence(confidence);
	return kpi_t_quantile(1.0 - (1.0 - confidence) / 2.0, df);
}

/* Start reading a summary's text form. */
void
kpi_text_init(KpiTextCursor *cur, const char *input, const char *type_name)
{
	cur->input = input;
	cur->pos = input;
	cur->type_name = type_name;
}

/* A palloc'd string formatted from fmt and args (psprintf with a va_list). */
static char *kpi_vformat(const char *fmt, va_list args) pg_attribute_printf(1, 0);

static char *
kpi_vformat(const char *fmt, va_list args)
{
	size_t		len = 128;

	for (;;)
	{
		char	   *result = palloc(len);
		va_list		copy;
		size_t		needed;

		va_copy(copy, args);
		needed = pvsnprintf(result, len, fmt, copy);
		va_end(copy);
		if (needed < len)
			return result;
		pfree(result);
		len = needed;
	}
}

/* Raise the 22P02 error for a whole text input, with a detail sentence. */
void
kpi_text_invalid_input(const char *type_name, const char *input, const char *detail_fmt,...)
{
	char	   *detail;
	va_list		args;

	va_start(args, detail_fmt);
	detail = kpi_vformat(detail_fmt, args);
	va_end(args);

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", type_name, input),
			 errdetail("%s", detail)));
	pg_unreachable();
}

/* Raise the 22P02 error for a summary's text form, with a detail sentence. */
void
kpi_text_invalid(KpiTextCursor *cur, const char *detail_fmt,...)
{
	char	   *detail;
	va_list		args;

	va_start(args, detail_fmt);
	detail = kpi_vformat(detail_fmt, args);
	va_end(args);

	kpi_text_invalid_input(cur->type_name, cur->input, "%s", detail);
}

/* Skip blanks (what isspace() accepts). */
void
kpi_text_skip_blanks(KpiTextCursor *cur)
{
	while (isspace((unsigned char) *cur->pos))
		cur->pos++;
}

/* After optional blanks, consume lit if it comes next; returns whether it did. */
bool
kpi_text_accept(KpiTextCursor *cur, const char *lit)
{
	size_t		len = strlen(lit);

	kpi_text_skip_blanks(cur);
	if (strncmp(cur->pos, lit, len) != 0)
		return false;
	cur->pos += len;
	return true;
}

/* Before item i of a "{...}" list: false after the closing '}', else true after the separator. */
bool
kpi_text_list_next(KpiTextCursor *cur, int i)
{
	kpi_text_skip_blanks(cur);
	if (*cur->pos == '}')
	{
		cur->pos++;
		return false;
	}
	if (i > 0)
		kpi_text_expect_char(cur, ',');
	return true;
}

/* Consume the character c (after optional blanks). */
void
kpi_text_expect_char(KpiTextCursor *cur, char c)
{
	kpi_text_skip_blanks(cur);
	if (*cur->pos != c)
		kpi_text_invalid(cur, "Expected \"%c\" at character %d.", c,
						 (int) (cur->pos - cur->input) + 1);
	cur->pos++;
}

/* Consume "key=" (after optional blanks). */
void
kpi_text_expect_key(KpiTextCursor *cur, const char *key)
{
	size_t		len = strlen(key);

	kpi_text_skip_blanks(cur);
	if (strncmp(cur->pos, key, len) != 0)
		kpi_text_invalid(cur, "Expected \"%s=\" at character %d.", key,
						 (int) (cur->pos - cur->input) + 1);
	cur->pos += len;
	kpi_text_expect_char(cur, '=');
}

/* Read a signed 64-bit integer value of field key. */
int64
kpi_text_read_int64(KpiTextCursor *cur, const char *key)
{
	char	   *end;
	long long	value;

	kpi_text_skip_blanks(cur);
	if (!(isdigit((unsigned char) *cur->pos) || *cur->pos == '-'))
		kpi_text_invalid(cur, "Field \"%s\" must be an integer.", key);
	errno = 0;
	value = strtoll(cur->pos, &end, 10);
	if (errno == ERANGE)
		kpi_text_invalid(cur, "Field \"%s\" is out of range for a 64-bit integer.", key);
	if (end == cur->pos)
		kpi_text_invalid(cur, "Field \"%s\" must be an integer.", key);
	cur->pos = end;
	return (int64) value;
}

/* Read an unsigned 64-bit integer value of field key. */
uint64
kpi_text_read_uint64(KpiTextCursor *cur, const char *key)
{
	char	   *end;
	unsigned long long value;

	kpi_text_skip_blanks(cur);
	if (!isdigit((unsigned char) *cur->pos))
		kpi_text_invalid(cur, "Field \"%s\" must be a non-negative integer.", key);
	errno = 0;
	value = strtoull(cur->pos, &end, 10);
	if (errno == ERANGE)
		kpi_text_invalid(cur, "Field \"%s\" is out of range for a 64-bit integer.", key);
	cur->pos = end;
	return (uint64) value;
}

/* Read a finite double value of field key. */
double
kpi_text_read_float8(KpiTextCursor *cur, const char *key)
{
	char	   *end;
	double		value;

	kpi_text_skip_blanks(cur);
	errno = 0;
	value = strtod(cur->pos, &end);
	if (end == cur->pos)
		kpi_text_invalid(cur, "Field \"%s\" must be a number.", key);
	if (isnan(value) || isinf(value) || (errno == ERANGE && fabs(value) > 1.0))
		kpi_text_invalid(cur, "Field \"%s\" must be a finite number.", key);
	cur->pos = end;
	return value;
}

/* Require that nothing but blanks is left. */
void
kpi_text_expect_end(KpiTextCursor *cur)
{
	kpi_text_skip_blanks(cur);
	if (*cur->pos != '\0')
		kpi_text_invalid(cur, "Unexpected text after the summary at character %d.",
						 (int) (cur->pos - cur->input) + 1);
}

/* Append a double in its shortest exact form (independent of extra_float_digits). */
void
kpi_append_float8(StringInfo buf, double value)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(value, tmp);
	appendStringInfoString(buf, tmp);
}

/* Raise the 22P03 error for a summary's binary form, with a detail sentence. */
void
kpi_binary_invalid(const char *type_name, const char *detail_fmt,...)
{
	char	   *detail;
	va_list		args;

	va_start(args, detail_fmt);
	detail = kpi_vformat(detail_fmt, args);
	va_end(args);

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary data for type %s", type_name),
			 errdetail("%s", detail)));
	pg_unreachable();
}

/* Raise XX001 for a stored value that fails its checks (detail_fmt may be NULL). */
void
kpi_corrupted(const char *type_name, const char *detail_fmt,...)
{
	char	   *detail = NULL;
	va_list		args;

	if (detail_fmt != NULL)
	{
		va_start(args, detail_fmt);
		detail = kpi_vformat(detail_fmt, args);
		va_end(args);
	}
	ereport(ERROR,
			(errcode(KPI_ERRCODE_CORRUPTED),
			 errmsg("corrupted %s value", type_name),
			 detail ? errdetail("%s", detail) : 0));
	pg_unreachable();
}

/* Read and check the version byte that starts every binary summary. */
void
kpi_recv_version(StringInfo buf, const char *type_name)
{
	int			version;

	if (buf->cursor >= buf->len)
		kpi_binary_invalid(type_name, "The data is empty.");
	version = pq_getmsgbyte(buf);
	if (version != KPI_BINARY_VERSION)
		kpi_binary_invalid(type_name, "Unknown format version %d; this build reads version %d.",
						   version, KPI_BINARY_VERSION);
}

/* Make sure nbytes more bytes can be read from a binary summary. */
static inline void
kpi_recv_require(StringInfo buf, int nbytes, const char *type_name)
{
	if (buf->len - buf->cursor < nbytes)
		kpi_binary_invalid(type_name, "The data ends after %d bytes; more were expected.",
						   buf->len);
}

/* Read one 8-bit field of a binary summary, with a bounds check. */
int
kpi_recv_uint8(StringInfo buf, const char *type_name)
{
	kpi_recv_require(buf, 1, type_name);
	return pq_getmsgbyte(buf);
}

/* Read one unsigned 16-bit field of a binary summary, with a bounds check. */
int
kpi_recv_uint16(StringInfo buf, const char *type_name)
{
	kpi_recv_require(buf, 2, type_name);
	return (uint16) pq_getmsgint(buf, 2);
}

/* Read one int32 field of a binary summary, with a bounds check. */
int32
kpi_recv_int32(StringInfo buf, const char *type_name)
{
	kpi_recv_require(buf, 4, type_name);
	return (int32) pq_getmsgint(buf, 4);
}

/* Read one int64 field of a binary summary, with a bounds check. */
int64
kpi_recv_int64(StringInfo buf, const char *type_name)
{
	kpi_recv_require(buf, 8, type_name);
	return pq_getmsgint64(buf);
}

/* Read one float8 field of a binary summary, with a bounds check; it must be finite. */
double
kpi_recv_float8(StringInfo buf, const char *type_name)
{
	double		value;

	kpi_recv_require(buf, 8, type_name);
	value = pq_getmsgfloat8(buf);
	if (isnan(value) || isinf(value))
		kpi_binary_invalid(type_name, "A floating-point field is not finite.");
	return value;
}

/* Require that the whole binary summary was read. */
void
kpi_recv_end(StringInfo buf, const char *type_name)
{
	if (buf->cursor != buf->len)
		kpi_binary_invalid(type_name, "Unexpected data follows the summary (%d bytes).",
						   buf->len - buf->cursor);
}

/*
 * Parse "(k1=c1,k2=c2,...)" into n non-negative counts: the text form of the
 * fixed-size count summaries (rate_summary, nps_summary).
 */
void
kpi_counts_parse(const char *input, const char *type_name,
				 const char *const *keys, int n, int64 *counts)
{
	KpiTextCursor cur;

	kpi_text_init(&cur, input, type_name);
	kpi_text_expect_char(&cur, '(');
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			kpi_text_expect_char(&cur, ',');
		kpi_text_expect_key(&cur, keys[i]);
		counts[i] = kpi_text_read_int64(&cur, keys[i]);
		if (counts[i] < 0)
			kpi_text_invalid(&cur, "Count \"%s\" must not be negative.", keys[i]);
	}
	kpi_text_expect_char(&cur, ')');
	kpi_text_expect_end(&cur);
}

/* Format n counts as "(k1=c1,k2=c2,...)". */
char *
kpi_counts_format(const char *const *keys, int n, const int64 *counts)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s=" INT64_FORMAT, i > 0 ? "," : "", keys[i], counts[i]);
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/* Binary form of n counts: the version byte, then n int64s. */
bytea *
kpi_counts_send(const int64 *counts, int n)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, KPI_BINARY_VERSION);
	for (int i = 0; i < n; i++)
		pq_sendint64(&buf, counts[i]);
	return pq_endtypsend(&buf);
}

/* Read the binary form of n non-negative counts, checking length and signs. */
void
kpi_counts_recv(StringInfo buf, const char *type_name, int n, int64 *counts)
{
	kpi_recv_version(buf, type_name);
	for (int i = 0; i < n; i++)
	{
		counts[i] = kpi_recv_int64(buf, type_name);
		if (counts[i] < 0)
			kpi_binary_invalid(type_name, "Count %d is negative (%lld).", i + 1,
							   (long long) counts[i]);
	}
	kpi_recv_end(buf, type_name);
}
