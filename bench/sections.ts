import fsp from 'node:fs/promises';
import path from 'node:path';
import type { BenchClient, Timed } from './socket.ts';
import { cpuMs, type BenchServer } from './server.ts';
import type { Floors } from './floors.ts';
import type { BenchContext } from './operations.ts';
import { OPERATION_CASES, CHANGING_HISTORY_OPERATIONS, CHART_CASES } from './operations.ts';
import { BENCH_COLUMNS } from './generate.ts';
import { download } from './http.ts';
import { Table, TARGETS, verdict, percentile, fmtMs, fmtBytes, fmtRate, fmtRatio, shortProblem, MB, type Target } from './report.ts';

/** Everything a section needs: the server, a connected client, the session and its shape. */
export interface Bench {
  server: BenchServer;
  client: BenchClient;
  sessionID: string;
  ctx: BenchContext;
  columnCount: number;
  /** The operation registry as loaded when the bench started (the server loads the same files), or why it could not be loaded. */
  registry: RegisteredOperation[] | Error;
  /** Progress lines go to stderr, so stdout carries only the report. */
  log(line: string): void;
  /** DuckDB's own speed on the same data, or why it could not be measured. */
  floors: Floors | Error;
  /** Changing operations to run (`name` or `name:part of the case label`); all when null. */
  ops?: string[] | null;
}

/** Whether --ops asks for this case. */
function wanted(b: Bench, op: string, label: string): boolean {
  if (!b.ops) return true;
  return b.ops.some((w) => {
    const [name, part] = w.includes(':') ? [w.slice(0, w.indexOf(':')), w.slice(w.indexOf(':') + 1)] : [w, ''];
    return name === op && label.includes(part);
  });
}

const SLICE_ROWS = 100;
const SLICE_REQUESTS = 30;

/** A `Measure | Value | Target | Status` table row. */
function addFigure(t: Table, measure: string, value: number, shown: string, target?: Target): void {
  t.add(measure, shown, target?.label ?? '', verdict(value, target));
}

function figureTable(title: string): Table {
  return new Table(title, ['Measure', 'Value', 'Target (10M rows)', 'Status']);
}

// ---------------------------------------------------------------- reads

export async function metadataSection(b: Bench): Promise<Table> {
  const t = figureTable('metadata');
  const times: number[] = [];
  let problem: string | undefined;
  for (let k = 0; k < 10; k++) {
    const r = await b.client.request('metadata', b.sessionID);
    if (!r.ok) problem ??= r.problem;
    else times.push(r.ms);
  }
  if (times.length) {
    addFigure(t, 'metadata p50 (10 requests)', percentile(times, 50), fmtMs(percentile(times, 50)));
    addFigure(t, 'metadata first / max', Math.max(...times), `${fmtMs(times[0])} / ${fmtMs(Math.max(...times))}`);
  }
  if (problem) t.add('metadata', `failed: ${shortProblem(problem)}`, '', 'FAIL');
  return t;
}

/** 30 slices of 100 rows × all columns at random offsets of a view of `viewRows` rows. */
async function slices(b: Bench, viewRows: number, extra: Record<string, unknown>): Promise<{ times: number[]; problem?: string }> {
  const times: number[] = [];
  let problem: string | undefined;
  for (let k = 0; k < SLICE_REQUESTS; k++) {
    const from = Math.floor(b.ctx.random() * Math.max(1, viewRows - SLICE_ROWS + 1));
    const r = await sliceRequest(b, from, extra);
    if (r.ok) times.push(r.ms);
    else problem ??= r.problem;
  }
  return { times, problem };
}

async function sliceRequest(b: Bench, from: number, extra: Record<string, unknown>): Promise<Timed> {
  const r = await b.client.request('data', b.sessionID, { rowIndexFrom: from, rowIndexTo: from + SLICE_ROWS - 1, columnIndexFrom: 0, columnIndexTo: b.columnCount - 1, ...extra });
  if (!r.ok) return r;
  // Checked after the clock stopped: the answer must really be the slice asked for.
  try {
    const parsed = JSON.parse(r.response.data);
    if (!Array.isArray(parsed.data) || parsed.data.length === 0 || parsed.data[0].length !== b.columnCount) throw new Error(`slice has ${parsed.data?.length} rows of ${parsed.data?.[0]?.length} columns`);
  } catch (err) {
    return { ...r, ok: false, problem: `bad data: ${(err as Error).message}` };
  }
  return r;
}

function addSliceFigures(t: Table, label: string, res: { times: number[]; problem?: string }, p50Target?: Target): void {
  if (res.times.length) {
    addFigure(t, `${label} p50`, percentile(res.times, 50), fmtMs(percentile(res.times, 50)), p50Target);
    addFigure(t, `${label} p99`, percentile(res.times, 99), fmtMs(percentile(res.times, 99)));
  }
  if (res.problem) t.add(label, `failed: ${shortProblem(res.problem)}`, '', 'FAIL');
}

export async function dataSection(b: Bench): Promise<Table> {
  const t = figureTable(`data slices (${SLICE_ROWS} rows × ${b.columnCount} columns, ${SLICE_REQUESTS} random offsets each)`);

  b.log('  plain slices');
  addSliceFigures(t, 'plain', await slices(b, b.ctx.rows, {}), TARGETS.slicePlain);

  b.log('  sorted slices');
  const sort = { sortColumnIndex: b.ctx.index.float, sortAscending: true };
  const build = await sliceRequest(b, 0, sort);
  if (build.ok) addFigure(t, `sort build (first sorted request, sort by ${b.ctx.name.float})`, build.ms, fmtMs(build.ms));
  else t.add('sort build', `failed: ${shortProblem(build.problem)}`, '', 'FAIL');
  addSliceFigures(t, 'sorted', await slices(b, b.ctx.rows, sort), TARGETS.sliceSorted);

  b.log('  regex-searched slices');
  const search = { searchQuery: '^(red|blue|green) (cat|dog)', searchColumnIndices: [b.ctx.index.text], searchIsRegex: true };
  const searchBuild = await sliceRequest(b, 0, search);
  if (searchBuild.ok) addFigure(t, `regex search build (first request, ${search.searchQuery} on ${b.ctx.name.text})`, searchBuild.ms, fmtMs(searchBuild.ms));
  else t.add('regex search build', `failed: ${shortProblem(searchBuild.problem)}`, '', 'FAIL');
  const meta = await b.client.request('metadata', b.sessionID, search);
  if (meta.ok) {
    const matched = Number(meta.response.dataSize?.rows ?? 0);
    addFigure(t, `regex search metadata (cached view, ${matched.toLocaleString('en-US')} rows match)`, meta.ms, fmtMs(meta.ms));
    addSliceFigures(t, 'regex searched', await slices(b, matched, search));
  } else t.add('regex search metadata', `failed: ${shortProblem(meta.problem)}`, '', 'FAIL');
  return t;
}

// ---------------------------------------------------------------- downloads

export async function downloadSection(b: Bench): Promise<Table> {
  const t = figureTable('downloads');
  for (const format of ['CSV', 'JSON'] as const) {
    // The floor first, while the server is idle: DuckDB writing the same data itself.
    let floor: { bytes: number; ms: number } | null = null;
    if (b.floors instanceof Error) t.add(`DuckDB COPY … TO ${format} (floor)`, `not measured: ${shortProblem(b.floors.message)}`, '', '');
    else {
      b.log(`  DuckDB COPY … TO ${format} (floor)`);
      floor = await b.floors.export(format);
      t.add(`DuckDB COPY (SELECT * FROM read_parquet(x)) TO ${format.toLowerCase()} (floor: ${fmtBytes(floor.bytes)} in ${fmtMs(floor.ms)})`, fmtRate(floor.bytes, floor.ms), '', '');
    }
    b.log(`  download ${format}`);
    try {
      const d = await download(`${b.server.url}/download${format}/${b.sessionID}`);
      if (d.status !== 200) {
        t.add(`download ${format}`, `HTTP ${d.status}`, TARGETS.download.label, 'FAIL');
        continue;
      }
      const rate = d.bytes / MB / (d.totalMs / 1000);
      addFigure(t, `download ${format} (${fmtBytes(d.bytes)} in ${fmtMs(d.totalMs)})`, rate, fmtRate(d.bytes, d.totalMs), TARGETS.download);
      if (floor) {
        const ratio = rate / (floor.bytes / MB / (floor.ms / 1000));
        addFigure(t, `… download ${format} / DuckDB's own COPY … TO ${format} (throughput)`, ratio, fmtRatio(ratio), TARGETS.downloadRatio);
      }
      addFigure(t, `… first byte of ${format}`, d.firstByteMs, fmtMs(d.firstByteMs), TARGETS.firstByte);
    } catch (err) {
      t.add(`download ${format}`, `failed: ${shortProblem((err as Error).message)}`, TARGETS.download.label, 'FAIL');
    }
  }
  return t;
}

// ---------------------------------------------------------------- changing operations

interface SessionPointer {
  current: number;
  versionId: string;
  versions: number;
}

async function pointer(b: Bench): Promise<SessionPointer> {
  const state = JSON.parse(await fsp.readFile(path.join(b.server.dataDir, 'sessions', b.sessionID, 'state.json'), 'utf8'));
  return { current: state.current, versionId: state.versions[state.current], versions: state.versions.length };
}

async function bytesWritten(b: Bench, versionId: string): Promise<number> {
  const manifest = JSON.parse(await fsp.readFile(path.join(b.server.dataDir, 'sessions', b.sessionID, 'versions', `${versionId}.json`), 'utf8'));
  return Number(manifest.bytesWritten);
}

export interface RegisteredOperation {
  name: string;
  aliases?: string[];
  kind: string;
}

/** Loaded before the server starts, so both see the same operation files (others are still adding them). */
export async function loadRegistry(): Promise<RegisteredOperation[] | Error> {
  try {
    const { operations } = await import('../src/operations/index.ts');
    return operations.map((op) => ({ name: op.name, aliases: op.aliases, kind: op.kind }));
  } catch (err) {
    return err as Error;
  }
}

/** The server answers this for an operation it does not have (e.g. added to the tree after it started). */
const notServed = (r: Timed) => !r.ok && r.response.error === 'unknown operation';

const OP_TIMEOUT_MS = 300_000;

export async function operationsSection(b: Bench): Promise<Table> {
  const t = new Table('changing operations (each followed by undo)', ['Operation', 'Case', 'Latency', 'Server CPU', 'Target', 'Status', 'Bytes written', 'Undo', 'Undo status', 'Note']);
  const registry = b.registry;
  if (registry instanceof Error) {
    t.add('—', '', '', '', 'FAIL', '', '', '', `could not load the operation registry: ${shortProblem(registry.message)}`);
    return t;
  }
  // Plain changing operations first, then the history ones that build on them (applyOperations).
  const changing = [...registry.filter((op) => op.kind === 'change'), ...registry.filter((op) => op.kind !== 'change' && CHANGING_HISTORY_OPERATIONS.includes(op.name))];
  const known = new Set(registry.flatMap((op) => [op.name, ...(op.aliases ?? [])]));
  if (changing.length === 0) t.note('No changing operations are registered yet.');
  const baseline = await pointer(b);
  let lastUndone = false;

  for (const op of changing) {
    if (b.ops && !b.ops.some((w) => w === op.name || w.startsWith(`${op.name}:`))) continue;
    const cases = OPERATION_CASES[op.name] ?? (op.aliases ?? []).map((a) => OPERATION_CASES[a]).find(Boolean);
    if (!cases) {
      t.add(op.name, '', '', '', '', '', '', '', '', 'no bench parameters');
      continue;
    }
    for (const c of cases) {
      if (!wanted(b, op.name, c.label)) continue;
      const missing = (c.requires ?? []).filter((name) => !known.has(name));
      if (missing.length) {
        t.add(op.name, c.label, '', '', '', '', '', '', '', `skipped: needs ${missing.join(', ')} (not registered)`);
        continue;
      }
      b.log(`  ${op.name}: ${c.label}`);
      const target = c.scope === 'column' ? TARGETS.singleColumnOp : TARGETS.anyOp;
      const cpu0 = cpuMs(b.server.pid);
      const r = await b.client.request(op.name, b.sessionID, c.params(b.ctx), OP_TIMEOUT_MS);
      // Steadier than latency on a shared machine: the server's CPU time (all threads) until the answer.
      const cpu = fmtMs(cpuMs(b.server.pid) - cpu0);
      if (r.timedOut) {
        // Requests of one session run in order: a metadata request answers once the op is done.
        await b.client.request('metadata', b.sessionID, {}, 3 * OP_TIMEOUT_MS);
      }
      const after = await pointer(b);
      const changed = after.versionId !== baseline.versionId;
      const bytes = changed ? fmtBytes(await bytesWritten(b, after.versionId)) : 'no new version';
      let undoCell = '';
      let undoStatus = '';
      if (changed) {
        const u = await b.client.request('undo', b.sessionID, {}, OP_TIMEOUT_MS);
        const back = await pointer(b);
        if (!u.ok || back.versionId !== baseline.versionId) {
          t.add(op.name, c.label, fmtMs(r.ms), cpu, target.label, r.ok ? verdict(r.ms, target) : 'FAIL', bytes, u.ok ? fmtMs(u.ms) : 'failed', 'FAIL', `undo did not restore the dataset: ${shortProblem(u.problem ?? 'wrong version')}; operations section stopped`);
          return t;
        }
        undoCell = fmtMs(u.ms);
        undoStatus = verdict(u.ms, TARGETS.undo);
        lastUndone = true;
      }
      if (notServed(r)) t.add(op.name, c.label, '', '', '', '', '', '', '', 'not served by the running server (registered after it started?)');
      else if (r.ok) t.add(op.name, c.label, fmtMs(r.ms), cpu, target.label, verdict(r.ms, target), bytes, undoCell, undoStatus, '');
      else t.add(op.name, c.label, r.timedOut ? 'timeout' : fmtMs(r.ms), cpu, target.label, 'FAIL', bytes, undoCell, undoStatus, shortProblem(r.problem));
    }
  }

  // redo of the last undone version, then undo again: the dataset ends as imported.
  if (lastUndone) {
    const r = await b.client.request('redo', b.sessionID, {}, OP_TIMEOUT_MS);
    const u = r.ok ? await b.client.request('undo', b.sessionID, {}, OP_TIMEOUT_MS) : null;
    t.add('redo', 'of the last case', fmtMs(r.ms), '', TARGETS.undo.label, r.ok ? verdict(r.ms, TARGETS.undo) : 'FAIL', '', u ? fmtMs(u.ms) : '', u ? (u.ok ? verdict(u.ms, TARGETS.undo) : 'FAIL') : '', r.ok ? '' : shortProblem(r.problem));
  }
  const end = await pointer(b);
  if (end.versionId !== baseline.versionId) t.note('**Warning:** the session did not end on the imported version.');
  return t;
}

// ---------------------------------------------------------------- analyze and visualize

export async function analysisSection(b: Bench): Promise<Table> {
  const t = new Table('analyze and visualize', ['Request', 'Latency', 'Server CPU', 'Target', 'Status', 'PNG size', 'PNG target', 'PNG status', 'Note']);
  if (b.registry instanceof Error) {
    t.add('—', '', '', '', 'FAIL', '', '', '', `could not load the operation registry: ${shortProblem(b.registry.message)}`);
    return t;
  }
  const names = new Set(b.registry.flatMap((op) => [op.name, ...(op.aliases ?? [])]));

  if (!names.has('analyze')) t.add('analyze', '', '', '', '', '', '', '', 'not registered');
  else {
    for (const col of BENCH_COLUMNS) {
      b.log(`  analyze ${col.name}`);
      const cpu0 = cpuMs(b.server.pid);
      const r = await b.client.request('analyze', b.sessionID, { column: col.name }, OP_TIMEOUT_MS);
      const cpu = fmtMs(cpuMs(b.server.pid) - cpu0);
      if (notServed(r)) {
        t.add('analyze', '', '', '', '', '', '', '', 'not served by the running server (registered after it started?)');
        break;
      }
      t.add(`analyze ${col.name} (${col.type}${col.role === 'intMissing' ? ', missing' : col.role === 'outliers' ? ', outliers' : ''})`, r.timedOut ? 'timeout' : fmtMs(r.ms), cpu, TARGETS.analyze.label, r.ok ? verdict(r.ms, TARGETS.analyze) : 'FAIL', '', '', '', r.ok ? '' : shortProblem(r.problem));
    }
  }

  if (!names.has('visualize')) t.add('visualize', '', '', '', '', '', '', '', 'not registered');
  else {
    for (const c of CHART_CASES) {
      b.log(`  visualize ${c.label}`);
      const cpu0 = cpuMs(b.server.pid);
      const r = await b.client.request('visualize', b.sessionID, c.params(b.ctx), OP_TIMEOUT_MS);
      const cpu = fmtMs(cpuMs(b.server.pid) - cpu0);
      if (notServed(r)) {
        t.add('visualize', '', '', '', '', '', '', '', 'not served by the running server (registered after it started?)');
        break;
      }
      const image = typeof r.response.image === 'string' ? r.response.image.replace(/^data:image\/png;base64,/, '') : '';
      const png = Buffer.from(image, 'base64');
      const isPng = png.length > 8 && png.readUInt32BE(0) === 0x89504e47;
      const problem = !r.ok ? r.problem : !isPng ? 'the response has no PNG in `image`' : undefined;
      t.add(
        `visualize ${c.label}`,
        r.timedOut ? 'timeout' : fmtMs(r.ms),
        cpu,
        TARGETS.chart.label,
        r.ok ? verdict(r.ms, TARGETS.chart) : 'FAIL',
        isPng ? fmtBytes(png.length) : '',
        TARGETS.png.label,
        isPng ? verdict(png.length, TARGETS.png) : 'FAIL',
        problem ? shortProblem(problem) : '',
      );
    }
  }
  return t;
}
