// Window expressions over row order (`__pos` of df_pos). A change using only these needs no
// `ordered: true`: a window ordered by __pos without PARTITION BY hands its rows back in
// that order, as batches an order-preserving COPY writes in turn (DuckDB's
// PhysicalWindow::SourceOrder is FIXED_ORDER exactly when a window has an ORDER BY and no
// PARTITION BY). Sorting its output by __pos again made the same file for more CPU: on 10M
// rows 0.3–0.4 s for the statement alone, 0.15–0.2 s of the 1.7–1.9 s of a whole fillDown
// request (a loaded machine). A window partitioned or ordered otherwise needs `ordered: true`.

/** The last non-null value of `expr` at or above each row. */
export const lastValidAbove = (expr: string): string => `last_value(${expr} IGNORE NULLS) OVER (ORDER BY __pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;

/** The first non-null value of `expr` at or below each row. */
export const firstValidBelow = (expr: string): string => `first_value(${expr} IGNORE NULLS) OVER (ORDER BY __pos ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)`;
