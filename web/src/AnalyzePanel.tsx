import { useEffect, useState } from 'react';
import { analyzeResult, type AnalyzeStats } from '../../src/protocol/messages.ts';
import type { WillowClient } from './api.ts';
import type { ColumnMeta } from './grid/header.ts';
import { typeStyle } from './grid/header.ts';
import { display } from './grid/display.ts';
import { modeList } from './modes.ts';
import { isIntegerText } from './exact-json.ts';

const LABELS: Record<string, string> = {
  invalid: 'Missing',
  unique_count: 'Distinct',
  mode_frequency: 'Mode frequency',
  mean: 'Mean',
  std: 'Std deviation',
  min: 'Min',
  '25%': '25th percentile',
  '50%': 'Median',
  '75%': '75th percentile',
  max: 'Max',
  range: 'Range',
  median: 'Median',
  word_count_min: 'Words per value, min',
  word_count_max: 'Words per value, max',
  word_count_average: 'Words per value, average',
  word_length_min: 'Word length, min',
  word_length_max: 'Word length, max',
  word_length_average: 'Word length, average',
  word_total: 'Words in total',
  word_unique_count: 'Distinct words',
  word_mode_frequency: 'Most common word, count',
};

function fmt(v: unknown, type = '', dateOnly = false): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString() : v.toLocaleString(undefined, { maximumFractionDigits: 6 });
  if (Array.isArray(v)) return v.map((x) => fmt(x, type, dateOnly)).join(', ');
  // An integer beyond 2^53 (an int64 column's min, max, range), read as its digits: grouped as the numbers are, exactly.
  if (isIntegerText(v) && (type === 'int' || type === 'float')) return BigInt(v).toLocaleString();
  return type === 'datetime' ? display(v, type, dateOnly) : String(v);
}

/** The first few modes, and how many more there are. */
function Modes({ title, list, type, dateOnly = false, testId }: { title: string; list: ReturnType<typeof modeList>; type: string; dateOnly?: boolean; testId: string }) {
  return (
    <div className="wide" data-testid={testId}>
      <dt>{title}</dt>
      <dd>
        {list.shown.length === 0 ? '—' : list.shown.map((v) => (v === null ? 'null' : v === '' ? '""' : fmt(v, type, dateOnly))).join(', ')}
        {list.more > 0 ? <span className="more"> … and {list.more.toLocaleString()} more</span> : null}
      </dd>
    </div>
  );
}

function Frequencies({ title, rows, type, dateOnly = false, onPick, testId }: { title: string; rows: [unknown, number][]; type: string; dateOnly?: boolean; onPick?(value: unknown): void; testId: string }) {
  const max = Math.max(1, ...rows.map((r) => r[1]));
  return (
    <div className="freq" data-testid={testId}>
      <h3>{title}</h3>
      <table>
        <tbody>
          {rows.map(([value, count], i) => (
            <tr key={i} className={onPick ? 'clickable' : ''} onClick={() => onPick?.(value)} title={onPick ? 'Show the rows with this value' : undefined}>
              <td className={`v${value === null ? ' null' : ''}`}>{value === null ? 'null' : value === '' ? '""' : type === 'datetime' ? display(value, type, dateOnly) : String(value)}</td>
              <td className="bar">
                <div style={{ width: `${(100 * count) / max}%` }} />
              </td>
              <td className="n">{count.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A column's statistics and frequency tables; clicking a value shows its rows. */
export function AnalyzePanel(props: { client: WillowClient; column: ColumnMeta; rows: number; version: number; onPickValue(value: unknown): void; onError(title: string, text: string): void }) {
  const { client, column, version } = props;
  const [stats, setStats] = useState<AnalyzeStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setStats(null);
    setError(null);
    client
      .request('analyze', { column: column.name }, analyzeResult)
      .then((r) => live && setStats(r.data))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [client, column.name, version]);

  const ts = typeStyle(column.type);
  const skip = new Set(['frequencies', 'word_frequencies', 'mode', 'word_mode']);
  return (
    <div className="analyze-panel">
      <div className="col-title">
        <span className="badge" style={{ color: ts.fg, background: ts.bg }}>
          {ts.label}
        </span>
        <strong>{column.name}</strong>
      </div>
      {error ? <div className="alert error">{error}</div> : null}
      {!stats && !error ? <div className="skeleton-lines" /> : null}
      {stats ? (
        <>
          <dl className="stats" data-testid="analyze-stats">
            {Object.entries(stats)
              .filter(([k]) => !skip.has(k))
              .map(([k, v]) => (
                <div key={k}>
                  <dt>{LABELS[k] ?? k}</dt>
                  <dd>{fmt(v, column.type, column.dateOnly)}</dd>
                </div>
              ))}
            <Modes title="Mode" list={modeList(stats.mode, stats.unique_count, stats.mode_frequency, props.rows - stats.invalid)} type={column.type} dateOnly={column.dateOnly} testId="analyze-mode" />
            {stats.word_mode !== undefined ? <Modes title="Most common word" list={modeList(Array.isArray(stats.word_mode) ? stats.word_mode : [stats.word_mode])} type="" testId="analyze-word-mode" /> : null}
          </dl>
          <Frequencies title="Top values" rows={stats.frequencies} type={column.type} dateOnly={column.dateOnly} onPick={props.onPickValue} testId="analyze-frequencies" />
          {stats.word_frequencies?.length ? <Frequencies title="Top words" rows={stats.word_frequencies} type="" testId="analyze-words" /> : null}
        </>
      ) : null}
    </div>
  );
}
