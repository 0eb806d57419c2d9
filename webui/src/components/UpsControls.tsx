import { useId, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listUpsCommands, listUpsVariables, runUpsCommand, setUpsVariable } from '../api/endpoints';
import { keys } from '../api/keys';
import type { UpsCommand, WritableVariable } from '../types';
import { Loading } from './Loading';
import { Notice } from './Notice';

/**
 * Instant commands (operators: those that do not cut the load) and writable variables (admins)
 * of one UPS. They are asked of the NUT
 * server itself, so nothing is fetched until the panel is opened.
 */
export function UpsControls({ upsId, showVariables = true }: { upsId: number; showVariables?: boolean }) {
  const { t } = useTranslation('controls');
  const [open, setOpen] = useState(false);
  return (
    <details className="panel var-group" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        <h3>{t('title')}</h3> <span className="muted small">{t('subtitle')}</span>
      </summary>
      {open && (
        <>
          <Commands upsId={upsId} />
          {showVariables && <Variables upsId={upsId} />}
        </>
      )}
    </details>
  );
}

function CredentialsHint({ credentials }: { credentials: boolean }) {
  const { t } = useTranslation('controls');
  if (credentials) return null;
  return <Notice kind="info">{t('noCredentials')}</Notice>;
}

function Commands({ upsId }: { upsId: number }) {
  const { t } = useTranslation('controls');
  const query = useQuery({ queryKey: keys.upsCommands(upsId), queryFn: () => listUpsCommands(upsId), staleTime: 60_000 });
  if (query.isPending) return <Loading label={t('askingCommands')} />;
  if (query.isError) return <Notice kind="error" error={query.error} />;
  const { commands, credentials } = query.data;
  return (
    <section aria-label={t('commands')}>
      <h4>{t('commands')}</h4>
      <CredentialsHint credentials={credentials} />
      {commands.length === 0 && <p className="muted">{t('noCommands')}</p>}
      <ul className="controls" data-testid="ups-commands">
        {commands.map((c) => (
          <CommandRow key={c.name} upsId={upsId} command={c} />
        ))}
      </ul>
    </section>
  );
}

function CommandRow({ upsId, command }: { upsId: number; command: UpsCommand }) {
  const { t } = useTranslation('controls');
  const [confirming, setConfirming] = useState(false);
  const run = useMutation({
    mutationFn: () => runUpsCommand(upsId, command.name, command.warning !== null),
    onSettled: () => setConfirming(false),
  });
  return (
    <li>
      <code>{command.name}</code> <span className="muted small">{command.description}</span>
      <div className="row-actions">
        {confirming ? (
          <>
            <span className="notice-inline" role="alert">
              {t('areYouSure', { warning: command.warning })}
            </span>
            <button type="button" className="button-danger" onClick={() => run.mutate()} disabled={run.isPending}>
              {t('runName', { name: command.name })}
            </button>
            <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
              {t('common:actions.cancel')}
            </button>
          </>
        ) : (
          <button
            type="button"
            className={command.warning ? 'button-danger-outline' : 'button-secondary'}
            onClick={() => (command.warning ? setConfirming(true) : run.mutate())}
            disabled={run.isPending || command.allowed === false}
            title={command.allowed === false ? t('adminOnly') : undefined}
            aria-label={t('runName', { name: command.name })}
          >
            {command.warning ? t('runConfirm') : t('run')}
          </button>
        )}
      </div>
      {run.isError && <Notice kind="error" error={run.error} />}
      {run.isSuccess && <Notice kind="success">{run.data.message}</Notice>}
    </li>
  );
}

function Variables({ upsId }: { upsId: number }) {
  const { t } = useTranslation('controls');
  const query = useQuery({ queryKey: keys.upsVariables(upsId), queryFn: () => listUpsVariables(upsId), staleTime: 60_000 });
  if (query.isPending) return <Loading label={t('askingSettings')} />;
  if (query.isError) return <Notice kind="error" error={query.error} />;
  const { variables } = query.data;
  return (
    <section aria-label={t('writable')}>
      <h4>{t('settings')}</h4>
      {variables.length === 0 && <p className="muted">{t('noSettings')}</p>}
      <ul className="controls" data-testid="ups-variables">
        {variables.map((v) => (
          <VariableRow key={v.name} upsId={upsId} variable={v} />
        ))}
      </ul>
    </section>
  );
}

function VariableRow({ upsId, variable }: { upsId: number; variable: WritableVariable }) {
  const { t } = useTranslation('controls');
  const id = useId();
  const client = useQueryClient();
  const [value, setValue] = useState(variable.value);
  const save = useMutation({
    mutationFn: () => setUpsVariable(upsId, variable.name, value.trim()),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.upsVariables(upsId) }),
  });
  const single = variable.ranges.length === 1 ? variable.ranges[0] : null;
  const numeric = variable.type === 'number' || variable.type === 'range';
  return (
    <li>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <label htmlFor={id}>
          <code>{variable.name}</code> <span className="muted small">{variable.description}</span>
        </label>
        {variable.type === 'enum' ? (
          <select id={id} value={value} onChange={(e) => setValue(e.target.value)}>
            {variable.options.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        ) : (
          <input
            id={id}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            inputMode={numeric ? 'decimal' : undefined}
            type={numeric ? 'number' : 'text'}
            step="any"
            min={single ? single[0] : undefined}
            max={single ? single[1] : undefined}
            maxLength={variable.maxLength ?? undefined}
          />
        )}
        <button type="submit" className="button-secondary" disabled={save.isPending || value.trim() === variable.value}>
          {t('common:actions.save')}
        </button>
      </form>
      {save.isError && <Notice kind="error" error={save.error} />}
      {save.isSuccess && <Notice kind="success">{save.data.message}</Notice>}
    </li>
  );
}
