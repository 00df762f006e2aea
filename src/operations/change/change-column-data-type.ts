import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { annotate, columnNameOrPosition, resolveColumn } from '../params.ts';
import { literal } from '../../engine/sql.ts';
import { checkDateFormat, convertColumn, convertedTable, detectDateLayouts, kindOf, losesValues, lostValues, replaceColumn, textOf, type Kind } from './convert.ts';
import { scanOf } from './scan.ts';
import type { ConversionAnswer } from '../../protocol/messages.ts';
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

// Text → number: unparseable values become missing (pandas to_numeric errors='coerce');
// `decimal` and `thousands` say how the text writes numbers (`1.234,56`: decimal ',',
// thousands '.'), as pandas read_csv's options of those names. Text → int takes whole
// numbers only (`7.0`, `1e3`), a fraction or a value beyond int64 becoming missing, never
// rounded (parseInteger). Float → int truncates toward zero (pandas astype(int)), a float
// beyond int64 becoming missing (floatToInt). Text → bool: true/t/yes/y/1, false/f/no/n/0 in any
// case. Text → datetime: `dateFormat` (strftime codes), or layouts detected for the whole
// column (detectDateLayouts: the one that reads the most values, month first on a tie as
// pandas reads them, and beside it only layouts that cannot read its dates as others: a
// column never has 03/04 read month first in one row and day first in the next); values with a UTC offset become UTC times, values without one stay as
// written (parseDatetime). Anything → text as Python's str() prints it, datetimes in ISO 8601.
//
// The success answer says what was lost (API.md "Changing"): `valuesMadeMissing`, how many
// values that were there (not missing, not blank text) became missing, always (0 for a
// conversion that cannot lose any); `madeMissingExamples`, a few of them as text, the most
// frequent first (lostValues: at most 5 of 60 characters, from the first 1,000 lost);
// `detectedDateFormat`, the layout detection chose (`ISO 8601` or a strftime format). A
// conversion that would blank every value there is is refused ('invalid conversion', naming
// the column and examples) rather than applied: its result holds nothing, which is never
// what was asked for.
/**
 * A separator of numbers in text (pandas read_csv's `decimal`, `thousands`): one character
 * that is not a digit, a sign, `e` or a space (which trim() would take), so that a number
 * stays readable once it is replaced.
 */
function separator(param: string) {
  return z.string().refine((v) => v === '' || (Array.from(v).length === 1 && !/[\d+\-eE\s]/.test(v)), `${param} must be one character other than a digit, a sign, e or a space, e.g. "," or "."`).transform((v) => (v === '' ? null : v));
}

/**
 * Number text (SQL of a VARCHAR) written with `decimal` and `thousands` as the separators,
 * rewritten in the form parseNumber reads: thousands separators dropped, then the decimal
 * one made a point. The text itself when it already is in that form.
 */
function numberSpelling(text: string, decimal: string, thousands: string | undefined): string {
  if (thousands === decimal) throw new OperationError('invalid parameters', `decimal and thousands are both ${JSON.stringify(decimal)}; a number could not be read`);
  const dropped = thousands === undefined ? text : `replace(${text}, ${literal(thousands)}, '')`;
  return decimal === '.' ? dropped : `replace(${dropped}, ${literal(decimal)}, '.')`;
}

export const changeColumnDataType = defineOperation({
  name: 'changeColumnDataType',
  kind: 'change',
  summary: "convert a column's values to another type; values that cannot be read as it become missing (the result says how many and shows a few), and a conversion that no value would survive is refused",
  params: z.object({
    column: columnNameOrPosition,
    // The common spellings are offered as choices; the other numpy names are accepted too.
    newDataType: annotate(z.string(), 'choice', { examples: ['int', 'float', 'string', 'bool', 'datetime'] }),
    dateFormat: z.string().nullish(),
    // pandas read_csv's decimal / thousands: how text writes numbers (`1.234,56`).
    decimal: separator('decimal').nullish(),
    thousands: separator('thousands').nullish(),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = resolveColumn(ds, params.column);
    const to = kindOfTypeName(params.newDataType);
    if (!to) throw new OperationError('invalid data type', `newDataType ${JSON.stringify(params.newDataType)} is not a type this server converts to; accepted: ${ACCEPTED}`);
    const { name, type } = ds.column(index);
    const source = ds.ref(index);
    // Numbers are read from the text respelled; what was lost is counted on the text as it is.
    const numberText = (to === 'int' || to === 'float') && kindOf(type) === 'string';
    const readFrom = numberText ? numberSpelling(source, params.decimal ?? '.', params.thousands ?? undefined) : source;
    // An empty format means "detect" to clients that always send the field.
    const dateFormat = params.dateFormat ? params.dateFormat : undefined;
    const parsesText = to === 'datetime' && (kindOf(type) === 'string' || kindOf(type) === 'other');
    if (dateFormat !== undefined && parsesText) await checkDateFormat(ctx.db, dateFormat);
    const detected = parsesText && dateFormat === undefined ? await detectDateLayouts(ctx.db, scanOf(ds, [index], true), textOf(source, type), ds.rows) : undefined;
    const expr = convertColumn(readFrom, type, to, parsesText ? (dateFormat ?? detected) : undefined);
    const answer: ConversionAnswer = { valuesMadeMissing: 0, madeMissingExamples: [], ...(detected && { detectedDateFormat: detected[0].name }) };
    if (expr === null) return { kind: 'none', answer };
    if (losesValues(type, to)) {
      const scan = scanOf(ds, [index]);
      const converted = await convertedTable(ctx.db, scan, source, type, expr);
      const { present, lost, examples } = await lostValues(ctx.db, converted);
      if (present > 0 && lost === present) {
        const how = parsesText ? ` in ${dateFormat === undefined ? 'any layout it recognizes' : `the format ${JSON.stringify(dateFormat)}`}` : '';
        throw new OperationError('invalid conversion', `no value of column ${JSON.stringify(name)} reads as ${to}${how}: all ${present.toLocaleString('en-US')} would become missing (e.g. ${examples.map((e) => JSON.stringify(e)).join(', ')}); the dataset is unchanged`);
      }
      return { kind: 'columns', answer: { ...answer, valuesMadeMissing: lost, madeMissingExamples: examples }, columns: replaceColumn(ds.names, index, `${converted.table}.v`), joins: [converted.table] };
    }
    // Numbers and time stamps as text are one text per value: where the column's own file
    // found too many distinct values for a dictionary, its text would too.
    const oneToOne = to === 'string' && ['int', 'float', 'datetime'].includes(kindOf(type));
    if (oneToOne && !(await fieldHasDictionary(ctx.db, ds.filePath(ds.column(index).file), ds.column(index).field))) {
      return { kind: 'columns', answer, columns: replaceColumn(ds.names, index, expr).map((c) => ('expr' in c ? { ...c, dictionary: false as const } : c)) };
    }
    return { kind: 'columns', answer, columns: replaceColumn(ds.names, index, expr) };
  },
});
