/*
 * compare.c
 *		Comparisons of two rate_summary or two nps_summary values (a = new
 *		period or treatment, b = baseline or control): difference() with its
 *		confidence interval, p_value(), lift() with its interval for rates,
 *		and sequential_p_value(), the always-valid p-value of the
 *		normal-mixture sequential probability ratio test (mSPRT).
 *		The mean_summary comparisons live in mean.c; the mSPRT formula they
 *		share is kpi_msprt_p_value() here.  A comparison is NULL when either
 *		side is below pg_kpi.min_group_size, so these functions are STABLE.
 */
#include "pg_kpi.h"

#define PG_GETARG_RATE_COUNTS(n) ((KpiRateCounts *) PG_GETARG_POINTER(n))
#define PG_GETARG_NPS_COUNTS(n) ((KpiNpsCounts *) PG_GETARG_POINTER(n))

/* Default of the tuning argument of sequential_p_value(): N*, total observations. */
#define MSPRT_DEFAULT_N 5000.0

/* Reject a tuning value that is not a finite positive number. */
static void
msprt_check_tuning(double tuning)
{
	if (isnan(tuning) || isinf(tuning) || tuning < 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tuning %g is out of range", tuning),
				 errdetail("The tuning value is the total number of observations at which the sequential test is most sensitive; it must be a finite number of at least 1.")));
}

/*
 * Always-valid p-value of the normal-mixture SPRT (Johari, Koomen, Pekelis,
 * Walsh, "Always valid inference", 2017) for an estimate diff of an effect
 * with estimated variance var from n observations in all, under H0: effect 0.
 *
 * With a N(0, τ²) mixture over the effect, the mixture likelihood ratio is
 *   Λ = sqrt(V / (V + τ²)) · exp(τ² · diff² / (2 V (V + τ²)))
 * and p = min(1, 1/Λ).  The mixture variance is set scale-free from the
 * tuning value N* as in the asymptotic confidence sequences that GrowthBook
 * uses: τ² = ρ² · n · V with ρ² = (-2 ln α + ln(1 - 2 ln α)) / N*, α = 0.05,
 * which makes the test most sensitive when n = N*.
 */
double
kpi_msprt_p_value(double diff, double var, double n, double tuning)
{
	const double alpha = 0.05;
	double		rho2 = (-2.0 * log(alpha) + log(1.0 - 2.0 * log(alpha))) / tuning;
	double		r = rho2 * n;	/* τ² / V */
	double		z2 = diff * diff / var;
	double		log_lambda = -0.5 * log1p(r) + 0.5 * z2 * r / (1.0 + r);

	if (log_lambda <= 0.0)
		return 1.0;
	return exp(-log_lambda);
}

/* Check a tuning value and return it (the SQL default is 5000). */
double
kpi_msprt_tuning(FunctionCallInfo fcinfo, int argno)
{
	double		tuning = PG_NARGS() > argno ? PG_GETARG_FLOAT8(argno) : MSPRT_DEFAULT_N;

	msprt_check_tuning(tuning);
	return tuning;
}

/*
 * Counts of the two rate_summary arguments; false (answer NULL) when the
 * smaller side is below pg_kpi.min_group_size.  Values reaching a function
 * were validated by the type's input functions; the checks here keep a value
 * built any other way from giving a wrong answer.
 */
static bool
rate_args(FunctionCallInfo fcinfo, double *xa, double *na, double *xb, double *nb)
{
	KpiRateCounts *a = PG_GETARG_RATE_COUNTS(0);
	KpiRateCounts *b = PG_GETARG_RATE_COUNTS(1);

	if (a->successes < 0 || a->successes > a->trials ||
		b->successes < 0 || b->successes > b->trials)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid rate_summary"),
				 errdetail("Successes must be between 0 and the number of trials.")));
	if (kpi_group_suppressed(Min(a->trials, b->trials)))
		return false;
	*xa = (double) a->successes;
	*na = (double) a->trials;
	*xb = (double) b->successes;
	*nb = (double) b->trials;
	return true;
}

/* difference(rate_summary, rate_summary): p_a - p_b. */
PG_FUNCTION_INFO_V1(rate_difference);
Datum
rate_difference(PG_FUNCTION_ARGS)
{
	double		xa,
				na,
				xb,
				nb;

	if (!rate_args(fcinfo, &xa, &na, &xb, &nb))
		PG_RETURN_NULL();
	if (na == 0 || nb == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(xa / na - xb / nb);
}

/*
 * Newcombe's hybrid score interval for p_a - p_b (method 10 of Newcombe,
 * Statistics in Medicine 1998), built from the two Wilson intervals:
 *   lower = D - sqrt((p_a - l_a)² + (u_b - p_b)²)
 *   upper = D + sqrt((u_a - p_a)² + (p_b - l_b)²)
 */
static Datum
rate_difference_bound(FunctionCallInfo fcinfo, bool upper)
{
	KpiRateCounts *a = PG_GETARG_RATE_COUNTS(0);
	KpiRateCounts *b = PG_GETARG_RATE_COUNTS(1);
	double		confidence = PG_GETARG_FLOAT8(2);
	double		xa,
				na,
				xb,
				nb,
				pa,
				pb,
				la,
				ua,
				lb,
				ub;

	kpi_check_confidence(confidence);
	if (!rate_args(fcinfo, &xa, &na, &xb, &nb))
		PG_RETURN_NULL();
	if (na == 0 || nb == 0)
		PG_RETURN_NULL();
	pa = xa / na;
	pb = xb / nb;
	kpi_wilson_interval(a->successes, a->trials, confidence, &la, &ua);
	kpi_wilson_interval(b->successes, b->trials, confidence, &lb, &ub);
	if (upper)
		PG_RETURN_FLOAT8(pa - pb + sqrt((ua - pa) * (ua - pa) + (pb - lb) * (pb - lb)));
	PG_RETURN_FLOAT8(pa - pb - sqrt((pa - la) * (pa - la) + (ub - pb) * (ub - pb)));
}

PG_FUNCTION_INFO_V1(rate_difference_ci_lower);
Datum
rate_difference_ci_lower(PG_FUNCTION_ARGS)
{
	return rate_difference_bound(fcinfo, false);
}

PG_FUNCTION_INFO_V1(rate_difference_ci_upper);
Datum
rate_difference_ci_upper(PG_FUNCTION_ARGS)
{
	return rate_difference_bound(fcinfo, true);
}

/*
 * p_value(rate_summary, rate_summary): the pooled two-proportion z-test,
 * z = (p_a - p_b) / sqrt(p(1-p)(1/n_a + 1/n_b)) with p = (x_a+x_b)/(n_a+n_b),
 * two-sided.  NULL if a side is empty; 1 when the pooled rate is 0 or 1
 * (then both rates are equal).
 */
PG_FUNCTION_INFO_V1(rate_p_value);
Datum
rate_p_value(PG_FUNCTION_ARGS)
{
	double		xa,
				na,
				xb,
				nb,
				pooled,
				se;

	if (!rate_args(fcinfo, &xa, &na, &xb, &nb))
		PG_RETURN_NULL();
	if (na == 0 || nb == 0)
		PG_RETURN_NULL();
	pooled = (xa + xb) / (na + nb);
	se = sqrt(pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb));
	if (se == 0.0)
		PG_RETURN_FLOAT8(1.0);
	PG_RETURN_FLOAT8(kpi_normal_two_sided_p((xa / na - xb / nb) / se));
}

/*
 * sequential_p_value(rate_summary, rate_summary [, tuning]): the mSPRT
 * always-valid p-value for p_a - p_b, with the pooled variance of the
 * difference under H0.  NULL if a side is empty; 1 when the pooled rate is
 * 0 or 1.
 */
PG_FUNCTION_INFO_V1(rate_sequential_p_value);
Datum
rate_sequential_p_value(PG_FUNCTION_ARGS)
{
	double		tuning = kpi_msprt_tuning(fcinfo, 2);
	double		xa,
				na,
				xb,
				nb,
				pooled,
				var;

	if (!rate_args(fcinfo, &xa, &na, &xb, &nb))
		PG_RETURN_NULL();
	if (na == 0 || nb == 0)
		PG_RETURN_NULL();
	pooled = (xa + xb) / (na + nb);
	var = pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb);
	if (var == 0.0)
		PG_RETURN_FLOAT8(1.0);
	PG_RETURN_FLOAT8(kpi_msprt_p_value(xa / na - xb / nb, var, na + nb, tuning));
}

/* lift(treatment rate_summary, control rate_summary): p_t / p_c - 1. */
PG_FUNCTION_INFO_V1(rate_lift);
Datum
rate_lift(PG_FUNCTION_ARGS)
{
	double		xt,
				nt,
				xc,
				nc;

	if (!rate_args(fcinfo, &xt, &nt, &xc, &nc))
		PG_RETURN_NULL();
	if (nt == 0 || nc == 0 || xc == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((xt / nt) / (xc / nc) - 1.0);
}

/*
 * Katz's log risk ratio interval for the lift: exp(ln RR ± z·SE) - 1 with
 * SE = sqrt(1/x_t - 1/n_t + 1/x_c - 1/n_c).  NULL when a side is empty or
 * has no successes (the log risk ratio is then not finite).
 */
static Datum
rate_lift_bound(FunctionCallInfo fcinfo, bool upper)
{
	double		confidence = PG_GETARG_FLOAT8(2);
	double		z = kpi_two_sided_z(confidence);
	double		xt,
				nt,
				xc,
				nc,
				log_rr,
				se;

	if (!rate_args(fcinfo, &xt, &nt, &xc, &nc))
		PG_RETURN_NULL();
	if (nt == 0 || nc == 0 || xt == 0 || xc == 0)
		PG_RETURN_NULL();
	log_rr = log(xt / nt) - log(xc / nc);
	se = sqrt(Max(0.0, 1.0 / xt - 1.0 / nt + 1.0 / xc - 1.0 / nc));
	PG_RETURN_FLOAT8(expm1(log_rr + (upper ? z * se : -z * se)));
}

PG_FUNCTION_INFO_V1(rate_lift_ci_lower);
Datum
rate_lift_ci_lower(PG_FUNCTION_ARGS)
{
	return rate_lift_bound(fcinfo, false);
}

PG_FUNCTION_INFO_V1(rate_lift_ci_upper);
Datum
rate_lift_ci_upper(PG_FUNCTION_ARGS)
{
	return rate_lift_bound(fcinfo, true);
}

/* One side of an NPS comparison: n, NPS (points) and its squared standard error. */
typedef struct NpsSide
{
	double		n;
	double		nps;
	double		se2;
} NpsSide;

/*
 * NPS, and SE² = 100²·Var/n with Var = p_prom + p_det - (p_prom - p_det)²
 * (SPEC §4), of an nps_summary.  False if it has no responses.
 */
static bool
nps_side(const KpiNpsCounts *s, NpsSide *side)
{
	double		det = 0,
				prom = 0,
				n = 0;
	double		p_prom,
				p_det,
				var;

	for (int i = 0; i < KPI_NPS_NSCORES; i++)
	{
		if (s->counts[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("invalid nps_summary"),
					 errdetail("Response counts must not be negative.")));
		n += (double) s->counts[i];
		if (i <= 6)
			det += (double) s->counts[i];
		else if (i >= 9)
			prom += (double) s->counts[i];
	}
	if (n == 0 || kpi_group_suppressed((int64) n))
		return false;
	p_prom = prom / n;
	p_det = det / n;
	var = Max(0.0, p_prom + p_det - (p_prom - p_det) * (p_prom - p_det));
	side->n = n;
	side->nps = 100.0 * (p_prom - p_det);
	side->se2 = 10000.0 * var / n;
	return true;
}

/* difference(nps_summary, nps_summary): NPS_a - NPS_b in points. */
PG_FUNCTION_INFO_V1(nps_difference);
Datum
nps_difference(PG_FUNCTION_ARGS)
{
	NpsSide		a,
				b;

	if (!nps_side(PG_GETARG_NPS_COUNTS(0), &a) || !nps_side(PG_GETARG_NPS_COUNTS(1), &b))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(a.nps - b.nps);
}

/* NPS difference ± z·sqrt(SE_a² + SE_b²), clamped to [-200, 200]. */
static Datum
nps_difference_bound(FunctionCallInfo fcinfo, bool upper)
{
	double		z = kpi_two_sided_z(PG_GETARG_FLOAT8(2));
	NpsSide		a,
				b;
	double		half;

	if (!nps_side(PG_GETARG_NPS_COUNTS(0), &a) || !nps_side(PG_GETARG_NPS_COUNTS(1), &b))
		PG_RETURN_NULL();
	half = z * sqrt(a.se2 + b.se2);
	if (upper)
		PG_RETURN_FLOAT8(Min(200.0, a.nps - b.nps + half));
	PG_RETURN_FLOAT8(Max(-200.0, a.nps - b.nps - half));
}

PG_FUNCTION_INFO_V1(nps_difference_ci_lower);
Datum
nps_difference_ci_lower(PG_FUNCTION_ARGS)
{
	return nps_difference_bound(fcinfo, false);
}

PG_FUNCTION_INFO_V1(nps_difference_ci_upper);
Datum
nps_difference_ci_upper(PG_FUNCTION_ARGS)
{
	return nps_difference_bound(fcinfo, true);
}

/*
 * p_value(nps_summary, nps_summary): two-sided z-test of the difference,
 * z = (NPS_a - NPS_b) / sqrt(SE_a² + SE_b²).  NULL if a side is empty or
 * both standard errors are 0 with different NPS (undefined); 1 if both
 * standard errors are 0 and the NPS are equal.
 */
PG_FUNCTION_INFO_V1(nps_p_value);
Datum
nps_p_value(PG_FUNCTION_ARGS)
{
	NpsSide		a,
				b;
	double		se;

	if (!nps_side(PG_GETARG_NPS_COUNTS(0), &a) || !nps_side(PG_GETARG_NPS_COUNTS(1), &b))
		PG_RETURN_NULL();
	se = sqrt(a.se2 + b.se2);
	if (se == 0.0)
	{
		if (a.nps == b.nps)
			PG_RETURN_FLOAT8(1.0);
		PG_RETURN_NULL();
	}
	PG_RETURN_FLOAT8(kpi_normal_two_sided_p((a.nps - b.nps) / se));
}

/* sequential_p_value(nps_summary, nps_summary [, tuning]): mSPRT on the NPS difference. */
PG_FUNCTION_INFO_V1(nps_sequential_p_value);
Datum
nps_sequential_p_value(PG_FUNCTION_ARGS)
{
	double		tuning = kpi_msprt_tuning(fcinfo, 2);
	NpsSide		a,
				b;
	double		var;

	if (!nps_side(PG_GETARG_NPS_COUNTS(0), &a) || !nps_side(PG_GETARG_NPS_COUNTS(1), &b))
		PG_RETURN_NULL();
	var = a.se2 + b.se2;
	if (var == 0.0)
	{
		if (a.nps == b.nps)
			PG_RETURN_FLOAT8(1.0);
		PG_RETURN_NULL();
	}
	PG_RETURN_FLOAT8(kpi_msprt_p_value(a.nps - b.nps, var, a.n + b.n, tuning));
}
