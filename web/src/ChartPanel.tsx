import { useEffect, useState } from 'react';
import { visualizeResult, type VisualizeResult } from '../../src/protocol/messages.ts';
import type { WillowClient } from './api.ts';
import type { ColumnMeta } from './grid/header.ts';

type ChartType = 'histogram' | 'frequency' | 'scatter' | 'line' | 'date';
const TYPES: { id: ChartType; label: string }[] = [
  { id: 'histogram', label: 'Histogram' },
  { id: 'frequency', label: 'Frequency' },
  { id: 'scatter', label: 'Scatter' },
  { id: 'line', label: 'Line' },
  { id: 'date', label: 'Time series' },
];

const numeric = (c: ColumnMeta) => c.type === 'int' || c.type === 'float';

/** Chart type, columns, bins and axis window; the server draws the PNG. */
export function ChartPanel(props: { client: WillowClient; columns: ColumnMeta[]; initialColumn?: number; version: number }) {
  const { client, columns } = props;
  const first = props.initialColumn ?? Math.max(0, columns.findIndex(numeric));
  const [type, setType] = useState<ChartType>(props.initialColumn !== undefined && !numeric(columns[props.initialColumn]) ? 'frequency' : 'histogram');
  const [x, setX] = useState<number>(first);
  const [ys, setYs] = useState<number[]>(() => {
    const other = columns.findIndex((c, i) => i !== first && numeric(c));
    return other >= 0 ? [other] : [];
  });
  const [bins, setBins] = useState('10');
  const [useWords, setUseWords] = useState(false);
  const [axis, setAxis] = useState({ xs: '', xe: '', ys: '', ye: '' });
  const [result, setResult] = useState<VisualizeResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const draw = async (withAxis: boolean) => {
    setBusy(true);
    setError(null);
    const p: Record<string, unknown> = { type };
    if (type === 'histogram') {
      const n = Number(bins);
      if (!Number.isInteger(n) || n < 1 || n > 500) {
        setBusy(false);
        return setError('the number of bins is a whole number from 1 to 500');
      }
      p.columnIndices = [x];
      p.numberOfBins = n;
    } else if (type === 'frequency') {
      p.columnIndex = x;
      p.useWords = useWords;
    } else {
      if (ys.length === 0) {
        setBusy(false);
        return setError('choose at least one y column');
      }
      p.xColumnIndex = x;
      p.yColumnIndices = ys;
    }
    if (withAxis && type !== 'frequency') {
      const bound = (s: string) => (s.trim() === '' ? null : type === 'date' && x >= 0 && !/^-?[\d.]+$/.test(s.trim()) ? s.trim() : Number(s));
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
      if (r.axis) setAxis({ xs: s(r.axis.x?.start), xe: s(r.axis.x?.end), ys: s(r.axis.y?.start), ye: s(r.axis.y?.end) });
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

  const colSelect = (value: number, onChange: (v: number) => void, testId: string) => (
    <select value={value} onChange={(e) => onChange(Number(e.target.value))} data-testid={testId}>
      {columns.map((c, i) => (
        <option key={i} value={i}>
          {c.name}
        </option>
      ))}
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
            {columns.map((c, i) =>
              i === x ? null : (
                <label key={i} className={ys.includes(i) ? 'on' : ''}>
                  <input type="checkbox" checked={ys.includes(i)} onChange={() => setYs(ys.includes(i) ? ys.filter((v) => v !== i) : [...ys, i])} />
                  <span>{c.name}</span>
                </label>
              ),
            )}
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
          <button className="btn ghost" onClick={() => setAxis({ xs: '', xe: '', ys: '', ye: '' })}>
            Reset axes
          </button>
        ) : null}
        {result ? (
          <a className="btn" href={`data:image/png;base64,${result.image}`} download={`${type}-${columns[x]?.name ?? 'chart'}.png`} data-testid="chart-save">
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
