import { useEffect, useRef, useState } from 'react';
import { visualizeResult, type VisualizeResult } from '../../src/protocol/messages.ts';
import type { WillowClient } from './api.ts';
import type { ColumnMeta } from './grid/header.ts';
import { positionOf } from './ops.ts';

type ChartType = 'histogram' | 'frequency' | 'scatter' | 'line' | 'date';
const TYPES: { id: ChartType; label: string }[] = [
  { id: 'histogram', label: 'Histogram' },
  { id: 'frequency', label: 'Frequency' },
  { id: 'scatter', label: 'Scatter' },
  { id: 'line', label: 'Line' },
  { id: 'date', label: 'Time series' },
];

const numeric = (c: ColumnMeta | undefined) => c?.type === 'int' || c?.type === 'float';
/** The server's limit (MAX_BINS in src/operations/analysis/charts.ts). */
const MAX_BINS = 1000;
const NO_AXIS = { xs: '', xe: '', ys: '', ye: '' };

/** Chart type, columns (by name: positions change when columns come and go), bins and axis window; the server draws the PNG. */
export function ChartPanel(props: { client: WillowClient; columns: ColumnMeta[]; initialColumn?: string; version: number }) {
  const { client, columns } = props;
  const first = props.initialColumn ?? (columns.find(numeric) ?? columns[0]).name;
  const [type, setTypeState] = useState<ChartType>(props.initialColumn !== undefined && !numeric(columns.find((c) => c.name === first)) ? 'frequency' : 'histogram');
  const [x, setXState] = useState<string>(first);
  const [ys, setYs] = useState<string[]>(() => {
    const other = columns.find((c) => c.name !== first && numeric(c));
    return other ? [other.name] : [];
  });
  const [bins, setBins] = useState('10');
  const [useWords, setUseWords] = useState(false);
  // The axis window belongs to one chart: a new type or X column starts from automatic bounds.
  const [axis, setAxis] = useState(NO_AXIS);
  const setType = (t: ChartType) => {
    if (t !== type) setAxis(NO_AXIS);
    setTypeState(t);
  };
  const setX = (name: string) => {
    if (name !== x) setAxis(NO_AXIS);
    setXState(name);
    setYs((old) => old.filter((y) => y !== name)); // X is never also a Y
  };
  const position = (name: string) => positionOf(columns, name);
  const chart = useRef('');
  chart.current = `${type}|${x}`;
  const [result, setResult] = useState<VisualizeResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const draw = async (withAxis: boolean) => {
    setBusy(true);
    setError(null);
    const p: Record<string, unknown> = { type };
    const gone = [x, ...(type === 'histogram' || type === 'frequency' ? [] : ys)].filter((n) => position(n) < 0);
    if (gone.length) {
      setBusy(false);
      return setError(`the column${gone.length > 1 ? 's' : ''} ${gone.map((n) => `“${n}”`).join(', ')} no longer exist${gone.length > 1 ? '' : 's'}: choose another`);
    }
    const xi = position(x);
    if (type === 'histogram') {
      const n = Number(bins);
      if (!Number.isInteger(n) || n < 1 || n > MAX_BINS) {
        setBusy(false);
        return setError(`the number of bins is a whole number from 1 to ${MAX_BINS}`);
      }
      p.columnIndices = [xi];
      p.numberOfBins = n;
    } else if (type === 'frequency') {
      p.columnIndex = xi;
      p.useWords = useWords;
    } else {
      if (ys.length === 0) {
        setBusy(false);
        return setError('choose at least one y column');
      }
      p.xColumnIndex = xi;
      p.yColumnIndices = ys.map(position);
    }
    if (withAxis && type !== 'frequency') {
      const bound = (s: string) => (s.trim() === '' ? null : type === 'date' && !/^-?[\d.]+$/.test(s.trim()) ? s.trim() : Number(s));
      const a = { x: { start: bound(axis.xs), end: bound(axis.xe) }, y: { start: bound(axis.ys), end: bound(axis.ye) } };
      if ([a.x.start, a.x.end, a.y.start, a.y.end].some((v) => typeof v === 'number' && !Number.isFinite(v))) {
        setBusy(false);
        return setError('axis bounds are numbers (or dates for a time series)');
      }
      p.axis = a;
    }
    try {
      const r = await client.request('visualize', p, visualizeResult);
      setResult(r);
      const s = (v: unknown) => (v === null || v === undefined ? '' : String(v));
      // Not when the chart type or X changed while it was drawn: that chart starts from automatic axes.
      if (r.axis && chart.current === `${type}|${x}`) setAxis({ xs: s(r.axis.x?.start), xe: s(r.axis.x?.end), ys: s(r.axis.y?.start), ye: s(r.axis.y?.end) });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (result) void draw(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.version]);

  const colSelect = (value: string, onChange: (v: string) => void, testId: string) => (
    <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      {columns.map((c, i) => (
        <option key={i} value={c.name}>
          {c.name}
        </option>
      ))}
      {position(value) < 0 ? (
        <option value={value} disabled>
          {value} (no longer exists)
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
          <input type="checkbox" checked={useWords} onChange={(e) => setUseWords(e.target.checked)} /> Count words instead of values
        </label>
      ) : null}
      {type === 'scatter' || type === 'line' || type === 'date' ? (
        <div className="field">
          <label>Y columns</label>
          <div className="checklist short">
            {columns.map((c) =>
              c.name === x ? null : (
                <label key={c.name} className={ys.includes(c.name) ? 'on' : ''}>
                  <input type="checkbox" checked={ys.includes(c.name)} onChange={() => setYs(ys.includes(c.name) ? ys.filter((v) => v !== c.name) : [...ys, c.name])} data-testid={`chart-y-${c.name}`} />
                  <span>{c.name}</span>
                </label>
              ),
            )}
            {ys
              .filter((y) => position(y) < 0)
              .map((y) => (
                <label key={y} className="on">
                  <input type="checkbox" checked onChange={() => setYs(ys.filter((v) => v !== y))} />
                  <span>{y} (no longer exists)</span>
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
        <button className="btn primary" onClick={() => void draw(true)} disabled={busy} data-testid="chart-draw">
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
      {error ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}
      {result ? <img className="chart-img" alt={`${type} chart`} src={`data:image/png;base64,${result.image}`} data-testid="chart-image" /> : null}
    </div>
  );
}
