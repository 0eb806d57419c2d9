import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { deleteThreshold, updateThreshold } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { variableLabel } from '../../lib/format';
import type { Threshold, ThresholdBody, ThresholdMetric, Ups } from '../../types';
import { ConfirmDeleteButton } from '../ConfirmDeleteButton';
import { Notice } from '../Notice';
import { Switch } from '../Switch';
import { ThresholdForm } from './ThresholdForm';
import { upsScopeText } from './UpsScopePicker';

interface Props {
  threshold: Threshold;
  metrics: ThresholdMetric[];
  upsList: Pick<Ups, 'id' | 'displayName'>[];
}

/** "Load above 80 % for 30 s": the limit in words. */
export function limitText(t: Pick<Threshold, 'above' | 'below'>, unit: string): string {
  const u = unit ? ` ${unit}` : '';
  if (t.above != null && t.below != null) return `outside ${t.below} to ${t.above}${u}`;
  if (t.above != null) return `above ${t.above}${u}`;
  return `below ${t.below}${u}`;
}

/** One threshold: its limit in words, on/off, edit, delete. */
export function ThresholdRow({ threshold, metrics, upsList }: Props) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const refresh = () => void client.invalidateQueries({ queryKey: keys.thresholds });
  const update = useMutation({
    mutationFn: (body: ThresholdBody) => updateThreshold(threshold.id, body),
    onSuccess: () => {
      setEditing(false);
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: () => deleteThreshold(threshold.id), onSuccess: refresh });
  const unit = metrics.find((m) => m.metric === threshold.metric)?.unit ?? '';
  return (
    <li className="panel rule-row" data-testid="threshold-row" aria-label={`Threshold ${threshold.name}`}>
      <div className="rule-main">
        <h3>
          {threshold.name} {!threshold.enabled && <span className="status-chip">Off</span>}
        </h3>
        <p className="small">
          {variableLabel(threshold.metric)} {limitText(threshold, unit)} for {threshold.hold} s on {upsScopeText(threshold.ups, upsList)}
        </p>
        <p className="muted small">
          Fires “{threshold.kind}”{threshold.hysteresis ? ` · hysteresis ${threshold.hysteresis}${unit ? ` ${unit}` : ''}` : ''}
        </p>
      </div>
      <div className="button-row">
        <Switch label="Enabled" name={`threshold-enabled-${threshold.id}`} checked={threshold.enabled} disabled={update.isPending} onChange={(enabled) => update.mutate({ enabled })} />
        {!editing && (
          <button type="button" className="button-secondary" onClick={() => setEditing(true)} aria-label={`Edit threshold ${threshold.name}`}>
            Edit
          </button>
        )}
        <ConfirmDeleteButton what={`threshold ${threshold.name}`} onConfirm={() => remove.mutate()} pending={remove.isPending} />
      </div>
      {remove.isError && <Notice kind="error" error={remove.error} />}
      {update.isError && !editing && <Notice kind="error" error={update.error} />}
      {editing && (
        <ThresholdForm
          threshold={threshold}
          metrics={metrics}
          upsList={upsList}
          submitLabel="Save threshold"
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
