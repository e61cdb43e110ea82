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

/* Memory in ctx, a large block advised onto huge pages (not zeroed). */
static void *
act_alloc_big(MemoryContext ctx, Size size)
{
	char	   *p = MemoryContextAllocExtended(ctx, size, MCXT_ALLOC_HUGE);

#ifdef MADV_HUGEPAGE
	if (size >= 4 * 1024 * 1024)
	{
		uintptr_t	start = TYPEALIGN(2 * 1024 * 1024, (uintptr_t) p);
		uintptr_t	end = TYPEALIGN_DOWN(2 * 1024 * 1024, (uintptr_t) p + size);

		if (end > start)
			(void) madvise((void *) start, end - start, MADV_HUGEPAGE);
	}
#endif
	return p;
}

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

/*
 * The combine function (rollup) appends the users of a summary of at most
 * ACT_APPEND_MAX_USERS users to an array, radix sorted and deduplicated when
 * read or once it holds items_limit entries (at least ACT_ITEMS_MIN, twice
 * the users after the last deduplication); a larger summary is kept as it
 * is, and all are merged in one k-way pass (a heap of streams) when read, or
 * when more than ACT_MAX_PENDING_FLATS or ACT_MAX_PENDING_BYTES are kept.
 * Both cost a few sequential passes per (user, summary) entry, where a hash
 * table would cost a random probe.
 */
#define ACT_APPEND_MAX_USERS 4096
#define ACT_ITEMS_MIN (1 << 21)
#define ACT_MAX_PENDING_FLATS 4096
#define ACT_MAX_PENDING_BYTES ((Size) 64 * 1024 * 1024)

static Size act_get_flat_size(ExpandedObjectHeader *eohptr);
static void act_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods act_methods = {
	act_get_flat_size,
	act_flatten_into
};

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
	e->items_limit = ACT_ITEMS_MIN;
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

/* ---------- one user's days in memory ---------- */

/* Smallest day type date can hold. */
#define ACT_MIN_DAY ((int64) (DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE))

/* A new ActSet with room for cap words or days (as 64-bit units: (cap + 1) / 2 for days). */
static ActSet *
act_set_alloc(MemoryContext ctx, int kind, int64 cap)
{
	int64		units = (kind == ACT_LIST) ? (cap + 1) / 2 : cap;
	ActSet	   *s;

	if (cap > PG_UINT32_MAX || units > (int64) ((MaxAllocSize - offsetof(ActSet, data)) / sizeof(uint64)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("user_activity user exceeds the size limit"),
				 errdetail("The active days of one user are limited to 1 GB in memory."),
				 errhint(ACT_HINT_SHORTER)));
	s = MemoryContextAllocZero(ctx, offsetof(ActSet, data) + sizeof(uint64) * Max(units, 1));
	s->cap = (uint32) cap;
	s->sorted = true;
	return s;
}

/* Comparator for sorting days. */
static int
act_cmp_int32(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return (x > y) - (x < y);
}

/* Sort and deduplicate an ACT_LIST user's days. */
void
act_user_sort_list(ActUser *u)
{
	ActSet	   *s;
	int32	   *d;
	uint32		n = 0;

	if (u->kind != ACT_LIST || u->bits.set->sorted)
		return;
	s = u->bits.set;
	d = (int32 *) s->data;
	CHECK_FOR_INTERRUPTS();
	qsort(d, s->n, sizeof(int32), act_cmp_int32);
	for (uint32 i = 0; i < s->n; i++)
		if (n == 0 || d[i] != d[n - 1])
			d[n++] = d[i];
	s->n = s->count = n;
	s->sorted = true;
	u->base = d[0];
}

/* Is a bitmap over [lo, hi] with count active days too sparse (over twice a day list)? */
static inline bool
act_sparse(int64 lo, int64 hi, int64 count)
{
	return (hi - lo) / 8 + 1 > 8 * count;
}

/* Turn user u into an ACT_BITMAP over [lo, hi] holding the sorted distinct days d[0..n). */
static void
act_user_to_bitmap(MemoryContext ctx, ActUser *u, const int32 *d, int64 n, int64 lo, int64 hi)
{
	int64		nwords = (hi - lo) / 64 + 1;
	ActSet	   *s = act_set_alloc(ctx, ACT_BITMAP, nwords + Min(nwords, 1024));

	s->n = (uint32) nwords;
	for (int64 i = 0; i < n; i++)
	{
		int64		off = d[i] - lo;

		s->data[off >> 6] |= UINT64CONST(1) << (off & 63);
	}
	s->count = (uint32) n;
	s->first = (int32) lo;
	s->last = (int32) hi;
	u->kind = ACT_BITMAP;
	u->base = (int32) lo;
	u->bits.set = s;
}

/* Turn user u into an ACT_LIST of the sorted distinct days d[0..n) (room for twice). */
static void
act_user_to_list(MemoryContext ctx, ActUser *u, const int32 *d, int64 n)
{
	ActSet	   *s = act_set_alloc(ctx, ACT_LIST, Max(2 * n, 8));

	memcpy(s->data, d, sizeof(int32) * n);
	s->n = s->count = (uint32) n;
	s->sorted = true;
	u->kind = ACT_LIST;
	u->base = d[0];
	u->bits.set = s;
}

/* The days of a word (bit i = base + i) into d; returns how many. */
static inline int
act_word_days(uint64 x, int64 base, int32 *d)
{
	int			n = 0;

	while (x != 0)
	{
		d[n++] = (int32) (base + pg_rightmost_one_pos64(x));
		x &= x - 1;
	}
	return n;
}

/* The days of an ACT_BITMAP user, in order, into a new array (*n of them). */
static int32 *
act_bitmap_days(ActUser *u, int64 *n)
{
	ActSet	   *s = u->bits.set;
	int32	   *d = act_alloc_array(Max(s->count, 1), sizeof(int32), "user");
	int64		k = 0;

	for (uint32 w = 0; w < s->n; w++)
	{
		if ((w & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		k += act_word_days(s->data[w], (int64) u->base + (int64) w * 64, d + k);
	}
	*n = k;
	return d;
}

static inline void act_user_add(MemoryContext ctx, ActUser *u, int32 day);

/* Slow path of act_user_add: day does not fit the user's current storage. */
static void
act_user_add_slow(MemoryContext ctx, ActUser *u, int32 day)
{
	switch (u->kind)
	{
		case ACT_INLINE:
			{
				int32		d[65];
				int			n = act_word_days(u->bits.word, u->base, d);
				int64		lo = Min((int64) d[0], (int64) day);
				int64		hi = Max((int64) d[n - 1], (int64) day);

				if (hi - lo < 64)
				{
					/* Still one word: shift it so that bit 0 is day. */
					u->bits.word = (u->bits.word << (u->base - day)) | 1;
					u->base = day;
					return;
				}
				/* day is outside [d[0], d[n - 1]]: keep the days sorted. */
				if (day < d[0])
				{
					memmove(d + 1, d, sizeof(int32) * n);
					d[0] = day;
				}
				else
					d[n] = day;
				n++;
				if (act_sparse(lo, hi, n))
					act_user_to_list(ctx, u, d, n);
				else
					act_user_to_bitmap(ctx, u, d, n, lo, hi);
				return;
			}
		case ACT_BITMAP:
			{
				ActSet	   *s = u->bits.set;
				int64		lo = Min((int64) s->first, (int64) day);
				int64		hi = Max((int64) s->last, (int64) day);
				int64		count = (int64) s->count + 1;

				if (act_sparse(lo, hi, count))
				{
					int64		n;
					int32	   *d = act_bitmap_days(u, &n);

					pfree(s);
					act_user_to_list(ctx, u, d, n);
					pfree(d);
					act_user_add(ctx, u, day);
					return;
				}
				if (day < u->base)
				{
					/* Grow downwards, leaving as much room again below. */
					int64		used = (int64) s->last - u->base + 1;
					int64		newbase = Max(ACT_MIN_DAY, (int64) day - used);
					int64		shift = (int64) u->base - newbase;
					int64		nwords = ((int64) s->last - newbase) / 64 + 1;
					ActSet	   *t = act_set_alloc(ctx, ACT_BITMAP, nwords + Min(nwords, 1024));

					for (uint32 w = 0; w < s->n; w++)
					{
						uint64		x = s->data[w];
						int64		bit = (int64) w * 64 + shift;

						if ((w & 0xffff) == 0xffff)
							CHECK_FOR_INTERRUPTS();
						if (x == 0)
							continue;
						t->data[bit >> 6] |= x << (bit & 63);
						if ((bit & 63) != 0)
							t->data[(bit >> 6) + 1] |= x >> (64 - (bit & 63));
					}
					t->n = (uint32) nwords;
					t->count = s->count;
					t->first = s->first;
					t->last = s->last;
					pfree(s);
					u->bits.set = s = t;
					u->base = (int32) newbase;
				}
				else
				{
					/* Grow upwards: words up to day, capacity doubling. */
					int64		nwords = ((int64) day - u->base) / 64 + 1;

					if (nwords > s->cap)
					{
						ActSet	   *t = act_set_alloc(ctx, ACT_BITMAP, Max(nwords, 2 * (int64) s->cap));

						memcpy(t, s, offsetof(ActSet, data) + sizeof(uint64) * s->n);
						t->cap = (uint32) Max(nwords, 2 * (int64) s->cap);
						pfree(s);
						u->bits.set = s = t;
					}
					s->n = (uint32) Max((int64) s->n, nwords);
				}
				s->data[((int64) day - u->base) >> 6] |= UINT64CONST(1) << (((int64) day - u->base) & 63);
				s->count++;
				s->first = (int32) lo;
				s->last = (int32) hi;
				return;
			}
		default:
			{
				ActSet	   *s = u->bits.set;
				int32	   *d = (int32 *) s->data;

				if (s->n == s->cap)
				{
					/* Full: deduplicate, then maybe become a bitmap, else double. */
					act_user_sort_list(u);
					d = (int32 *) s->data;
					if (!act_sparse(d[0], d[s->n - 1], s->n))
					{
						act_user_to_bitmap(ctx, u, d, s->n, d[0], d[s->n - 1]);
						pfree(s);
						act_user_add(ctx, u, day);
						return;
					}
					if (s->n > s->cap / 2)
					{
						ActSet	   *t = act_set_alloc(ctx, ACT_LIST, 2 * (int64) s->cap);

						memcpy(t->data, s->data, sizeof(int32) * s->n);
						t->n = t->count = s->n;
						t->sorted = true;
						pfree(s);
						u->bits.set = s = t;
						d = (int32 *) s->data;
					}
				}
				if (s->sorted && day <= d[s->n - 1])
				{
					if (day == d[s->n - 1])
						return;
					s->sorted = false;
				}
				d[s->n++] = day;
				s->count++;
				if (day < u->base)
					u->base = day;
				return;
			}
	}
}

/* Mark user u active on day (storage in ctx). */
static inline void
act_user_add(MemoryContext ctx, ActUser *u, int32 day)
{
	int64		off = (int64) day - u->base;

	if (likely(u->kind == ACT_INLINE && off >= 0 && off < 64))
		u->bits.word |= UINT64CONST(1) << off;
	else if (u->kind == ACT_BITMAP && off >= 0 && off < 64 * (int64) u->bits.set->n &&
			 day >= u->bits.set->first && day <= u->bits.set->last)
	{
		uint64	   *w = &u->bits.set->data[off >> 6];
		uint64		bit = UINT64CONST(1) << (off & 63);

		u->bits.set->count += (*w & bit) ? 0 : 1;
		*w |= bit;
	}
	else
		act_user_add_slow(ctx, u, day);
}

/* A new user u holding the days of the iterator's current user. */
static void
act_user_init_iter(MemoryContext ctx, ActUser *u, const ActIter *it)
{
	u->base = it->start;
	if (it->days)
	{
		if (it->ndays > 0 && (int64) it->days[it->ndays - 1] - it->days[0] < 64)
		{
			u->kind = ACT_INLINE;
			u->bits.word = 0;
			for (int64 i = 0; i < it->ndays; i++)
				u->bits.word |= UINT64CONST(1) << (it->days[i] - it->start);
		}
		else
			act_user_to_list(ctx, u, it->days, it->ndays);
	}
	else if ((int64) it->last - it->start < 64)
	{
		u->kind = ACT_INLINE;
		u->bits.word = it->words[0];
	}
	else
	{
		int64		nwords = ((int64) it->last - it->start) / 64 + 1;
		ActSet	   *s = act_set_alloc(ctx, ACT_BITMAP, nwords);

		memcpy(s->data, it->words, sizeof(uint64) * nwords);
		s->n = (uint32) nwords;
		s->count = 0;
		for (int64 w = 0; w < nwords; w++)
			s->count += pg_popcount64(s->data[w]);
		s->first = it->start;
		s->last = it->last;
		u->kind = ACT_BITMAP;
		u->bits.set = s;
	}
}

/* Add the days of the iterator's current user to user u. */
static void
act_user_add_iter(MemoryContext ctx, ActUser *u, const ActIter *it)
{
	ActDays		dc;
	int32		day;

	if (it->days == NULL && u->kind == ACT_INLINE && it->nwords >= 1)
	{
		int64		lo = Min((int64) u->base, (int64) it->start);
		int64		hi = Max((int64) u->base + pg_leftmost_one_pos64(u->bits.word), (int64) it->last);

		if (hi - lo < 64)
		{
			/* Both fit one word from lo. */
			u->bits.word = (u->bits.word << (u->base - lo)) | (it->words[0] << (it->start - lo));
			u->base = (int32) lo;
			return;
		}
	}
	act_days_init(&dc, it);
	while (act_days_next(&dc, &day))
		act_user_add(ctx, u, day);
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
		u->kind = ACT_INLINE;
		u->bits.word = 1;
	}
	else
		act_user_add(e->hdr.eoh_context, u, day);
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

/* Merge the iterator's current user into the hash table. */
static inline void
act_expanded_merge_iter_user(ActExpanded *e, const ActIter *it)
{
	bool		found;
	ActUser    *u;

	act_hash_context = e->hdr.eoh_context;
	u = acth_insert_hash(e->users, it->key, (uint32) act_mix64(it->key), &found);
	if (!found)
		act_user_init_iter(e->hdr.eoh_context, u, it);
	else
		act_user_add_iter(e->hdr.eoh_context, u, it);
}

/*
 * Copies of the hash entries sorted by key, in the current context: read in
 * table order (sequentially), then LSD radix sorted on the key bytes that
 * differ at all (3 passes for a million dense bigint ids, 8 for hashes).
 */
static void
act_sort_users(ActUser *a, uint32 n)
{
	ActUser    *tmp;
	ActUser    *src;
	ActUser    *dst;
	ActUser    *u;
	uint64		diff = 0;

	for (uint32 i = 1; i < n; i++)
		diff |= a[i].key ^ a[0].key;
	if (diff == 0)
		return;
	if ((Size) n > MaxAllocSize / sizeof(ActUser))
		act_too_large("summary");
	tmp = act_alloc_big(CurrentMemoryContext, sizeof(ActUser) * n);
	src = a;
	dst = tmp;
	for (int shift = 0; shift < 64; shift += 8)
	{
		uint32		count[256] = {0};
		uint32		sum = 0;

		if (((diff >> shift) & 0xff) == 0)
			continue;
		CHECK_FOR_INTERRUPTS();
		for (uint32 i = 0; i < n; i++)
			count[(src[i].key >> shift) & 0xff]++;
		for (int d = 0; d < 256; d++)
		{
			uint32		c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (uint32 i = 0; i < n; i++)
			dst[count[(src[i].key >> shift) & 0xff]++] = src[i];
		u = src;
		src = dst;
		dst = u;
	}
	if (src != a)
		memcpy(a, src, sizeof(ActUser) * n);
	pfree(tmp);
}

/* Copies of the hash entries sorted by key, in the current context. */
static ActUser *
act_sorted_items(ActExpanded *e)
{
	uint32		n = e->users->members;
	ActUser    *a;
	acth_iterator it;
	ActUser    *u;
	uint32		i = 0;

	if ((Size) n > MaxAllocSize / sizeof(ActUser))
		act_too_large("summary");
	a = act_alloc_big(CurrentMemoryContext, sizeof(ActUser) * Max(n, 1));
	acth_start_iterate(e->users, &it);
	while ((u = acth_iterate(e->users, &it)) != NULL)
		a[i++] = *u;
	act_sort_users(a, n);
	return a;
}

/*
 * Sort the appended users by key and merge the entries of each user into
 * one (the union of their days), in place.
 */
static void
act_items_dedupe(ActExpanded *e)
{
	ActUser    *a = e->items;
	uint32		n = (uint32) e->nitems;
	uint32		out = 0;
	MemoryContext tmp;
	MemoryContext old;
	ActIter		it;

	if (e->items_sorted)
		return;
	tmp = AllocSetContextCreate(CurrentMemoryContext, "user_activity dedupe", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(tmp);
	act_sort_users(a, n);
	memset(&it, 0, sizeof(it));
	for (uint32 i = 0; i < n; i++)
	{
		if (out > 0 && a[out - 1].key == a[i].key)
		{
			act_iter_set_user(&it, &a[i]);
			act_user_add_iter(e->hdr.eoh_context, &a[out - 1], &it);
			if (a[i].kind != ACT_INLINE)
				pfree(a[i].bits.set);
		}
		else
			a[out++] = a[i];
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);
	e->nitems = out;
	e->items_sorted = true;
	/* Room to append as many again before the next deduplication. */
	e->items_limit = Max(ACT_ITEMS_MIN, 2 * (int64) out);
}

/* Append the iterator's current user to the appended users. */
static inline void
act_items_append(ActExpanded *e, const ActIter *it)
{
	ActUser    *u;

	if (e->nitems >= e->items_cap)
	{
		int64		cap = Max(1024, 2 * e->items_cap);

		if (cap > (int64) (MaxAllocSize / sizeof(ActUser)) || cap > PG_UINT32_MAX)
			act_too_large("summary");
		{
			ActUser    *a = act_alloc_big(e->hdr.eoh_context, sizeof(ActUser) * cap);

			if (e->items)
			{
				memcpy(a, e->items, sizeof(ActUser) * e->nitems);
				pfree(e->items);
			}
			e->items = a;
		}
		e->items_cap = cap;
	}
	u = &e->items[e->nitems++];
	u->key = it->key;
	u->status = 0;
	act_user_init_iter(e->hdr.eoh_context, u, it);
	e->items_sorted = false;
}

/*
 * Merge k sorted user streams into one canonical flat summary covering
 * [first_day, last_day]: users with the same key get the union of their
 * days.  A user found in one version 2 flat only is copied as it is.
 */
/* Binary min-heap of streams ordered by their current key (kept in the heap). */
typedef struct ActHeapItem
{
	uint64		key;
	int			idx;
} ActHeapItem;

static void
act_heap_down(ActHeapItem *heap, int n, int pos)
{
	ActHeapItem x = heap[pos];

	for (;;)
	{
		int			c = 2 * pos + 1;

		if (c >= n)
			break;
		if (c + 1 < n && heap[c + 1].key < heap[c].key)
			c++;
		if (heap[c].key >= x.key)
			break;
		heap[pos] = heap[c];
		pos = c;
	}
	heap[pos] = x;
}

static void
act_heap_up(ActHeapItem *heap, int pos, ActHeapItem x)
{
	while (pos > 0 && x.key < heap[(pos - 1) / 2].key)
	{
		heap[pos] = heap[(pos - 1) / 2];
		pos = (pos - 1) / 2;
	}
	heap[pos] = x;
}

static ActFlat *
act_merge_streams(ActIter *its, int k, int32 first_day, int32 last_day,
				  bool has_n, int32 retention_n)
{
	ActHeapItem *heap = palloc(sizeof(ActHeapItem) * Max(k, 1));
	int		   *same = palloc(sizeof(int) * Max(k, 1));
	uint64	   *words = NULL;
	int64		words_cap = 0;
	int			nheap = 0;
	StringInfoData out;
	uint64		prev = 0;
	int64		count = 0;
	ActFlat    *f;
	MemoryContext unionctx = AllocSetContextCreate(CurrentMemoryContext, "user_activity union",
												   ALLOCSET_DEFAULT_SIZES);
	bool		union_used = false;
	ActIter		uit;

	memset(&uit, 0, sizeof(uit));
	for (int i = 0; i < k; i++)
		if (act_iter_next(&its[i]))
		{
			heap[nheap].key = its[i].key;
			heap[nheap++].idx = i;
		}
	for (int i = nheap / 2 - 1; i >= 0; i--)
		act_heap_down(heap, nheap, i);
	initStringInfo(&out);
	act_out_reserve(&out, ACT_HEADER_SIZE);
	memset(out.data, 0, ACT_HEADER_SIZE);
	out.len = ACT_HEADER_SIZE;
	while (nheap > 0)
	{
		uint64		key = heap[0].key;
		int			nsame = 0;
		const ActIter *src;
		bool		bitmaps = true;
		int64		lo = PG_INT64_MAX,
					hi = PG_INT64_MIN,
					inwords = 0;

		/* Take every stream at this key off the heap. */
		while (nheap > 0 && heap[0].key == key)
		{
			same[nsame++] = heap[0].idx;
			heap[0] = heap[--nheap];
			if (nheap > 0)
				act_heap_down(heap, nheap, 0);
		}
		if (nsame > 1)
			for (int j = 0; j < nsame; j++)
			{
				ActIter    *s = &its[same[j]];

				bitmaps &= s->days == NULL;
				lo = Min(lo, (int64) s->start);
				hi = Max(hi, (int64) s->last);
				inwords += s->nwords;
			}
		if (nsame == 1)
			src = &its[same[0]];
		else if (bitmaps && (hi - lo) / 64 + 1 <= 4 * inwords)
		{
			/* Bitmaps over a span not much wider than theirs: OR them. */
			int64		nw = (hi - lo) / 64 + 1;

			if (nw > words_cap)
			{
				if (words)
					pfree(words);
				words_cap = Max(nw, 64);
				words = act_alloc_array(words_cap, sizeof(uint64), "user");
			}
			memset(words, 0, sizeof(uint64) * nw);
			for (int j = 0; j < nsame; j++)
			{
				ActIter    *s = &its[same[j]];
				int64		shift = (int64) s->start - lo;
				int			bs = (int) (shift & 63);

				for (int64 w = 0; w < s->nwords; w++)
				{
					uint64		x = s->words[w];
					int64		ws = w + (shift >> 6);

					if ((w & 0xffff) == 0xffff)
						CHECK_FOR_INTERRUPTS();
					if (x == 0)
						continue;
					words[ws] |= x << bs;
					if (bs != 0 && ws + 1 < nw)
						words[ws + 1] |= x >> (64 - bs);
				}
			}
			act_out_reserve(&out, 20);
			act_out_varint(&out, key - prev);
			act_out_varint(&out, (uint64) (lo - first_day));
			act_put_days_bitmap(&out, words, hi - lo + 1);
			goto advance;
		}
		else
		{
			/* Several streams hold this user: the union of their days. */
			ActUser		u;

			if (union_used)
				MemoryContextReset(unionctx);
			union_used = true;
			memset(&u, 0, sizeof(u));
			act_user_init_iter(unionctx, &u, &its[same[0]]);
			for (int j = 1; j < nsame; j++)
				act_user_add_iter(unionctx, &u, &its[same[j]]);
			u.key = key;
			act_iter_set_user(&uit, &u);
			src = &uit;
		}
		act_out_reserve(&out, 20);
		act_out_varint(&out, key - prev);
		act_out_varint(&out, (uint64) ((int64) src->start - first_day));
		if (nsame == 1 && its[same[0]].view->flat && its[same[0]].rd.version >= ACT_VERSION)
		{
			/* A canonical record: copied as it is. */
			Size		len = its[same[0]].rd.p - its[same[0]].rd.payload;

			act_out_reserve(&out, len);
			memcpy(out.data + out.len, its[same[0]].rd.payload, len);
			out.len += (int) len;
		}
		else
			act_put_iter(&out, src);
advance:
		/* Advance those streams and put them back. */
		for (int j = 0; j < nsame; j++)
			if (act_iter_next(&its[same[j]]))
			{
				ActHeapItem x;

				x.key = its[same[j]].key;
				x.idx = same[j];
				act_heap_up(heap, nheap++, x);
			}
		prev = key;
		count++;
		if (count > PG_INT32_MAX)
			act_too_large("summary");
	}
	f = (ActFlat *) out.data;
	SET_VARSIZE(f, out.len);
	f->version = ACT_VERSION;
	f->flags = has_n ? ACT_FLAG_RETENTION_N : 0;
	f->reserved = 0;
	f->retention_n = has_n ? retention_n : 0;
	f->first_day = first_day;
	f->last_day = last_day;
	f->nusers = (int32) count;
	pfree(heap);
	pfree(same);
	if (words)
		pfree(words);
	MemoryContextDelete(unionctx);
	act_check_text_size(f);
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
	if (!hash_part && e->nitems == 0 && list_length(e->flats) == 1)
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
	its = palloc0(sizeof(ActIter) * (list_length(e->flats) + 2));
	views = palloc0(sizeof(ActView) * (list_length(e->flats) + 2));
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
	if (e->nitems > 0)
	{
		act_items_dedupe(e);
		views[k].exp = e;
		views[k].nusers = e->nitems;
		act_iter_init(&its[k], &views[k]);
		its[k].items = e->items;
		its[k].nitems = (uint32) e->nitems;
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
	e->flats_bytes = VARSIZE(merged);
	if (e->nitems > 0)
	{
		/* The appended users now live in the flat too. */
		for (int64 i = 0; i < e->nitems; i++)
			if (e->items[i].kind != ACT_INLINE)
				pfree(e->items[i].bits.set);
		pfree(e->items);
		e->items = NULL;
		e->nitems = e->items_cap = 0;
		e->items_limit = ACT_ITEMS_MIN;
	}
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
	act_expanded_cover(e, f->first_day, f->last_day);
	act_expanded_take_n(e, (f->flags & ACT_FLAG_RETENTION_N) != 0, f->retention_n);
	if (f->nusers <= ACT_APPEND_MAX_USERS)
	{
		/* A small summary: its users are appended, sorted when read. */
		ActView		v;
		ActIter		it;

		act_view_flat(f, &v);
		act_iter_init(&it, &v);
		while (act_iter_next(&it))
			act_items_append(e, &it);
		if (it.scratch)
			pfree(it.scratch);
		if (it.scratch_days)
			pfree(it.scratch_days);
		if (e->nitems >= e->items_limit)
			act_items_dedupe(e);
	}
	else
	{
		/* A large one is kept as it is, for one k-way merge when read. */
		old = MemoryContextSwitchTo(e->hdr.eoh_context);
		copy = palloc(VARSIZE(f));
		memcpy(copy, f, VARSIZE(f));
		e->flats = lappend(e->flats, copy);
		MemoryContextSwitchTo(old);
		e->flats_bytes += VARSIZE(f);
		if (list_length(e->flats) > ACT_MAX_PENDING_FLATS || e->flats_bytes > ACT_MAX_PENDING_BYTES)
			(void) act_expanded_compact(e);
	}
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
	ActExpanded *e = (ActExpanded *) kpi_expanded_own_state(fcinfo, 0, &act_methods);

	if (e != NULL)
		return e;
	if (!AggCheckCallContext(fcinfo, &aggcontext))
		aggcontext = CurrentMemoryContext;
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
		act_expanded_merge_iter_user(e, &it);
	bytes = (int64) MemoryContextMemAllocated(e->hdr.eoh_context, true);
	MemoryContextDelete(e->hdr.eoh_context);
	PG_RETURN_INT64(bytes);
}
