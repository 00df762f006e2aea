import crypto from 'node:crypto';
import iconv from 'iconv-lite';
import XLSX from 'xlsx';

// Files the upload tests send: generated here, in every format and encoding the import
// must understand, so that no binary fixture has to live in the repository.

export type Cell = string | number | boolean | Date | null | undefined;

/** Delimited text from rows; fields with the delimiter, quotes or newlines are quoted. */
export function delimited(rows: Cell[][], delimiter = ',', newline = '\n'): string {
  const field = (v: Cell): string => {
    if (v === null || v === undefined) return '';
    const text = v instanceof Date ? v.toISOString() : String(v);
    return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return rows.map((r) => r.map(field).join(delimiter)).join(newline) + newline;
}

export const csv = (rows: Cell[][]): string => delimited(rows, ',');
export const tsv = (rows: Cell[][]): string => delimited(rows, '\t');

/** An Excel workbook whose first sheet holds `rows` (a second sheet proves only the first is read). */
export function workbook(rows: Cell[][], bookType: 'xlsx' | 'biff8', extraSheet?: Cell[][]): Buffer {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows as unknown[][], { cellDates: false }), 'First');
  if (extraSheet) XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(extraSheet as unknown[][]), 'Second');
  return XLSX.write(wb, { bookType, type: 'buffer' }) as Buffer;
}

export const xlsx = (rows: Cell[][], extraSheet?: Cell[][]): Buffer => workbook(rows, 'xlsx', extraSheet);
export const xls = (rows: Cell[][], extraSheet?: Cell[][]): Buffer => workbook(rows, 'biff8', extraSheet);

/** Text in a single-byte Western encoding (é = 0xE9, £ = 0xA3, € = 0x80 in windows-1252). */
export const windows1252 = (text: string): Buffer => iconv.encode(text, 'windows-1252');
export const latin1 = (text: string): Buffer => iconv.encode(text, 'latin1');
export const utf8Bom = (text: string): Buffer => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
export const utf16le = (text: string, bom = true): Buffer => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);

/**
 * A Latin-1 CSV whose first `asciiBytes` bytes are pure ASCII (so a detector that only reads
 * the head takes it for UTF-8) and whose later rows hold é, ü and £.
 */
export function latin1WithAsciiHead(asciiBytes = 100 * 1024): { content: Buffer; asciiRows: number; tail: string[][] } {
  const header = 'id,name,price\n';
  const lines: string[] = [];
  let size = header.length;
  let i = 0;
  while (size < asciiBytes) {
    const line = `${i},plain${i},${i % 100}\n`;
    lines.push(line);
    size += line.length;
    i++;
  }
  const tail = [
    [String(i), 'café', '£5'],
    [String(i + 1), 'Müller', '£12'],
  ];
  const text = header + lines.join('') + tail.map((r) => r.join(',')).join('\n') + '\n';
  return { content: latin1(text), asciiRows: i, tail };
}

export const jsonRecords = (records: Record<string, unknown>[]): string => JSON.stringify(records);
export const jsonSplit = (columns: string[], data: unknown[][]): string => JSON.stringify({ columns, index: data.map((_, i) => i), data });
/** pandas' `columns` orientation: {column: {rowLabel: value}}. */
export function jsonColumns(columns: string[], data: unknown[][]): string {
  const out: Record<string, Record<string, unknown>> = {};
  columns.forEach((c, j) => {
    out[c] = {};
    data.forEach((row, i) => {
      out[c][String(i)] = row[j];
    });
  });
  return JSON.stringify(out);
}

/** Bytes that are no known file format (deterministic, so failures reproduce). */
export function randomBytes(n: number, seed = 'willow'): Buffer {
  const out = Buffer.alloc(n);
  let block = Buffer.alloc(0);
  for (let i = 0; i < n; i++) {
    if (i % 32 === 0) block = crypto.createHash('sha256').update(`${seed}:${i}`).digest();
    out[i] = block[i % 32];
  }
  return out;
}

/** A numbered CSV: column `n` holds 0…rows-1, column `sq` its square, `tag` a label. */
export function numbered(rows: number): string {
  const lines = ['n,sq,tag'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${i * i},t${i % 7}`);
  return lines.join('\n') + '\n';
}

/** 1M rows, about 30 MB: far more than a download's pipe, relay blocks and socket buffers hold. */
export function millionRowCsv(): string {
  const lines = ['id,a,s'];
  for (let i = 0; i < 1_000_000; i++) lines.push(`${i},${i * 2},text number ${i % 1000}`);
  return lines.join('\n') + '\n';
}
