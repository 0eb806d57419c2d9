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
  if (seconds == null) return 'No reminders';
  const minutes = Math.round(seconds / 60);
  return minutes % 60 === 0 ? `Reminds every ${minutes / 60} h` : `Reminds every ${minutes} min`;
}

/** One alert rule: what it sends where, on/off, edit, delete. */
export function AlertRuleRow({ rule, eventKinds, channels, upsList }: Props) {
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
  const sendTo = rule.channels.map((id) => channels.find((c) => c.id === id)?.name ?? `channel #${id}`);
  const overrides = Object.keys(rule.templates ?? {}).length;

  return (
    <li className="panel rule-row" data-testid="rule-row" aria-label={`Rule ${rule.name}`}>
      <div className="rule-main">
        <h3>
          {rule.name} {!rule.enabled && <span className="status-chip">Off</span>}
        </h3>
        <p className="small">
          <strong>{events.join(', ')}</strong> on {upsScopeText(rule.ups, upsList)} → {sendTo.join(', ')}
        </p>
        <p className="muted small">
          {repeatText(rule.repeat_every)}
          {rule.mute_critical ? ' · mutes silence critical events too' : ''}
          {overrides ? ` · custom wording for ${overrides} event${overrides > 1 ? 's' : ''}` : ''}
        </p>
      </div>
      <div className="button-row">
        <Switch label="Enabled" name={`rule-enabled-${rule.id}`} checked={rule.enabled} disabled={update.isPending} onChange={(enabled) => update.mutate({ enabled })} />
        {!editing && (
          <button type="button" className="button-secondary" onClick={() => setEditing(true)} aria-label={`Edit rule ${rule.name}`}>
            Edit
          </button>
        )}
        <ConfirmDeleteButton what={`rule ${rule.name}`} onConfirm={() => remove.mutate()} pending={remove.isPending} />
      </div>
      {remove.isError && <Notice kind="error" error={remove.error} />}
      {update.isError && !editing && <Notice kind="error" error={update.error} />}
      {editing && (
        <AlertRuleForm
          rule={rule}
          eventKinds={eventKinds}
          channels={channels}
          upsList={upsList}
          submitLabel="Save rule"
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
