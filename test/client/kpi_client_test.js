// test/client/kpi_client_test.js — pg_kpi through node-postgres, as a BI tool
// queries it: named prepared statements (Parse once, Bind/Execute with several
// parameter sets) with bound parameters (confidence, weights arrays, date
// ranges, percentile p, retention mode) — the cases in cases.json, shared with
// the JDBC client.  Every result must arrive as plain JS numbers / arrays /
// strings and equal what psql prints for the same PREPARE / EXECUTE.  Prints
// TAP-style "ok - ..." lines.
//
// Results are read in text format: node-postgres (8.x, pg-protocol) decodes
// every DataRow field as a UTF-8 string, so its `binary: true` mode mangles
// binary values; binary results are tested with JDBC (KpiJdbcTest.java).
//
// Connection: the usual libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE).
'use strict';
const { Client, types } = require('pg');
const { execFileSync } = require('child_process');

// ---- result parsers: plain numbers ----------------------------------------
// node-postgres returns bigint (and bigint[]) as strings by default, since
// they may not fit a double; KPI counts fit, so read them as numbers.
// numeric stays an exact decimal string.
const INT8 = 20, INT4 = 23, FLOAT8 = 701, BOOL = 16, INT8ARR = 1016, FLOAT8ARR = 1022, DATE = 1082;
types.setTypeParser(INT8, (v) => Number(v));
types.setTypeParser(INT8ARR, (v) => v.slice(1, -1).split(',').map((x) => (x === 'NULL' ? null : Number(x))));
types.setTypeParser(DATE, (v) => v); // keep dates as 'YYYY-MM-DD' text

// ---- psql, for the reference output ---------------------------------------
function sqlLiteral(v) {
  if (v === null) return 'NULL';
  if (Array.isArray(v)) return sqlLiteral('{' + v.join(',') + '}');
  return "'" + String(v).replace(/'/g, "''") + "'";
}
function psqlRows(sql, params) {
  const script = `PREPARE q AS ${sql};\nEXECUTE q(${params.map(sqlLiteral).join(', ')});\n`;
  const out = execFileSync('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-P', 'null=<NULL>', '-F', '\x1f', '-R', '\x1e'],
                           { input: script, encoding: 'utf8' });
  const body = out.endsWith('\n') ? out.slice(0, -1) : out;
  return body === '' ? [] : body.split('\x1e').map((r) => r.split('\x1f'));
}

// What a psql text field means, as the JS value the driver should give.
function fromPsql(text, typeId) {
  if (text === '<NULL>') return null;
  switch (typeId) {
    case INT8: case INT4: case FLOAT8: return Number(text);
    case BOOL: return text === 't';
    case INT8ARR: case FLOAT8ARR:
      return text.slice(1, -1) === '' ? [] : text.slice(1, -1).split(',').map((x) => (x === 'NULL' ? null : Number(x)));
    default: return text;   // numeric, text, date, summary types: exact text
  }
}
function same(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return true;
  return a === b;
}
function plainType(v) {
  return v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ||
    (Array.isArray(v) && v.every(plainType));
}

const cases = JSON.parse(require('fs').readFileSync(require('path').join(__dirname, 'cases.json'), 'utf8'));

async function main() {
  const client = new Client();
  await client.connect();
  let failed = 0;
  const say = (ok, msg) => { if (!ok) failed++; console.log(`${ok ? 'ok' : 'not ok'} - client: ${msg}`); };
  let n = 0;
  for (const c of cases) {
    n++;
    if (c.needs) {
      const r = await client.query('SELECT to_regtype($1) IS NOT NULL AS present', [c.needs]);
      if (!r.rows[0].present) { console.log(`ok - client: node-postgres: ${c.name} # SKIP ${c.needs} is not in this build of pg_kpi`); continue; }
    }
    for (const mode of ['text']) {
      let rowsTotal = 0, bad = null;
      const t0 = Date.now();
      try {
        for (const params of c.params) {
          // the same statement name for every parameter set: Parse once, Bind many
          const res = await client.query({ name: `kpi_${n}_${mode}`, text: c.sql, values: params,
                                           rowMode: 'array' });
          const ref = psqlRows(c.sql, params);
          rowsTotal += res.rows.length;
          if (res.rows.length !== ref.length) { bad = `${res.rows.length} rows, psql ${ref.length}`; break; }
          if (res.rows.length === 0) { bad = 'no rows'; break; }
          for (let i = 0; i < ref.length && !bad; i++) {
            res.fields.forEach((f, j) => {
              const got = res.rows[i][j], want = fromPsql(ref[i][j], f.dataTypeID);
              if (bad) return;
              if (!plainType(got)) bad = `column ${f.name} arrived as ${Object.prototype.toString.call(got)}`;
              else if (!same(got, want)) bad = `row ${i + 1} column ${f.name}: driver ${JSON.stringify(got)}, psql ${ref[i][j]}`;
            });
          }
          if (bad) { bad += ` (params ${JSON.stringify(params)})`; break; }
        }
      } catch (e) {
        bad = `error: ${e.message}`;
      }
      say(!bad, `node-postgres: ${c.name} [${mode} results, prepared, ${c.params.length} parameter sets, ${rowsTotal} rows, ${Date.now() - t0} ms]${bad ? ': ' + bad : ' equal psql'}`);
    }
  }
  // Independent sanity: a KPI equals its plain SQL formula, both read as JS numbers.
  const r = await client.query(`SELECT rate(completed) AS k, avg(completed::int)::float8 AS plain FROM events`);
  say(typeof r.rows[0].k === 'number' && Math.abs(r.rows[0].k - r.rows[0].plain) <= 1e-14,
      `node-postgres: rate() arrives as a JS number equal to avg(completed::int) (${r.rows[0].k})`);
  await client.end();
  process.exitCode = failed ? 1 : 0;
}
main().catch((e) => { console.log(`not ok - client: ${e.message}`); process.exitCode = 1; });
