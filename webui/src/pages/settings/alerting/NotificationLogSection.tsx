import { useTranslation } from 'react-i18next';
import { NotificationHistory } from '../../../components/NotificationHistory';

/** Admin: every notification sent, by rule or to a user, drills and muted ones included. */
export default function NotificationLogSection() {
  const { t } = useTranslation('alerting');
  return (
    <section className="panel wide-panel" aria-labelledby="log-title">
      <h2 id="log-title">{t('sections.log')}</h2>
      <NotificationHistory source="log" />
    </section>
  );
}
