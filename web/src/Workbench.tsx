import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { changeAnswer, columnProfilesResult, metadataResult, type ColumnProfile, type HistoryEntry, type MetadataResult } from '../../src/protocol/messages.ts';
import { RequestError, type RunningRequest, type WillowClient } from './api.ts';
import { Grid, type GridHandle } from './grid/Grid.tsx';
import { SliceCache } from './grid/cache.ts';
import type { ColumnMeta } from './grid/header.ts';
import { typeStyle } from './grid/header.ts';
import { Menu, type MenuItem } from './Menu.tsx';
import { OperationForm } from './OperationForm.tsx';
import { HistoryPanel } from './HistoryPanel.tsx';
import { AnalyzePanel } from './AnalyzePanel.tsx';
import { ChartPanel } from './ChartPanel.tsx';
import { columnRefusal, humanize, sentValue, type OperationSpec } from './ops.ts';
import { FILTER_LABEL, followRename, hasRowView, reconcileView, valueRegex, viewParams, type FilterType, type View } from './view.ts';
import { dismissImportNotice, importNoticeOf, rememberSession, sessionName } from './recent.ts';
import { ImportBanner } from './ImportBanner.tsx';
import { ROWS_REFUSED_TITLE, rowsStillPlaced, type SelectedRows } from './selection.ts';
import { countOf } from './words.ts';
import { EDIT_REFUSED_TITLE, newValueOf, placeEdit, type EditTarget } from './edit.ts';
import { regexProblem } from './regex.ts';

type Panel =
  | { kind: 'none' }
  | { kind: 'ops' }
  | { kind: 'op'; name: string; preset: Record<string, unknown> }
  | { kind: 'analyze'; column: string }
  | { kind: 'chart'; column?: string }
  | { kind: 'history' }
  | { kind: 'filter'; type: FilterType; columns: string[] };

interface Toast {
  id: number;
  kind: 'error' | 'info';
  title: string;
  text?: string;
}

let toastId = 0;

export function Workbench({ client, sessionID, operations, onHome }: { client: WillowClient; sessionID: string; operations: OperationSpec[]; onHome(): void }) {
  const [meta, setMeta] = useState<MetadataResult | null>(null);
  const [viewRows, setViewRows] = useState<number | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [view, setView] = useState<View>({});
  const [version, setVersion] = useState(0);
  const [profiles, setProfiles] = useState<Map<string, ColumnProfile>>(new Map());
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const [menu, setMenu] = useState<{ at: { x: number; y: number }; items: MenuItem[] } | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [running, setRunning] = useState<RunningRequest[]>([]);
  const [now, setNow] = useState(performance.now());
  const [formError, setFormError] = useState<string | null>(null);
  const [formBusy, setFormBusy] = useState(false);
  const [selection, setSelection] = useState<{ rows: number; columns: number[] }>({ rows: 0, columns: [] });
  // The search box's column by name; '' is every column.
  const [search, setSearch] = useState({ query: '', column: '', regex: false, matchCase: false });
  const [connected, setConnected] = useState(true);
  const [goto, setGoto] = useState('');
  const [importNotice, setImportNotice] = useState(() => importNoticeOf(sessionID));
  const grid = useRef<GridHandle>(null);
  // The file's name as the server keeps it (a page opened from a shared link has no name of
  // its own for the session), else as this browser remembered it; a placeholder only for a
  // session the server knows no name of (dropped with its first version before it was kept).
  const name = meta?.filename ?? sessionName(sessionID) ?? (meta ? `Shared session ${sessionID.slice(0, 6)}` : '');
  // The browser's tab (and its history and bookmarks) names the dataset too.
  useEffect(() => {
    if (!name) return;
    const before = document.title;
    document.title = `${name} — Willow`;
    return () => void (document.title = before);
  }, [name]);

  const toast = useCallback((kind: Toast['kind'], title: string, text?: string) => {
    const id = ++toastId;
    setToasts((t) => [...t.slice(-3), { id, kind, title, text }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === 'error' ? 9000 : 3500);
  }, []);

  const columns: ColumnMeta[] = useMemo(
    () => (meta ? meta.columns.map((c) => ({ name: c, type: meta.columnInfo[c]?.dataType ?? '?', missing: meta.columnInfo[c]?.invalidValues ?? 0, dateOnly: meta.columnInfo[c]?.dateOnly === true })) : []),
    [meta],
  );
  // Renames this tab asked for (old → new name): the view follows them to the new name.
  const renamed = useRef(new Map<string, string>());
  // The view names its columns; positions are looked up in the current column list, and a
  // part of the view whose column is gone is dropped (and said so), never moved to another.
  const reconciled = useMemo(() => (meta ? reconcileView(view, meta.columns, renamed.current) : { view, dropped: [] }), [view, meta]);
  const params = useMemo(() => viewParams(reconciled.view, meta?.columns ?? []), [reconciled, meta]);
  useEffect(() => {
    if (!meta) return;
    // The search box's column follows the same renames, looked up now, before they are
    // forgotten below: it kept the old name, offered as gone, while the search chip named the new one.
    const from = search.column;
    const to = from === '' ? '' : followRename(from, meta.columns, renamed.current);
    if (to !== from) setSearch((s) => (s.column === from ? { ...s, column: to } : s));
    if (reconciled.view === view) return;
    setView(reconciled.view);
    for (const [from, to] of renamed.current) if (meta.columns.includes(to)) renamed.current.delete(from);
    for (const text of reconciled.dropped) toast('info', 'The view changed', text);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [reconciled]);

  // Changes this tab has heard of (dataChanged; a disconnection, which may hide some), and the
  // latest metadata with the count it was asked for after: a cell edit is placed in columns no
  // older than the last change heard of (see currentMeta).
  const heard = useRef(0);
  const metaNow = useRef<{ meta: MetadataResult; heard: number } | null>(null);
  const metaLoading = useRef<{ heard: number; done: Promise<MetadataResult | null> } | null>(null);
  const noteMeta = useCallback((m: MetadataResult, at: number) => {
    if (!metaNow.current || at >= metaNow.current.heard) metaNow.current = { meta: m, heard: at };
  }, []);

  // Metadata of the whole dataset; with a filter or search, also the view's row count.
  // After a change (`changed`), the new version is announced with the new columns, in one
  // render: the view's column positions are then looked up in the new column list.
  const loadMeta = useCallback(
    (changed = false) => {
      const at = heard.current;
      const done = (async () => {
        try {
          const m = await client.request('metadata', {}, metadataResult);
          noteMeta(m, at);
          setMeta(m);
          if (changed) setVersion((v) => v + 1);
          rememberSession({ id: sessionID, rows: m.dataSize.rows, columns: m.dataSize.columns, ...(m.filename === undefined ? {} : { name: m.filename }) });
          return m;
        } catch (e) {
          if (changed) setVersion((v) => v + 1);
          if (e instanceof RequestError && (e.code === 'unknown session' || e.code === 'invalid sessionID')) setFatal(e.message);
          else toast('error', 'Could not read the dataset', (e as Error).message);
          return null;
        }
      })();
      metaLoading.current = { heard: at, done };
      return done;
    },
    [client, sessionID, toast, noteMeta],
  );

  /**
   * The dataset's metadata as of the last change this tab heard of: the one held, the one on
   * its way after that change, or else read now. Throws when it cannot be read.
   */
  const currentMeta = useCallback(async (): Promise<MetadataResult> => {
    const at = heard.current;
    if (metaNow.current && metaNow.current.heard >= at) return metaNow.current.meta;
    const loading = metaLoading.current;
    if (loading && loading.heard >= at) {
      const m = await loading.done;
      if (m) return m;
    }
    const m = await client.request('metadata', {}, metadataResult);
    noteMeta(m, at);
    return m;
  }, [client, noteMeta]);

  // The first rows are asked for together with the metadata, not after it.
  const [firstBlock] = useState(() => {
    client.sessionID = sessionID;
    const p = SliceCache.prefetchFirst(client);
    p.catch(() => undefined); // its error, if any, comes with the metadata's
    return p;
  });
  useEffect(() => {
    client.sessionID = sessionID;
    void loadMeta();
  }, [client, sessionID, loadMeta]);

  const viewKey = JSON.stringify(params);
  useEffect(() => {
    if (!hasRowView(params)) {
      setViewRows(null);
      return;
    }
    let live = true;
    client
      .request('metadata', params, metadataResult)
      .then((m) => live && setViewRows(m.dataSize.rows))
      .catch((e: Error) => {
        if (!live) return;
        toast('error', 'The view could not be applied', e.message);
        setView((v) => ({ sort: v.sort }));
      });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, viewKey, version]);

  // Profiles one column per request, after the first rows: the session's requests run one
  // at a time, and slices of the grid must not wait behind a profile of every column.
  const [rowsShown, setRowsShown] = useState(false);
  useEffect(() => {
    if (!meta || (!rowsShown && meta.dataSize.rows > 0)) return;
    let live = true;
    (async () => {
      for (let i = 0; i < meta.columns.length && live; i++) {
        // The session's requests run one at a time: a profile sent while the grid waits for
        // rows would delay them, so profiles go only when the grid has what it asked for.
        while (live && grid.current?.busy()) await new Promise((r) => setTimeout(r, 60));
        try {
          const r = await client.request('columnProfiles', { columnIndices: [i] }, columnProfilesResult);
          if (!live) return;
          const p = r.profiles[0];
          if (p) setProfiles((old) => new Map(old).set(p.name, p));
        } catch {
          return; // the data changed under us; the next version's profiles follow
        }
      }
    })();
    return () => {
      live = false;
    };
  }, [client, meta, rowsShown]);

  // Anyone's change (this tab's or another's): read everything again, keep the scroll position.
  useEffect(
    () =>
      client.onDataChanged(() => {
        heard.current++;
        void loadMeta(true);
      }),
    [client, loadMeta],
  );
  useEffect(() => client.onRunning(setRunning), [client]);
  useEffect(
    () =>
      client.onConnection((on) => {
        if (!on) heard.current++; // changes made while disconnected are never announced
        setConnected(on);
      }),
    [client],
  );
  useEffect(() => {
    if (running.length === 0) return;
    const t = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(t);
  }, [running.length]);

  const change = useCallback(
    async (operation: string, p: Record<string, unknown>, opts: { fromForm?: boolean } = {}) => {
      if (opts.fromForm) {
        setFormBusy(true);
        setFormError(null);
      }
      // A rename by this tab: the view follows the column to its new name.
      const renaming = operation === 'renameColumn' && typeof p.newName === 'string' ? (typeof p.column === 'number' ? columns[p.column]?.name : typeof p.column === 'string' ? p.column : undefined) : undefined;
      if (renaming !== undefined) renamed.current.set(renaming, p.newName as string);
      try {
        const reply = await client.request(operation, p, changeAnswer, true);
        // An Apply that seems to do nothing is said to have done nothing, and why when the server knows.
        if (reply.changed === false && operation !== 'undo' && operation !== 'redo') toast('info', 'Nothing changed', reply.unchangedReason ?? `${humanize(operation)} found nothing to change.`);
        if (reply.valuesMadeMissing) {
          const one = reply.valuesMadeMissing === 1;
          toast('info', `${countOf(reply.valuesMadeMissing, 'value')} became missing`, `${one ? 'It does' : 'They do'} not read as the new type${reply.detectedDateFormat ? ` (${reply.detectedDateFormat})` : ''}, e.g. ${reply.madeMissingExamples?.map((e) => `“${e}”`).join(', ')}. Undo brings ${one ? 'it' : 'them'} back.`);
        }
        if (opts.fromForm) setPanel({ kind: 'none' });
        return true;
      } catch (e) {
        if (renaming !== undefined) renamed.current.delete(renaming);
        const msg = (e as Error).message;
        if (opts.fromForm) setFormError(msg);
        else toast('error', `${humanize(operation)} failed`, msg);
        return false;
      } finally {
        if (opts.fromForm) setFormBusy(false);
      }
    },
    [client, toast, columns],
  );

  const undo = useCallback(() => void change('undo', {}), [change]);
  const redo = useCallback(() => void change('redo', {}), [change]);

  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (t.closest('input, textarea, select, [contenteditable], #portal .gdg-overlay, .gdg-style textarea')) return;
      if (!(e.ctrlKey || e.metaKey)) return;
      const k = e.key.toLowerCase();
      if (k === 'z' && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if ((k === 'z' && e.shiftKey) || k === 'y') {
        e.preventDefault();
        redo();
      }
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [undo, redo]);

  const changeOps = useMemo(() => operations.filter((o) => o.kind === 'change'), [operations]);
  const opByName = useMemo(() => new Map(operations.map((o) => [o.name, o])), [operations]);

  /** Start an operation on a column: straight away when the column is all it needs, else its form. */
  const startOp = (spec: OperationSpec, column?: number) => {
    // Columns by name: the form keeps to them when other columns come and go.
    const preset: Record<string, unknown> = {};
    const name = column !== undefined ? columns[column]?.name : undefined;
    if (name !== undefined && spec.columnParam) preset[spec.columnParam.name] = name;
    if (name !== undefined) {
      for (const p of spec.params) {
        if ((p.control === 'columns' || p.control === 'columnNames') && preset[p.name] === undefined) preset[p.name] = selection.columns.length > 1 ? selection.columns.map((c) => columns[c]?.name) : [name];
        if (/^column(From|To)$/.test(p.name)) preset[p.name] = name;
      }
    }
    const rowsParam = spec.params.find((p) => p.control === 'rows');
    if (rowsParam) {
      const selected = grid.current?.selectedRowIndices() ?? { rows: [] };
      if ('refused' in selected) toast('info', 'The selected rows were not filled in', selected.refused);
      preset[rowsParam.name] = 'rows' in selected ? selected.rows : [];
    }
    const others = spec.params.filter((p) => preset[p.name] === undefined && (p.required || p.control !== 'boolean'));
    if (column !== undefined && spec.params.length > 0 && others.length === 0) {
      // Sent at once: the columns chosen a moment ago, as positions where the operation takes them.
      const sent = Object.fromEntries(spec.params.filter((p) => preset[p.name] !== undefined).map((p) => [p.name, sentValue(p.control, preset[p.name], columns)]));
      void change(spec.name, sent);
      return;
    }
    setFormError(null);
    setPanel({ kind: 'op', name: spec.name, preset });
  };

  const setFilter = (type: FilterType, cols: string[], trim = 0, stdDev = 2) => setView((v) => ({ ...v, filter: { type, columns: cols, trim, stdDev } }));

  const headerMenu = (col: number, bounds: { x: number; y: number; width: number; height: number }) => {
    const c = columns[col];
    if (!c) return;
    const numeric = c.type === 'int' || c.type === 'float';
    const colOps = changeOps.filter((o) => o.columnParam || o.params.some((p) => p.control === 'columns' || p.control === 'columnNames'));
    const items: MenuItem[] = [
      { heading: c.name },
      { label: 'Sort ascending', onSelect: () => setView((v) => ({ ...v, sort: { column: c.name, ascending: true } })), testId: 'menu-sort-asc' },
      { label: 'Sort descending', onSelect: () => setView((v) => ({ ...v, sort: { column: c.name, ascending: false } })) },
      'separator',
      { label: 'Show missing values', onSelect: () => setFilter('invalid', [c.name]), testId: 'menu-filter-invalid' },
      { label: 'Show outliers…', disabled: !numeric, onSelect: () => setPanel({ kind: 'filter', type: 'outliers', columns: [c.name] }) },
      { label: 'Show duplicates', onSelect: () => setFilter('duplicates', [c.name]) },
      'separator',
      { label: 'Analyze column', onSelect: () => setPanel({ kind: 'analyze', column: c.name }), testId: 'menu-analyze' },
      { label: 'Chart…', onSelect: () => setPanel({ kind: 'chart', column: c.name }) },
      'separator',
      { heading: 'Transform' },
      // Greyed out where the operation publishes other column types (Normalize on text), as "Show outliers…" is.
      ...colOps.map((o) => {
        const refusal = columnRefusal(o, c);
        return { label: humanize(o.name) + (o.params.length > 1 ? '…' : ''), onSelect: () => startOp(o, col), testId: `op-${o.name}`, danger: /^delete/.test(o.name), ...(refusal !== null ? { disabled: true, title: refusal } : {}) };
      }),
    ];
    setMenu({ at: { x: bounds.x, y: bounds.y + bounds.height }, items });
  };

  // `selected` was read in row layout `rowEpoch`: the delete is sent only while that still holds.
  const cellMenu = (col: number, selected: SelectedRows, rowEpoch: number, at: { x: number; y: number }) => {
    const deleteRows = opByName.get('deleteRows');
    const rows = 'rows' in selected ? selected.rows : [];
    const items: MenuItem[] = [{ heading: 'refused' in selected ? 'Selected rows' : rows.length === 1 ? `Row ${rows[0]}` : countOf(rows.length, 'row') }];
    const deleteSelected = () => {
      const refused = 'refused' in selected ? selected.refused : rowsStillPlaced(rowEpoch, client.rowEpoch);
      if (refused !== null) return toast('error', ROWS_REFUSED_TITLE, refused);
      void change('deleteRows', { rowIndices: rows });
    };
    if (deleteRows) items.push({ label: rows.length === 1 ? 'Delete row' : rows.length > 1 ? `Delete ${countOf(rows.length, 'row')}` : 'Delete rows', danger: true, disabled: 'rows' in selected && rows.length === 0, onSelect: deleteSelected, testId: 'menu-delete-rows' });
    if (col >= 0 && columns[col]) {
      items.push('separator', { heading: columns[col].name });
      items.push({ label: 'Column menu…', onSelect: () => headerMenu(col, { x: at.x, y: at.y, width: 0, height: 0 }) });
    }
    setMenu({ at, items });
  };

  // Placed when committed, by the column's name and the row's position the editor opened on,
  // in the columns of now: another tab may have moved or deleted columns or rows meanwhile.
  const onEdit = async (target: EditTarget, text: string) => {
    let m: MetadataResult;
    try {
      m = await currentMeta();
    } catch (e) {
      return toast('error', EDIT_REFUSED_TITLE, `The dataset could not be read to check where the edit goes: ${(e as Error).message}`);
    }
    const place = placeEdit(target, m.columns, client.rowEpoch, renamed.current);
    if ('refused' in place) return toast('error', EDIT_REFUSED_TITLE, place.refused);
    const value = newValueOf(text, m.columnInfo[m.columns[place.columnIndex]]?.dataType);
    void change('newCellValue', { columnIndex: place.columnIndex, rowIndex: place.rowIndex, newValue: value });
  };

  // Shown beside the search box while the pattern is typed, until it is fixed: a toast far
  // from the box went away by itself while the view still showed the previous search.
  const searchProblem = search.regex && search.query !== '' ? regexProblem(search.query) : null;
  const applySearch = () => {
    if (search.query === '') return setView((v) => ({ ...v, search: undefined }));
    if (searchProblem !== null) return;
    if (search.column !== '' && !columns.some((c) => c.name === search.column)) return toast('error', 'Choose another column to search', `The column “${search.column}” no longer exists.`);
    setView((v) => ({ ...v, search: { query: search.query, columns: search.column === '' ? 'all' : [search.column], regex: search.regex, matchCase: search.matchCase } }));
  };

  const pickValue = (col: string, value: unknown) => {
    if (value === null) return setFilter('invalid', [col]);
    // This very value, as the server reads the column's values (its letter case too).
    const query = valueRegex(value, columns.find((c) => c.name === col)?.type ?? '');
    setSearch({ query, column: col, regex: true, matchCase: true });
    setView((v) => ({ ...v, search: { query, columns: [col], regex: true, matchCase: true } }));
  };

  const applyRecipe = async (ops: HistoryEntry[]) => {
    const ok = await change('applyOperations', { operations: ops });
    if (ok) toast('info', 'Recipe applied', `${ops.filter((o) => !o.undone).length} operations, undoable as one step`);
  };

  const share = async () => {
    const url = `${location.origin}/s/${sessionID}`;
    try {
      await navigator.clipboard.writeText(url);
      toast('info', 'Link copied', 'Anyone with this link can see and change this dataset.');
    } catch {
      toast('info', 'Share this link', url);
    }
  };

  if (fatal) {
    return (
      <div className="fatal">
        <div className="card">
          <h1>This session cannot be opened</h1>
          <p>{fatal}</p>
          <button className="btn primary" onClick={onHome}>
            Open another dataset
          </button>
        </div>
      </div>
    );
  }

  const totalRows = meta?.dataSize.rows ?? 0;
  const rows = viewRows ?? totalRows;
  const shown = reconciled.view;
  const viewShown = !!(shown.filter || shown.search || shown.sort);
  const chips: { key: string; label: string; clear(): void }[] = [];
  if (shown.filter) chips.push({ key: 'f', label: `${FILTER_LABEL[shown.filter.type]} in ${shown.filter.columns.join(', ')}${shown.filter.type === 'outliers' ? ` (trim ${shown.filter.trim}, ${shown.filter.stdDev}σ)` : ''}`, clear: () => setView((v) => ({ ...v, filter: undefined })) });
  if (shown.search) chips.push({ key: 's', label: `${shown.search.regex ? 'Regex' : 'Search'} “${shown.search.query}”${shown.search.matchCase ? ' (match case)' : ''} in ${shown.search.columns === 'all' ? 'all columns' : shown.search.columns.join(', ')}`, clear: () => {
        setView((v) => ({ ...v, search: undefined }));
        setSearch((x) => ({ ...x, query: '' }));
      },
    });
  if (shown.sort) chips.push({ key: 'o', label: `Sorted by ${shown.sort.column} ${shown.sort.ascending ? '↑' : '↓'}`, clear: () => setView((v) => ({ ...v, sort: undefined })) });

  // The SQL panel is the executeCommand form: its own toolbar button is the one lit, not Transform's.
  const sqlOpen = panel.kind === 'op' && panel.name === 'executeCommand';
  const panelTitle =
    panel.kind === 'ops' ? 'Transform' : panel.kind === 'op' ? humanize(panel.name) : panel.kind === 'analyze' ? 'Analyze' : panel.kind === 'chart' ? 'Chart' : panel.kind === 'history' ? 'History' : panel.kind === 'filter' ? 'Filter rows' : '';

  return (
    <div className="workbench">
      <header className="topbar">
        <button className="brand" onClick={onHome} title="Open another dataset">
          <img src="/favicon.svg" alt="" width={22} height={22} />
          <span>Willow</span>
        </button>
        <div className="dataset-name" title={sessionID} data-testid="dataset-name">
          {name}
          {meta ? (
            <span className="dims">
              {totalRows.toLocaleString()} × {meta.dataSize.columns}
            </span>
          ) : null}
        </div>
        <div className="toolbar">
          <button className="btn icon" onClick={undo} disabled={!meta?.undoAvailable} title="Undo (Ctrl+Z)" data-testid="undo">
            ↶<span>Undo</span>
          </button>
          <button className="btn icon" onClick={redo} disabled={!meta?.redoAvailable} title="Redo (Ctrl+Shift+Z)" data-testid="redo">
            ↷<span>Redo</span>
          </button>
          <span className="divider" />
          <button className={`btn${panel.kind === 'ops' || (panel.kind === 'op' && !sqlOpen) ? ' active' : ''}`} onClick={() => setPanel({ kind: 'ops' })} data-testid="open-transform">
            Transform
          </button>
          <button className={`btn${sqlOpen ? ' active' : ''}`} onClick={() => opByName.get('executeCommand') && startOp(opByName.get('executeCommand')!)} data-testid="open-sql">
            SQL
          </button>
          <button className={`btn${panel.kind === 'chart' ? ' active' : ''}`} onClick={() => setPanel({ kind: 'chart' })} data-testid="open-chart">
            Chart
          </button>
          <button className={`btn${panel.kind === 'history' ? ' active' : ''}`} onClick={() => setPanel({ kind: 'history' })} data-testid="open-history">
            History
          </button>
          <span className="divider" />
          {(['CSV', 'JSON'] as const).map((format) => (
            <a
              key={format}
              className="btn"
              href={`/download${format}/${sessionID}`}
              download
              data-testid={`download-${format.toLowerCase()}`}
              title={`Download the whole dataset (${countOf(totalRows, 'row')}) as ${format}${viewShown ? ': the filter, search and sort shown apply to this screen only' : ''}`}
              // A download is the dataset, not the view: said when a view could make it seem otherwise.
              onClick={() => viewShown && toast('info', `Downloading all ${countOf(totalRows, 'row')}`, 'The filter, search and sort shown apply to this screen, not to downloads.')}
            >
              {format} ↓
            </a>
          ))}
          <button className="btn primary" onClick={() => void share()} data-testid="share">
            Share
          </button>
        </div>
      </header>

      <div className="viewbar">
        <form
          className="searchbox"
          onSubmit={(e) => {
            e.preventDefault();
            applySearch();
          }}
        >
          <input
            placeholder={search.regex ? 'Regular expression…' : 'Search…'}
            value={search.query}
            onChange={(e) => setSearch({ ...search, query: e.target.value })}
            className={search.regex ? 'mono' : ''}
            aria-invalid={searchProblem !== null}
            aria-describedby={searchProblem !== null ? 'search-error' : undefined}
            data-testid="search-input"
          />
          <select value={search.column} onChange={(e) => setSearch({ ...search, column: e.target.value })} data-testid="search-column">
            <option value="">All columns</option>
            {columns.map((c, i) => (
              <option key={i} value={c.name}>
                {c.name}
              </option>
            ))}
            {search.column !== '' && !columns.some((c) => c.name === search.column) ? (
              <option value={search.column} disabled>
                {search.column} (no longer exists)
              </option>
            ) : null}
          </select>
          <label className="toggle" title="Regular expression">
            <input type="checkbox" checked={search.regex} onChange={(e) => setSearch({ ...search, regex: e.target.checked })} data-testid="search-regex" />
            .*
          </label>
          <label className="toggle" title="Match case">
            <input type="checkbox" checked={search.matchCase} onChange={(e) => setSearch({ ...search, matchCase: e.target.checked })} data-testid="search-case" />
            Aa
          </label>
          <button className="btn small" type="submit" disabled={searchProblem !== null} data-testid="search-go">
            Search
          </button>
          {searchProblem !== null ? (
            <span className="field-error search-error" id="search-error" role="alert" title={searchProblem} data-testid="search-error">
              Invalid regular expression: {searchProblem}
            </span>
          ) : null}
        </form>
        <button className="btn small ghost" onClick={() => setPanel({ kind: 'filter', type: 'invalid', columns: selection.columns.map((c) => columns[c]?.name).filter((n) => n !== undefined) })} data-testid="open-filter">
          + Filter
        </button>
        <div className="chips">
          {chips.map((c) => (
            <span className="chip" key={c.key} data-testid={`chip-${c.key}`}>
              {c.label}
              <button onClick={c.clear} title="Remove" aria-label="Remove">
                ×
              </button>
            </span>
          ))}
        </div>
        <div className="rowcount" data-testid="row-count">
          {meta ? (viewRows !== null ? `${rows.toLocaleString()} of ${countOf(totalRows, 'row')}` : countOf(totalRows, 'row')) : '…'}
        </div>
      </div>

      {importNotice ? (
        <ImportBanner
          notice={importNotice}
          onDismiss={() => {
            dismissImportNotice(sessionID);
            setImportNotice(undefined);
          }}
        />
      ) : null}

      <div className="main">
        <div className="grid-wrap">
          {meta ? (
            <Grid
              ref={grid}
              client={client}
              columns={columns}
              profiles={profiles}
              rows={rows}
              totalRows={totalRows}
              view={params}
              version={version}
              firstBlock={firstBlock}
              onHeaderMenu={headerMenu}
              onCellMenu={(col, _row, rows, rowEpoch, b) => cellMenu(col, rows, rowEpoch, { x: b.x, y: b.y })}
              onEdit={(target, text) => void onEdit(target, text)}
              onSelectionChange={(r, c) => setSelection({ rows: r, columns: c })}
              onFirstRows={() => {
                setRowsShown(true);
                (window as unknown as { __willowFirstRows?: number }).__willowFirstRows ??= performance.now();
              }}
            />
          ) : (
            <div className="grid-loading">
              <div className="spinner" /> Opening dataset…
            </div>
          )}
          {meta && rows === 0 ? <div className="empty-view">{viewRows !== null ? 'No rows match this view.' : 'This dataset has no rows.'}</div> : null}
        </div>
        {panel.kind !== 'none' ? (
          <aside className="side" data-testid="side-panel" data-panel={panel.kind}>
            <div className="side-head">
              {panel.kind === 'op' ? (
                <button className="icon-btn" onClick={() => setPanel({ kind: 'ops' })} title="All operations">
                  ‹
                </button>
              ) : null}
              <h2>{panelTitle}</h2>
              <button className="icon-btn" onClick={() => setPanel({ kind: 'none' })} title="Close" data-testid="close-panel">
                ×
              </button>
            </div>
            <div className="side-body">
              {panel.kind === 'ops' ? (
                <ul className="op-list">
                  {changeOps.map((o) => (
                    <li key={o.name}>
                      <button onClick={() => startOp(o, o.columnParam && selection.columns.length ? selection.columns[0] : undefined)} data-testid={`ops-${o.name}`}>
                        <strong>{humanize(o.name)}</strong>
                        <span>{o.summary}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              ) : null}
              {panel.kind === 'op' && opByName.get(panel.name) ? (
                <OperationForm
                  key={`${panel.name}-${JSON.stringify(panel.preset)}`}
                  spec={opByName.get(panel.name)!}
                  columns={columns}
                  preset={panel.preset}
                  busy={formBusy}
                  serverError={formError}
                  onSubmit={(p) => void change(panel.name, p, { fromForm: true })}
                  onCancel={() => setPanel({ kind: 'none' })}
                />
              ) : null}
              {panel.kind === 'analyze' ? (
                columns.some((c) => c.name === panel.column) ? (
                  <AnalyzePanel client={client} column={columns.find((c) => c.name === panel.column)!} rows={totalRows} version={version} onPickValue={(v) => pickValue(panel.column, v)} onError={(t, x) => toast('error', t, x)} />
                ) : (
                  <div className="alert error" role="alert">
                    The column “{panel.column}” no longer exists.
                  </div>
                )
              ) : null}
              {panel.kind === 'chart' && columns.length ? <ChartPanel client={client} columns={columns} initialColumn={panel.column} version={version} /> : null}
              {panel.kind === 'history' ? (
                <HistoryPanel
                  client={client}
                  operations={operations}
                  version={version}
                  undoAvailable={!!meta?.undoAvailable}
                  redoAvailable={!!meta?.redoAvailable}
                  sessionName={name}
                  onUndo={undo}
                  onRedo={redo}
                  onApplyRecipe={applyRecipe}
                  onError={(t, x) => toast('error', t, x)}
                />
              ) : null}
              {panel.kind === 'filter' ? <FilterForm key={JSON.stringify(panel)} columns={columns} initial={panel} onApply={(t, cols, trim, sd) => (setFilter(t, cols, trim, sd), setPanel({ kind: 'none' }))} /> : null}
            </div>
          </aside>
        ) : null}
      </div>

      <footer className="statusbar">
        <span className={`conn ${connected ? 'on' : 'off'}`}>{connected ? 'Connected' : 'Reconnecting…'}</span>
        {selection.rows > 0 ? <span data-testid="rows-selected">{countOf(selection.rows, 'row')} selected</span> : null}
        {selection.columns.length > 0 ? <span>{countOf(selection.columns.length, 'column')} selected</span> : null}
        {running.length ? (
          <span className="running" data-testid="running">
            <span className="spinner small" />
            {humanize(running[0].operation)} running · {((now - running[0].startedAt) / 1000).toFixed(1)} s{running.length > 1 ? ` (+${running.length - 1} queued)` : ''}
          </span>
        ) : null}
        <span className="grow" />
        <form
          className="goto"
          onSubmit={(e) => {
            e.preventDefault();
            // As the row count is shown: 1,234,567 is a row number too.
            const n = Number(goto.replace(/[\s,_']/g, ''));
            if (goto.trim() !== '' && Number.isInteger(n)) grid.current?.scrollToRow(n, true);
          }}
        >
          <label>
            Go to row
            <input value={goto} onChange={(e) => setGoto(e.target.value)} inputMode="numeric" data-testid="goto-row" />
          </label>
        </form>
        <button className="btn tiny ghost" onClick={() => grid.current?.scrollToRow(0)} title="First row">
          ⤒
        </button>
        <button className="btn tiny ghost" onClick={() => grid.current?.scrollToRow(rows - 1)} title="Last row" data-testid="goto-last">
          ⤓
        </button>
      </footer>

      {menu ? <Menu at={menu.at} items={menu.items} onClose={() => setMenu(null)} /> : null}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid={`toast-${t.kind}`}>
            <strong>{t.title}</strong>
            {t.text ? <span>{t.text}</span> : null}
          </div>
        ))}
      </div>
    </div>
  );
}

function FilterForm({ columns, initial, onApply }: { columns: ColumnMeta[]; initial: { type: FilterType; columns: string[] }; onApply(type: FilterType, cols: string[], trim: number, stdDev: number): void }) {
  const [type, setType] = useState<FilterType>(initial.type);
  const [chosen, setCols] = useState<string[]>(initial.columns);
  const cols = chosen.filter((n) => columns.some((c) => c.name === n)); // those still there
  const [trim, setTrim] = useState('0');
  const [sd, setSd] = useState('2');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="op-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (cols.length === 0) return setError('choose at least one column');
        const t = Number(trim);
        const s = Number(sd);
        if (type === 'outliers' && !(t >= 0 && t < 0.5)) return setError('the trimmed portion is at least 0 and below 0.5');
        if (type === 'outliers' && !(s >= 0)) return setError('the number of standard deviations is 0 or more');
        if (type === 'outliers' && cols.some((n) => !['int', 'float'].includes(columns.find((c) => c.name === n)?.type ?? ''))) return setError('outliers need numeric columns');
        onApply(type, cols, t, s);
      }}
    >
      <p className="summary">Show only the rows that match in every chosen column.</p>
      <div className="seg">
        {(['invalid', 'outliers', 'duplicates'] as FilterType[]).map((t) => (
          <button type="button" key={t} className={type === t ? 'on' : ''} onClick={() => setType(t)}>
            {FILTER_LABEL[t]}
          </button>
        ))}
      </div>
      <div className="field">
        <label>Columns</label>
        <div className="checklist">
          {columns.map((c, i) => (
            <label key={i} className={cols.includes(c.name) ? 'on' : ''}>
              <input type="checkbox" checked={cols.includes(c.name)} onChange={() => setCols(cols.includes(c.name) ? cols.filter((x) => x !== c.name) : [...cols, c.name])} />
              <span>{c.name}</span>
              <em>{typeStyle(c.type).label}</em>
            </label>
          ))}
        </div>
      </div>
      {chosen.length !== cols.length ? <div className="field-error">No longer in the dataset: {chosen.filter((n) => !cols.includes(n)).join(', ')}</div> : null}
      {type === 'outliers' ? (
        <div className="row gap">
          <div className="field">
            <label>Trim portion</label>
            <input value={trim} onChange={(e) => setTrim(e.target.value)} inputMode="decimal" name="outliersTrimPortion" />
          </div>
          <div className="field">
            <label>Standard deviations</label>
            <input value={sd} onChange={(e) => setSd(e.target.value)} inputMode="decimal" name="outliersStdDev" />
          </div>
        </div>
      ) : null}
      {error ? <div className="field-error">{error}</div> : null}
      <div className="form-actions">
        <button type="submit" className="btn primary">
          Apply filter
        </button>
      </div>
    </form>
  );
}
