import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { setup, testServerParams } from '../api/endpoints';
import { keys } from '../api/keys';
import { setSession } from '../api/session';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { TestResult } from '../components/TestResult';

const MIN_PASSWORD = 8;

/** First-time setup: the admin account, then the first NUT server, then the dashboard. */
export default function SetupPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [step, setStep] = useState<1 | 2>(1);
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [accountError, setAccountError] = useState('');
  const [host, setHost] = useState('localhost');
  const [port, setPort] = useState('3493');
  const [nutUser, setNutUser] = useState('');
  const [nutPass, setNutPass] = useState('');

  const server = () => ({ host: host.trim(), port: Number(port), username: nutUser.trim() || null, password: nutPass || undefined });
  const test = useMutation({ mutationFn: () => testServerParams(server(), true) });
  const finish = useMutation({
    mutationFn: () =>
      setup({
        username: username.trim(),
        password,
        nutServer: host.trim(),
        nutPort: Number(port),
        ...(nutUser.trim() ? { nutUsername: nutUser.trim(), nutPassword: nutPass } : {}),
      }),
    onSuccess: (res) => {
      setSession(res.token, res.user);
      client.setQueryData(keys.setup, { isFirstTimeSetup: false });
      navigate('/', { replace: true });
    },
  });

  const nextStep = (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim()) return setAccountError('Choose a username.');
    if (password.length < MIN_PASSWORD) return setAccountError(`The password needs at least ${MIN_PASSWORD} characters.`);
    if (password !== confirm) return setAccountError('The two passwords differ.');
    setAccountError('');
    setStep(2);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    finish.mutate();
  };

  return (
    <div className="center-page">
      <div className="panel auth-form wide">
        <h1>
          <span aria-hidden="true">⚡</span> Welcome to PowerPulse
        </h1>
        <p className="muted">
          First-time setup, step {step} of 2: {step === 1 ? 'create the administrator account' : 'connect your first NUT server'}.
        </p>
        <ol className="steps" aria-label="Setup steps">
          <li aria-current={step === 1 ? 'step' : undefined}>Administrator</li>
          <li aria-current={step === 2 ? 'step' : undefined}>NUT server</li>
        </ol>
        {step === 1 ? (
          <form onSubmit={nextStep} aria-label="Administrator account">
            {accountError && <Notice kind="error">{accountError}</Notice>}
            <Field label="Admin username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
            <Field label="Password" name="password" type="password" autoComplete="new-password" required hint={`At least ${MIN_PASSWORD} characters.`} value={password} onChange={(e) => setPassword(e.target.value)} />
            <Field label="Confirm password" name="confirm" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
            <button type="submit">Next: NUT server</button>
          </form>
        ) : (
          <form onSubmit={submit} aria-label="NUT server">
            <div className="row">
              <Field label="NUT server host" name="host" required value={host} onChange={(e) => setHost(e.target.value)} placeholder="e.g. 192.168.1.100" />
              <Field label="Port" name="port" type="number" min={1} max={65535} required value={port} onChange={(e) => setPort(e.target.value)} className="narrow" />
            </div>
            <div className="row">
              <Field label="NUT username (optional)" name="nutUsername" autoComplete="off" value={nutUser} onChange={(e) => setNutUser(e.target.value)} />
              <Field label="NUT password (optional)" name="nutPassword" type="password" autoComplete="new-password" value={nutPass} onChange={(e) => setNutPass(e.target.value)} />
            </div>
            <div className="button-row">
              <button type="button" className="button-secondary" onClick={() => test.mutate()} disabled={test.isPending || !host.trim()}>
                {test.isPending ? 'Testing…' : 'Test connection'}
              </button>
            </div>
            <TestResult mutation={test} />
            {finish.isError && <Notice kind="error" error={finish.error} />}
            <div className="button-row">
              <button type="button" className="button-secondary" onClick={() => setStep(1)}>
                Back
              </button>
              <button type="submit" disabled={finish.isPending}>
                {finish.isPending ? 'Setting up…' : 'Finish setup'}
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
