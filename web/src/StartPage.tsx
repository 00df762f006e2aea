import { useEffect, useRef, useState } from 'react';
import { upload, type UploadOptions, type UploadProgress } from './api.ts';
import { importNotice } from './import-report.ts';
import { forgetSession, recentSessions, rememberSession, type RecentSession } from './recent.ts';

const ACCEPT = '.csv,.tsv,.tab,.txt,.json,.jsonl,.ndjson,.xlsx,.xlsm,.xls';

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function ago(iso: string): string {
  const s = (Date.now() - Date.parse(iso)) / 1000;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

/** Choose or drop a file, set the import options, watch it upload and import. */
export function StartPage({ onOpen }: { onOpen(id: string): void }) {
  const [file, setFile] = useState<File | null>(null);
  const [options, setOptions] = useState<UploadOptions>({ initialSkip: 0, sampleSize: 1, seed: '', headerIncluded: true, sheetName: '' });
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [error, setError] = useState<{ title: string; text: string } | null>(null);
  const [drag, setDrag] = useState(false);
  const [now, setNow] = useState(performance.now());
  const [recent, setRecent] = useState<RecentSession[]>(recentSessions);
  const input = useRef<HTMLInputElement>(null);
  const abort = useRef<(() => void) | null>(null);

  useEffect(() => {
    if (progress?.phase !== 'importing') return;
    const t = setInterval(() => setNow(performance.now()), 200);
    return () => clearInterval(t);
  }, [progress?.phase]);

  const start = async (f: File) => {
    setError(null);
    setFile(f);
    // The server also reads (1, 100] as a percentage (older clients send 100); the form asks for a proportion, so 5 is a typo here, not 5 %.
    if (!(options.sampleSize > 0 && options.sampleSize <= 1)) return setError({ title: 'Sample size', text: 'the sample size is the proportion of rows to keep, more than 0 and at most 1 (0.1 keeps a tenth)' });
    if (!(Number.isInteger(options.initialSkip) && options.initialSkip >= 0)) return setError({ title: 'Skip lines', text: 'the number of lines to skip is a whole number, 0 or more' });
    if (options.seed.trim() !== '' && !/^-?\d+$/.test(options.seed.trim())) return setError({ title: 'Seed', text: 'the seed is a whole number, or empty for a random sample' });
    setProgress({ phase: 'sending', loaded: 0, total: f.size });
    const job = upload(f, options, setProgress);
    abort.current = job.abort;
    try {
      const res = await job.done;
      if (res.success) {
        // Kept with the session (not only handed to the workbench) so a reload still shows it.
        rememberSession({ id: res.sessionID, name: f.name, rows: res.rows, columns: res.columns, importNotice: importNotice(f.name, res) ?? undefined });
        onOpen(res.sessionID);
        return;
      }
      setError({ title: `Could not import ${f.name}`, text: res.errorDescription });
    } catch (e) {
      setError({ title: `Could not upload ${f.name}`, text: (e as Error).message });
    } finally {
      abort.current = null;
    }
    setProgress(null);
  };

  const pct = progress?.phase === 'sending' ? (progress.total ? (100 * progress.loaded) / progress.total : 0) : 100;

  return (
    <div className="start">
      <header className="start-head">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Willow</span>
        </div>
        <span className="tagline">Data cleaning workbench</span>
      </header>
      <main className="start-main">
        <section className="card upload-card">
          <h1>Open a dataset</h1>
          <p className="muted">CSV, TSV or TXT (delimited text), JSON, Excel (XLSX, XLS) — up to 1 GB.</p>
          <div
            className={`dropzone${drag ? ' drag' : ''}${progress ? ' busy' : ''}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDrag(true);
            }}
            onDragLeave={() => setDrag(false)}
            onDrop={(e) => {
              e.preventDefault();
              setDrag(false);
              const f = e.dataTransfer.files[0];
              if (f && !progress) void start(f);
            }}
            onClick={() => !progress && input.current?.click()}
            role="button"
            tabIndex={0}
            onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && !progress && input.current?.click()}
          >
            {progress ? (
              <div className="progress-box" data-phase={progress.phase}>
                <div className="progress-label">
                  <strong>{file?.name}</strong>
                  <span>
                    {progress.phase === 'sending'
                      ? `Uploading · ${bytes(progress.loaded)} of ${bytes(progress.total)} · ${pct.toFixed(0)}%`
                      : `Importing · ${((now - progress.since) / 1000).toFixed(1)} s — detecting types, writing columns`}
                  </span>
                </div>
                <div className={`progress${progress.phase === 'importing' ? ' indeterminate' : ''}`} role="progressbar" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100}>
                  <div style={{ width: `${pct}%` }} />
                </div>
                <button
                  type="button"
                  className="btn ghost small"
                  onClick={(e) => {
                    e.stopPropagation();
                    abort.current?.();
                  }}
                >
                  Cancel
                </button>
              </div>
            ) : (
              <>
                <svg width="40" height="40" viewBox="0 0 24 24" fill="none" stroke="#1f6f5c" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round">
                  <path d="M12 16V4M7 9l5-5 5 5" />
                  <path d="M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3" />
                </svg>
                <div className="drop-text">
                  <strong>Drop a file here</strong> or <span className="link">choose one</span>
                </div>
              </>
            )}
            <input
              ref={input}
              type="file"
              accept={ACCEPT}
              hidden
              data-testid="file-input"
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) void start(f);
              }}
            />
          </div>
          <details className="options" open>
            <summary>Import options</summary>
            <div className="options-grid">
              <label>
                Skip lines
                <input type="number" min={0} step={1} name="initialSkip" value={options.initialSkip} onChange={(e) => setOptions({ ...options, initialSkip: Number(e.target.value) })} />
              </label>
              <label>
                Sample size
                <input type="number" min={0} max={1} step={0.05} name="sampleSize" value={options.sampleSize} onChange={(e) => setOptions({ ...options, sampleSize: Number(e.target.value) })} />
              </label>
              <label>
                Seed
                <input name="seed" placeholder="random" value={options.seed} onChange={(e) => setOptions({ ...options, seed: e.target.value })} />
              </label>
              <label>
                Excel sheet
                <input name="sheetName" placeholder="the first" value={options.sheetName} onChange={(e) => setOptions({ ...options, sheetName: e.target.value })} />
              </label>
              <label className="check">
                <input type="checkbox" name="headerIncluded" checked={options.headerIncluded} onChange={(e) => setOptions({ ...options, headerIncluded: e.target.checked })} />
                First row is the header
              </label>
            </div>
          </details>
          {error ? (
            <div className="alert error" role="alert">
              <strong>{error.title}</strong>
              <span>{error.text}</span>
            </div>
          ) : null}
        </section>
        <section className="card recent-card">
          <h2>Recent sessions</h2>
          {recent.length === 0 ? (
            <p className="muted">Datasets you open in this browser appear here.</p>
          ) : (
            <ul className="recent">
              {recent.map((s) => (
                <li key={s.id}>
                  <a
                    href={`/s/${s.id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      onOpen(s.id);
                    }}
                  >
                    <span className="name">{s.name}</span>
                    <span className="meta">
                      {s.rows !== undefined ? `${s.rows.toLocaleString()} rows · ${s.columns} cols · ` : ''}
                      {ago(s.openedAt)}
                    </span>
                  </a>
                  <button
                    className="icon-btn"
                    title="Remove from this list"
                    onClick={() => {
                      forgetSession(s.id);
                      setRecent(recentSessions());
                    }}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      </main>
    </div>
  );
}
