import { useEffect, useId, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { browserLanguage, LANGUAGES, setLanguage, storedLanguage, type Language } from '../../i18n';
import { changePassword } from '../../api/endpoints';
import { setSession } from '../../api/session';
import { useSettings } from '../../hooks/usePollInterval';
import { useSaveSettings } from '../../hooks/useSaveSettings';
import { useSession } from '../../hooks/useSession';
import { Field } from '../../components/Field';
import { Notice } from '../../components/Notice';
import { ApiTokens } from '../../components/ApiTokens';
import { TwoFactor } from '../../components/TwoFactor';
import { ROLE_LABEL_KEYS } from '../../lib/roles';

const MIN_PASSWORD = 8;

/** The UI language: the browser's unless chosen here (kept in this browser only, like the theme). */
function LanguageForm() {
  const { t } = useTranslation('settings');
  const id = useId();
  const [choice, setChoice] = useState<Language | ''>(() => storedLanguage() ?? '');
  const browserName = LANGUAGES.find((l) => l.code === browserLanguage())?.name ?? LANGUAGES[0].name;
  const change = (value: string) => {
    const lng = (value || null) as Language | null;
    setChoice(lng ?? '');
    setLanguage(lng);
  };
  return (
    <section className="panel settings-form" aria-labelledby="lang-title">
      <h2 id="lang-title">{t('common:language.label')}</h2>
      <div className="field">
        <label htmlFor={id}>{t('account.languageLabel')}</label>
        <select id={id} name="language" aria-describedby={`${id}-h`} value={choice} onChange={(e) => change(e.target.value)}>
          <option value="">{t('common:language.browserDefault', { language: browserName })}</option>
          {LANGUAGES.map((l) => (
            <option key={l.code} value={l.code} lang={l.code}>
              {l.name}
            </option>
          ))}
        </select>
        <span id={`${id}-h`} className="muted small">
          {t('account.languageHint')}
        </span>
      </div>
    </section>
  );
}

function PasswordForm() {
  const { t } = useTranslation('settings');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [localError, setLocalError] = useState('');
  const mutation = useMutation({
    mutationFn: () => changePassword(current, next),
    onSuccess: (res) => {
      // The change revokes older tokens: keep working with the new one.
      if (res.token && res.user) setSession(res.token, res.user);
      setCurrent('');
      setNext('');
      setConfirm('');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (next.length < MIN_PASSWORD) return setLocalError(t('account.newPasswordTooShort', { count: MIN_PASSWORD }));
    if (next !== confirm) return setLocalError(t('account.newPasswordsDiffer'));
    setLocalError('');
    mutation.mutate();
  };
  return (
    <form className="panel settings-form" onSubmit={submit} aria-labelledby="pw-title">
      <h2 id="pw-title">{t('account.changePassword')}</h2>
      <Field label={t('account.currentPassword')} name="currentPassword" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
      <Field label={t('account.newPassword')} name="newPassword" type="password" autoComplete="new-password" required hint={t('auth:atLeast', { count: MIN_PASSWORD })} value={next} onChange={(e) => setNext(e.target.value)} />
      <Field label={t('account.confirmNewPassword')} name="confirmPassword" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
      {localError && <Notice kind="error">{localError}</Notice>}
      {mutation.isError && <Notice kind="error" error={mutation.error} />}
      {mutation.isSuccess && <Notice kind="success">{mutation.data.message}</Notice>}
      <button type="submit" disabled={mutation.isPending}>
        {t('account.changePassword')}
      </button>
    </form>
  );
}

function TimeoutForm() {
  const { t } = useTranslation('settings');
  const settings = useSettings();
  const save = useSaveSettings();
  const [minutes, setMinutes] = useState('');
  const serverValue = settings.data ? String(settings.data.inactivity_timeout) : '';
  useEffect(() => setMinutes(serverValue), [serverValue]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ inactivity_timeout: Number(minutes) });
  };
  return (
    <form className="panel settings-form" onSubmit={submit} aria-labelledby="idle-title">
      <h2 id="idle-title">{t('account.autoSignOut')}</h2>
      {settings.isError && <Notice kind="error" error={settings.error} />}
      <Field
        label={t('account.signOutAfter')}
        name="inactivity_timeout"
        type="number"
        min={1}
        max={1440}
        required
        value={minutes}
        onChange={(e) => setMinutes(e.target.value)}
        hint={t('account.signOutHint')}
      />
      {save.isError && <Notice kind="error" error={save.error} />}
      {save.isSuccess && <Notice kind="success">{t('saved')}</Notice>}
      <button type="submit" disabled={save.isPending || !settings.data}>
        {t('common:actions.save')}
      </button>
    </form>
  );
}

export default function AccountSettings() {
  const { t } = useTranslation('settings');
  const { user } = useSession();
  return (
    <>
      <section className="panel settings-form" aria-labelledby="acct-title">
        <h2 id="acct-title">{t('tabs.account')}</h2>
        <dl className="metrics">
          <div className="metric">
            <dt>{t('auth:username')}</dt>
            <dd>{user?.username}</dd>
          </div>
          <div className="metric">
            <dt>{t('account.role')}</dt>
            <dd>{user ? t(ROLE_LABEL_KEYS[user.role]) : ''}</dd>
          </div>
          {user?.email && (
            <div className="metric">
              <dt>{t('account.email')}</dt>
              <dd>{user.email}</dd>
            </div>
          )}
        </dl>
        {user?.sso && <p className="muted small">{t('account.ssoAccount')}</p>}
      </section>
      <LanguageForm />
      {/* A single sign-on account has no password here, and its second factor is the provider's. */}
      {!user?.sso && <PasswordForm />}
      {!user?.sso && <TwoFactor />}
      <ApiTokens />
      <TimeoutForm />
    </>
  );
}
