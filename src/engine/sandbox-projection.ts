import { z } from 'zod';

// `SELECT *, price * 2 AS price2 FROM df` gives back every column of df as it was plus one:
// written out whole, the result of a 10M-row, 8-column dataset cost 6 s on the command's one
// thread, for one new column. A query that maps df row by row (a projection: no filter,
// grouping, ordering, limit, window, unnest or subquery) keeps the rows in their order, so
// every result column that is a bare reference to a df column (`*`, `a`, `df.a`, `* EXCLUDE`,
// `* RENAME`) holds exactly that column's values and can keep its file, as UPDATE's unchanged
// columns do. Two independent checks decide it, and both must agree:
//
//  - the statement's syntax tree (DuckDB's json_serialize_sql) is one SELECT over the base
//    table df and nothing else, and maps each result column to a df column or to "computed";
//  - its unoptimized physical plan (EXPLAIN (FORMAT json) on an empty df, so that no filter
//    hides in a scan) is a chain of PROJECTIONs over one SEQ_SCAN of df.
//
// Anything unexpected in either gives null: the whole result is written, as before.

/** A table or column reference in the select list (only the fields read here). */
const columnRef = z.looseObject({ class: z.literal('COLUMN_REF'), column_names: z.array(z.string()) });
const star = z.looseObject({
  class: z.literal('STAR'),
  relation_name: z.string(),
  exclude_list: z.array(z.unknown()),
  replace_list: z.array(z.looseObject({ key: z.string() })),
  rename_list: z.array(z.looseObject({ key: z.looseObject({ table: z.string(), column: z.string() }), value: z.string() })),
  qualified_exclude_list: z.array(z.unknown()),
  columns: z.boolean(),
  expr: z.null(),
});
const selectNode = z.looseObject({
  type: z.literal('SELECT_NODE'),
  modifiers: z.array(z.unknown()).length(0),
  cte_map: z.looseObject({ map: z.array(z.unknown()).length(0) }),
  select_list: z.array(z.looseObject({ class: z.string() })),
  from_table: z.looseObject({ type: z.literal('BASE_TABLE'), alias: z.string(), sample: z.null(), schema_name: z.literal(''), catalog_name: z.literal(''), table_name: z.string(), column_name_alias: z.array(z.unknown()).length(0), at_clause: z.null() }),
  where_clause: z.null(),
  group_expressions: z.array(z.unknown()).length(0),
  group_sets: z.array(z.unknown()).length(0),
  aggregate_handling: z.literal('STANDARD_HANDLING'),
  having: z.null(),
  sample: z.null(),
  qualify: z.null(),
});
/**
 * A name as DuckDB compares identifiers: without regard to the case of ASCII letters only
 * (`SELECT äpfel FROM df` does not find a column `Äpfel`, nor `"\u212A"` (Kelvin) one named
 * `k`), where JavaScript's toLowerCase() would fold both.
 */
function fold(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

const serialized = z.looseObject({ error: z.literal(false), statements: z.array(z.looseObject({ node: z.unknown() })).length(1) });
const filteredNode = selectNode.extend({ where_clause: z.looseObject({ class: z.string() }) });

/**
 * The one SELECT node of `tree` (json_serialize_sql's text) when it reads the base table df
 * and matches `schema`, with the name the statement may qualify df's columns with (`table`,
 * lower case); null otherwise, or when a column of df has that name too (`t.x` would be
 * ambiguous to the reader here).
 */
function selectOverDf<S extends typeof selectNode | typeof filteredNode>(tree: string, shown: string[], schema: S): { node: z.infer<S>; table: string } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(tree);
  } catch {
    return null;
  }
  const statement = serialized.safeParse(parsed);
  if (!statement.success) return null;
  const node = schema.safeParse(statement.data.statements[0].node);
  if (!node.success || fold(node.data.from_table.table_name) !== 'df') return null;
  const table = fold(node.data.from_table.alias || node.data.from_table.table_name);
  if (shown.some((name) => fold(name) === table)) return null;
  return { node: node.data as z.infer<S>, table };
}

/**
 * For each result column of the query whose syntax tree is `tree` (the text of DuckDB's
 * `json_serialize_sql(command)`), the index of the df column it repeats unchanged, or -1 when
 * it is computed; null when the query is not a plain select list over df (see above) or its
 * columns cannot be told apart with certainty. `shown`: df's column names as the statement
 * sees them (unique without regard to case); `resultColumns`: the bound result's width, which
 * the mapping must match.
 */
export function projectedColumns(tree: string, shown: string[], resultColumns: number): number[] | null {
  const select = selectOverDf(tree, shown, selectNode);
  if (!select) return null;
  const { node, table } = select;
  const byName = new Map(shown.map((name, j) => [fold(name), j]));
  const kept: number[] = [];
  for (const item of node.select_list) {
    if (item.class === 'STAR') {
      const s = star.safeParse(item);
      if (!s.success || s.data.columns || s.data.qualified_exclude_list.length) return null;
      if (s.data.relation_name && fold(s.data.relation_name) !== table) return null;
      const excluded = new Set<number>();
      for (const name of s.data.exclude_list) {
        const j = typeof name === 'string' ? byName.get(fold(name)) : undefined;
        if (j === undefined) return null;
        excluded.add(j);
      }
      const replaced = new Set<number>();
      for (const { key } of s.data.replace_list) {
        const j = byName.get(fold(key));
        if (j === undefined) return null;
        replaced.add(j);
      }
      // A rename keeps the values; the result's name comes from the bound statement.
      for (const { key } of s.data.rename_list) {
        if ((key.table && fold(key.table) !== table) || !byName.has(fold(key.column))) return null;
      }
      shown.forEach((_, j) => {
        if (!excluded.has(j)) kept.push(replaced.has(j) ? -1 : j);
      });
      continue;
    }
    const ref = columnRef.safeParse(item);
    if (ref.success) {
      const parts = ref.data.column_names.map(fold);
      const j = parts.length === 1 ? byName.get(parts[0]) : parts.length === 2 && parts[0] === table ? byName.get(parts[1]) : undefined;
      // Anything else (a struct field, a lateral alias) is computed: always right, only slower.
      kept.push(j ?? -1);
      continue;
    }
    kept.push(-1);
  }
  return kept.length === resultColumns ? kept : null;
}

type PlanNode = { name: string; children: PlanNode[]; extra_info?: unknown };
const planNode: z.ZodType<PlanNode> = z.lazy(() => z.looseObject({ name: z.string(), children: z.array(planNode), extra_info: z.unknown().optional() }));

/**
 * Whether an unoptimized physical plan (the text of `EXPLAIN (FORMAT json) …`'s plan column)
 * reads df row by row into its result in order: PROJECTIONs, each over the next, down to one
 * sequential scan of the table df; with `filter`, exactly one FILTER somewhere in that chain.
 */
export function isRowProjection(plan: string, opts: { filter?: boolean } = {}): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plan);
  } catch {
    return false;
  }
  const roots = z.array(planNode).length(1).safeParse(parsed);
  if (!roots.success) return false;
  let node = roots.data[0];
  let filters = 0;
  while ((node.name === 'PROJECTION' || node.name === 'FILTER') && node.children.length === 1) {
    if (node.name === 'FILTER') filters += 1;
    node = node.children[0];
  }
  const scan = z.looseObject({ Table: z.string() }).safeParse(node.extra_info);
  return filters === (opts.filter ? 1 : 0) && node.name === 'SEQ_SCAN' && node.children.length === 0 && scan.success && /^memory\.main\.df$/i.test(scan.data.Table);
}

/**
 * Whether the query whose syntax tree is `tree` (json_serialize_sql) is `SELECT * FROM df
 * WHERE <condition>` and nothing else: every column of df, in order, of the rows the
 * condition keeps — a deletion of the others. The condition must name the columns it reads:
 * one that reaches every column (`COLUMNS(*)`, `*`, df as a row value) would also reach a
 * column added beside them to tell the rows apart (see sandbox.ts). `shown` as for
 * projectedColumns.
 */
export function isRowFilter(tree: string, shown: string[]): boolean {
  const select = selectOverDf(tree, shown, filteredNode);
  if (!select || select.node.select_list.length !== 1) return false;
  const { node, table } = select;
  const s = star.safeParse(node.select_list[0]);
  if (!s.success || s.data.columns || s.data.exclude_list.length || s.data.replace_list.length || s.data.rename_list.length || s.data.qualified_exclude_list.length) return false;
  if (s.data.relation_name && fold(s.data.relation_name) !== table) return false;
  return !reachesEveryColumn(node.where_clause, table);
}

/** Whether an expression tree holds a star (`*`, COLUMNS(…)) or names the table itself (a row value). */
function reachesEveryColumn(value: unknown, table: string): boolean {
  if (Array.isArray(value)) return value.some((v) => reachesEveryColumn(v, table));
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  if (record.class === 'STAR') return true;
  if (record.class === 'COLUMN_REF') {
    const names = record.column_names;
    if (!Array.isArray(names) || names.length === 0) return true;
    // The table as a row value: `df`, its alias, or qualified (`main.df`, `memory.main.df`).
    const last = fold(String(names.at(-1)));
    if (last === table || last === 'df') return true;
  }
  return Object.values(record).some((v) => reachesEveryColumn(v, table));
}
