import { OperationError } from '../operations/errors.ts';

// MAX_CELL_BYTES bounds every cell a version holds, not only the values a request brings
// (plain-data.ts assertStringsWithin): an operation that builds values (executeCommand's
// `repeat(a, 100000)`, combineColumns of large cells, a findReplace whose replacement
// multiplies a value's length) could otherwise make cells of any size, which `data` slices,
// downloads and the cell cache then hold whole. The check runs inside the statement that
// writes a new column's file, as a CASE over the value it writes: strlen of a VARCHAR is
// its stored length, read without touching the bytes, so the write does not get slower
// (measured on 10M rows, see the README's MAX_CELL_BYTES), where a scan of the written file
// afterwards cost 0.1–0.8 s a column. Columns a version keeps were checked when written.

/** DuckDB types whose values have a size bounded by the type itself: never checked. */
const BOUNDED = /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL(\(\d+, ?\d+\))?|DATE|TIME\b.*|TIMESTAMP\b.*|TIMESTAMP_(S|MS|NS)|INTERVAL|UUID|"?NULL"?|ENUM\(.*\))$/s;

// What error() raises when a cell is too large, followed by the output's index and the size:
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
 * `expr` (a value of DuckDB type `type`) as a value to write, the statement failing with an
 * error cellLimitError recognizes (naming output `output`) when one is over `maxBytes`
 * (cellBytesSql); `expr` itself for types of bounded size. `expr` is evaluated twice: pass
 * a column of a subquery, not a computation.
 */
export function limitedCell(expr: string, type: string, output: number, maxBytes: number): string {
  const size = cellBytesSql(expr, type);
  if (size === null) return expr;
  return `CASE WHEN ${size} > ${maxBytes} THEN error('${MARKER} ${output} ' || ${size}) ELSE ${expr} END`;
}

/**
 * The client's error for a statement that failed on limitedCell's check; null for any other
 * failure. `name(output)`: the user's name of the column written as that output.
 * OperationError('value too large') naming the column, the value's size and MAX_CELL_BYTES.
 */
export function cellLimitError(err: unknown, name: (output: number) => string, maxBytes: number): OperationError | null {
  const message = err instanceof Error ? err.message : String(err);
  const m = new RegExp(`^Invalid Input Error: ${MARKER} (\\d+) (\\d+)`).exec(message);
  if (!m) return null;
  return new OperationError(
    'value too large',
    `column ${JSON.stringify(name(Number(m[1])))} would hold a value of ${m[2]} bytes; cell values are limited to ${maxBytes} bytes (MAX_CELL_BYTES); the dataset is unchanged`,
    { cause: err },
  );
}
