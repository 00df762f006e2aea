import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { checkColumnIndex, checkRowIndex, columnPosition, rowPosition } from '../params.ts';
import { columnAs, convertValue, replaceColumn } from './convert.ts';
import { cellJsonSql, knownCellType } from '../../engine/cell-cache.ts';

// One cell changes. The value takes the column's type when it reads as one; otherwise the
// column widens (an integer column to DOUBLE for 2.5, anything to text for 'abc'), as
// pandas upcasts a Series to hold what was assigned.
export const newCellValue = defineOperation({
  name: 'newCellValue',
  kind: 'change',
  summary: "set one cell's value",
  params: z.object({
    columnIndex: columnPosition,
    rowIndex: rowPosition,
    newValue: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const row = checkRowIndex(ds, params.rowIndex);
    const { type } = ds.column(index);
    const value = await convertValue(ctx.db, params.newValue, type);
    // The cell already holds the value, in the column's own type: nothing to write (no
    // version, as for every operation that finds nothing to do).
    const same = value.missing ? `${ds.ref(index)} IS NULL` : value.type === type.toUpperCase() ? `${ds.ref(index)} IS NOT DISTINCT FROM ${value.sql}` : null;
    // With it, the new cell's JSON text as a slice shows it (CellEdit.cells; CellCache would
    // otherwise read it back from the new file when the edited block is next read).
    let cell: string | undefined;
    if (same) {
      const rendered = knownCellType(type) ? `, (SELECT ${cellJsonSql('__v', type)} FROM (SELECT CAST(${value.missing ? 'NULL' : value.sql} AS ${type}) AS __v)) AS cell` : '';
      const found = await ctx.db.one(`SELECT ${same} AS same${rendered} FROM (${await ds.selectRows(ctx.db, { columns: [index], from: row, to: row })})`);
      if (found.same === true) return { kind: 'none' };
      if (rendered) cell = String(found.cell);
    }
    const expr = value.missing
      ? `CASE WHEN __pos = ${row} THEN NULL ELSE ${ds.ref(index)} END`
      : `CAST(CASE WHEN __pos = ${row} THEN ${value.sql} ELSE ${columnAs(ds.ref(index), type, value.type)} END AS ${value.type})`;
    // In the column's own type, every other cell stays as it was.
    const written = `CAST(${value.missing ? 'NULL' : value.sql} AS ${type})`;
    const sameExcept = value.missing || value.type === type.toUpperCase() ? [{ at: index, from: index, positions: [row], values: [written], ...(cell === undefined ? {} : { cells: [cell] }) }] : undefined;
    return { kind: 'columns', columns: replaceColumn(ds.names, index, expr), sameExcept };
  },
});
