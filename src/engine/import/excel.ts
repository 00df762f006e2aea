import fs from 'node:fs';
import * as XLSX from 'xlsx';
import { ImportError } from './types.ts';

/**
 * First sheet of an .xlsx or .xls workbook to a UTF-8 CSV file, skipping `skipRows` rows.
 * Runs on a CPU worker thread: parsing a workbook is synchronous JavaScript.
 */
export async function excelToCsv(input: string, output: string, skipRows: number): Promise<{ rows: number }> {
  let workbook: XLSX.WorkBook;
  try {
    workbook = XLSX.read(fs.readFileSync(input), { type: 'buffer', cellDates: true, dense: true });
  } catch (err) {
    throw new ImportError('unreadable Excel file', `the workbook could not be read: ${(err as Error).message}`);
  }
  const name = workbook.SheetNames[0];
  if (!name) throw new ImportError('empty file', 'the workbook has no sheet');
  const sheet = workbook.Sheets[name];
  const rows = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: true, defval: null, blankrows: false });
  const body = rows.slice(skipRows);
  if (body.length === 0) throw new ImportError('empty file', `the first sheet (${name}) has no rows${skipRows ? ' after initialSkip' : ''}`);
  const out = fs.createWriteStream(output);
  for (const row of body) out.write(row.map(csvField).join(',') + '\n');
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { rows: body.length };
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '');
  else text = String(value);
  return /[",\n\r]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}
