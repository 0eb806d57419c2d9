import { lazy, Suspense } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { Loading } from '../../components/Loading';

const SharedChannelsSection = lazy(() => import('./alerting/SharedChannelsSection'));
const AlertRulesSection = lazy(() => import('./alerting/AlertRulesSection'));
const MessageTemplatesSection = lazy(() => import('./alerting/MessageTemplatesSection'));
const ThresholdsSection = lazy(() => import('./alerting/ThresholdsSection'));
const MaintenanceSection = lazy(() => import('./alerting/MaintenanceSection'));
const NotificationLogSection = lazy(() => import('./alerting/NotificationLogSection'));
const EmailServerSection = lazy(() => import('./alerting/EmailServerSection'));

const SECTIONS = [
  { to: 'channels', label: 'Shared channels', element: <SharedChannelsSection /> },
  { to: 'rules', label: 'Rules', element: <AlertRulesSection /> },
  { to: 'templates', label: 'Message templates', element: <MessageTemplatesSection /> },
  { to: 'thresholds', label: 'Thresholds', element: <ThresholdsSection /> },
  { to: 'maintenance', label: 'Maintenance & mutes', element: <MaintenanceSection /> },
  { to: 'email', label: 'Email server', element: <EmailServerSection /> },
  { to: 'log', label: 'Notification log', element: <NotificationLogSection /> },
];

/** Admin: who is told what, through which shared channels, in which words, and when not. */
export default function AlertingSettings() {
  return (
    <>
      <nav className="tabs subtabs" aria-label="Alerting sections">
        {SECTIONS.map((s) => (
          <NavLink key={s.to} to={`/settings/alerting/${s.to}`}>
            {s.label}
          </NavLink>
        ))}
      </nav>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route index element={<Navigate to="channels" replace />} />
          {SECTIONS.map((s) => (
            <Route key={s.to} path={s.to} element={s.element} />
          ))}
          <Route path="*" element={<Navigate to="channels" replace />} />
        </Routes>
      </Suspense>
    </>
  );
}
