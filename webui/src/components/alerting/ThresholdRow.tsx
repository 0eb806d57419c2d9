import { useTranslation } from 'react-i18next';
import { currentLocale, i18n } from '../../i18n';
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
export function limitText(th: Pick<Threshold, 'above' | 'below'>, unit: string): string {
  const n = (v: number | null) => (v == null ? '' : new Intl.NumberFormat(currentLocale()).format(v));
  const u = unit ? ` ${unit}` : '';
  if (th.above != null && th.below != null) return i18n.t('alerting:thresholds.outside', { below: n(th.below), above: n(th.above), unit: u });
  if (th.above != null) return i18n.t('alerting:thresholds.aboveN', { value: n(th.above), unit: u });
  return i18n.t('alerting:thresholds.belowN', { value: n(th.below), unit: u });
}

/** One threshold: its limit in words, on/off, edit, delete. */
export function ThresholdRow({ threshold, metrics, upsList }: Props) {
  const { t } = useTranslation('alerting');
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
    <li className="panel rule-row" data-testid="threshold-row" aria-label={t('thresholds.rowLabel', { name: threshold.name })}>
      <div className="rule-main">
        <h3>
          {threshold.name} {!threshold.enabled && <span className="status-chip">{t('common:state.off')}</span>}
        </h3>
        <p className="small">
          {t('thresholds.summary', { metric: t(`thresholds.metric.${threshold.metric}`, { defaultValue: variableLabel(threshold.metric) }), limit: limitText(threshold, unit), hold: threshold.hold, ups: upsScopeText(threshold.ups, upsList) })}
        </p>
        <p className="muted small">
          {t('thresholds.fires', { kind: threshold.kind })}
          {threshold.hysteresis ? ` · ${t('thresholds.hysteresisN', { value: threshold.hysteresis, unit: unit ? ` ${unit}` : '' })}` : ''}
        </p>
      </div>
      <div className="button-row">
        <Switch label={t('common:state.enabled')} name={`threshold-enabled-${threshold.id}`} checked={threshold.enabled} disabled={update.isPending} onChange={(enabled) => update.mutate({ enabled })} />
        {!editing && (
          <button type="button" className="button-secondary" onClick={() => setEditing(true)} aria-label={t('thresholds.editOf', { name: threshold.name })}>
            {t('common:actions.edit')}
          </button>
        )}
        <ConfirmDeleteButton what={t('thresholds.what', { name: threshold.name })} onConfirm={() => remove.mutate()} pending={remove.isPending} />
      </div>
      {remove.isError && <Notice kind="error" error={remove.error} />}
      {update.isError && !editing && <Notice kind="error" error={update.error} />}
      {editing && (
        <ThresholdForm
          threshold={threshold}
          metrics={metrics}
          upsList={upsList}
          submitLabel={t('thresholds.save')}
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
