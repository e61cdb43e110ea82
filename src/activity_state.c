/*
 * activity_state.c
 *		The expanded (in-memory) user_activity: a hash table of users filled
 *		by the transition function (buffered, with prefetching, once large),
 *		plus flat summaries merged in by the combine function, all merged in
 *		one sorted pass (radix sort of the hash entries, k-way merge) when the
 *		value is read or flattened.  Also activity_memory_bytes(), a
 *		diagnostic of this form's size.
 */
#include "activity.h"

#include <sys/mman.h>

#include "utils/memutils.h"

/* A 64-bit finalizer (splitmix64): bigint ids are rarely uniform. */
static inline uint64
act_mix64(uint64 x)
{
	x ^= x >> 30;
	x *= UINT64CONST(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64CONST(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/*
 * The hash table's bucket array is allocated in act_hash_context (set before
 * every call that may allocate).  Large arrays are advised onto huge pages:
 * the table is probed at random, and on virtual machines TLB misses cost
 * more than the cache misses themselves.
 */
static MemoryContext act_hash_context = NULL;

/* simplehash's allocator: zeroed memory in act_hash_context. */
void *
act_hash_alloc(Size size)
{
	char	   *p = MemoryContextAllocExtended(act_hash_context, size, MCXT_ALLOC_HUGE);

#ifdef MADV_HUGEPAGE
	if (size >= 4 * 1024 * 1024)
	{
		uintptr_t	start = TYPEALIGN(2 * 1024 * 1024, (uintptr_t) p);
		uintptr_t	end = TYPEALIGN_DOWN(2 * 1024 * 1024, (uintptr_t) p + size);

		if (end > start)
			(void) madvise((void *) start, end - start, MADV_HUGEPAGE);
	}
#endif
	memset(p, 0, size);
	return p;
}

#define SH_RAW_ALLOCATOR(size) act_hash_alloc(size)
#define SH_PREFIX acth
#define SH_ELEMENT_TYPE ActUser
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) ((uint32) act_mix64(k))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE extern
#define SH_DEFINE
#include "lib/simplehash.h"

/*
 * Once a table holds ACT_BUF_MIN_USERS users, rows are buffered and inserted
 * ACT_BUF_SIZE at a time, prefetching each row's bucket a few rows ahead:
 * a large table is probed at random and most probes would otherwise wait
 * for memory.
 */
#define ACT_BUF_MIN_USERS 4096
#define ACT_BUF_SIZE 256
#define ACT_PREFETCH_DISTANCE 12

typedef struct ActPending
{
	uint64		key;
	int32		day;
} ActPending;

/* Flats kept before they are merged into one. */
#define ACT_MAX_PENDING_FLATS 16

static Size act_get_flat_size(ExpandedObjectHeader *eohptr);
static void act_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods act_methods = {
	act_get_flat_size,
	act_flatten_into
};

/* dst |= src shifted up by shift bits (dst is large enough for src's set bits). */
static inline void
act_words_or_shifted(uint64 *dst, const uint64 *src, int nsrc, int64 shift)
{
	for (int w = 0; w < nsrc; w++)
	{
		uint64		x = src[w];
		int64		bit = (int64) w * 64 + shift;
		int64		ws = bit >> 6;
		int			bs = (int) (bit & 63);

		if ((w & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		if (x == 0)
			continue;
		dst[ws] |= x << bs;
		if (bs != 0 && (x >> (64 - bs)) != 0)
			dst[ws + 1] |= x >> (64 - bs);
	}
}

/* Is d a user_activity expanded object? */
bool
act_is_expanded(Datum d)
{
	return VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)) &&
		DatumGetEOHP(d)->eoh_methods == &act_methods;
}


/* A new, empty expanded summary in a child context of parent. */
ActExpanded *
act_expanded_new(MemoryContext parent, uint32 size_hint)
{
	MemoryContext ctx = AllocSetContextCreate(parent, "user_activity",
											  ALLOCSET_START_SMALL_SIZES);
	ActExpanded *e = MemoryContextAllocZero(ctx, sizeof(ActExpanded));

	EOH_init_header(&e->hdr, &act_methods, ctx);
	act_hash_context = ctx;
	e->users = acth_create(Max(size_hint, 16), NULL);
	e->flats = NIL;
	return e;
}

/* Widen the summary's day range to cover [first, last]. */
static inline void
act_expanded_cover(ActExpanded *e, int32 first, int32 last)
{
	if (!e->nonempty)
	{
		e->nonempty = true;
		e->first_day = first;
		e->last_day = last;
	}
	else
	{
		e->first_day = Min(e->first_day, first);
		e->last_day = Max(e->last_day, last);
	}
}

/* Record retention_rate()'s n from another state; the two must agree. */
void
act_expanded_take_n(ActExpanded *e, bool has_n, int32 n)
{
	if (!has_n)
		return;
	if (e->has_n && e->retention_n != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine retention_rate states for n = %d and n = %d",
						e->retention_n, n)));
	e->has_n = true;
	e->retention_n = n;
}

/* Slow path of act_user_set: widen a user's bitmap to cover day. */
static void
act_user_grow(ActExpanded *e, ActUser *u, int32 day)
{
	int64		lo = Min((int64) u->base, (int64) day);
	int64		hi = Max((int64) u->base + 64 * (int64) u->nwords - 1, (int64) day);
	int64		nwords = (hi - lo) / 64 + 1;
	uint64	   *old = act_user_words(u);
	uint64	   *neww;

	if (nwords > PG_UINT16_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("user_activity cannot hold a user active over more than %d days",
						PG_UINT16_MAX * 64),
				 errhint(ACT_HINT_SHORTER)));
	neww = MemoryContextAllocZero(e->hdr.eoh_context, sizeof(uint64) * nwords);
	act_words_or_shifted(neww, old, u->nwords, (int64) u->base - lo);
	if (u->nwords > 1)
		pfree(u->bits.words);
	u->bits.words = neww;
	u->nwords = (uint16) nwords;
	u->base = (int32) lo;
	neww[(day - lo) >> 6] |= UINT64CONST(1) << ((day - lo) & 63);
}

/* Mark user u active on day. */
static inline void
act_user_set(ActExpanded *e, ActUser *u, int32 day)
{
	int64		off = (int64) day - u->base;

	if (likely(off >= 0 && off < 64 * (int64) u->nwords))
		act_user_words(u)[off >> 6] |= UINT64CONST(1) << (off & 63);
	else
		act_user_grow(e, u, day);
}

/* Insert one (user, day) pair into the hash table, given the key's hash. */
static inline void
act_expanded_insert(ActExpanded *e, uint64 key, uint32 hash, int32 day)
{
	bool		found;
	ActUser    *u;

	u = acth_insert_hash(e->users, key, hash, &found);
	if (!found)
	{
		u->base = day;
		u->nwords = 1;
		u->bits.word = 1;
	}
	else
		act_user_set(e, u, day);
}

/* Insert the buffered rows, prefetching buckets ahead. */
void
act_expanded_flush(ActExpanded *e)
{
	uint32		hashes[ACT_BUF_SIZE];
	int			n = e->nbuf;

	if (n == 0)
		return;
	e->nbuf = 0;
	act_hash_context = e->hdr.eoh_context;
	for (int i = 0; i < n; i++)
		hashes[i] = (uint32) act_mix64(e->buf[i].key);
	for (int i = 0; i < n; i++)
	{
#if defined(__GNUC__) || defined(__clang__)
		if (i + ACT_PREFETCH_DISTANCE < n)
			__builtin_prefetch(&e->users->data[hashes[i + ACT_PREFETCH_DISTANCE] & e->users->sizemask], 1);
#endif
		act_expanded_insert(e, e->buf[i].key, hashes[i], e->buf[i].day);
	}
}

/* Record one (user, day) pair: directly into a small table, buffered into a large one. */
void
act_expanded_add(ActExpanded *e, uint64 key, int32 day)
{
	if (e->users->members < ACT_BUF_MIN_USERS)
	{
		act_hash_context = e->hdr.eoh_context;
		act_expanded_insert(e, key, (uint32) act_mix64(key), day);
	}
	else
	{
		if (unlikely(e->buf == NULL))
			e->buf = MemoryContextAlloc(e->hdr.eoh_context, sizeof(ActPending) * ACT_BUF_SIZE);
		e->buf[e->nbuf].key = key;
		e->buf[e->nbuf].day = day;
		if (++e->nbuf == ACT_BUF_SIZE)
			act_expanded_flush(e);
	}
	if (unlikely(!e->nonempty))
	{
		e->nonempty = true;
		e->first_day = e->last_day = day;
	}
	else if (day < e->first_day)
		e->first_day = day;
	else if (day > e->last_day)
		e->last_day = day;
}

/* Merge one user's bitmap into the hash table (used to measure memory). */
static void
act_expanded_merge_user(ActExpanded *e, uint64 key, int32 start,
						const uint64 *words, int nwords)
{
	bool		found;
	ActUser    *u;

	act_hash_context = e->hdr.eoh_context;
	u = acth_insert(e->users, key, &found);

	if (!found)
	{
		int64		last = act_words_last_bit(words, nwords);
		int			n = (int) (last / 64 + 1);

		u->base = start;
		u->nwords = (uint16) n;
		if (n == 1)
			u->bits.word = words[0];
		else
		{
			u->bits.words = MemoryContextAlloc(e->hdr.eoh_context, sizeof(uint64) * n);
			memcpy(u->bits.words, words, sizeof(uint64) * n);
		}
	}
	else
	{
		for (int w = 0; w < nwords; w++)
		{
			uint64		x = words[w];

			while (x != 0)
			{
				int			b = pg_rightmost_one_pos64(x);

				x &= x - 1;
				act_user_set(e, u, start + w * 64 + b);
			}
		}
	}
}

/*
 * Copies of the hash entries sorted by key, in the current context: read in
 * table order (sequentially), then LSD radix sorted on the key bytes that
 * differ at all (3 passes for a million dense bigint ids, 8 for hashes).
 */
static ActUser *
act_sorted_items(ActExpanded *e)
{
	uint32		n = e->users->members;
	ActUser    *a;
	ActUser    *tmp;
	ActUser    *src;
	ActUser    *dst;
	acth_iterator it;
	ActUser    *u;
	uint32		i = 0;
	uint64		diff = 0;

	if ((Size) n > MaxAllocSize / sizeof(ActUser))
		act_too_large("summary");
	a = palloc(sizeof(ActUser) * Max(n, 1));
	acth_start_iterate(e->users, &it);
	while ((u = acth_iterate(e->users, &it)) != NULL)
		a[i++] = *u;
	for (i = 1; i < n; i++)
		diff |= a[i].key ^ a[0].key;
	if (diff == 0)
		return a;
	tmp = palloc(sizeof(ActUser) * n);
	src = a;
	dst = tmp;
	for (int shift = 0; shift < 64; shift += 8)
	{
		uint32		count[256] = {0};
		uint32		sum = 0;

		if (((diff >> shift) & 0xff) == 0)
			continue;
		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < n; i++)
			count[(src[i].key >> shift) & 0xff]++;
		for (int d = 0; d < 256; d++)
		{
			uint32		c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i].key >> shift) & 0xff]++] = src[i];
		u = src;
		src = dst;
		dst = u;
	}
	if (src != a)
		memcpy(a, src, sizeof(ActUser) * n);
	pfree(tmp);
	return a;
}

/* Make room for need more bytes in the output of a merge (1 GB at most). */
static inline void
act_out_reserve(StringInfo out, Size need)
{
	if ((Size) out->len + need > MaxAllocSize - 1)
		act_too_large("summary");
	enlargeStringInfo(out, (int) need);
}

/*
 * Merge k sorted user streams into one canonical flat summary covering
 * [first_day, last_day]: users with the same key get the union of their days.
 */
static ActFlat *
act_merge_streams(ActIter *its, int k, int32 first_day, int32 last_day,
				  bool has_n, int32 retention_n)
{
	bool	   *live = palloc(sizeof(bool) * k);
	StringInfoData out;
	uint64	   *scratch = NULL;
	int64		scratch_words = 0;
	uint64		prev = 0;
	int64		count = 0;
	ActFlat    *f;

	for (int i = 0; i < k; i++)
		live[i] = act_iter_next(&its[i]);
	initStringInfo(&out);
	act_out_reserve(&out, ACT_HEADER_SIZE);
	memset(out.data, 0, ACT_HEADER_SIZE);
	out.len = ACT_HEADER_SIZE;
	for (;;)
	{
		uint64		key = 0;
		bool		any = false;
		int64		lo = PG_INT64_MAX,
					hi = PG_INT64_MIN,
					nwords,
					nbytes;
		uint8		head[30];
		uint8	   *hp = head;
		int			single = -1;

		/* The smallest key among the live streams, and its day range. */
		for (int i = 0; i < k; i++)
			if (live[i] && (!any || its[i].key < key))
			{
				key = its[i].key;
				any = true;
			}
		if (!any)
			break;
		for (int i = 0; i < k; i++)
			if (live[i] && its[i].key == key)
			{
				lo = Min(lo, (int64) its[i].start);
				hi = Max(hi, (int64) its[i].last);
				single = (single == -1) ? i : -2;
			}
		nwords = (hi - lo) / 64 + 1;
		nbytes = (hi - lo) / 8 + 1;
		if (single >= 0)
		{
			/* One stream holds this user: its words are already in place. */
			hp = act_put_varint(hp, key - prev);
			hp = act_put_varint(hp, (uint64) (lo - first_day));
			hp = act_put_varint(hp, (uint64) nbytes);
			act_out_reserve(&out, (hp - head) + nbytes);
			appendBinaryStringInfoNT(&out, (char *) head, (int) (hp - head));
			for (int64 b = 0; b < nbytes; b++)
				out.data[out.len++] = (char) act_words_byte(its[single].words, b);
			live[single] = act_iter_next(&its[single]);
		}
		else
		{
			if (nwords > scratch_words)
			{
				if (scratch)
					pfree(scratch);
				scratch_words = Max(nwords, 8);
				scratch = palloc(sizeof(uint64) * scratch_words);
			}
			memset(scratch, 0, sizeof(uint64) * nwords);
			for (int i = 0; i < k; i++)
				if (live[i] && its[i].key == key)
				{
					act_words_or_shifted(scratch, its[i].words, its[i].nwords, its[i].start - lo);
					live[i] = act_iter_next(&its[i]);
				}
			hp = act_put_varint(hp, key - prev);
			hp = act_put_varint(hp, (uint64) (lo - first_day));
			hp = act_put_varint(hp, (uint64) nbytes);
			act_out_reserve(&out, (hp - head) + nbytes);
			appendBinaryStringInfoNT(&out, (char *) head, (int) (hp - head));
			for (int64 b = 0; b < nbytes; b++)
				out.data[out.len++] = (char) act_words_byte(scratch, b);
		}
		prev = key;
		count++;
		if (count > PG_INT32_MAX)
			act_too_large("summary");
	}
	f = (ActFlat *) out.data;
	SET_VARSIZE(f, out.len);
	f->version = KPI_BINARY_VERSION;
	f->flags = has_n ? ACT_FLAG_RETENTION_N : 0;
	f->reserved = 0;
	f->retention_n = has_n ? retention_n : 0;
	f->first_day = first_day;
	f->last_day = last_day;
	f->nusers = (int32) count;
	pfree(live);
	if (scratch)
		pfree(scratch);
	return f;
}

/*
 * Merge the hash table and the pending flats into one flat summary, which
 * then is the object's only content; returns it.
 */
ActFlat *
act_expanded_compact(ActExpanded *e)
{
	MemoryContext old;
	MemoryContext tmp;
	ActIter    *its;
	ActView    *views;
	int			k = 0;
	ListCell   *lc;
	ActFlat    *merged;
	bool		hash_part;

	act_expanded_flush(e);
	hash_part = e->users->members > 0;

	Assert(e->nonempty);
	if (!hash_part && list_length(e->flats) == 1)
	{
		ActFlat    *f = linitial(e->flats);

		/* Already one flat; refresh its header in case n was recorded since. */
		f->flags = e->has_n ? ACT_FLAG_RETENTION_N : 0;
		f->retention_n = e->has_n ? e->retention_n : 0;
		if (f->first_day == e->first_day && f->last_day == e->last_day)
			return f;
	}
	tmp = AllocSetContextCreate(e->hdr.eoh_context, "user_activity merge", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(tmp);
	its = palloc0(sizeof(ActIter) * (list_length(e->flats) + 1));
	views = palloc0(sizeof(ActView) * (list_length(e->flats) + 1));
	foreach(lc, e->flats)
	{
		act_view_flat((ActFlat *) lfirst(lc), &views[k]);
		act_iter_init(&its[k], &views[k]);
		k++;
	}
	if (hash_part)
	{
		views[k].exp = e;
		views[k].nusers = e->users->members;
		act_iter_init(&its[k], &views[k]);
		its[k].items = act_sorted_items(e);
		its[k].nitems = e->users->members;
		k++;
	}
	MemoryContextSwitchTo(e->hdr.eoh_context);
	merged = act_merge_streams(its, k, e->first_day, e->last_day, e->has_n, e->retention_n);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);
	foreach(lc, e->flats)
		pfree(lfirst(lc));
	list_free(e->flats);
	old = MemoryContextSwitchTo(e->hdr.eoh_context);
	e->flats = list_make1(merged);
	MemoryContextSwitchTo(old);
	if (hash_part)
	{
		/* The hash table's users now live in the flat; start a new, small table. */
		acth_destroy(e->users);
		act_hash_context = e->hdr.eoh_context;
		e->users = acth_create(16, NULL);
	}
	return merged;
}

/* Add another summary (flat or expanded) to e: kept as a flat until read. */
void
act_expanded_merge(ActExpanded *e, Datum other)
{
	ActFlat    *f;
	ActFlat    *copy;
	MemoryContext old;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(other)))
	{
		ActExpanded *o = (ActExpanded *) DatumGetEOHP(other);

		if (!act_is_expanded(other))
			elog(ERROR, "expanded object is not a user_activity");
		if (o == e)
			elog(ERROR, "cannot merge a user_activity with itself");
		f = act_expanded_compact(o);
	}
	else
	{
		ActView		v;

		act_view(other, &v);
		f = v.flat;
	}
	old = MemoryContextSwitchTo(e->hdr.eoh_context);
	copy = palloc(VARSIZE(f));
	memcpy(copy, f, VARSIZE(f));
	e->flats = lappend(e->flats, copy);
	MemoryContextSwitchTo(old);
	act_expanded_cover(e, f->first_day, f->last_day);
	act_expanded_take_n(e, (f->flags & ACT_FLAG_RETENTION_N) != 0, f->retention_n);
	if (list_length(e->flats) > ACT_MAX_PENDING_FLATS)
		(void) act_expanded_compact(e);
}

/* Size of the flat form: merge everything into one flat first. */
static Size
act_get_flat_size(ExpandedObjectHeader *eohptr)
{
	ActExpanded *e = (ActExpanded *) eohptr;

	return VARSIZE(act_expanded_compact(e));
}

/* Write the canonical flat form into result (allocated_size bytes). */
static void
act_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	ActExpanded *e = (ActExpanded *) eohptr;
	ActFlat    *f = act_expanded_compact(e);

	if (VARSIZE(f) != allocated_size)
		elog(ERROR, "user_activity flat size mismatch");
	memcpy(result, f, allocated_size);
}

/* The flat form of an expanded summary, in the current memory context. */
ActFlat *
act_expanded_flatten(ActExpanded *e)
{
	Size		size = EOH_get_flat_size(&e->hdr);
	ActFlat    *f = palloc(size);

	EOH_flatten_into(&e->hdr, f, size);
	return f;
}

/*
 * The state to update.  Inside an aggregate, a read-write expanded state we
 * own is updated in place; anything else (NULL, flat, read-only) becomes a
 * new expanded object in a child of the aggregate context.  Outside an
 * aggregate the input is never modified.
 */
ActExpanded *
act_state_for_update(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;
	ActExpanded *e;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		aggcontext = CurrentMemoryContext;
	else if (!PG_ARGISNULL(0) &&
			 VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(PG_GETARG_DATUM(0))))
	{
		e = (ActExpanded *) DatumGetEOHP(PG_GETARG_DATUM(0));
		if (e->hdr.eoh_methods == &act_methods &&
			MemoryContextGetParent(e->hdr.eoh_context) == aggcontext)
			return e;
	}
	e = act_expanded_new(aggcontext, 0);
	if (!PG_ARGISNULL(0))
		act_expanded_merge(e, PG_GETARG_DATUM(0));
	return e;
}

/* activity_memory_bytes(s): bytes of the in-memory (expanded) form of s. */
PG_FUNCTION_INFO_V1(activity_memory_bytes);
Datum
activity_memory_bytes(PG_FUNCTION_ARGS)
{
	ActExpanded *e = act_expanded_new(CurrentMemoryContext, 0);
	ActView		v;
	ActIter		it;
	int64		bytes;

	act_view(PG_GETARG_DATUM(0), &v);
	act_iter_init(&it, &v);
	while (act_iter_next(&it))
		act_expanded_merge_user(e, it.key, it.start, it.words, it.nwords);
	bytes = (int64) MemoryContextMemAllocated(e->hdr.eoh_context, true);
	MemoryContextDelete(e->hdr.eoh_context);
	PG_RETURN_INT64(bytes);
}
