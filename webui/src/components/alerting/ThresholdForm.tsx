import { useTranslation } from 'react-i18next';
import { useId, useState, type FormEvent } from 'react';
import { ApiError, fieldError } from '../../api/client';
import { variableLabel } from '../../lib/format';
import type { Threshold, ThresholdBody, ThresholdMetric, Ups, UpsScope } from '../../types';
import { Field } from '../Field';
import { Notice } from '../Notice';
import { Switch } from '../Switch';
import { UpsScopePicker } from './UpsScopePicker';

interface Props {
  threshold?: Threshold;
  /** `GET /api/thresholds/metrics`: the readings a threshold can watch. */
  metrics: ThresholdMetric[];
  upsList: Pick<Ups, 'id' | 'displayName'>[];
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (body: ThresholdBody) => void;
  onCancel?: () => void;
}

const FIELDS = ['name', 'metric', 'above', 'below', 'hold', 'hysteresis', 'ups'];

const numberOrNull = (s: string) => (s.trim() === '' ? null : Number(s));

/** A reading past a limit (above, below, or outside a range) for `hold` seconds is an event. */
export function ThresholdForm({ threshold, metrics, upsList, submitLabel, pending, error, onSubmit, onCancel }: Props) {
  const { t } = useTranslation('alerting');
  const metricId = useId();
  const [name, setName] = useState(threshold?.name ?? '');
  const [enabled, setEnabled] = useState(threshold?.enabled ?? true);
  const [metric, setMetric] = useState(threshold?.metric ?? metrics[0]?.metric ?? '');
  const [above, setAbove] = useState(threshold?.above != null ? String(threshold.above) : '');
  const [below, setBelow] = useState(threshold?.below != null ? String(threshold.below) : '');
  const [hold, setHold] = useState(String(threshold?.hold ?? 30));
  const [hysteresis, setHysteresis] = useState(String(threshold?.hysteresis ?? 0));
  const [ups, setUps] = useState<UpsScope>(threshold?.ups ?? 'all');
  const chosen = metrics.find((m) => m.metric === metric);
  const unit = chosen?.unit ? ` (${chosen.unit})` : '';
  const errorFor = (field: string) => fieldError(error, field);
  const shownAtField = error instanceof ApiError && !!error.field && FIELDS.includes(error.field);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({
      name: name.trim(),
      enabled,
      metric,
      above: numberOrNull(above),
      below: numberOrNull(below),
      hold: Number(hold) || 0,
      hysteresis: Number(hysteresis) || 0,
      ups,
    });
  };

  return (
    <form className="threshold-form" onSubmit={submit} aria-label={threshold ? t('thresholds.editOf', { name: threshold.name }) : t('thresholds.new')}>
      <div className="row">
        <div className="field">
          <label htmlFor={metricId}>{t('thresholds.reading')}</label>
          <select id={metricId} value={metric} onChange={(e) => setMetric(e.target.value)} required>
            {metrics.map((m) => (
              <option key={m.metric} value={m.metric}>
                {t(`thresholds.metric.${m.metric}`, { defaultValue: variableLabel(m.metric) })}
                {m.unit ? ` (${m.unit})` : ''}
              </option>
            ))}
          </select>
          {chosen && (
            <span className="muted small">
              {t('thresholds.reads', { variables: chosen.variables.join(' | '), kind: chosen.kind })}
            </span>
          )}
          {errorFor('metric') && <span className="field-error">{errorFor('metric')}</span>}
        </div>
        <Field label={t('thresholds.nameOptional')} name="threshold-name" maxLength={100} placeholder={metric ? t('thresholds.namePlaceholder', { metric }) : ''} value={name} onChange={(e) => setName(e.target.value)} error={errorFor('name')} />
      </div>
      <div className="row">
        <Field label={`${t('thresholds.above')}${unit}`} name="threshold-above" type="number" step="any" className="narrow" value={above} onChange={(e) => setAbove(e.target.value)} error={errorFor('above')} />
        <Field label={`${t('thresholds.below')}${unit}`} name="threshold-below" type="number" step="any" className="narrow" value={below} onChange={(e) => setBelow(e.target.value)} error={errorFor('below')} />
        <Field label={t('thresholds.forSeconds')} name="threshold-hold" type="number" min={0} max={86400} className="narrow" value={hold} onChange={(e) => setHold(e.target.value)} error={errorFor('hold')} />
        <Field label={`${t('thresholds.hysteresis')}${unit}`} name="threshold-hysteresis" type="number" step="any" min={0} className="narrow" value={hysteresis} onChange={(e) => setHysteresis(e.target.value)} error={errorFor('hysteresis')} />
      </div>
      <p className="muted small">{t('thresholds.formHint')}</p>
      <fieldset className="fieldset">
        <legend>{t('notifications:history.ups')}</legend>
        <UpsScopePicker value={ups} onChange={setUps} upsList={upsList} error={errorFor('ups')} />
      </fieldset>
      <Switch label={t('common:state.enabled')} name="threshold-enabled" checked={enabled} onChange={setEnabled} />
      {error != null && !shownAtField && <Notice kind="error" error={error} />}
      <div className="button-row">
        <button type="submit" disabled={pending || !metric}>
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
