import { lazy } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { useSession } from '../../hooks/useSession';

const GeneralSettings = lazy(() => import('./GeneralSettings'));
const NotificationSettings = lazy(() => import('./NotificationSettings'));
const AccountSettings = lazy(() => import('./AccountSettings'));
const UsersSettings = lazy(() => import('./UsersSettings'));
const AlertingSettings = lazy(() => import('./AlertingSettings'));
const AboutSettings = lazy(() => import('./AboutSettings'));

export default function SettingsPage() {
  const { isAdmin } = useSession();
  const tabs = [
    { to: 'general', label: 'General' },
    { to: 'notifications', label: 'Notifications' },
    { to: 'account', label: 'Account' },
    ...(isAdmin
      ? [
          { to: 'alerting', label: 'Alerting' },
          { to: 'users', label: 'Users' },
        ]
      : []),
    { to: 'about', label: 'About' },
  ];
  return (
    <div className="page">
      <h1>Settings</h1>
      <nav className="tabs" aria-label="Settings sections">
        {tabs.map((t) => (
          <NavLink key={t.to} to={`/settings/${t.to}`}>
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="general" replace />} />
        <Route path="general" element={<GeneralSettings />} />
        <Route path="notifications" element={<NotificationSettings />} />
        <Route path="account" element={<AccountSettings />} />
        {isAdmin && <Route path="alerting/*" element={<AlertingSettings />} />}
        {isAdmin && <Route path="users" element={<UsersSettings />} />}
        <Route path="about" element={<AboutSettings />} />
        <Route path="*" element={<Navigate to="general" replace />} />
      </Routes>
    </div>
  );
}
