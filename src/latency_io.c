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
	int			lo,
				nlimbs;
	Size		size;

	lat_sum_range(&s->sum, &lo, &nlimbs);
	size = sizeof(LatFlat) + sizeof(double) * s->nquantiles + sizeof(uint64) * nlimbs +
		lat_stream_size(s);
	if (size > KPI_MAX_SUMMARY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("latency_sketch would take %zu bytes, more than the limit", size),
				 errhint("Ask for fewer percentiles.")));
	return size;
}

/* Write the flat form (format version 2) of s into result (exactly size bytes). */
void
lat_flat_write(const LatSketch *s, void *result, Size size)
{
	LatFlat    *f = (LatFlat *) result;
	uint8	   *q = (uint8 *) result + sizeof(LatFlat);
	int			lo,
				nlimbs;

	lat_sum_range(&s->sum, &lo, &nlimbs);
	memset(f, 0, sizeof(LatFlat));
	SET_VARSIZE(f, size);
	f->version = LAT_FORMAT_V2;
	f->flags = s->has_quantiles ? LAT_FLAG_QUANTILES : 0;
	f->nquantiles = (uint16) s->nquantiles;
	f->first_index = s->bucket_total > 0 ? s->first : 0;
	f->alpha = s->alpha;
	f->count = s->count;
	f->zero_count = s->zero_count;
	f->sum = lat_sum_double(&s->sum);
	f->min = s->min;
	f->max = s->max;
	f->sum_lo = (int16) lo;
	f->sum_nlimbs = (uint16) nlimbs;
	if (s->nquantiles > 0)
		memcpy(q, s->quantiles, sizeof(double) * s->nquantiles);
	q += sizeof(double) * s->nquantiles;
	if (nlimbs > 0)
		memcpy(q, &s->sum.limb[lo], sizeof(uint64) * nlimbs);
	q += sizeof(uint64) * nlimbs;
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

/*
 * Check the exact sum's limbs (canonical range, within the accumulator,
 * first and last non-zero) and that the float8 sum is their rounding;
 * fills p->sum_exact.  Returns a problem sentence or NULL.
 */
static const char *
lat_limbs_read(LatParsed *p, int lo, int nlimbs, const uint8 *limbs)
{
	memset(&p->sum_exact, 0, sizeof(LatSum));
	if (lo < 0 || nlimbs < 0 || lo + nlimbs > LAT_SUM_LIMBS || (nlimbs == 0 && lo != 0))
		return "The exact sum's limb range is out of bounds.";
	if (nlimbs > 0)
		memcpy(&p->sum_exact.limb[lo], limbs, sizeof(uint64) * nlimbs);
	if (nlimbs > 0 && (p->sum_exact.limb[lo] == 0 || p->sum_exact.limb[lo + nlimbs - 1] == 0))
		return "The exact sum's first and last limbs must not be zero.";
	if (lat_sum_too_large(&p->sum_exact))
		return "The exact sum is beyond the float8 range.";
	if (!lat_same_double(p->sum, lat_sum_double(&p->sum_exact)))
		return "The float8 sum is not the rounding of the exact sum.";
	return NULL;
}

/* The exact sum of a float8 sum read from format version 1 (left zero if invalid). */
static void
lat_sum_from_v1(LatParsed *p)
{
	memset(&p->sum_exact, 0, sizeof(LatSum));
	if (p->sum >= 0.0 && !isinf(p->sum))
	{
		lat_sum_from_double(&p->sum_exact, p->sum);
		p->sum = lat_sum_double(&p->sum_exact);	/* -0 reads as 0 */
	}
}

/*
 * Look at a detoasted flat sketch of either format version in place,
 * checking only that its parts lie within the value (so reading it cannot
 * go out of bounds); XX001 if not.  Consistency of the contents was checked
 * by the input or receive function that made the value.
 */
void
lat_view_init(LatView *v, const struct varlena *flat)
{
	Size		len = VARSIZE(flat);
	const uint8 *data = (const uint8 *) flat;
	Size		hdr;
	Size		tail;

	if (len < LAT_FLAT_V1_SIZE)
		kpi_corrupted(LAT_NAME, "The stored sketch is only %zu bytes long.", len);
	v->f = (const LatFlat *) flat;
	if (v->f->version == LAT_FORMAT_V2)
	{
		if (len < sizeof(LatFlat))
			kpi_corrupted(LAT_NAME, "The stored sketch is only %zu bytes long.", len);
		hdr = sizeof(LatFlat);
		v->sum_lo = v->f->sum_lo;
		v->sum_nlimbs = v->f->sum_nlimbs;
	}
	else if (v->f->version == LAT_FORMAT_V1)
	{
		hdr = LAT_FLAT_V1_SIZE;
		v->sum_lo = 0;
		v->sum_nlimbs = 0;
	}
	else
		kpi_corrupted(LAT_NAME, "Unknown format version %d; this build reads versions %d and %d.",
					  v->f->version, LAT_FORMAT_V1, LAT_FORMAT_V2);
	v->quantiles = data + hdr;
	tail = sizeof(double) * v->f->nquantiles + sizeof(uint64) * (Size) v->sum_nlimbs;
	if (len - hdr < tail ||
		(!(v->f->flags & LAT_FLAG_QUANTILES) && v->f->nquantiles != 0) ||
		v->f->nbuckets < 0 || v->f->nbuckets > LAT_MAX_BUCKETS ||
		(Size) v->f->nbuckets > len - hdr - tail || v->f->count < 1)
		kpi_corrupted(LAT_NAME, "The stored sketch's header does not match its length.");
	v->limbs = v->quantiles + sizeof(double) * v->f->nquantiles;
	v->stream = v->limbs + sizeof(uint64) * v->sum_nlimbs;
	v->end = data + len;
}

/* Decode and validate a flat sketch into s (lat_init'ed with its context). */
void
lat_from_flat(LatSketch *s, const struct varlena *flat)
{
	LatView		v;
	LatParsed	p;
	const char *problem;

	lat_view_init(&v, flat);
	memset(&p, 0, sizeof(p));
	p.alpha = v.f->alpha;
	p.count = v.f->count;
	p.zero_count = v.f->zero_count;
	p.sum = v.f->sum;
	p.min = v.f->min;
	p.max = v.f->max;
	p.nbuckets = v.f->nbuckets;
	p.has_quantiles = (v.f->flags & LAT_FLAG_QUANTILES) != 0;
	p.nquantiles = v.f->nquantiles;
	if (p.nquantiles > 0)
	{
		p.quantiles = palloc(sizeof(double) * p.nquantiles);
		memcpy(p.quantiles, v.quantiles, sizeof(double) * p.nquantiles);
	}
	if (v.f->version == LAT_FORMAT_V1)
	{
		lat_sum_from_v1(&p);
		problem = NULL;
	}
	else
		problem = lat_limbs_read(&p, v.sum_lo, v.sum_nlimbs, v.limbs);
	if (problem == NULL)
		problem = lat_stream_read(&p, v.f->first_index, v.stream, v.end - v.stream);
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
	/* One float8, or (an exact sum) float8 terms joined by '+'. */
	do
	{
		double		term = kpi_text_read_float8(&cur, "sum");

		if (!(term >= 0.0))
			kpi_text_invalid(&cur, "The sum must be finite and non-negative.");
		lat_sum_add_raw(&p.sum_exact, term);
		if (lat_sum_too_large(&p.sum_exact))
			kpi_text_invalid(&cur, "The sum is beyond the float8 range.");
	} while (kpi_text_accept(&cur, "+"));
	p.sum = lat_sum_double(&p.sum_exact);
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
	lat_sum_append_text(&buf, &s->sum);
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
 * Binary form: version byte (2; 1 is read too), flags byte, uint16 number
 * of percentiles, int32 number of buckets, int32 first bucket index, float8
 * alpha, int8 count, int8 zero count, float8 sum (the exact sum rounded),
 * min, max; version 2 then has int16 first limb and uint16 number of limbs
 * of the exact sum; then float8 percentiles, (version 2) the limbs as int8,
 * and the bucket varints (as in the flat form) up to the end.
 */
PG_FUNCTION_INFO_V1(latency_sketch_recv);
Datum
latency_sketch_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	LatParsed	p;
	LatSketch	s;
	int			version;
	int			flags;
	int32		first_index;
	int			sum_lo = 0;
	int			sum_nlimbs = 0;
	const char *problem;

	memset(&p, 0, sizeof(p));
	if (buf->cursor >= buf->len)
		kpi_binary_invalid(LAT_NAME, "The data is empty.");
	version = kpi_recv_uint8(buf, LAT_NAME);
	if (version != LAT_FORMAT_V1 && version != LAT_FORMAT_V2)
		kpi_binary_invalid(LAT_NAME, "Unknown format version %d; this build reads versions %d and %d.",
						   version, LAT_FORMAT_V1, LAT_FORMAT_V2);
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
	if (version == LAT_FORMAT_V2)
	{
		sum_lo = (int16) kpi_recv_uint16(buf, LAT_NAME);
		sum_nlimbs = kpi_recv_uint16(buf, LAT_NAME);
		if (sum_nlimbs > LAT_SUM_LIMBS)
			kpi_binary_invalid(LAT_NAME, "The exact sum has at most %d limbs.", LAT_SUM_LIMBS);
	}
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
	if (version == LAT_FORMAT_V2)
	{
		uint64		limbs[LAT_SUM_LIMBS];

		for (int i = 0; i < sum_nlimbs; i++)
			limbs[i] = (uint64) kpi_recv_int64(buf, LAT_NAME);
		problem = lat_limbs_read(&p, sum_lo, sum_nlimbs, (const uint8 *) limbs);
	}
	else
	{
		lat_sum_from_v1(&p);
		problem = NULL;
	}
	if (problem == NULL)
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
	int			lo,
				nlimbs;

	lat_sum_range(&s->sum, &lo, &nlimbs);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, LAT_FORMAT_V2);
	pq_sendbyte(&buf, s->has_quantiles ? LAT_FLAG_QUANTILES : 0);
	pq_sendint16(&buf, (uint16) s->nquantiles);
	pq_sendint32(&buf, nbuckets);
	pq_sendint32(&buf, s->bucket_total > 0 ? s->first : 0);
	pq_sendfloat8(&buf, s->alpha);
	pq_sendint64(&buf, s->count);
	pq_sendint64(&buf, s->zero_count);
	pq_sendfloat8(&buf, lat_sum_double(&s->sum));
	pq_sendfloat8(&buf, s->min);
	pq_sendfloat8(&buf, s->max);
	pq_sendint16(&buf, (uint16) lo);
	pq_sendint16(&buf, (uint16) nlimbs);
	for (int i = 0; i < s->nquantiles; i++)
		pq_sendfloat8(&buf, s->quantiles[i]);
	for (int i = 0; i < nlimbs; i++)
		pq_sendint64(&buf, (int64) s->sum.limb[lo + i]);
	pq_sendbytes(&buf, (char *) bytes, stream);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
