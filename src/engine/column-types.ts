// The type names clients see, as the original reported pandas dtypes.
export type ApiType = 'int' | 'float' | 'string' | 'datetime' | 'bool' | string;

const INT = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const FLOAT = /^(FLOAT|DOUBLE|REAL|DECIMAL(\(.*\))?)$/;

export function apiType(duckType: string): ApiType {
  const t = duckType.toUpperCase();
  if (INT.test(t)) return 'int';
  if (FLOAT.test(t)) return 'float';
  if (t === 'VARCHAR') return 'string';
  if (t === 'BOOLEAN') return 'bool';
  if (t.startsWith('TIMESTAMP') || t === 'DATE') return 'datetime';
  return duckType.toLowerCase();
}

export const isNumeric = (duckType: string): boolean => ['int', 'float'].includes(apiType(duckType));
export const isText = (duckType: string): boolean => apiType(duckType) === 'string';
export const isTemporal = (duckType: string): boolean => apiType(duckType) === 'datetime';
