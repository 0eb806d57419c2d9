import { useTranslation } from 'react-i18next';
import { useState, type FormEvent } from 'react';
import { ApiError, fieldError } from '../../api/client';
import { configFromDraft, configKeyOfField, initialDraft, savedSecretKeys, type ChannelConfig, type ConfigDraft, type DraftValue } from '../../lib/channelConfig';
import type { ChannelKindInfo, NotificationChannel } from '../../types';
import { Field } from '../Field';
import { Notice } from '../Notice';
import { ChannelFieldInput } from './ChannelFieldInput';

export interface ChannelFormValues {
  name: string;
  config: ChannelConfig;
}

interface Props {
  /** The kind's descriptor: the form has one input per field, of the field's type. */
  kind: ChannelKindInfo;
  /** Editing this saved channel (its secrets come as `{"set": true}`); else a new one. */
  channel?: NotificationChannel;
  submitLabel: string;
  pending: boolean;
  /** The save's error: shown next to the field it names (`name`, `config.<key>`). */
  error: unknown;
  onSubmit: (values: ChannelFormValues) => void;
  onCancel?: () => void;
}

/** A channel's name and config, drawn from its kind's descriptor. */
export function ChannelForm({ kind, channel, submitLabel, pending, error, onSubmit, onCancel }: Props) {
  const { t } = useTranslation('notifications');
  const [name, setName] = useState(channel?.name ?? kind.label);
  const [draft, setDraft] = useState<ConfigDraft>(() => initialDraft(kind.fields, channel?.config));
  const [removing, setRemoving] = useState<Set<string>>(() => new Set());
  const saved = savedSecretKeys(kind.fields, channel?.config);
  const errorKey = error instanceof ApiError ? configKeyOfField(error.field) : null;
  const shownAtField = error instanceof ApiError && (error.field === 'name' || (errorKey !== null && kind.fields.some((f) => f.key === errorKey)));

  const set = (key: string, value: DraftValue) => setDraft((d) => ({ ...d, [key]: value }));
  const toggleRemove = (key: string, on: boolean) =>
    setRemoving((r) => {
      const next = new Set(r);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({ name: name.trim(), config: configFromDraft(kind.fields, draft, removing) });
  };

  return (
    <form className="channel-form" onSubmit={submit} aria-label={channel ? t('channel.editForm', { kind: kind.label }) : t('channel.newForm', { kind: kind.label })} data-kind={kind.kind}>
      <Field label={t('dashboard:list.name')} name="name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} />
      {kind.fields.map((f) => (
        <ChannelFieldInput
          key={f.key}
          field={f}
          value={draft[f.key]}
          onChange={(v) => set(f.key, v)}
          saved={saved.has(f.key)}
          removing={removing.has(f.key)}
          onRemoveSaved={(on) => toggleRemove(f.key, on)}
          error={errorKey === f.key ? (error as ApiError).message : ''}
        />
      ))}
      {error != null && !shownAtField && <Notice kind="error" error={error} />}
      <div className="button-row">
        <button type="submit" disabled={pending}>
          {pending ? t('common:actions.saving') : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button-secondary" onClick={onCancel}>
            {t('common:actions.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
