import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { getMeWith, getOidcPublic, getVersion, login, oidcStartUrl } from '../api/endpoints';
import { keys } from '../api/keys';
import { setSession } from '../api/session';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { useSession } from '../hooks/useSession';
import { readSsoReturn, type SsoReturn } from '../lib/singleSignOn';

interface LocationState {
  from?: string;
  notice?: string;
}

export function LoginPage() {
  const { t } = useTranslation('auth');
  const { token } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as LocationState;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  // Asked for once the API answers 401 `totp_required`: the account has two-factor sign-in.
  const [needCode, setNeedCode] = useState(false);
  const [code, setCode] = useState('');
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const version = useQuery({ queryKey: keys.version, queryFn: getVersion, staleTime: Infinity, retry: 0 });
  const singleSignOn = useQuery({ queryKey: keys.oidcPublic, queryFn: getOidcPublic, staleTime: 60_000, retry: 0 });
  // What the API's sign-on callback sent back in the fragment, read once: the fragment is then
  // wiped so that the token stays out of the address bar and the history.
  const [ssoReturn] = useState<SsoReturn | null>(() => readSsoReturn(location.hash));
  useEffect(() => {
    if (ssoReturn) window.history.replaceState(window.history.state, '', location.pathname);
  }, [ssoReturn, location.pathname]);
  const ssoSession = useMutation({
    mutationFn: (token: string) => getMeWith(token),
  });
  useEffect(() => {
    if (ssoReturn?.kind !== 'signed-in') return;
    ssoSession.mutate(ssoReturn.token, {
      onSuccess: (user) => {
        setSession(ssoReturn.token, user);
        navigate(ssoReturn.next, { replace: true });
      },
    });
    // Once, for the token the page was opened with.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ssoReturn]);

  const mutation = useMutation({
    mutationFn: () => login(username.trim(), password, needCode ? code.trim() : undefined),
    onSuccess: (res) => {
      setSession(res.token, { ...res.user, totpEnrolmentRequired: res.totpEnrolmentRequired });
      navigate(state.from && state.from !== '/login' ? state.from : '/', { replace: true });
    },
    onError: (err) => {
      if (err instanceof ApiError && (err.code === 'totp_required' || err.code === 'totp_invalid')) {
        setNeedCode(true);
        setCode('');
      }
      if (err instanceof ApiError && err.status === 429) setWaitUntil(Date.now() + (err.retryAfter ?? 60) * 1000);
    },
  });

  useEffect(() => {
    if (waitUntil === null) return;
    const id = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= waitUntil) setWaitUntil(null);
    }, 1000);
    return () => clearInterval(id);
  }, [waitUntil]);

  // Signed in already (a sign-on that just finished sends the browser on by itself).
  if (token && ssoReturn?.kind !== 'signed-in') return <Navigate to="/" replace />;

  const waitSeconds = waitUntil ? Math.max(0, Math.ceil((waitUntil - now) / 1000)) : 0;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!waitSeconds) mutation.mutate();
  };
  const err = mutation.error;
  return (
    <div className="center-page">
      <form className="panel auth-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          <span aria-hidden="true">⚡</span> PowerPulse
        </h1>
        <p className="muted">{t('login.intro')}</p>
        {state.notice && !err && <Notice kind="info">{state.notice}</Notice>}
        {ssoReturn?.kind === 'failed' && !err && <Notice kind="error">{t(`login.ssoError.${ssoReturn.code}`)}</Notice>}
        {ssoReturn?.kind === 'signed-in' && ssoSession.isPending && <Notice kind="info">{t('login.ssoFinishing')}</Notice>}
        {ssoSession.isError && <Notice kind="error" error={ssoSession.error} />}
        {err && err instanceof ApiError && err.status === 429 ? (
          <Notice kind="error">
            {err.message}
            {' '}
            {waitSeconds > 0 ? t('login.waitSeconds', { count: waitSeconds }) : t('login.tryNow')}
          </Notice>
        ) : err instanceof ApiError && err.code === 'totp_required' ? (
          <Notice kind="info">{t('login.enterCode')}</Notice>
        ) : (
          err && <Notice kind="error" error={err} />
        )}
        <Field label={t('username')} name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
        <Field label={t('password')} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {needCode && (
          <Field label={t('login.code')} hint={t('login.codeHint')} name="totp" inputMode="numeric" autoComplete="one-time-code" required maxLength={20} value={code} onChange={(e) => setCode(e.target.value)} autoFocus />
        )}
        <button type="submit" disabled={mutation.isPending || waitSeconds > 0}>
          {mutation.isPending ? t('login.signingIn') : t('login.signIn')}
        </button>
        {singleSignOn.data?.enabled && (
          <>
            <p className="auth-divider muted small">{t('login.or')}</p>
            <a className="button button-secondary sso-button" href={oidcStartUrl(state.from && state.from !== '/login' ? state.from : '/')}>
              {singleSignOn.data.label}
            </a>
          </>
        )}
        <p className="muted small">{version.data ? `PowerPulse v${version.data.version}` : ' '}</p>
      </form>
    </div>
  );
}
