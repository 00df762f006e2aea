import { literal } from '../sql.ts';
import { ImportError } from './types.ts';
import type { Db } from '../duck.ts';
import type { CsvSource } from './csv.ts';

/** JSON datasets: an array of records (pandas' `split`/`columns` orientations come later). */
export async function readJsonDataset(db: Db, file: string, _tmpDir: string, _scratch: string[]): Promise<CsvSource> {
  const table = `json_${Math.random().toString(36).slice(2)}`;
  try {
    await db.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM read_json(${literal(file)}, format = 'array')`);
  } catch (err) {
    throw new ImportError('invalid JSON', `the file is not a JSON array of records: ${(err as Error).message.split('\n')[0]}`);
  }
  const described = await db.describe(`SELECT * FROM ${table}`);
  return { sql: `SELECT * FROM ${table}`, names: described.map((d) => d.name), skippedLines: 0, paddedLines: 0 };
}
