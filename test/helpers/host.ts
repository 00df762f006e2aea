import assert from 'node:assert/strict';
import os from 'node:os';

/**
 * Assert that a reply's text shows nothing of the server: no absolute path (of DATA_DIR, the
 * temp folder or anything else), no internal column name (`__c<i>`, `df_pos`, `__pos`), no
 * Parquet file name. `dirs`: folders of the server that must not appear (e.g. DATA_DIR).
 */
export function assertNoHost(text: unknown, dirs: string[] = []): void {
  const s = String(text);
  for (const dir of [...dirs, os.tmpdir()]) assert.ok(!s.includes(dir), `${JSON.stringify(s)} names ${dir}`);
  assert.doesNotMatch(s, /(^|[\s"'=(:])\/[^\s"'/]+\/[^\s"']*/, 'an absolute path');
  assert.doesNotMatch(s, /__c\d|\bdf_pos\b|\b__pos\b/, 'an internal column name');
  assert.doesNotMatch(s, /\.parquet\b/, 'an internal file name');
}
