import { importNoticeText, lineExamplesText, type ImportNotice } from './import-report.ts';

/** Above the grid until dismissed: lines of the file the import skipped or padded. */
export function ImportBanner({ notice, onDismiss }: { notice: ImportNotice; onDismiss(): void }) {
  return (
    <div className="banner warn" role="alert" data-testid="import-notice">
      <span className="banner-icon" aria-hidden="true">
        !
      </span>
      <div className="banner-text">
        <strong>{notice.skippedLines + notice.paddedLines > 0 ? `Not every line of ${notice.file} was imported as it was` : `Not all of ${notice.file} was imported`}</strong>
        {importNoticeText(notice).map((t) => (
          <span key={t}>{t}</span>
        ))}
        <LineList title="Skipped" lines={lineExamplesText(notice.skippedLineExamples, notice.skippedLines)} testId="import-notice-skipped" />
        <LineList title="Padded" lines={lineExamplesText(notice.paddedLineExamples, notice.paddedLines)} testId="import-notice-padded" />
      </div>
      <button className="icon-btn" onClick={onDismiss} title="Dismiss" aria-label="Dismiss" data-testid="import-notice-dismiss">
        ×
      </button>
    </div>
  );
}

/** The lines a notice names, as the file has them (monospace, one a row). */
function LineList({ title, lines, testId }: { title: string; lines: string[]; testId: string }) {
  if (lines.length === 0) return null;
  return (
    <div className="banner-lines" data-testid={testId}>
      <span className="muted">{title}:</span>
      {lines.map((l) => (
        <code key={l}>{l}</code>
      ))}
    </div>
  );
}
