import { lazy, Suspense } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Loading } from '../../components/Loading';

const SharedChannelsSection = lazy(() => import('./alerting/SharedChannelsSection'));
const AlertRulesSection = lazy(() => import('./alerting/AlertRulesSection'));
const MessageTemplatesSection = lazy(() => import('./alerting/MessageTemplatesSection'));
const ThresholdsSection = lazy(() => import('./alerting/ThresholdsSection'));
const MaintenanceSection = lazy(() => import('./alerting/MaintenanceSection'));
const NotificationLogSection = lazy(() => import('./alerting/NotificationLogSection'));
const EmailServerSection = lazy(() => import('./alerting/EmailServerSection'));

// Labels are keys of the `alerting` namespace's `sections`.
const SECTIONS = [
  { to: 'channels', element: <SharedChannelsSection /> },
  { to: 'rules', element: <AlertRulesSection /> },
  { to: 'templates', element: <MessageTemplatesSection /> },
  { to: 'thresholds', element: <ThresholdsSection /> },
  { to: 'maintenance', element: <MaintenanceSection /> },
  { to: 'email', element: <EmailServerSection /> },
  { to: 'log', element: <NotificationLogSection /> },
];

/** Admin: who is told what, through which shared channels, in which words, and when not. */
export default function AlertingSettings() {
  const { t } = useTranslation('alerting');
  return (
    <>
      <nav className="tabs subtabs" aria-label={t('sections.label')}>
        {SECTIONS.map((s) => (
          <NavLink key={s.to} to={`/settings/alerting/${s.to}`}>
            {t(`sections.${s.to}`)}
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
