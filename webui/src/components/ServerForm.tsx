import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createServer, testServerParams, updateServer } from '../api/endpoints';
import { keys } from '../api/keys';
import type { NutServer, NutServerInput } from '../types';
import { Field } from './Field';
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
  const client = useQueryClient();
  const [host, setHost] = useState(server?.host ?? '');
  const [port, setPort] = useState(String(server?.port ?? 3493));
  const [username, setUsername] = useState(server?.username ?? '');
  const [password, setPassword] = useState('');
  const [autoAdd, setAutoAdd] = useState(server?.autoAdd ?? true);
  const [site, setSite] = useState(server?.site ?? '');

  const input = (): NutServerInput => {
    const body: NutServerInput = { host: host.trim(), port: Number(port), username: username.trim() || null, autoAdd, site: site.trim() || null };
    if (password) body.password = password;
    return body;
  };
  const test = useMutation({ mutationFn: () => testServerParams(input()) });
  const save = useMutation({
    mutationFn: () => (server ? updateServer(server.id, input()) : createServer(input())),
    onSuccess: (res) => {
      void client.invalidateQueries({ queryKey: keys.servers });
      void client.invalidateQueries({ queryKey: keys.upsList });
      const found = typeof res.upsSystemsDiscovered === 'number' ? ` ${res.upsSystemsDiscovered} UPS found.` : '';
      onDone(`${res.message}.${found}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const title = server ? `Edit ${server.host}:${server.port}` : 'Add a NUT server';
  return (
    <form className="panel server-form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div className="row">
        <Field label="Host" name="host" required placeholder="e.g. 192.168.1.100" value={host} onChange={(e) => setHost(e.target.value)} />
        <Field label="Port" name="port" type="number" min={1} max={65535} required className="narrow" value={port} onChange={(e) => setPort(e.target.value)} />
      </div>
      <div className="row">
        <Field label="Username (optional)" name="nutUsername" autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} />
        <Field
          label="Password"
          name="nutPassword"
          type="password"
          autoComplete="new-password"
          value={password}
          placeholder={server ? 'Blank keeps the stored one (same host and port only)' : 'Optional'}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      <div className="row">
        <Field
          label="Site (optional)"
          name="site"
          maxLength={64}
          pattern="[A-Za-z0-9._\-]*"
          placeholder="e.g. paris — polled only by pollers started with this site in POLLER_SITES"
          value={site}
          onChange={(e) => setSite(e.target.value)}
        />
      </div>
      <Switch
        label="Add new UPS automatically"
        name="autoAdd"
        checked={autoAdd}
        onChange={setAutoAdd}
        description="PowerPulse lists this server's UPS whenever it connects and at regular intervals, and adds the ones it does not know yet. Off: Rescan shows them; add them by hand."
      />
      <TestResult mutation={test} />
      {save.isError && <Notice kind="error" error={save.error} />}
      <div className="button-row">
        <button type="button" className="button-secondary" onClick={() => test.mutate()} disabled={test.isPending || !host.trim()}>
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : server ? 'Save changes' : 'Add server'}
        </button>
      </div>
    </form>
  );
}
