// The requests of the load test (npm run load) and of bench/request-cost.ts.

export type Request = { kind: string; operation: string; params: Record<string, unknown> };

// Columns of the bench CSV (generate.ts): 0 id, 1 price, 2 qty (gaps), 3 category, 4 comment, 5 flag, 6 created, 7 score.

/** One read of a `rows`-row session: metadata, a plain / sorted / filtered 50-row slice, or analyze. */
export function readRequest(r: () => number, rows: number): Request {
  const from = Math.floor(r() * (rows - 50));
  const x = r();
  if (x < 0.2) return { kind: 'metadata', operation: 'metadata', params: {} };
  if (x < 0.55) return { kind: 'data', operation: 'data', params: { rowIndexFrom: from, rowIndexTo: from + 49, columnIndexFrom: 0, columnIndexTo: 7 } };
  const page = Math.floor(r() * 1000);
  if (x < 0.75) return { kind: 'data sorted', operation: 'data', params: { rowIndexFrom: page, rowIndexTo: page + 49, columnIndexFrom: 0, columnIndexTo: 7, sortColumnIndex: [1, 3, 7][Math.floor(r() * 3)], sortAscending: r() < 0.5 } };
  if (x < 0.9) return { kind: 'data filtered', operation: 'data', params: { rowIndexFrom: 0, rowIndexTo: 49, columnIndexFrom: 0, columnIndexTo: 7, filterType: 'invalid', filterColumnIndices: [2] } };
  return { kind: 'analyze', operation: 'analyze', params: { column: ['price', 'category', 'score'][Math.floor(r() * 3)] } };
}

/** An editor's round: a cell, a column filled, a rename and its undo (so readers' names stay valid). */
export function editRequests(r: () => number, rows: number): Request[] {
  const row = Math.floor(r() * rows);
  return [
    { kind: 'newCellValue', operation: 'newCellValue', params: { columnIndex: 1, rowIndex: row, newValue: String(Math.floor(r() * 1000) / 10) } },
    { kind: 'fillWithCustomValue', operation: 'fillWithCustomValue', params: { columnIndex: 2, newValue: String(Math.floor(r() * 100)) } },
    { kind: 'renameColumn', operation: 'renameColumn', params: { column: 'comment', newName: `comment_${Math.floor(r() * 1e6)}` } },
    { kind: 'undo', operation: 'undo', params: {} },
  ];
}
