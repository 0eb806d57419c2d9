import { Trans, useTranslation } from 'react-i18next';
import { i18n } from '../../i18n';
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { deleteAlertRule, updateAlertRule } from '../../api/endpoints';
import { keys } from '../../api/keys';
import type { AlertRule, AlertRuleBody, EventKindInfo, NotificationChannel, Ups } from '../../types';
import { ConfirmDeleteButton } from '../ConfirmDeleteButton';
import { Notice } from '../Notice';
import { Switch } from '../Switch';
import { AlertRuleForm } from './AlertRuleForm';
import { upsScopeText } from './UpsScopePicker';

interface Props {
  rule: AlertRule;
  eventKinds: EventKindInfo[];
  channels: NotificationChannel[];
  upsList: Pick<Ups, 'id' | 'displayName'>[];
}

function repeatText(seconds: number | null): string {
  if (seconds == null) return i18n.t('alerting:rules.noReminders');
  const minutes = Math.round(seconds / 60);
  return minutes % 60 === 0 ? i18n.t('alerting:rules.remindsHours', { count: minutes / 60 }) : i18n.t('alerting:rules.remindsMinutes', { count: minutes });
}

/** One alert rule: what it sends where, on/off, edit, delete. */
export function AlertRuleRow({ rule, eventKinds, channels, upsList }: Props) {
  const { t } = useTranslation('alerting');
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const refresh = () => void client.invalidateQueries({ queryKey: keys.alertRules });
  const update = useMutation({
    mutationFn: (body: AlertRuleBody) => updateAlertRule(rule.id, body),
    onSuccess: () => {
      setEditing(false);
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: () => deleteAlertRule(rule.id), onSuccess: refresh });
  const events = rule.events.map((k) => eventKinds.find((e) => e.kind === k)?.title ?? k);
  const sendTo = rule.channels.map((id) => channels.find((c) => c.id === id)?.name ?? t('rules.channelN', { id }));
  const overrides = Object.keys(rule.templates ?? {}).length;

  return (
    <li className="panel rule-row" data-testid="rule-row" aria-label={t('drill:rule', { name: rule.name })}>
      <div className="rule-main">
        <h3>
          {rule.name} {!rule.enabled && <span className="status-chip">{t('common:state.off')}</span>}
        </h3>
        <p className="small">
          <Trans i18nKey="alerting:rules.summary" values={{ ups: upsScopeText(rule.ups, upsList), to: sendTo.join(', '), events: events.join(', ') }} components={{ b: <strong /> }} />
        </p>
        <p className="muted small">
          {repeatText(rule.repeat_every)}
          {rule.mute_critical ? ` · ${t('rules.mutesCriticalToo')}` : ''}
          {overrides ? ` · ${t('rules.customWording', { count: overrides })}` : ''}
        </p>
      </div>
      <div className="button-row">
        <Switch label={t('common:state.enabled')} name={`rule-enabled-${rule.id}`} checked={rule.enabled} disabled={update.isPending} onChange={(enabled) => update.mutate({ enabled })} />
        {!editing && (
          <button type="button" className="button-secondary" onClick={() => setEditing(true)} aria-label={t('rules.editOf', { name: rule.name })}>
            {t('common:actions.edit')}
          </button>
        )}
        <ConfirmDeleteButton what={t('rules.what', { name: rule.name })} onConfirm={() => remove.mutate()} pending={remove.isPending} />
      </div>
      {remove.isError && <Notice kind="error" error={remove.error} />}
      {update.isError && !editing && <Notice kind="error" error={update.error} />}
      {editing && (
        <AlertRuleForm
          rule={rule}
          eventKinds={eventKinds}
          channels={channels}
          upsList={upsList}
          submitLabel={t('rules.save')}
          pending={update.isPending}
          error={update.error}
          onSubmit={(body) => update.mutate(body)}
          onCancel={() => {
            setEditing(false);
            update.reset();
          }}
        />
      )}
    </li>
  );
}
