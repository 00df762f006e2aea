import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Columns past which a statement's native memory is worth a collection (collectAfterWide):
 * the wide path's threshold (import/wide.ts WIDE_COLUMNS).
 */
export const RELEASE_COLUMNS = 1000;

/**
 * V8's full collection. DuckDB's results (and the statement state they keep) are freed by
 * @duckdb/node-api only in the finalizers of their small JavaScript wrappers (it exposes no
 * destroy for a result), and V8, which sees a few bytes per wrapper, collects them when its
 * own heap asks for it, not when DuckDB's memory does. Without `--expose-gc` the function is
 * obtained through V8's flag at run time (v8.setFlagsFromString, then `gc` of a new context).
 */
function fullCollection(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

let collect: (() => void) | null = null;
let scheduled = false;

/**
 * After work over a dataset of `columns` columns: when it is wide (more than RELEASE_COLUMNS),
 * run one full collection at the next turn of the event loop (after the caller's reply is
 * sent; requests made meanwhile share it), so that the native memory of its finished DuckDB
 * results goes back before the next statement allocates its own. Over 10,000 columns a
 * statement's results keep hundreds of MB: bench/wide.ts's server reached 1.47-1.79 GB RSS,
 * the JSON import starting on top of what the CSV download before it still held (about
 * 950 MB RSS with 105 MB counted by duckdb_memory()). A collection takes some ms on the
 * server's heap; narrow work never pays it.
 */
export function collectAfterWide(columns: number): void {
  if (columns <= RELEASE_COLUMNS || scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    collect ??= fullCollection();
    collect();
  });
}
