import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { getSecuritySettings, putSecuritySettings } from '../api/endpoints';
import { keys } from '../api/keys';
import { ROLE_LABEL_KEYS, ROLE_ORDER } from '../lib/roles';
import type { Role } from '../types';
import { Loading } from './Loading';
import { Notice } from './Notice';

/** Admin: from which role up two-factor sign-in is compulsory (none: it stays a choice). */
export function SecurityPolicy() {
  const { t } = useTranslation('settings');
  const client = useQueryClient();
  const query = useQuery({ queryKey: keys.security, queryFn: getSecuritySettings });
  const [choice, setChoice] = useState<Role | '' | null>(null);
  const save = useMutation({
    mutationFn: (value: Role | null) => putSecuritySettings({ totpRequiredFrom: value }),
    onSuccess: (data) => client.setQueryData(keys.security, data),
  });
  const current = choice ?? query.data?.totpRequiredFrom ?? '';
  return (
    <section className="panel settings-form" aria-labelledby="security-title">
      <h2 id="security-title">{t('security.title')}</h2>
      <p className="muted small">{t('security.help')}</p>
      {query.isPending && <Loading label={t('security.title')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {query.data && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(current === '' ? null : current);
          }}
        >
          <div className="field">
            <label htmlFor="totp-required-from">{t('security.requiredFrom')}</label>
            <select id="totp-required-from" value={current} onChange={(e) => setChoice(e.target.value as Role | '')}>
              <option value="">{t('security.nobody')}</option>
              {ROLE_ORDER.map((r) => (
                <option key={r} value={r}>
                  {t('security.fromRole', { role: t(ROLE_LABEL_KEYS[r]) })}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={save.isPending}>
            {t('security.save')}
          </button>
        </form>
      )}
      {save.isSuccess && <Notice kind="success">{t('security.saved')}</Notice>}
      {save.isError && <Notice kind="error" error={save.error} />}
    </section>
  );
}
