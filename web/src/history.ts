// A history entry in words, for the History panel. Its parameters are the request as sent:
// columns as positions (`columnIndex: 3`), which say nothing to a person and, once columns
// came and went, not even which column it was. History records beside them the names those
// positions had when the entry was applied (`columns`, API.md / README "Beyond the
// original"), and where a new column went as the column it went next to: the entry is
// written with those. Which parameters are columns comes from the operations' published
// roles (ops.ts), so a new operation reads right without code here.

import type { ColumnNames, HistoryEntry, InsertionPlace } from '../../src/protocol/messages.ts';
import { humanize, type ControlKind, type Param } from './ops.ts';

export interface EntryWords {
  /** The operation and the columns it was on: `Fill down on “price”`. */
  title: string;
  /** Its other parameters, each `Label: value`. */
  details: string[];
}

/** Controls of parameters that name columns (positions or names). */
const COLUMN_CONTROLS = new Set<ControlKind>(['column', 'columnName', 'columns', 'columnNames']);
/** Most names or values of one list written out; the rest are counted. */
const LIST_MAX = 6;

const quote = (name: string) => `“${name}”`;

/** A list in words: its first LIST_MAX items, and how many more. */
function listWords(items: readonly string[]): string {
  const shown = items.slice(0, LIST_MAX).join(', ');
  return items.length > LIST_MAX ? `${shown} and ${items.length - LIST_MAX} more` : shown;
}

const isPlace = (r: ColumnNames[string] | undefined): r is InsertionPlace => typeof r === 'object' && r !== null && !Array.isArray(r);

function placeWords(place: InsertionPlace): string {
  return 'after' in place ? `after ${quote(place.after)}` : `first, before ${quote(place.before)}`;
}

/** One column reference: a name as given, or a position history has no name for (an entry from before it recorded names). */
function columnWord(value: unknown, recorded: string | undefined): string {
  if (recorded !== undefined) return quote(recorded);
  if (typeof value === 'string') return quote(value);
  return `column at position ${JSON.stringify(value)}`;
}

/** The columns a parameter refers to, each in words. */
function columnWords(value: unknown, recorded: ColumnNames[string] | undefined): string[] {
  if (Array.isArray(recorded)) return recorded.map((name) => quote(name));
  if (Array.isArray(value)) return value.map((v) => columnWord(v, undefined));
  return [columnWord(value, typeof recorded === 'string' ? recorded : undefined)];
}

/** Any other parameter's value in words. */
function valueWords(value: unknown): string {
  // Text that is blank or starts or ends with whitespace quoted, so that the spaces show: a
  // separator of one space `" "`, a delimiter of a comma and a space `", "` (not `, `).
  if (typeof value === 'string') return value === '' || value.trim() !== value ? JSON.stringify(value) : value;
  if (Array.isArray(value)) return listWords(value.map(valueWords));
  return JSON.stringify(value) ?? String(value);
}

/**
 * `entry` in words: its operation on the columns it was applied to, named as they were then,
 * and its other parameters. `params`: the operation's parameters as discovery describes them
 * (undefined when the server no longer lists it: then only what history recorded as columns
 * is known to be columns).
 */
export function describeEntry(entry: HistoryEntry, params: readonly Param[] | undefined): EntryWords {
  const byName = new Map((params ?? []).map((p) => [p.name, p]));
  const recorded = entry.columns ?? {};
  const on: string[] = [];
  const details: string[] = [];
  for (const [key, value] of Object.entries(entry.parameters)) {
    if (value === null || value === undefined) continue;
    const param = byName.get(key);
    const label = param?.label ?? humanize(key);
    const names = recorded[key];
    if (isPlace(names) || (param?.schema['x-role'] === 'columnInsertIndex' && names === undefined)) {
      // Where a new column went: by its neighbour when recorded, else the position as given.
      details.push(`Placed: ${isPlace(names) ? placeWords(names) : `at position ${valueWords(value)}`}`);
    } else if (names !== undefined || (param && COLUMN_CONTROLS.has(param.control))) {
      // A range (fillDown's columnFrom … columnTo) records each of its columns: each is said once.
      for (const word of columnWords(value, names)) if (!on.includes(word)) on.push(word);
    } else {
      details.push(`${label}: ${valueWords(value)}`);
    }
  }
  const op = humanize(entry.operation);
  return { title: on.length ? `${op} on ${listWords(on)}` : op, details };
}

/** The description of operation `name` (or of one of its aliases) among `operations`. */
export function paramsOf(operations: readonly { name: string; aliases: string[]; params: Param[] }[], name: string): Param[] | undefined {
  return operations.find((o) => o.name === name || o.aliases.includes(name))?.params;
}
