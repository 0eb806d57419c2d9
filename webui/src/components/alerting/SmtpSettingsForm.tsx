import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, fieldError } from '../../api/client';
import { testSmtp } from '../../api/endpoints';
import type { SmtpSettings, SmtpSettingsBody } from '../../types';
import { Field } from '../Field';
import '../../styles/system.css';
import { Notice } from '../Notice';

type Security = NonNullable<SmtpSettingsBody['security']>;
type FieldName = SmtpSettings['locked'][number];

interface Props {
  current: SmtpSettings;
  pending: boolean;
  error: unknown;
  onSubmit: (body: SmtpSettingsBody) => void;
}

const FIELDS = ['host', 'port', 'user', 'password', 'from', 'security'];
// The variable that, when set, wins over each field (the API lists those in `locked`).
const ENV: Record<FieldName, string> = {
  host: 'SMTP_HOST',
  port: 'SMTP_PORT',
  user: 'SMTP_USER',
  password: 'SMTP_PASSWORD',
  from: 'SMTP_FROM',
  security: 'SMTP_SECURITY',
};
const SECURITY: Security[] = ['starttls', 'tls', 'none'];

/** The one SMTP server email channels send through. The password is write-only: left blank,
 * the saved one is kept. A field an SMTP_* variable sets is shown locked; "Send test" mails the
 * saved server's test message to one address. */
export function SmtpSettingsForm({ current, pending, error, onSubmit }: Props) {
  const { t } = useTranslation('system');
  const [host, setHost] = useState(current.host);
  const [port, setPort] = useState(String(current.port));
  const [user, setUser] = useState(current.user);
  const [password, setPassword] = useState('');
  const [sender, setSender] = useState(current.from);
  const [security, setSecurity] = useState<Security>(current.security);
  const [to, setTo] = useState('');
  const test = useMutation({ mutationFn: () => testSmtp(to.trim()) });
  const locked = new Set<FieldName>(current.locked ?? []);
  const lockHint = (f: FieldName) => (locked.has(f) ? t('smtp.lockedHint', { name: ENV[f] }) : undefined);
  const savedHere = current.source === 'settings';
  const shownAtField = error instanceof ApiError && !!error.field && FIELDS.includes(error.field);
  // The test goes through the saved server: unsaved edits would not be what it tries.
  const dirty =
    host !== current.host ||
    port !== String(current.port) ||
    user !== current.user ||
    password !== '' ||
    sender !== current.from ||
    security !== current.security;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: SmtpSettingsBody = { host, port: Number(port) || undefined, user, from: sender, security };
    if (password) body.password = password;
    for (const f of locked) delete body[f as keyof SmtpSettingsBody]; // the environment's, not ours to send
    onSubmit(body);
  };
  const sendTest = (e: FormEvent) => {
    e.preventDefault();
    test.mutate();
  };
  const keepHint = current.password.set && savedHere ? t('smtp.passwordKept') : undefined;
  return (
    <>
      <form className="threshold-form" onSubmit={submit} aria-label={t('smtp.formLabel')}>
        <Field
          label={t('smtp.host')}
          value={host}
          onChange={(e) => setHost(e.target.value)}
          placeholder={t('smtp.hostPlaceholder')}
          required={!locked.has('host')}
          disabled={locked.has('host')}
          hint={lockHint('host')}
          error={fieldError(error, 'host')}
        />
        <div className="field">
          <label htmlFor="smtp-security">{t('smtp.security')}</label>
          <select
            id="smtp-security"
            value={security}
            disabled={locked.has('security')}
            aria-describedby={locked.has('security') ? 'smtp-security-h' : undefined}
            onChange={(e) => setSecurity(e.target.value as Security)}
          >
            {SECURITY.map((s) => (
              <option key={s} value={s}>
                {t(`smtp.securityOption.${s}`)}
              </option>
            ))}
          </select>
          {locked.has('security') && (
            <span id="smtp-security-h" className="muted small">
              {lockHint('security')}
            </span>
          )}
        </div>
        <Field
          label={t('smtp.port')}
          type="number"
          min={1}
          max={65535}
          value={port}
          onChange={(e) => setPort(e.target.value)}
          disabled={locked.has('port')}
          hint={lockHint('port')}
          error={fieldError(error, 'port')}
        />
        <Field
          label={t('smtp.user')}
          value={user}
          onChange={(e) => setUser(e.target.value)}
          autoComplete="off"
          disabled={locked.has('user')}
          hint={lockHint('user')}
          error={fieldError(error, 'user')}
        />
        <Field
          label={t('smtp.password')}
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          placeholder={keepHint}
          autoComplete="new-password"
          disabled={locked.has('password')}
          hint={lockHint('password')}
          error={fieldError(error, 'password')}
        />
        <Field
          label={t('smtp.from')}
          type="email"
          value={sender}
          onChange={(e) => setSender(e.target.value)}
          disabled={locked.has('from')}
          hint={lockHint('from')}
          error={fieldError(error, 'from')}
        />
        {error !== null && error !== undefined && !shownAtField && <Notice kind="error" error={error} />}
        <div className="button-row">
          <button type="submit" disabled={pending || locked.size === FIELDS.length}>
            {pending ? t('smtp.saving') : t('smtp.save')}
          </button>
        </div>
      </form>
      <form className="smtp-test" onSubmit={sendTest} aria-label={t('smtp.testLabel')}>
        <Field
          label={t('smtp.testTo')}
          type="email"
          required
          value={to}
          onChange={(e) => setTo(e.target.value)}
          placeholder={t('smtp.testToPlaceholder')}
          hint={dirty ? t('smtp.testSaveFirst') : t('smtp.testHint')}
          error={fieldError(test.error, 'to')}
        />
        <div className="button-row">
          <button type="submit" className="button-secondary" disabled={test.isPending || dirty || !current.host || !to.trim()}>
            {test.isPending ? t('smtp.testSending') : t('smtp.testSend')}
          </button>
        </div>
        {test.isSuccess && <Notice kind="success">{t('smtp.testSent', { to: to.trim() })}</Notice>}
        {test.isError && !fieldError(test.error, 'to') && <Notice kind="error" error={test.error} />}
      </form>
    </>
  );
}
