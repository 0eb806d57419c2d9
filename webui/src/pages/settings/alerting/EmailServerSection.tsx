import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { forgetSmtpSettings, getSmtpSettings, saveSmtpSettings } from '../../../api/endpoints';
import { keys } from '../../../api/keys';
import type { SmtpSettings, SmtpSettingsBody } from '../../../types';
import { SmtpSettingsForm } from '../../../components/alerting/SmtpSettingsForm';
import { Loading } from '../../../components/Loading';
import { Notice } from '../../../components/Notice';

function sourceText(smtp: SmtpSettings, t: (key: string) => string): string {
  if (smtp.source === 'settings') return smtp.locked.length ? t('smtp.source.settingsPartly') : t('smtp.source.settings');
  if (smtp.host) return smtp.locked.length ? t('smtp.source.environment') : t('smtp.source.defaults');
  return t('smtp.source.none');
}

/** Admin: the SMTP server behind every email channel (saved here; SMTP_* variables that are set win). */
export default function EmailServerSection() {
  const { t } = useTranslation('system');
  const client = useQueryClient();
  const smtp = useQuery({ queryKey: keys.smtpSettings, queryFn: getSmtpSettings });
  const update = (data: SmtpSettings) => client.setQueryData(keys.smtpSettings, data);
  const save = useMutation({ mutationFn: (body: SmtpSettingsBody) => saveSmtpSettings(body), onSuccess: update });
  const forget = useMutation({ mutationFn: forgetSmtpSettings, onSuccess: update });
  return (
    <section className="panel wide-panel" aria-labelledby="smtp-title">
      <h2 id="smtp-title">{t('smtp.title')}</h2>
      <p className="muted small">{t('smtp.intro')}</p>
      {smtp.isPending && <Loading label={t('smtp.loading')} />}
      {smtp.isError && <Notice kind="error" error={smtp.error} />}
      {smtp.data && (
        <>
          <p>{sourceText(smtp.data, t)}</p>
          {save.isSuccess && <Notice kind="success">{t('smtp.saved')}</Notice>}
          <SmtpSettingsForm
            // A fresh form after every save (a typed password is then cleared, nothing is left unsaved).
            key={smtp.dataUpdatedAt}
            current={smtp.data}
            pending={save.isPending}
            error={save.error}
            onSubmit={(body) => save.mutate(body)}
          />
          {smtp.data.source === 'settings' && (
            <button type="button" className="button-secondary" disabled={forget.isPending} onClick={() => forget.mutate()}>
              {t('smtp.forget')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
