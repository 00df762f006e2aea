// npm run bench [-- --rows N] [--skip-ops] [--only <section>[,<section>…]] [--ops <operation>[,…]] [--server DIR]
// --ops runs only those changing operations (names, or `name:` and part of a case label) in the ops section.
// --server runs the server of another checkout (e.g. an unchanged one) under this bench, so
// that two versions of the server are compared by the same measurements (A/B).
// The `distributed` section (BullMQ over Redis against the embedded queue) runs only when
// named in --only; on its own it needs no upload of the main file.
//
// Generates (or reuses) a deterministic CSV, starts the server as a child process, drives
// it over HTTP and Socket.IO like the browser does, samples the server's memory from /proc,
// and prints a Markdown report (also written to bench/out/results-<rows>.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { benchCsv, BENCH_COLUMNS, type ColumnRole } from './generate.ts';
import { startServer, cpuMs, type BenchServer } from './server.ts';
import { uploadFile } from './http.ts';
import { BenchClient } from './socket.ts';
import { Table, TARGETS, verdict, fmtMs, fmtBytes, fmtRate, fmtRatio, shortProblem, MB } from './report.ts';
import { Floors } from './floors.ts';
import { metadataSection, dataSection, downloadSection, operationsSection, analysisSection, loadRegistry, type Bench } from './sections.ts';
import { distributedSection } from './distributed.ts';
import type { BenchContext } from './operations.ts';
import { webSection } from './web.ts';
import { mulberry32 } from './prng.ts';

const SECTIONS = ['metadata', 'data', 'download', 'analysis', 'web', 'ops'] as const;
const OPT_IN = ['distributed'] as const;
type Section = (typeof SECTIONS)[number] | (typeof OPT_IN)[number];

const repoRoot = path.resolve(import.meta.dirname, '..');
const outDir = path.join(repoRoot, 'bench', 'out');
const log = (line: string) => process.stderr.write(`${line}\n`);

function options(): { rows: number; sections: Set<Section>; only: string | null; ops: string[] | null; serverRoot: string } {
  const { values } = parseArgs({
    options: { rows: { type: 'string' }, 'skip-ops': { type: 'boolean' }, only: { type: 'string' }, ops: { type: 'string' }, server: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
  });
  if (values.help) {
    log(`usage: npm run bench -- [--rows N] [--skip-ops] [--only ${[...SECTIONS, ...OPT_IN].join('|')}[,…]] [--ops name[:label part][,…]] [--server checkout dir]\n(the upload runs whenever a section other than distributed does: they need its session)`);
    process.exit(0);
  }
  const rows = values.rows === undefined ? 1_000_000 : Number(values.rows.replaceAll('_', ''));
  if (!Number.isInteger(rows) || rows < 200) throw new Error(`--rows must be an integer ≥ 200 (got ${values.rows})`);
  let sections = new Set<Section>(SECTIONS);
  if (values.only) {
    const asked = values.only.split(',').map((s) => s.trim()).filter((s) => s !== 'upload');
    const unknown = asked.filter((s) => !([...SECTIONS, ...OPT_IN] as readonly string[]).includes(s));
    if (unknown.length) throw new Error(`unknown section ${unknown.join(', ')}: choose from upload, ${[...SECTIONS, ...OPT_IN].join(', ')}`);
    sections = new Set(asked as Section[]);
  }
  if (values['skip-ops']) sections.delete('ops');
  const ops = values.ops ? values.ops.split(',').map((s) => s.trim()).filter(Boolean) : null;
  const serverRoot = path.resolve(values.server ?? repoRoot);
  if (!fs.existsSync(path.join(serverRoot, 'src', 'main.ts'))) throw new Error(`--server ${values.server}: no src/main.ts there`);
  return { rows, sections, only: values.only ?? null, ops, serverRoot };
}

/** Thrown to leave the main run's block when only opt-in sections were asked for. */
class SkipMain extends Error {}

function gitCommit(dir: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const opts = options();
  const startedAt = new Date();
  const load = os.loadavg()[0];

  const mainRun = SECTIONS.some((section) => opts.sections.has(section)) || opts.sections.size === 0;
  log(`bench: ${mainRun ? opts.rows.toLocaleString('en-US') : '100,000'} rows`);
  // The distributed section makes its own 100k-row file; the main one is needed only for the others.
  const csv = await benchCsv(outDir, mainRun ? opts.rows : 100_000);
  log(csv.generatedMs === null ? `  using cached ${path.relative(repoRoot, csv.file)} (${fmtBytes(csv.bytes)})` : `  generated ${path.relative(repoRoot, csv.file)} (${fmtBytes(csv.bytes)}) in ${fmtMs(csv.generatedMs)}`);

  const tables: Table[] = [];
  const memory = new Table('upload and server memory', ['Measure', 'Value', 'Target (10M rows)', 'Status']);
  let server: BenchServer | null = null;
  let client: BenchClient | null = null;
  let floors: Floors | Error = new Error('not opened');
  let failure: string | null = null;
  const sectionPeaks: [string, number][] = [];

  // The server child must never outlive the bench, whatever ends it.
  const killServer = () => {
    if (!server) return;
    server.killNow();
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  };
  process.once('exit', killServer);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`bench: ${signal}, stopping the server`);
      killServer();
      process.exit(130);
    });
  }

  try {
    if (!mainRun) throw new SkipMain();
    const registry = await loadRegistry();
    log('starting the server');
    if (opts.serverRoot !== repoRoot) log(`  server of ${opts.serverRoot}`);
    server = await startServer(opts.serverRoot);
    const idleRss = server.rss.current;
    server.rss.mark();

    // DuckDB's own import of the same file, while the server is idle: the floor.
    let floorImportMs = NaN;
    try {
      log('DuckDB read_csv → Parquet (floor)');
      floors = await Floors.open();
      floorImportMs = await floors.importMs(csv.file);
    } catch (err) {
      floors = err as Error;
    }
    server.rss.mark();

    log('upload + import');
    const cpuBefore = cpuMs(server.pid);
    const up = await uploadFile(server.url, csv.file);
    const uploadCpuMs = cpuMs(server.pid) - cpuBefore;
    sectionPeaks.push(['upload + import', server.rss.mark()]);
    if (up.status !== 200 || up.body.success !== true) throw new Error(`upload failed: HTTP ${up.status} ${shortProblem(`${up.body.error}: ${up.body.errorDescription}`, 300)}`);
    const sessionID = String(up.body.sessionID);
    memory.add(`upload + import (${fmtBytes(csv.bytes)} streamed multipart)`, fmtMs(up.totalMs), TARGETS.upload.label, verdict(up.totalMs, TARGETS.upload));
    if (floors instanceof Error) memory.add('DuckDB read_csv → Parquet (floor)', `not measured: ${shortProblem(floors.message)}`, '', '');
    else {
      memory.add(`DuckDB COPY (SELECT * FROM read_csv(f)) TO parquet (floor, same file)`, fmtMs(floorImportMs), '', '');
      const ratio = up.totalMs / floorImportMs;
      memory.add('… upload + import / DuckDB read_csv → Parquet', fmtRatio(ratio), TARGETS.importRatio.label, verdict(ratio, TARGETS.importRatio));
    }
    memory.add('upload + import throughput', fmtRate(csv.bytes, up.totalMs), '', '');
    memory.add('… of which sending the body / import after it', `${fmtMs(up.sendMs)} / ${fmtMs(up.totalMs - up.sendMs)}`, '', '');
    // Steadier than wall time on a shared machine: the server's CPU time (all threads) for the upload and import.
    memory.add('… server CPU time (user + sys) for upload + import', fmtMs(uploadCpuMs), '', '');
    memory.add('server RSS when idle, before the upload', fmtBytes(idleRss), '', '');

    client = await BenchClient.connect(server.url);
    const meta = await client.request('metadata', sessionID);
    if (!meta.ok) throw new Error(`metadata failed: ${meta.problem}`);
    const names: string[] = meta.response.columns;
    const rows = Number(meta.response.dataSize.rows);
    if (rows !== opts.rows) throw new Error(`the server imported ${rows} rows, expected ${opts.rows}`);
    const index = {} as Record<ColumnRole, number>;
    const name = {} as Record<ColumnRole, string>;
    for (const col of BENCH_COLUMNS) {
      index[col.role] = names.indexOf(col.name);
      name[col.role] = col.name;
      if (index[col.role] < 0) throw new Error(`column ${col.name} missing after import (got ${names.join(', ')})`);
      const got = meta.response.columnInfo[col.name]?.dataType;
      if (got !== col.type) memory.note(`Note: column ${col.name} imported as ${got}, expected ${col.type}.`);
    }
    const ctx: BenchContext = { rows, index, name, random: mulberry32(20240601) };
    const b: Bench = { server, client, sessionID, ctx, columnCount: names.length, registry, log, floors, ops: opts.ops };

    const runners: Record<(typeof SECTIONS)[number], (b: Bench) => Promise<Table>> = { metadata: metadataSection, data: dataSection, download: downloadSection, analysis: analysisSection, web: webSection, ops: operationsSection };
    for (const section of SECTIONS) {
      if (!opts.sections.has(section)) continue;
      log(`${section}`);
      try {
        tables.push(await runners[section](b));
      } catch (err) {
        const t = new Table(section, ['Error']);
        t.add(shortProblem((err as Error).stack ?? String(err), 500));
        tables.push(t);
      }
      sectionPeaks.push([section, server.rss.mark()]);
    }
  } catch (err) {
    if (!(err instanceof SkipMain)) {
      failure = (err as Error).message;
      log(`bench failed: ${failure}`);
    }
  } finally {
    client?.close();
    if (!(floors instanceof Error)) await floors.close();
    if (server) {
      server.rss.sample();
      const peak = server.rss.peak;
      memory.add('server peak RSS, whole run (VmHWM)', fmtBytes(peak), TARGETS.peakRss.label, verdict(peak, TARGETS.peakRss));
      for (const [section, bytes] of sectionPeaks) memory.add(`… peak RSS sampled during ${section}`, fmtBytes(bytes), '', '');
      log('stopping the server');
      await server.stop();
    }
  }

  if (opts.sections.has('distributed')) {
    log('distributed');
    try {
      tables.push(await distributedSection(repoRoot, outDir, log));
    } catch (err) {
      const t = new Table('distributed', ['Error']);
      t.add(shortProblem((err as Error).stack ?? String(err), 500));
      tables.push(t);
    }
  }

  const header = [
    `# Willow bench — ${mainRun ? opts.rows.toLocaleString('en-US') : '100,000'} rows`,
    '',
    `- file: ${path.basename(csv.file)}, ${fmtBytes(csv.bytes)} (${(csv.bytes / MB / opts.rows * 1e6).toFixed(0)} bytes/row), ${BENCH_COLUMNS.length} columns: ${BENCH_COLUMNS.map((c) => `${c.name} (${c.type}${c.role === 'intMissing' ? ', 10% missing' : c.role === 'outliers' ? ', outliers' : ''})`).join(', ')}`,
    `- run: ${startedAt.toISOString()}, commit ${gitCommit(repoRoot)}${opts.serverRoot === repoRoot ? '' : `, server of ${opts.serverRoot} at ${gitCommit(opts.serverRoot)}`}, node ${process.version}, ${os.availableParallelism()} cores, ${fmtBytes(os.totalmem())} RAM, load average at start ${load.toFixed(2)}`,
    `- sections: ${[...(mainRun ? ['upload'] : []), ...opts.sections].join(', ')}`,
    `- targets are those set for the 10M-row file; "Status" compares every run against them`,
  ];
  if (failure) header.push('', `**The bench stopped early:** ${failure}`);
  const all = mainRun ? [memory, ...tables] : tables;
  const statuses = all.flatMap((t) => t.rows.flatMap((r) => r.filter((cell) => cell === 'pass' || cell === 'FAIL')));
  const fails = statuses.filter((s) => s === 'FAIL').length;
  header.push('', `**${statuses.length - fails} pass, ${fails} fail.**`);
  const report = `${header.join('\n')}\n\n${all.map((t) => t.markdown()).join('\n\n')}\n`;

  process.stdout.write(`\n${report}`);
  fs.mkdirSync(outDir, { recursive: true });
  const suffix = opts.only ? `-${opts.only.replaceAll(',', '+')}` : opts.sections.has('ops') ? '' : '-no-ops';
  const out = path.join(outDir, `results-${mainRun ? opts.rows : 100_000}${suffix}.md`);
  fs.writeFileSync(out, report);
  log(`written to ${path.relative(repoRoot, out)}`);
  return failure ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(`bench: ${(err as Error).message}`);
    process.exit(1);
  },
);
