/*
 * privacy_activity.c
 *		Differentially private releases from a user_activity summary
 *		(issue 13 §2): active_users(s, epsilon, during) and
 *		dau_mau(s, epsilon, during).  The unit of privacy is one user: a
 *		summary holds each user once, so adding or removing a user (with all
 *		their days) is the neighbouring relation, whatever their number of
 *		events.  Noise comes from kpi_dp_noisy_count() (privacy.c); SQL in
 *		privacy.sql.  Written against the reading API of activity.h only.
 */
#include "activity.h"

/*
 * The users active in [lo, hi] and, when pairs is not NULL, their active
 * days within [lo, hi] summed over users (the user-day pairs).
 */
static void
dp_count_range(ActView *v, int64 lo, int64 hi, int64 *users, int64 *pairs)
{
	ActIter		it;

	*users = 0;
	if (pairs)
		*pairs = 0;
	act_iter_init(&it, v);
	while (act_iter_next(&it))
	{
		ActDays		dc;
		int32		day;

		if (!act_user_active(&it, lo, hi))
			continue;
		(*users)++;
		if (pairs == NULL)
			continue;
		act_days_init(&dc, &it);
		while (act_days_next(&dc, &day))
		{
			if (day > hi)
				break;
			if (day >= lo)
				(*pairs)++;
		}
	}
}

/*
 * active_users(s, epsilon, during): the users active on some day of during,
 * plus discrete Laplace noise of scale 1/epsilon (one user changes the count
 * by at most 1), clamped at 0.  during may be unbounded ('(,)' = every day).
 * NULL when the noisy count is under pg_kpi.min_group_size.
 */
PG_FUNCTION_INFO_V1(activity_active_users_dp);
Datum
activity_active_users_dp(PG_FUNCTION_ARGS)
{
	double		epsilon = PG_GETARG_FLOAT8(1);
	ActView		v;
	int64		lo,
				hi,
				users = 0,
				noisy;

	kpi_dp_check_epsilon(epsilon);
	act_view(PG_GETARG_DATUM(0), &v);
	if (act_range_days(PG_GETARG_DATUM(2), "during", true, &lo, &hi))
		dp_count_range(&v, lo, hi, &users, NULL);
	noisy = kpi_dp_clamp0(kpi_dp_noisy_count(users, epsilon, 1.0));
	KPI_SUPPRESS_SMALL_GROUP(noisy);
	PG_RETURN_INT64(noisy);
}

/*
 * dau_mau(s, epsilon, during): mean daily active users over the D calendar
 * days of during divided by the users active in during, from noisy counts.
 * Half the budget goes to the users U (sensitivity 1), half to the user-day
 * pairs P (one user adds at most D pairs: sensitivity D); the answer is
 * P' / (D * U'), clamped to [0, 1], NULL when U' <= 0 or U' is under
 * pg_kpi.min_group_size.  during must be finite and non-empty: D is public.
 */
PG_FUNCTION_INFO_V1(activity_dau_mau_dp);
Datum
activity_dau_mau_dp(PG_FUNCTION_ARGS)
{
	double		epsilon = PG_GETARG_FLOAT8(1);
	ActView		v;
	int64		lo,
				hi,
				ndays,
				users,
				pairs,
				noisy_users,
				noisy_pairs;
	double		result;

	kpi_dp_check_epsilon(epsilon);
	act_range_days(PG_GETARG_DATUM(2), "during", false, &lo, &hi);
	ndays = hi - lo + 1;
	act_view(PG_GETARG_DATUM(0), &v);
	dp_count_range(&v, lo, hi, &users, &pairs);
	noisy_users = kpi_dp_noisy_count(users, epsilon / 2.0, 1.0);
	noisy_pairs = kpi_dp_clamp0(kpi_dp_noisy_count(pairs, epsilon / 2.0, (double) ndays));
	if (noisy_users <= 0)
		PG_RETURN_NULL();
	KPI_SUPPRESS_SMALL_GROUP(noisy_users);
	result = (double) noisy_pairs / ((double) ndays * (double) noisy_users);
	PG_RETURN_FLOAT8(Min(1.0, result));
}
