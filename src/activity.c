/*
 * activity.c
 *		User activity: the user_activity summary (each user once, with a
 *		bitmap of active days), activity_agg() and rollup() over an expanded
 *		object (a hash table of users), and the accessors dau_mau,
 *		retention_rate, retention, stickiness, churn_rate,
 *		customer_retention_rate, active_users, first_day and last_day.
 *
 * Flat form (on disk, in transit, canonical): a fixed header, then one
 * record per user in increasing id order:
 *		varint  id delta (from the previous user's key; the first key itself)
 *		varint  first active day, as days after the summary's first day
 *		varint  bitmap length in bytes (>= 1)
 *		bytes   bitmap: bit j of byte i = day start + 8i + j; bit 0 is set and
 *				the last byte is non-zero
 * A user's key is the bigint id with its sign bit flipped (so unsigned
 * order is signed order), or the 64-bit hash of a text or uuid id.
 *
 * In memory (the aggregates' state) the summary is an expanded object: rows
 * go into a hash table of users; summaries merged by the combine function
 * are kept flat and merged with the sorted hash entries in one k-way pass
 * when the value is read or flattened.
 */
#include "pg_kpi.h"

#include <sys/mman.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/expandeddatum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rangetypes.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

#define ACT_NAME "user_activity"
#define ACT_SIGN UINT64CONST(0x8000000000000000)
#define ACT_FLAG_RETENTION_N 0x01
#define ACT_HINT_SHORTER "Group by a shorter date range (for example per week or month) and combine the results."

/* Flat header; the user records follow at data[]. */
typedef struct ActFlat
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;			/* ACT_FLAG_RETENTION_N: retention_n is set */
	uint16		reserved;		/* always 0 */
	int32		retention_n;	/* n of a retention_rate() partial state, else 0 */
	int32		first_day;		/* DateADT of the earliest active day */
	int32		last_day;		/* DateADT of the latest active day */
	int32		nusers;			/* number of user records, >= 1 */
	uint8		data[FLEXIBLE_ARRAY_MEMBER];
} ActFlat;

#define ACT_HEADER_SIZE offsetof(ActFlat, data)

/* One user in the in-memory hash table: 24 bytes plus a bitmap past 64 days. */
typedef struct ActUser
{
	uint64		key;			/* see the file header */
	int32		base;			/* the user's first active day (bit 0) */
	uint16		nwords;			/* bitmap length in 64-bit words */
	char		status;			/* simplehash bookkeeping */
	union
	{
		uint64		word;		/* nwords == 1 */
		uint64	   *words;		/* nwords > 1, in the object's context */
	}			bits;
} ActUser;

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

static void *
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
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/*
 * The expanded (in-memory) form: the union of a hash table of users (rows
 * added by the transition function) and a short list of flat summaries
 * (merged in by the combine function, kept as they are and merged in one
 * sorted pass when the value is read: see act_expanded_compact).
 */
typedef struct ActExpanded
{
	ExpandedObjectHeader hdr;
	acth_hash  *users;
	List	   *flats;			/* ActFlat copies in the object's context */
	bool		nonempty;		/* first_day/last_day are valid */
	int32		first_day;
	int32		last_day;
	bool		has_n;			/* retention_rate() state: n recorded */
	int32		retention_n;
	/* Rows not yet in the hash table (see act_expanded_add). */
	struct ActPending *buf;
	int			nbuf;
} ActExpanded;

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

/* ---------- small helpers ---------- */

/* The user's bitmap words. */
static inline uint64 *
act_user_words(ActUser *u)
{
	return u->nwords == 1 ? &u->bits.word : u->bits.words;
}

/* Offset of the user's last set bit from its base day. */
static inline int64
act_words_last_bit(const uint64 *words, int nwords)
{
	for (int w = nwords - 1; w >= 0; w--)
		if (words[w] != 0)
			return (int64) w * 64 + pg_leftmost_one_pos64(words[w]);
	return -1;
}

/* Are any bits set between bit offsets lo and hi (inclusive)? */
static inline bool
act_words_any(const uint64 *words, int nwords, int64 lo, int64 hi)
{
	if (lo < 0)
		lo = 0;
	if (hi > (int64) nwords * 64 - 1)
		hi = (int64) nwords * 64 - 1;
	while (lo <= hi)
	{
		int			w = (int) (lo >> 6);
		int			b = (int) (lo & 63);
		uint64		x = words[w] >> b;
		int64		nbits = Min((int64) 64 - b, hi - lo + 1);

		if (nbits < 64)
			x &= (UINT64CONST(1) << nbits) - 1;
		if (x != 0)
			return true;
		lo += nbits;
	}
	return false;
}

/* Byte i of a bitmap stored in 64-bit words. */
static inline uint8
act_words_byte(const uint64 *words, int64 i)
{
	return (uint8) (words[i >> 3] >> ((i & 7) * 8));
}

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

		if (x == 0)
			continue;
		dst[ws] |= x << bs;
		if (bs != 0 && (x >> (64 - bs)) != 0)
			dst[ws + 1] |= x >> (64 - bs);
	}
}

/* Append an unsigned LEB128 varint. */
static inline uint8 *
act_put_varint(uint8 *p, uint64 v)
{
	while (v >= 0x80)
	{
		*p++ = (uint8) (v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8) v;
	return p;
}

/* Read a minimal-length varint within [*pp, end); false if malformed. */
static inline bool
act_get_varint(const uint8 **pp, const uint8 *end, uint64 *out)
{
	const uint8 *p = *pp;
	uint64		v = 0;
	int			shift = 0;

	for (;;)
	{
		uint8		b;

		if (p >= end)
			return false;
		b = *p++;
		if (shift == 63 && b > 1)
			return false;
		v |= (uint64) (b & 0x7f) << shift;
		if (!(b & 0x80))
		{
			if (b == 0 && shift > 0)
				return false;	/* over-long encoding */
			break;
		}
		shift += 7;
	}
	*pp = p;
	*out = v;
	return true;
}

/* Error for a summary that would pass the size limit. */
pg_attribute_noreturn() static void
act_too_large(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("user_activity %s exceeds the size limit", what),
			 errdetail("A user_activity summary and its working arrays are limited to 1 GB."),
			 errhint(ACT_HINT_SHORTER)));
}

/* Allocate n elements of size sz in the current context, erroring past 1 GB. */
static void *
act_alloc_array(int64 n, Size sz, const char *what)
{
	if (n < 0 || (uint64) n > MaxAllocSize / sz)
		act_too_large(what);
	return palloc0(Max((Size) n * sz, 1));
}

/* ---------- flat reader (validates as it goes) ---------- */

typedef struct ActReader
{
	const uint8 *p;
	const uint8 *end;
	int32		first_day;
	int64		span;			/* last_day - first_day + 1 */
	int64		remaining;		/* records left */
	bool		started;
	uint64		key;			/* current user */
	int32		start;			/* current user's first active day (DateADT) */
	const uint8 *bytes;			/* current user's bitmap */
	int			nbytes;
	int64		min_start;		/* offsets seen, for the canonical check */
	int64		max_end;
} ActReader;

static void
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
static const char *
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
	r->min_start = Min(r->min_start, (int64) start);
	r->max_end = Max(r->max_end, last);
	r->remaining--;
	return NULL;
}

/* Describe what is wrong with a flat header's fields, or return NULL. */
static const char *
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
static const char *
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
static ActFlat *
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

/* ---------- a read-only view over either form ---------- */

static ActFlat *act_expanded_compact(ActExpanded *e);
static void act_expanded_flush(ActExpanded *e);

typedef struct ActView
{
	ActFlat    *flat;			/* exactly one of flat, exp is set */
	ActExpanded *exp;
	int32		first_day;
	int32		last_day;
	int64		nusers;
	int64		ndays;			/* last_day - first_day + 1 */
} ActView;

/* Look at a user_activity datum, flat or expanded, without copying it. */
static void
act_view(Datum d, ActView *v)
{
	memset(v, 0, sizeof(*v));
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ActExpanded *e = (ActExpanded *) DatumGetEOHP(d);

		if (e->hdr.eoh_methods != &act_methods)
			elog(ERROR, "expanded object is not a user_activity");
		act_expanded_flush(e);
		if (e->flats == NIL)
		{
			/* Only a hash table: read it directly, unsorted. */
			v->exp = e;
			v->nusers = e->users->members;
			v->first_day = e->first_day;
			v->last_day = e->last_day;
			v->ndays = (int64) v->last_day - v->first_day + 1;
			return;
		}
		v->flat = act_expanded_compact(e);
		v->nusers = v->flat->nusers;
		v->first_day = v->flat->first_day;
		v->last_day = v->flat->last_day;
	}
	else
	{
		ActFlat    *f = (ActFlat *) PG_DETOAST_DATUM(d);

		if (VARSIZE(f) < ACT_HEADER_SIZE ||
			act_header_problem(f->version, f->flags, f->reserved, f->retention_n,
							   f->first_day, f->last_day, f->nusers) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("corrupted user_activity value")));
		v->flat = f;
		v->nusers = f->nusers;
		v->first_day = f->first_day;
		v->last_day = f->last_day;
	}
	v->ndays = (int64) v->last_day - v->first_day + 1;
}

/* Iterator over the users of a view: first active day and bitmap words. */
typedef struct ActIter
{
	ActView    *view;
	ActReader	rd;
	acth_iterator hit;
	ActUser    *items;			/* sorted copies of the hash entries (act_expanded_compact) */
	uint32		nitems;
	uint32		pos;
	uint64		key;
	int32		start;			/* first active day (DateADT) */
	int			nwords;
	const uint64 *words;
	uint64	   *scratch;
	int			scratch_words;
	int64		count;
} ActIter;

static void
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

/* Advance to the next user; false at the end. */
static bool
act_iter_next(ActIter *it)
{
	if ((++it->count & 0xffff) == 0)
		CHECK_FOR_INTERRUPTS();
	if (it->items)
	{
		ActUser    *u;

		if (it->pos >= it->nitems)
			return false;
		u = &it->items[it->pos++];
		it->key = u->key;
		it->start = u->base;
		it->nwords = u->nwords;
		it->words = act_user_words(u);
		return true;
	}
	if (it->view->exp)
	{
		ActUser    *u = acth_iterate(it->view->exp->users, &it->hit);

		if (u == NULL)
			return false;
		it->key = u->key;
		it->start = u->base;
		it->nwords = u->nwords;
		it->words = act_user_words(u);
		return true;
	}
	else
	{
		bool		done;
		int			nwords;

		if (act_reader_next(&it->rd, &done) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("corrupted user_activity value")));
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
		memset(it->scratch, 0, sizeof(uint64) * nwords);
		for (int i = 0; i < it->rd.nbytes; i++)
			it->scratch[i >> 3] |= (uint64) it->rd.bytes[i] << ((i & 7) * 8);
		it->key = it->rd.key;
		it->start = it->rd.start;
		it->nwords = nwords;
		it->words = it->scratch;
		return true;
	}
}

/* ---------- the expanded object ---------- */

/* A new, empty expanded summary in a child context of parent. */
static ActExpanded *
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
static void
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
static void
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
static inline void
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
				hi = Max(hi, its[i].start + act_words_last_bit(its[i].words, its[i].nwords));
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
static ActFlat *
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
		ActFlat    *f = lfirst(lc);

		views[k].flat = f;
		views[k].first_day = f->first_day;
		views[k].last_day = f->last_day;
		views[k].nusers = f->nusers;
		views[k].ndays = (int64) f->last_day - f->first_day + 1;
		act_iter_init(&its[k], &views[k]);
		k++;
	}
	if (hash_part)
	{
		views[k].exp = e;
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
static void
act_expanded_merge(ActExpanded *e, Datum other)
{
	ActFlat    *f;
	ActFlat    *copy;
	MemoryContext old;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(other)))
	{
		ActExpanded *o = (ActExpanded *) DatumGetEOHP(other);

		if (o->hdr.eoh_methods != &act_methods)
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
static ActFlat *
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
static ActExpanded *
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

/* ---------- input conversion ---------- */

/* Key of a bigint user id. */
static inline uint64
act_key_int8(int64 id)
{
	return (uint64) id ^ ACT_SIGN;
}

/* Key of a text user id: 64-bit hash of its bytes. */
static inline uint64
act_key_text(text *t)
{
	return hash_bytes_extended((const unsigned char *) VARDATA_ANY(t),
							   VARSIZE_ANY_EXHDR(t), 0);
}

/* Key of a uuid user id: 64-bit hash of its 16 bytes. */
static inline uint64
act_key_uuid(pg_uuid_t *u)
{
	return hash_bytes_extended(u->data, UUID_LEN, 0);
}

/* A finite date as a day. */
static inline int32
act_day_of_date(DateADT d)
{
	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("activity date must be finite"),
				 errdetail("user_activity records calendar days; infinity is not one.")));
	return d;
}

/* Calendar day of a timestamptz in the session TimeZone, like date_trunc('day', ts). */
static inline int32
act_day_of_timestamptz(TimestampTz ts)
{
	static pg_tz *cached_tz = NULL;
	static bool cached_fixed = false;
	static long cached_gmtoff = 0;
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;

	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("activity timestamp must be finite"),
				 errdetail("user_activity records calendar days; infinity is not one.")));
	if (cached_tz != session_timezone)
	{
		cached_fixed = pg_get_timezone_offset(session_timezone, &cached_gmtoff);
		cached_tz = session_timezone;
	}
	if (cached_fixed)
	{
		int64		local = ts + (int64) cached_gmtoff * USECS_PER_SEC;
		int64		day = local / USECS_PER_DAY;

		if (local % USECS_PER_DAY < 0)
			day--;
		return (int32) day;
	}
	if (timestamp2tm(ts, &tz, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE;
}

/* Record retention_rate()'s n (argument 3) in the state; it must not vary. */
static inline void
act_state_set_n(ActExpanded *e, int32 n)
{
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention day n must not be negative, got %d", n)));
	if (e->has_n && e->retention_n != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention day n must be the same on every row, got %d and %d",
						e->retention_n, n)));
	e->has_n = true;
	e->retention_n = n;
}

/*
 * Shared body of the transition functions: state, user id, time [, n].
 * Rows with a NULL id, time or n are skipped.
 */
static Datum
act_accum(FunctionCallInfo fcinfo, int idtype, bool is_tstz)
{
	ActExpanded *e;
	uint64		key;
	int32		day;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || (PG_NARGS() > 3 && PG_ARGISNULL(3)))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (idtype == INT8OID)
		key = act_key_int8(PG_GETARG_INT64(1));
	else if (idtype == TEXTOID)
		key = act_key_text(PG_GETARG_TEXT_PP(1));
	else
		key = act_key_uuid(PG_GETARG_UUID_P(1));
	day = is_tstz ? act_day_of_timestamptz(PG_GETARG_TIMESTAMPTZ(2))
		: act_day_of_date(PG_GETARG_DATEADT(2));
	e = act_state_for_update(fcinfo);
	if (PG_NARGS() > 3)
		act_state_set_n(e, PG_GETARG_INT32(3));
	if (unlikely(e->users->members >= (uint32) (MaxAllocSize / 4)))
		act_too_large("summary");
	act_expanded_add(e, key, day);
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

#define ACT_ACCUM_FN(name, idtype, is_tstz) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	return act_accum(fcinfo, idtype, is_tstz); \
}

ACT_ACCUM_FN(activity_accum_int8_date, INT8OID, false)
ACT_ACCUM_FN(activity_accum_int8_tstz, INT8OID, true)
ACT_ACCUM_FN(activity_accum_text_date, TEXTOID, false)
ACT_ACCUM_FN(activity_accum_text_tstz, TEXTOID, true)
ACT_ACCUM_FN(activity_accum_uuid_date, UUIDOID, false)
ACT_ACCUM_FN(activity_accum_uuid_tstz, UUIDOID, true)

/* Combine function and rollup()'s transition: union of (user, day) pairs. */
PG_FUNCTION_INFO_V1(activity_combine);
Datum
activity_combine(PG_FUNCTION_ARGS)
{
	ActExpanded *e;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		if (!AggCheckCallContext(fcinfo, NULL))
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		/* Inside an aggregate: keep the state, making it ours if needed. */
		e = act_state_for_update(fcinfo);
		PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
	}
	e = act_state_for_update(fcinfo);
	act_expanded_merge(e, PG_GETARG_DATUM(1));
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

/* Final function of activity_agg() and rollup(): the flat summary, or NULL. */
PG_FUNCTION_INFO_V1(activity_final);
Datum
activity_final(PG_FUNCTION_ARGS)
{
	ActView		v;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0)
		PG_RETURN_NULL();
	if (v.exp)
		PG_RETURN_POINTER(act_expanded_flatten(v.exp));
	PG_RETURN_POINTER(v.flat);
}

/* ---------- text and binary forms ---------- */

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
 * Each user is id:first-day-offset+bitmap bytes in hex.
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
	int			flags = 0;
	int64		n = 0;
	StringInfoData stream;
	uint64		prev = 0;
	const char *problem;
	uint8	   *bytes = NULL;
	int64		bytes_cap = 0;

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
	while (isspace((unsigned char) *cur.pos))
		cur.pos++;
	if (strncmp(cur.pos, "retention_n", 11) == 0)
	{
		kpi_text_expect_key(&cur, "retention_n");
		n = kpi_text_read_int64(&cur, "retention_n");
		if (n < 0 || n > PG_INT32_MAX)
			kpi_text_invalid(&cur, "Field \"retention_n\" must be between 0 and %d.", PG_INT32_MAX);
		flags |= ACT_FLAG_RETENTION_N;
		kpi_text_expect_char(&cur, ',');
	}
	if ((problem = act_header_problem(KPI_BINARY_VERSION, flags, 0, (int32) n,
									  first_day, last_day, nusers)) != NULL)
		kpi_text_invalid(&cur, "%s", problem);
	kpi_text_expect_key(&cur, "activity");
	kpi_text_expect_char(&cur, '{');
	initStringInfo(&stream);
	for (;;)
	{
		int64		id;
		uint64		key,
					start;
		int64		nbytes = 0;
		uint8		head[30];
		uint8	   *hp = head;

		if (count > 0)
		{
			while (isspace((unsigned char) *cur.pos))
				cur.pos++;
			if (*cur.pos == '}')
				break;
			kpi_text_expect_char(&cur, ',');
		}
		CHECK_FOR_INTERRUPTS();
		id = kpi_text_read_int64(&cur, "activity");
		key = (uint64) id ^ ACT_SIGN;
		if (count > 0 && key <= prev)
			kpi_text_invalid(&cur, "User ids must be listed in increasing order without repeats.");
		kpi_text_expect_char(&cur, ':');
		start = kpi_text_read_uint64(&cur, "activity");
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
		hp = act_put_varint(hp, count == 0 ? key : key - prev);
		hp = act_put_varint(hp, start);
		hp = act_put_varint(hp, (uint64) nbytes);
		appendBinaryStringInfo(&stream, (char *) head, (int) (hp - head));
		if ((Size) stream.len + nbytes > MaxAllocSize - ACT_HEADER_SIZE - 64)
			act_too_large("summary");
		appendBinaryStringInfo(&stream, (char *) bytes, (int) nbytes);
		prev = key;
		count++;
		if (count > nusers)
			kpi_text_invalid(&cur, "More users are listed than \"users\" says (%lld).",
							 (long long) nusers);
	}
	kpi_text_expect_char(&cur, '}');
	kpi_text_expect_char(&cur, ')');
	kpi_text_expect_end(&cur);
	if (count != nusers)
		kpi_text_invalid(&cur, "\"users\" says %lld users but %lld are listed.",
						 (long long) nusers, (long long) count);
	if ((problem = act_stream_problem((uint8 *) stream.data, (uint8 *) stream.data + stream.len,
									  first_day, last_day, nusers)) != NULL)
		kpi_text_invalid(&cur, "%s", problem);
	PG_RETURN_POINTER(act_flat_build(flags, (int32) n, first_day, last_day, nusers,
									 (uint8 *) stream.data, stream.len));
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
	act_reader_init(&r, f->data, (uint8 *) f + VARSIZE(f), f->first_day, f->last_day, f->nusers);
	for (;;)
	{
		if (act_reader_next(&r, &done) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("corrupted user_activity value")));
		if (done)
			break;
		if ((r.remaining & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		appendStringInfo(&buf, "%s" INT64_FORMAT ":%d+", first ? "" : ",",
						 (int64) (r.key ^ ACT_SIGN), r.start - f->first_day);
		for (int i = 0; i < r.nbytes; i++)
		{
			appendStringInfoChar(&buf, hex[r.bytes[i] >> 4]);
			appendStringInfoChar(&buf, hex[r.bytes[i] & 15]);
		}
		first = false;
	}
	appendStringInfoString(&buf, "})");
	PG_RETURN_CSTRING(buf.data);
}

/*
 * Binary form: version byte, flags byte, int32 retention_n, int32 first_day,
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

	kpi_recv_version(buf, ACT_NAME);
	flags = kpi_recv_uint8(buf, ACT_NAME);
	if (buf->len - buf->cursor < 16)
		kpi_binary_invalid(ACT_NAME, "The data ends after %d bytes; more were expected.", buf->len);
	version = KPI_BINARY_VERSION;
	n = pq_getmsgint(buf, 4);
	first_day = pq_getmsgint(buf, 4);
	last_day = pq_getmsgint(buf, 4);
	nusers = pq_getmsgint(buf, 4);
	if ((problem = act_header_problem(version, flags, 0, n, first_day, last_day, nusers)) != NULL)
		kpi_binary_invalid(ACT_NAME, "%s", problem);
	data = (const uint8 *) buf->data + buf->cursor;
	len = buf->len - buf->cursor;
	if ((problem = act_stream_problem(data, data + len, first_day, last_day, nusers)) != NULL)
		kpi_binary_invalid(ACT_NAME, "%s", problem);
	buf->cursor = buf->len;
	PG_RETURN_POINTER(act_flat_build(flags, n, first_day, last_day, nusers, data, len));
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
	pq_sendbyte(&buf, KPI_BINARY_VERSION);
	pq_sendbyte(&buf, f->flags);
	pq_sendint32(&buf, f->retention_n);
	pq_sendint32(&buf, f->first_day);
	pq_sendint32(&buf, f->last_day);
	pq_sendint32(&buf, f->nusers);
	pq_sendbytes(&buf, (char *) f->data, VARSIZE(f) - ACT_HEADER_SIZE);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---------- accessors ---------- */

/* DAU/MAU of a view: mean daily actives over every day of D / all actives. */
static double
act_dau_mau(ActView *v)
{
	ActIter		it;
	int64		pairs = 0;

	act_iter_init(&it, v);
	while (act_iter_next(&it))
		for (int w = 0; w < it.nwords; w++)
			pairs += pg_popcount64(it.words[w]);
	return ((double) pairs / (double) v->ndays) / (double) v->nusers;
}

/* N-day retention of a view; false when no user is old enough. */
static bool
act_retention_rate(ActView *v, int64 n, bool on_or_after, double *result)
{
	ActIter		it;
	int64		eligible = 0,
				retained = 0;

	act_iter_init(&it, v);
	while (act_iter_next(&it))
	{
		int64		target = (int64) it.start + n;

		if (target > v->last_day)
			continue;
		eligible++;
		if (on_or_after)
			retained += act_words_last_bit(it.words, it.nwords) >= n ? 1 : 0;
		else
			retained += act_words_any(it.words, it.nwords, n, n) ? 1 : 0;
	}
	if (eligible == 0)
		return false;
	*result = (double) retained / (double) eligible;
	return true;
}

/* Parse a retention mode: 'on' or 'on_or_after'. */
static bool
act_parse_mode(text *mode)
{
	char	   *s = text_to_cstring(mode);

	if (strcmp(s, "on") == 0)
		return false;
	if (strcmp(s, "on_or_after") == 0)
		return true;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid retention mode \"%s\"", s),
			 errhint("Valid modes are 'on' and 'on_or_after'.")));
	return false;
}

/* Reject a negative retention day n. */
static inline void
act_check_n(int32 n)
{
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention day n must not be negative, got %d", n)));
}

PG_FUNCTION_INFO_V1(activity_dau_mau);
Datum
activity_dau_mau(PG_FUNCTION_ARGS)
{
	ActView		v;

	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(act_dau_mau(&v));
}

/* Final function of the dau_mau(user_id, ts) aggregate. */
PG_FUNCTION_INFO_V1(activity_dau_mau_final);
Datum
activity_dau_mau_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	return activity_dau_mau(fcinfo);
}

PG_FUNCTION_INFO_V1(activity_retention_rate);
Datum
activity_retention_rate(PG_FUNCTION_ARGS)
{
	ActView		v;
	int32		n = PG_GETARG_INT32(1);
	bool		on_or_after = act_parse_mode(PG_GETARG_TEXT_PP(2));
	double		result;

	act_check_n(n);
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0 || !act_retention_rate(&v, n, on_or_after, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* Final function of the retention_rate(user_id, ts, n) aggregate (mode 'on'). */
PG_FUNCTION_INFO_V1(activity_retention_rate_final);
Datum
activity_retention_rate_final(PG_FUNCTION_ARGS)
{
	ActView		v;
	double		result;
	int32		n;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0)
		PG_RETURN_NULL();
	if (v.exp ? !v.exp->has_n : !(v.flat->flags & ACT_FLAG_RETENTION_N))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_rate state does not record n")));
	n = v.exp ? v.exp->retention_n : v.flat->retention_n;
	if (!act_retention_rate(&v, n, false, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* Period arithmetic for retention(): 0 = day, 1 = week, 2 = month. */
typedef enum ActGranularity
{
	ACT_DAY,
	ACT_WEEK,
	ACT_MONTH
} ActGranularity;

static ActGranularity
act_parse_granularity(text *g)
{
	char	   *s = text_to_cstring(g);

	if (strcmp(s, "day") == 0)
		return ACT_DAY;
	if (strcmp(s, "week") == 0)
		return ACT_WEEK;
	if (strcmp(s, "month") == 0)
		return ACT_MONTH;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid retention granularity \"%s\"", s),
			 errhint("Valid granularities are 'day', 'week' and 'month'.")));
	return ACT_DAY;
}

/* Floor division. */
static inline int64
act_floor_div(int64 a, int64 b)
{
	int64		q = a / b;

	if ((a % b) != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Index of the calendar period holding day (2000-01-03 is a Monday). */
static inline int64
act_period_of(ActGranularity g, int32 day)
{
	int			y,
				m,
				d;

	switch (g)
	{
		case ACT_DAY:
			return day;
		case ACT_WEEK:
			return act_floor_div((int64) day - 2, 7);
		default:
			j2date(day + POSTGRES_EPOCH_JDATE, &y, &m, &d);
			return (int64) y * 12 + (m - 1);
	}
}

/* First day of period p. */
static inline int64
act_period_start(ActGranularity g, int64 p)
{
	switch (g)
	{
		case ACT_DAY:
			return p;
		case ACT_WEEK:
			return p * 7 + 2;
		default:
			return (int64) date2j((int) act_floor_div(p, 12),
								  (int) (p - 12 * act_floor_div(p, 12)) + 1, 1)
				- POSTGRES_EPOCH_JDATE;
	}
}

/* retention(s, granularity, periods, mode): the cohort table. */
PG_FUNCTION_INFO_V1(activity_retention);
Datum
activity_retention(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ActGranularity g = act_parse_granularity(PG_GETARG_TEXT_PP(1));
	int32		periods = PG_GETARG_INT32(2);
	bool		on_or_after = act_parse_mode(PG_GETARG_TEXT_PP(3));
	ActView		v;
	ActIter		it;
	int64		p_first,
				p_last,
				ncohorts,
				kmax;
	int64	   *pidx;
	int64	   *size;
	int64	   *retained;

	if (periods < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of periods must not be negative, got %d", periods)));
	InitMaterializedSRF(fcinfo, 0);
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0)
		return (Datum) 0;
	p_first = act_period_of(g, v.first_day);
	p_last = act_period_of(g, v.last_day);
	ncohorts = p_last - p_first + 1;
	kmax = Min((int64) periods, p_last - p_first);
	/* Period index of every day of D, relative to p_first. */
	pidx = act_alloc_array(v.ndays, sizeof(int64), "retention table");
	for (int64 i = 0; i < v.ndays; i++)
		pidx[i] = act_period_of(g, (int32) (v.first_day + i)) - p_first;
	size = act_alloc_array(ncohorts, sizeof(int64), "retention table");
	if (kmax + 1 > 0 && ncohorts > (int64) (MaxAllocSize / sizeof(int64)) / (kmax + 1))
		act_too_large("retention table");
	retained = act_alloc_array(ncohorts * (kmax + 1), sizeof(int64), "retention table");

	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		int64		off = (int64) it.start - v.first_day;
		int64		ci = pidx[off];
		int64	   *row = retained + ci * (kmax + 1);

		size[ci]++;
		if (on_or_after)
		{
			int64		last = off + act_words_last_bit(it.words, it.nwords);
			int64		kl = Min(pidx[last] - ci, kmax);

			for (int64 k = 0; k <= kl; k++)
				row[k]++;
		}
		else
		{
			int64		prevk = -1;

			for (int w = 0; w < it.nwords; w++)
			{
				uint64		x = it.words[w];

				while (x != 0)
				{
					int64		k = pidx[off + w * 64 + pg_rightmost_one_pos64(x)] - ci;

					x &= x - 1;
					if (k > kmax)
						goto next_user;
					if (k != prevk)
						row[k]++;
					prevk = k;
				}
			}
		}
next_user:
		;
	}

	for (int64 ci = 0; ci < ncohorts; ci++)
	{
		if (size[ci] == 0)
			continue;
		for (int64 k = 0; k <= kmax; k++)
		{
			Datum		values[5];
			bool		nulls[5] = {false, false, false, false, false};
			int64		r = retained[ci * (kmax + 1) + k];

			/* A period that ends after the last day of D is incomplete. */
			if (act_period_start(g, p_first + ci + k + 1) - 1 > v.last_day)
				break;
			values[0] = DateADTGetDatum((DateADT) act_period_start(g, p_first + ci));
			values[1] = Int64GetDatum(size[ci]);
			values[2] = Int32GetDatum((int32) k);
			values[3] = Int64GetDatum(r);
			values[4] = Float8GetDatum((double) r / (double) size[ci]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

/* stickiness(s, window_days): per day of D, DAU / users active in the window. */
PG_FUNCTION_INFO_V1(activity_stickiness);
Datum
activity_stickiness(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		window = PG_GETARG_INT32(1);
	ActView		v;
	ActIter		it;
	int64	   *dau;
	int64	   *delta;
	int64		mau = 0;

	if (window < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_days must be at least 1, got %d", window)));
	InitMaterializedSRF(fcinfo, 0);
	act_view(PG_GETARG_DATUM(0), &v);
	if (v.nusers == 0)
		return (Datum) 0;
	dau = act_alloc_array(v.ndays, sizeof(int64), "stickiness table");
	delta = act_alloc_array(v.ndays + 1, sizeof(int64), "stickiness table");

	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		int64		off0 = (int64) it.start - v.first_day;
		int64		lo = -1,
					hi = -1;

		/* Union of [a, a + window - 1] over active days a, clipped to D. */
		for (int w = 0; w < it.nwords; w++)
		{
			uint64		x = it.words[w];

			while (x != 0)
			{
				int64		a = off0 + w * 64 + pg_rightmost_one_pos64(x);

				x &= x - 1;
				dau[a]++;
				if (lo >= 0 && a <= hi + 1)
					hi = a + window - 1;
				else
				{
					if (lo >= 0)
					{
						delta[lo]++;
						delta[Min(hi, v.ndays - 1) + 1]--;
					}
					lo = a;
					hi = a + window - 1;
				}
			}
		}
		delta[lo]++;
		delta[Min(hi, v.ndays - 1) + 1]--;
	}

	for (int64 i = 0; i < v.ndays; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		mau += delta[i];
		values[0] = DateADTGetDatum((DateADT) (v.first_day + i));
		values[1] = Int64GetDatum(dau[i]);
		values[2] = Int64GetDatum(mau);
		if (mau > 0)
			values[3] = Float8GetDatum((double) dau[i] / (double) mau);
		else
			nulls[3] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * Inclusive days [*lo, *hi] of a daterange argument.  With allow_open,
 * unbounded or infinite ends are allowed (clipped to int32); otherwise they
 * and empty ranges are errors.  Returns false for an empty range.
 */
static bool
act_range_days(Datum d, const char *what, bool allow_open, int64 *lo, int64 *hi)
{
	RangeType  *range = DatumGetRangeTypeP(d);
	TypeCacheEntry *typcache = lookup_type_cache(RangeTypeGetOid(range), TYPECACHE_RANGE_INFO);
	RangeBound	lower,
				upper;
	bool		empty;
	Oid			outfn;
	bool		isvarlena;

	if (typcache->rngelemtype == NULL || typcache->rngelemtype->type_id != DATEOID)
		elog(ERROR, "expected a daterange");
	range_deserialize(typcache, range, &lower, &upper, &empty);
	if (empty && !allow_open)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s period must not be empty", what),
				 errhint("Give a non-empty date range, such as daterange('2026-01-01', '2026-02-01').")));
	if (empty)
		return false;
	if (!allow_open &&
		(lower.infinite || upper.infinite ||
		 DATE_NOT_FINITE(DatumGetDateADT(lower.val)) || DATE_NOT_FINITE(DatumGetDateADT(upper.val))))
	{
		getTypeOutputInfo(RangeTypeGetOid(range), &outfn, &isvarlena);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s period %s is not finite", what, OidOutputFunctionCall(outfn, d)),
				 errhint("Give both ends of the date range, such as daterange('2026-01-01', '2026-02-01').")));
	}
	if (lower.infinite || DATE_IS_NOBEGIN(DatumGetDateADT(lower.val)))
		*lo = PG_INT32_MIN;
	else if (DATE_IS_NOEND(DatumGetDateADT(lower.val)))
		return false;
	else
		*lo = (int64) DatumGetDateADT(lower.val) + (lower.inclusive ? 0 : 1);
	if (upper.infinite || DATE_IS_NOEND(DatumGetDateADT(upper.val)))
		*hi = PG_INT32_MAX;
	else if (DATE_IS_NOBEGIN(DatumGetDateADT(upper.val)))
		return false;
	else
		*hi = (int64) DatumGetDateADT(upper.val) - (upper.inclusive ? 0 : 1);
	return *lo <= *hi;
}

/* Is the iterator's user active on some day in [lo, hi]? */
static inline bool
act_iter_active(ActIter *it, int64 lo, int64 hi)
{
	return act_words_any(it->words, it->nwords, lo - it->start, hi - it->start);
}

/* Shared body of churn_rate and customer_retention_rate. */
static Datum
act_period_compare(FunctionCallInfo fcinfo, bool crr)
{
	ActView		v;
	ActIter		it;
	int64		plo,
				phi,
				clo,
				chi;
	int64		s = 0,
				both = 0,
				e = 0,
				nnew = 0;

	act_range_days(PG_GETARG_DATUM(1), "previous", false, &plo, &phi);
	act_range_days(PG_GETARG_DATUM(2), "current", false, &clo, &chi);
	act_view(PG_GETARG_DATUM(0), &v);
	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		bool		in_prev = act_iter_active(&it, plo, phi);
		bool		in_cur = act_iter_active(&it, clo, chi);

		s += in_prev;
		both += in_prev && in_cur;
		e += in_cur;
		nnew += in_cur && it.start >= clo && it.start <= chi;
	}
	if (s == 0)
		PG_RETURN_NULL();
	if (crr)
		PG_RETURN_FLOAT8((double) (e - nnew) / (double) s);
	PG_RETURN_FLOAT8((double) (s - both) / (double) s);
}

PG_FUNCTION_INFO_V1(activity_churn_rate);
Datum
activity_churn_rate(PG_FUNCTION_ARGS)
{
	return act_period_compare(fcinfo, false);
}

PG_FUNCTION_INFO_V1(activity_customer_retention_rate);
Datum
activity_customer_retention_rate(PG_FUNCTION_ARGS)
{
	return act_period_compare(fcinfo, true);
}

/* active_users(s [, during]): users active (in the range). */
PG_FUNCTION_INFO_V1(activity_active_users);
Datum
activity_active_users(PG_FUNCTION_ARGS)
{
	ActView		v;
	ActIter		it;
	int64		lo,
				hi,
				count = 0;

	act_view(PG_GETARG_DATUM(0), &v);
	if (PG_NARGS() == 1)
		PG_RETURN_INT64(v.nusers);
	if (!act_range_days(PG_GETARG_DATUM(1), "during", true, &lo, &hi))
		PG_RETURN_INT64(0);
	act_iter_init(&it, &v);
	while (act_iter_next(&it))
		count += act_iter_active(&it, lo, hi);
	PG_RETURN_INT64(count);
}

/* Shared body of first_day and last_day, optionally within a range. */
static Datum
act_edge_day(FunctionCallInfo fcinfo, bool last)
{
	ActView		v;
	ActIter		it;
	int64		lo,
				hi,
				best;
	bool		found = false;

	act_view(PG_GETARG_DATUM(0), &v);
	if (PG_NARGS() == 1)
		PG_RETURN_DATEADT(last ? v.last_day : v.first_day);
	if (!act_range_days(PG_GETARG_DATUM(1), "during", true, &lo, &hi))
		PG_RETURN_NULL();
	lo = Max(lo, (int64) v.first_day);
	hi = Min(hi, (int64) v.last_day);
	if (lo > hi)
		PG_RETURN_NULL();
	best = last ? lo : hi;
	act_iter_init(&it, &v);
	while (act_iter_next(&it))
	{
		int64		nbits = (int64) it.nwords * 64;
		int64		o1 = Max(lo - it.start, 0);
		int64		o2 = Min(hi - it.start, nbits - 1);

		/* Scan inward from the far end only as far as the best so far. */
		if (last)
		{
			o1 = Max(o1, best - it.start + (found ? 1 : 0));
			for (int64 o = o2; o >= o1; o--)
				if (it.words[o >> 6] & (UINT64CONST(1) << (o & 63)))
				{
					best = it.start + o;
					found = true;
					break;
				}
		}
		else
		{
			o2 = Min(o2, best - it.start - (found ? 1 : 0));
			for (int64 o = o1; o <= o2; o++)
				if (it.words[o >> 6] & (UINT64CONST(1) << (o & 63)))
				{
					best = it.start + o;
					found = true;
					break;
				}
		}
	}
	if (!found)
		PG_RETURN_NULL();
	PG_RETURN_DATEADT((DateADT) best);
}

PG_FUNCTION_INFO_V1(activity_first_day);
Datum
activity_first_day(PG_FUNCTION_ARGS)
{
	return act_edge_day(fcinfo, false);
}

PG_FUNCTION_INFO_V1(activity_last_day);
Datum
activity_last_day(PG_FUNCTION_ARGS)
{
	return act_edge_day(fcinfo, true);
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
