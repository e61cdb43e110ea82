/*
 * activity_format.c
 *		The flat user_activity format: limits and errors, the record reader
 *		(which validates as it goes), the builder, and the read-only view and
 *		per-user iterator that metric code uses (see activity.h).
 */
#include "activity.h"

/* Error for a summary that would pass the size limit. */
void
act_too_large(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("user_activity %s exceeds the size limit", what),
			 errdetail("A user_activity summary and its working arrays are limited to 1 GB."),
			 errhint(ACT_HINT_SHORTER)));
}

/* Error for a stored value that fails validation. */
void
act_corrupted(void)
{
	kpi_corrupted(ACT_NAME, NULL);
}

/* Allocate n elements of size sz in the current context, erroring past 1 GB. */
void *
act_alloc_array(int64 n, Size sz, const char *what)
{
	if (n < 0 || (uint64) n > MaxAllocSize / sz)
		act_too_large(what);
	return palloc0(Max((Size) n * sz, 1));
}

/* ---------- flat reader ---------- */

/* Start reading nusers records in [data, end) of a summary over [first_day, last_day]. */
void
act_reader_init(ActReader *r, int version, const uint8 *data, const uint8 *end,
				int32 first_day, int32 last_day, int64 nusers)
{
	r->version = version;
	r->p = data;
	r->end = end;
	r->first_day = first_day;
	r->span = (int64) last_day - first_day + 1;
	r->remaining = nusers;
	r->started = false;
	r->key = 0;
	r->min_start = PG_INT64_MAX;
	r->max_end = -1;
}

/*
 * Step to the next user record.  Returns NULL and fills the current user, or
 * returns a sentence describing what is wrong; *done is set at the end.
 */
const char *
act_reader_next(ActReader *r, bool *done)
{
	uint64		delta,
				start,
				nbytes;
	int64		last;

	*done = false;
	if (r->remaining == 0)
	{
		*done = true;
		if (r->p != r->end)
			return "Unexpected data follows the last user record.";
		if (r->started && (r->min_start != 0 || r->max_end != r->span - 1))
			return "The first and last day do not match the users' active days.";
		return NULL;
	}
	if (!kpi_varint_get(&r->p, r->end, &delta))
		return "A user record's id is truncated or malformed.";
	if (r->started)
	{
		if (delta == 0)
			return "User ids must be in increasing order without repeats.";
		if (delta > PG_UINT64_MAX - r->key)
			return "A user id is out of range.";
		r->key += delta;
	}
	else
		r->key = delta;
	r->started = true;
	if (!kpi_varint_get(&r->p, r->end, &start))
		return "A user record's first day is truncated or malformed.";
	if (start >= (uint64) r->span)
		return "A user's first day lies after the summary's last day.";
	r->payload = r->p;
	if (!kpi_varint_get(&r->p, r->end, &nbytes))
		return "A user record's bitmap length is truncated or malformed.";
	if (nbytes == 0 && r->version >= ACT_VERSION)
	{
		/* A day list: m gaps. */
		uint64		m,
					gap;

		if (!kpi_varint_get(&r->p, r->end, &m))
			return "A user's day list is truncated or malformed.";
		if (m == 0 || m > (uint64) (r->end - r->p) || m >= (uint64) (r->span - (int64) start))
			return "A user's day list length does not fit the summary.";
		r->bytes = NULL;
		r->nbytes = 0;
		r->gaps = r->p;
		r->ngaps = (int64) m;
		last = (int64) start;
		for (uint64 i = 0; i < m; i++)
		{
			if (!kpi_varint_get(&r->p, r->end, &gap))
				return "A user's day list is truncated or malformed.";
			if (gap == 0 || gap >= (uint64) r->span)
				return "The days of a user's day list must be increasing.";
			last += (int64) gap;
			if (last >= r->span)
				return "A user's active day lies after the summary's last day.";
		}
	}
	else
	{
		if (nbytes == 0 || nbytes > (uint64) (r->span - (int64) start + 7) / 8)
			return "A user's bitmap length does not fit the summary's days.";
		if (nbytes > (uint64) (r->end - r->p))
			return "A user's bitmap is truncated.";
		r->bytes = r->p;
		r->nbytes = (int64) nbytes;
		r->gaps = NULL;
		r->ngaps = 0;
		r->p += nbytes;
		if (!(r->bytes[0] & 1))
			return "A user's bitmap must start on the user's first active day.";
		if (r->bytes[nbytes - 1] == 0)
			return "A user's bitmap must not end with a zero byte.";
		last = (int64) start + 8 * ((int64) nbytes - 1) +
			pg_leftmost_one_pos32(r->bytes[nbytes - 1]);
		if (last >= r->span)
			return "A user's active day lies after the summary's last day.";
	}
	r->start = r->first_day + (int32) start;
	r->last = r->first_day + (int32) last;
	r->min_start = Min(r->min_start, (int64) start);
	r->max_end = Max(r->max_end, last);
	r->remaining--;
	return NULL;
}

/* Describe what is wrong with a flat header's fields, or return NULL. */
const char *
act_header_problem(int version, int flags, int reserved, int32 retention_n,
				   int32 first_day, int32 last_day, int64 nusers)
{
	if (version != ACT_VERSION_1 && version != ACT_VERSION)
		return psprintf("Unknown format version %d; this build reads versions %d and %d.",
						version, ACT_VERSION_1, ACT_VERSION);
	if ((flags & ~ACT_FLAG_RETENTION_N) != 0 || reserved != 0)
		return "Unknown flags are set.";
	if ((flags & ACT_FLAG_RETENTION_N) ? retention_n < 0 : retention_n != 0)
		return "The retention period n is invalid.";
	if (!IS_VALID_DATE(first_day) || !IS_VALID_DATE(last_day) || first_day > last_day)
		return "The first and last day are not a valid date range.";
	if (nusers < 1 || nusers > PG_INT32_MAX)
		return "The number of users must be between 1 and 2147483647.";
	return NULL;
}

/* Bytes of the day list of a user: m gaps of the given total varint bytes. */
static inline int64
act_list_size(int64 m, int64 gap_bytes)
{
	return 1 + kpi_varint_len((uint64) m) + gap_bytes;
}

/*
 * Is a user's day list the encoding to store, given its size and that of
 * the bitmap?  Only when it takes at most a quarter of the bitmap's bytes: a
 * bitmap of moderately sparse days is larger but compresses (pglz) where a
 * list does not, so ordinary data keeps 1.0's size on disk (measured: a
 * 90-day summary of 810,016 users, 3,774,960 bytes stored in 1.0, 3,776,048
 * now; at half, 3,791,215), while a user whose days lie far apart (a bitmap
 * of mostly zeros) costs bytes per active day: a bitmap is kept only while it
 * takes less than 4 x (2 + 4 bytes per active day).
 */
static inline bool
act_list_wins(int64 list_size, int64 bitmap_size)
{
	return 4 * list_size <= bitmap_size;
}

/* Bytes of a bitmap record payload of nbytes bytes. */
static inline int64
act_bitmap_size(int64 nbytes)
{
	return kpi_varint_len((uint64) nbytes) + nbytes;
}

/*
 * Is the current record of a version 2 reader the canonical encoding of its
 * days (see act_list_wins)?
 */
static bool
act_reader_canonical(ActReader *r)
{
	int64		span_bytes = ((int64) r->last - r->start) / 8 + 1;

	if (r->bytes == NULL)
		return act_list_wins(act_list_size(r->ngaps, r->p - r->gaps), act_bitmap_size(span_bytes));
	else
	{
		/* The list of the same days: count gaps and their varint bytes. */
		int64		m = 0,
					gap_bytes = 0,
					prev = 0;
		int64		bsize = act_bitmap_size(r->nbytes);

		for (int64 i = 0; i < r->nbytes; i++)
		{
			uint32		x = r->bytes[i];

			while (x != 0)
			{
				int64		d = i * 8 + pg_rightmost_one_pos32(x);

				x &= x - 1;
				if (d == 0)
					continue;
				m++;
				gap_bytes += kpi_varint_len((uint64) (d - prev));
				prev = d;
			}
			if (!act_list_wins(act_list_size(m, gap_bytes), bsize))
				return true;
		}
		return !act_list_wins(act_list_size(m, gap_bytes), bsize);
	}
}

/* Validate a whole record stream; NULL if it is a canonical summary. */
const char *
act_stream_problem(int version, const uint8 *data, const uint8 *end,
				   int32 first_day, int32 last_day, int64 nusers)
{
	return act_stream_problem_ex(version, data, end, first_day, last_day, nusers, true);
}

/* Same; the choice of encoding per user is checked only if check_canonical. */
const char *
act_stream_problem_ex(int version, const uint8 *data, const uint8 *end,
					  int32 first_day, int32 last_day, int64 nusers, bool check_canonical)
{
	ActReader	r;
	bool		done = false;
	const char *problem;

	act_reader_init(&r, version, data, end, first_day, last_day, nusers);
	while (!done)
	{
		CHECK_FOR_INTERRUPTS();
		if ((problem = act_reader_next(&r, &done)) != NULL)
			return problem;
		if (!done && check_canonical && version >= ACT_VERSION && !act_reader_canonical(&r))
			return "A user's days are not in their canonical encoding (a day list at most a quarter of the bitmap's size, else the bitmap).";
	}
	return NULL;
}

/* Build a flat summary from a validated header and record stream. */
ActFlat *
act_flat_build(int version, int flags, int32 retention_n, int32 first_day, int32 last_day,
			   int64 nusers, const uint8 *data, Size len)
{
	ActFlat    *f;

	if (len > MaxAllocSize - ACT_HEADER_SIZE)
		act_too_large("summary");
	f = palloc(ACT_HEADER_SIZE + len);
	SET_VARSIZE(f, ACT_HEADER_SIZE + len);
	f->version = (uint8) version;
	f->flags = (uint8) flags;
	f->reserved = 0;
	f->retention_n = retention_n;
	f->first_day = first_day;
	f->last_day = last_day;
	f->nusers = (int32) nusers;
	memcpy(f->data, data, len);
	return f;
}

/* Characters of v in decimal. */
static inline int64
act_dec_len(int64 v)
{
	uint64		u = v < 0 ? -(uint64) v : (uint64) v;
	int64		n = v < 0 ? 2 : 1;

	while (u >= 10)
	{
		u /= 10;
		n++;
	}
	return n;
}

/*
 * Refuse a summary whose text form would not fit a value PostgreSQL can
 * output (and pg_dump can dump): checked wherever a summary is built.
 */
void
act_check_text_size(ActFlat *f)
{
	ActReader	r;
	bool		done;
	int64		len = 128;		/* the fields around the user list, at most */

	act_reader_init(&r, f->version, f->data, (const uint8 *) f + VARSIZE(f),
					f->first_day, f->last_day, f->nusers);
	for (;;)
	{
		if (act_reader_next(&r, &done) != NULL)
			act_corrupted();
		if (done)
			break;
		CHECK_FOR_INTERRUPTS();
		len += 2 + act_dec_len((int64) (r.key ^ ACT_SIGN)) + act_dec_len(r.start - f->first_day);
		if (r.bytes)
			len += 1 + 2 * r.nbytes;
		else
		{
			const uint8 *p = r.gaps;
			uint64		gap = 0;

			for (int64 i = 0; i < r.ngaps; i++)
			{
				(void) kpi_varint_get(&p, r.p, &gap);
				len += 1 + act_dec_len((int64) gap);
			}
		}
	}
	if (len > ACT_MAX_TEXT_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("user_activity summary exceeds the size limit"),
				 errdetail("Its text form would take %lld bytes; a user_activity whose text form exceeds %lld bytes could not be output or dumped.",
						   (long long) len, (long long) ACT_MAX_TEXT_BYTES),
				 errhint("Build one summary per group of users (for example by a hash of the user id) or per shorter date range.")));
}

/* ---------- writing user records ---------- */

/* Make room for need more bytes in the output of a merge (1 GB at most). */
void
act_out_reserve(StringInfo out, Size need)
{
	if ((Size) out->len + need > MaxAllocSize - 1)
		act_too_large("summary");
	enlargeStringInfo(out, (int) need);
}

/* Write a day list payload of the days of a bitmap (bit 0 set, m further days). */
static void
act_put_list_of_bitmap(StringInfo out, const uint64 *words, int64 nbits, int64 m, int64 gap_bytes)
{
	int64		prev = 0;

	act_out_reserve(out, 1 + 10 + gap_bytes);
	act_out_varint(out, 0);
	act_out_varint(out, (uint64) m);
	for (int64 w = 0; w < (nbits + 63) / 64; w++)
	{
		uint64		x = words[w];

		if ((w & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		while (x != 0)
		{
			int64		d = w * 64 + pg_rightmost_one_pos64(x);

			x &= x - 1;
			if (d == 0)
				continue;
			act_out_varint(out, (uint64) (d - prev));
			prev = d;
		}
	}
}

/*
 * Canonical payload of the days of a bitmap: bit i = day first + i, bit 0
 * set, the last set bit below nbits.
 */
void
act_put_days_bitmap(StringInfo out, const uint64 *words, int64 nbits)
{
	int64		last = act_words_last_bit(words, (nbits + 63) / 64);
	int64		nbytes = last / 8 + 1;
	int64		bsize = act_bitmap_size(nbytes);
	int64		m = 0,
				gap_bytes = 0,
				prev = 0;
	bool		list_smaller = false;

	/* Each gap takes a byte at least: a dense bitmap needs no count. */
	if (last > 0 && act_list_wins(3, bsize))
	{
		for (int64 w = 0; w <= last / 64; w++)
		{
			uint64		x = words[w];

			if ((w & 0xffff) == 0xffff)
				CHECK_FOR_INTERRUPTS();
			while (x != 0)
			{
				int64		d = w * 64 + pg_rightmost_one_pos64(x);

				x &= x - 1;
				if (d == 0)
					continue;
				m++;
				gap_bytes += kpi_varint_len((uint64) (d - prev));
				prev = d;
			}
			if (!act_list_wins(act_list_size(m, gap_bytes), bsize))
				break;
		}
		list_smaller = act_list_wins(act_list_size(m, gap_bytes), bsize);
	}
	if (list_smaller)
	{
		act_put_list_of_bitmap(out, words, last + 1, m, gap_bytes);
		return;
	}
	act_out_reserve(out, 10 + nbytes);
	act_out_varint(out, (uint64) nbytes);
#ifdef WORDS_BIGENDIAN
	for (int64 b = 0; b < nbytes; b++)
		out->data[out->len + b] = (char) act_words_byte(words, b);
#else
	memcpy(out->data + out->len, words, nbytes);
#endif
	out->len += (int) nbytes;
}

/* Canonical payload of n >= 1 sorted distinct days. */
void
act_put_days_list(StringInfo out, const int32 *days, int64 n)
{
	int64		nbytes = ((int64) days[n - 1] - days[0]) / 8 + 1;
	int64		gap_bytes = 0;

	for (int64 i = 1; i < n; i++)
		gap_bytes += kpi_varint_len((uint64) ((int64) days[i] - days[i - 1]));
	if (act_list_wins(act_list_size(n - 1, gap_bytes), act_bitmap_size(nbytes)))
	{
		act_out_reserve(out, 1 + 10 + gap_bytes);
		act_out_varint(out, 0);
		act_out_varint(out, (uint64) (n - 1));
		for (int64 i = 1; i < n; i++)
		{
			if ((i & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
			act_out_varint(out, (uint64) ((int64) days[i] - days[i - 1]));
		}
	}
	else
	{
		uint8	   *bm;

		act_out_reserve(out, 10 + nbytes);
		act_out_varint(out, (uint64) nbytes);
		bm = (uint8 *) out->data + out->len;
		memset(bm, 0, nbytes);
		for (int64 i = 0; i < n; i++)
		{
			int64		d = (int64) days[i] - days[0];

			bm[d >> 3] |= (uint8) (1 << (d & 7));
		}
		out->len += (int) nbytes;
	}
}

/* Append the iterator's current user's days as a canonical payload. */
void
act_put_iter(StringInfo out, const ActIter *it)
{
	if (it->days)
		act_put_days_list(out, it->days, it->ndays);
	else
		act_put_days_bitmap(out, it->words, (int64) it->last - it->start + 1);
}

/*
 * Rewrite a structurally valid version 2 record stream (any encoding per
 * user) with every user in its canonical encoding; NULL, or what is wrong.
 */
const char *
act_stream_canonical(const uint8 *data, Size len, int32 first_day, int32 last_day,
					 int64 nusers, StringInfo out)
{
	const char *problem;
	ActFlat    *tmp;
	ActView		v;
	ActIter		it;
	uint64		prev = 0;

	if ((problem = act_stream_problem_ex(ACT_VERSION, data, data + len, first_day, last_day,
										 nusers, false)) != NULL)
		return problem;
	tmp = act_flat_build(ACT_VERSION, 0, 0, first_day, last_day, nusers, data, len);
	act_view_flat(tmp, &v);
	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		act_out_reserve(out, 20);
		act_out_varint(out, it.key - prev);
		act_out_varint(out, (uint64) ((int64) it.start - first_day));
		act_put_iter(out, &it);
		prev = it.key;
	}
	pfree(tmp);
	return NULL;
}

/* ---------- the read-only view ---------- */

/* A view of one flat summary. */
void
act_view_flat(ActFlat *f, ActView *v)
{
	memset(v, 0, sizeof(*v));
	v->flat = f;
	v->version = f->version;
	v->nusers = f->nusers;
	v->first_day = f->first_day;
	v->last_day = f->last_day;
	v->ndays = (int64) v->last_day - v->first_day + 1;
}

/* Shared body of act_view and act_view_sorted. */
static void
act_view_internal(Datum d, ActView *v, bool sorted)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ActExpanded *e = (ActExpanded *) DatumGetEOHP(d);

		if (!act_is_expanded(d))
			elog(ERROR, "expanded object is not a user_activity");
		act_expanded_flush(e);
		if (e->flats == NIL && e->nitems == 0 && (!sorted || e->users->members == 0))
		{
			/* Only a hash table: read it directly, unsorted. */
			memset(v, 0, sizeof(*v));
			v->exp = e;
			v->nusers = e->users->members;
			v->first_day = e->first_day;
			v->last_day = e->last_day;
			v->ndays = (int64) v->last_day - v->first_day + 1;
			return;
		}
		act_view_flat(act_expanded_compact(e), v);
	}
	else
	{
		ActFlat    *f = (ActFlat *) PG_DETOAST_DATUM(d);

		if (VARSIZE(f) < ACT_HEADER_SIZE ||
			act_header_problem(f->version, f->flags, f->reserved, f->retention_n,
							   f->first_day, f->last_day, f->nusers) != NULL)
			act_corrupted();
		act_view_flat(f, v);
	}
}

/* Look at a user_activity datum, flat or expanded, without copying it. */
void
act_view(Datum d, ActView *v)
{
	act_view_internal(d, v, false);
}

/* Same, with the users in increasing key order. */
void
act_view_sorted(Datum d, ActView *v)
{
	act_view_internal(d, v, true);
}

/* ---------- the per-user iterator ---------- */

/* Start iterating the users of a view. */
void
act_iter_init(ActIter *it, ActView *v)
{
	memset(it, 0, sizeof(*it));
	it->view = v;
	if (v->exp)
		acth_start_iterate(v->exp->users, &it->hit);
	else
		act_reader_init(&it->rd, v->version, v->flat->data, (const uint8 *) v->flat + VARSIZE(v->flat),
						v->first_day, v->last_day, v->nusers);
}

/* Room for n words in the iterator's scratch bitmap. */
static uint64 *
act_iter_scratch_words(ActIter *it, int64 n)
{
	if (n > it->scratch_words)
	{
		if (it->scratch)
			pfree(it->scratch);
		it->scratch_words = Max(n, 4);
		it->scratch = act_alloc_array(it->scratch_words, sizeof(uint64), "user");
	}
	return it->scratch;
}

/* Room for n days in the iterator's scratch list. */
static int32 *
act_iter_scratch_days(ActIter *it, int64 n)
{
	if (n > it->scratch_ndays)
	{
		if (it->scratch_days)
			pfree(it->scratch_days);
		it->scratch_ndays = Max(n, 16);
		it->scratch_days = act_alloc_array(it->scratch_ndays, sizeof(int32), "user");
	}
	return it->scratch_days;
}

/* Make the iterator's current user the in-memory user u. */
void
act_iter_set_user(ActIter *it, ActUser *u)
{
	it->key = u->key;
	it->days = NULL;
	it->ndays = 0;
	switch (u->kind)
	{
		case ACT_INLINE:
			it->words = &u->bits.word;
			it->nwords = 1;
			it->start = u->base;
			it->last = (int32) (u->base + pg_leftmost_one_pos64(u->bits.word));
			break;
		case ACT_BITMAP:
			{
				int64		first = act_words_next_bit(u->bits.set->data, u->bits.set->n, 0);
				int64		last = act_words_last_bit(u->bits.set->data, u->bits.set->n);

				if (first % 64 == 0)
				{
					it->words = u->bits.set->data + first / 64;
					it->nwords = u->bits.set->n - first / 64;
				}
				else
				{
					/* Shift so that bit 0 is the first active day. */
					int64		nw = (last - first) / 64 + 1;
					uint64	   *dst = act_iter_scratch_words(it, nw);
					const uint64 *src = u->bits.set->data;
					int			sh = (int) (first % 64);

					for (int64 w = 0; w < nw; w++)
					{
						int64		sw = first / 64 + w;
						uint64		x = src[sw] >> sh;

						if (sw + 1 < u->bits.set->n)
							x |= src[sw + 1] << (64 - sh);
						dst[w] = x;
					}
					it->words = dst;
					it->nwords = nw;
				}
				it->start = (int32) (u->base + first);
				it->last = (int32) (u->base + last);
				break;
			}
		default:
			act_user_sort_list(u);
			it->days = (const int32 *) u->bits.set->data;
			it->ndays = u->bits.set->n;
			it->start = it->days[0];
			it->last = it->days[it->ndays - 1];
			it->words = NULL;
			it->nwords = 0;
			break;
	}
}

/* Advance to the next user; false at the end. */
bool
act_iter_next(ActIter *it)
{
	CHECK_FOR_INTERRUPTS();
	if (it->items)
	{
		if (it->pos >= it->nitems)
			return false;
		act_iter_set_user(it, &it->items[it->pos++]);
		return true;
	}
	if (it->view->exp)
	{
		ActUser    *u = acth_iterate(it->view->exp->users, &it->hit);

		if (u == NULL)
			return false;
		act_iter_set_user(it, u);
		return true;
	}
	else
	{
		bool		done;

		if (act_reader_next(&it->rd, &done) != NULL)
			act_corrupted();
		if (done)
			return false;
		it->days = NULL;
		it->ndays = 0;
		if (it->rd.bytes && it->rd.nbytes <= 8)
		{
			/* One word: the common case. */
			uint64		w = 0;

#ifdef WORDS_BIGENDIAN
			for (int64 i = 0; i < it->rd.nbytes; i++)
				w |= (uint64) it->rd.bytes[i] << (i * 8);
#else
			memcpy(&w, it->rd.bytes, it->rd.nbytes);
#endif
			it->word = w;
			it->words = &it->word;
			it->nwords = 1;
		}
		else if (it->rd.bytes)
		{
			int64		nwords = (it->rd.nbytes + 7) / 8;
			uint64	   *w = act_iter_scratch_words(it, nwords);

			w[nwords - 1] = 0;
#ifdef WORDS_BIGENDIAN
			memset(w, 0, sizeof(uint64) * nwords);
			for (int64 i = 0; i < it->rd.nbytes; i++)
				w[i >> 3] |= (uint64) it->rd.bytes[i] << ((i & 7) * 8);
#else
			memcpy(w, it->rd.bytes, it->rd.nbytes);
#endif
			it->words = w;
			it->nwords = nwords;
		}
		else
		{
			int32	   *days = act_iter_scratch_days(it, it->rd.ngaps + 1);
			const uint8 *p = it->rd.gaps;
			uint64		gap = 0;

			days[0] = it->rd.start;
			for (int64 i = 1; i <= it->rd.ngaps; i++)
			{
				(void) kpi_varint_get(&p, it->rd.p, &gap);
				days[i] = days[i - 1] + (int32) gap;
			}
			it->days = days;
			it->ndays = it->rd.ngaps + 1;
			it->words = NULL;
			it->nwords = 0;
		}
		it->key = it->rd.key;
		it->start = it->rd.start;
		it->last = it->rd.last;
		return true;
	}
}
