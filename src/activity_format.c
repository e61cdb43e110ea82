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
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("corrupted user_activity value")));
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
act_reader_init(ActReader *r, const uint8 *data, const uint8 *end,
				int32 first_day, int32 last_day, int64 nusers)
{
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
	if (!act_get_varint(&r->p, r->end, &delta))
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
	if (!act_get_varint(&r->p, r->end, &start))
		return "A user record's first day is truncated or malformed.";
	if (start >= (uint64) r->span)
		return "A user's first day lies after the summary's last day.";
	if (!act_get_varint(&r->p, r->end, &nbytes))
		return "A user record's bitmap length is truncated or malformed.";
	if (nbytes == 0 || nbytes > (uint64) (r->span - (int64) start + 7) / 8)
		return "A user's bitmap length does not fit the summary's days.";
	if (nbytes > (uint64) (r->end - r->p))
		return "A user's bitmap is truncated.";
	r->bytes = r->p;
	r->nbytes = (int) nbytes;
	r->p += nbytes;
	if (!(r->bytes[0] & 1))
		return "A user's bitmap must start on the user's first active day.";
	if (r->bytes[nbytes - 1] == 0)
		return "A user's bitmap must not end with a zero byte.";
	last = (int64) start + 8 * ((int64) nbytes - 1) +
		pg_leftmost_one_pos32(r->bytes[nbytes - 1]);
	if (last >= r->span)
		return "A user's active day lies after the summary's last day.";
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
	if (version != KPI_BINARY_VERSION)
		return psprintf("Unknown format version %d; this build reads version %d.",
						version, KPI_BINARY_VERSION);
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

/* Validate a whole record stream; NULL if it is a canonical summary. */
const char *
act_stream_problem(const uint8 *data, const uint8 *end,
				   int32 first_day, int32 last_day, int64 nusers)
{
	ActReader	r;
	bool		done = false;
	const char *problem;

	act_reader_init(&r, data, end, first_day, last_day, nusers);
	while (!done)
	{
		CHECK_FOR_INTERRUPTS();
		if ((problem = act_reader_next(&r, &done)) != NULL)
			return problem;
	}
	return NULL;
}

/* Build a flat summary from a validated header and record stream. */
ActFlat *
act_flat_build(int flags, int32 retention_n, int32 first_day, int32 last_day,
			   int64 nusers, const uint8 *data, Size len)
{
	ActFlat    *f;

	if (len > MaxAllocSize - ACT_HEADER_SIZE)
		act_too_large("summary");
	f = palloc(ACT_HEADER_SIZE + len);
	SET_VARSIZE(f, ACT_HEADER_SIZE + len);
	f->version = KPI_BINARY_VERSION;
	f->flags = (uint8) flags;
	f->reserved = 0;
	f->retention_n = retention_n;
	f->first_day = first_day;
	f->last_day = last_day;
	f->nusers = (int32) nusers;
	memcpy(f->data, data, len);
	return f;
}

/* ---------- the read-only view ---------- */

/* A view of one flat summary. */
void
act_view_flat(ActFlat *f, ActView *v)
{
	memset(v, 0, sizeof(*v));
	v->flat = f;
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
		if (e->flats == NIL && (!sorted || e->users->members == 0))
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
		act_reader_init(&it->rd, v->flat->data, (const uint8 *) v->flat + VARSIZE(v->flat),
						v->first_day, v->last_day, v->nusers);
}

/* Make the iterator's current user the hash entry u. */
static inline void
act_iter_take_user(ActIter *it, ActUser *u)
{
	it->key = u->key;
	it->start = u->base;
	it->nwords = u->nwords;
	it->words = act_user_words(u);
	it->last = (int32) (u->base + act_words_last_bit(it->words, it->nwords));
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
		act_iter_take_user(it, &it->items[it->pos++]);
		return true;
	}
	if (it->view->exp)
	{
		ActUser    *u = acth_iterate(it->view->exp->users, &it->hit);

		if (u == NULL)
			return false;
		act_iter_take_user(it, u);
		return true;
	}
	else
	{
		bool		done;
		int			nwords;

		if (act_reader_next(&it->rd, &done) != NULL)
			act_corrupted();
		if (done)
			return false;
		nwords = (it->rd.nbytes + 7) / 8;
		if (nwords > it->scratch_words)
		{
			if (it->scratch)
				pfree(it->scratch);
			it->scratch_words = Max(nwords, 4);
			it->scratch = palloc(sizeof(uint64) * it->scratch_words);
		}
		it->scratch[nwords - 1] = 0;
#ifdef WORDS_BIGENDIAN
		memset(it->scratch, 0, sizeof(uint64) * nwords);
		for (int i = 0; i < it->rd.nbytes; i++)
			it->scratch[i >> 3] |= (uint64) it->rd.bytes[i] << ((i & 7) * 8);
#else
		memcpy(it->scratch, it->rd.bytes, it->rd.nbytes);
#endif
		it->key = it->rd.key;
		it->start = it->rd.start;
		it->last = it->rd.last;
		it->nwords = nwords;
		it->words = it->scratch;
		return true;
	}
}
