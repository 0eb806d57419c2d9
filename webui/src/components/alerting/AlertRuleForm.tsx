import { useTranslation } from 'react-i18next';
import { useState, type FormEvent } from 'react';
import { ApiError, fieldError } from '../../api/client';
import { overridesToSend, readOverrides, type TemplateOverrides } from '../../lib/ruleTemplates';
import type { AlertRule, AlertRuleBody, EventKindInfo, NotificationChannel, Ups, UpsScope } from '../../types';
import { Field } from '../Field';
import { Notice } from '../Notice';
import { Switch } from '../Switch';
import { CheckboxGroup } from './CheckboxGroup';
import { RuleTemplateOverrides } from './RuleTemplateOverrides';
import { UpsScopePicker } from './UpsScopePicker';

interface Props {
  /** Editing this rule; else a new one. */
  rule?: AlertRule;
  /** `GET /api/alert-rules/event-kinds`: the events a rule can send. */
  eventKinds: EventKindInfo[];
  /** The shared channels (rules send only through shared ones). */
  channels: NotificationChannel[];
  upsList: Pick<Ups, 'id' | 'displayName'>[];
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (body: AlertRuleBody) => void;
  onCancel?: () => void;
}

/** Fields the form shows an API error next to (anything else goes below it). */
const FIELDS = ['name', 'ups', 'events', 'channels', 'repeat_every'];

/** Which events, for which UPS, go to which shared channels, how often. */
export function AlertRuleForm({ rule, eventKinds, channels, upsList, submitLabel, pending, error, onSubmit, onCancel }: Props) {
  const { t } = useTranslation('alerting');
  const [name, setName] = useState(rule?.name ?? '');
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [ups, setUps] = useState<UpsScope>(rule?.ups ?? 'all');
  const [events, setEvents] = useState<string[]>(rule?.events ?? []);
  const [channelIds, setChannelIds] = useState<number[]>(rule?.channels ?? []);
  const [repeat, setRepeat] = useState(rule?.repeat_every != null);
  const [repeatMinutes, setRepeatMinutes] = useState(rule?.repeat_every != null ? String(Math.round(rule.repeat_every / 60)) : '30');
  const [muteCritical, setMuteCritical] = useState(rule?.mute_critical ?? false);
  const [overrides, setOverrides] = useState<TemplateOverrides>(() => readOverrides(rule?.templates));

  const errorFor = (field: string) => fieldError(error, field);
  const field = error instanceof ApiError ? error.field : null;
  const shownAtField = !!field && (FIELDS.includes(field) || field.startsWith('templates.'));
  const neverMuted = eventKinds.filter((k) => k.neverMuted).map((k) => k.title);
  const chosenKinds = eventKinds.filter((k) => events.includes(k.kind));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({
      name: name.trim(),
      enabled,
      ups,
      events,
      channels: channelIds,
      repeat_every: repeat ? Math.round(Number(repeatMinutes) * 60) : null,
      templates: overridesToSend(overrides, events),
      mute_critical: muteCritical,
    });
  };

  return (
    <form className="rule-form" onSubmit={submit} aria-label={rule ? t('rules.editOf', { name: rule.name }) : t('rules.new')}>
      <Field label={t('rules.name')} name="rule-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} error={errorFor('name')} />
      <Switch label={t('common:state.enabled')} name="rule-enabled" checked={enabled} onChange={setEnabled} />
      <fieldset className="fieldset">
        <legend>{t('notifications:history.ups')}</legend>
        <UpsScopePicker value={ups} onChange={setUps} upsList={upsList} error={errorFor('ups')} />
      </fieldset>
      <CheckboxGroup
        legend={t('rules.events')}
        options={eventKinds.map((k) => {
          const severity = t(`status:severity.${k.severity}`, { defaultValue: k.severity }).toLowerCase();
          return { value: k.kind, label: k.title, hint: k.neverMuted ? t('rules.sentWhileMuted', { severity }) : severity };
        })}
        selected={events}
        onChange={setEvents}
        error={errorFor('events')}
      />
      <CheckboxGroup
        legend={t('rules.sendTo')}
        options={channels.map((c) => ({ value: c.id, label: c.name, hint: c.enabled ? c.summary : t('rules.channelOff', { summary: c.summary }) }))}
        selected={channelIds}
        onChange={setChannelIds}
        error={errorFor('channels')}
        empty={t('rules.noChannels')}
      />
      <fieldset className="fieldset">
        <legend>{t('rules.reminders')}</legend>
        <Switch label={t('rules.repeat')} name="rule-repeat" description={t('rules.repeatHint')} checked={repeat} onChange={setRepeat} />
        {repeat && (
          <Field
            label={t('rules.repeatEvery')}
            name="repeat-minutes"
            type="number"
            min={1}
            max={7 * 24 * 60}
            required
            className="narrow"
            value={repeatMinutes}
            onChange={(e) => setRepeatMinutes(e.target.value)}
            error={errorFor('repeat_every')}
          />
        )}
      </fieldset>
      <Switch
        label={t('rules.muteCritical')}
        name="mute-critical"
        description={neverMuted.length ? t('rules.muteCriticalHint', { kinds: neverMuted.join(', ') }) : undefined}
        checked={muteCritical}
        onChange={setMuteCritical}
      />
      <RuleTemplateOverrides events={chosenKinds} value={overrides} onChange={setOverrides} errorFor={errorFor} />
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
