// Window expressions over row order (`__pos` of df_pos). A change using an ordered window
// (lastValidAbove, firstValidBelow) must set `ordered: true`, since such a window may hand
// rows back in another order.

/** The last non-null value of `expr` at or above each row. */
export const lastValidAbove = (expr: string): string => `last_value(${expr} IGNORE NULLS) OVER (ORDER BY __pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;

/** The first non-null value of `expr` at or below each row. */
export const firstValidBelow = (expr: string): string => `first_value(${expr} IGNORE NULLS) OVER (ORDER BY __pos ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)`;
