// Window expressions over row order (`__pos` of df_pos). A change using only these needs no
// `ordered: true`: a window ordered by __pos without PARTITION BY hands its rows back in
// that order, as batches an order-preserving COPY writes in turn (DuckDB's
// PhysicalWindow::SourceOrder is FIXED_ORDER exactly when a window has an ORDER BY and no
// PARTITION BY). Sorting its output by __pos again made the same file for more CPU: on 10M
// rows 0.3–0.4 s for the statement alone, 0.15–0.2 s of the 1.7–1.9 s of a whole fillDown
// request (a loaded machine). A window partitioned or ordered otherwise needs `ordered: true`.

// What the window costs beyond its sort, on 10M int64 with 10% missing (EXPLAIN ANALYZE's
// WINDOW, thread time, loaded machine): row_number() OVER (ORDER BY __pos) 1.2-2.1 s, the
// sort alone; last_value(… IGNORE NULLS) with this ROWS frame 2.9-3.7 s; with the default
// RANGE frame 3.4-4.5 s; coalesce(v, lag(v IGNORE NULLS) OVER (ORDER BY __pos)) 3.5-3.8 s;
// a running count(v) 4.5 s. None cheaper than this one.

/** The last non-null value of `expr` at or above each row. */
export const lastValidAbove = (expr: string): string => `last_value(${expr} IGNORE NULLS) OVER (ORDER BY __pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;

/** The first non-null value of `expr` at or below each row. */
export const firstValidBelow = (expr: string): string => `first_value(${expr} IGNORE NULLS) OVER (ORDER BY __pos ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)`;
