// A size as DuckDB's memory settings and this server's configuration write them (512MB, 1GiB).

/** Bytes of a DuckDB memory size ('64MB', '1GB', '1GiB', '500KB', '1024'); DuckDB's units (KB = 1000, KiB = 1024). */
export function parseMemorySize(size: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$/i.exec(size);
  if (!m) throw new Error(`not a memory size: ${JSON.stringify(size)} (expected e.g. 512MB or 1GB)`);
  const unit = m[2].toLowerCase().replace(/b$/, '');
  const powers: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40 };
  const factor = powers[unit];
  if (factor === undefined) throw new Error(`not a memory size: ${JSON.stringify(size)}`);
  return Math.floor(Number(m[1]) * factor);
}
