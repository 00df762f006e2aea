import { useEffect, useRef, useState } from 'react';
import { visualizeResult, type VisualizeResult } from '../../src/protocol/messages.ts';
import type { WillowClient } from './api.ts';
import type { ColumnMeta } from './grid/header.ts';
import { positionOf } from './ops.ts';
import { chartErrorText, chartUnavailable, countsWords, hasYColumns, isNumericColumn as numeric, xColumnsFor, yColumnsFor, type ChartType } from './chart-columns.ts';

const TYPES: { id: ChartType; label: string }[] = [
  { id: 'histogram', label: 'Histogram' },
  { id: 'frequency', label: 'Frequency' },
  { id: 'scatter', label: 'Scatter' },
  { id: 'line', label: 'Line' },
  { id: 'date', label: 'Time series' },
];

/** The server's limit (MAX_BINS in src/operations/analysis/charts.ts). */
const MAX_BINS = 1000;
const NO_AXIS = { xs: '', xe: '', ys: '', ye: '' };

/** Chart type, columns (by name: positions change when columns come and go), bins and axis window; the server draws the PNG. */
export function ChartPanel(props: { client: WillowClient; columns: ColumnMeta[]; initialColumn?: string; version: number }) {
  const { client, columns } = props;
  const first = props.initialColumn ?? (columns.find(numeric) ?? columns[0]).name;
  const [type, setTypeState] = useState<ChartType>(numeric(columns.find((c) => c.name === first)) ? 'histogram' : 'frequency');
  const [x, setXState] = useState<string>(first);
  const [ys, setYs] = useState<string[]>(() => {
    const other = columns.find((c) => c.name !== first && numeric(c));
    return other ? [other.name] : [];
  });
  const [bins, setBins] = useState('10');
  const [useWords, setUseWords] = useState(false);
  // The axis window belongs to one chart: a new type or X column starts from automatic bounds.
  const [axis, setAxis] = useState(NO_AXIS);
  // Only the columns a chart type can draw are offered; a new type keeps X and the Y columns
  // where it can take them, else starts from the first it can.
  const xOptions = xColumnsFor(type, columns);
  const yOptions = yColumnsFor(type, columns, x);
  const unavailable = chartUnavailable(type, columns);
  const setType = (t: ChartType) => {
    if (t === type) return;
    setAxis(NO_AXIS);
    setTypeState(t);
    const xs = xColumnsFor(t, columns);
    const nextX = xs.some((c) => c.name === x) ? x : (xs.find((c) => yColumnsFor(t, columns, c.name).length > 0) ?? xs[0])?.name ?? x;
    setXState(nextX);
    if (hasYColumns(t)) {
      const allowed = yColumnsFor(t, columns, nextX).map((c) => c.name);
      const kept = ys.filter((y) => allowed.includes(y));
      setYs(kept.length ? kept : allowed.slice(0, 1));
    }
    if (t === 'frequency' && !countsWords(columns.find((c) => c.name === nextX))) setUseWords(false);
  };
  const setX = (name: string) => {
    if (name !== x) setAxis(NO_AXIS);
    setXState(name);
    setYs((old) => old.filter((y) => y !== name)); // X is never also a Y
    if (!countsWords(columns.find((c) => c.name === name))) setUseWords(false);
  };
  const position = (name: string) => positionOf(columns, name);
  const chart = useRef('');
  chart.current = `${type}|${x}`;
  const [result, setResult] = useState<VisualizeResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // A chart that failed leaves no chart: the one drawn before is not what was asked for.
  const fail = (text: string) => {
    setBusy(false);
    setResult(null);
    setError(text);
  };

  const draw = async (withAxis: boolean) => {
    setBusy(true);
    setError(null);
    const p: Record<string, unknown> = { type };
    const gone = [x, ...(type === 'histogram' || type === 'frequency' ? [] : ys)].filter((n) => position(n) < 0);
    if (gone.length) {
      return fail(`The column${gone.length > 1 ? 's' : ''} ${gone.map((n) => `“${n}”`).join(', ')} no longer exist${gone.length > 1 ? '' : 's'}: choose another.`);
    }
    const xi = position(x);
    if (type === 'histogram') {
      const n = Number(bins);
      if (!Number.isInteger(n) || n < 1 || n > MAX_BINS) return fail(`The number of bins is a whole number from 1 to ${MAX_BINS}.`);
      p.columnIndices = [xi];
      p.numberOfBins = n;
    } else if (type === 'frequency') {
      p.columnIndex = xi;
      p.useWords = useWords;
    } else {
      if (ys.length === 0) return fail('Choose at least one Y column.');
      p.xColumnIndex = xi;
      p.yColumnIndices = ys.map(position);
    }
    if (withAxis && type !== 'frequency') {
      const bound = (s: string) => (s.trim() === '' ? null : type === 'date' && !/^-?[\d.]+$/.test(s.trim()) ? s.trim() : Number(s));
      const a = { x: { start: bound(axis.xs), end: bound(axis.xe) }, y: { start: bound(axis.ys), end: bound(axis.ye) } };
      if ([a.x.start, a.x.end, a.y.start, a.y.end].some((v) => typeof v === 'number' && !Number.isFinite(v))) return fail('Axis bounds are numbers (or dates for a time series).');
      p.axis = a;
    }
    try {
      const r = await client.request('visualize', p, visualizeResult);
      setResult(r);
      const s = (v: unknown) => (v === null || v === undefined ? '' : String(v));
      // Not when the chart type or X changed while it was drawn: that chart starts from automatic axes.
      if (r.axis && chart.current === `${type}|${x}`) setAxis({ xs: s(r.axis.x?.start), xe: s(r.axis.x?.end), ys: s(r.axis.y?.start), ye: s(r.axis.y?.end) });
    } catch (e) {
      fail(chartErrorText((e as Error).message));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (result) void draw(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.version]);

  // A column the chart cannot take (gone, or its type changed since it was chosen) stays
  // shown as chosen, marked, so the form never silently draws another one.
  const why = (name: string) => (position(name) < 0 ? 'no longer exists' : 'cannot be drawn in this chart');
  const colSelect = (value: string, onChange: (v: string) => void, testId: string) => (
    <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      {xOptions.map((c) => (
        <option key={c.name} value={c.name}>
          {c.name}
        </option>
      ))}
      {!xOptions.some((c) => c.name === value) ? (
        <option value={value} disabled>
          {value} ({why(value)})
        </option>
      ) : null}
    </select>
  );

  return (
    <div className="chart-panel">
      <div className="seg" role="tablist">
        {TYPES.map((t) => (
          <button key={t.id} className={type === t.id ? 'on' : ''} onClick={() => setType(t.id)} role="tab" aria-selected={type === t.id}>
            {t.label}
          </button>
        ))}
      </div>
      <div className="field">
        <label>{type === 'histogram' || type === 'frequency' ? 'Column' : 'X column'}</label>
        {colSelect(x, setX, 'chart-x')}
      </div>
      {type === 'histogram' ? (
        <div className="field">
          <label>Bins</label>
          <input value={bins} onChange={(e) => setBins(e.target.value)} inputMode="numeric" data-testid="chart-bins" />
        </div>
      ) : null}
      {type === 'frequency' ? (
        <label className="check">
          <input type="checkbox" checked={useWords} disabled={!countsWords(columns.find((c) => c.name === x))} onChange={(e) => setUseWords(e.target.checked)} /> Count words instead of values (text columns)
        </label>
      ) : null}
      {type === 'scatter' || type === 'line' || type === 'date' ? (
        <div className="field">
          <label>Y columns</label>
          <div className="checklist short">
            {yOptions.map((c) => (
              <label key={c.name} className={ys.includes(c.name) ? 'on' : ''}>
                <input type="checkbox" checked={ys.includes(c.name)} onChange={() => setYs(ys.includes(c.name) ? ys.filter((v) => v !== c.name) : [...ys, c.name])} data-testid={`chart-y-${c.name}`} />
                <span>{c.name}</span>
              </label>
            ))}
            {ys
              .filter((y) => !yOptions.some((c) => c.name === y))
              .map((y) => (
                <label key={y} className="on">
                  <input type="checkbox" checked onChange={() => setYs(ys.filter((v) => v !== y))} />
                  <span>
                    {y} ({why(y)})
                  </span>
                </label>
              ))}
          </div>
        </div>
      ) : null}
      {type !== 'frequency' ? (
        <fieldset className="axis">
          <legend>Axis window (empty: automatic)</legend>
          <input placeholder="x from" value={axis.xs} onChange={(e) => setAxis({ ...axis, xs: e.target.value })} data-testid="axis-xs" />
          <input placeholder="x to" value={axis.xe} onChange={(e) => setAxis({ ...axis, xe: e.target.value })} data-testid="axis-xe" />
          <input placeholder="y from" value={axis.ys} onChange={(e) => setAxis({ ...axis, ys: e.target.value })} />
          <input placeholder="y to" value={axis.ye} onChange={(e) => setAxis({ ...axis, ye: e.target.value })} />
        </fieldset>
      ) : null}
      <div className="row gap">
        <button className="btn primary" onClick={() => void draw(true)} disabled={busy || unavailable !== null} data-testid="chart-draw">
          {busy ? 'Drawing…' : 'Draw chart'}
        </button>
        {type !== 'frequency' ? (
          <button className="btn ghost" onClick={() => setAxis(NO_AXIS)}>
            Reset axes
          </button>
        ) : null}
        {result ? (
          <a className="btn" href={`data:image/png;base64,${result.image}`} download={`${type}-${x}.png`} data-testid="chart-save">
            Save PNG
          </a>
        ) : null}
      </div>
      {unavailable ? (
        <p className="muted small" data-testid="chart-unavailable">
          {unavailable}
        </p>
      ) : null}
      {error ? (
        <div className="alert error" role="alert" data-testid="chart-error">
          <strong>The chart could not be drawn</strong>
          <span>{error}</span>
        </div>
      ) : null}
      {result ? <img className="chart-img" alt={`${type} chart`} src={`data:image/png;base64,${result.image}`} data-testid="chart-image" /> : null}
    </div>
  );
}
