import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { i18n } from './i18n';
import { setUnauthorizedHandler } from './api/client';
import { getToken } from './api/session';
import { checkSetup } from './api/endpoints';
import { keys } from './api/keys';
import { Layout } from './components/Layout';
import { Loading } from './components/Loading';
import { Notice } from './components/Notice';
import { useSession } from './hooks/useSession';
import { DashboardPage } from './pages/DashboardPage';
import { LoginPage } from './pages/LoginPage';

// Everything but the dashboard and login loads on demand, keeping the first download small.
const SetupPage = lazy(() => import('./pages/SetupPage'));
const KioskPage = lazy(() => import('./pages/KioskPage'));
const UpsListPage = lazy(() => import('./pages/UpsListPage'));
const UpsPage = lazy(() => import('./pages/UpsPage'));
const ServersPage = lazy(() => import('./pages/ServersPage'));
const SettingsPage = lazy(() => import('./pages/settings/SettingsPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));
const ShutdownRoutes = lazy(() => import('./pages/shutdown/ShutdownRoutes'));
const ReportsPage = lazy(() => import('./pages/ReportsPage'));

const TwoFactorEnrolPage = lazy(() => import('./pages/TwoFactorEnrolPage'));

function RequireAuth({ children }: { children: ReactNode }) {
  const { token, user } = useSession();
  const location = useLocation();
  if (!token) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  // The policy requires a second factor this account has not set up: nothing else opens until it has.
  if (user?.totpEnrolmentRequired) return <TwoFactorEnrolPage />;
  return <>{children}</>;
}

/** While PowerPulse has no admin yet, every page except the kiosk leads to the setup wizard. */
function SetupGate({ children }: { children: ReactNode }) {
  const { t } = useTranslation('nav');
  const location = useLocation();
  const query = useQuery({ queryKey: keys.setup, queryFn: checkSetup, staleTime: Infinity, retry: 2 });
  const onSetup = location.pathname === '/setup';
  if (location.pathname.startsWith('/kiosk')) return <>{children}</>;
  // A signed-in browser belongs to a set-up instance: do not wait a round trip to say so.
  if (query.isPending && getToken() && !onSetup) return <>{children}</>;
  if (query.isPending) return <Loading label={t('starting')} />;
  if (query.isError && !(getToken() && !onSetup)) {
    return (
      <div className="center-page">
        <Notice kind="error" error={query.error} />
        <button type="button" onClick={() => void query.refetch()}>
          {t('common:actions.retry')}
        </button>
      </div>
    );
  }
  if (!query.data) return <>{children}</>;
  if (query.data.isFirstTimeSetup && !onSetup) return <Navigate to="/setup" replace />;
  if (!query.data.isFirstTimeSetup && onSetup) return <Navigate to="/" replace />;
  return <>{children}</>;
}

export function App() {
  const navigate = useNavigate();
  useEffect(() => {
    setUnauthorizedHandler(() => navigate('/login', { replace: true, state: { notice: i18n.t('nav:sessionEnded') } }));
  }, [navigate]);

  return (
    <SetupGate>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/setup" element={<SetupPage />} />
          <Route path="/login" element={<LoginPage />} />
          <Route path="/kiosk" element={<KioskPage />} />
          <Route
            element={
              <RequireAuth>
                <Layout />
              </RequireAuth>
            }
          >
            <Route index element={<DashboardPage />} />
            <Route path="ups-systems" element={<UpsListPage />} />
            <Route path="ups-systems/:id" element={<UpsPage />} />
            <Route path="servers" element={<ServersPage />} />
            <Route path="reports" element={<ReportsPage />} />
            <Route path="settings/*" element={<SettingsPage />} />
            <Route path="shutdown/*" element={<ShutdownRoutes />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </Suspense>
    </SetupGate>
  );
}
