/*
 * latency_io.c
 *		The latency_sketch flat (on-disk) form and its bucket varints, and
 *		the type's text and binary input and output functions.
 */
#include "latency.h"

#include "libpq/pqformat.h"
#include "utils/float.h"

/* ---------- the flat form ---------- */

/* Bytes of the bucket varints of s. */
Size
lat_stream_size(const LatSketch *s)
{
	Size		size = 0;
	int32		prev = 0;
	bool		any = false;

	if (s->bucket_total == 0)
		return 0;
	for (int32 i = s->first; i <= s->last; i++)
	{
		int64		c = s->slots[i - s->lo];

		if (c == 0)
			continue;
		if (any)
			size += kpi_varint_len((uint64) (i - prev));
		size += kpi_varint_len((uint64) c);
		prev = i;
		any = true;
	}
	return size;
}

/* Write the bucket varints of s at out; returns the number of non-empty buckets. */
int32
lat_stream_write(const LatSketch *s, uint8 *out)
{
	int32		prev = 0;
	int32		n = 0;

	if (s->bucket_total == 0)
		return 0;
	for (int32 i = s->first; i <= s->last; i++)
	{
		int64		c = s->slots[i - s->lo];

		if (c == 0)
			continue;
		if (n > 0)
			out = kpi_varint_put(out, (uint64) (i - prev));
		out = kpi_varint_put(out, (uint64) c);
		prev = i;
		n++;
	}
	return n;
}

/*
 * Decode nbuckets (index delta, count) varints from [data, data+len) into
 * p->index/p->counts (allocated here); returns a problem sentence or NULL.
 */
const char *
lat_stream_read(LatParsed *p, int32 first_index, const uint8 *data, Size len)
{
	const uint8 *pos = data;
	const uint8 *end = data + len;
	int64		index = first_index;

	if (p->nbuckets < 0 || p->nbuckets > LAT_MAX_BUCKETS)
		return psprintf("A sketch has at most %d buckets.", LAT_MAX_BUCKETS);
	if ((Size) p->nbuckets > len)
		return "The bucket data is shorter than the bucket count says.";
	p->index = palloc(sizeof(int32) * Max(p->nbuckets, 1));
	p->counts = palloc(sizeof(int64) * Max(p->nbuckets, 1));
	for (int i = 0; i < p->nbuckets; i++)
	{
		uint64		v;

		if (i > 0)
		{
			if (!kpi_varint_get(&pos, end, &v))
				return "A bucket index delta is truncated or not a minimal varint.";
			if (v < 1 || v >= LAT_MAX_BUCKETS)
				return "A bucket index delta is out of range.";
			index += (int64) v;
			if (index > PG_INT32_MAX)
				return "A bucket index is out of range.";
		}
		if (!kpi_varint_get(&pos, end, &v))
			return "A bucket count is truncated or not a minimal varint.";
		if (v < 1 || v > (uint64) PG_INT64_MAX)
			return "A bucket count is out of range.";
		p->index[i] = (int32) index;
		p->counts[i] = (int64) v;
	}
	if (pos != end)
		return psprintf("%d bytes follow the last bucket.", (int) (end - pos));
	return NULL;
}

/* Size of the flat form of s, overflow-checked against the varlena limit. */
Size
lat_flat_size(const LatSketch *s)
{
	Size		size = sizeof(LatFlat) + sizeof(double) * s->nquantiles + lat_stream_size(s);

	if (size > KPI_MAX_SUMMARY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("latency_sketch would take %zu bytes, more than the limit", size),
				 errhint("Ask for fewer percentiles.")));
	return size;
}

/* Write the flat form of s into result (exactly size bytes). */
void
lat_flat_write(const LatSketch *s, void *result, Size size)
{
	LatFlat    *f = (LatFlat *) result;
	uint8	   *q = (uint8 *) result + sizeof(LatFlat);

	memset(f, 0, sizeof(LatFlat));
	SET_VARSIZE(f, size);
	f->version = KPI_BINARY_VERSION;
	f->flags = s->has_quantiles ? LAT_FLAG_QUANTILES : 0;
	f->nquantiles = (uint16) s->nquantiles;
	f->first_index = s->bucket_total > 0 ? s->first : 0;
	f->alpha = s->alpha;
	f->count = s->count;
	f->zero_count = s->zero_count;
	f->sum = s->sum;
	f->min = s->min;
	f->max = s->max;
	if (s->nquantiles > 0)
		memcpy(q, s->quantiles, sizeof(double) * s->nquantiles);
	q += sizeof(double) * s->nquantiles;
	f->nbuckets = lat_stream_write(s, q);
}

/* A freshly palloc'd flat copy of s. */
Datum
lat_flat_datum(const LatSketch *s)
{
	Size		size = lat_flat_size(s);
	void	   *result = palloc(size);

	lat_flat_write(s, result, size);
	return PointerGetDatum(result);
}

/* Decode and validate a flat sketch into s (lat_init'ed with its context). */
void
lat_from_flat(LatSketch *s, const struct varlena *v)
{
	LatFlat		f;
	LatParsed	p;
	Size		len = VARSIZE(v);
	const uint8 *data = (const uint8 *) v;
	Size		qbytes;
	const char *problem;

	if (len < sizeof(LatFlat))
		kpi_corrupted(LAT_NAME, "The stored sketch is only %zu bytes long.", len);
	memcpy(&f, v, sizeof(LatFlat));
	if (f.version != KPI_BINARY_VERSION)
		kpi_corrupted(LAT_NAME, "Unknown format version %d; this build reads version %d.",
						   f.version, KPI_BINARY_VERSION);
	memset(&p, 0, sizeof(p));
	p.alpha = f.alpha;
	p.count = f.count;
	p.zero_count = f.zero_count;
	p.sum = f.sum;
	p.min = f.min;
	p.max = f.max;
	p.nbuckets = f.nbuckets;
	p.has_quantiles = (f.flags & LAT_FLAG_QUANTILES) != 0;
	p.nquantiles = f.nquantiles;
	qbytes = sizeof(double) * f.nquantiles;
	if (len - sizeof(LatFlat) < qbytes || (!p.has_quantiles && f.nquantiles != 0))
		kpi_corrupted(LAT_NAME, "The stored sketch's percentile list is inconsistent.");
	if (p.nquantiles > 0)
	{
		p.quantiles = palloc(qbytes);
		memcpy(p.quantiles, data + sizeof(LatFlat), qbytes);
	}
	problem = lat_stream_read(&p, f.first_index, data + sizeof(LatFlat) + qbytes,
							  len - sizeof(LatFlat) - qbytes);
	if (problem == NULL)
		problem = lat_problem(&p);
	if (problem != NULL)
		kpi_corrupted(LAT_NAME, "%s", problem);
	lat_from_parsed(s, &p);
}

/* ---------- type I/O ---------- */

/*
 * Text form: (alpha=A,count=N,min=m,max=M,sum=S,zero=Z,buckets={i:c,...})
 * with ",percentiles={p,...}" before the ")" inside the one-step aggregates'
 * states.
 */
PG_FUNCTION_INFO_V1(latency_sketch_in);
Datum
latency_sketch_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	KpiTextCursor cur;
	LatParsed	p;
	LatSketch	s;
	const char *problem;

	memset(&p, 0, sizeof(p));
	kpi_text_init(&cur, input, LAT_NAME);
	kpi_text_expect_char(&cur, '(');
	kpi_text_expect_key(&cur, "alpha");
	p.alpha = kpi_text_read_float8(&cur, "alpha");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "count");
	p.count = kpi_text_read_int64(&cur, "count");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "min");
	p.min = kpi_text_read_float8(&cur, "min");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "max");
	p.max = kpi_text_read_float8(&cur, "max");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "sum");
	p.sum = kpi_text_read_float8(&cur, "sum");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "zero");
	p.zero_count = kpi_text_read_int64(&cur, "zero");
	kpi_text_expect_char(&cur, ',');
	kpi_text_expect_key(&cur, "buckets");
	kpi_text_expect_char(&cur, '{');
	p.index = palloc(sizeof(int32) * LAT_MAX_BUCKETS);
	p.counts = palloc(sizeof(int64) * LAT_MAX_BUCKETS);
	for (int i = 0; kpi_text_list_next(&cur, i); i++)
	{
		int64		index;

		if (p.nbuckets >= LAT_MAX_BUCKETS)
			kpi_text_invalid(&cur, "A sketch has at most %d buckets.", LAT_MAX_BUCKETS);
		index = kpi_text_read_int64(&cur, "buckets");
		if (index < PG_INT32_MIN || index > PG_INT32_MAX)
			kpi_text_invalid(&cur, "Bucket index %lld is out of range.", (long long) index);
		kpi_text_expect_char(&cur, ':');
		p.index[p.nbuckets] = (int32) index;
		p.counts[p.nbuckets] = kpi_text_read_int64(&cur, "buckets");
		p.nbuckets++;
	}
	if (kpi_text_accept(&cur, ","))
	{
		kpi_text_expect_key(&cur, "percentiles");
		kpi_text_expect_char(&cur, '{');
		p.has_quantiles = true;
		p.quantiles = palloc(sizeof(double) * LAT_MAX_QUANTILES);
		for (int i = 0; kpi_text_list_next(&cur, i); i++)
		{
			if (p.nquantiles >= LAT_MAX_QUANTILES)
				kpi_text_invalid(&cur, "At most %d percentiles can be attached.", LAT_MAX_QUANTILES);
			if (kpi_text_accept(&cur, "NULL"))
				p.quantiles[p.nquantiles++] = get_float8_nan();
			else
				p.quantiles[p.nquantiles++] = kpi_text_read_float8(&cur, "percentiles");
		}
	}
	kpi_text_expect_char(&cur, ')');
	kpi_text_expect_end(&cur);
	if (p.min == 0.0)
		p.min = 0.0;			/* -0 reads as 0 */
	if (p.max == 0.0)
		p.max = 0.0;
	if ((problem = lat_problem(&p)) != NULL)
		kpi_text_invalid(&cur, "%s", problem);
	s.cxt = CurrentMemoryContext;
	lat_from_parsed(&s, &p);
	PG_RETURN_DATUM(lat_flat_datum(&s));
}

PG_FUNCTION_INFO_V1(latency_sketch_out);
Datum
latency_sketch_out(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);
	StringInfoData buf;
	bool		any = false;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "(alpha=");
	kpi_append_float8(&buf, s->alpha);
	appendStringInfo(&buf, ",count=" INT64_FORMAT ",min=", s->count);
	kpi_append_float8(&buf, s->min);
	appendStringInfoString(&buf, ",max=");
	kpi_append_float8(&buf, s->max);
	appendStringInfoString(&buf, ",sum=");
	kpi_append_float8(&buf, s->sum);
	appendStringInfo(&buf, ",zero=" INT64_FORMAT ",buckets={", s->zero_count);
	for (int32 i = s->first; s->bucket_total > 0 && i <= s->last; i++)
	{
		int64		c = s->slots[i - s->lo];

		if (c == 0)
			continue;
		appendStringInfo(&buf, "%s%d:" INT64_FORMAT, any ? "," : "", i, c);
		any = true;
	}
	appendStringInfoChar(&buf, '}');
	if (s->has_quantiles)
	{
		appendStringInfoString(&buf, ",percentiles={");
		for (int i = 0; i < s->nquantiles; i++)
		{
			if (i > 0)
				appendStringInfoChar(&buf, ',');
			if (isnan(s->quantiles[i]))
				appendStringInfoString(&buf, "NULL");
			else
				kpi_append_float8(&buf, s->quantiles[i]);
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

/*
 * Binary form: version byte, flags byte, uint16 number of percentiles,
 * int32 number of buckets, int32 first bucket index, float8 alpha, int8
 * count, int8 zero count, float8 sum, min, max, float8 percentiles, then
 * the bucket varints (as in the flat form) up to the end.
 */
PG_FUNCTION_INFO_V1(latency_sketch_recv);
Datum
latency_sketch_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	LatParsed	p;
	LatSketch	s;
	int			flags;
	int32		first_index;
	const char *problem;

	memset(&p, 0, sizeof(p));
	kpi_recv_version(buf, LAT_NAME);
	flags = kpi_recv_uint8(buf, LAT_NAME);
	if ((flags & ~LAT_FLAG_QUANTILES) != 0)
		kpi_binary_invalid(LAT_NAME, "Unknown flags %d.", flags);
	p.has_quantiles = (flags & LAT_FLAG_QUANTILES) != 0;
	p.nquantiles = kpi_recv_uint16(buf, LAT_NAME);
	p.nbuckets = kpi_recv_int32(buf, LAT_NAME);
	first_index = kpi_recv_int32(buf, LAT_NAME);
	p.alpha = kpi_recv_float8(buf, LAT_NAME);
	p.count = kpi_recv_int64(buf, LAT_NAME);
	p.zero_count = kpi_recv_int64(buf, LAT_NAME);
	p.sum = kpi_recv_float8(buf, LAT_NAME);
	p.min = kpi_recv_float8(buf, LAT_NAME);
	p.max = kpi_recv_float8(buf, LAT_NAME);
	if (!p.has_quantiles && p.nquantiles != 0)
		kpi_binary_invalid(LAT_NAME, "Percentiles are listed but the flag says there are none.");
	if (p.nquantiles > LAT_MAX_QUANTILES)
		kpi_binary_invalid(LAT_NAME, "At most %d percentiles can be attached.", LAT_MAX_QUANTILES);
	if (p.nquantiles > 0)
	{
		p.quantiles = palloc(sizeof(double) * p.nquantiles);
		for (int i = 0; i < p.nquantiles; i++)
		{
			/* Raw bits: NaN is the NULL marker of an attached percentile. */
			int64		bits = kpi_recv_int64(buf, LAT_NAME);

			memcpy(&p.quantiles[i], &bits, sizeof(double));
		}
	}
	problem = lat_stream_read(&p, first_index, (const uint8 *) buf->data + buf->cursor,
							  buf->len - buf->cursor);
	if (problem == NULL)
		problem = lat_problem(&p);
	if (problem != NULL)
		kpi_binary_invalid(LAT_NAME, "%s", problem);
	buf->cursor = buf->len;
	if (p.min == 0.0)
		p.min = 0.0;
	if (p.max == 0.0)
		p.max = 0.0;
	s.cxt = CurrentMemoryContext;
	lat_from_parsed(&s, &p);
	PG_RETURN_DATUM(lat_flat_datum(&s));
}

PG_FUNCTION_INFO_V1(latency_sketch_send);
Datum
latency_sketch_send(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);
	StringInfoData buf;
	Size		stream = lat_stream_size(s);
	uint8	   *bytes = palloc(Max(stream, 1));
	int32		nbuckets = lat_stream_write(s, bytes);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, KPI_BINARY_VERSION);
	pq_sendbyte(&buf, s->has_quantiles ? LAT_FLAG_QUANTILES : 0);
	pq_sendint16(&buf, (uint16) s->nquantiles);
	pq_sendint32(&buf, nbuckets);
	pq_sendint32(&buf, s->bucket_total > 0 ? s->first : 0);
	pq_sendfloat8(&buf, s->alpha);
	pq_sendint64(&buf, s->count);
	pq_sendint64(&buf, s->zero_count);
	pq_sendfloat8(&buf, s->sum);
	pq_sendfloat8(&buf, s->min);
	pq_sendfloat8(&buf, s->max);
	for (int i = 0; i < s->nquantiles; i++)
		pq_sendfloat8(&buf, s->quantiles[i]);
	pq_sendbytes(&buf, (char *) bytes, stream);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
