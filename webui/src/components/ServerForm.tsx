import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { createServer, testServerParams, updateServer } from '../api/endpoints';
import { keys } from '../api/keys';
import type { NutServer, NutServerInput } from '../types';
import { Field } from './Field';
import '../styles/system.css';
import { Notice } from './Notice';
import { Switch } from './Switch';
import { TestResult } from './TestResult';

interface Props {
  server?: NutServer;
  onDone: (message: string) => void;
  onCancel: () => void;
}

/** Add or edit a NUT server. The password is write-only: left blank on edit, the stored one stays. */
export function ServerForm({ server, onDone, onCancel }: Props) {
  const { t } = useTranslation('system');
  const client = useQueryClient();
  const [host, setHost] = useState(server?.host ?? '');
  const [port, setPort] = useState(String(server?.port ?? 3493));
  const [username, setUsername] = useState(server?.username ?? '');
  const [password, setPassword] = useState('');
  const [autoAdd, setAutoAdd] = useState(server?.autoAdd ?? true);
  const [starttls, setStarttls] = useState(server?.starttls ?? false);
  const [site, setSite] = useState(server?.site ?? '');

  const input = (): NutServerInput => {
    const body: NutServerInput = { host: host.trim(), port: Number(port), username: username.trim() || null, autoAdd, starttls, site: site.trim() || null };
    if (password) body.password = password;
    return body;
  };
  const test = useMutation({ mutationFn: () => testServerParams(input()) });
  const save = useMutation({
    mutationFn: () => (server ? updateServer(server.id, input()) : createServer(input())),
    onSuccess: (res) => {
      void client.invalidateQueries({ queryKey: keys.servers });
      void client.invalidateQueries({ queryKey: keys.upsList });
      const found = typeof res.upsSystemsDiscovered === 'number' ? ` ${t('server.found', { count: res.upsSystemsDiscovered })}` : '';
      onDone(`${res.message}.${found}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const title = server ? t('server.editTitle', { address: `${server.host}:${server.port}` }) : t('server.addTitle');
  return (
    <form className="panel server-form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div className="row">
        <Field label={t('server.host')} name="host" required placeholder={t('server.hostPlaceholder')} value={host} onChange={(e) => setHost(e.target.value)} />
        <Field label={t('server.port')} name="port" type="number" min={1} max={65535} required className="narrow" value={port} onChange={(e) => setPort(e.target.value)} />
      </div>
      <div className="row">
        <Field label={t('server.username')} name="nutUsername" autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} />
        <Field
          label={t('server.password')}
          name="nutPassword"
          type="password"
          autoComplete="new-password"
          value={password}
          placeholder={server ? t('server.passwordKept') : t('server.optional')}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      <div className="row">
        <Field
          label={t('server.site')}
          name="site"
          maxLength={64}
          pattern="[A-Za-z0-9._\-]*"
          placeholder={t('server.sitePlaceholder')}
          value={site}
          onChange={(e) => setSite(e.target.value)}
        />
      </div>
      <Switch
        label={t('server.autoAdd')}
        name="autoAdd"
        checked={autoAdd}
        onChange={setAutoAdd}
        description={t('server.autoAddHelp')}
      />
      <Switch label={t('server.starttls')} name="starttls" checked={starttls} onChange={setStarttls} description={t('server.starttlsHelp')} />
      {starttls && (
        <div className="starttls-help muted small" data-testid="starttls-help">
          <p>
            <Trans t={t} i18nKey="server.starttlsUpsd" components={{ code: <code /> }} />
          </p>
          <p>
            <Trans t={t} i18nKey="server.starttlsVerify" components={{ code: <code /> }} />
          </p>
        </div>
      )}
      <TestResult mutation={test} />
      {save.isError && <Notice kind="error" error={save.error} />}
      <div className="button-row">
        <button type="button" className="button-secondary" onClick={() => test.mutate()} disabled={test.isPending || !host.trim()}>
          {test.isPending ? t('server.testing') : t('server.test')}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          {t('server.cancel')}
        </button>
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? t('server.saving') : server ? t('server.saveChanges') : t('server.addServer')}
        </button>
      </div>
    </form>
  );
}
