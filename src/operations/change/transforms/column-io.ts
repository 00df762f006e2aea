import { DuckDBDataChunk, DOUBLE } from '@duckdb/node-api';
import { ident } from '../../../engine/sql.ts';
import type { Db } from '../../../engine/duck.ts';

// For the few computations that cannot be one SQL expression (interpolation by splines and
// the like): read one numeric column once, in row order, as a Float64Array, and hand a
// computed column back as a temp table that the engine joins positionally.

/** The column's values as doubles in row order; missing values (NULL, NaN) are NaN. */
export async function readNumbers(db: Db, column: string, rows: number): Promise<Float64Array> {
  const out = new Float64Array(rows).fill(NaN);
  const result = await db.connection.run(`SELECT CAST(${ident(column)} AS DOUBLE) AS v FROM df_pos ORDER BY __pos`);
  let at = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const v of chunk.getColumnValues(0)) {
      if (v !== null) out[at] = v as number;
      at++;
    }
  }
  if (at !== rows) throw new Error(`read ${at} values of a column with ${rows} rows`);
  return out;
}

let counter = 0;

/**
 * Write values (NaN → NULL) as a one-column temp table on this connection, one row per
 * dataset row in row order. Returns the qualified column to use in a ColumnPlan expression
 * and the table to list in `joins`.
 */
export async function writeNumbers(db: Db, values: Float64Array): Promise<{ table: string; column: string }> {
  const table = `__willow_values_${++counter}`;
  await db.run(`CREATE TEMP TABLE ${ident(table)} (v DOUBLE)`);
  const appender = await db.connection.createAppender(table, 'main', 'temp');
  const size = 2048;
  const chunk = DuckDBDataChunk.create([DOUBLE], size);
  try {
    for (let start = 0; start < values.length; start += size) {
      const n = Math.min(size, values.length - start);
      const batch: (number | null)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[start + i];
        batch[i] = Number.isNaN(v) ? null : v;
      }
      chunk.rowCount = n;
      chunk.setColumnValues(0, batch);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return { table: ident(table), column: `${ident(table)}.v` };
}
