/*
 * session.c
 *		Sessions: the window function session_number(ts, idle), which numbers
 *		a user's sessions along an ordered partition, starting a new session
 *		whenever the gap to the previous row exceeds the idle interval.
 */
#include "pg_kpi.h"

#include "datatype/timestamp.h"
#include "utils/timestamp.h"
#include "windowapi.h"

#ifndef HAVE_INT128
#error "session.c needs a 128-bit integer type"
#endif

/* Per-partition state of session_number. */
typedef struct SessionState
{
	bool		have_prev;		/* a non-NULL ts was seen in this partition */
	TimestampTz prev;			/* the previous non-NULL ts */
	int64		session;		/* current session number */
} SessionState;

/* An interval as microseconds, months as 30 days and days as 24 hours (as interval_cmp does). */
static inline int128
session_interval_usecs(const Interval *iv)
{
	return (int128) iv->month * DAYS_PER_MONTH * USECS_PER_DAY +
		(int128) iv->day * USECS_PER_DAY + iv->time;
}

/*
 * session_number(ts, idle) OVER (PARTITION BY user ORDER BY ts): 1 for the
 * first row, +1 whenever the gap to the previous row exceeds idle.  Rows
 * with a NULL ts (or a NULL idle) get NULL and do not break a session.
 */
PG_FUNCTION_INFO_V1(session_number);
Datum
session_number(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	SessionState *st = WinGetPartitionLocalMemory(winobj, sizeof(SessionState));
	bool		ts_null,
				idle_null;
	TimestampTz ts = DatumGetTimestampTz(WinGetFuncArgCurrent(winobj, 0, &ts_null));
	Datum		idle_datum = WinGetFuncArgCurrent(winobj, 1, &idle_null);
	Interval   *idle;
	int128		idle_us;

	/* Rows before the current one are never needed again. */
	WinSetMarkPosition(winobj, WinGetCurrentPosition(winobj));
	if (ts_null || idle_null)
		PG_RETURN_NULL();
	idle = DatumGetIntervalP(idle_datum);
	idle_us = session_interval_usecs(idle);
	if (idle_us < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("idle interval must not be negative"),
				 errdetail("session_number starts a new session when the gap to the previous row exceeds the idle interval.")));
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("session_number timestamp must be finite")));
	if (!st->have_prev)
	{
		st->have_prev = true;
		st->session = 1;
	}
	else
	{
		int128		gap = (int128) ts - (int128) st->prev;

		if (gap < 0)
		{
			char	   *prev_str = pstrdup(timestamptz_to_str(st->prev));

			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("session_number rows are out of timestamp order"),
					 errdetail("A row at %s follows a row at %s.",
							   timestamptz_to_str(ts), prev_str),
					 errhint("Add ORDER BY ts to the window: session_number(ts, idle) OVER (PARTITION BY user_id ORDER BY ts).")));
		}
		if (gap > idle_us)
			st->session++;
	}
	st->prev = ts;
	PG_RETURN_INT64(st->session);
}
