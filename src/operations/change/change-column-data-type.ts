import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { annotate, columnNameOrPosition, resolveColumn } from '../params.ts';
import { checkDateFormat, convertColumn, kindOf, replaceColumn, type Kind } from './convert.ts';
import { fieldHasDictionary } from '../../engine/parquet-layout.ts';

// The numpy/pandas dtype names clients send, by the kind they mean.
const TYPE_NAMES: [RegExp, Kind][] = [
  [/^(u?int(8|16|32|64)?|integer|Int(8|16|32|64))$/i, 'int'],
  [/^(float(16|32|64)?|double|Float(32|64))$/i, 'float'],
  [/^(str|string|object|unicode)$/i, 'string'],
  [/^(bool|boolean)$/i, 'bool'],
  [/^(datetime|datetime64|datetime64\[(ns|us|ms|s)\])$/i, 'datetime'],
];
const ACCEPTED = 'int, int64 (int8…int64, uint8…uint64), float, float64 (float32), str, string, object, bool, datetime, datetime64 (datetime64[ns])';

export function kindOfTypeName(name: string): Kind | undefined {
  return TYPE_NAMES.find(([re]) => re.test(name.trim()))?.[1];
}

// Text → number: unparseable values become missing (pandas to_numeric errors='coerce').
// Float → int truncates toward zero. Text → datetime: ISO 8601 and common formats, or
// `dateFormat`. Anything → text as Python's str() prints it, datetimes in ISO 8601.
export const changeColumnDataType = defineOperation({
  name: 'changeColumnDataType',
  kind: 'change',
  summary: "convert a column's values to another type",
  params: z.object({
    column: columnNameOrPosition,
    // The common spellings are offered as choices; the other numpy names are accepted too.
    newDataType: annotate(z.string(), 'choice', { examples: ['int', 'float', 'string', 'bool', 'datetime'] }),
    dateFormat: z.string().nullish(),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = resolveColumn(ds, params.column);
    const to = kindOfTypeName(params.newDataType);
    if (!to) throw new OperationError('invalid data type', `newDataType ${JSON.stringify(params.newDataType)} is not a type this server converts to; accepted: ${ACCEPTED}`);
    const { name, type } = ds.column(index);
    // An empty format means "detect" to clients that always send the field.
    const dateFormat = params.dateFormat ? params.dateFormat : undefined;
    const parsesText = to === 'datetime' && (kindOf(type) === 'string' || kindOf(type) === 'other');
    if (dateFormat !== undefined && parsesText) await checkDateFormat(ctx.db, dateFormat);
    const expr = convertColumn(ds.ref(index), type, to, parsesText ? dateFormat : undefined);
    if (expr === null) return { kind: 'none' };
    // Numbers and time stamps as text are one text per value: where the column's own file
    // found too many distinct values for a dictionary, its text would too.
    const oneToOne = to === 'string' && ['int', 'float', 'datetime'].includes(kindOf(type));
    if (oneToOne && !(await fieldHasDictionary(ctx.db, ds.filePath(ds.column(index).file), ds.column(index).field))) {
      return { kind: 'columns', columns: replaceColumn(ds.names, index, expr).map((c) => ('expr' in c ? { ...c, dictionary: false as const } : c)) };
    }
    return { kind: 'columns', columns: replaceColumn(ds.names, index, expr) };
  },
});
