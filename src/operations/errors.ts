// An error meant for the client: `code` becomes `error` (short), `message` becomes
// `errorDescription` (what was wrong, for a person). Anything else thrown by an operation
// is an internal error and is reported without leaking internals. `cause` (optional) is
// the engine's or system's own error behind it, for the log only.
export class OperationError extends Error {
  readonly code: string;
  constructor(code: string, description: string, options?: ErrorOptions) {
    super(description, options);
    this.name = 'OperationError';
    this.code = code;
  }
}

export const invalidParameter = (description: string): OperationError => new OperationError('invalid parameters', description);

/** Longest text clientText() returns, in characters. */
export const CLIENT_TEXT_MAX = 300;

export interface ClientTextOptions {
  /** The column names of the dataset the failed SQL ran on: `__c<i>` (Dataset.sqlName) becomes names[i]. */
  names?: readonly string[];
  /**
   * The message is about a user's SQL or text (executeCommand, whose df shows the users'
   * column names and reads files by relative names of its own folder; a regular expression):
   * names in it are theirs, and only `__c<i>` (df's source) and absolute paths are ours.
   * Otherwise every identifier is the engine's: a file name, `c<i>` (fields of its files and
   * staged tables), `__pos`, `df_pos` and the tables it makes become words too.
   */
  userSql?: boolean;
}

// What a client must not see, in one pattern so that a replacement is never looked at again
// (a user's column name put in for `__c<i>` stays as it is):
//  - an absolute POSIX path, in quotes (any path, spaces too) or bare with two segments or
//    more and not inside a word (`DOUBLE/INT`, `%m/%d/%Y`, `03/15/2021`, `'/'` and URLs stay);
//  - a file of ours named without its folder (a column file, the sandbox's `v<i>-<random>.parquet`);
//  - a column of the engine's views (Dataset.sqlName: `__c<i>`) or of its files and staged
//    tables (`c<i>`, quoted or after "column": values are in single quotes), with the word
//    "column" before it or not;
//  - the row position (`__pos`, DuckDB's `file_row_number`) and the view `df_pos`;
//  - other names the engine makes for itself: `<prefix>_<pid>_<n>_<random>` (import's
//    staged tables) and `__<name>` (`__command_…`, `__result`, `__v`, …); not inside a value.
const HIDDEN = new RegExp(
  [
    String.raw`(?<quote>["'])\/[\w.~@+-](?:(?!\k<quote>)[^\n])*\k<quote>`,
    String.raw`(?<![\w.~%/\\-])(?<path>\/[^\s"'/]+(?:\/[^\s"'/]*)+)`,
    String.raw`(?<fileQuote>["']?)\b[\w.-]+\.parquet\b\k<fileQuote>`,
    String.raw`(?<column>\bcolumn +)?(?<columnQuote>"?)(?<!['\w])(?<kind>__c|c)(?<index>\d+)\b\k<columnQuote>`,
    String.raw`(?<rowQuote>"?)(?<!['\w])(?<row>__pos|file_row_number|df_pos)\b\k<rowQuote>`,
    String.raw`(?<internalQuote>"?)(?<!['\w])(?:[a-z]+(?:_[a-z]+)*_\d+_\d+_[a-z0-9]{1,6}|__\w+)\b\k<internalQuote>`,
  ].join('|'),
  'g',
);

/**
 * An engine or system message (DuckDB's, the file system's, a child process's) as text a
 * client may see, keeping what names the problem ("Could not convert string 'abc' to INT32"):
 * its first line (for DuckDB's CSV errors, whose first line only says where, with the reason
 * line after it), absolute paths and our file names replaced by `<file>`, our column
 * references by the user's column name (`names`) or "a column", the row position, `df_pos`
 * and other internal names by words, at most CLIENT_TEXT_MAX characters. The full message is
 * for the log, never the client.
 */
export function clientText(message: string, opts: ClientTextOptions = {}): string {
  const lines = message.split(/\r\n|\n|\r/);
  let text = lines[0].trim();
  if (/CSV Error on Line: \d+$/.test(text)) {
    // "Original Line: …" (the user's data, maybe megabytes), then the reason, then hints and settings.
    const reason = lines.slice(1).find((l) => l.trim() !== '' && !/^(Original Line|Possible Solution)/.test(l) && !/^\s/.test(l));
    if (reason) text += `: ${reason.trim()}`;
  }
  // The pattern scans ahead from each quote: on a long line (a cell value quoted in it) only
  // a prefix, so that its cost stays bounded whatever the data.
  text = text.slice(0, 16 * CLIENT_TEXT_MAX);
  text = text.replace(HIDDEN, (all: string, ...args: unknown[]) => {
    const g = args.at(-1) as Record<string, string | undefined>;
    if (g.path) return `<file>${/[.,:;)\]]*$/.exec(g.path)![0]}`;
    if (g.kind) {
      if (g.kind === 'c' && (opts.userSql || !(g.column || g.columnQuote))) return all;
      const name = g.kind === '__c' ? opts.names?.[Number(g.index)] : undefined;
      return name === undefined ? 'a column' : `${g.column ?? ''}${JSON.stringify(name)}`;
    }
    if (opts.userSql && (g.row || g.internalQuote !== undefined || g.fileQuote !== undefined)) return all;
    if (g.row) return g.row === 'df_pos' ? 'the dataset' : 'the row position';
    if (g.internalQuote !== undefined) return 'an intermediate table';
    return '<file>';
  });
  return text.length > CLIENT_TEXT_MAX ? `${text.slice(0, CLIENT_TEXT_MAX - 1)}…` : text;
}

/**
 * DuckDB's reason for refusing an operation on this data (a conversion that failed, a value
 * out of range …), as clientText gives it (`names`: the columns of the version the SQL ran
 * on, for `__c<i>`), without the "<Kind> Error: " prefix; null for any other error, which
 * is the server's own.
 */
export function engineReason(message: string, names?: readonly string[]): string | null {
  const duck = /^(Conversion|Invalid Input|Out of Range|Binder|Parser|Constraint|Catalog|Not implemented|INTERRUPT) Error: ?(.*)$/s.exec(message);
  return duck ? clientText(duck[2], { names }) : null;
}

/**
 * The reason DuckDB gives for refusing a user's pattern or format (a regular expression, a
 * strftime format) checked on its own: its message without the "<Kind> Error: " prefix, as
 * clientText gives it for a user's text.
 */
export function patternReason(err: unknown): string {
  return clientText((err instanceof Error ? err.message : String(err)).replace(/^[\w ]+Error: /, ''), { userSql: true });
}

/**
 * The refusal of a change that would make `count` columns (or, with `atLeast`, that many or
 * more: counted only as far as needed to refuse), past `max` (MAX_COLUMNS).
 */
/**
 * OperationError('too many cells'): `operation` would compute `columns` new columns of `rows`
 * rows each, more cells than MAX_WRITE_CELLS (`max`).
 */
export function tooManyCells(operation: string, columns: number, rows: number, max: number): OperationError {
  const cells = (columns * rows).toLocaleString('en-US');
  return new OperationError('too many cells', `${operation} would write ${columns.toLocaleString('en-US')} columns of ${rows.toLocaleString('en-US')} rows, ${cells} cells; the limit is ${max.toLocaleString('en-US')} (MAX_WRITE_CELLS); the dataset is unchanged`);
}

export function tooManyColumns(operation: string, count: number, max: number, atLeast = false): OperationError {
  return new OperationError('too many columns', `${operation} would make ${atLeast ? 'at least ' : ''}${count.toLocaleString('en-US')} columns; the limit is ${max.toLocaleString('en-US')} (MAX_COLUMNS); the dataset is unchanged`);
}
