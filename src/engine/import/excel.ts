import fs from 'node:fs';
import XLSX from 'xlsx';
import { ImportError } from './types.ts';
import { clientText } from '../../operations/errors.ts';
import { PANDAS_NA } from './na.ts';
import type { InferredType } from './csv.ts';
import { PANDAS_MAX_MS, PANDAS_MIN_MS } from '../date-precision.ts';
import { checkXlsxPackage, type InflateLimits } from './zip-limits.ts';

const DEFAULT_LIMITS: InflateLimits = { maxInflatedBytes: 200_000_000, maxCells: 5_000_000 };

// Container signatures: .xlsx is a ZIP archive, .xls (BIFF) an OLE2 compound file. SheetJS
// reads almost anything (CSV, HTML, plain text…) as a "workbook", so without this check a
// random or mislabelled file would import as garbage instead of being refused.
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const CFB = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export interface ExcelCsv {
  /** Rows written (header included). */
  rows: number;
  /** The sheet read, and every sheet of the workbook in its order. */
  sheetName: string;
  sheetNames: string[];
  /** Column types from the cells' own types: over all rows, and over all rows but the first (when it is the header). */
  typesAll: (InferredType | null)[];
  typesBody: (InferredType | null)[];
}

type Kind = 'int' | 'float' | 'bool' | 'date' | 'text';

const MS_PER_DAY = 86_400_000;
const NA = new Set(PANDAS_NA);

/**
 * One sheet of an .xlsx or .xls workbook to a UTF-8 CSV file, skipping `skipRows` rows: the
 * sheet named `sheetName` (pandas read_excel's sheet_name; a name is matched exactly, else
 * digits are a 0-based position), the first when it is undefined. Runs on a CPU worker
 * thread: parsing a workbook is synchronous JavaScript.
 *
 * @throws ImportError 'unknown sheet' naming the workbook's sheets when there is no such sheet.
 *
 * Like pandas.read_excel: `skipRows` counts sheet rows from the top (blank ones too), blank
 * rows are then dropped, and each column's type comes from its cells (a text cell "007"
 * stays text; a date cell is a datetime whatever its display format). pandas' missing
 * tokens (na.ts) make text cells missing, but not in the header row (`header`): names are
 * never missing values.
 */
export async function excelToCsv(input: string, output: string, skipRows: number, header = true, limits: InflateLimits = DEFAULT_LIMITS, sheetName?: string): Promise<ExcelCsv> {
  const bytes = fs.readFileSync(input);
  if (!startsWith(bytes, ZIP) && !startsWith(bytes, CFB)) {
    throw new ImportError('unreadable Excel file', 'the file is not an Excel workbook (neither an .xlsx ZIP package nor an .xls compound file)');
  }
  // Inflated size and cell count are checked before SheetJS inflates and parses it all.
  if (startsWith(bytes, ZIP)) await checkXlsxPackage(bytes, limits);
  const read = (options: XLSX.ParsingOptions): XLSX.WorkBook => {
    try {
      return XLSX.read(bytes, { type: 'buffer', cellDates: false, cellNF: true, cellText: false, cellHTML: false, cellFormula: false, ...options });
    } catch (err) {
      throw new ImportError('unreadable Excel file', `the workbook could not be read: ${clientText((err as Error).message)}`);
    }
  };
  // SheetJS parses only the sheets asked for; a sheet asked for by name is found in the list
  // of names alone (bookSheets), so the first sheet is not parsed for nothing.
  const listed = sheetName === undefined ? undefined : (read({ bookSheets: true }).SheetNames ?? []);
  const chosen = listed === undefined ? undefined : chooseSheet(listed, sheetName!);
  const workbook = read({ sheets: chosen ?? 0 });
  const sheetNames = listed ?? workbook.SheetNames ?? [];
  const name = chosen ?? sheetNames[0];
  const sheet = name !== undefined ? workbook.Sheets[name] : undefined;
  if (name === undefined || !sheet) throw new ImportError('unreadable Excel file', 'the workbook has no sheet');
  const date1904 = !!workbook.Workbook?.WBProps?.date1904;

  const range = usedRange(sheet);
  const rows: { text: string[]; kinds: (Kind | null)[] }[] = [];
  let width = 0;
  if (range) {
    // The loops below visit every position of the cells' bounding box (two cells, at A1 and
    // XFD1048576, span the whole sheet), so it is bounded like the cells themselves.
    const area = (range.e.r - Math.max(range.s.r, skipRows) + 1) * (range.e.c - range.s.c + 1);
    if (area > limits.maxCells) {
      throw new ImportError('workbook too large', `the sheet ${JSON.stringify(name)} spans ${range.e.r - range.s.r + 1} rows × ${range.e.c - range.s.c + 1} columns, more than ${limits.maxCells} cells (MAX_EXCEL_CELLS)`);
    }
    const letters = Array.from({ length: range.e.c - range.s.c + 1 }, (_, k) => XLSX.utils.encode_col(range.s.c + k));
    // Rows above the used range are blank rows of the sheet: they count for skipRows.
    for (let r = Math.max(range.s.r, skipRows); r <= range.e.r; r++) {
      const text: string[] = [];
      const kinds: (Kind | null)[] = [];
      let last = -1;
      for (let k = 0; k < letters.length; k++) {
        const cell = sheet[letters[k] + (r + 1)] as XLSX.CellObject | undefined;
        let value = cellValue(cell, date1904);
        if (value?.kind === 'text' && NA.has(value.text) && !(header && rows.length === 0)) value = null;
        text.push(value ? value.text : '');
        kinds.push(value ? value.kind : null);
        if (value) last = k;
      }
      if (last < 0) continue; // blank row
      width = Math.max(width, last + 1);
      rows.push({ text, kinds });
    }
  }
  if (rows.length === 0) {
    const others = sheetNames.filter((n) => n !== name);
    const hint = others.length ? `; the workbook's other sheets: ${others.map((n) => JSON.stringify(n)).join(', ')} (choose one with sheetName)` : '';
    throw new ImportError('empty file', `the sheet ${JSON.stringify(name)} has no rows${skipRows ? ' after initialSkip' : ''}${hint}`);
  }

  const out = fs.createWriteStream(output);
  let chunk = '';
  for (const row of rows) {
    chunk += row.text.slice(0, width).map(csvField).join(',') + '\n';
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { rows: rows.length, sheetName: name, sheetNames, typesAll: columnTypes(rows, 0, width), typesBody: columnTypes(rows, 1, width) };
}

/**
 * The bounding box of a sheet's cells (0-based rows and columns), null when it has none.
 * Not the sheet's declared range (`!ref`, from the <dimension> element of an .xlsx or the
 * DIMENSIONS record of an .xls), which writers that edit a file without updating it leave
 * too small (rows and columns past it were dropped without a word) or too large; openpyxl,
 * which pandas.read_excel uses, likewise resets it and reads every cell (reset_dimensions).
 */
function usedRange(sheet: XLSX.WorkSheet): XLSX.Range | null {
  let range: XLSX.Range | null = null;
  for (const key of Object.keys(sheet)) {
    if (key.startsWith('!')) continue;
    const { r, c } = XLSX.utils.decode_cell(key);
    if (!range) range = { s: { r, c }, e: { r, c } };
    else {
      range.s.r = Math.min(range.s.r, r);
      range.s.c = Math.min(range.s.c, c);
      range.e.r = Math.max(range.e.r, r);
      range.e.c = Math.max(range.e.c, c);
    }
  }
  return range;
}

/** The sheet `wanted` names among `names`: by exact name, else digits as a 0-based position (pandas' sheet_name=2). */
function chooseSheet(names: string[], wanted: string): string {
  if (names.includes(wanted)) return wanted;
  if (/^\d+$/.test(wanted) && Number(wanted) < names.length) return names[Number(wanted)];
  const list = names.map((n) => JSON.stringify(n)).join(', ');
  throw new ImportError('unknown sheet', `sheetName ${JSON.stringify(wanted)} is not a sheet of the workbook (names are matched exactly, or a position from 0); its sheets: ${list}`);
}

function startsWith(buf: Buffer, signature: number[]): boolean {
  return buf.length >= signature.length && signature.every((b, i) => buf[i] === b);
}

/** A cell as CSV text and the kind of value it holds; null when it is missing. */
function cellValue(cell: XLSX.CellObject | undefined, date1904: boolean): { text: string; kind: Kind } | null {
  if (!cell || cell.v === undefined || cell.v === null) return null;
  switch (cell.t) {
    case 'b':
      // As Python's str() writes a bool: an object column (a mix of kinds) holds it so.
      return { text: cell.v ? 'True' : 'False', kind: 'bool' };
    case 'n': {
      const v = cell.v as number;
      if (!Number.isFinite(v)) return null;
      if (cell.z !== undefined && XLSX.SSF.is_date(cell.z)) return serialDate(v, date1904);
      return { text: String(v), kind: Number.isSafeInteger(v) ? 'int' : 'float' };
    }
    case 'd': {
      const d = cell.v instanceof Date ? cell.v : new Date(String(cell.v));
      return Number.isNaN(d.getTime()) ? null : dateCell(d.getTime());
    }
    case 'e':
    case 'z':
      return null; // #N/A, #DIV/0! and stubs: missing, as pandas reads them
    default:
      return { text: String(cell.v), kind: 'text' };
  }
}

/**
 * An Excel serial date (days since 1899-12-30, or 1904-01-01) as timestamp text, computed
 * in UTC arithmetic so that the server's time zone cannot shift it. Serials below 1 are
 * times of day, which pandas keeps as text-like objects.
 */
function serialDate(serial: number, date1904: boolean): { text: string; kind: Kind } {
  if (!date1904 && serial < 1) {
    const ms = Math.round(serial * MS_PER_DAY);
    return { text: isoText(ms).slice(11), kind: 'text' };
  }
  // Excel's 1900 system counts a 29 February 1900 that never was: serials before it are a day later.
  const days = date1904 ? serial + 1462 : serial < 60 ? serial + 1 : serial;
  return dateCell(Math.round((days - 25569) * MS_PER_DAY));
}

/**
 * A date cell at `ms` since the epoch: a datetime within pandas' range, else text written as
 * Python's str(datetime) writes it (the text is the same), which makes its column text, as
 * pandas keeps an out-of-range datetime (year 9999) as an object.
 */
function dateCell(ms: number): { text: string; kind: Kind } {
  return { text: isoText(ms), kind: ms >= PANDAS_MIN_MS && ms <= PANDAS_MAX_MS ? 'date' : 'text' };
}

function isoText(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2020-01-15T10:30:05.123Z
  const millis = iso.slice(20, 23);
  return iso.slice(0, 10) + ' ' + iso.slice(11, 19) + (millis === '000' ? '' : '.' + millis);
}

function columnTypes(rows: { kinds: (Kind | null)[] }[], from: number, width: number): (InferredType | null)[] {
  const types: (InferredType | null)[] = [];
  for (let c = 0; c < width; c++) {
    const seen = new Set<Kind>();
    for (let r = from; r < rows.length; r++) {
      const k = rows[r].kinds[c];
      if (k) seen.add(k);
    }
    types.push(typeOf(seen));
  }
  return types;
}

function typeOf(kinds: Set<Kind>): InferredType | null {
  if (kinds.size === 0) return null; // all missing: decided like any other empty column (inferTypes: float, as pandas' read_excel)
  if ([...kinds].every((k) => k === 'int')) return 'BIGINT';
  if ([...kinds].every((k) => k === 'int' || k === 'float')) return 'DOUBLE';
  if (kinds.size === 1 && kinds.has('bool')) return 'BOOLEAN';
  if (kinds.size === 1 && kinds.has('date')) return 'TIMESTAMP';
  return 'VARCHAR'; // text, or a mix of kinds: pandas' object column
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}
