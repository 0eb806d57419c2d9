import { useEffect, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { changePassword } from '../../api/endpoints';
import { setSession } from '../../api/session';
import { useSettings } from '../../hooks/usePollInterval';
import { useSaveSettings } from '../../hooks/useSaveSettings';
import { useSession } from '../../hooks/useSession';
import { Field } from '../../components/Field';
import { Notice } from '../../components/Notice';

const MIN_PASSWORD = 8;

function PasswordForm() {
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
    if (next.length < MIN_PASSWORD) return setLocalError(`The new password needs at least ${MIN_PASSWORD} characters.`);
    if (next !== confirm) return setLocalError('The two new passwords differ.');
    setLocalError('');
    mutation.mutate();
  };
  return (
    <form className="panel settings-form" onSubmit={submit} aria-labelledby="pw-title">
      <h2 id="pw-title">Change password</h2>
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" required hint={`At least ${MIN_PASSWORD} characters.`} value={next} onChange={(e) => setNext(e.target.value)} />
      <Field label="Confirm new password" name="confirmPassword" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
      {localError && <Notice kind="error">{localError}</Notice>}
      {mutation.isError && <Notice kind="error" error={mutation.error} />}
      {mutation.isSuccess && <Notice kind="success">{mutation.data.message}</Notice>}
      <button type="submit" disabled={mutation.isPending}>
        Change password
      </button>
    </form>
  );
}

function TimeoutForm() {
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
      <h2 id="idle-title">Automatic sign-out</h2>
      {settings.isError && <Notice kind="error" error={settings.error} />}
      <Field
        label="Sign out after inactivity (minutes)"
        name="inactivity_timeout"
        type="number"
        min={1}
        max={1440}
        required
        value={minutes}
        onChange={(e) => setMinutes(e.target.value)}
        hint="1 to 1440 minutes. The kiosk display never signs out."
      />
      {save.isError && <Notice kind="error" error={save.error} />}
      {save.isSuccess && <Notice kind="success">Saved.</Notice>}
      <button type="submit" disabled={save.isPending || !settings.data}>
        Save
      </button>
    </form>
  );
}

export default function AccountSettings() {
  const { user } = useSession();
  return (
    <>
      <section className="panel settings-form" aria-labelledby="acct-title">
        <h2 id="acct-title">Account</h2>
        <dl className="metrics">
          <div className="metric">
            <dt>Username</dt>
            <dd>{user?.username}</dd>
          </div>
          <div className="metric">
            <dt>Role</dt>
            <dd>{user?.role}</dd>
          </div>
          {user?.email && (
            <div className="metric">
              <dt>Email</dt>
              <dd>{user.email}</dd>
            </div>
          )}
        </dl>
      </section>
      <PasswordForm />
      <TimeoutForm />
    </>
  );
}
