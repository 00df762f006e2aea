// What the upload answer says was changed on the way in (API.md "POST /upload"): lines of a
// delimited-text file that did not fit the header were skipped (too many fields) or padded
// with missing values (too few). The dataset opens all the same, so the workbench says so
// until the person dismisses it: a row lost silently is the worst outcome of an import.
//
// The answer holds the counts and the first few of each kind of line (number and text), so
// that they can be found in the file; an Excel workbook's other sheets are not reported at all
// (the server imports the first sheet and says nothing of the rest).

import { countOf } from './words.ts';

/** The parts of a successful upload answer this module reads. */
export interface ImportReport {
  skippedLines?: number;
  paddedLines?: number;
  sheetName?: string;
  sheetNames?: string[];
  skippedLineExamples?: LineExample[];
  paddedLineExamples?: LineExample[];
}

/** A line of the file the answer names: its 1-based number as an editor counts, and its text. */
export interface LineExample {
  line: number;
  text: string;
}

/** The file's name and what its import changed, kept for the workbench. */
export interface ImportNotice {
  file: string;
  skippedLines: number;
  paddedLines: number;
  /** The first few of each (absent in notices kept before the server named lines). */
  skippedLineExamples?: LineExample[];
  paddedLineExamples?: LineExample[];
  /** A workbook of several sheets: the one imported, and the others (which are not). */
  sheetName?: string;
  otherSheets?: string[];
}

/** The notice an upload answer calls for, or null when every line was imported as it was and nothing was left out. */
export function importNotice(file: string, report: ImportReport): ImportNotice | null {
  const skippedLines = report.skippedLines ?? 0;
  const paddedLines = report.paddedLines ?? 0;
  const otherSheets = (report.sheetNames ?? []).filter((n) => n !== report.sheetName);
  if (skippedLines === 0 && paddedLines === 0 && otherSheets.length === 0) return null;
  const { skippedLineExamples, paddedLineExamples, sheetName } = report;
  return {
    file,
    skippedLines,
    paddedLines,
    ...(skippedLineExamples?.length && { skippedLineExamples }),
    ...(paddedLineExamples?.length && { paddedLineExamples }),
    ...(otherSheets.length && sheetName !== undefined && { sheetName, otherSheets }),
  };
}

/**
 * The lines a notice names, in words: `line 4: Ann,1,000` each, and how many more there are
 * (`count` lines of that kind in all). Empty when the answer named none.
 */
export function lineExamplesText(examples: LineExample[] | undefined, count: number): string[] {
  if (!examples?.length) return [];
  const more = count - examples.length;
  return [...examples.map((e) => `line ${e.line.toLocaleString()}: ${e.text}`), ...(more > 0 ? [`and ${countOf(more, 'more line')}`] : [])];
}

/** The notice in sentences: what happened to how many lines, and why. */
export function importNoticeText(n: ImportNotice): string[] {
  const out: string[] = [];
  const were = (k: number) => (k === 1 ? 'was' : 'were');
  if (n.skippedLines > 0) out.push(`${countOf(n.skippedLines, 'line')} of ${n.file} ${were(n.skippedLines)} skipped and ${n.skippedLines === 1 ? 'is' : 'are'} not in the dataset: ${n.skippedLines === 1 ? 'it had' : 'they had'} more fields than the header (often an unquoted comma inside a value, such as 1,000).`);
  if (n.paddedLines > 0) out.push(`${countOf(n.paddedLines, 'line')} of ${n.file} had fewer fields than the header and ${were(n.paddedLines)} completed with missing values.`);
  if (n.otherSheets?.length) {
    const others = n.otherSheets.map((s) => `“${s}”`).join(', ');
    out.push(`${n.file} has ${countOf(n.otherSheets.length + 1, 'sheet')}: “${n.sheetName}” was imported, not ${others}. To work on another, upload the file again with its name under Import options → Excel sheet.`);
  }
  return out;
}
