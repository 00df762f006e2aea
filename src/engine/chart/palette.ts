// Colours of the series of a chart, in order (Tableau 10, as Vega's own default scheme:
// distinct hues that stay apart for colour-blind readers too). A chart draws at most this
// many series, so every series has its own colour.
export const PALETTE = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'] as const;

export const MAX_SERIES = PALETTE.length;

/** Opacity of overlaid histogram bars: overlaps stay visible. */
export const HISTOGRAM_OPACITY = 0.5;
/** Opacity of scatter points: dense regions read darker. */
export const POINT_OPACITY = 0.7;

/** Chart size in pixels. */
export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 500;

export const FONT_FAMILY = 'DejaVu Sans';
