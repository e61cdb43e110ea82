/*
 * nps.c
 *		Net Promoter Score: the nps_summary type (one count per score 0..10),
 *		the transition, inverse and combine functions behind nps() and
 *		nps_agg(), its accessors, the NPS confidence interval, and the
 *		differentially private nps(nps_summary, epsilon) (SQL in privacy.sql).
 */
#include "pg_kpi.h"

#include "catalog/pg_type.h"
#include "utils/array.h"

#define NPS_NSCORES 11
#define NPS_SUMMARY_NAME "nps_summary"
#define PG_GETARG_NPS_SUMMARY(n) ((NpsSummary *) PG_GETARG_POINTER(n))

/* nps_summary: a fixed-size, pass-by-reference vector of 11 counts. */
typedef struct NpsSummary
{
	int64		counts[NPS_NSCORES];	/* counts[s] = responses scoring s */
} NpsSummary;

static const char *const nps_keys[NPS_NSCORES] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"
};

/* Response counts by class, derived from a summary. */
typedef struct NpsTotals
{
	int64		detractors;		/* scores 0..6 */
	int64		passives;		/* scores 7..8 */
	int64		promoters;		/* scores 9..10 */
	int64		responses;
} NpsTotals;

/* Reject a score outside 0..10. */
static inline void
nps_check_score(int32 score)
{
	if (unlikely(score < 0 || score > 10))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("NPS score %d is out of range", score),
				 errdetail("Scores must be integers from 0 to 10.")));
}

/* Class totals of a summary; false if the total would overflow a 64-bit count. */
static inline bool
nps_totals(const NpsSummary *s, NpsTotals *t)
{
	int64		sums[3] = {0, 0, 0};

	for (int i = 0; i < NPS_NSCORES; i++)
	{
		int			class = (i <= 6) ? 0 : (i <= 8) ? 1 : 2;

		if (pg_add_s64_overflow(sums[class], s->counts[i], &sums[class]))
			return false;
	}
	t->detractors = sums[0];
	t->passives = sums[1];
	t->promoters = sums[2];
	return !pg_add_s64_overflow(sums[0], sums[1], &t->responses) &&
		!pg_add_s64_overflow(t->responses, sums[2], &t->responses);
}

/* Class totals of a summary built by this module (its total always fits). */
static inline NpsTotals
nps_totals_checked(const NpsSummary *s)
{
	NpsTotals	t;

	if (!nps_totals(s, &t))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("nps_summary response count out of range")));
	return t;
}

PG_FUNCTION_INFO_V1(nps_summary_in);
Datum
nps_summary_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	NpsSummary *result = palloc(sizeof(NpsSummary));
	NpsTotals	t;

	kpi_counts_parse(input, NPS_SUMMARY_NAME, nps_keys, NPS_NSCORES, result->counts);
	if (!nps_totals(result, &t))
		kpi_text_invalid_input(NPS_SUMMARY_NAME, input, "The total number of responses overflows a 64-bit count.");
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(nps_summary_out);
Datum
nps_summary_out(PG_FUNCTION_ARGS)
{
	NpsSummary *s = PG_GETARG_NPS_SUMMARY(0);

	PG_RETURN_CSTRING(kpi_counts_format(nps_keys, NPS_NSCORES, s->counts));
}

PG_FUNCTION_INFO_V1(nps_summary_recv);
Datum
nps_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	NpsSummary *result = palloc(sizeof(NpsSummary));
	NpsTotals	t;

	kpi_counts_recv(buf, NPS_SUMMARY_NAME, NPS_NSCORES, result->counts);
	if (!nps_totals(result, &t))
		kpi_binary_invalid(NPS_SUMMARY_NAME,
						   "The total number of responses overflows a 64-bit count.");
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(nps_summary_send);
Datum
nps_summary_send(PG_FUNCTION_ARGS)
{
	NpsSummary *s = PG_GETARG_NPS_SUMMARY(0);

	PG_RETURN_BYTEA_P(kpi_counts_send(s->counts, NPS_NSCORES));
}

/* Transition function of nps() and nps_agg(): count one score. */
PG_FUNCTION_INFO_V1(nps_accum);
Datum
nps_accum(PG_FUNCTION_ARGS)
{
	NpsSummary *state = kpi_fixed_state_for_update(fcinfo, sizeof(NpsSummary));
	int32		score = PG_GETARG_INT32(1);

	nps_check_score(score);
	if (unlikely(state->counts[score] == PG_INT64_MAX))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("nps_summary response count out of range")));
	state->counts[score]++;
	/* the total must stay a 64-bit count too, or the summary could not be read back */
	(void) nps_totals_checked(state);
	PG_RETURN_POINTER(state);
}

/* Inverse transition of nps() in a moving window frame: forget one score. */
PG_FUNCTION_INFO_V1(nps_discard);
Datum
nps_discard(PG_FUNCTION_ARGS)
{
	NpsSummary *state = kpi_fixed_state_for_update(fcinfo, sizeof(NpsSummary));
	int32		score = PG_GETARG_INT32(1);

	nps_check_score(score);
	if (state->counts[score] <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot remove score %d, which was never added to the nps_summary", score)));
	state->counts[score]--;
	PG_RETURN_POINTER(state);
}

/* Combine function and rollup(): add two summaries' counts. */
PG_FUNCTION_INFO_V1(nps_combine);
Datum
nps_combine(PG_FUNCTION_ARGS)
{
	NpsSummary *state = kpi_fixed_state_for_update(fcinfo, sizeof(NpsSummary));
	NpsSummary *other = PG_GETARG_NPS_SUMMARY(1);

	for (int i = 0; i < NPS_NSCORES; i++)
		state->counts[i] = kpi_add_count(state->counts[i], other->counts[i]);
	(void) nps_totals_checked(state);
	PG_RETURN_POINTER(state);
}

/* Final function of nps_agg(): the summary, or NULL when it holds no responses. */
PG_FUNCTION_INFO_V1(nps_agg_final);
Datum
nps_agg_final(PG_FUNCTION_ARGS)
{
	NpsSummary *s = PG_GETARG_NPS_SUMMARY(0);

	if (nps_totals_checked(s).responses == 0)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(s);
}

/* NPS from class totals: %promoters - %detractors. */
static inline double
nps_value(const NpsTotals *t)
{
	return 100.0 * (double) (t->promoters - t->detractors) / (double) t->responses;
}

/* nps(nps_summary), also nps()'s final function. */
PG_FUNCTION_INFO_V1(nps_summary_nps);
Datum
nps_summary_nps(PG_FUNCTION_ARGS)
{
	NpsTotals	t = nps_totals_checked(PG_GETARG_NPS_SUMMARY(0));

	if (t.responses == 0)
		PG_RETURN_NULL();
	KPI_SUPPRESS_SMALL_GROUP(t.responses);
	PG_RETURN_FLOAT8(nps_value(&t));
}

/*
 * nps(nps_summary, epsilon): an epsilon-differentially private NPS.  Each
 * response is in exactly one of promoters, passives and detractors, so each
 * class count gets discrete Laplace noise of scale 1/epsilon and the three
 * are epsilon-DP per response; NPS is computed from the noisy counts clamped
 * at 0 (so it stays in [-100, 100]), NULL when their sum is 0 or under
 * pg_kpi.min_group_size.
 */
PG_FUNCTION_INFO_V1(nps_summary_nps_dp);
Datum
nps_summary_nps_dp(PG_FUNCTION_ARGS)
{
	NpsTotals	t = nps_totals_checked(PG_GETARG_NPS_SUMMARY(0));
	double		epsilon = PG_GETARG_FLOAT8(1);
	int64		promoters,
				passives,
				detractors;
	double		total;

	kpi_dp_check_epsilon(epsilon);
	promoters = kpi_dp_clamp0(kpi_dp_noisy_count(t.promoters, epsilon, 1.0));
	passives = kpi_dp_clamp0(kpi_dp_noisy_count(t.passives, epsilon, 1.0));
	detractors = kpi_dp_clamp0(kpi_dp_noisy_count(t.detractors, epsilon, 1.0));
	total = (double) promoters + (double) passives + (double) detractors;
	if (total == 0.0 || kpi_group_suppressed((int64) Min(total, (double) PG_INT64_MAX)))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * ((double) promoters - (double) detractors) / total);
}

PG_FUNCTION_INFO_V1(nps_summary_promoters);
Datum
nps_summary_promoters(PG_FUNCTION_ARGS)
{
	NpsTotals	t = nps_totals_checked(PG_GETARG_NPS_SUMMARY(0));

	KPI_SUPPRESS_SMALL_GROUP(t.responses);
	PG_RETURN_INT64(t.promoters);
}

PG_FUNCTION_INFO_V1(nps_summary_passives);
Datum
nps_summary_passives(PG_FUNCTION_ARGS)
{
	NpsTotals	t = nps_totals_checked(PG_GETARG_NPS_SUMMARY(0));

	KPI_SUPPRESS_SMALL_GROUP(t.responses);
	PG_RETURN_INT64(t.passives);
}

PG_FUNCTION_INFO_V1(nps_summary_detractors);
Datum
nps_summary_detractors(PG_FUNCTION_ARGS)
{
	NpsTotals	t = nps_totals_checked(PG_GETARG_NPS_SUMMARY(0));

	KPI_SUPPRESS_SMALL_GROUP(t.responses);
	PG_RETURN_INT64(t.detractors);
}

PG_FUNCTION_INFO_V1(nps_summary_responses);
Datum
nps_summary_responses(PG_FUNCTION_ARGS)
{
	NpsTotals	t = nps_totals_checked(PG_GETARG_NPS_SUMMARY(0));

	KPI_SUPPRESS_SMALL_GROUP(t.responses);
	PG_RETURN_INT64(t.responses);
}

/* score_counts(nps_summary): the 11 counts as bigint[], index 1 = score 0. */
PG_FUNCTION_INFO_V1(nps_summary_score_counts);
Datum
nps_summary_score_counts(PG_FUNCTION_ARGS)
{
	NpsSummary *s = PG_GETARG_NPS_SUMMARY(0);
	Datum		elems[NPS_NSCORES];

	KPI_SUPPRESS_SMALL_GROUP(nps_totals_checked(s).responses);
	for (int i = 0; i < NPS_NSCORES; i++)
		elems[i] = Int64GetDatum(s->counts[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, NPS_NSCORES, INT8OID, sizeof(int64),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * Shared body of ci_lower/ci_upper: NPS ± z·SE, clamped to [-100, 100], where
 * each response scores +1/0/-1, Var = p_prom + p_det - (p_prom - p_det)^2 and
 * SE = 100·sqrt(Var/n).
 */
static Datum
nps_interval_bound(FunctionCallInfo fcinfo, bool upper)
{
	NpsTotals	t = nps_totals_checked(PG_GETARG_NPS_SUMMARY(0));
	double		confidence = PG_GETARG_FLOAT8(1);
	double		z = kpi_two_sided_z(confidence);
	double		n,
				p_prom,
				p_det,
				variance,
				se,
				bound;

	if (t.responses == 0)
		PG_RETURN_NULL();
	KPI_SUPPRESS_SMALL_GROUP(t.responses);
	n = (double) t.responses;
	p_prom = (double) t.promoters / n;
	p_det = (double) t.detractors / n;
	variance = Max(0.0, p_prom + p_det - (p_prom - p_det) * (p_prom - p_det));
	se = 100.0 * sqrt(variance / n);
	bound = nps_value(&t) + (upper ? z * se : -z * se);
	PG_RETURN_FLOAT8(Max(-100.0, Min(100.0, bound)));
}

PG_FUNCTION_INFO_V1(nps_summary_ci_lower);
Datum
nps_summary_ci_lower(PG_FUNCTION_ARGS)
{
	return nps_interval_bound(fcinfo, false);
}

PG_FUNCTION_INFO_V1(nps_summary_ci_upper);
Datum
nps_summary_ci_upper(PG_FUNCTION_ARGS)
{
	return nps_interval_bound(fcinfo, true);
}
