import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { setup, testServerParams } from '../api/endpoints';
import { keys } from '../api/keys';
import { setSession } from '../api/session';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { TestResult } from '../components/TestResult';

const MIN_PASSWORD = 8;

/** First-time setup: the admin account, then the first NUT server, then the dashboard. */
export default function SetupPage() {
  const { t } = useTranslation('auth');
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
    if (!username.trim()) return setAccountError(t('setup.chooseUsername'));
    if (password.length < MIN_PASSWORD) return setAccountError(t('passwordTooShort', { count: MIN_PASSWORD }));
    if (password !== confirm) return setAccountError(t('passwordsDiffer'));
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
          <span aria-hidden="true">⚡</span> {t('setup.welcome')}
        </h1>
        <p className="muted">{step === 1 ? t('setup.step1') : t('setup.step2')}</p>
        <ol className="steps" aria-label={t('setup.steps')}>
          <li aria-current={step === 1 ? 'step' : undefined}>{t('setup.admin')}</li>
          <li aria-current={step === 2 ? 'step' : undefined}>{t('setup.nutServer')}</li>
        </ol>
        {step === 1 ? (
          <form onSubmit={nextStep} aria-label={t('setup.adminAccount')}>
            {accountError && <Notice kind="error">{accountError}</Notice>}
            <Field label={t('setup.adminUsername')} name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
            <Field label={t('password')} name="password" type="password" autoComplete="new-password" required hint={t('atLeast', { count: MIN_PASSWORD })} value={password} onChange={(e) => setPassword(e.target.value)} />
            <Field label={t('confirmPassword')} name="confirm" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
            <button type="submit">{t('setup.next')}</button>
          </form>
        ) : (
          <form onSubmit={submit} aria-label={t('setup.nutServer')}>
            <div className="row">
              <Field label={t('setup.host')} name="host" required value={host} onChange={(e) => setHost(e.target.value)} placeholder={t('setup.hostPlaceholder')} />
              <Field label={t('setup.port')} name="port" type="number" min={1} max={65535} required value={port} onChange={(e) => setPort(e.target.value)} className="narrow" />
            </div>
            <div className="row">
              <Field label={t('setup.nutUsername')} name="nutUsername" autoComplete="off" value={nutUser} onChange={(e) => setNutUser(e.target.value)} />
              <Field label={t('setup.nutPassword')} name="nutPassword" type="password" autoComplete="new-password" value={nutPass} onChange={(e) => setNutPass(e.target.value)} />
            </div>
            <div className="button-row">
              <button type="button" className="button-secondary" onClick={() => test.mutate()} disabled={test.isPending || !host.trim()}>
                {test.isPending ? t('common:actions.testing') : t('setup.testConnection')}
              </button>
            </div>
            <TestResult mutation={test} />
            {finish.isError && <Notice kind="error" error={finish.error} />}
            <div className="button-row">
              <button type="button" className="button-secondary" onClick={() => setStep(1)}>
                {t('common:actions.back')}
              </button>
              <button type="submit" disabled={finish.isPending}>
                {finish.isPending ? t('setup.settingUp') : t('setup.finish')}
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
