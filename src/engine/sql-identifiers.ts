/** Index of the first character at or after `i` that is not whitespace or a comment. */
function skipTrivia(sql: string, i: number): number {
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') i++;
    else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i + 2);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else break;
  }
  return i;
}

/**
 * The identifiers of a SQL text, lower-cased, each with whether it is called (an opening
 * parenthesis follows it, past whitespace and comments), in one linear pass (sqlTokens):
 * bare words and "quoted" identifiers (with "" unescaped), skipping 'string' literals, $tag$
 * dollar-quoted strings, -- line comments and nested block comments. A qualified name
 * (system.main.f) gives each part. Unterminated strings and comments end with the text.
 */
export function sqlIdentifiers(sql: string): { name: string; call: boolean }[] {
  const tokens = sqlTokens(sql);
  return tokens.flatMap((t, k) => (t.kind === 'word' || t.kind === 'quoted' ? [{ name: t.text.toLowerCase(), call: tokens[k + 1]?.kind === 'symbol' && tokens[k + 1].text === '(' }] : []));
}

// What a command may not call: functions that show the host rather than the data — settings
// (allowed_paths holds server paths), the catalog (df's definition names its files), the
// engine's and files' versions and metadata, raw file reads, the statement being run (the
// engine's own wrapper around the command) — and the ones that run, bind or parse SQL given
// as a string, which this check could not see into (the JSON extension's json_serialize_plan
// binds it: its plan named df's files, and a read_csv in it sniffed them).
const DENIED = new Set(['current_setting', 'getvariable', 'version', 'which_secret', 'glob', 'query', 'query_table', 'read_blob', 'read_text', 'getenv', 'current_query']);
const DENIED_PREFIXES = ['duckdb_', 'pragma_', 'parquet_', 'json_serialize_', 'json_deserialize_', 'json_execute_'];

/** The first function `sql` calls that a command may not use, or null. (A column may have any of these names.) */
export function deniedFunction(sql: string): string | null {
  for (const { name, call } of sqlIdentifiers(sql)) {
    if (call && (DENIED.has(name) || DENIED_PREFIXES.some((p) => name.startsWith(p)))) return name;
  }
  return null;
}

// Table functions a command may call (and the only ones its plan may hold, see
// planTableFunctions): generators of values from their arguments alone, which reach
// neither a file, the network, the catalog, the settings nor SQL given as text.
//
// An allow-list, not a deny-list: DuckDB 1.5 has some 80 table functions and table macros
// (`SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type IN ('table',
// 'table_macro')`), most of which reach something other than df — read_parquet and
// parquet_scan (also `FROM 'file.parquet'`, a replacement scan), parquet_metadata/_schema/
// _file_metadata/_kv_metadata/_full_metadata/_bloom_probe, read_csv(_auto), sniff_csv,
// read_json*/read_ndjson*, read_text, read_blob, read_duckdb, glob, query, query_table,
// json_execute_serialized_sql, checkpoint, enable_logging, duckdb_*, pragma_*, … — and
// every release adds some. A function missing here is refused until someone decides it is
// safe; a reader missing from a deny-list would have been a hole.
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['range', 'generate_series', 'unnest', 'repeat', 'repeat_row', 'json_each', 'json_tree']);

/** DuckDB's functions by name: whether a name is a table function (or table macro), and whether it is also callable in an expression. */
export interface FunctionKinds {
  table: ReadonlySet<string>;
  /** Scalar, aggregate and macro names: a call of one of these in the text may be that, not the table function. */
  expression: ReadonlySet<string>;
}

/**
 * The first table function `sql` calls that is not in ALLOWED_TABLE_FUNCTIONS, or null; by
 * the text, before anything binds (binding a reader already opens its file). A name that is
 * also a scalar or aggregate function (`histogram`) cannot be told apart here: the plan
 * check (planTableFunctions) sees what it is. A qualified call (`system.main.read_csv(…)`)
 * is seen by its last part; a quoted one (`"read_csv"(…)`) by its name.
 */
export function refusedTableFunction(sql: string, kinds: FunctionKinds): string | null {
  for (const { name, call } of sqlIdentifiers(sql)) {
    if (call && kinds.table.has(name) && !kinds.expression.has(name) && !ALLOWED_TABLE_FUNCTIONS.has(name)) return name;
  }
  return null;
}

/**
 * The table functions a physical plan runs (the text of `EXPLAIN (FORMAT json) …`'s plan
 * column: each table-function scan carries its function's name in extra_info.Function, and
 * a replacement scan `FROM 'x.parquet'` shows as PARQUET_SCAN, a catalog view such as
 * information_schema.tables as the duckdb_* function it reads), lower case, in plan order;
 * null when the text is not such a plan.
 */
export function planTableFunctions(plan: string): string[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plan);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const out: string[] = [];
  const walk = (node: unknown): boolean => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return false;
    const { name, children, extra_info: extra } = node as { name?: unknown; children?: unknown; extra_info?: unknown };
    if (typeof name !== 'string' || !Array.isArray(children)) return false;
    if (extra !== null && typeof extra === 'object' && 'Function' in extra) out.push(String((extra as { Function: unknown }).Function).toLowerCase());
    return children.every(walk);
  };
  return parsed.every(walk) ? out : null;
}

type Token = { text: string; kind: 'word' | 'quoted' | 'string' | 'symbol' };

/** The tag (`$$`, `$name$`) of a dollar-quoted string opening at `i`, or null. */
function dollarTag(sql: string, i: number): string | null {
  if (!/[A-Za-z_$]/.test(sql[i + 1] ?? '')) return null;
  const close = sql.indexOf('$', i + 1);
  const tag = close < 0 ? '' : sql.slice(i, close + 1);
  return /^\$[A-Za-z_0-9]*\$$/.test(tag) ? tag : null;
}

/**
 * The tokens of a SQL text, in one linear pass: bare words (as written), "quoted"
 * identifiers and 'strings' (their text, doubled quotes unescaped), $tag$ dollar-quoted
 * strings (kind string) and single symbols; whitespace and comments skipped. Unterminated
 * strings and comments end with the text.
 */
function sqlTokens(sql: string): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    i = skipTrivia(sql, i);
    if (i >= n) break;
    const c = sql[i];
    const tag = c === '$' ? dollarTag(sql, i) : null;
    if (c === "'" || c === '"') {
      let text = '';
      i++;
      while (i < n) {
        if (sql[i] === c) {
          if (sql[i + 1] === c) {
            text += c;
            i += 2;
          } else break;
        } else text += sql[i++];
      }
      i++;
      out.push({ text, kind: c === '"' ? 'quoted' : 'string' });
    } else if (tag) {
      const end = sql.indexOf(tag, i + tag.length);
      out.push({ text: sql.slice(i + tag.length, end < 0 ? n : end), kind: 'string' });
      i = end < 0 ? n : end + tag.length;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i])) i++;
      out.push({ text: sql.slice(start, i), kind: 'word' });
    } else {
      out.push({ text: c, kind: 'symbol' });
      i++;
    }
  }
  return out;
}

/**
 * Why an ALTER statement cannot be run as a command, or null when it can. The dataset is a
 * list of plain columns (name, type, values): what an ALTER TABLE does to those — ADD
 * [COLUMN] (a DEFAULT fills the existing rows), DROP [COLUMN], RENAME [COLUMN] … TO, ALTER
 * [COLUMN] … [SET DATA] TYPE [USING] — takes effect; what only a table keeps for later
 * statements — a default (SET/DROP DEFAULT), a constraint (SET/DROP NOT NULL, ADD PRIMARY
 * KEY/UNIQUE/CHECK/FOREIGN KEY/CONSTRAINT, DROP CONSTRAINT), a collation, statistics,
 * partitioning or sort keys, table options — would be accepted and then lost with the
 * table, so it is refused here, by name. Anything not recognised is refused too.
 */
export function alterRefusal(sql: string): string | null {
  const t = sqlTokens(sql);
  let i = 0;
  const word = (k = i) => (t[k]?.kind === 'word' ? t[k].text.toUpperCase() : '');
  const is = (...words: string[]) => words.every((w, k) => word(i + k) === w);
  const skipName = () => {
    // name, "name", a.b.c
    if (t[i]?.kind !== 'word' && t[i]?.kind !== 'quoted') return false;
    i++;
    while (t[i]?.text === '.' && t[i]?.kind === 'symbol' && (t[i + 1]?.kind === 'word' || t[i + 1]?.kind === 'quoted')) i += 2;
    return true;
  };
  while (t[i]?.kind === 'symbol' && t[i].text === '(') i++;
  if (!is('ALTER')) return null;
  i++;
  if (!is('TABLE')) return `ALTER ${word() || 'of anything but a TABLE'} is not supported: only ALTER TABLE df changes the dataset`;
  i++;
  if (is('IF', 'EXISTS')) i += 2;
  if (!skipName()) return null; // not valid SQL: DuckDB says so
  const constraint = (what: string) => `ALTER TABLE … ${what} is not supported: the dataset's columns are plain columns, which keep no constraints (NOT NULL, PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY) and no defaults; the statement would have no lasting effect`;
  const collate = () => (t.slice(i).some((x) => x.kind === 'word' && x.text.toUpperCase() === 'COLLATE') ? 'ALTER TABLE … COLLATE is not supported: the dataset\'s columns keep no collation (use a COLLATE in the queries that compare)' : null);
  const action = word();
  if (action === 'ADD') {
    i++;
    const what = word();
    if (['PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN', 'CONSTRAINT'].includes(what)) return constraint(`ADD ${what === 'PRIMARY' || what === 'FOREIGN' ? `${what} KEY` : what}`);
    return collate();
  }
  if (action === 'DROP') {
    i++;
    if (word() === 'CONSTRAINT') return constraint('DROP CONSTRAINT');
    return null;
  }
  if (action === 'RENAME') return null;
  if (action === 'SET' || action === 'RESET') {
    const what = [word(i + 1), word(i + 2)].filter(Boolean).join(' ');
    return `ALTER TABLE … ${action}${what ? ` ${what}` : ''} is not supported: the dataset keeps no table options, partitioning or sort keys`;
  }
  if (action === 'ALTER') {
    i++;
    if (is('COLUMN') && (t[i + 1]?.kind === 'word' || t[i + 1]?.kind === 'quoted')) i++;
    if (!skipName()) return null;
    const change = word();
    if (change === 'TYPE' || is('SET', 'DATA', 'TYPE')) return collate();
    if (change === 'SET' || change === 'DROP') {
      const what = word(i + 1) === 'NOT' ? 'NOT NULL' : word(i + 1);
      if (what === 'DEFAULT' || what === 'NOT NULL') return constraint(`ALTER COLUMN … ${change} ${what}`);
      return `ALTER TABLE … ALTER COLUMN … ${change} ${what || '…'} is not supported: only the column's type can be changed (ALTER COLUMN … TYPE …)`;
    }
    return `ALTER TABLE … ALTER COLUMN … ${change || '…'} is not supported: only the column's type can be changed (ALTER COLUMN … TYPE …)`;
  }
  return `ALTER TABLE … ${action || '…'} is not supported: ALTER TABLE df may ADD, DROP or RENAME a column, change a column's TYPE, or nothing else`;
}
