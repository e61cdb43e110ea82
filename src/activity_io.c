/*
 * activity_io.c
 *		Text and binary input/output of user_activity.
 */
#include "activity.h"

#include "libpq/pqformat.h"
#include "utils/datetime.h"

/* Append a day as ISO YYYY-MM-DD (astronomical years, independent of DateStyle). */
static void
act_append_date(StringInfo buf, int32 day)
{
	int			y,
				m,
				d;

	j2date(day + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	if (y < 0)
		appendStringInfo(buf, "-%04d-%02d-%02d", -y, m, d);
	else
		appendStringInfo(buf, "%04d-%02d-%02d", y, m, d);
}

/* Read a YYYY-MM-DD day written by act_append_date. */
static int32
act_text_read_date(KpiTextCursor *cur, const char *key)
{
	const char *s = cur->pos;
	bool		neg = false;
	int64		y = 0;
	int			m = 0,
				d = 0,
				nd = 0;
	int32		jd;
	int			yy,
				mm,
				dd;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '-')
	{
		neg = true;
		s++;
	}
	while (*s >= '0' && *s <= '9' && nd < 8)
	{
		y = y * 10 + (*s++ - '0');
		nd++;
	}
	if (nd < 4 || s[0] != '-' || !isdigit((unsigned char) s[1]) || !isdigit((unsigned char) s[2]) ||
		s[3] != '-' || !isdigit((unsigned char) s[4]) || !isdigit((unsigned char) s[5]))
		kpi_text_invalid(cur, "Field \"%s\" must be a date written YYYY-MM-DD.", key);
	m = (s[1] - '0') * 10 + (s[2] - '0');
	d = (s[4] - '0') * 10 + (s[5] - '0');
	if (neg)
		y = -y;
	if (!IS_VALID_JULIAN(y, m, d) || m < 1 || m > 12 || d < 1 || d > 31)
		kpi_text_invalid(cur, "Field \"%s\" is not a valid date.", key);
	jd = date2j((int) y, m, d);
	j2date(jd, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d || !IS_VALID_DATE(jd - POSTGRES_EPOCH_JDATE))
		kpi_text_invalid(cur, "Field \"%s\" is not a valid date.", key);
	cur->pos = s + 6;
	return jd - POSTGRES_EPOCH_JDATE;
}

/* Value of a hex digit, or -1. */
static inline int
act_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Text form:
 * (first_day=2026-01-01,last_day=2026-01-31,users=2[,retention_n=7],activity={17:0+0b,42:3+01})
 * Each user is id:first-day-offset, then +bitmap bytes in hex, or (from
 * version 2 on, when act_list_wins() says so) /gap/gap... to each next
 * active day, e.g. 42:3/10000000.  Input accepts either spelling for any
 * user and stores the canonical encoding.
 */
PG_FUNCTION_INFO_V1(user_activity_in);
Datum
user_activity_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	KpiTextCursor cur;
	int32		first_day,
				last_day;
	int64		nusers,
				count = 0;
	ActFlat    *f;
	int			flags = 0;
	int64		n = 0;
	StringInfoData stream;
	uint64		prev = 0;
	const char *problem;
	uint8	   *bytes = NULL;
	int64		bytes_cap = 0;
	int32	   *days = NULL;
	int64		days_cap = 0;
	bool		has_list = false;
	int			version = ACT_VERSION;

	kpi_text_init(&cur, input, ACT_NAME);
	kpi_text_expect_char(&cur, '(');
	kpi_text_expect_key(&cur, "first_day");
	first_day = act_text_read_date(&cur, "first_day");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "last_day");
	last_day = act_text_read_date(&cur, "last_day");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "users");
	nusers = kpi_text_read_int64(&cur, "users");
	kpi_text_expect_char(&cur, ',');
	kpi_text_skip_blanks(&cur);
	if (strncmp(cur.pos, "retention_n", 11) == 0)
	{
		kpi_text_expect_key(&cur, "retention_n");
		n = kpi_text_read_int64(&cur, "retention_n");
		if (n < 0 || n > PG_INT32_MAX)
			kpi_text_invalid(&cur, "Field \"retention_n\" must be between 0 and %d.", PG_INT32_MAX);
		flags |= ACT_FLAG_RETENTION_N;
		kpi_text_expect_char(&cur, ',');
	}
	if ((problem = act_header_problem(ACT_VERSION, flags, 0, (int32) n,
									  first_day, last_day, nusers)) != NULL)
		kpi_text_invalid(&cur, "%s", problem);
	kpi_text_expect_key(&cur, "activity");
	kpi_text_expect_char(&cur, '{');
	initStringInfo(&stream);
	for (int i = 0; kpi_text_list_next(&cur, i); i++)
	{
		int64		id;
		uint64		key,
					start;
		int64		span = (int64) last_day - first_day + 1;

		CHECK_FOR_INTERRUPTS();
		id = kpi_text_read_int64(&cur, "activity");
		key = (uint64) id ^ ACT_SIGN;
		if (count > 0 && key <= prev)
			kpi_text_invalid(&cur, "User ids must be listed in increasing order without repeats.");
		kpi_text_expect_char(&cur, ':');
		start = kpi_text_read_uint64(&cur, "activity");
		if (start >= (uint64) span)
			kpi_text_invalid(&cur, "A user's first day lies after the summary's last day.");
		act_out_reserve(&stream, 20);
		act_out_varint(&stream, count == 0 ? key : key - prev);
		act_out_varint(&stream, start);
		if (*cur.pos == '/')
		{
			/* A day list: the first day, then the gaps to each next day. */
			int64		nd = 1;
			int64		off = (int64) start;

			if (days_cap == 0)
			{
				days_cap = 64;
				days = palloc(sizeof(int32) * days_cap);
			}
			days[0] = first_day + (int32) start;
			while (*cur.pos == '/')
			{
				uint64		gap;

				cur.pos++;
				gap = kpi_text_read_uint64(&cur, "activity");
				if (gap == 0 || gap >= (uint64) span || off + (int64) gap >= span)
					kpi_text_invalid(&cur, "A user's day list must be increasing and end by the summary's last day.");
				off += (int64) gap;
				if (nd >= days_cap)
				{
					days_cap *= 2;
					if (days_cap > (int64) (MaxAllocSize / sizeof(int32)))
						act_too_large("summary");
					days = repalloc(days, sizeof(int32) * days_cap);
				}
				days[nd++] = first_day + (int32) off;
			}
			/* As written: a day list record (re-encoded below if need be). */
			act_out_reserve(&stream, 20 + 10 * (nd - 1));
			act_out_varint(&stream, 0);
			act_out_varint(&stream, (uint64) (nd - 1));
			for (int64 i = 1; i < nd; i++)
				act_out_varint(&stream, (uint64) ((int64) days[i] - days[i - 1]));
			has_list = true;
		}
		else
		{
			int64		nbytes = 0;

			kpi_text_expect_char(&cur, '+');
			while (act_hex_value(cur.pos[0]) >= 0 && act_hex_value(cur.pos[1]) >= 0)
			{
				if (nbytes >= bytes_cap)
				{
					bytes_cap = Max(bytes_cap * 2, 64);
					if (bytes_cap > (int64) MaxAllocSize)
						act_too_large("summary");
					bytes = bytes ? repalloc(bytes, bytes_cap) : palloc(bytes_cap);
				}
				bytes[nbytes++] = (uint8) (act_hex_value(cur.pos[0]) * 16 + act_hex_value(cur.pos[1]));
				cur.pos += 2;
			}
			if (nbytes == 0 || act_hex_value(cur.pos[0]) >= 0)
				kpi_text_invalid(&cur, "A user's bitmap must be an even number of hex digits, at character %d.",
								 (int) (cur.pos - input) + 1);
			/* As written: a bitmap record, as in version 1. */
			act_out_reserve(&stream, 10 + nbytes);
			act_out_varint(&stream, (uint64) nbytes);
			memcpy(stream.data + stream.len, bytes, nbytes);
			stream.len += (int) nbytes;
		}
		if ((Size) stream.len > MaxAllocSize - ACT_HEADER_SIZE - 64)
			act_too_large("summary");
		prev = key;
		count++;
		if (count > nusers)
			kpi_text_invalid(&cur, "More users are listed than \"users\" says (%lld).",
							 (long long) nusers);
	}
	kpi_text_expect_char(&cur, ')');
	kpi_text_expect_end(&cur);
	if (count != nusers)
		kpi_text_invalid(&cur, "\"users\" says %lld users but %lld are listed.",
						 (long long) nusers, (long long) count);
	/*
	 * Bitmaps only, as pg_kpi 1.0 wrote them, one of them larger than its
	 * day list: the version 1 value it was (so 1.0 dumps restore bit for
	 * bit).  Otherwise version 2, every user in the canonical encoding.
	 */
	if (!has_list &&
		act_stream_problem(ACT_VERSION_1, (uint8 *) stream.data, (uint8 *) stream.data + stream.len,
						   first_day, last_day, nusers) == NULL &&
		act_stream_problem(ACT_VERSION, (uint8 *) stream.data, (uint8 *) stream.data + stream.len,
						   first_day, last_day, nusers) != NULL)
		version = ACT_VERSION_1;
	else
	{
		StringInfoData canon;

		initStringInfo(&canon);
		if ((problem = act_stream_canonical((uint8 *) stream.data, stream.len, first_day, last_day,
											nusers, &canon)) != NULL)
			kpi_text_invalid(&cur, "%s", problem);
		pfree(stream.data);
		stream = canon;
	}
	f = act_flat_build(version, flags, (int32) n, first_day, last_day, nusers,
					   (uint8 *) stream.data, stream.len);
	act_check_text_size(f);
	PG_RETURN_POINTER(f);
}

PG_FUNCTION_INFO_V1(user_activity_out);
Datum
user_activity_out(PG_FUNCTION_ARGS)
{
	ActView		v;
	ActReader	r;
	ActFlat    *f;
	StringInfoData buf;
	bool		done;
	bool		first = true;
	static const char hex[] = "0123456789abcdef";

	act_view(PG_GETARG_DATUM(0), &v);
	f = v.exp ? act_expanded_flatten(v.exp) : v.flat;
	initStringInfo(&buf);
	appendStringInfoString(&buf, "(first_day=");
	act_append_date(&buf, f->first_day);
	appendStringInfoString(&buf, ",last_day=");
	act_append_date(&buf, f->last_day);
	appendStringInfo(&buf, ",users=%d,", f->nusers);
	if (f->flags & ACT_FLAG_RETENTION_N)
		appendStringInfo(&buf, "retention_n=%d,", f->retention_n);
	appendStringInfoString(&buf, "activity={");
	act_reader_init(&r, f->version, f->data, (uint8 *) f + VARSIZE(f), f->first_day, f->last_day, f->nusers);
	for (;;)
	{
		if (act_reader_next(&r, &done) != NULL)
			act_corrupted();
		if (done)
			break;
		CHECK_FOR_INTERRUPTS();
		appendStringInfo(&buf, "%s" INT64_FORMAT ":%d", first ? "" : ",",
						 (int64) (r.key ^ ACT_SIGN), r.start - f->first_day);
		if (r.bytes)
		{
			char	   *o;

			enlargeStringInfo(&buf, (int) (1 + 2 * r.nbytes));
			o = buf.data + buf.len;
			*o++ = '+';
			for (int64 i = 0; i < r.nbytes; i++)
			{
				*o++ = hex[r.bytes[i] >> 4];
				*o++ = hex[r.bytes[i] & 15];
			}
			buf.len = (int) (o - buf.data);
			*o = '\0';
		}
		else
		{
			const uint8 *p = r.gaps;
			uint64		gap = 0;

			for (int64 i = 0; i < r.ngaps; i++)
			{
				(void) kpi_varint_get(&p, r.p, &gap);
				appendStringInfo(&buf, "/" UINT64_FORMAT, gap);
			}
		}
		first = false;
	}
	appendStringInfoString(&buf, "})");
	PG_RETURN_CSTRING(buf.data);
}

/*
 * Binary form: version byte (that of the flat form: 1 or 2), flags byte, int32 retention_n, int32 first_day,
 * int32 last_day, int32 users, then the record stream of the flat form.
 */
PG_FUNCTION_INFO_V1(user_activity_recv);
Datum
user_activity_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version,
				flags;
	int32		n,
				first_day,
				last_day,
				nusers;
	const char *problem;
	const uint8 *data;
	int			len;
	ActFlat    *f;

	if (buf->cursor >= buf->len)
		kpi_binary_invalid(ACT_NAME, "The data is empty.");
	version = kpi_recv_uint8(buf, ACT_NAME);
	if (version != ACT_VERSION_1 && version != ACT_VERSION)
		kpi_binary_invalid(ACT_NAME, "Unknown format version %d; this build reads versions %d and %d.",
						   version, ACT_VERSION_1, ACT_VERSION);
	flags = kpi_recv_uint8(buf, ACT_NAME);
	n = kpi_recv_int32(buf, ACT_NAME);
	first_day = kpi_recv_int32(buf, ACT_NAME);
	last_day = kpi_recv_int32(buf, ACT_NAME);
	nusers = kpi_recv_int32(buf, ACT_NAME);
	if ((problem = act_header_problem(version, flags, 0, n, first_day, last_day, nusers)) != NULL)
		kpi_binary_invalid(ACT_NAME, "%s", problem);
	data = (const uint8 *) buf->data + buf->cursor;
	len = buf->len - buf->cursor;
	if ((problem = act_stream_problem(version, data, data + len, first_day, last_day, nusers)) != NULL)
		kpi_binary_invalid(ACT_NAME, "%s", problem);
	buf->cursor = buf->len;
	f = act_flat_build(version, flags, n, first_day, last_day, nusers, data, len);
	act_check_text_size(f);
	PG_RETURN_POINTER(f);
}

PG_FUNCTION_INFO_V1(user_activity_send);
Datum
user_activity_send(PG_FUNCTION_ARGS)
{
	ActView		v;
	ActFlat    *f;
	StringInfoData buf;

	act_view(PG_GETARG_DATUM(0), &v);
	f = v.exp ? act_expanded_flatten(v.exp) : v.flat;
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, f->version);
	pq_sendbyte(&buf, f->flags);
	pq_sendint32(&buf, f->retention_n);
	pq_sendint32(&buf, f->first_day);
	pq_sendint32(&buf, f->last_day);
	pq_sendint32(&buf, f->nusers);
	pq_sendbytes(&buf, (char *) f->data, VARSIZE(f) - ACT_HEADER_SIZE);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
