import { importNoticeText, type ImportNotice } from './import-report.ts';

/** Above the grid until dismissed: lines of the file the import skipped or padded. */
export function ImportBanner({ notice, onDismiss }: { notice: ImportNotice; onDismiss(): void }) {
  return (
    <div className="banner warn" role="alert" data-testid="import-notice">
      <span className="banner-icon" aria-hidden="true">
        !
      </span>
      <div className="banner-text">
        <strong>Not every line of {notice.file} was imported as it was</strong>
        {importNoticeText(notice).map((t) => (
          <span key={t}>{t}</span>
        ))}
        <span className="muted">The server reports how many lines, not which: look for them in the file if those rows matter.</span>
      </div>
      <button className="icon-btn" onClick={onDismiss} title="Dismiss" aria-label="Dismiss" data-testid="import-notice-dismiss">
        ×
      </button>
    </div>
  );
}
