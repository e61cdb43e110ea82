/*
 * activity.h
 *		Private header of the activity family (user_activity): the only place
 *		that knows how a summary is laid out, flat and in memory.  The other
 *		activity_*.c files, and any new file computing a metric over a
 *		user_activity, include it (as contrib/hstore's files include hstore.h).
 *
 * Files of the family:
 *		activity_format.c	flat format: varints, reader/validator, builder,
 *							the read-only view and the per-user iterator
 *		activity_state.c	the expanded (in-memory) form: one user's days
 *							(bitmap or list), hash table with buffered
 *							inserts, appended users of merged summaries,
 *							radix sort, k-way heap merge
 *		activity_io.c		text and binary input/output
 *		activity_agg.c		transition, combine and final functions
 *		activity_metrics.c	dau_mau, retention_rate, retention, stickiness,
 *							churn_rate, customer_retention_rate, active_users,
 *							first_day, last_day
 *
 * ===== Reading a summary: the stable API for metric code =====
 *
 * Code computing a metric should use only this section; the storage below
 * it may change (and does: see the format version byte).
 *
 *		ActView		v;
 *		ActIter		it;
 *
 *		act_view(PG_GETARG_DATUM(0), &v);		// or act_view_sorted()
 *		// v.first_day, v.last_day (DateADT), v.ndays, v.nusers (>= 0)
 *		act_iter_init(&it, &v);
 *		while (act_iter_next(&it))
 *		{
 *			// one user: act_user_key(&it), act_user_first(&it),
 *			// act_user_last(&it), act_user_count(&it),
 *			// act_user_active(&it, lo, hi), act_user_next_day(&it, from, &d),
 *			// act_user_prev_day(&it, upto, &d), or every active day in order:
 *			ActDays		dc;
 *			int32		day;
 *
 *			act_days_init(&dc, &it);
 *			while (act_days_next(&dc, &day))
 *				...;
 *		}
 *
 * - act_view() looks at a datum (flat or expanded) without copying it and
 *   errors (XX001) on a corrupted header.  Users come in an unspecified
 *   order; act_view_sorted() guarantees increasing act_user_key() order (use
 *   it to walk two summaries side by side: the same user id has the same key
 *   in every summary built from the same id type).
 * - Days are DateADT values (days since 2000-01-01), all within
 *   [v.first_day, v.last_day]; every user has at least one active day.
 * - The iterators check for interrupts themselves: a loop over users, or
 *   over one user's days with act_days_next(), stops promptly on cancel.
 *   A loop that does work of its own per day beyond a few instructions need
 *   not add anything; a loop over days that does not use act_days_next()
 *   must call CHECK_FOR_INTERRUPTS() itself.
 * - Pointers into the view stay valid until the datum is freed; do not
 *   modify anything reached through a view.
 */
#ifndef PG_KPI_ACTIVITY_H
#define PG_KPI_ACTIVITY_H

#include "pg_kpi.h"

#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "port/pg_bitutils.h"
#include "utils/date.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

#define ACT_NAME "user_activity"
#define ACT_SIGN UINT64CONST(0x8000000000000000)
#define ACT_FLAG_RETENTION_N 0x01
#define ACT_HINT_SHORTER "Group by a shorter date range (for example per week or month) and combine the results."

/* ===== Flat form ===== */

/*
 * Flat form (on disk, in transit, canonical): a fixed header, then one
 * record per user in increasing key order:
 *		varint  key delta (from the previous user's key; the first key itself)
 *		varint  first active day, as days after the summary's first day
 *		varint  L, then either
 *		  L >= 1: a bitmap of L bytes: bit j of byte i = day start + 8i + j;
 *				bit 0 is set and the last byte is non-zero
 *		  L == 0 (version 2 only): a day list: varint m >= 1, then m varints
 *				>= 1, the gaps from each active day to the next
 * In version 2 a user takes the day list when it is at most a quarter of
 * the bitmap's size, the bitmap otherwise (see act_list_wins), so a user
 * costs bytes in proportion to active days, not to the span between them,
 * and the encoding is a function of the days.  Version 1
 * (pg_kpi 1.0) has bitmaps only, not necessarily the canonical choice; it is
 * read as it is, and anything merged or built is written as version 2.
 * A user's key is the bigint id with its sign bit flipped (so unsigned
 * order is signed order), or the 64-bit hash of a text or uuid id.
 */
#define ACT_VERSION_1 1
#define ACT_VERSION 2

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

/* ===== In-memory (expanded) form ===== */

/*
 * One user in the in-memory hash table: 24 bytes, plus an ActSet once the
 * user's days do not fit one 64-day word.
 *		ACT_INLINE	bits.word: bit i = day base + i
 *		ACT_BITMAP	bits.set->data: n words, bit i = day base + i; the
 *					active days are set->first..set->last
 *		ACT_LIST	bits.set->data: n int32 days (sorted without repeats
 *					unless !set->sorted); base is the smallest
 * Either way base <= every active day; for INLINE and LIST it is the first.
 */
#define ACT_INLINE 0
#define ACT_BITMAP 1
#define ACT_LIST 2

typedef struct ActSet
{
	uint32		count;			/* active days (LIST: entries, repeats included) */
	uint32		n;				/* words (BITMAP) or entries (LIST) in use */
	uint32		cap;			/* words or entries allocated */
	bool		sorted;			/* LIST: data sorted, no repeats */
	int32		first;			/* BITMAP: first and last active day */
	int32		last;
	uint64		data[FLEXIBLE_ARRAY_MEMBER];
} ActSet;

typedef struct ActUser
{
	uint64		key;			/* see the flat form */
	int32		base;
	char		status;			/* simplehash bookkeeping */
	uint8		kind;			/* ACT_INLINE, ACT_BITMAP or ACT_LIST */
	union
	{
		uint64		word;		/* ACT_INLINE */
		ActSet	   *set;		/* otherwise, in the object's context */
	}			bits;
} ActUser;

/* The hash table of users (simplehash, defined in activity_state.c). */
extern void *act_hash_alloc(Size size);

#define SH_RAW_ALLOCATOR(size) act_hash_alloc(size)
#define SH_PREFIX acth
#define SH_ELEMENT_TYPE ActUser
#define SH_KEY_TYPE uint64
#define SH_SCOPE extern
#define SH_DECLARE
#include "lib/simplehash.h"

struct ActPending;

/*
 * The expanded (in-memory) form: the union of a hash table of users (rows
 * added by the transition function), the appended users of small summaries
 * and a list of larger flat summaries (both merged in by the combine
 * function), merged in one sorted pass when the value is read: see
 * act_expanded_compact.
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
	Size		flats_bytes;	/* total size of flats */
	/* Users of small merged summaries, appended (see act_expanded_merge). */
	ActUser    *items;
	int64		nitems;
	int64		items_cap;
	int64		items_limit;
	bool		items_sorted;	/* sorted by key, one entry per user */
} ActExpanded;

/* ===== Bitmap helpers (bitmaps stored in 64-bit words, bit 0 = base day) ===== */

/* Offset of the last set bit from the base day, or -1 if none. */
static inline int64
act_words_last_bit(const uint64 *words, int64 nwords)
{
	for (int64 w = nwords - 1; w >= 0; w--)
	{
		if ((w & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		if (words[w] != 0)
			return (int64) w * 64 + pg_leftmost_one_pos64(words[w]);
	}
	return -1;
}

/* Offset of the first set bit at or after offset lo (clipped at 0), or -1. */
static inline int64
act_words_next_bit(const uint64 *words, int64 nwords, int64 lo)
{
	int64		w;
	uint64		x;

	if (lo < 0)
		lo = 0;
	if (lo >= (int64) nwords * 64)
		return -1;
	w = lo >> 6;
	x = words[w] & (~UINT64CONST(0) << (lo & 63));
	while (x == 0)
	{
		if (++w >= nwords)
			return -1;
		if ((w & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		x = words[w];
	}
	return w * 64 + pg_rightmost_one_pos64(x);
}

/* Offset of the last set bit at or before offset hi (clipped at the end), or -1. */
static inline int64
act_words_prev_bit(const uint64 *words, int64 nwords, int64 hi)
{
	int64		w;
	uint64		x;

	if (hi < 0)
		return -1;
	if (hi >= (int64) nwords * 64)
		hi = (int64) nwords * 64 - 1;
	w = hi >> 6;
	x = words[w];
	if ((hi & 63) != 63)
		x &= (UINT64CONST(1) << ((hi & 63) + 1)) - 1;
	while (x == 0)
	{
		if (--w < 0)
			return -1;
		if ((w & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		x = words[w];
	}
	return w * 64 + pg_leftmost_one_pos64(x);
}

/* Are any bits set between bit offsets lo and hi (inclusive)? */
static inline bool
act_words_any(const uint64 *words, int64 nwords, int64 lo, int64 hi)
{
	int64		b;

	if (hi < lo)
		return false;
	b = act_words_next_bit(words, nwords, lo);
	return b >= 0 && b <= hi;
}

/* Byte i of a bitmap stored in 64-bit words. */
static inline uint8
act_words_byte(const uint64 *words, int64 i)
{
	return (uint8) (words[i >> 3] >> ((i & 7) * 8));
}

/* ===== Varints, limits, errors (activity_format.c) ===== */

/* Varints: the shared codec of pg_kpi.h (kpi_varint_put/get/len). */

/* Error for a summary that would pass the size limit (54000). */
pg_attribute_noreturn() extern void act_too_large(const char *what);

/* Error for a stored value that fails validation (XX001, kpi_corrupted). */
pg_attribute_noreturn() extern void act_corrupted(void);

/* Allocate n zeroed elements of size sz in the current context, erroring past 1 GB. */
extern void *act_alloc_array(int64 n, Size sz, const char *what);

/* ===== Flat reader (validates as it goes) ===== */

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
	int32		last;			/* current user's last active day (DateADT) */
	int			version;		/* ACT_VERSION_1 or ACT_VERSION */
	const uint8 *payload;		/* current record from its L varint on */
	const uint8 *bytes;			/* current user's bitmap, or NULL for a list */
	int64		nbytes;			/* bitmap bytes */
	const uint8 *gaps;			/* day list: the m gap varints */
	int64		ngaps;			/* m */
	int64		min_start;		/* offsets seen, for the canonical check */
	int64		max_end;
} ActReader;

extern void act_reader_init(ActReader *r, int version, const uint8 *data, const uint8 *end,
							int32 first_day, int32 last_day, int64 nusers);

/*
 * Step to the next user record.  Returns NULL and fills the current user, or
 * returns a sentence describing what is wrong; *done is set at the end.
 */
extern const char *act_reader_next(ActReader *r, bool *done);

/* Describe what is wrong with a flat header's fields, or return NULL. */
extern const char *act_header_problem(int version, int flags, int reserved, int32 retention_n,
									  int32 first_day, int32 last_day, int64 nusers);

/* Validate a whole record stream; NULL if it is a canonical summary. */
extern const char *act_stream_problem(int version, const uint8 *data, const uint8 *end,
									  int32 first_day, int32 last_day, int64 nusers);

/*
 * Largest text form of a summary (bytes): under the 1 GB a value's output
 * and a COPY line may take, with room for the other columns of a row.
 */
#define ACT_MAX_TEXT_BYTES INT64CONST(1000000000)

/* Error (54000) if the text form of f would exceed ACT_MAX_TEXT_BYTES. */
extern void act_check_text_size(ActFlat *f);

/* Same; the choice of encoding per user is checked only if check_canonical. */
extern const char *act_stream_problem_ex(int version, const uint8 *data, const uint8 *end,
										 int32 first_day, int32 last_day, int64 nusers,
										 bool check_canonical);

/* Rewrite a version 2 record stream with every user in its canonical encoding. */
extern const char *act_stream_canonical(const uint8 *data, Size len, int32 first_day,
										int32 last_day, int64 nusers, StringInfo out);

/* Build a flat summary from a validated header and record stream. */
extern ActFlat *act_flat_build(int version, int flags, int32 retention_n, int32 first_day,
							   int32 last_day, int64 nusers, const uint8 *data, Size len);

/*
 * Write one user's days as a canonical record payload (L and what follows)
 * into out (act_out_reserve'd by the callee), from a bitmap (bit i = day
 * first + i, bit 0 set) or from a sorted list of distinct days.
 */
extern void act_put_days_bitmap(StringInfo out, const uint64 *words, int64 nbits);
extern void act_put_days_list(StringInfo out, const int32 *days, int64 n);

/* Make room for need more bytes in a summary being written (1 GB at most). */
extern void act_out_reserve(StringInfo out, Size need);

/* Append a varint to out (room reserved). */
static inline void
act_out_varint(StringInfo out, uint64 v)
{
	uint8	   *p = (uint8 *) out->data + out->len;

	out->len += (int) (kpi_varint_put(p, v) - p);
}


/*
 * A period's first day as a date PostgreSQL can read: a period starting
 * before 4714-11-24 BC, the first date there is, is labelled with that day.
 */
static inline DateADT
act_readable_date(int64 day)
{
	return (DateADT) Max(day, (int64) (DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE));
}

/* ===== The read-only view and the iterators (activity_format.c) ===== */

typedef struct ActView
{
	int32		first_day;		/* DateADT of the earliest active day */
	int32		last_day;		/* DateADT of the latest active day */
	int64		nusers;			/* number of users (0 only for an empty state) */
	int64		ndays;			/* last_day - first_day + 1 */
	/* private */
	ActFlat    *flat;			/* exactly one of flat, exp is set */
	int			version;		/* of flat */
	ActExpanded *exp;
} ActView;

/* Look at a user_activity datum, flat or expanded; users in any order. */
extern void act_view(Datum d, ActView *v);

/* Same, with users in increasing key order. */
extern void act_view_sorted(Datum d, ActView *v);

/* A view of one flat summary (already validated or from a trusted source). */
extern void act_view_flat(ActFlat *f, ActView *v);

typedef struct ActIter
{
	/* private: read the current user through act_user_*() */
	ActView    *view;
	ActReader	rd;
	acth_iterator hit;
	ActUser    *items;			/* sorted copies of the hash entries */
	uint32		nitems;
	uint32		pos;
	uint64		key;
	int32		start;			/* first active day (DateADT) */
	int32		last;			/* last active day (DateADT) */
	/* the days: a bitmap (days == NULL) or a sorted list */
	int64		nwords;
	const uint64 *words;		/* bit i = day start + i */
	uint64		word;			/* words of a one-word bitmap */
	int64		ndays;
	const int32 *days;			/* every active day, increasing */
	uint64	   *scratch;
	int64		scratch_words;
	int32	   *scratch_days;
	int64		scratch_ndays;
} ActIter;

extern void act_iter_init(ActIter *it, ActView *v);

/* Advance to the next user; false at the end. */
extern bool act_iter_next(ActIter *it);

/* The current user's key (bigint ids: the id with its sign bit flipped). */
static inline uint64
act_user_key(const ActIter *it)
{
	return it->key;
}

/* The current user's first active day. */
static inline int32
act_user_first(const ActIter *it)
{
	return it->start;
}

/* The current user's last active day. */
static inline int32
act_user_last(const ActIter *it)
{
	return it->last;
}

/* The number of days the current user was active on. */
static inline int64
act_user_count(const ActIter *it)
{
	int64		n = 0;

	if (it->days)
		return it->ndays;
	for (int64 w = 0; w < it->nwords; w++)
	{
		if ((w & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		n += pg_popcount64(it->words[w]);
	}
	return n;
}

/* Index of the first of n sorted days that is >= d (n if none). */
static inline int64
act_days_lower_bound(const int32 *days, int64 n, int64 d)
{
	int64		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (days[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The current user's first active day >= from, into *day; false if none. */
static inline bool
act_user_next_day(const ActIter *it, int64 from, int32 *day)
{
	int64		b;

	if (from > it->last)
		return false;
	if (from <= it->start)
	{
		*day = it->start;
		return true;
	}
	if (it->days)
	{
		*day = it->days[act_days_lower_bound(it->days, it->ndays, from)];
		return true;
	}
	b = act_words_next_bit(it->words, it->nwords, from - it->start);
	if (b < 0)
		return false;
	*day = (int32) (it->start + b);
	return true;
}

/* The current user's last active day <= upto, into *day; false if none. */
static inline bool
act_user_prev_day(const ActIter *it, int64 upto, int32 *day)
{
	int64		b;

	if (upto < it->start)
		return false;
	if (upto >= it->last)
	{
		*day = it->last;
		return true;
	}
	if (it->days)
	{
		*day = it->days[act_days_lower_bound(it->days, it->ndays, upto + 1) - 1];
		return true;
	}
	b = act_words_prev_bit(it->words, it->nwords, upto - it->start);
	if (b < 0)
		return false;
	*day = (int32) (it->start + b);
	return true;
}

/* Was the current user active on some day in [lo, hi]? */
static inline bool
act_user_active(const ActIter *it, int64 lo, int64 hi)
{
	int32		d;

	return lo <= hi && act_user_next_day(it, lo, &d) && d <= hi;
}

/* Was the current user active on day d? */
static inline bool
act_user_active_on(const ActIter *it, int64 d)
{
	return act_user_active(it, d, d);
}

/* Cursor over the current user's active days, in increasing order. */
typedef struct ActDays
{
	/* private */
	const uint64 *words;
	int64		nwords;
	int64		w;
	uint64		x;
	int32		base;
	const int32 *days;
	int64		ndays;
} ActDays;

static inline void
act_days_init(ActDays *dc, const ActIter *it)
{
	dc->words = it->words;
	dc->nwords = it->nwords;
	dc->w = 0;
	dc->x = (it->days == NULL && it->nwords > 0) ? it->words[0] : 0;
	dc->base = it->start;
	dc->days = it->days;
	dc->ndays = it->ndays;
}

/* The next active day into *day; false after the last. */
static inline bool
act_days_next(ActDays *dc, int32 *day)
{
	if (dc->days)
	{
		if (dc->w >= dc->ndays)
			return false;
		if ((dc->w & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		*day = dc->days[dc->w++];
		return true;
	}
	while (dc->x == 0)
	{
		if (++dc->w >= dc->nwords)
			return false;
		if ((dc->w & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		dc->x = dc->words[dc->w];
	}
	*day = dc->base + dc->w * 64 + pg_rightmost_one_pos64(dc->x);
	dc->x &= dc->x - 1;
	return true;
}

/* Append the iterator's current user's days as a canonical record payload. */
extern void act_put_iter(StringInfo out, const ActIter *it);

/* Make the iterator's current user the in-memory user u (activity_state.c internals). */
extern void act_iter_set_user(ActIter *it, ActUser *u);

/* ===== The expanded object (activity_state.c) ===== */

/* Sort and deduplicate an ACT_LIST user's days (no-op otherwise). */
extern void act_user_sort_list(ActUser *u);

/* Is d a user_activity expanded object? */
extern bool act_is_expanded(Datum d);

/* A new, empty expanded summary in a child context of parent. */
extern ActExpanded *act_expanded_new(MemoryContext parent, uint32 size_hint);

/* Record one (user, day) pair. */
extern void act_expanded_add(ActExpanded *e, uint64 key, int32 day);

/* Insert buffered rows into the hash table. */
extern void act_expanded_flush(ActExpanded *e);

/* Add another summary (flat or expanded) to e. */
extern void act_expanded_merge(ActExpanded *e, Datum other);

/* Merge everything into one flat summary (the object's only content); returns it. */
extern ActFlat *act_expanded_compact(ActExpanded *e);

/* The flat form of an expanded summary, in the current memory context. */
extern ActFlat *act_expanded_flatten(ActExpanded *e);

/* The state a transition/combine function may update (argument 0). */
extern ActExpanded *act_state_for_update(FunctionCallInfo fcinfo);

/* Record retention_rate()'s n from another state; the two must agree. */
extern void act_expanded_take_n(ActExpanded *e, bool has_n, int32 n);

/*
 * Inclusive days [*lo, *hi] of a daterange argument (activity_metrics.c);
 * false for an empty range.  allow_open: unbounded ends clip to int32;
 * otherwise they, and empty ranges, are errors naming `what`.
 */
extern bool act_range_days(Datum d, const char *what, bool allow_open, int64 *lo, int64 *hi);

#endif							/* PG_KPI_ACTIVITY_H */
