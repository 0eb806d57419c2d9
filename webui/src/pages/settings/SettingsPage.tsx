import { lazy } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../hooks/useSession';

const GeneralSettings = lazy(() => import('./GeneralSettings'));
const NotificationSettings = lazy(() => import('./NotificationSettings'));
const AccountSettings = lazy(() => import('./AccountSettings'));
const UsersSettings = lazy(() => import('./UsersSettings'));
const AlertingSettings = lazy(() => import('./AlertingSettings'));
const AboutSettings = lazy(() => import('./AboutSettings'));
const SystemSettings = lazy(() => import('./SystemSettings'));
const EnergySettings = lazy(() => import('./EnergySettings'));
const DigestSettings = lazy(() => import('./DigestSettings'));
const SelfTestSettings = lazy(() => import('./SelfTestSettings'));
const AuditSettings = lazy(() => import('./AuditSettings'));

export default function SettingsPage() {
  const { t } = useTranslation('settings');
  const { isAdmin } = useSession();
  const tabs = [
    { to: 'general', label: t('tabs.general') },
    { to: 'notifications', label: t('tabs.notifications') },
    { to: 'account', label: t('tabs.account') },
    { to: 'self-tests', label: t('battery:settings.tab') },
    ...(isAdmin
      ? [
          { to: 'alerting', label: t('tabs.alerting') },
          { to: 'users', label: t('tabs.users') },
          { to: 'system', label: t('tabs.system') },
          { to: 'energy', label: t('energy:tab') },
          { to: 'digests', label: t('digests:tab') },
          { to: 'audit', label: t('audit:tab') },
        ]
      : []),
    { to: 'about', label: t('tabs.about') },
  ];
  return (
    <div className="page">
      <h1>{t('nav:settings')}</h1>
      <nav className="tabs" aria-label={t('tabs.label')}>
        {tabs.map((tab) => (
          <NavLink key={tab.to} to={`/settings/${tab.to}`}>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="general" replace />} />
        <Route path="general" element={<GeneralSettings />} />
        <Route path="notifications" element={<NotificationSettings />} />
        <Route path="account" element={<AccountSettings />} />
        <Route path="self-tests" element={<SelfTestSettings />} />
        {isAdmin && <Route path="alerting/*" element={<AlertingSettings />} />}
        {isAdmin && <Route path="users" element={<UsersSettings />} />}
        {isAdmin && <Route path="system" element={<SystemSettings />} />}
        {isAdmin && <Route path="energy" element={<EnergySettings />} />}
        {isAdmin && <Route path="digests" element={<DigestSettings />} />}
        {isAdmin && <Route path="audit" element={<AuditSettings />} />}
        <Route path="about" element={<AboutSettings />} />
        <Route path="*" element={<Navigate to="general" replace />} />
      </Routes>
    </div>
  );
}
