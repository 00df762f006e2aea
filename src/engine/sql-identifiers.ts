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
 * parenthesis follows it, past whitespace and comments), in one linear pass: bare words
 * and "quoted" identifiers (with "" unescaped), skipping 'string' literals, $tag$
 * dollar-quoted strings, -- line comments and nested block comments. A qualified name
 * (system.main.f) gives each part. Unterminated strings and comments end with the text.
 */
export function sqlIdentifiers(sql: string): { name: string; call: boolean }[] {
  const out: { name: string; call: boolean }[] = [];
  const n = sql.length;
  const push = (name: string, at: number) => {
    const next = skipTrivia(sql, at);
    out.push({ name: name.toLowerCase(), call: sql[next] === '(' });
    return next;
  };
  let i = 0;
  while (i < n) {
    i = skipTrivia(sql, i);
    if (i >= n) break;
    const c = sql[i];
    if (c === "'") {
      i++;
      while (i < n) {
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === '"') {
      let name = '';
      i++;
      while (i < n) {
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') {
            name += '"';
            i += 2;
          } else break;
        } else name += sql[i++];
      }
      i = push(name, i + 1);
    } else if (c === '$' && /[A-Za-z_$]/.test(sql[i + 1] ?? '')) {
      const close = sql.indexOf('$', i + 1);
      const tag = close < 0 ? '' : sql.slice(i, close + 1);
      if (tag && /^\$[A-Za-z_0-9]*\$$/.test(tag)) {
        const end = sql.indexOf(tag, close + 1);
        i = end < 0 ? n : end + tag.length;
      } else i++;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i])) i++;
      i = push(sql.slice(start, i), i);
    } else i++;
  }
  return out;
}

// What a command may not call: functions that show the host rather than the data — settings
// (allowed_paths holds server paths), the catalog (df's definition names its files), the
// engine's and files' versions and metadata, raw file reads, the statement being run (the
// engine's own wrapper around the command) — and the ones that run SQL given as a string,
// which this check could not see into.
const DENIED = new Set(['current_setting', 'getvariable', 'version', 'which_secret', 'glob', 'query', 'query_table', 'read_blob', 'read_text', 'getenv', 'current_query']);
const DENIED_PREFIXES = ['duckdb_', 'pragma_', 'parquet_'];

/** The first function `sql` calls that a command may not use, or null. (A column may have any of these names.) */
export function deniedFunction(sql: string): string | null {
  for (const { name, call } of sqlIdentifiers(sql)) {
    if (call && (DENIED.has(name) || DENIED_PREFIXES.some((p) => name.startsWith(p)))) return name;
  }
  return null;
}
