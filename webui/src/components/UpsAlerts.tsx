import { useOpenAlerts } from '../hooks/useOpenAlerts';
import { AlertRow } from './AlertRow';
import { Notice } from './Notice';

/** The open alerts of one UPS, each to acknowledge; nothing when there are none. */
export function UpsAlerts({ upsId }: { upsId: number }) {
  const alerts = useOpenAlerts();
  if (alerts.isError) return <Notice kind="warning">Could not load the open alerts: {alerts.error.message}</Notice>;
  const mine = (alerts.data ?? []).filter((a) => a.upsId === upsId && !a.clearedAt);
  if (!mine.length) return null;
  return (
    <section className="ups-alerts" aria-label="Open alerts" data-testid="ups-alerts">
      <h3>Open alerts</h3>
      <ul className="alert-rows">
        {mine.map((a) => (
          <AlertRow key={a.id} alert={a} />
        ))}
      </ul>
    </section>
  );
}
