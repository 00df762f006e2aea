import { OperationError } from '../operations/errors.ts';

// MAX_CELL_BYTES bounds every cell a version holds, not only the values a request brings
// (plain-data.ts assertStringsWithin): an operation that builds values (executeCommand's
// `repeat(a, 100000)`, combineColumns of large cells, a findReplace whose replacement
// multiplies a value's length) could otherwise make cells of any size, which `data` slices,
// downloads and the cell cache then hold whole. The check runs inside the statement that
// writes a new column's file, as a filter of the rows it writes (cellChecked): strlen of a
// VARCHAR is its stored length, read without touching the bytes, so the write does not get
// slower (10M values: about 25 ms of CPU for a write of 0.5–6 s, see the README's
// MAX_CELL_BYTES), where a scan of the written file afterwards cost 0.03–0.9 s a column.
// Columns a version keeps were checked when written.

/** DuckDB types whose values have a size bounded by the type itself: never checked. */
const BOUNDED = /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL(\(\d+, ?\d+\))?|DATE|TIME\b.*|TIMESTAMP\b.*|TIMESTAMP_(S|MS|NS)|INTERVAL|UUID|"?NULL"?|ENUM\(.*\))$/s;

// What error() raises when a cell is too large, followed by the column's position and the size:
// recognized by cellLimitError, which names the column for the client.
const MARKER = '__willow_cell_limit';

/**
 * SQL of the size in bytes of `expr`'s value, a value of DuckDB type `type`, as the cell
 * limit counts it; null when the type bounds its values' size (numbers, dates, UUID…).
 * - VARCHAR, JSON: its UTF-8 bytes (strlen: the stored length, no scan of the bytes);
 * - BLOB: its bytes;
 * - anything else (LIST, STRUCT, MAP, arrays, UNION, BIT, BIGNUM): the bytes of its text
 *   form, CAST(… AS VARCHAR) (`[1, 2]`, `{'a': x}`), which is what searches and exports
 *   see, about what `data` sends as JSON, and how Parquet stores BIT and BIGNUM.
 */
export function cellBytesSql(expr: string, type: string): string | null {
  const t = type.trim().toUpperCase();
  if (BOUNDED.test(t)) return null;
  if (t === 'VARCHAR' || t === 'JSON') return `strlen(${expr})`;
  if (t === 'BLOB') return `octet_length(${expr})`;
  return `strlen(CAST(${expr} AS VARCHAR))`;
}

/**
 * A WHERE condition over the columns a statement writes (`columns[k]`: SQL of a column of
 * the FROM, and its DuckDB type) that holds for every row, and fails the statement with an
 * error cellLimitError recognizes at the first row holding a value over `maxBytes`
 * (cellBytesSql), naming the column (its position k) holding the row's largest value; null
 * when no column has a type to check. A filter that passes every row keeps the rows and
 * their order, and the sizes of all columns go into one greatest(): over 1,000 columns a
 * COPY with it took about half the time to prepare of one with a CASE a column (52 against
 * 104 ms). The sizes are computed again, only for the failing row, to name its column.
 */
function cellsWithin(columns: { expr: string; type: string }[], maxBytes: number): string | null {
  const checked = columns.flatMap((c, k) => {
    const size = cellBytesSql(c.expr, c.type);
    return size === null ? [] : [{ k, size }];
  });
  if (checked.length === 0) return null;
  const sizes = checked.map((c) => c.size).join(', ');
  const largest = checked.length === 1 ? checked[0].size : `greatest(${sizes})`;
  const which = checked.length === 1 ? `${checked[0].k}` : `[${checked.map((c) => c.k).join(', ')}][list_position([${sizes}], ${largest})]`;
  return `CASE WHEN ${largest} > ${maxBytes} THEN error('${MARKER} ' || ${which} || ' ' || ${largest}) ELSE true END`;
}

/**
 * `select` (a query whose output columns are `columns[k].field`, of DuckDB type
 * `columns[k].type`) as the query a COPY writes with the cell limit checked (cellsWithin):
 * the fields in order, the rows of `select` in order (by `orderBy`, one of its columns not
 * among the fields, when given); null when no column has a type to check, for the caller to
 * write `select` as it is. The filter sits over `select` as a subquery so that each value is
 * computed once, as a column (DuckDB does not push a filter calling error() into the
 * projection below it).
 */
export function cellChecked(select: string, columns: { field: string; type: string }[], maxBytes: number, orderBy?: string): string | null {
  const within = cellsWithin(columns.map((c) => ({ expr: c.field, type: c.type })), maxBytes);
  if (within === null) return null;
  return `SELECT ${columns.map((c) => c.field).join(', ')} FROM (${select}) AS __cells WHERE ${within}${orderBy ? ` ORDER BY ${orderBy}` : ''}`;
}

/**
 * The client's error for a statement that failed on cellChecked's check; null for any other
 * failure. `name(k)`: the user's name of the column checked as cellChecked's `columns[k]`.
 * OperationError('value too large') naming the column, the value's size and MAX_CELL_BYTES.
 */
export function cellLimitError(err: unknown, name: (k: number) => string, maxBytes: number): OperationError | null {
  const message = err instanceof Error ? err.message : String(err);
  const m = new RegExp(`^Invalid Input Error: ${MARKER} (\\d+) (\\d+)`).exec(message);
  if (!m) return null;
  return new OperationError(
    'value too large',
    `column ${JSON.stringify(name(Number(m[1])))} would hold a value of ${m[2]} bytes; cell values are limited to ${maxBytes} bytes (MAX_CELL_BYTES); the dataset is unchanged`,
    { cause: err },
  );
}
