import { z } from 'zod';

// The shapes of what the server answers, shared by the server (which produces them) and the
// web client (which validates what it receives with them), so the two cannot drift apart.
// This module is the lowest layer: it imports nothing but zod, and runs in Node and browsers.

/** Every reply's envelope (API.md "Socket.IO"). */
export const replyEnvelope = z.object({
  operation: z.string(),
  sessionID: z.string().nullish(),
  requestID: z.string().nullish(),
  success: z.boolean(),
  error: z.string().optional(),
  errorDescription: z.string().optional(),
});
export type ReplyEnvelope = z.infer<typeof replyEnvelope>;

/** A line an upload's answer names: its number in the file (1-based, as an editor counts) and its text (cut to 200 characters). */
const lineExample = z.object({ line: z.number(), text: z.string() });

/** POST /upload */
export const uploadResponse = z.union([
  z.object({
    success: z.literal(true),
    sessionID: z.string(),
    rows: z.number().optional(),
    columns: z.number().optional(),
    skippedLines: z.number().optional(),
    paddedLines: z.number().optional(),
    skippedLineExamples: z.array(lineExample).optional(),
    paddedLineExamples: z.array(lineExample).optional(),
    sheetName: z.string().optional(),
    sheetNames: z.array(z.string()).optional(),
  }),
  z.object({ success: z.literal(false), error: z.string(), errorDescription: z.string() }),
]);
export type UploadResponse = z.infer<typeof uploadResponse>;

/**
 * One column of `metadata`'s columnInfo. `dateOnly` (beyond the original; datetime columns
 * only): every value of the whole column is at midnight, so pandas prints it, and the CSV
 * download writes it, as dates alone (`2023-08-16`); false when any value has a time of day.
 */
export const columnInfo = z.object({ index: z.number(), dataType: z.string(), invalidValues: z.number(), dateOnly: z.boolean().optional() });
export type ColumnInfo = z.infer<typeof columnInfo>;

/** metadata */
export const metadataResult = z.object({
  undoAvailable: z.boolean(),
  redoAvailable: z.boolean(),
  dataSize: z.object({ rows: z.number(), columns: z.number() }),
  columns: z.array(z.string()),
  columnInfo: z.record(z.string(), columnInfo),
  /** Beyond the original: the name of the file the session was imported from, when the server knows it. */
  filename: z.string().optional(),
});
export type MetadataResult = z.infer<typeof metadataResult>;

/** data: the `data` field is a JSON string holding this (split orientation, `index` = row positions). */
export const dataResult = z.object({ data: z.string() });
export const dataSlice = z.object({
  columns: z.array(z.string()),
  index: z.array(z.number()),
  data: z.array(z.array(z.unknown())),
});
export type DataSlice = z.infer<typeof dataSlice>;

/**
 * What changeColumnDataType answers besides `changed` (API.md "Changing"): how many values
 * that were there (not missing, not blank text) became missing, a few of them as text (at
 * most 5 of at most 60 characters, the most frequent among the first 1,000 lost first), and
 * the layout automatic date detection chose (`ISO 8601` or a strftime format such as
 * `%d/%m/%Y`; only when it ran).
 */
export const conversionAnswer = z.object({
  valuesMadeMissing: z.number(),
  madeMissingExamples: z.array(z.string()),
  detectedDateFormat: z.string().optional(),
});
export type ConversionAnswer = z.infer<typeof conversionAnswer>;

/**
 * A changing operation's success answer besides the envelope: `changed` (README "Beyond the
 * original"), the fields of conversionAnswer where the operation converts, and
 * `unchangedReason`, why a change that was accepted changed nothing, where the operation can
 * tell more than "nothing matched" (e.g. a regex findReplace on a numeric column).
 */
export const changeAnswer = conversionAnswer.partial().extend({
  changed: z.boolean().nullish(),
  unchangedReason: z.string().optional(),
});

/** dataChanged, pushed to the session's room after every changing operation. */
export const dataChanged = z.object({ sessionID: z.string(), requestID: z.string().nullish() });

/**
 * Beside a history entry's parameters: the names of the columns that its parameters giving
 * columns by position referred to when it was applied, by parameter (`{"columnIndex": "price"}`;
 * a list for a list, one name per entry), and for a position where a new column went
 * (`insertIndex`, role columnInsertIndex) the column it went next to: `{"after": "price"}`
 * (right after it), or `{"before": "name"}` when it went first. applyOperations finds those
 * names again, so that a recipe changes the same columns, and puts new ones next to the same
 * columns, on a dataset whose columns are in another order.
 */
export const insertionPlace = z.union([z.strictObject({ after: z.string() }), z.strictObject({ before: z.string() })]);
export type InsertionPlace = z.infer<typeof insertionPlace>;
export const columnNames = z.record(z.string(), z.union([z.string(), z.array(z.string()), insertionPlace]));
export type ColumnNames = z.infer<typeof columnNames>;

/** One entry of `history` (and of a recipe given to `applyOperations`). */
export const historyEntry = z.object({
  operation: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  columns: columnNames.optional(),
  appliedAt: z.string().optional(),
  undone: z.boolean().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntry>;
export const historyResult = z.object({ operations: z.array(historyEntry) });

/** A recipe file as the web client saves it: the history of a session. */
export const recipeFile = z.union([
  z.object({ willowRecipe: z.literal(1), operations: z.array(historyEntry) }),
  z.array(historyEntry),
]);

/** analyze: the statistics vary with the column's type; these are the fields every type has. */
export const analyzeResult = z.object({
  data: z
    .object({
      invalid: z.number(),
      unique_count: z.number(),
      frequencies: z.array(z.tuple([z.unknown(), z.number()])),
      mode: z.array(z.unknown()),
      mode_frequency: z.number().nullish(),
      word_frequencies: z.array(z.tuple([z.unknown(), z.number()])).optional(),
    })
    .catchall(z.unknown()),
});
export type AnalyzeStats = z.infer<typeof analyzeResult>['data'];

const bound = z.union([z.number(), z.string()]).nullish();
export const axisWindow = z.object({ start: bound, end: bound });
/** visualize */
export const visualizeResult = z.object({
  image: z.string(),
  axis: z.object({ x: axisWindow.nullish(), y: axisWindow.nullish() }).nullish(),
});
export type VisualizeResult = z.infer<typeof visualizeResult>;

/** operations (discovery): how a client learns the requests and their parameters. */
export const operationDescription = z.object({
  name: z.string(),
  aliases: z.array(z.string()),
  kind: z.enum(['read', 'change', 'history']),
  summary: z.string(),
  /** JSON Schema (draft 2020-12) of the parameters, with `x-role` annotations (see params.ts). */
  parameters: z.record(z.string(), z.unknown()),
});
export type OperationDescription = z.infer<typeof operationDescription>;
export const operationsResult = z.object({ operations: z.array(operationDescription) });

/**
 * columnProfiles: one small distribution per column for the grid's data-quality bars.
 * `histogram`: equal-width bins over [min, max] of a number or date column (dates as epoch
 * milliseconds); `top`: the most frequent values with `other` the count of the rest.
 * `missing` counts missing values; `rows` the column's length. `distinct` is null for
 * numbers, dates and sampled columns.
 */
export const columnProfile = z.object({
  name: z.string(),
  dataType: z.string(),
  rows: z.number(),
  missing: z.number(),
  distinct: z.number().nullable(),
  // min and max: an int64 column's exact values, which the web client reads as their digits beyond 2^53 (web/src/exact-json.ts).
  histogram: z.object({ min: z.union([z.number(), z.string()]), max: z.union([z.number(), z.string()]), counts: z.array(z.number()) }).nullable(),
  top: z.array(z.object({ value: z.string(), count: z.number() })).nullable(),
  other: z.number(),
  /** true when `top` was counted on a sample of the rows and scaled (large columns). */
  sampled: z.boolean(),
});
export type ColumnProfile = z.infer<typeof columnProfile>;
export const columnProfilesResult = z.object({ profiles: z.array(columnProfile) });
