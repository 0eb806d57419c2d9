import { useTranslation } from 'react-i18next';
import type { AlertItem } from '../types';
import { AcknowledgeAlert } from './AcknowledgeAlert';
import { TimeAgo } from './TimeAgo';

const SEVERITY_CHIP: Record<string, string> = { critical: 'chip-critical', warning: 'chip-warning', info: 'chip-info', ok: 'chip-ok' };

/** One open alert: what, since when, and who acknowledged it (or the button to). */
export function AlertRow({ alert }: { alert: AlertItem }) {
  const { t } = useTranslation('alerts');
  const ack = alert.acknowledged;
  return (
    <li className="alert-row" data-testid="alert-row" data-alert-id={alert.id}>
      <div>
        <strong>{alert.title}</strong> <span className={`status-chip ${SEVERITY_CHIP[alert.severity] ?? ''}`}>{t(`status:severity.${alert.severity}`, { defaultValue: alert.severity })}</span>{' '}
        <span className="muted small">
          {t('since')} <TimeAgo iso={alert.startedAt} />
        </span>
      </div>
      {ack ? (
        <p className="small" data-testid="acknowledged">
          ✓ {ack.by ? t('acknowledgedBy', { name: ack.by }) : t('acknowledgedBySomeone')}
          {ack.at && (
            <>
              {' '}
              <TimeAgo iso={ack.at} />
            </>
          )}
          {ack.note ? ` — “${ack.note}”` : ''}
        </p>
      ) : (
        <AcknowledgeAlert alert={alert} />
      )}
    </li>
  );
}
