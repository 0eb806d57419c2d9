import { useTranslation } from 'react-i18next';
import type { HeaderRow } from '../../lib/channelConfig';

interface Props {
  label: string;
  rows: HeaderRow[];
  onChange: (rows: HeaderRow[]) => void;
  /** Describes the rows (help, "saved — leave blank to keep"). */
  describedBy?: string;
}

/** Extra HTTP headers as name/value rows. */
export function HeadersInput({ label, rows, onChange, describedBy }: Props) {
  const { t } = useTranslation('notifications');
  const set = (i: number, patch: Partial<HeaderRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="headers-input" role="group" aria-label={label} aria-describedby={describedBy}>
      {rows.map((row, i) => (
        <div className="header-row" key={i}>
          <input aria-label={t('headers.nameOf', { label, n: i + 1 })} placeholder={t('headers.name')} value={row.name} onChange={(e) => set(i, { name: e.target.value })} />
          <input aria-label={t('headers.valueOf', { label, n: i + 1 })} placeholder={t('headers.value')} value={row.value} onChange={(e) => set(i, { value: e.target.value })} />
          <button type="button" className="button-secondary" aria-label={t('headers.removeOf', { label: label.toLowerCase(), n: i + 1 })} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            {t('common:actions.remove')}
          </button>
        </div>
      ))}
      <button type="button" className="button-secondary" onClick={() => onChange([...rows, { name: '', value: '' }])}>
        {t('headers.add')}
      </button>
    </div>
  );
}
