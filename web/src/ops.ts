import { z } from 'zod';
import { operationsResult, type OperationDescription } from '../../src/protocol/messages.ts';

/** A parameter's JSON Schema as discovery publishes it (see src/operations/params.ts). */
export interface ParamSchema {
  type?: string | string[];
  enum?: unknown[];
  examples?: unknown[];
  anyOf?: ParamSchema[];
  items?: ParamSchema;
  default?: unknown;
  minimum?: number;
  minLength?: number;
  pattern?: string;
  properties?: Record<string, ParamSchema>;
  required?: string[];
  description?: string;
  'x-role'?: string;
  'x-regexFlag'?: string;
  'x-aliasOf'?: string;
  /** The types (metadata's dataType) the column a column parameter names may be of; any without it. */
  'x-columnTypes'?: string[];
}

export type ControlKind = 'column' | 'columnName' | 'columns' | 'columnNames' | 'row' | 'rows' | 'choice' | 'sql' | 'regex' | 'boolean' | 'number' | 'integer' | 'list' | 'text';

export interface Param {
  name: string;
  label: string;
  required: boolean;
  control: ControlKind;
  schema: ParamSchema;
  choices: string[];
  /** For a regex parameter that is one only when another (boolean) parameter is true. */
  regexFlag?: string;
  default?: unknown;
}

export interface OperationSpec extends OperationDescription {
  params: Param[];
  /** The published schema as a zod validator: forms are checked before they are sent. */
  validator: z.ZodType;
  /** The parameter that takes "this column" when the operation is started from a column menu. */
  columnParam?: Param;
}

/** The types a schema (or one of its anyOf branches) allows. */
function types(s: ParamSchema): Set<string> {
  const out = new Set<string>();
  if (s.type) for (const t of Array.isArray(s.type) ? s.type : [s.type]) out.add(t);
  if (s.enum) out.add('string');
  for (const b of s.anyOf ?? []) for (const t of types(b)) out.add(t);
  return out;
}

export function humanize(name: string): string {
  const words = name
    .replace(/NaN/g, 'Nan')
    .replace(/NA$/, 'Na')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\bnan\b/g, 'NaN')
    .replace(/\bna\b/g, 'NA');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const ROLE_LABEL: Record<string, string> = { columnIndex: 'Column', column: 'Column', columnName: 'Column', columnIndices: 'Columns', columns: 'Columns', rowIndex: 'Row', rowIndices: 'Rows' };

// Parameter names whose words are not the ones to show (the protocol keeps the original's spelling).
const LABEL_WORDS: Record<string, string> = { seperator: 'Separator' };

function label(name: string, role: string | undefined, siblings: Param[]): string {
  if (LABEL_WORDS[name]) return LABEL_WORDS[name];
  // A lone column parameter is "Column"; several keep their own names (columnFrom → Column from).
  if (role && ROLE_LABEL[role] && !/(From|To)$/.test(name) && !siblings.some((p) => p.schema['x-role'] === role)) return ROLE_LABEL[role];
  return humanize(name);
}

function controlOf(s: ParamSchema): ControlKind {
  const t = types(s);
  switch (s['x-role']) {
    case 'columnIndex':
      return 'column';
    case 'column':
    case 'columnName':
      return 'columnName';
    case 'columnIndices':
      return 'columns';
    case 'columns':
      return 'columnNames';
    case 'rowIndex':
      return 'row';
    case 'rowIndices':
      return 'rows';
    case 'choice':
      return 'choice';
    case 'sql':
      return 'sql';
    case 'regex':
      return t.has('array') ? 'list' : 'regex';
  }
  // A list when only a list fits; "a count or a list" (discretize's bins) is typed as text.
  if (t.has('array')) return t.size === 1 ? 'list' : 'text';
  // A boolean branch among lenient spellings ("true", 1) is a switch; a scalar of any type
  // (a cell's new value: ["string", "number", "boolean", "null"]) is text.
  if (t.has('boolean') && !Array.isArray(s.type)) return 'boolean';
  if (t.has('integer') && t.size <= 2 && !t.has('number')) return 'integer';
  if (t.has('number') && !(s.type && Array.isArray(s.type))) return 'number';
  return 'text';
}

function unwrapNullable(s: ParamSchema): { schema: ParamSchema; nullable: boolean } {
  if (s.anyOf && s.anyOf.some((b) => b.type === 'null')) {
    const rest = s.anyOf.filter((b) => b.type !== 'null');
    if (rest.length === 1) return { schema: { ...rest[0], 'x-role': rest[0]['x-role'] ?? s['x-role'] }, nullable: true };
  }
  return { schema: s, nullable: false };
}

export function describeParams(schema: ParamSchema): Param[] {
  const out: Param[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, raw] of Object.entries(schema.properties ?? {})) {
    if (raw['x-aliasOf']) continue; // another spelling of a parameter already listed
    const { schema: s } = unwrapNullable(raw);
    const control = controlOf(s);
    const choices = (s.enum ?? (s.examples as unknown[] | undefined) ?? []).map(String);
    out.push({ name, label: '', required: required.has(name), control, schema: s, choices, regexFlag: s['x-regexFlag'], default: s.default ?? raw.default });
  }
  for (const p of out) p.label = label(p.name, p.schema['x-role'], out.filter((o) => o !== p));
  return out;
}

export async function fetchOperations(): Promise<OperationSpec[]> {
  const res = await fetch('/api/operations');
  if (!res.ok) throw new Error(`the server did not list its operations (HTTP ${res.status})`);
  const { operations } = operationsResult.parse(await res.json());
  return operations.map((op) => {
    const params = describeParams(op.parameters as ParamSchema);
    let validator: z.ZodType;
    try {
      validator = z.fromJSONSchema(op.parameters as Parameters<typeof z.fromJSONSchema>[0]);
    } catch {
      validator = z.record(z.string(), z.unknown());
    }
    const columnParam = params.find((p) => p.control === 'column' && !/To$/.test(p.name)) ?? params.find((p) => p.control === 'columnName');
    return { ...op, params, validator, columnParam };
  });
}

/**
 * Why `op` cannot be applied to `column`, from what its column parameter publishes
 * (`x-columnTypes`): a column menu offers it greyed out with this as its title, instead of
 * letting it fail once sent. Null when it can.
 */
export function columnRefusal(op: { name: string; columnParam?: Param }, column: { name: string; type: string }): string | null {
  const types = op.columnParam?.schema['x-columnTypes'];
  if (!types || types.includes(column.type)) return null;
  const wanted = types.length === 2 && types.includes('int') && types.includes('float') ? 'numeric (int or float)' : types.join(' or ');
  return `${humanize(op.name)} needs a ${wanted} column; “${column.name}” is of type ${column.type}`;
}

/** A column's position in `columns` by its name; -1 when no column has it. */
export function positionOf(columns: readonly { name: string }[], name: unknown): number {
  return columns.findIndex((c) => c.name === name);
}

/**
 * A column parameter's value as the operation takes it. The workbench holds columns by name
 * (they keep to their column when others come and go); a `column` or `columns` control
 * sends positions, looked up now in `columns`; the other controls send the value as it is.
 */
export function sentValue(control: ControlKind, value: unknown, columns: readonly { name: string }[]): unknown {
  if (control === 'column') return positionOf(columns, value);
  if (control === 'columns') return (value as unknown[]).map((n) => positionOf(columns, n));
  return value;
}
