/*
 * latency_access.c
 *		Accessors of latency_sketch: percentile(), percentiles(),
 *		percentile_rank(), num_values(), mean(), min(), max(),
 *		relative_accuracy().  All but relative_accuracy() (a setting, not
 *		data) return NULL under pg_kpi.min_group_size (privacy.c).
 */
#include "latency.h"


PG_FUNCTION_INFO_V1(latency_sketch_percentile);
Datum
latency_sketch_percentile(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);
	double		p = PG_GETARG_FLOAT8(1);

	lat_check_p(p);
	KPI_SUPPRESS_SMALL_GROUP(s->count);
	PG_RETURN_FLOAT8(lat_quantile(s, p));
}

PG_FUNCTION_INFO_V1(latency_sketch_percentiles);
Datum
latency_sketch_percentiles(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);
	int			n;
	double	   *q = lat_read_quantiles(PG_GETARG_ARRAYTYPE_P(1), &n);

	KPI_SUPPRESS_SMALL_GROUP(s->count);
	PG_RETURN_ARRAYTYPE_P(lat_quantiles_array(s, q, n));
}

PG_FUNCTION_INFO_V1(latency_sketch_percentile_rank);
Datum
latency_sketch_percentile_rank(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);
	double		x = PG_GETARG_FLOAT8(1);

	kpi_check_finite(x, "value");
	KPI_SUPPRESS_SMALL_GROUP(s->count);
	PG_RETURN_FLOAT8(lat_rank(s, x));
}

PG_FUNCTION_INFO_V1(latency_sketch_num_values);
Datum
latency_sketch_num_values(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);

	KPI_SUPPRESS_SMALL_GROUP(s->count);
	PG_RETURN_INT64(s->count);
}

PG_FUNCTION_INFO_V1(latency_sketch_mean);
Datum
latency_sketch_mean(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);

	KPI_SUPPRESS_SMALL_GROUP(s->count);
	PG_RETURN_FLOAT8(s->sum / (double) s->count);
}

PG_FUNCTION_INFO_V1(latency_sketch_min);
Datum
latency_sketch_min(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);

	KPI_SUPPRESS_SMALL_GROUP(s->count);
	PG_RETURN_FLOAT8(s->min);
}

PG_FUNCTION_INFO_V1(latency_sketch_max);
Datum
latency_sketch_max(PG_FUNCTION_ARGS)
{
	const LatSketch *s = PG_GETARG_LAT(0);

	KPI_SUPPRESS_SMALL_GROUP(s->count);
	PG_RETURN_FLOAT8(s->max);
}

PG_FUNCTION_INFO_V1(latency_sketch_alpha);
Datum
latency_sketch_alpha(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(PG_GETARG_LAT(0)->alpha);
}
