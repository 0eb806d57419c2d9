import { Suspense, useCallback, useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { clearSession } from '../api/session';
import { useInactivityLogout } from '../hooks/useInactivityLogout';
import { useLiveState, useLiveUpdates } from '../hooks/useLiveUpdates';
import { usePollIntervalMs, useSettings } from '../hooks/usePollInterval';
import { useSession } from '../hooks/useSession';
import { useTheme } from '../hooks/useTheme';
import { useTranslation } from 'react-i18next';
import { LiveIndicator } from './LiveIndicator';
import { Loading } from './Loading';
import { ThemeToggle } from './ThemeToggle';
import { ROLE_LABEL_KEYS } from '../lib/roles';

/** The signed-in frame: navigation, theme, live status, sign-out and inactivity logout. */
export function Layout() {
  const { t } = useTranslation('nav');
  const { user, isAdmin } = useSession();
  const { theme, toggle } = useTheme();
  const [menuOpen, setMenuOpen] = useState(false);
  const navigate = useNavigate();
  const client = useQueryClient();
  const settings = useSettings();
  const pollMs = usePollIntervalMs();
  useLiveUpdates('user');
  const live = useLiveState();

  const signOut = useCallback(
    (reason?: string) => {
      clearSession();
      client.clear();
      navigate('/login', { replace: true, state: reason ? { notice: reason } : undefined });
    },
    [client, navigate],
  );
  const timeout = Number(settings.data?.inactivity_timeout) || null;
  const onIdle = useCallback(() => signOut(t('signedOutIdle', { count: timeout ?? 0 })), [signOut, t, timeout]);
  useInactivityLogout(timeout, onIdle);

  const close = () => setMenuOpen(false);
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        {t('skipToContent')}
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" onClick={close}>
          <span aria-hidden="true" className="brand-mark">
            ⚡
          </span>
          PowerPulse
        </NavLink>
        <button
          type="button"
          className="icon-button menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          <span aria-hidden="true">☰</span> {t('menu')}
        </button>
        <nav id="main-nav" className={`nav ${menuOpen ? 'open' : ''}`} aria-label={t('main')}>
          <NavLink to="/" end onClick={close}>
            {t('dashboard')}
          </NavLink>
          <NavLink to="/ups-systems" onClick={close}>
            {t('upsSystems')}
          </NavLink>
          <NavLink to="/servers" onClick={close}>
            {t('nutServers')}
          </NavLink>
          <NavLink to="/reports" onClick={close}>
            {t('reports')}
          </NavLink>
          {isAdmin && (
            <NavLink to="/shutdown" onClick={close}>
              {t('shutdown')}
            </NavLink>
          )}
          <NavLink to="/settings" onClick={close}>
            {t('settings')}
          </NavLink>
        </nav>
        <div className="topbar-right">
          <LiveIndicator state={live} pollSeconds={Math.round(pollMs / 1000)} />
          <ThemeToggle theme={theme} onToggle={toggle} />
          <span className="user-chip hide-narrow" title={t('signedInAs', { user: user?.username, role: user ? t(ROLE_LABEL_KEYS[user.role]) : '' })}>
            {user?.username}
            {user && user.role !== 'user' && <span className="role-tag">{t(ROLE_LABEL_KEYS[user.role])}</span>}
          </span>
          <button type="button" className="button-secondary" onClick={() => signOut()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
