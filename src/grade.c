/*
 * grade.c
 *		Benchmark grades (SPEC §10): kpi_grade(kpi, value [, segment]) reads
 *		the bands of the kpi_benchmark configuration table, and the trigger
 *		that marks every row a user inserts or changes as a user row (so that
 *		pg_dump, which skips the shipped rows, keeps it).
 */
#include "pg_kpi.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

/* One row of kpi_benchmark. */
typedef struct BenchRow
{
	char	   *kpi;
	char	   *segment;
	char	   *band;
	double		lower;			/* -Infinity when NULL (unbounded) */
	double		upper;			/* +Infinity when NULL (unbounded) */
	bool		shipped;
} BenchRow;

/* The table's rows, read once per calling query (kpi_grade is STABLE). */
typedef struct BenchCache
{
	int			nrows;
	BenchRow   *rows;
} BenchCache;

/* Copy a text column of an SPI row into mcxt ("" when NULL). */
static char *
bench_text(HeapTuple tup, TupleDesc desc, int col, MemoryContext mcxt)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? MemoryContextStrdup(mcxt, "") :
		MemoryContextStrdup(mcxt, TextDatumGetCString(d));
}

/*
 * Read kpi_benchmark from the schema kpi_grade lives in (the extension's, even
 * after ALTER EXTENSION SET SCHEMA), with no operator in the query, so the
 * caller's search_path cannot redirect it.
 */
static BenchCache *
bench_load(FunctionCallInfo fcinfo)
{
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	BenchCache *cache;
	char	   *nsp = get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid));
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT kpi, segment, band, lower, upper, shipped FROM %s.kpi_benchmark "
					 "ORDER BY kpi, segment, band, shipped",
					 quote_identifier(nsp));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read kpi_benchmark");
	cache = MemoryContextAllocZero(mcxt, sizeof(BenchCache));
	cache->nrows = (int) SPI_processed;
	cache->rows = MemoryContextAllocZero(mcxt, sizeof(BenchRow) * Max(1, cache->nrows));
	for (int i = 0; i < cache->nrows; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		BenchRow   *r = &cache->rows[i];
		bool		isnull;
		Datum		d;

		r->kpi = bench_text(tup, desc, 1, mcxt);
		r->segment = bench_text(tup, desc, 2, mcxt);
		r->band = bench_text(tup, desc, 3, mcxt);
		d = SPI_getbinval(tup, desc, 4, &isnull);
		r->lower = isnull ? -INFINITY : DatumGetFloat8(d);
		d = SPI_getbinval(tup, desc, 5, &isnull);
		r->upper = isnull ? INFINITY : DatumGetFloat8(d);
		d = SPI_getbinval(tup, desc, 6, &isnull);
		r->shipped = !isnull && DatumGetBool(d);
	}
	SPI_finish();
	return cache;
}

/* Does any row of kpi (and segment, unless NULL) exist? */
static bool
bench_has(const BenchCache *c, const char *kpi, const char *segment)
{
	for (int i = 0; i < c->nrows; i++)
		if (strcmp(c->rows[i].kpi, kpi) == 0 &&
			(segment == NULL || strcmp(c->rows[i].segment, segment) == 0))
			return true;
	return false;
}

/* Is shipped row r replaced by a user row of the same kpi, segment and band? */
static bool
bench_overridden(const BenchCache *c, const BenchRow *r)
{
	for (int i = 0; i < c->nrows; i++)
	{
		const BenchRow *u = &c->rows[i];

		if (!u->shipped && strcmp(u->kpi, r->kpi) == 0 &&
			strcmp(u->segment, r->segment) == 0 && strcmp(u->band, r->band) == 0)
			return true;
	}
	return false;
}

/*
 * kpi_grade(kpi, value [, segment]): the band of kpi_benchmark whose
 * [lower, upper) holds value.  The rows used are those of (kpi, segment), or
 * of (kpi, 'all') when the segment has none; a user row replaces the shipped
 * row of the same kpi, segment and band.  Overlapping bands: the one with the
 * highest lower bound wins (then the first band name).  NULL when no band
 * holds the value; an unknown kpi is an error listing the known ones.
 */
PG_FUNCTION_INFO_V1(kpi_grade);
Datum
kpi_grade(PG_FUNCTION_ARGS)
{
	char	   *kpi = text_to_cstring(PG_GETARG_TEXT_PP(0));
	double		value = PG_GETARG_FLOAT8(1);
	char	   *segment = PG_NARGS() > 2 ? text_to_cstring(PG_GETARG_TEXT_PP(2)) : "all";
	BenchCache *c = (BenchCache *) fcinfo->flinfo->fn_extra;
	const BenchRow *best = NULL;

	if (isnan(value) || isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value %g to grade is not finite", value),
				 errdetail("kpi_grade grades finite values only.")));
	if (c == NULL)
		fcinfo->flinfo->fn_extra = c = bench_load(fcinfo);

	if (!bench_has(c, kpi, NULL))
	{
		StringInfoData known;
		int			nknown = 0;

		initStringInfo(&known);
		for (int i = 0; i < c->nrows; i++)
		{
			bool		seen = false;

			for (int j = 0; j < i && !seen; j++)
				seen = strcmp(c->rows[j].kpi, c->rows[i].kpi) == 0;
			if (!seen)
				appendStringInfo(&known, "%s%s", nknown++ > 0 ? ", " : "", c->rows[i].kpi);
		}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown kpi \"%s\"", kpi),
				 errdetail("kpi_benchmark has bands for: %s.", nknown > 0 ? known.data : "nothing"),
				 errhint("Add bands for a new KPI with INSERT INTO kpi_benchmark.")));
	}
	if (!bench_has(c, kpi, segment))
		segment = "all";

	for (int i = 0; i < c->nrows; i++)
	{
		const BenchRow *r = &c->rows[i];

		if (strcmp(r->kpi, kpi) != 0 || strcmp(r->segment, segment) != 0)
			continue;
		if (!(value >= r->lower && value < r->upper))
			continue;
		if (r->shipped && bench_overridden(c, r))
			continue;
		if (best == NULL || r->lower > best->lower ||
			(r->lower == best->lower && strcmp(r->band, best->band) < 0))
			best = r;
	}
	if (best == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(best->band));
}

/*
 * Trigger on kpi_benchmark: a row a user inserts or updates is a user row
 * (shipped = false), so pg_dump keeps it and kpi_grade prefers it.
 */
PG_FUNCTION_INFO_V1(kpi_benchmark_mark_user);
Datum
kpi_benchmark_mark_user(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	tuple;
	int			cols[1];
	Datum		values[1] = {BoolGetDatum(false)};
	bool		nulls[1] = {false};

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("kpi_benchmark_mark_user must be called as a BEFORE ROW trigger")));
	desc = trigdata->tg_relation->rd_att;
	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	cols[0] = SPI_fnumber(desc, "shipped");
	/* any table owner can attach this trigger: write only into a boolean column */
	if (cols[0] <= 0 || TupleDescAttr(desc, cols[0] - 1)->atttypid != BOOLOID)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("kpi_benchmark_mark_user must be a trigger on kpi_benchmark"),
				 errdetail("Table \"%s\" has no boolean column \"shipped\".",
						   RelationGetRelationName(trigdata->tg_relation))));
	tuple = heap_modify_tuple_by_cols(tuple, desc, 1, cols, values, nulls);
	return PointerGetDatum(tuple);
}
