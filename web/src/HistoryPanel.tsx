import { useEffect, useRef, useState } from 'react';
import { historyResult, recipeFile, type HistoryEntry } from '../../src/protocol/messages.ts';
import type { WillowClient } from './api.ts';
import type { OperationSpec } from './ops.ts';
import { describeEntry, paramsOf } from './history.ts';

/** The session's operation log, undo/redo, and recipes (export the log, apply one to this dataset). */
export function HistoryPanel(props: {
  client: WillowClient;
  /** The operations the server describes: which parameters of an entry are columns. */
  operations: OperationSpec[];
  version: number;
  undoAvailable: boolean;
  redoAvailable: boolean;
  sessionName: string;
  onUndo(): void;
  onRedo(): void;
  onApplyRecipe(operations: HistoryEntry[]): Promise<void>;
  onError(title: string, text: string): void;
}) {
  const { client, version } = props;
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [applying, setApplying] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    client
      .request('history', {}, historyResult)
      .then((r) => live && setEntries(r.operations))
      .catch((e: Error) => props.onError('History', e.message));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, version]);

  const exportRecipe = () => {
    // The column names history recorded go with the recipe: another dataset's columns may be in another order.
    const ops = (entries ?? [])
      .filter((e) => !e.undone)
      .map(({ operation, parameters, columns }) => (columns ? { operation, parameters, columns } : { operation, parameters }));
    const blob = new Blob([JSON.stringify({ willowRecipe: 1, operations: ops }, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${props.sessionName.replace(/\.[^.]+$/, '') || 'dataset'}-recipe.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };

  const applyFile = async (f: File) => {
    let ops: HistoryEntry[];
    try {
      const parsed = recipeFile.safeParse(JSON.parse(await f.text()));
      if (!parsed.success) throw new Error('the file is not a Willow recipe (a JSON list of {operation, parameters})');
      ops = Array.isArray(parsed.data) ? parsed.data : parsed.data.operations;
    } catch (e) {
      props.onError(`Could not read ${f.name}`, (e as Error).message);
      return;
    }
    setApplying(true);
    try {
      await props.onApplyRecipe(ops);
    } finally {
      setApplying(false);
    }
  };

  const active = (entries ?? []).filter((e) => !e.undone).length;
  return (
    <div className="history-panel">
      <div className="row gap">
        <button className="btn" onClick={props.onUndo} disabled={!props.undoAvailable} data-testid="history-undo">
          ↶ Undo
        </button>
        <button className="btn" onClick={props.onRedo} disabled={!props.redoAvailable} data-testid="history-redo">
          ↷ Redo
        </button>
      </div>
      <h3>Applied operations</h3>
      {entries === null ? (
        <p className="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p className="muted">Nothing applied yet. Every change you make is listed here and can be exported as a recipe.</p>
      ) : (
        <ol className="history-list">
          {entries.map((e, i) => {
            const words = describeEntry(e, paramsOf(props.operations, e.operation));
            return (
              <li key={i} className={e.undone ? 'undone' : ''} data-testid="history-entry">
                <div className="h-op">
                  <span className="h-n">{i + 1}</span>
                  {words.title}
                  {e.undone ? <em>undone</em> : null}
                </div>
                {words.details.length ? <div className="h-params">{words.details.join(' · ')}</div> : null}
                {e.appliedAt ? <div className="h-time">{new Date(e.appliedAt).toLocaleString()}</div> : null}
              </li>
            );
          })}
        </ol>
      )}
      <h3>Recipe</h3>
      <p className="muted small">A recipe is this list as a JSON file: apply it to another dataset to repeat the same cleaning.</p>
      <div className="row gap">
        <button className="btn" onClick={exportRecipe} disabled={active === 0} data-testid="export-recipe">
          Export recipe
        </button>
        <button className="btn" onClick={() => fileInput.current?.click()} disabled={applying} data-testid="apply-recipe">
          {applying ? 'Applying…' : 'Apply recipe…'}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="recipe-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void applyFile(f);
          }}
        />
      </div>
    </div>
  );
}
