import { useState, type FormEvent } from 'react';
import { ApiError, fieldError } from '../../api/client';
import type { SmtpSettings, SmtpSettingsBody } from '../../types';
import { Field } from '../Field';
import { Notice } from '../Notice';

type Security = NonNullable<SmtpSettingsBody['security']>;

interface Props {
  current: SmtpSettings;
  pending: boolean;
  error: unknown;
  onSubmit: (body: SmtpSettingsBody) => void;
}

const FIELDS = ['host', 'port', 'user', 'password', 'from', 'security'];
const SECURITY: { value: Security; label: string }[] = [
  { value: 'starttls', label: 'STARTTLS (port 587)' },
  { value: 'tls', label: 'TLS (port 465)' },
  { value: 'none', label: 'None (local relay only)' },
];

/** The one SMTP server email channels send through. The password is write-only: left blank,
 * the saved one is kept. */
export function SmtpSettingsForm({ current, pending, error, onSubmit }: Props) {
  const [host, setHost] = useState(current.host);
  const [port, setPort] = useState(String(current.port));
  const [user, setUser] = useState(current.user);
  const [password, setPassword] = useState('');
  const [sender, setSender] = useState(current.from);
  const [security, setSecurity] = useState<Security>(current.security);
  const savedHere = current.source === 'settings';
  const shownAtField = error instanceof ApiError && !!error.field && FIELDS.includes(error.field);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: SmtpSettingsBody = { host, port: Number(port) || undefined, user, from: sender, security };
    if (password) body.password = password;
    onSubmit(body);
  };
  const keepHint = current.password.set && savedHere ? 'saved — leave blank to keep' : undefined;
  return (
    <form className="threshold-form" onSubmit={submit} aria-label="Email server">
      <Field label="Server" value={host} onChange={(e) => setHost(e.target.value)} placeholder="smtp.example.com" required error={fieldError(error, 'host')} />
      <div className="field">
        <label htmlFor="smtp-security">Security</label>
        <select id="smtp-security" value={security} onChange={(e) => setSecurity(e.target.value as Security)}>
          {SECURITY.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <Field label="Port" type="number" min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} error={fieldError(error, 'port')} />
      <Field label="User name" value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" error={fieldError(error, 'user')} />
      <Field
        label="Password"
        type="password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        placeholder={keepHint}
        autoComplete="new-password"
        error={fieldError(error, 'password')}
      />
      <Field label="From address" type="email" value={sender} onChange={(e) => setSender(e.target.value)} error={fieldError(error, 'from')} />
      {error !== null && error !== undefined && !shownAtField && <Notice kind="error" error={error} />}
      <div className="button-row">
        <button type="submit" disabled={pending}>
          {pending ? 'Saving…' : 'Save email server'}
        </button>
      </div>
    </form>
  );
}
