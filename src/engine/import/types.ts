import { z } from 'zod';

// Upload form fields, as older clients send them (all multipart fields are text).
const optionalText = z.string().trim().optional().transform((v) => (v === undefined || v === '' || v === 'null' || v === 'undefined' ? undefined : v));

export const importOptionsSchema = z.object({
  initialSkip: optionalText.pipe(z.coerce.number<string>().int('initialSkip must be a whole number of lines, at most 9007199254740991').min(0, 'initialSkip must be ≥ 0').optional()).transform((v) => v ?? 0),
  sampleSize: optionalText
    .pipe(z.coerce.number<string>().gt(0, 'sampleSize must be above 0').max(100, 'sampleSize must be a proportion in (0, 1] or a percentage up to 100').optional())
    // Older clients send 100 for "everything": above 1 it is a percentage.
    .transform((v) => (v === undefined ? 1 : v > 1 ? v / 100 : v)),
  seed: optionalText.pipe(z.coerce.number<string>().int('seed must be an integer from -9007199254740991 to 9007199254740991').optional()),
  headerIncluded: optionalText.pipe(z.enum(['true', 'false', 'True', 'False', '1', '0']).optional()).transform((v) => v === undefined || v === 'true' || v === 'True' || v === '1'),
  // pandas read_excel's sheet_name: a sheet's name, or its 0-based position; the first sheet when absent.
  sheetName: z.string().optional().transform((v) => (v === undefined || v === '' ? undefined : v)),
});

export type ImportOptions = z.infer<typeof importOptionsSchema>;

export interface ImportReport {
  rows: number;
  columns: number;
  /** Lines dropped because they had more fields than the header (or could not be parsed). */
  skippedLines: number;
  /** Lines with fewer fields than the header, completed with missing values. */
  paddedLines: number;
  /** The first few skipped lines (at most 5), so that a person can find them in the file. */
  skippedLineExamples?: LineExample[];
  /** The first few padded lines (at most 5). */
  paddedLineExamples?: LineExample[];
  /** An Excel workbook's sheet that was imported, and all its sheets in their order. */
  sheetName?: string;
  sheetNames?: string[];
}

/** A line of an uploaded file an import report names: 1-based, as an editor numbers lines (`\r\n`, `\n` and a bare `\r` each end one), and its text, cut to 200 characters. */
export interface LineExample {
  line: number;
  text: string;
}

/** A problem with the uploaded file itself: answered with 400 and this description. */
export class ImportError extends Error {
  readonly code: string;
  constructor(code: string, description: string) {
    super(description);
    this.name = 'ImportError';
    this.code = code;
  }
}
