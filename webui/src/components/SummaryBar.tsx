import { useTranslation } from 'react-i18next';
import { useStatusModel } from '../hooks/useStatusModel';
import { severityIcon, summarize, type UpsLike } from '../lib/status';

interface Props {
  list: readonly UpsLike[];
}

/**
 * How many UPS are in each of the API's summary buckets (its `summaryBucket` per UPS, labels from
 * `GET /api/status-model`): every UPS counts exactly once. A counter's colour and symbol are
 * those of the worst UPS in it, next to its words.
 */
export function SummaryBar({ list }: Props) {
  const { t } = useTranslation('dashboard');
  const model = useStatusModel();
  const counts = summarize(list, model.data?.buckets);
  return (
    <ul className="summary" aria-label={t('summary')}>
      {counts.map((b) => {
        const tone = b.n > 0 ? b.tone : 'none';
        return (
          <li key={b.code} className={`summary-item tone-${tone}`} data-testid={`summary-${b.code}`} data-tone={tone}>
            <span className="summary-n">{b.n}</span>
            <span className="summary-label">
              {b.n > 0 && <span aria-hidden="true">{severityIcon(b.tone)} </span>}
              {b.label}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
