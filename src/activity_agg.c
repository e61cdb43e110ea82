/*
 * activity_agg.c
 *		The aggregates of the activity family: activity_agg(), dau_mau() and
 *		retention_rate() over rows (transition functions for bigint, text and
 *		uuid ids by date or timestamptz), rollup() and the combine function,
 *		and the final functions that return the flat summary.
 */
#include "activity.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "datatype/timestamp.h"
#include "pgtime.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

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

/* Reject a calendar day outside the range of type date (it could not be read back). */
static inline int32
act_check_day(int64 day)
{
	if (unlikely(!IS_VALID_DATE(day)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("activity timestamp is out of range for type date"),
				 errdetail("Its calendar day in time zone \"%s\" falls outside the dates PostgreSQL can store (4714-11-24 BC to 5874897-12-31).",
						   pg_get_timezone_name(session_timezone))));
	return (int32) day;
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
	return act_check_day(d);
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
		return act_check_day(day);
	}
	if (timestamp2tm(ts, &tz, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return act_check_day((int64) date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE);
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
