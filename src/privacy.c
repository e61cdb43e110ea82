/*
 * privacy.c
 *		Privacy by design (SPEC §11): the pg_kpi.min_group_size setting and
 *		the small-group suppression test every KPI accessor calls, the exact
 *		discrete Laplace (two-sided geometric) sampler behind the
 *		differentially private releases, and the library's _PG_init.
 *
 * Sampling method.  kpi_dp_noisy_count() adds Z to a count, where
 * P(Z = z) is proportional to exp(-|z| * epsilon / sensitivity).  Z is drawn
 * with Algorithm 2 of Canonne, Kamath and Steinke, "The Discrete Gaussian for
 * Differential Privacy" (NeurIPS 2020), which uses only uniform random
 * integers and exact rational arithmetic:
 *
 *   - epsilon and sensitivity are doubles, hence dyadic rationals; their ratio
 *     epsilon/sensitivity is turned into an exact reduced fraction s/t of two
 *     integers below 2^96, computed in 128-bit arithmetic (no rounding
 *     anywhere; a ratio that does not fit is refused with 22023);
 *   - Bernoulli(exp(-gamma)) for rational gamma in [0,1] is Algorithm 1 of
 *     the same paper (a run of Bernoulli(gamma/k) trials; each is the AND of
 *     Bernoulli(gamma) and Bernoulli(1/k), drawn as uniform integers);
 *   - uniform integers below a bound come from rejection sampling over
 *     random bits, and the bits come from pg_strong_random() (OpenSSL or the
 *     kernel), a cryptographically secure source with no seed to set.
 *
 * So the noise has exactly the discrete Laplace law, with no floating-point
 * step whose low-order bits could leak the true count (Mironov, "On
 * Significance of the Least Significant Bits for Differential Privacy", CCS
 * 2012).  The expected number of random bits per draw is a small constant
 * whatever the scale.
 */
#include "pg_kpi.h"

#include <float.h>
#include <limits.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_db_role_setting.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#ifndef HAVE_INT128
#error "pg_kpi needs a compiler with a 128-bit integer type for exact noise sampling"
#endif

/* pg_kpi.min_group_size: 0 = off; k > 0 suppresses groups of fewer than k. */
int			kpi_min_group_size = 0;

#define KPI_MIN_GROUP_SIZE_NAME "pg_kpi.min_group_size"

void		_PG_init(void);

/*
 * Apply the pg_kpi.min_group_size entries of ALTER ROLE / ALTER DATABASE SET
 * (pg_db_role_setting) for the current database and session user, with the
 * same sources and priorities as at connection start.
 *
 * Why: before this library is loaded the setting is only a placeholder.  A
 * value given by a non-superuser for the placeholder (SET, or a startup
 * option such as PGOPTIONS='-c pg_kpi.min_group_size=0') is refused when the
 * library defines the real setting, but a startup option has by then already
 * displaced the role's value, so the setting would fall back to its default,
 * 0 = off.  Re-reading the catalog here restores the administrator's value.
 * Values of higher priority that were accepted (a superuser's SET) win, as
 * set_config_option() keeps source priorities.
 */
static void
kpi_reapply_catalog_setting(void)
{
	static const GucSource sources[] = {PGC_S_DATABASE_USER, PGC_S_USER, PGC_S_DATABASE, PGC_S_GLOBAL};
	Oid			roleid;
	Relation	rel;
	Snapshot	snapshot;
	int			i;

	if (!IsUnderPostmaster || !IsNormalProcessingMode() || !IsTransactionState() ||
		IsParallelWorker() || !OidIsValid(MyDatabaseId))
		return;
	roleid = GetSessionUserId();
	if (!OidIsValid(roleid))
		return;

	rel = table_open(DbRoleSettingRelationId, AccessShareLock);
	snapshot = RegisterSnapshot(GetCatalogSnapshot(DbRoleSettingRelationId));
	for (i = 0; i < lengthof(sources); i++)
	{
		Oid			db = (sources[i] == PGC_S_DATABASE_USER || sources[i] == PGC_S_DATABASE) ? MyDatabaseId : InvalidOid;
		Oid			role = (sources[i] == PGC_S_DATABASE_USER || sources[i] == PGC_S_USER) ? roleid : InvalidOid;
		ScanKeyData keys[2];
		SysScanDesc scan;
		HeapTuple	tup;

		ScanKeyInit(&keys[0], Anum_pg_db_role_setting_setdatabase,
					BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(db));
		ScanKeyInit(&keys[1], Anum_pg_db_role_setting_setrole,
					BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(role));
		scan = systable_beginscan(rel, DbRoleSettingDatidRolidIndexId, true,
								  snapshot, 2, keys);
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			bool		isnull;
			Datum		d = heap_getattr(tup, Anum_pg_db_role_setting_setconfig,
										 RelationGetDescr(rel), &isnull);
			Datum	   *items;
			bool	   *nulls;
			int			n,
						j;

			if (isnull)
				continue;
			deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
							  &items, &nulls, &n);
			for (j = 0; j < n; j++)
			{
				char	   *item;
				char	   *eq;

				if (nulls[j])
					continue;
				item = TextDatumGetCString(items[j]);
				eq = strchr(item, '=');
				if (eq == NULL)
					continue;
				*eq = '\0';
				if (pg_strcasecmp(item, KPI_MIN_GROUP_SIZE_NAME) == 0)
					(void) set_config_option(KPI_MIN_GROUP_SIZE_NAME, eq + 1,
											 PGC_SUSET, sources[i], GUC_ACTION_SET,
											 true, WARNING, false);
			}
		}
		systable_endscan(scan);
	}
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
}

/* Register the settings of the library (once per backend). */
void
_PG_init(void)
{
	DefineCustomIntVariable(KPI_MIN_GROUP_SIZE_NAME,
							"Smallest group, in contributors, for which a pg_kpi KPI or accessor returns a value.",
							"0 turns suppression off; k > 0 makes every KPI and accessor return NULL "
							"for a group built from fewer than k trials, responses, values, users or rows. "
							"Only superusers can change it; administrators set it per role or database.",
							&kpi_min_group_size,
							0, 0, INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("pg_kpi");
	kpi_reapply_catalog_setting();
}

/* True when suppression is on and the group has fewer than k contributors. */
bool
kpi_group_suppressed(int64 contributors)
{
	return kpi_min_group_size > 0 && contributors < (int64) kpi_min_group_size;
}

/* ----------------------------------------------------------------------
 * Random bits from pg_strong_random(), buffered.
 * ----------------------------------------------------------------------
 */
static uint8 kpi_random_pool[256];
static int	kpi_random_pool_pos = sizeof(kpi_random_pool);
static uint64 kpi_random_reservoir = 0;
static int	kpi_random_reservoir_bits = 0;

/* One uniformly random byte. */
static uint8
kpi_random_byte(void)
{
	if (kpi_random_pool_pos >= (int) sizeof(kpi_random_pool))
	{
		if (!pg_strong_random(kpi_random_pool, sizeof(kpi_random_pool)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate random bytes for differentially private noise"),
					 errdetail("The cryptographically secure random source of the server failed.")));
		kpi_random_pool_pos = 0;
	}
	return kpi_random_pool[kpi_random_pool_pos++];
}

/* nbits (0..64) uniformly random bits, as the low bits of the result. */
static uint64
kpi_random_bits(int nbits)
{
	uint64		result = 0;
	int			have = 0;

	Assert(nbits >= 0 && nbits <= 64);
	while (have < nbits)
	{
		int			take;

		if (kpi_random_reservoir_bits == 0)
		{
			kpi_random_reservoir = kpi_random_byte();
			kpi_random_reservoir_bits = 8;
		}
		take = Min(nbits - have, kpi_random_reservoir_bits);
		result |= (kpi_random_reservoir & ((UINT64CONST(1) << take) - 1)) << have;
		kpi_random_reservoir >>= take;
		kpi_random_reservoir_bits -= take;
		have += take;
	}
	return result;
}

/* Number of bits needed to write v (0 for v = 0). */
static int
kpi_bit_length128(uint128 v)
{
	uint64		hi = (uint64) (v >> 64);
	uint64		lo = (uint64) v;

	if (hi != 0)
		return 65 + pg_leftmost_one_pos64(hi);
	if (lo != 0)
		return 1 + pg_leftmost_one_pos64(lo);
	return 0;
}

/* A uniformly random integer in [0, bound), bound >= 1, by rejection. */
static uint128
kpi_random_below(uint128 bound)
{
	int			nbits = kpi_bit_length128(bound - 1);

	for (;;)
	{
		uint128		v;

		if (nbits <= 64)
			v = kpi_random_bits(nbits);
		else
		{
			v = kpi_random_bits(64);
			v |= ((uint128) kpi_random_bits(nbits - 64)) << 64;
		}
		if (v < bound)
			return v;
	}
}

/* Bernoulli(num/den) for 0 <= num <= den, den >= 1. */
static bool
kpi_bernoulli_ratio(uint128 num, uint128 den)
{
	return kpi_random_below(den) < num;
}

/*
 * Bernoulli(exp(-num/den)) for 0 <= num <= den (CKS Algorithm 1): draw
 * A_k ~ Bernoulli(gamma/k) for k = 1, 2, ... until one is 0; the answer is
 * whether that k is odd.  P(K > n) = gamma^n/n!, so P(K odd) = exp(-gamma).
 */
static bool
kpi_bernoulli_exp_minus_fraction(uint128 num, uint128 den)
{
	uint64		k = 1;

	for (;;)
	{
		bool		a;

		/* Bernoulli(gamma/k) = Bernoulli(1/k) AND Bernoulli(gamma) */
		a = kpi_random_below(k) == 0 && kpi_bernoulli_ratio(num, den);
		if (!a)
			return (k & 1) == 1;
		k++;
	}
}

/*
 * Discrete Laplace with P(Z = z) proportional to exp(-|z| * s / t), for
 * integers s, t >= 1 (CKS Algorithm 2).
 */
static int64
kpi_discrete_laplace(uint128 s, uint128 t)
{
	for (;;)
	{
		uint128		u;
		uint128		v;
		uint128		x;
		uint128		y;
		bool		negative;

		CHECK_FOR_INTERRUPTS();

		/* U uniform in [0, t), kept with probability exp(-U/t) */
		u = kpi_random_below(t);
		if (!kpi_bernoulli_exp_minus_fraction(u, t))
			continue;

		/*
		 * V ~ Geometric(1 - exp(-1)): count Bernoulli(exp(-1)) successes.
		 * V is capped at 2^31 - 1 so that t*V fits in 128 bits; reaching the
		 * cap has probability exp(-(2^31 - 1)), i.e. never.
		 */
		v = 0;
		while (v < (uint128) PG_INT32_MAX && kpi_bernoulli_exp_minus_fraction(1, 1))
			v++;

		/* X = U + t*V is Geometric(1 - exp(-1/t)); Y = floor(X / s) */
		x = u + t * v;
		y = x / s;
		negative = kpi_random_bits(1) == 1;
		if (negative && y == 0)
			continue;
		/* saturate (post-processing): only reachable for absurd noise scales */
		if (y > (uint128) PG_INT64_MAX)
			y = PG_INT64_MAX;
		return negative ? -(int64) y : (int64) y;
	}
}

/* Write a positive finite double exactly as mantissa * 2^exponent, mantissa odd. */
static void
kpi_dyadic(double value, uint64 *mantissa, int *exponent)
{
	int			e;
	double		f = frexp(value, &e);	/* value = f * 2^e, f in [0.5, 1) */
	uint64		m = (uint64) ldexp(f, 53);	/* exact: 53 significant bits */

	e -= 53;
	while ((m & 1) == 0)
	{
		m >>= 1;
		e++;
	}
	*mantissa = m;
	*exponent = e;
}

static uint128
kpi_gcd128(uint128 a, uint128 b)
{
	while (b != 0)
	{
		uint128		r = a % b;

		a = b;
		b = r;
	}
	return a;
}

/*
 * Exact reduced fraction s/t = epsilon / sensitivity, both below 2^96 (so
 * that U + t*V above fits in 128 bits).  Errors (22023) for a ratio that
 * cannot be written so, i.e. an epsilon below about 1e-13 or above about
 * 1e28 (per unit of sensitivity).
 */
static void
kpi_dp_ratio(double epsilon, double sensitivity, uint128 *s, uint128 *t)
{
	uint64		m1,
				m2;
	int			e1,
				e2,
				shift;
	uint128		num,
				den,
				g;
	const int	limit = 96;

	kpi_dyadic(epsilon, &m1, &e1);
	kpi_dyadic(sensitivity, &m2, &e2);
	/* epsilon / sensitivity = m1 * 2^(e1 - e2) / m2 */
	shift = e1 - e2;
	if (shift < limit && -shift < limit)
	{
		num = m1;
		den = m2;
		if (shift > 0)
			num <<= shift;
		else
			den <<= -shift;
		g = kpi_gcd128(num, den);
		num /= g;
		den /= g;
		if (kpi_bit_length128(num) <= limit && kpi_bit_length128(den) <= limit)
		{
			*s = num;
			*t = den;
			return;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("epsilon %g is out of range for exact noise sampling", epsilon),
			 errdetail("epsilon divided by the sensitivity %g must be a ratio of two integers below 2^96.",
					   sensitivity),
			 errhint("Use an epsilon between 1e-12 and 1e12; typical values are 0.1 to 10.")));
}

/* Reject an epsilon that is not finite and > 0 (22023). */
void
kpi_dp_check_epsilon(double epsilon)
{
	if (unlikely(isnan(epsilon) || isinf(epsilon) || !(epsilon > 0.0)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("epsilon %g is out of range", epsilon),
				 errdetail("The privacy budget epsilon must be finite and greater than 0."),
				 errhint("Smaller epsilon means more noise and more privacy; 0.1 to 2 are common choices.")));
}

/*
 * count + Z, Z drawn from the discrete Laplace distribution with
 * P(Z = z) proportional to exp(-|z| * epsilon / sensitivity): the
 * epsilon-differentially private release of a count whose value changes by
 * at most `sensitivity` when one unit of privacy is added or removed.
 * The result may be negative; callers clamp the KPI they compute from it.
 */
int64
kpi_dp_noisy_count(int64 count, double epsilon, double sensitivity)
{
	uint128		s,
				t;
	int64		noise;
	int64		result;

	kpi_dp_check_epsilon(epsilon);
	if (unlikely(isnan(sensitivity) || isinf(sensitivity) || !(sensitivity > 0.0)))
		elog(ERROR, "sensitivity %g of a differentially private count must be finite and positive",
			 sensitivity);
	kpi_dp_ratio(epsilon, sensitivity, &s, &t);
	noise = kpi_discrete_laplace(s, t);
	if (unlikely(pg_add_s64_overflow(count, noise, &result)))
		result = noise > 0 ? PG_INT64_MAX : PG_INT64_MIN;
	return result;
}
