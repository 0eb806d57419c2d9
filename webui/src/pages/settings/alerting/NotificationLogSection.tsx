import { NotificationHistory } from '../../../components/NotificationHistory';

/** Admin: every notification sent, by rule or to a user, drills and muted ones included. */
export default function NotificationLogSection() {
  return (
    <section className="panel wide-panel" aria-labelledby="log-title">
      <h2 id="log-title">Notification log</h2>
      <NotificationHistory source="log" />
    </section>
  );
}
