/*
 * uptime.c
 *		Uptime and time in state: the uptime_summary type (uptime_agg() from
 *		probes, heartbeat_agg() from heartbeats), the state_summary type
 *		(state_agg() from state changes), rollup(), and their accessors.
 *
 *		A probe timeline is a step function: the state a probe reports holds
 *		from its time until the next probe; known time runs from the first
 *		probe to the last.  Combining partial timelines exactly needs every
 *		probe while their time ranges may interleave (parallel workers see
 *		rows in any order), so a summary is a list of "pieces":
 *		  - a raw piece keeps every probe (at most one per instant; at equal
 *		    instants the state whose name sorts first wins, so "down" beats
 *		    "up"); raw pieces merge with anything overlapping them exactly;
 *		  - a coalesced piece keeps only the state changes and the last probe
 *		    (what a finished summary needs); it merges exactly with pieces that
 *		    do not overlap its time range.
 *		Transition states hold raw probes; final functions fuse all pieces
 *		into one coalesced piece, filling each gap between pieces with the
 *		state of the last probe before it.  rollup() of summaries whose time
 *		ranges do not overlap (one per day, per hour, ...) is therefore
 *		exactly the summary of all their probes; overlapping finished
 *		summaries are an error rather than a guess.
 *
 *		A heartbeat timeline is a union of intervals [ts, ts + timeout) of up
 *		time and the known range [first heartbeat, last end); unions merge
 *		exactly in any order.
 *
 *		The flat (on-disk) form of both types is their binary send form in a
 *		varlena; inside aggregates the state is an expanded object.
 */
#include "pg_kpi.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/expandeddatum.h"
#include "utils/rangetypes.h"
#include "utils/timestamp.h"

#define TL_PROBES		1		/* uptime_summary from uptime_agg() */
#define TL_HEARTBEATS	2		/* uptime_summary from heartbeat_agg() */
#define TL_STATES		3		/* state_summary from state_agg() */

#define TL_MAX_STATES	255		/* state ids are one byte */

#define UPTIME_NAME "uptime_summary"
#define STATE_NAME "state_summary"

/* A run of points (indexes into the point arrays) of one piece. */
typedef struct TlPiece
{
	int64		start;			/* first point */
	int64		n;				/* number of points, >= 1 */
	bool		raw;			/* every probe kept (else coalesced) */
} TlPiece;

/* The in-memory timeline. */
typedef struct Timeline
{
	int			kind;
	MemoryContext cxt;
	/* state names (TL_STATES); canonical = sorted bytewise, ids = order */
	int			nstates;
	char	  **names;
	bool		canonical;
	int			last_id;		/* lookup cache */
	/* points of the pieces, and the pieces */
	int64	   *ts;
	uint8	   *st;
	int64		npts;
	int64		cappts;
	TlPiece    *pieces;
	int			npieces;
	int			cappieces;
	bool		normalized;		/* pieces sorted and checked, no pending points */
	/* pending raw points, unsorted (transition functions append here) */
	int64	   *pts;
	uint8	   *pst;
	int64		npend;
	int64		cappend;
	/* heartbeats: up intervals (pairs) and the known range */
	int64	   *iv;
	int64		niv;
	int64		capiv;
	int64		known_lo;
	int64		known_hi;
} Timeline;

typedef struct TlExpanded
{
	ExpandedObjectHeader hdr;
	Timeline	tl;
} TlExpanded;

static Size tl_get_flat_size(ExpandedObjectHeader *eohptr);
static void tl_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods tl_methods = {
	tl_get_flat_size,
	tl_flatten_into
};

static inline const char *
tl_type_name(int kind)
{
	return kind == TL_STATES ? STATE_NAME : UPTIME_NAME;
}

/* ---------- growing arrays ---------- */

/* Make room for need more elements of size sz in *arr (capacity *cap). */
static void
tl_reserve(MemoryContext cxt, void **arr, int64 *cap, int64 used, int64 need, Size sz,
		   const char *type_name)
{
	int64		newcap;

	if (used + need <= *cap)
		return;
	newcap = Max(*cap * 2, used + need);
	newcap = Max(newcap, 64);
	if ((uint64) newcap * sz > MaxAllocSize / 2)
	{
		newcap = used + need;
		if ((uint64) newcap * sz > MaxAllocSize / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s is too large", type_name),
					 errdetail("It would hold more than %lld points or intervals.",
							   (long long) (MaxAllocSize / 2 / sz)),
					 errhint("Aggregate fewer rows per group, e.g. one summary per day, and combine them with rollup().")));
	}
	if (*arr == NULL)
		*arr = MemoryContextAlloc(cxt, newcap * sz);
	else
		*arr = repalloc(*arr, newcap * sz);
	*cap = newcap;
}

static void
tl_init(Timeline *tl, int kind, MemoryContext cxt)
{
	memset(tl, 0, sizeof(Timeline));
	tl->kind = kind;
	tl->cxt = cxt;
	tl->canonical = true;
	tl->normalized = true;
	tl->last_id = -1;
	if (kind == TL_PROBES)
	{
		/* the fixed dictionary of uptime: "down" sorts before "up" */
		tl->nstates = 2;
		tl->names = MemoryContextAlloc(cxt, 2 * sizeof(char *));
		tl->names[0] = MemoryContextStrdup(cxt, "down");
		tl->names[1] = MemoryContextStrdup(cxt, "up");
	}
}

/* Append a pending raw point. */
static inline void
tl_add_pending(Timeline *tl, int64 ts, int st)
{
	if (tl->npend >= tl->cappend)
	{
		int64		cap = tl->cappend;

		tl_reserve(tl->cxt, (void **) &tl->pts, &cap, tl->npend, 1, sizeof(int64),
				   tl_type_name(tl->kind));
		cap = tl->cappend;
		tl_reserve(tl->cxt, (void **) &tl->pst, &cap, tl->npend, 1, sizeof(uint8),
				   tl_type_name(tl->kind));
		tl->cappend = cap;
	}
	tl->pts[tl->npend] = ts;
	tl->pst[tl->npend] = (uint8) st;
	tl->npend++;
	tl->normalized = false;
}

/* Append a piece from arrays of n points. */
static void
tl_add_piece(Timeline *tl, const int64 *ts, const uint8 *st, int64 n, bool raw)
{
	int64		cap;
	int64		pcap = tl->cappieces;

	Assert(n >= 1);
	cap = tl->cappts;
	tl_reserve(tl->cxt, (void **) &tl->ts, &cap, tl->npts, n, sizeof(int64), tl_type_name(tl->kind));
	cap = tl->cappts;
	tl_reserve(tl->cxt, (void **) &tl->st, &cap, tl->npts, n, sizeof(uint8), tl_type_name(tl->kind));
	tl->cappts = cap;
	tl_reserve(tl->cxt, (void **) &tl->pieces, &pcap, tl->npieces, 1, sizeof(TlPiece), tl_type_name(tl->kind));
	tl->cappieces = (int) pcap;
	memcpy(tl->ts + tl->npts, ts, n * sizeof(int64));
	memcpy(tl->st + tl->npts, st, n * sizeof(uint8));
	tl->pieces[tl->npieces].start = tl->npts;
	tl->pieces[tl->npieces].n = n;
	tl->pieces[tl->npieces].raw = raw;
	tl->npieces++;
	tl->npts += n;
	tl->normalized = false;
}

/* Append one heartbeat interval [lo, hi). */
static inline void
tl_add_interval(Timeline *tl, int64 lo, int64 hi)
{
	if (tl->niv == 0 && tl->known_lo == tl->known_hi)
	{
		tl->known_lo = lo;
		tl->known_hi = hi;
	}
	else
	{
		tl->known_lo = Min(tl->known_lo, lo);
		tl->known_hi = Max(tl->known_hi, hi);
	}
	tl_reserve(tl->cxt, (void **) &tl->iv, &tl->capiv, tl->niv * 2, 2, sizeof(int64),
			   UPTIME_NAME);
	tl->iv[tl->niv * 2] = lo;
	tl->iv[tl->niv * 2 + 1] = hi;
	tl->niv++;
	tl->normalized = false;
}

/* Id of state name (TL_STATES), adding it to the dictionary if new. */
static int
tl_state_id(Timeline *tl, const char *name, int len)
{
	if (tl->last_id >= 0 && strlen(tl->names[tl->last_id]) == (size_t) len &&
		memcmp(tl->names[tl->last_id], name, len) == 0)
		return tl->last_id;
	for (int i = 0; i < tl->nstates; i++)
		if (strlen(tl->names[i]) == (size_t) len && memcmp(tl->names[i], name, len) == 0)
			return tl->last_id = i;
	if (tl->nstates >= TL_MAX_STATES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("state_summary holds at most %d distinct states", TL_MAX_STATES),
				 errhint("Map the states to a smaller set, e.g. with CASE, before state_agg().")));
	if (tl->names == NULL)
		tl->names = MemoryContextAlloc(tl->cxt, TL_MAX_STATES * sizeof(char *));
	tl->names[tl->nstates] = MemoryContextAlloc(tl->cxt, len + 1);
	memcpy(tl->names[tl->nstates], name, len);
	tl->names[tl->nstates][len] = '\0';
	tl->canonical = false;
	return tl->last_id = tl->nstates++;
}

/* ---------- normalizing ---------- */

static int
tl_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Sort the state names and renumber every point (ids then follow name order). */
static void
tl_canonicalize(Timeline *tl)
{
	char	   *sorted[TL_MAX_STATES];
	uint8		map[TL_MAX_STATES];

	if (tl->canonical)
		return;
	memcpy(sorted, tl->names, tl->nstates * sizeof(char *));
	qsort(sorted, tl->nstates, sizeof(char *), tl_cmp_names);
	for (int i = 0; i < tl->nstates; i++)
		for (int j = 0; j < tl->nstates; j++)
			if (tl->names[i] == sorted[j])
				map[i] = (uint8) j;
	for (int64 i = 0; i < tl->npend; i++)
		tl->pst[i] = map[tl->pst[i]];
	for (int64 i = 0; i < tl->npts; i++)
		tl->st[i] = map[tl->st[i]];
	memcpy(tl->names, sorted, tl->nstates * sizeof(char *));
	tl->canonical = true;
	tl->last_id = -1;
}

/* Sort key of a pending point: time, then state id (the smaller id wins a tie). */
static int
tl_cmp_point(const void *a, const void *b)
{
	const int64 *x = a;
	const int64 *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return (x[1] > y[1]) - (x[1] < y[1]);
}

static int
tl_cmp_piece_ptr(const void *a, const void *b, void *arg)
{
	const TlPiece *p = a;
	const TlPiece *q = b;
	const int64 *ts = arg;
	int64		pf = ts[p->start],
				qf = ts[q->start];
	int64		pl = ts[p->start + p->n - 1],
				ql = ts[q->start + q->n - 1];

	if (pf != qf)
		return pf < qf ? -1 : 1;
	if (pl != ql)
		return pl < ql ? -1 : 1;
	return 0;
}

static int
tl_cmp_interval(const void *a, const void *b)
{
	const int64 *x = a;
	const int64 *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return (x[1] > y[1]) - (x[1] < y[1]);
}

/* Error for two finished summaries whose time ranges overlap. */
static void
tl_overlap_error(Timeline *tl, int64 at)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s values to combine overlap in time at %s", tl_type_name(tl->kind),
					timestamptz_to_str((TimestampTz) at)),
			 errdetail("Finished summaries keep only state changes, so summaries whose time ranges overlap cannot be merged exactly."),
			 errhint("Roll up summaries of disjoint time ranges (one per day, per hour, ...), or aggregate the probes together in one call.")));
}

/*
 * Bring a probe or state timeline to normal form: pending points sorted,
 * one per instant, as a raw piece merged with any raw piece overlapping it;
 * pieces sorted by time and checked not to overlap.  Heartbeat intervals are
 * sorted and merged where they overlap or touch.
 */
static void
tl_normalize(Timeline *tl)
{
	if (tl->normalized)
		return;
	if (tl->kind == TL_HEARTBEATS)
	{
		int64		out = 0;

		qsort(tl->iv, tl->niv, 2 * sizeof(int64), tl_cmp_interval);
		for (int64 i = 0; i < tl->niv; i++)
		{
			int64		lo = tl->iv[2 * i],
						hi = tl->iv[2 * i + 1];

			if (out > 0 && lo <= tl->iv[2 * out - 1])
				tl->iv[2 * out - 1] = Max(tl->iv[2 * out - 1], hi);
			else
			{
				tl->iv[2 * out] = lo;
				tl->iv[2 * out + 1] = hi;
				out++;
			}
		}
		tl->niv = out;
		tl->normalized = true;
		return;
	}

	tl_canonicalize(tl);

	/* Raw pieces go back to the pending points, so that they merge exactly. */
	if (tl->npieces > 0)
	{
		bool		any_raw = false;

		for (int i = 0; i < tl->npieces; i++)
			any_raw |= tl->pieces[i].raw;
		if (any_raw)
		{
			int			keep = 0;
			int64		npts = 0;
			int64	   *ts = tl->ts;
			uint8	   *st = tl->st;
			TlPiece    *old = tl->pieces;
			int			nold = tl->npieces;

			for (int i = 0; i < nold; i++)
				if (old[i].raw)
					for (int64 j = 0; j < old[i].n; j++)
						tl_add_pending(tl, ts[old[i].start + j], st[old[i].start + j]);
			/* compact the coalesced pieces in place */
			for (int i = 0; i < nold; i++)
			{
				if (old[i].raw)
					continue;
				memmove(ts + npts, ts + old[i].start, old[i].n * sizeof(int64));
				memmove(st + npts, st + old[i].start, old[i].n * sizeof(uint8));
				old[keep].start = npts;
				old[keep].n = old[i].n;
				old[keep].raw = false;
				npts += old[i].n;
				keep++;
			}
			tl->npieces = keep;
			tl->npts = npts;
		}
	}

	if (tl->npend > 0)
	{
		/* sort (time, state) pairs; keep the first point of each instant */
		int64	   *pairs = palloc_extended(tl->npend * 2 * sizeof(int64), MCXT_ALLOC_HUGE);
		int64	   *ts;
		uint8	   *st;
		int64		n = 0;

		for (int64 i = 0; i < tl->npend; i++)
		{
			pairs[2 * i] = tl->pts[i];
			pairs[2 * i + 1] = tl->pst[i];
		}
		qsort(pairs, tl->npend, 2 * sizeof(int64), tl_cmp_point);
		CHECK_FOR_INTERRUPTS();
		ts = palloc_extended(tl->npend * sizeof(int64), MCXT_ALLOC_HUGE);
		st = palloc_extended(tl->npend * sizeof(uint8), MCXT_ALLOC_HUGE);
		for (int64 i = 0; i < tl->npend; i++)
		{
			if (n > 0 && ts[n - 1] == pairs[2 * i])
				continue;
			ts[n] = pairs[2 * i];
			st[n] = (uint8) pairs[2 * i + 1];
			n++;
		}
		pfree(pairs);
		tl->npend = 0;
		tl_add_piece(tl, ts, st, n, true);
		pfree(ts);
		pfree(st);
	}

	/* sort the pieces and check that they do not overlap */
	if (tl->npieces > 1)
	{
		int			keep = 1;

		qsort_arg(tl->pieces, tl->npieces, sizeof(TlPiece), tl_cmp_piece_ptr, tl->ts);
		/* the same summary twice holds the same probes: keep one copy */
		for (int i = 1; i < tl->npieces; i++)
		{
			const TlPiece *p = &tl->pieces[keep - 1];
			const TlPiece *q = &tl->pieces[i];

			if (p->n == q->n && p->raw == q->raw &&
				memcmp(tl->ts + p->start, tl->ts + q->start, p->n * sizeof(int64)) == 0 &&
				memcmp(tl->st + p->start, tl->st + q->start, p->n) == 0)
				continue;
			tl->pieces[keep++] = *q;
		}
		tl->npieces = keep;
		for (int i = 1; i < tl->npieces; i++)
		{
			const TlPiece *p = &tl->pieces[i - 1];
			const TlPiece *q = &tl->pieces[i];
			int64		plast = tl->ts[p->start + p->n - 1];
			int64		qfirst = tl->ts[q->start];
			uint8		pstate = tl->st[p->start + p->n - 1];
			uint8		qstate = tl->st[q->start];

			/*
			 * Overlap is inexact.  Touching at one instant is exact unless the
			 * earlier piece's state wins the tie there against a later
			 * coalesced piece, whose dropped probes would then be needed.
			 */
			if (qfirst < plast ||
				(qfirst == plast && pstate < qstate && !q->raw && q->n > 1))
				tl_overlap_error(tl, qfirst);
		}
	}
	tl->normalized = true;
}

/*
 * Fuse all pieces into one sequence of points (ts, st): time order, one
 * point per instant (the smaller state id at a shared instant), and, when
 * coalesce, only state changes and the last point.
 */
static int64
tl_fuse(Timeline *tl, int64 **ts_out, uint8 **st_out, bool coalesce)
{
	int64	   *ts;
	uint8	   *st;
	int64		n = 0;

	tl_normalize(tl);
	ts = palloc_extended(Max(tl->npts, 1) * sizeof(int64), MCXT_ALLOC_HUGE);
	st = palloc_extended(Max(tl->npts, 1) * sizeof(uint8), MCXT_ALLOC_HUGE);
	for (int i = 0; i < tl->npieces; i++)
	{
		const TlPiece *p = &tl->pieces[i];

		for (int64 j = 0; j < p->n; j++)
		{
			int64		t = tl->ts[p->start + j];
			uint8		s = tl->st[p->start + j];

			if (n > 0 && ts[n - 1] == t)
			{
				st[n - 1] = Min(st[n - 1], s);
				continue;
			}
			ts[n] = t;
			st[n] = s;
			n++;
		}
	}
	if (coalesce && n > 2)
	{
		int64		m = 1;

		for (int64 i = 1; i < n; i++)
		{
			if (i == n - 1 || st[i] != st[m - 1])
			{
				ts[m] = ts[i];
				st[m] = st[i];
				m++;
			}
		}
		n = m;
	}
	*ts_out = ts;
	*st_out = st;
	return n;
}

/*
 * The finished form of tl as a new timeline: one coalesced piece of the fused
 * points (heartbeats: the normalized intervals).  tl itself keeps its
 * pieces, so an aggregate may go on adding to it (window frames).
 */
static Timeline *
tl_finish(Timeline *tl)
{
	Timeline   *out = palloc(sizeof(Timeline));
	int64	   *ts;
	uint8	   *st;
	int64		n;

	tl_normalize(tl);
	if (tl->kind == TL_HEARTBEATS)
		return tl;
	tl_init(out, tl->kind, CurrentMemoryContext);
	if (tl->kind == TL_STATES)
	{
		out->nstates = tl->nstates;
		out->names = tl->names;
	}
	n = tl_fuse(tl, &ts, &st, true);
	if (n > 0)
		tl_add_piece(out, ts, st, n, false);
	out->normalized = true;
	return out;
}

/* True if the timeline holds nothing. */
static inline bool
tl_empty(const Timeline *tl)
{
	if (tl->kind == TL_HEARTBEATS)
		return tl->niv == 0;
	return tl->npts == 0 && tl->npend == 0;
}

/* ---------- binary form (also the flat on-disk form) ---------- */

/* Size of the binary form of a normalized timeline. */
static Size
tl_binary_size(Timeline *tl)
{
	Size		size = 2;

	tl_normalize(tl);
	if (tl->kind == TL_HEARTBEATS)
		return size + 16 + 8 + (Size) tl->niv * 16;
	if (tl->kind == TL_STATES)
	{
		size += 8;
		for (int i = 0; i < tl->nstates; i++)
			size += 8 + strlen(tl->names[i]);
	}
	/* count the pieces' points: a dropped duplicate piece leaves its points unused */
	size += 8 + (Size) tl->npieces * 9;
	for (int i = 0; i < tl->npieces; i++)
		size += (Size) tl->pieces[i].n * 9;
	if (size > KPI_MAX_SUMMARY_BYTES - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too large", tl_type_name(tl->kind)),
				 errdetail("Its stored form would take %zu bytes.", size),
				 errhint("Aggregate fewer rows per group, e.g. one summary per day, and combine them with rollup().")));
	return size;
}

static inline char *
tl_put_int64(char *p, int64 v)
{
	uint64		u = (uint64) v;

	for (int i = 7; i >= 0; i--)
	{
		p[i] = (char) (u & 0xFF);
		u >>= 8;
	}
	return p + 8;
}

/* Write the binary form (network byte order) of a normalized timeline into p. */
static void
tl_binary_write(Timeline *tl, char *p)
{
	*p++ = KPI_BINARY_VERSION;
	*p++ = (char) tl->kind;
	if (tl->kind == TL_HEARTBEATS)
	{
		p = tl_put_int64(p, tl->known_lo);
		p = tl_put_int64(p, tl->known_hi);
		p = tl_put_int64(p, tl->niv);
		for (int64 i = 0; i < 2 * tl->niv; i++)
			p = tl_put_int64(p, tl->iv[i]);
		return;
	}
	if (tl->kind == TL_STATES)
	{
		p = tl_put_int64(p, tl->nstates);
		for (int i = 0; i < tl->nstates; i++)
		{
			size_t		len = strlen(tl->names[i]);

			p = tl_put_int64(p, (int64) len);
			memcpy(p, tl->names[i], len);
			p += len;
		}
	}
	p = tl_put_int64(p, tl->npieces);
	for (int i = 0; i < tl->npieces; i++)
	{
		const TlPiece *pc = &tl->pieces[i];

		*p++ = pc->raw ? 1 : 0;
		p = tl_put_int64(p, pc->n);
		for (int64 j = 0; j < pc->n; j++)
		{
			p = tl_put_int64(p, tl->ts[pc->start + j]);
			*p++ = (char) tl->st[pc->start + j];
		}
	}
}

/* A count field of the binary form, checked against what is left to read. */
static int64
tl_recv_count(StringInfo buf, const char *type_name, int64 bytes_each, int64 max)
{
	int64		n = kpi_recv_int64(buf, type_name);

	if (n < 0 || n > max || (bytes_each > 0 && n > (buf->len - buf->cursor) / bytes_each))
		kpi_binary_invalid(type_name, "A count (%lld) does not fit the data.", (long long) n);
	return n;
}

/* A timestamp field of the binary form: finite and in PostgreSQL's range. */
static int64
tl_recv_ts(StringInfo buf, const char *type_name)
{
	int64		t = kpi_recv_int64(buf, type_name);

	if (!IS_VALID_TIMESTAMP(t))
		kpi_binary_invalid(type_name, "A timestamp is out of range.");
	return t;
}

/* Check one piece's points: increasing times, valid ids, coalesced = only changes. */
static const char *
tl_piece_problem(const int64 *ts, const uint8 *st, int64 n, bool raw, int nstates)
{
	for (int64 j = 0; j < n; j++)
	{
		if (st[j] >= nstates)
			return "A probe has an unknown state.";
		if (j > 0 && ts[j] <= ts[j - 1])
			return "Probe times within a piece must increase strictly.";
		if (!raw && j > 0 && j < n - 1 && st[j] == st[j - 1])
			return "A coalesced piece must hold only state changes and its last probe.";
	}
	return NULL;
}

/* Read and validate a binary timeline of the expected type into tl. */
static void
tl_binary_read(Timeline *tl, StringInfo buf, bool states_type)
{
	const char *type_name = states_type ? STATE_NAME : UPTIME_NAME;
	int			kind;

	kpi_recv_version(buf, type_name);
	kind = kpi_recv_uint8(buf, type_name);
	if (states_type ? kind != TL_STATES : (kind != TL_PROBES && kind != TL_HEARTBEATS))
		kpi_binary_invalid(type_name, "Unknown summary kind %d.", kind);
	tl_init(tl, kind, CurrentMemoryContext);
	if (kind == TL_HEARTBEATS)
	{
		int64		n;
		int64		prev_hi = 0;

		tl->known_lo = tl_recv_ts(buf, type_name);
		tl->known_hi = tl_recv_ts(buf, type_name);
		n = tl_recv_count(buf, type_name, 16, PG_INT64_MAX);
		if (n == 0 || tl->known_lo >= tl->known_hi)
			kpi_binary_invalid(type_name, "A heartbeat summary needs at least one interval and a non-empty known range.");
		tl->iv = palloc_extended(n * 16, MCXT_ALLOC_HUGE);
		tl->capiv = n * 2;
		for (int64 i = 0; i < n; i++)
		{
			int64		lo = tl_recv_ts(buf, type_name);
			int64		hi = tl_recv_ts(buf, type_name);

			CHECK_FOR_INTERRUPTS();
			if (lo >= hi || lo < tl->known_lo || hi > tl->known_hi || (i > 0 && lo <= prev_hi))
				kpi_binary_invalid(type_name, "Up intervals must be non-empty, sorted, separated and within the known range.");
			if ((i == 0 && lo != tl->known_lo) || (i == n - 1 && hi != tl->known_hi))
				kpi_binary_invalid(type_name, "The known range must start at the first heartbeat and end with the last interval.");
			tl->iv[2 * i] = lo;
			tl->iv[2 * i + 1] = hi;
			prev_hi = hi;
		}
		tl->niv = n;
		kpi_recv_end(buf, type_name);
		return;
	}
	if (kind == TL_STATES)
	{
		int64		ns = tl_recv_count(buf, type_name, 8, TL_MAX_STATES);

		tl->names = palloc(TL_MAX_STATES * sizeof(char *));
		for (int64 i = 0; i < ns; i++)
		{
			int64		len = tl_recv_count(buf, type_name, 1, MaxAllocSize);
			char	   *name = palloc(len + 1);

			memcpy(name, buf->data + buf->cursor, len);
			name[len] = '\0';
			buf->cursor += len;
			if (strlen(name) != (size_t) len || !pg_verifymbstr(name, len, true))
				kpi_binary_invalid(type_name, "A state name is not valid text.");
			if (i > 0 && strcmp(tl->names[i - 1], name) >= 0)
				kpi_binary_invalid(type_name, "State names must be distinct and sorted.");
			tl->names[i] = name;
		}
		tl->nstates = (int) ns;
	}
	{
		int64		np = tl_recv_count(buf, type_name, 18, INT_MAX);

		if (np == 0)
			kpi_binary_invalid(type_name, "A summary holds at least one probe.");
		for (int64 i = 0; i < np; i++)
		{
			int			raw = kpi_recv_uint8(buf, type_name);
			int64		n = tl_recv_count(buf, type_name, 9, PG_INT64_MAX);
			int64	   *ts;
			uint8	   *st;
			const char *problem;

			if (raw > 1 || n == 0)
				kpi_binary_invalid(type_name, "A piece must be raw (1) or coalesced (0) and hold a probe.");
			ts = palloc_extended(n * sizeof(int64), MCXT_ALLOC_HUGE);
			st = palloc_extended(n, MCXT_ALLOC_HUGE);
			for (int64 j = 0; j < n; j++)
			{
				CHECK_FOR_INTERRUPTS();
				ts[j] = tl_recv_ts(buf, type_name);
				st[j] = (uint8) kpi_recv_uint8(buf, type_name);
			}
			problem = tl_piece_problem(ts, st, n, raw == 1, tl->nstates);
			if (problem)
				kpi_binary_invalid(type_name, "%s", problem);
			tl_add_piece(tl, ts, st, n, raw == 1);
			pfree(ts);
			pfree(st);
		}
	}
	kpi_recv_end(buf, type_name);
	/* the pieces must be mergeable: same checks as when combining */
	tl_normalize(tl);
}

/* ---------- expanded objects and datums ---------- */

static Size
tl_get_flat_size(ExpandedObjectHeader *eohptr)
{
	return VARHDRSZ + tl_binary_size(&((TlExpanded *) eohptr)->tl);
}

static void
tl_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	Timeline   *tl = &((TlExpanded *) eohptr)->tl;

	Assert(allocated_size == VARHDRSZ + tl_binary_size(tl));
	SET_VARSIZE(result, allocated_size);
	tl_binary_write(tl, VARDATA(result));
}

/* A new, empty expanded timeline in a child context of parent. */
static TlExpanded *
tl_expanded_new(MemoryContext parent, int kind)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "uptime_summary", ALLOCSET_DEFAULT_SIZES);
	TlExpanded *e = MemoryContextAlloc(cxt, sizeof(TlExpanded));

	EOH_init_header(&e->hdr, &tl_methods, cxt);
	tl_init(&e->tl, kind, cxt);
	return e;
}

/* The timeline of a datum (expanded: the object itself; flat: parsed). */
static Timeline *
tl_read(Datum d, bool states_type)
{
	struct varlena *v;
	StringInfoData buf;
	Timeline   *tl;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods != &tl_methods)
			elog(ERROR, "expanded object is not a timeline summary");
		return &((TlExpanded *) eoh)->tl;
	}
	v = PG_DETOAST_DATUM(d);
	buf.data = VARDATA(v);
	buf.len = VARSIZE(v) - VARHDRSZ;
	buf.cursor = 0;
	buf.maxlen = buf.len;
	tl = palloc(sizeof(Timeline));
	tl_binary_read(tl, &buf, states_type);
	return tl;
}

/* Copy src's content into the empty timeline dst (in dst's context). */
static void
tl_merge(Timeline *dst, Timeline *src);

/*
 * The state a transition or combine function may change: this aggregate's
 * own read-write expanded object, or else a new expanded copy of argument
 * argno (NULL for a NULL argument).  Outside an aggregate the copy lives in
 * the current context, so a caller's value is never modified.
 */
static TlExpanded *
tl_state_for_update(FunctionCallInfo fcinfo, int argno, bool states_type)
{
	MemoryContext aggcxt;
	Datum		d;
	Timeline   *src;
	TlExpanded *e;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		aggcxt = NULL;
	if (PG_ARGISNULL(argno))
		return NULL;
	d = PG_GETARG_DATUM(argno);
	if (aggcxt != NULL && argno == 0 && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &tl_methods &&
			MemoryContextGetParent(eoh->eoh_context) == aggcxt)
			return (TlExpanded *) eoh;
	}
	src = tl_read(d, states_type);
	e = tl_expanded_new(aggcxt ? aggcxt : CurrentMemoryContext, src->kind);
	tl_merge(&e->tl, src);
	return e;
}

/* The state for this row: the existing one or a new one of kind. */
static TlExpanded *
tl_state_or_new(FunctionCallInfo fcinfo, int kind)
{
	TlExpanded *e = tl_state_for_update(fcinfo, 0, kind == TL_STATES);
	MemoryContext aggcxt;

	if (e != NULL)
	{
		if (e->tl.kind != kind)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot add %s to an uptime_summary built from %s",
							kind == TL_PROBES ? "probes" : "heartbeats",
							kind == TL_PROBES ? "heartbeats" : "probes")));
		return e;
	}
	if (!AggCheckCallContext(fcinfo, &aggcxt))
		aggcxt = CurrentMemoryContext;
	return tl_expanded_new(aggcxt, kind);
}

#define TL_RETURN_STATE(e) PG_RETURN_DATUM(EOHPGetRWDatum(&(e)->hdr))

/* Add everything src holds to dst (same type; kinds must agree). */
static void
tl_merge(Timeline *dst, Timeline *src)
{
	if (dst->kind != src->kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine an uptime_summary built from probes with one built from heartbeats"),
				 errhint("Build both with uptime_agg() or both with heartbeat_agg().")));
	if (dst->kind == TL_HEARTBEATS)
	{
		for (int64 i = 0; i < src->niv; i++)
			tl_add_interval(dst, src->iv[2 * i], src->iv[2 * i + 1]);
		if (src->niv > 0)
		{
			dst->known_lo = Min(dst->known_lo, src->known_lo);
			dst->known_hi = Max(dst->known_hi, src->known_hi);
		}
		return;
	}
	{
		uint8		map[TL_MAX_STATES];

		if (dst->kind == TL_STATES)
			for (int i = 0; i < src->nstates; i++)
				map[i] = (uint8) tl_state_id(dst, src->names[i], strlen(src->names[i]));
		else
			for (int i = 0; i < 2; i++)
				map[i] = (uint8) i;
		for (int64 i = 0; i < src->npend; i++)
			tl_add_pending(dst, src->pts[i], map[src->pst[i]]);
		for (int i = 0; i < src->npieces; i++)
		{
			const TlPiece *p = &src->pieces[i];
			uint8	   *st = palloc_extended(p->n, MCXT_ALLOC_HUGE);

			for (int64 j = 0; j < p->n; j++)
				st[j] = map[src->st[p->start + j]];
			tl_add_piece(dst, src->ts + p->start, st, p->n, p->raw);
			pfree(st);
		}
	}
}

/* ---------- timestamps in the text form ---------- */

/* Append ts as YYYY-MM-DDTHH:MM:SS[.ffffff]Z (UTC, independent of settings). */
static void
tl_append_ts(StringInfo buf, int64 ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm((Timestamp) ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "timestamp out of range");
	/* astronomical year numbering (0 is 1 BC), at least 4 digits */
	appendStringInfo(buf, "%s%04d-%02d-%02dT%02d:%02d:%02d",
					 tm.tm_year < 0 ? "-" : "", abs(tm.tm_year), tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (fsec != 0)
	{
		char		frac[8];
		int			len;

		snprintf(frac, sizeof(frac), "%06d", (int) fsec);
		len = 6;
		while (len > 1 && frac[len - 1] == '0')
			len--;
		appendStringInfo(buf, ".%.*s", len, frac);
	}
	appendStringInfoChar(buf, 'Z');
}

/* Read a run of exactly (or, if !exact, at least) ndigits digits as an int. */
static int
tl_text_digits(KpiTextCursor *cur, int ndigits, bool exact)
{
	int			v = 0;
	int			n = 0;

	while (isdigit((unsigned char) *cur->pos) && (n < ndigits || (!exact && n < 9)))
	{
		v = v * 10 + (*cur->pos - '0');
		cur->pos++;
		n++;
	}
	if (n < ndigits)
		kpi_text_invalid(cur, "Expected a timestamp like 2026-01-31T23:59:59Z at character %d.",
						 (int) (cur->pos - cur->input) + 1);
	return v;
}

/* Read a timestamp written by tl_append_ts. */
static int64
tl_text_ts(KpiTextCursor *cur)
{
	struct pg_tm tm;
	fsec_t		fsec = 0;
	Timestamp	ts;
	bool		neg = false;

	while (isspace((unsigned char) *cur->pos))
		cur->pos++;
	memset(&tm, 0, sizeof(tm));
	if (*cur->pos == '-')
	{
		neg = true;
		cur->pos++;
	}
	tm.tm_year = tl_text_digits(cur, 4, false);
	if (neg)
		tm.tm_year = -tm.tm_year;
	kpi_text_expect_char(cur, '-');
	tm.tm_mon = tl_text_digits(cur, 2, true);
	kpi_text_expect_char(cur, '-');
	tm.tm_mday = tl_text_digits(cur, 2, true);
	kpi_text_expect_char(cur, 'T');
	tm.tm_hour = tl_text_digits(cur, 2, true);
	kpi_text_expect_char(cur, ':');
	tm.tm_min = tl_text_digits(cur, 2, true);
	kpi_text_expect_char(cur, ':');
	tm.tm_sec = tl_text_digits(cur, 2, true);
	if (*cur->pos == '.')
	{
		int			n = 0;

		cur->pos++;
		while (isdigit((unsigned char) *cur->pos) && n < 6)
		{
			fsec = fsec * 10 + (*cur->pos - '0');
			cur->pos++;
			n++;
		}
		if (n == 0 || isdigit((unsigned char) *cur->pos))
			kpi_text_invalid(cur, "A fraction of a second has 1 to 6 digits.");
		while (n++ < 6)
			fsec *= 10;
	}
	if (*cur->pos != 'Z')
		kpi_text_invalid(cur, "A timestamp must end with Z (UTC) at character %d.",
						 (int) (cur->pos - cur->input) + 1);
	cur->pos++;
	if (tm.tm_mon < 1 || tm.tm_mon > MONTHS_PER_YEAR || tm.tm_mday < 1 ||
		tm.tm_mday > day_tab[isleap(tm.tm_year)][tm.tm_mon - 1] ||
		tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59 ||
		tm2timestamp(&tm, fsec, NULL, &ts) != 0 || !IS_VALID_TIMESTAMP(ts))
		kpi_text_invalid(cur, "A timestamp is not a valid date and time.");
	return (int64) ts;
}

/* Append a state name in double quotes, escaping " and \. */
static void
tl_append_name(StringInfo buf, const char *name)
{
	appendStringInfoChar(buf, '"');
	for (const char *p = name; *p; p++)
	{
		if (*p == '"' || *p == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '"');
}

/* Read a double-quoted state name. */
static char *
tl_text_name(KpiTextCursor *cur)
{
	StringInfoData s;

	kpi_text_expect_char(cur, '"');
	initStringInfo(&s);
	for (;;)
	{
		char		c = *cur->pos;

		if (c == '\0')
			kpi_text_invalid(cur, "A state name is missing its closing quote.");
		cur->pos++;
		if (c == '"')
			break;
		if (c == '\\')
		{
			c = *cur->pos;
			if (c != '"' && c != '\\')
				kpi_text_invalid(cur, "Only \\\" and \\\\ may be escaped in a state name.");
			cur->pos++;
		}
		appendStringInfoChar(&s, c);
	}
	return s.data;
}

/* ---------- text form ---------- */

/* Text form of a (normalized) timeline. */
static char *
tl_to_text(Timeline *tl)
{
	StringInfoData buf;

	tl_normalize(tl);
	initStringInfo(&buf);
	if (tl->kind == TL_HEARTBEATS)
	{
		appendStringInfoString(&buf, "(kind=heartbeats,known=[");
		tl_append_ts(&buf, tl->known_lo);
		appendStringInfoChar(&buf, ',');
		tl_append_ts(&buf, tl->known_hi);
		appendStringInfoString(&buf, "),up={");
		for (int64 i = 0; i < tl->niv; i++)
		{
			CHECK_FOR_INTERRUPTS();
			appendStringInfoString(&buf, i > 0 ? ",[" : "[");
			tl_append_ts(&buf, tl->iv[2 * i]);
			appendStringInfoChar(&buf, ',');
			tl_append_ts(&buf, tl->iv[2 * i + 1]);
			appendStringInfoChar(&buf, ')');
		}
		appendStringInfoString(&buf, "})");
		return buf.data;
	}
	if (tl->kind == TL_PROBES)
		appendStringInfoString(&buf, "(kind=probes,pieces={");
	else
	{
		appendStringInfoString(&buf, "(states={");
		for (int i = 0; i < tl->nstates; i++)
		{
			if (i > 0)
				appendStringInfoChar(&buf, ',');
			tl_append_name(&buf, tl->names[i]);
		}
		appendStringInfoString(&buf, "},pieces={");
	}
	for (int i = 0; i < tl->npieces; i++)
	{
		const TlPiece *p = &tl->pieces[i];

		if (i > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoString(&buf, p->raw ? "raw[" : "[");
		for (int64 j = 0; j < p->n; j++)
		{
			CHECK_FOR_INTERRUPTS();
			if (j > 0)
				appendStringInfoChar(&buf, ',');
			tl_append_ts(&buf, tl->ts[p->start + j]);
			appendStringInfoChar(&buf, ' ');
			if (tl->kind == TL_PROBES)
				appendStringInfoString(&buf, tl->names[tl->st[p->start + j]]);
			else
				appendStringInfo(&buf, "%d", tl->st[p->start + j]);
		}
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoString(&buf, "})");
	return buf.data;
}

/* Parse the text form of an uptime_summary or a state_summary. */
static void
tl_from_text(Timeline *tl, const char *input, bool states_type)
{
	KpiTextCursor cur;
	const char *type_name = states_type ? STATE_NAME : UPTIME_NAME;
	int64	   *ts = NULL;
	uint8	   *st = NULL;
	int64		cap = 0;

	kpi_text_init(&cur, input, type_name);
	kpi_text_expect_char(&cur, '(');
	if (!states_type)
	{
		kpi_text_expect_key(&cur, "kind");
		while (isspace((unsigned char) *cur.pos))
			cur.pos++;
		if (strncmp(cur.pos, "heartbeats", 10) == 0)
		{
			int64		n = 0;

			cur.pos += 10;
			kpi_text_expect_char(&cur, ',');
			tl_init(tl, TL_HEARTBEATS, CurrentMemoryContext);
			kpi_text_expect_key(&cur, "known");
			kpi_text_expect_char(&cur, '[');
			tl->known_lo = tl_text_ts(&cur);
			kpi_text_expect_char(&cur, ',');
			tl->known_hi = tl_text_ts(&cur);
			kpi_text_expect_char(&cur, ')');
			kpi_text_expect_char(&cur, ',');
			kpi_text_expect_key(&cur, "up");
			kpi_text_expect_char(&cur, '{');
			do
			{
				int64		lo,
							hi;

				CHECK_FOR_INTERRUPTS();
				kpi_text_expect_char(&cur, '[');
				lo = tl_text_ts(&cur);
				kpi_text_expect_char(&cur, ',');
				hi = tl_text_ts(&cur);
				kpi_text_expect_char(&cur, ')');
				if (lo >= hi || lo < tl->known_lo || hi > tl->known_hi ||
					(n > 0 && lo <= tl->iv[2 * n - 1]) || (n == 0 && lo != tl->known_lo))
					kpi_text_invalid(&cur, "Up intervals must be non-empty, sorted, separated and within the known range, the first starting it.");
				tl_reserve(tl->cxt, (void **) &tl->iv, &tl->capiv, 2 * n, 2, sizeof(int64), type_name);
				tl->iv[2 * n] = lo;
				tl->iv[2 * n + 1] = hi;
				n++;
				while (isspace((unsigned char) *cur.pos))
					cur.pos++;
			} while (*cur.pos == ',' && cur.pos++);
			kpi_text_expect_char(&cur, '}');
			kpi_text_expect_char(&cur, ')');
			kpi_text_expect_end(&cur);
			if (tl->iv[2 * n - 1] != tl->known_hi)
				kpi_text_invalid(&cur, "The known range must end with the last up interval.");
			tl->niv = n;
			return;
		}
		if (strncmp(cur.pos, "probes", 6) != 0)
			kpi_text_invalid(&cur, "Field \"kind\" must be probes or heartbeats.");
		cur.pos += 6;
		kpi_text_expect_char(&cur, ',');
		tl_init(tl, TL_PROBES, CurrentMemoryContext);
	}
	else
	{
		tl_init(tl, TL_STATES, CurrentMemoryContext);
		tl->names = palloc(TL_MAX_STATES * sizeof(char *));
		kpi_text_expect_key(&cur, "states");
		kpi_text_expect_char(&cur, '{');
		while (isspace((unsigned char) *cur.pos))
			cur.pos++;
		if (*cur.pos != '}')
		{
			do
			{
				char	   *name = tl_text_name(&cur);

				if (tl->nstates >= TL_MAX_STATES)
					kpi_text_invalid(&cur, "A state_summary holds at most %d states.", TL_MAX_STATES);
				if (tl->nstates > 0 && strcmp(tl->names[tl->nstates - 1], name) >= 0)
					kpi_text_invalid(&cur, "State names must be distinct and sorted.");
				tl->names[tl->nstates++] = name;
				while (isspace((unsigned char) *cur.pos))
					cur.pos++;
			} while (*cur.pos == ',' && cur.pos++);
		}
		kpi_text_expect_char(&cur, '}');
		kpi_text_expect_char(&cur, ',');
	}
	kpi_text_expect_key(&cur, "pieces");
	kpi_text_expect_char(&cur, '{');
	do
	{
		bool		raw = false;
		int64		n = 0;
		const char *problem;

		while (isspace((unsigned char) *cur.pos))
			cur.pos++;
		if (strncmp(cur.pos, "raw", 3) == 0)
		{
			raw = true;
			cur.pos += 3;
		}
		kpi_text_expect_char(&cur, '[');
		do
		{
			int			s;

			CHECK_FOR_INTERRUPTS();
			tl_reserve(CurrentMemoryContext, (void **) &ts, &cap, n, 1, sizeof(int64), type_name);
			if (st == NULL)
				st = palloc(cap);
			else
				st = repalloc(st, cap);
			ts[n] = tl_text_ts(&cur);
			if (*cur.pos != ' ')
				kpi_text_invalid(&cur, "Expected a blank and a state after a probe time at character %d.",
								 (int) (cur.pos - cur.input) + 1);
			cur.pos++;
			if (!states_type)
			{
				if (strncmp(cur.pos, "up", 2) == 0)
				{
					s = 1;
					cur.pos += 2;
				}
				else if (strncmp(cur.pos, "down", 4) == 0)
				{
					s = 0;
					cur.pos += 4;
				}
				else
					kpi_text_invalid(&cur, "A probe's state must be up or down.");
			}
			else
			{
				int64		v = kpi_text_read_int64(&cur, "state");

				if (v < 0 || v >= tl->nstates)
					kpi_text_invalid(&cur, "State %lld is not one of the %d states listed.",
									 (long long) v, tl->nstates);
				s = (int) v;
			}
			st[n++] = (uint8) s;
			while (isspace((unsigned char) *cur.pos))
				cur.pos++;
		} while (*cur.pos == ',' && cur.pos++);
		kpi_text_expect_char(&cur, ']');
		problem = tl_piece_problem(ts, st, n, raw, tl->nstates);
		if (problem)
			kpi_text_invalid(&cur, "%s", problem);
		tl_add_piece(tl, ts, st, n, raw);
		while (isspace((unsigned char) *cur.pos))
			cur.pos++;
	} while (*cur.pos == ',' && cur.pos++);
	kpi_text_expect_char(&cur, '}');
	kpi_text_expect_char(&cur, ')');
	kpi_text_expect_end(&cur);
	tl_normalize(tl);
}

/* A flat datum of a timeline: a varlena holding its binary form (also the send output). */
static Datum
tl_flat_datum(Timeline *tl)
{
	Size		size = VARHDRSZ + tl_binary_size(tl);
	struct varlena *v = palloc_extended(size, MCXT_ALLOC_HUGE);

	SET_VARSIZE(v, size);
	tl_binary_write(tl, VARDATA(v));
	return PointerGetDatum(v);
}

/* ---------- I/O functions ---------- */

PG_FUNCTION_INFO_V1(uptime_summary_in);
Datum
uptime_summary_in(PG_FUNCTION_ARGS)
{
	Timeline	tl;

	tl_from_text(&tl, PG_GETARG_CSTRING(0), false);
	PG_RETURN_DATUM(tl_flat_datum(&tl));
}

PG_FUNCTION_INFO_V1(uptime_summary_out);
Datum
uptime_summary_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(tl_to_text(tl_read(PG_GETARG_DATUM(0), false)));
}

PG_FUNCTION_INFO_V1(uptime_summary_recv);
Datum
uptime_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	Timeline	tl;

	tl_binary_read(&tl, buf, false);
	PG_RETURN_DATUM(tl_flat_datum(&tl));
}

PG_FUNCTION_INFO_V1(uptime_summary_send);
Datum
uptime_summary_send(PG_FUNCTION_ARGS)
{
	/* the binary form is the flat form's payload, so the flat datum is the bytea */
	PG_RETURN_DATUM(tl_flat_datum(tl_read(PG_GETARG_DATUM(0), false)));
}

PG_FUNCTION_INFO_V1(state_summary_in);
Datum
state_summary_in(PG_FUNCTION_ARGS)
{
	Timeline	tl;

	tl_from_text(&tl, PG_GETARG_CSTRING(0), true);
	PG_RETURN_DATUM(tl_flat_datum(&tl));
}

PG_FUNCTION_INFO_V1(state_summary_out);
Datum
state_summary_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(tl_to_text(tl_read(PG_GETARG_DATUM(0), true)));
}

PG_FUNCTION_INFO_V1(state_summary_recv);
Datum
state_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	Timeline	tl;

	tl_binary_read(&tl, buf, true);
	PG_RETURN_DATUM(tl_flat_datum(&tl));
}

PG_FUNCTION_INFO_V1(state_summary_send);
Datum
state_summary_send(PG_FUNCTION_ARGS)
{
	/* the binary form is the flat form's payload, so the flat datum is the bytea */
	PG_RETURN_DATUM(tl_flat_datum(tl_read(PG_GETARG_DATUM(0), true)));
}

/* ---------- aggregates ---------- */

/* A probe or heartbeat time: finite. */
static int64
tl_check_ts(TimestampTz ts)
{
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp %s is not finite", timestamptz_to_str(ts)),
				 errdetail("Probe and heartbeat times must be finite.")));
	return (int64) ts;
}

/* Return the state argument unchanged (NULL stays NULL) for a skipped row. */
#define TL_RETURN_ARG0() \
	do { \
		if (PG_ARGISNULL(0)) PG_RETURN_NULL(); \
		PG_RETURN_DATUM(PG_GETARG_DATUM(0)); \
	} while (0)

/* Transition function of uptime_agg(ts, up). */
PG_FUNCTION_INFO_V1(uptime_accum);
Datum
uptime_accum(PG_FUNCTION_ARGS)
{
	TlExpanded *e;
	int64		ts;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		TL_RETURN_ARG0();
	ts = tl_check_ts(PG_GETARG_TIMESTAMPTZ(1));
	e = tl_state_or_new(fcinfo, TL_PROBES);
	tl_add_pending(&e->tl, ts, PG_GETARG_BOOL(2) ? 1 : 0);
	TL_RETURN_STATE(e);
}

/* Microseconds of a timeout interval (months of 30 days); must be positive. */
static int64
tl_timeout_usecs(const Interval *iv)
{
	int64		usecs;
	int64		days;

	if (pg_mul_s64_overflow((int64) iv->month * DAYS_PER_MONTH + iv->day, USECS_PER_DAY, &days) ||
		pg_add_s64_overflow(days, iv->time, &usecs))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("heartbeat timeout out of range")));
	if (usecs <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("heartbeat timeout %s must be positive",
						DatumGetCString(DirectFunctionCall1(interval_out, PointerGetDatum(iv)))),
				 errdetail("A heartbeat keeps the service up from its time until the timeout after it.")));
	return usecs;
}

/* Transition function of heartbeat_agg(ts, timeout). */
PG_FUNCTION_INFO_V1(heartbeat_accum);
Datum
heartbeat_accum(PG_FUNCTION_ARGS)
{
	TlExpanded *e;
	int64		ts;
	int64		hi;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		TL_RETURN_ARG0();
	ts = tl_check_ts(PG_GETARG_TIMESTAMPTZ(1));
	if (pg_add_s64_overflow(ts, tl_timeout_usecs(PG_GETARG_INTERVAL_P(2)), &hi) ||
		!IS_VALID_TIMESTAMP(hi))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range"),
				 errdetail("The heartbeat at %s plus its timeout is past the last timestamp PostgreSQL can store.",
						   timestamptz_to_str(ts))));
	e = tl_state_or_new(fcinfo, TL_HEARTBEATS);
	tl_add_interval(&e->tl, ts, hi);
	TL_RETURN_STATE(e);
}

/* Transition function of state_agg(ts, state). */
PG_FUNCTION_INFO_V1(state_accum);
Datum
state_accum(PG_FUNCTION_ARGS)
{
	TlExpanded *e;
	int64		ts;
	text	   *name;
	int			id;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		TL_RETURN_ARG0();
	ts = tl_check_ts(PG_GETARG_TIMESTAMPTZ(1));
	name = PG_GETARG_TEXT_PP(2);
	e = tl_state_or_new(fcinfo, TL_STATES);
	id = tl_state_id(&e->tl, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
	tl_add_pending(&e->tl, ts, id);
	TL_RETURN_STATE(e);
}

/* Combine function of every timeline aggregate, and rollup()'s transition. */
static Datum
tl_combine(FunctionCallInfo fcinfo, bool states_type)
{
	TlExpanded *e;

	if (PG_ARGISNULL(1))
		TL_RETURN_ARG0();
	e = tl_state_for_update(fcinfo, 0, states_type);
	if (e == NULL)
		e = tl_state_for_update(fcinfo, 1, states_type);
	else
		tl_merge(&e->tl, tl_read(PG_GETARG_DATUM(1), states_type));
	TL_RETURN_STATE(e);
}

PG_FUNCTION_INFO_V1(uptime_combine);
Datum
uptime_combine(PG_FUNCTION_ARGS)
{
	return tl_combine(fcinfo, false);
}

PG_FUNCTION_INFO_V1(state_combine);
Datum
state_combine(PG_FUNCTION_ARGS)
{
	return tl_combine(fcinfo, true);
}

/* Final function: the finished summary (one coalesced piece), or NULL if empty. */
static Datum
tl_final(FunctionCallInfo fcinfo, bool states_type)
{
	Timeline   *tl;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	tl = tl_read(PG_GETARG_DATUM(0), states_type);
	if (tl_empty(tl))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(tl_flat_datum(tl_finish(tl)));
}

PG_FUNCTION_INFO_V1(uptime_final);
Datum
uptime_final(PG_FUNCTION_ARGS)
{
	return tl_final(fcinfo, false);
}

PG_FUNCTION_INFO_V1(state_final);
Datum
state_final(PG_FUNCTION_ARGS)
{
	return tl_final(fcinfo, true);
}

/* ---------- accessors ---------- */

/* A window [lo, hi) of microseconds from a tstzrange (unbounded = infinite). */
typedef struct TlWindow
{
	int64		lo;
	int64		hi;
	bool		empty;
	bool		lo_inc;			/* bound inclusivity, for up_intervals() only */
	bool		hi_inc;
} TlWindow;

static TlWindow
tl_window(FunctionCallInfo fcinfo, int argno)
{
	TlWindow	w = {PG_INT64_MIN, PG_INT64_MAX, false, true, false};

	if (PG_NARGS() > argno)
	{
		RangeType  *r = PG_GETARG_RANGE_P(argno);
		TypeCacheEntry *typcache = range_get_typcache(fcinfo, RangeTypeGetOid(r));
		RangeBound	lower,
					upper;
		bool		empty;

		range_deserialize(typcache, r, &lower, &upper, &empty);
		if (empty)
			w.empty = true;
		else
		{
			if (!lower.infinite)
			{
				w.lo = DatumGetTimestampTz(lower.val);
				w.lo_inc = lower.inclusive;
			}
			if (!upper.infinite)
			{
				w.hi = DatumGetTimestampTz(upper.val);
				w.hi_inc = upper.inclusive;
			}
			if (w.lo >= w.hi)
				w.empty = true;
		}
	}
	return w;
}

/*
 * The segments of a timeline: consecutive [start, end) spans of known time
 * with a state id each (for heartbeats: 1 = up, 0 = down).
 */
typedef struct TlSegments
{
	int64		n;
	int64	   *start;
	int64	   *end;
	uint8	   *st;
} TlSegments;

static void
tl_segments(Timeline *tl, TlSegments *sg)
{
	if (tl->kind == TL_HEARTBEATS)
	{
		int64		k = 0;

		tl_normalize(tl);
		sg->start = palloc_extended(Max(2 * tl->niv, 1) * sizeof(int64), MCXT_ALLOC_HUGE);
		sg->end = palloc_extended(Max(2 * tl->niv, 1) * sizeof(int64), MCXT_ALLOC_HUGE);
		sg->st = palloc_extended(Max(2 * tl->niv, 1), MCXT_ALLOC_HUGE);
		for (int64 i = 0; i < tl->niv; i++)
		{
			if (i > 0)
			{
				sg->start[k] = tl->iv[2 * i - 1];
				sg->end[k] = tl->iv[2 * i];
				sg->st[k++] = 0;
			}
			sg->start[k] = tl->iv[2 * i];
			sg->end[k] = tl->iv[2 * i + 1];
			sg->st[k++] = 1;
		}
		sg->n = k;
	}
	else
	{
		int64	   *ts;
		uint8	   *st;
		int64		n = tl_fuse(tl, &ts, &st, true);

		/* segment i runs from point i to point i + 1 */
		sg->n = Max(n - 1, 0);
		sg->start = ts;
		sg->end = ts + 1;
		sg->st = st;
	}
}

/*
 * Length of segment i clipped to w (0 when outside).  Lengths are unsigned:
 * the span of all timestamps PostgreSQL can store does not fit an int64.
 */
static inline uint64
tl_clip(const TlSegments *sg, int64 i, const TlWindow *w)
{
	int64		lo = Max(sg->start[i], w->lo);
	int64		hi = Min(sg->end[i], w->hi);

	return hi > lo ? (uint64) hi - (uint64) lo : 0;
}

/* Known and matching time (state id want) within w. */
static void
tl_measure(Timeline *tl, const TlWindow *w, int want, uint64 *known, uint64 *match)
{
	TlSegments	sg;

	*known = 0;
	*match = 0;
	if (w->empty)
		return;
	tl_segments(tl, &sg);
	for (int64 i = 0; i < sg.n; i++)
	{
		uint64		len = tl_clip(&sg, i, w);

		*known += len;
		if (sg.st[i] == want)
			*match += len;
	}
}

/* An interval of usecs microseconds: days of 24 hours plus a time part. */
static Interval *
tl_interval(uint64 usecs)
{
	Interval   *iv = palloc(sizeof(Interval));

	iv->month = 0;
	iv->day = (int32) (usecs / USECS_PER_DAY);
	iv->time = (int64) (usecs % USECS_PER_DAY);
	return iv;
}

/*
 * Outages clipped to w: down segments of positive clipped length.  Finished
 * timelines alternate states, so each down segment is a whole outage.
 */
static void
tl_outages(Timeline *tl, const TlWindow *w, int64 *count, uint64 *total, uint64 *longest, uint64 *known)
{
	TlSegments	sg;

	*count = *total = *longest = *known = 0;
	if (w->empty)
		return;
	tl_segments(tl, &sg);
	for (int64 i = 0; i < sg.n; i++)
	{
		uint64		len = tl_clip(&sg, i, w);

		*known += len;
		if (sg.st[i] == 0 && len > 0)
		{
			(*count)++;
			*total += len;
			*longest = Max(*longest, len);
		}
	}
}

#define TL_GETARG(n) tl_read(PG_GETARG_DATUM(n), false)

/* uptime(s [, during]): share of known time that was up. */
PG_FUNCTION_INFO_V1(uptime_share);
Datum
uptime_share(PG_FUNCTION_ARGS)
{
	Timeline   *tl = TL_GETARG(0);
	TlWindow	w = tl_window(fcinfo, 1);
	uint64		known,
				up;

	tl_measure(tl, &w, 1, &known, &up);
	if (known == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) up / (double) known);
}

/* downtime(s [, during]): known time that was down. */
PG_FUNCTION_INFO_V1(uptime_downtime);
Datum
uptime_downtime(PG_FUNCTION_ARGS)
{
	Timeline   *tl = TL_GETARG(0);
	TlWindow	w = tl_window(fcinfo, 1);
	uint64		known,
				up;

	tl_measure(tl, &w, 1, &known, &up);
	if (known == 0)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(tl_interval(known - up));
}

/* known_time(s [, during]): time covered by the summary. */
PG_FUNCTION_INFO_V1(uptime_known_time);
Datum
uptime_known_time(PG_FUNCTION_ARGS)
{
	Timeline   *tl = TL_GETARG(0);
	TlWindow	w = tl_window(fcinfo, 1);
	uint64		known,
				up;

	tl_measure(tl, &w, 1, &known, &up);
	PG_RETURN_INTERVAL_P(tl_interval(known));
}

/* outages(s [, during]): number of outages. */
PG_FUNCTION_INFO_V1(uptime_outages);
Datum
uptime_outages(PG_FUNCTION_ARGS)
{
	Timeline   *tl = TL_GETARG(0);
	TlWindow	w = tl_window(fcinfo, 1);
	int64		count;
	uint64		total,
				longest,
				known;

	tl_outages(tl, &w, &count, &total, &longest, &known);
	if (known == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(count);
}

/* mttr(s [, during]): mean outage length; NULL without outages. */
PG_FUNCTION_INFO_V1(uptime_mttr);
Datum
uptime_mttr(PG_FUNCTION_ARGS)
{
	Timeline   *tl = TL_GETARG(0);
	TlWindow	w = tl_window(fcinfo, 1);
	int64		count;
	uint64		total,
				longest,
				known;

	tl_outages(tl, &w, &count, &total, &longest, &known);
	if (count == 0)
		PG_RETURN_NULL();
	/* round half away from zero to the microsecond */
	PG_RETURN_INTERVAL_P(tl_interval((total + (uint64) count / 2) / (uint64) count));
}

/* longest_outage(s [, during]): the longest outage; 0 without outages. */
PG_FUNCTION_INFO_V1(uptime_longest_outage);
Datum
uptime_longest_outage(PG_FUNCTION_ARGS)
{
	Timeline   *tl = TL_GETARG(0);
	TlWindow	w = tl_window(fcinfo, 1);
	int64		count;
	uint64		total,
				longest,
				known;

	tl_outages(tl, &w, &count, &total, &longest, &known);
	if (known == 0)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(tl_interval(longest));
}

/* up_intervals(s [, during]): the up time as ranges, clipped to during. */
PG_FUNCTION_INFO_V1(uptime_up_intervals);
Datum
uptime_up_intervals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Timeline   *tl = TL_GETARG(0);
	TlWindow	w = tl_window(fcinfo, 1);
	TypeCacheEntry *typcache;
	TlSegments	sg;
	int64		run_lo = 0,
				run_hi = 0;
	bool		run_lo_inc = true,
				run_hi_inc = false;
	bool		in_run = false;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (w.empty)
		return (Datum) 0;
	typcache = lookup_type_cache(TSTZRANGEOID, TYPECACHE_RANGE_INFO);
	tl_segments(tl, &sg);
	for (int64 i = 0; i <= sg.n; i++)
	{
		int64		lo = 0,
					hi = 0;
		bool		up = false;

		if (i < sg.n && sg.st[i] == 1)
		{
			lo = Max(sg.start[i], w.lo);
			hi = Min(sg.end[i], w.hi);
			up = hi > lo;
		}
		if (up && in_run && lo == run_hi)
		{
			run_hi = hi;
			run_hi_inc = sg.end[i] > w.hi && w.hi_inc;
			continue;
		}
		if (in_run)
		{
			RangeBound	lower = {TimestampTzGetDatum(run_lo), false, run_lo_inc, true};
			RangeBound	upper = {TimestampTzGetDatum(run_hi), false, run_hi_inc, false};
			Datum		values[1];
			bool		nulls[1] = {false};

			values[0] = RangeTypePGetDatum(make_range(typcache, &lower, &upper, false));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			in_run = false;
		}
		if (up)
		{
			/* a bound cut by during takes during's inclusivity */
			run_lo = lo;
			run_lo_inc = sg.start[i] >= w.lo ? (sg.start[i] > w.lo || w.lo_inc) : w.lo_inc;
			run_hi = hi;
			run_hi_inc = sg.end[i] > w.hi && w.hi_inc;
			in_run = true;
		}
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return (Datum) 0;
}

/* The id of state name in tl, or -1. */
static int
tl_find_state(Timeline *tl, text *name)
{
	const char *s = VARDATA_ANY(name);
	int			len = VARSIZE_ANY_EXHDR(name);

	tl_canonicalize(tl);
	for (int i = 0; i < tl->nstates; i++)
		if (strlen(tl->names[i]) == (size_t) len && memcmp(tl->names[i], s, len) == 0)
			return i;
	return -1;
}

/* duration_in(s, state [, during]): time spent in state. */
PG_FUNCTION_INFO_V1(state_duration_in);
Datum
state_duration_in(PG_FUNCTION_ARGS)
{
	Timeline   *tl = tl_read(PG_GETARG_DATUM(0), true);
	int			id = tl_find_state(tl, PG_GETARG_TEXT_PP(1));
	TlWindow	w = tl_window(fcinfo, 2);
	uint64		known,
				match;

	tl_measure(tl, &w, id, &known, &match);
	if (known == 0)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(tl_interval(match));
}

/* state_share(s, state [, during]): share of known time spent in state. */
PG_FUNCTION_INFO_V1(state_share);
Datum
state_share(PG_FUNCTION_ARGS)
{
	Timeline   *tl = tl_read(PG_GETARG_DATUM(0), true);
	int			id = tl_find_state(tl, PG_GETARG_TEXT_PP(1));
	TlWindow	w = tl_window(fcinfo, 2);
	uint64		known,
				match;

	tl_measure(tl, &w, id, &known, &match);
	if (known == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) match / (double) known);
}

/* states(s): the state names a summary knows, sorted. */
PG_FUNCTION_INFO_V1(state_names);
Datum
state_names(PG_FUNCTION_ARGS)
{
	Timeline   *tl = tl_read(PG_GETARG_DATUM(0), true);
	Datum	   *elems;

	tl_canonicalize(tl);
	if (tl->nstates == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	elems = palloc(tl->nstates * sizeof(Datum));
	for (int i = 0; i < tl->nstates; i++)
		elems[i] = CStringGetTextDatum(tl->names[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, tl->nstates, TEXTOID, -1, false, TYPALIGN_INT));
}
