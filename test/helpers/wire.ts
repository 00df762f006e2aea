import type { WillowClient } from './client.ts';

export interface WireTable {
  columns: string[];
  types: string[];
  invalid: number[];
  rows: unknown[][];
  index: number[];
}

/** A whole (small) dataset as a client sees it: metadata for names and types, then one data slice. */
export async function readTable(client: WillowClient, sessionID: string, view: Record<string, unknown> = {}): Promise<WireTable> {
  const meta = await client.request('metadata', sessionID, view);
  if (!meta.success) throw new Error(`metadata failed: ${JSON.stringify(meta)}`);
  const columns = meta.columns as string[];
  const types = columns.map((c) => meta.columnInfo[c].dataType as string);
  const invalid = columns.map((c) => meta.columnInfo[c].invalidValues as number);
  if (meta.dataSize.rows === 0 || columns.length === 0) return { columns, types, invalid, rows: [], index: [] };
  const res = await client.request('data', sessionID, { rowIndexFrom: 0, rowIndexTo: meta.dataSize.rows - 1, columnIndexFrom: 0, columnIndexTo: columns.length - 1, ...view });
  if (!res.success) throw new Error(`data failed: ${JSON.stringify(res)}`);
  const parsed = JSON.parse(res.data) as { columns: string[]; index: number[]; data: unknown[][] };
  return { columns, types, invalid, rows: parsed.data, index: parsed.index };
}
