/** How many modes the Analyze panel lists before "… and N more". */
export const MODES_SHOWN = 10;

/**
 * The modes to list and how many are left out. The server lists every tied value (up to a
 * cap): a column of 100,000 values seen equally often has 100,000 modes, a block nobody
 * reads. When every value ties (`unique × modeFrequency` is all the values counted) the
 * count of the rest is the column's distinct count, also past the server's cap.
 */
export function modeList(mode: unknown[], unique?: number, modeFrequency?: number | null, counted?: number): { shown: unknown[]; more: number } {
  const allTie = unique !== undefined && modeFrequency != null && counted !== undefined && unique * modeFrequency === counted;
  const total = allTie ? Math.max(unique, mode.length) : mode.length;
  const shown = mode.slice(0, MODES_SHOWN);
  return { shown, more: total - shown.length };
}
