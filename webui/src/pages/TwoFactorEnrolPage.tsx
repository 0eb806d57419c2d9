import { useTranslation } from 'react-i18next';
import { clearSession } from '../api/session';
import { TwoFactor } from '../components/TwoFactor';

/** Shown instead of every page while the policy requires a second factor this account has not set up. */
export default function TwoFactorEnrolPage() {
  const { t } = useTranslation('settings');
  return (
    <div className="center-page">
      <div className="auth-form">
        <h1>{t('twoFactor.enrolTitle')}</h1>
        <p className="muted">{t('twoFactor.enrolIntro')}</p>
        <TwoFactor />
        <button type="button" className="button-secondary" onClick={() => clearSession()}>
          {t('nav:signOut')}
        </button>
      </div>
    </div>
  );
}
