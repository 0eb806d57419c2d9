import { useTranslation } from 'react-i18next';
import { useOpenAlerts } from '../hooks/useOpenAlerts';
import { AlertRow } from './AlertRow';
import { Notice } from './Notice';

/** The open alerts of one UPS, each to acknowledge; nothing when there are none. */
export function UpsAlerts({ upsId }: { upsId: number }) {
  const { t } = useTranslation('alerts');
  const alerts = useOpenAlerts();
  if (alerts.isError) return <Notice kind="warning">{t('loadFailed', { message: alerts.error.message })}</Notice>;
  const mine = (alerts.data ?? []).filter((a) => a.upsId === upsId && !a.clearedAt);
  if (!mine.length) return null;
  return (
    <section className="ups-alerts" aria-label={t('open')} data-testid="ups-alerts">
      <h3>{t('open')}</h3>
      <ul className="alert-rows">
        {mine.map((a) => (
          <AlertRow key={a.id} alert={a} />
        ))}
      </ul>
    </section>
  );
}
