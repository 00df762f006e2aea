import { z } from 'zod';
import { defineOperation, type ColumnPlan } from '../types.ts';
import { OperationError, invalidParameter, patternReason, tooManyColumns } from '../errors.ts';
import { bool, checkColumnIndex, columnPosition, pattern } from '../params.ts';
import { literal } from '../../engine/sql.ts';
import { apiType, isText } from '../../engine/column-types.ts';
import { scanOf } from './scan.ts';
import { piecesQuery, regexShape } from './split-count.ts';

// The original: missing → "", then str.split(delimiter) (or re.split for a regex) expanded
// into columns <col>_0, <col>_1, … inserted after the column, as many as the longest split;
// empty pieces, and the pieces a shorter row lacks, are missing. The column itself stays.
export const splitColumn = defineOperation({
  name: 'splitColumn',
  kind: 'change',
  summary: 'split a text column on a delimiter (or regex) into new columns after it',
  params: z.object({
    columnIndex: columnPosition,
    delimiter: pattern(z.string(), 'regex'),
    regex: bool.optional().default(false),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const { name, type } = ds.column(index);
    if (!isText(type)) {
      throw new OperationError('invalid column type', `columnIndex: column ${JSON.stringify(name)} is ${apiType(type)}; only text columns can be split`);
    }
    if (params.delimiter === '') throw invalidParameter('delimiter: an empty delimiter cannot split anything');
    const text = `coalesce(${ds.ref(index)}, '')`;
    const pieces = params.regex ? `regexp_split_to_array(${text}, ${literal(params.delimiter)})` : `string_split(${text}, ${literal(params.delimiter)})`;
    let count: number;
    let atLeast = false;
    const room = ctx.config.MAX_COLUMNS - ds.columns.length;
    if (params.regex) {
      let matchesEmpty: boolean;
      try {
        matchesEmpty = (await ctx.db.scalar(`SELECT regexp_matches('', ${literal(params.delimiter)})`)) === true;
      } catch (err) {
        const reason = patternReason(err);
        throw new OperationError('invalid regex', `delimiter ${JSON.stringify(params.delimiter)} is not a valid regular expression: ${reason}`);
      }
      const from = `(SELECT ${text} AS t FROM ${scanOf(ds, [index])})`;
      const row = await ctx.db.one(piecesQuery(from, params.delimiter, regexShape(params.delimiter), matchesEmpty, room));
      const most = Number(row.most ?? 0);
      const least = Number(row.least ?? 0);
      atLeast = least < 0;
      count = Math.max(most, -least);
    } else {
      // The most pieces a value splits into, counted from lengths (its occurrences, left to
      // right without overlap, as string_split finds them) rather than by building every
      // list: a 60 MB value split on its own letter made a list of 60 million pieces (5 s,
      // 2.7 GB) just to be counted.
      const most = `max((strlen(${text}) - strlen(replace(${text}, ${literal(params.delimiter)}, ''))) // ${Buffer.byteLength(params.delimiter)} + 1)`;
      count = Number((await ctx.db.scalar(`SELECT coalesce(${most}, 0) FROM ${scanOf(ds, [index])}`)) ?? 0);
    }
    if (count === 0) return { kind: 'none' };
    // Checked before a plan of `count` columns is built: one long value can split into
    // millions of pieces.
    if (atLeast || count > room) throw tooManyColumns('splitColumn', ds.columns.length + count, ctx.config.MAX_COLUMNS, atLeast);
    const parts: ColumnPlan[] = Array.from({ length: count }, (_, i) => ({ name: `${name}_${i}`, expr: `nullif((${pieces})[${i + 1}], '')` }));
    const columns: ColumnPlan[] = [];
    ds.columns.forEach((c, keep) => {
      columns.push({ name: c.name, keep });
      if (keep === index) for (const part of parts) columns.push(part);
    });
    return { kind: 'columns', columns };
  },
});
