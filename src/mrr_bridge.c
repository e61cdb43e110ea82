/*
 * mrr_bridge.c
 *		The MRR bridge: mrr_bridge_agg(movement, mrr_change) over the rows that
 *		mrr_movement() labels, the mrr_bridge summary (per movement kind, the
 *		number of customer-months and the MRR moved), rollup(), and the
 *		accessors new_mrr() ... quick_ratio(), customers().
 *
 *		Money stays numeric: amounts are summed exactly and stored as
 *		non-negative magnitudes (money gained for new, expansion and
 *		reactivation; money lost for contraction and churn).
 *
 *		Flat form: the six counts (int64) followed by the six amounts, each a
 *		numeric varlena at an int-aligned offset.
 */
#include "pg_kpi.h"

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#define MB_NAME "mrr_bridge"
#define MB_KINDS 6

enum
{
	MB_NEW, MB_EXPANSION, MB_CONTRACTION, MB_CHURN, MB_REACTIVATION, MB_FLAT
};

static const char *const mb_kinds[MB_KINDS] = {
	"new", "expansion", "contraction", "churn", "reactivation", "flat"
};

/* The in-memory bridge. */
typedef struct MrrBridge
{
	int64		count[MB_KINDS];
	Numeric		amount[MB_KINDS];
} MrrBridge;

static Numeric
mb_zero(void)
{
	return int64_to_numeric(0);
}

static inline int
mb_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b)));
}

static inline Numeric
mb_add(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_add, NumericGetDatum(a), NumericGetDatum(b)));
}

static inline Numeric
mb_sub(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_sub, NumericGetDatum(a), NumericGetDatum(b)));
}

/* Index of a movement kind, or -1. */
static int
mb_kind(const char *s, int len)
{
	for (int i = 0; i < MB_KINDS; i++)
		if ((int) strlen(mb_kinds[i]) == len && memcmp(mb_kinds[i], s, len) == 0)
			return i;
	return -1;
}

/* Check a bridge's internal consistency; returns a problem or NULL. */
static const char *
mb_problem(const MrrBridge *b)
{
	Numeric		zero = mb_zero();

	for (int i = 0; i < MB_KINDS; i++)
	{
		int			sign;

		if (b->count[i] < 0)
			return "Counts must not be negative.";
		if (numeric_is_nan(b->amount[i]) || numeric_is_inf(b->amount[i]))
			return "Amounts must be finite.";
		sign = mb_cmp(b->amount[i], zero);
		if (sign < 0)
			return "Amounts are magnitudes and must not be negative.";
		if (i == MB_FLAT ? sign != 0 : (b->count[i] == 0) != (sign == 0))
			return "A kind's amount must be positive exactly when its count is (flat moves no money).";
	}
	return NULL;
}

/* ---------- flat form ---------- */

static Datum
mb_flat(const MrrBridge *b)
{
	Size		size = VARHDRSZ + sizeof(int64) * MB_KINDS;
	char	   *p;
	struct varlena *v;

	for (int i = 0; i < MB_KINDS; i++)
		size = INTALIGN(size) + VARSIZE(b->amount[i]);
	v = palloc0(size);
	SET_VARSIZE(v, size);
	p = (char *) v + VARHDRSZ;
	memcpy(p, b->count, sizeof(int64) * MB_KINDS);
	p += sizeof(int64) * MB_KINDS;
	for (int i = 0; i < MB_KINDS; i++)
	{
		p = (char *) v + INTALIGN(p - (char *) v);
		memcpy(p, b->amount[i], VARSIZE(b->amount[i]));
		p += VARSIZE(b->amount[i]);
	}
	return PointerGetDatum(v);
}

/* Read a flat bridge (checking its layout, since it may come from disk). */
static MrrBridge *
mb_read(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	Size		size = VARSIZE(v);
	Size		off = VARHDRSZ + sizeof(int64) * MB_KINDS;
	MrrBridge  *b = palloc(sizeof(MrrBridge));

	if (size < off)
		elog(ERROR, "corrupted mrr_bridge value");
	memcpy(b->count, (char *) v + VARHDRSZ, sizeof(int64) * MB_KINDS);
	for (int i = 0; i < MB_KINDS; i++)
	{
		uint32		hdr;
		Size		len;

		off = INTALIGN(off);
		if (off + VARHDRSZ > size)
			elog(ERROR, "corrupted mrr_bridge value");
		memcpy(&hdr, (char *) v + off, sizeof(hdr));
		len = VARSIZE(&hdr);
		if (len < VARHDRSZ || off + len > size)
			elog(ERROR, "corrupted mrr_bridge value");
		b->amount[i] = palloc(len);
		memcpy(b->amount[i], (char *) v + off, len);
		off += len;
	}
	return b;
}

static MrrBridge *
mb_new(void)
{
	MrrBridge  *b = palloc(sizeof(MrrBridge));

	for (int i = 0; i < MB_KINDS; i++)
	{
		b->count[i] = 0;
		b->amount[i] = mb_zero();
	}
	return b;
}

/* ---------- text and binary forms ---------- */

PG_FUNCTION_INFO_V1(mrr_bridge_in);
Datum
mrr_bridge_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	KpiTextCursor cur;
	MrrBridge  *b = palloc(sizeof(MrrBridge));
	const char *problem;

	kpi_text_init(&cur, input, MB_NAME);
	kpi_text_expect_char(&cur, '(');
	for (int i = 0; i < MB_KINDS; i++)
	{
		const char *start;
		int			len;
		bool		dot = false;
		char	   *tok;

		if (i > 0)
			kpi_text_expect_char(&cur, ',');
		kpi_text_expect_key(&cur, mb_kinds[i]);
		b->count[i] = kpi_text_read_int64(&cur, mb_kinds[i]);
		if (b->count[i] < 0)
			kpi_text_invalid(&cur, "Count \"%s\" must not be negative.", mb_kinds[i]);
		kpi_text_expect_char(&cur, ':');
		start = cur.pos;
		while (isdigit((unsigned char) *cur.pos) || (*cur.pos == '.' && !dot))
		{
			if (*cur.pos == '.')
				dot = true;
			cur.pos++;
		}
		len = cur.pos - start;
		if (len == 0 || !isdigit((unsigned char) start[0]) || !isdigit((unsigned char) start[len - 1]))
			kpi_text_invalid(&cur, "Amount \"%s\" must be a non-negative decimal number such as 120.50.", mb_kinds[i]);
		/* the longest numeric_out of a numeric: 131072 digits, '.', 16383 digits */
		if (len > 131072 + 1 + 16383)
			kpi_text_invalid(&cur, "Amount \"%s\" has more digits than a numeric can hold.", mb_kinds[i]);
		tok = pnstrdup(start, len);
		b->amount[i] = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(tok),
														   ObjectIdGetDatum(InvalidOid),
														   Int32GetDatum(-1)));
	}
	kpi_text_expect_char(&cur, ')');
	kpi_text_expect_end(&cur);
	problem = mb_problem(b);
	if (problem)
		kpi_text_invalid(&cur, "%s", problem);
	PG_RETURN_DATUM(mb_flat(b));
}

PG_FUNCTION_INFO_V1(mrr_bridge_out);
Datum
mrr_bridge_out(PG_FUNCTION_ARGS)
{
	MrrBridge  *b = mb_read(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (int i = 0; i < MB_KINDS; i++)
		appendStringInfo(&buf, "%s%s=" INT64_FORMAT ":%s", i > 0 ? "," : "", mb_kinds[i], b->count[i],
						 DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(b->amount[i]))));
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

/* Binary form: version byte, then per kind an int64 count and a length-prefixed numeric (numeric_send). */
PG_FUNCTION_INFO_V1(mrr_bridge_send);
Datum
mrr_bridge_send(PG_FUNCTION_ARGS)
{
	MrrBridge  *b = mb_read(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, KPI_BINARY_VERSION);
	for (int i = 0; i < MB_KINDS; i++)
	{
		bytea	   *num = DatumGetByteaPP(DirectFunctionCall1(numeric_send, NumericGetDatum(b->amount[i])));

		pq_sendint64(&buf, b->count[i]);
		pq_sendint32(&buf, VARSIZE_ANY_EXHDR(num));
		pq_sendbytes(&buf, VARDATA_ANY(num), VARSIZE_ANY_EXHDR(num));
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(mrr_bridge_recv);
Datum
mrr_bridge_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	MrrBridge  *b = palloc(sizeof(MrrBridge));
	const char *problem;

	kpi_recv_version(buf, MB_NAME);
	for (int i = 0; i < MB_KINDS; i++)
	{
		int64		len;
		StringInfoData nbuf;

		b->count[i] = kpi_recv_int64(buf, MB_NAME);
		if (buf->len - buf->cursor < 4)
			kpi_binary_invalid(MB_NAME, "The data ends after %d bytes; more were expected.", buf->len);
		len = (int64) (uint32) pq_getmsgint(buf, 4);
		if (len < 8 || len > buf->len - buf->cursor)
			kpi_binary_invalid(MB_NAME, "An amount's length (%lld) does not fit the data.", (long long) len);
		/* numeric_send's layout: ndigits, weight, sign, dscale, then ndigits digits */
		if (len != 8 + 2 * (int64) (((unsigned char) buf->data[buf->cursor] << 8) |
									 (unsigned char) buf->data[buf->cursor + 1]))
			kpi_binary_invalid(MB_NAME, "An amount's digit count does not match its length.");
		initStringInfo(&nbuf);
		appendBinaryStringInfo(&nbuf, buf->data + buf->cursor, (int) len);
		buf->cursor += (int) len;
		b->amount[i] = DatumGetNumeric(DirectFunctionCall3(numeric_recv, PointerGetDatum(&nbuf),
														   ObjectIdGetDatum(InvalidOid),
														   Int32GetDatum(-1)));
		if (nbuf.cursor != nbuf.len)
			kpi_binary_invalid(MB_NAME, "An amount has trailing bytes.");
	}
	kpi_recv_end(buf, MB_NAME);
	problem = mb_problem(b);
	if (problem)
		kpi_binary_invalid(MB_NAME, "%s", problem);
	PG_RETURN_DATUM(mb_flat(b));
}

/* ---------- aggregates ---------- */

/*
 * Transition function of mrr_bridge_agg(movement, mrr_change): rows with a
 * NULL movement or change are skipped; the change's sign must fit the kind.
 */
PG_FUNCTION_INFO_V1(mrr_bridge_accum);
Datum
mrr_bridge_accum(PG_FUNCTION_ARGS)
{
	MrrBridge  *b;
	text	   *movement;
	Numeric		change;
	int			kind;
	int			sign;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	movement = PG_GETARG_TEXT_PP(1);
	change = PG_GETARG_NUMERIC(2);
	kind = mb_kind(VARDATA_ANY(movement), VARSIZE_ANY_EXHDR(movement));
	if (kind < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown MRR movement \"%s\"", text_to_cstring(movement)),
				 errdetail("Movements are new, expansion, contraction, churn, reactivation and flat, as mrr_movement() returns them.")));
	if (numeric_is_nan(change) || numeric_is_inf(change))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("MRR change must be finite, got %s",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(change))))));
	sign = mb_cmp(change, mb_zero());
	if ((kind == MB_FLAT && sign != 0) ||
		((kind == MB_NEW || kind == MB_EXPANSION || kind == MB_REACTIVATION) && sign <= 0) ||
		((kind == MB_CONTRACTION || kind == MB_CHURN) && sign >= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("MRR change %s does not fit movement \"%s\"",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(change))),
						mb_kinds[kind]),
				 errhint("Pass this month's MRR minus last month's (0 when there was none), e.g. mrr - coalesce(lag(mrr) OVER w, 0): positive for new, expansion and reactivation, negative for contraction and churn, 0 for flat.")));
	b = PG_ARGISNULL(0) ? mb_new() : mb_read(PG_GETARG_DATUM(0));
	b->count[kind] = kpi_add_count(b->count[kind], 1);
	if (sign != 0)
		b->amount[kind] = mb_add(b->amount[kind], sign < 0 ? DatumGetNumeric(DirectFunctionCall1(numeric_abs, NumericGetDatum(change))) : change);
	PG_RETURN_DATUM(mb_flat(b));
}

/* Combine function, and rollup()'s transition function. */
PG_FUNCTION_INFO_V1(mrr_bridge_combine);
Datum
mrr_bridge_combine(PG_FUNCTION_ARGS)
{
	MrrBridge  *a;
	MrrBridge  *b;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
		PG_RETURN_DATUM(mb_flat(mb_read(PG_GETARG_DATUM(1))));
	a = mb_read(PG_GETARG_DATUM(0));
	b = mb_read(PG_GETARG_DATUM(1));
	for (int i = 0; i < MB_KINDS; i++)
	{
		a->count[i] = kpi_add_count(a->count[i], b->count[i]);
		a->amount[i] = mb_add(a->amount[i], b->amount[i]);
	}
	PG_RETURN_DATUM(mb_flat(a));
}

/* ---------- accessors ---------- */

/* The bridge of argument 0, or NULL (return) under pg_kpi.min_group_size. */
#define MB_GETARG_OR_SUPPRESS(b) \
	do { \
		int64 rows_ = 0; \
		(b) = mb_read(PG_GETARG_DATUM(0)); \
		for (int i_ = 0; i_ < MB_KINDS; i_++) \
			rows_ = kpi_add_count(rows_, (b)->count[i_]); \
		KPI_SUPPRESS_SMALL_GROUP(rows_); \
	} while (0)

static Datum
mb_amount(FunctionCallInfo fcinfo, int kind)
{
	MrrBridge  *b;

	MB_GETARG_OR_SUPPRESS(b);
	PG_RETURN_NUMERIC(b->amount[kind]);
}

PG_FUNCTION_INFO_V1(mrr_bridge_new);
Datum
mrr_bridge_new(PG_FUNCTION_ARGS)
{
	return mb_amount(fcinfo, MB_NEW);
}

PG_FUNCTION_INFO_V1(mrr_bridge_expansion);
Datum
mrr_bridge_expansion(PG_FUNCTION_ARGS)
{
	return mb_amount(fcinfo, MB_EXPANSION);
}

PG_FUNCTION_INFO_V1(mrr_bridge_contraction);
Datum
mrr_bridge_contraction(PG_FUNCTION_ARGS)
{
	return mb_amount(fcinfo, MB_CONTRACTION);
}

PG_FUNCTION_INFO_V1(mrr_bridge_churned);
Datum
mrr_bridge_churned(PG_FUNCTION_ARGS)
{
	return mb_amount(fcinfo, MB_CHURN);
}

PG_FUNCTION_INFO_V1(mrr_bridge_reactivation);
Datum
mrr_bridge_reactivation(PG_FUNCTION_ARGS)
{
	return mb_amount(fcinfo, MB_REACTIVATION);
}

/* net_new_mrr: new + expansion + reactivation - contraction - churn. */
PG_FUNCTION_INFO_V1(mrr_bridge_net_new);
Datum
mrr_bridge_net_new(PG_FUNCTION_ARGS)
{
	MrrBridge  *b;
	Numeric		gained;
	Numeric		lost;

	MB_GETARG_OR_SUPPRESS(b);
	gained = mb_add(mb_add(b->amount[MB_NEW], b->amount[MB_EXPANSION]), b->amount[MB_REACTIVATION]);
	lost = mb_add(b->amount[MB_CONTRACTION], b->amount[MB_CHURN]);
	PG_RETURN_NUMERIC(mb_sub(gained, lost));
}

/* quick_ratio: (new + expansion + reactivation) / (contraction + churn); NULL when nothing was lost. */
PG_FUNCTION_INFO_V1(mrr_bridge_quick_ratio);
Datum
mrr_bridge_quick_ratio(PG_FUNCTION_ARGS)
{
	MrrBridge  *b;
	Numeric		gained;
	Numeric		lost;

	MB_GETARG_OR_SUPPRESS(b);
	gained = mb_add(mb_add(b->amount[MB_NEW], b->amount[MB_EXPANSION]), b->amount[MB_REACTIVATION]);
	lost = mb_add(b->amount[MB_CONTRACTION], b->amount[MB_CHURN]);
	if (mb_cmp(lost, mb_zero()) == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall1(numeric_float8,
										DirectFunctionCall2(numeric_div, NumericGetDatum(gained),
															NumericGetDatum(lost))));
}

/* customers(b, kind): customer-months of one movement kind. */
PG_FUNCTION_INFO_V1(mrr_bridge_customers);
Datum
mrr_bridge_customers(PG_FUNCTION_ARGS)
{
	MrrBridge  *b;
	text	   *kind_text = PG_GETARG_TEXT_PP(1);
	int			kind = mb_kind(VARDATA_ANY(kind_text), VARSIZE_ANY_EXHDR(kind_text));

	if (kind < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown MRR movement \"%s\"", text_to_cstring(kind_text)),
				 errdetail("Movements are new, expansion, contraction, churn, reactivation and flat.")));
	MB_GETARG_OR_SUPPRESS(b);
	PG_RETURN_INT64(b->count[kind]);
}
