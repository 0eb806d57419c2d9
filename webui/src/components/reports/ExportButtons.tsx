import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client';
import { downloadExport } from '../../lib/reportsApi';
import type { ExportFormat } from '../../lib/reports';

interface Props {
  /** The export's path for a format (the current filters with `format=`). */
  pathFor: (format: ExportFormat) => string;
  /** For the fallback file name when the API sends none. */
  stem: string;
  from?: string | null;
  to?: string | null;
  /** What is exported, in the buttons' accessible names ("Export outages as CSV"). */
  what: string;
}

/** CSV and JSON download buttons: fetched with the session's token, saved through a Blob URL. */
export function ExportButtons({ pathFor, stem, from, to, what }: Props) {
  const { t } = useTranslation('reports');
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [error, setError] = useState('');
  const run = async (format: ExportFormat) => {
    setBusy(format);
    setError('');
    try {
      await downloadExport(pathFor(format), format, { stem, from, to });
    } catch (err) {
      setError(t('export.failed', { message: errorMessage(err) }));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="reports-export">
      <div role="group" aria-label={t('export.group', { what })} className="button-row">
        {(['csv', 'json'] as const).map((f) => (
          <button key={f} type="button" className="button-secondary" disabled={busy !== null} aria-label={t(`export.${f}Label`, { what })} onClick={() => void run(f)}>
            {busy === f ? t('export.downloading') : t(`export.${f}`)}
          </button>
        ))}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
