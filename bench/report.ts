// Figures, targets and Markdown tables.

export const MB = 1_000_000;

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: p99 of 30 samples is the largest one.
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export const fmtMs = (ms: number): string => (!Number.isFinite(ms) ? '—' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);

export function fmtBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${bytes} B`;
}

export const fmtRatio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '—');

export const fmtRate = (bytes: number, ms: number): string => `${(bytes / MB / (ms / 1000)).toFixed(1)} MB/s`;

/** A target a figure should meet: at most (`max`) or at least (`min`) a value. */
export interface Target {
  max?: number;
  min?: number;
  /** How the target reads in the table, e.g. "≤ 12 s". */
  label: string;
}

export const TARGETS = {
  upload: { max: 12_000, label: '≤ 12 s' },
  peakRss: { max: 1.5e9, label: '≤ 1.5 GB' },
  slicePlain: { max: 50, label: 'p50 ≤ 50 ms' },
  sliceSorted: { max: 500, label: 'p50 ≤ 500 ms' },
  download: { min: 100, label: '≥ 100 MB/s' },
  singleColumnOp: { max: 1000, label: '≤ 1 s' },
  anyOp: { max: 5000, label: '≤ 5 s' },
  undo: { max: 500, label: '≤ 0.5 s' },
  analyze: { max: 1000, label: '≤ 1 s' },
  chart: { max: 2000, label: '≤ 2 s' },
  png: { max: 300_000, label: '≤ 300 KB' },
  // Ratios to DuckDB's own speed on the same file in the same run (bench/floors.ts).
  importRatio: { max: 1.25, label: '≤ 1.25× DuckDB read_csv → Parquet' },
  downloadRatio: { min: 0.8, label: '≥ 0.8× DuckDB COPY … TO' },
  firstByte: { max: 1000, label: '≤ 1 s' },
  webFirstRows: { max: 1500, label: '≤ 1.5 s' },
  webLastRow: { max: 300, label: '≤ 300 ms' },
  webDroppedFrames: { max: 5, label: '≤ 5 %' },
  webBundle: { max: 600_000, label: '≤ 600 KB' },
} satisfies Record<string, Target>;

export function verdict(value: number, target: Target | undefined): string {
  if (!target) return '';
  if (!Number.isFinite(value)) return 'FAIL';
  if (target.max !== undefined && value > target.max) return 'FAIL';
  if (target.min !== undefined && value < target.min) return 'FAIL';
  return 'pass';
}

export class Table {
  readonly title: string;
  readonly headers: string[];
  readonly rows: string[][] = [];
  readonly notes: string[] = [];

  constructor(title: string, headers: string[]) {
    this.title = title;
    this.headers = headers;
  }

  add(...cells: (string | number)[]): void {
    this.rows.push(cells.map(String));
  }

  note(text: string): void {
    this.notes.push(text);
  }

  markdown(): string {
    const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
    const line = (cells: string[]) => `| ${cells.map(esc).join(' | ')} |`;
    const out = [`### ${this.title}`, '', line(this.headers), line(this.headers.map(() => '---'))];
    for (const row of this.rows) out.push(line(row));
    for (const n of this.notes) out.push('', n);
    return out.join('\n');
  }
}

/** Summary of an error for a table cell. */
export function shortProblem(problem: string | undefined, max = 120): string {
  const p = (problem ?? 'failed').replace(/\s+/g, ' ').trim();
  return p.length > max ? `${p.slice(0, max - 1)}…` : p;
}
