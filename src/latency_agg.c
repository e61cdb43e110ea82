/*
 * latency_agg.c
 *		Expanded-object glue of latency_sketch and the aggregates:
 *		latency_agg(), rollup(), and the one-step percentile_latency() and
 *		latency_percentiles() (their plain, non-moving mode).
 */
#include "latency.h"

#include "utils/memutils.h"

static Size lat_get_flat_size(ExpandedObjectHeader *eohptr);
static void lat_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

const ExpandedObjectMethods lat_methods = {
	lat_get_flat_size,
	lat_flatten_into
};

/* Expanded-object method: size of the flat form. */
static Size
lat_get_flat_size(ExpandedObjectHeader *eohptr)
{
	return lat_flat_size(&((LatExpanded *) eohptr)->sk);
}

/* Expanded-object method: write the flat form. */
static void
lat_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	lat_flat_write(&((LatExpanded *) eohptr)->sk, result, allocated_size);
}

/* A new, empty expanded sketch in a child context of parent. */
LatExpanded *
lat_expanded_new(MemoryContext parent, double alpha)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "latency_sketch",
											  ALLOCSET_SMALL_SIZES);
	LatExpanded *e = MemoryContextAlloc(cxt, sizeof(LatExpanded));

	EOH_init_header(&e->hdr, &lat_methods, cxt);
	lat_init(&e->sk, alpha, cxt);
	return e;
}

/* Read-only view of a latency_sketch datum, expanded or flat. */
const LatSketch *
lat_read(Datum d)
{
	LatSketch  *s;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods != &lat_methods)
			elog(ERROR, "expanded object is not a latency_sketch");
		return &((LatExpanded *) eoh)->sk;
	}
	s = palloc(sizeof(LatSketch));
	s->cxt = CurrentMemoryContext;
	lat_from_flat(s, (struct varlena *) PG_DETOAST_DATUM(d));
	return s;
}


/*
 * The state a transition function may change: the read-write expanded
 * sketch this aggregate owns (kept by nodeAgg without copying because its
 * context is a child of the aggregate context), or else a new expanded copy
 * of argument argno (flat, e.g. from a parallel worker or a table).  Returns
 * NULL for a NULL argument.  Outside an aggregate the copy lives in the
 * current context, so the caller's value is never modified.
 */
LatExpanded *
lat_state_for_update(FunctionCallInfo fcinfo, int argno)
{
	MemoryContext aggcxt;
	const LatSketch *src;
	LatExpanded *e;

	if (argno == 0 && (e = (LatExpanded *) kpi_expanded_own_state(fcinfo, 0, &lat_methods)) != NULL)
		return e;
	if (PG_ARGISNULL(argno))
		return NULL;
	if (!AggCheckCallContext(fcinfo, &aggcxt))
		aggcxt = NULL;
	src = lat_read(PG_GETARG_DATUM(argno));
	e = lat_expanded_new(aggcxt ? aggcxt : CurrentMemoryContext, src->alpha);
	lat_copy(&e->sk, src);
	return e;
}

/* A new empty state for the first row of a group. */
LatExpanded *
lat_state_new(FunctionCallInfo fcinfo, double alpha)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		aggcxt = CurrentMemoryContext;
	return lat_expanded_new(aggcxt, alpha);
}

/* ---------- aggregates: latency_agg, rollup, percentile_latency, latency_percentiles ---------- */

/* The state for this row: the existing one, or a new one with accuracy alpha. */
static inline LatExpanded *
lat_state_or_new(FunctionCallInfo fcinfo, double alpha)
{
	LatExpanded *e = lat_state_for_update(fcinfo, 0);

	return e != NULL ? e : lat_state_new(fcinfo, alpha);
}

/* Return the state argument unchanged (NULL stays NULL) for a skipped row. */
#define LAT_RETURN_ARG0() \
	do { \
		if (PG_ARGISNULL(0)) PG_RETURN_NULL(); \
		PG_RETURN_DATUM(PG_GETARG_DATUM(0)); \
	} while (0)

/* Transition function of latency_agg(latency): default accuracy. */
PG_FUNCTION_INFO_V1(latency_accum);
Datum
latency_accum(PG_FUNCTION_ARGS)
{
	LatExpanded *e;
	double		x;

	if (PG_ARGISNULL(1))
		LAT_RETURN_ARG0();
	x = lat_check_latency(PG_GETARG_FLOAT8(1));
	e = lat_state_or_new(fcinfo, LAT_DEFAULT_ALPHA);
	lat_add_value(&e->sk, x);
	LAT_RETURN_STATE(e);
}

/* Transition function of latency_agg(latency, relative_accuracy). */
PG_FUNCTION_INFO_V1(latency_accum_alpha);
Datum
latency_accum_alpha(PG_FUNCTION_ARGS)
{
	LatExpanded *e;
	double		x;
	double		alpha;

	if (PG_ARGISNULL(1))
		LAT_RETURN_ARG0();
	x = lat_check_latency(PG_GETARG_FLOAT8(1));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relative accuracy must not be NULL")));
	alpha = PG_GETARG_FLOAT8(2);
	lat_check_alpha(alpha);
	e = lat_state_or_new(fcinfo, alpha);
	if (!lat_same_double(e->sk.alpha, alpha))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relative accuracy changed within a group"),
				 errdetail("An earlier row used %g and this row %g.", e->sk.alpha, alpha),
				 errhint("Pass the same relative accuracy on every row of a group, e.g. a constant.")));
	lat_add_value(&e->sk, x);
	LAT_RETURN_STATE(e);
}

/* Shared body of the one-step transition functions: add x, attach or check q. */
static Datum
lat_accum_quantiles(FunctionCallInfo fcinfo, LatExpanded *e, double x,
					const double *q, int n, bool scalar)
{
	if (e == NULL)
		e = lat_state_or_new(fcinfo, LAT_DEFAULT_ALPHA);

	if (e->sk.has_quantiles)
		lat_check_same_quantiles(&e->sk, q, n, scalar);
	else
		lat_set_quantiles(&e->sk, q, n);
	lat_add_value(&e->sk, x);
	LAT_RETURN_STATE(e);
}

/* Transition function of percentile_latency(latency, p). */
PG_FUNCTION_INFO_V1(latency_accum_p);
Datum
latency_accum_p(PG_FUNCTION_ARGS)
{
	double		x;
	double		p;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		LAT_RETURN_ARG0();
	x = lat_check_latency(PG_GETARG_FLOAT8(1));
	p = PG_GETARG_FLOAT8(2);
	lat_check_p(p);
	if (p == 0.0)
		p = 0.0;				/* -0 is 0 */
	return lat_accum_quantiles(fcinfo, NULL, x, &p, 1, true);
}

/* Transition function of latency_percentiles(latency, p[]). */
PG_FUNCTION_INFO_V1(latency_accum_parr);
Datum
latency_accum_parr(PG_FUNCTION_ARGS)
{
	double		x;
	ArrayType  *arr;
	LatExpanded *e;
	double	   *q;
	int			n;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		LAT_RETURN_ARG0();
	x = lat_check_latency(PG_GETARG_FLOAT8(1));
	arr = PG_GETARG_ARRAYTYPE_P(2);
	e = lat_state_for_update(fcinfo, 0);
	if (e != NULL && lat_same_quantile_array(&e->sk, arr))
	{
		lat_add_value(&e->sk, x);
		LAT_RETURN_STATE(e);
	}
	q = lat_read_quantiles(arr, &n);
	return lat_accum_quantiles(fcinfo, e, x, q, n, false);
}

/* Combine function of every latency aggregate, and rollup()'s transition function. */
PG_FUNCTION_INFO_V1(latency_combine);
Datum
latency_combine(PG_FUNCTION_ARGS)
{
	LatExpanded *e;

	if (PG_ARGISNULL(1))
		LAT_RETURN_ARG0();
	e = lat_state_for_update(fcinfo, 0);
	if (e == NULL)
		e = lat_state_for_update(fcinfo, 1);	/* a copy of the first non-NULL input */
	else
		lat_merge(&e->sk, PG_GETARG_LAT(1));
	LAT_RETURN_STATE(e);
}

/* Final function of latency_agg() and rollup(): the flat sketch, without attached percentiles. */
PG_FUNCTION_INFO_V1(latency_sketch_final);
Datum
latency_sketch_final(PG_FUNCTION_ARGS)
{
	const LatSketch *s;
	LatSketch	copy;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = PG_GETARG_LAT(0);
	if (s->count == 0)
		PG_RETURN_NULL();
	copy = *s;
	copy.has_quantiles = false;
	copy.nquantiles = 0;
	PG_RETURN_DATUM(lat_flat_datum(&copy));
}

/* Final function of percentile_latency(). */
PG_FUNCTION_INFO_V1(latency_percentile_final);
Datum
latency_percentile_final(PG_FUNCTION_ARGS)
{
	const LatSketch *s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = PG_GETARG_LAT(0);
	if (s->count == 0 || !s->has_quantiles || s->nquantiles != 1)
		PG_RETURN_NULL();
	KPI_SUPPRESS_SMALL_GROUP(s->count);
	PG_RETURN_FLOAT8(lat_quantile(s, s->quantiles[0]));
}

/* Final function of latency_percentiles(). */
PG_FUNCTION_INFO_V1(latency_percentiles_final);
Datum
latency_percentiles_final(PG_FUNCTION_ARGS)
{
	const LatSketch *s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = PG_GETARG_LAT(0);
	if (s->count == 0 || !s->has_quantiles)
		PG_RETURN_NULL();
	KPI_SUPPRESS_SMALL_GROUP(s->count);
	PG_RETURN_ARRAYTYPE_P(lat_quantiles_array(s, s->quantiles, s->nquantiles));
}
