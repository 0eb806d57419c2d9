import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, fieldError } from '../api/client';
import { getOidcSettings, putOidcSettings } from '../api/endpoints';
import { keys } from '../api/keys';
import { ROLE_LABEL_KEYS, ROLE_ORDER } from '../lib/roles';
import { groupsText, parseGroups } from '../lib/singleSignOn';
import type { OidcSettings, OidcSettingsBody, Role } from '../types';
import { Field } from './Field';
import { Loading } from './Loading';
import { Notice } from './Notice';
import { Switch } from './Switch';

const FORM_FIELDS = ['enabled', 'issuer', 'clientId', 'clientSecret', 'label', 'scopes', 'roleClaim', 'groupsByRole', 'defaultRole'];

/** Admin: OpenID Connect single sign-on (issuer, client, the groups that give each role). */
export function SingleSignOnSettings() {
  const { t } = useTranslation('settings');
  const query = useQuery({ queryKey: keys.oidcSettings, queryFn: getOidcSettings });
  return (
    <section className="panel settings-form" aria-labelledby="sso-title">
      <h2 id="sso-title">{t('sso.title')}</h2>
      <p className="muted small">{t('sso.help')}</p>
      {query.isPending && <Loading label={t('sso.title')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {query.data && <SsoForm current={query.data} />}
    </section>
  );
}

function SsoForm({ current }: { current: OidcSettings }) {
  const { t } = useTranslation('settings');
  const client = useQueryClient();
  const [enabled, setEnabled] = useState(current.enabled);
  const [text, setText] = useState({
    issuer: current.issuer,
    clientId: current.clientId,
    clientSecret: '',
    label: current.label,
    scopes: current.scopes,
    roleClaim: current.roleClaim,
  });
  const [groups, setGroups] = useState<Record<Role, string>>(
    () => Object.fromEntries(ROLE_ORDER.map((r) => [r, groupsText(current.groupsByRole[r])])) as Record<Role, string>,
  );
  const [defaultRole, setDefaultRole] = useState<Role | ''>(current.defaultRole ?? '');
  const save = useMutation({
    mutationFn: (body: OidcSettingsBody) => putOidcSettings(body),
    onSuccess: (data) => {
      client.setQueryData(keys.oidcSettings, data);
      setText((v) => ({ ...v, clientSecret: '' })); // sent once; never shown again
      void client.invalidateQueries({ queryKey: keys.oidcPublic });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      ...text,
      enabled,
      groupsByRole: Object.fromEntries(ROLE_ORDER.map((r) => [r, parseGroups(groups[r])])),
      defaultRole: defaultRole === '' ? null : defaultRole,
    });
  };
  const err = save.error;
  const shownAtField = err instanceof ApiError && !!err.field && FORM_FIELDS.includes(err.field);
  const input = (name: keyof typeof text) => ({
    name,
    value: text[name],
    onChange: (e: { target: { value: string } }) => setText((v) => ({ ...v, [name]: e.target.value })),
    error: fieldError(err, name),
  });
  return (
    <form onSubmit={submit} aria-label={t('sso.title')}>
      <Switch label={t('sso.enabled')} checked={enabled} onChange={setEnabled} />
      <div className="field">
        <span className="field-label">{t('sso.redirectUri')}</span>
        <code data-testid="sso-redirect-uri" className="sso-redirect">{current.redirectUri}</code>
        <span className="muted small">{t('sso.redirectUriHint')}</span>
      </div>
      <Field label={t('sso.issuer')} hint={t('sso.issuerHint')} type="url" inputMode="url" autoComplete="off" {...input('issuer')} />
      <Field label={t('sso.clientId')} autoComplete="off" {...input('clientId')} />
      <Field
        label={t('sso.clientSecret')}
        hint={current.hasClientSecret ? t('sso.clientSecretKept') : t('sso.clientSecretNeeded')}
        type="password"
        autoComplete="new-password"
        {...input('clientSecret')}
      />
      <Field label={t('sso.label')} hint={t('sso.labelHint')} maxLength={60} {...input('label')} />
      <Field label={t('sso.scopes')} hint={t('sso.scopesHint')} {...input('scopes')} />
      <Field label={t('sso.roleClaim')} hint={t('sso.roleClaimHint')} {...input('roleClaim')} />
      <fieldset className="sso-groups">
        <legend>{t('sso.groupsTitle')}</legend>
        <p className="muted small">{t('sso.groupsHint')}</p>
        {[...ROLE_ORDER].reverse().map((r) => (
          <Field
            key={r}
            label={t('sso.groupsFor', { role: t(ROLE_LABEL_KEYS[r]) })}
            name={`groups-${r}`}
            value={groups[r]}
            onChange={(e) => setGroups((g) => ({ ...g, [r]: e.target.value }))}
          />
        ))}
        {fieldError(err, 'groupsByRole') && <Notice kind="error">{fieldError(err, 'groupsByRole')}</Notice>}
      </fieldset>
      <div className="field">
        <label htmlFor="sso-default-role">{t('sso.defaultRole')}</label>
        <select id="sso-default-role" value={defaultRole} onChange={(e) => setDefaultRole(e.target.value as Role | '')}>
          <option value="">{t('sso.refuse')}</option>
          {ROLE_ORDER.map((r) => (
            <option key={r} value={r}>
              {t(ROLE_LABEL_KEYS[r])}
            </option>
          ))}
        </select>
        {fieldError(err, 'defaultRole') && <Notice kind="error">{fieldError(err, 'defaultRole')}</Notice>}
      </div>
      {err && !shownAtField && <Notice kind="error" error={err} />}
      {fieldError(err, 'enabled') && <Notice kind="error">{fieldError(err, 'enabled')}</Notice>}
      {save.isSuccess && !save.isPending && <Notice kind="success">{t('sso.saved')}</Notice>}
      <div className="button-row">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? t('sso.saving') : t('sso.save')}
        </button>
      </div>
    </form>
  );
}
