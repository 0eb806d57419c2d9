import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { confirmTwoFactor, enrolTwoFactor, getTwoFactor, newRecoveryCodes, turnOffTwoFactor } from '../api/endpoints';
import { keys } from '../api/keys';
import { getUser, setSession } from '../api/session';
import { formatDateTime } from '../lib/format';
import type { TwoFactorEnrolment } from '../types';
import { Field } from './Field';
import { Loading } from './Loading';
import { Notice } from './Notice';

/** Your two-factor sign-in: set it up with an authenticator app (QR code or the secret as text), keep the
 *  recovery codes shown once, make new ones, or turn it off with your password. */
export function TwoFactor() {
  const { t } = useTranslation('settings');
  const client = useQueryClient();
  const state = useQuery({ queryKey: keys.twoFactor, queryFn: getTwoFactor });
  const [enrolment, setEnrolment] = useState<TwoFactorEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  // During a compulsory set-up the new token opens the app: held until the codes were read.
  const [heldToken, setHeldToken] = useState<string | null>(null);
  const refresh = () => void client.invalidateQueries({ queryKey: keys.twoFactor });
  const enrol = useMutation({ mutationFn: enrolTwoFactor, onSuccess: (res) => setEnrolment(res) });
  const confirm = useMutation({
    mutationFn: () => confirmTwoFactor(code),
    onSuccess: (res) => {
      const user = getUser();
      // The new token is no longer limited to this set-up.
      if (user?.totpEnrolmentRequired) setHeldToken(res.token);
      else if (user) setSession(res.token, user);
      setCodes(res.recoveryCodes);
      setEnrolment(null);
      setCode('');
      refresh();
    },
  });
  const regenerate = useMutation({
    mutationFn: () => newRecoveryCodes(code),
    onSuccess: (res) => {
      setCodes(res.recoveryCodes);
      setCode('');
      refresh();
    },
  });
  const turnOff = useMutation({
    mutationFn: () => turnOffTwoFactor(password),
    onSuccess: () => {
      setPassword('');
      setCodes(null);
      refresh();
    },
  });
  const onConfirm = (e: FormEvent) => {
    e.preventDefault();
    confirm.mutate();
  };
  const onRegenerate = (e: FormEvent) => {
    e.preventDefault();
    regenerate.mutate();
  };
  const onTurnOff = (e: FormEvent) => {
    e.preventDefault();
    turnOff.mutate();
  };
  const s = state.data;
  return (
    <section className="panel settings-form" aria-labelledby="two-factor-title" data-testid="two-factor">
      <h2 id="two-factor-title">{t('twoFactor.title')}</h2>
      <p className="muted small">{t('twoFactor.help')}</p>
      {state.isPending && <Loading label={t('twoFactor.title')} />}
      {state.isError && <Notice kind="error" error={state.error} />}
      {s?.required && !s.enabled && <Notice kind="warning">{t('twoFactor.requiredNotice')}</Notice>}
      {s?.enabled && !heldToken && getUser()?.totpEnrolmentRequired && <Notice kind="info">{t('twoFactor.signInAgain')}</Notice>}
      {codes && (
        <Notice kind="success">
          {t('twoFactor.codesShownOnce')}
          <ul className="recovery-codes" data-testid="recovery-codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          {heldToken && (
            <button
              type="button"
              onClick={() => {
                const user = getUser();
                if (user) setSession(heldToken, { ...user, totpEnrolmentRequired: undefined });
              }}
            >
              {t('twoFactor.continue')}
            </button>
          )}
        </Notice>
      )}
      {s && !s.enabled && !enrolment && (
        <button type="button" onClick={() => enrol.mutate()} disabled={enrol.isPending}>
          {t('twoFactor.setUp')}
        </button>
      )}
      {enrol.isError && <Notice kind="error" error={enrol.error} />}
      {enrolment && (
        <form onSubmit={onConfirm} className="two-factor-enrol">
          <p>{t('twoFactor.scan')}</p>
          <img className="two-factor-qr" src={enrolment.qrCode} alt={t('twoFactor.qrAlt')} width={200} height={200} />
          <p className="muted small">
            {t('twoFactor.orType')} <code className="token-secret" data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <Field label={t('twoFactor.code')} name="totp-code" inputMode="numeric" autoComplete="one-time-code" required maxLength={10} value={code} onChange={(e) => setCode(e.target.value)} />
          <div className="button-row">
            <button type="submit" disabled={confirm.isPending}>
              {t('twoFactor.confirm')}
            </button>
            <button type="button" className="button-secondary" onClick={() => setEnrolment(null)}>
              {t('common:actions.cancel')}
            </button>
          </div>
          {confirm.isError && <Notice kind="error" error={confirm.error} />}
        </form>
      )}
      {s?.enabled && (
        <>
          <p data-testid="two-factor-on">
            {t('twoFactor.on', { date: s.confirmedAt ? formatDateTime(s.confirmedAt) : '' })} {t('twoFactor.codesLeft', { count: s.recoveryCodesLeft })}
          </p>
          <form onSubmit={onRegenerate} className="row">
            <Field label={t('twoFactor.code')} name="totp-regenerate" inputMode="numeric" autoComplete="one-time-code" required maxLength={10} value={code} onChange={(e) => setCode(e.target.value)} />
            <button type="submit" className="button-secondary" disabled={regenerate.isPending}>
              {t('twoFactor.newCodes')}
            </button>
          </form>
          {regenerate.isError && <Notice kind="error" error={regenerate.error} />}
          {s.required ? (
            <p className="muted small">{t('twoFactor.requiredKeep')}</p>
          ) : (
            <form onSubmit={onTurnOff} className="row">
              <Field label={t('twoFactor.password')} name="totp-off-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
              <button type="submit" className="button-danger-outline" disabled={turnOff.isPending}>
                {t('twoFactor.turnOff')}
              </button>
            </form>
          )}
          {turnOff.isError && <Notice kind="error" error={turnOff.error} />}
        </>
      )}
    </section>
  );
}
