import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, fieldError } from '../../api/client';
import { draftToBody, emptyDraft, errorShownAtField, move, newKey, newPhase, type PlanDraft } from '../../lib/shutdownForm';
import type { PlanBody } from '../../lib/shutdownTypes';
import { CheckboxGroup } from '../alerting/CheckboxGroup';
import { Field, FieldErrorText } from '../Field';
import { Notice } from '../Notice';
import { Switch } from '../Switch';
import { ActionList } from './ActionList';
import { PhaseEditor } from './PhaseEditor';

interface Props {
  initial?: PlanDraft;
  upsList: { id: number; displayName: string }[];
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (body: PlanBody) => void;
  onCancel: () => void;
}

/** The whole plan: which UPS, when it triggers, the phases of actions, the restore sequence. */
export function PlanForm({ initial, upsList, submitLabel, pending, error, onSubmit, onCancel }: Props) {
  const { t } = useTranslation('shutdown');
  const [d, setD] = useState<PlanDraft>(() => initial ?? emptyDraft());
  const patch = (p: Partial<PlanDraft>) => setD((x) => ({ ...x, ...p }));
  const errorFor = (path: string) => fieldError(error, path);
  const field = error instanceof ApiError ? error.field : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(draftToBody(d));
  };
  const num = (label: string, key: keyof PlanDraft, path: string, hint?: string) => (
    <Field
      label={label}
      type="number"
      min={0}
      className="narrow"
      value={d[key] as string}
      hint={hint}
      onChange={(e) => patch({ [key]: e.target.value } as Partial<PlanDraft>)}
      error={errorFor(path)}
    />
  );

  return (
    <form className="plan-form" onSubmit={submit} aria-label={initial ? t('editor.editTitle', { name: initial.name }) : t('editor.newTitle')}>
      <section className="panel">
        <Field label={t('editor.name')} required maxLength={100} value={d.name} onChange={(e) => patch({ name: e.target.value })} error={errorFor('name')} />
        <Switch label={t('editor.enabled')} description={t('editor.enabledHint')} checked={d.enabled} onChange={(enabled) => patch({ enabled })} />
        <CheckboxGroup
          legend={t('editor.ups')}
          options={upsList.map((u) => ({ value: u.id, label: u.displayName }))}
          selected={d.ups}
          onChange={(ups) => patch({ ups })}
          error={errorFor('ups')}
          empty={t('editor.noUps')}
        />
        <Field
          label={t('editor.minHealthy')}
          type="number"
          min={1}
          max={Math.max(1, d.ups.length)}
          className="narrow"
          value={d.minHealthy}
          hint={t('editor.minHealthyHint', { n: d.minHealthy || d.ups.length || 1, count: d.ups.length })}
          onChange={(e) => patch({ minHealthy: e.target.value })}
          error={errorFor('min_healthy')}
        />
      </section>

      <fieldset className="fieldset panel">
        <legend>{t('editor.triggers')}</legend>
        <p className="muted small">{t('editor.triggersHint')}</p>
        <div className="row">
          {num(t('editor.onBattery'), 'onBattery', 'triggers.on_battery_seconds', t('editor.optional'))}
          {num(t('editor.runtimeBelow'), 'runtimeBelow', 'triggers.runtime_below_minutes', t('editor.optional'))}
          {num(t('editor.chargeBelow'), 'chargeBelow', 'triggers.charge_below_percent', t('editor.optional'))}
          {num(t('editor.commLost'), 'commLost', 'triggers.comm_lost_on_battery_seconds', t('editor.optional'))}
        </div>
        <Switch label={t('editor.lowBattery')} checked={d.lowBattery} onChange={(lowBattery) => patch({ lowBattery })} />
        <Switch label={t('editor.fsd')} checked={d.fsd} onChange={(fsd) => patch({ fsd })} />
        <FieldErrorText message={errorFor('triggers')} />
        {num(t('editor.stabilise'), 'stabilise', 'stabilise_seconds', t('editor.stabiliseHint'))}
        <Switch label={t('editor.cancelOnRestore')} description={t('editor.cancelOnRestoreHint')} checked={d.cancelOnRestore} onChange={(cancelOnRestore) => patch({ cancelOnRestore })} />
      </fieldset>

      <section className="panel" aria-labelledby="phases-title">
        <h2 id="phases-title">{t('editor.phases')}</h2>
        <FieldErrorText message={errorFor('phases')} />
        {d.phases.map((ph, i) => (
          <PhaseEditor
            key={ph.key}
            phase={ph}
            index={i}
            count={d.phases.length}
            upsList={upsList}
            errorFor={errorFor}
            onChange={(p) => patch({ phases: d.phases.map((x, j) => (j === i ? p : x)) })}
            onMove={(by) => patch({ phases: move(d.phases, i, by) })}
            onRemove={() => patch({ phases: d.phases.filter((_, j) => j !== i) })}
          />
        ))}
        <button type="button" className="button-secondary" onClick={() => patch({ phases: [...d.phases, newPhase()] })}>
          {t('editor.addPhase')}
        </button>
      </section>

      <section className="panel" aria-labelledby="restore-title">
        <h2 id="restore-title">{t('editor.restore')}</h2>
        <Switch label={t('editor.restoreOn')} description={t('editor.restoreHint')} checked={d.restoreOn} onChange={(restoreOn) => patch({ restoreOn })} />
        {d.restoreOn && (
          <>
            <div className="row">
              {num(t('editor.restoreAfter'), 'restoreAfter', 'restore.after_seconds')}
              {num(t('editor.restoreMinCharge'), 'restoreMinCharge', 'restore.min_charge_percent', t('editor.optional'))}
            </div>
            <ActionList actions={d.restoreActions} onChange={(restoreActions) => patch({ restoreActions })} upsList={upsList} path="restore.actions" errorFor={errorFor} />
          </>
        )}
      </section>

      <section className="panel" aria-labelledby="hosts-title">
        <h2 id="hosts-title">{t('editor.protectedHosts')}</h2>
        <p className="muted small">{t('editor.protectedHostsHint')}</p>
        <ul className="plain-list">
          {d.protectedHosts.map((h, i) => {
            const setHost = (p: Partial<typeof h>) => patch({ protectedHosts: d.protectedHosts.map((x, j) => (j === i ? { ...x, ...p } : x)) });
            return (
              <li key={h.key} className="row">
                <div className="field">
                  <label htmlFor={`ph-${h.key}`}>{t('editor.hostUps')}</label>
                  <select id={`ph-${h.key}`} value={h.ups} onChange={(e) => setHost({ ups: e.target.value })}>
                    <option value="">{t('field.chooseUps')}</option>
                    {upsList.map((u) => (
                      <option key={u.id} value={String(u.id)}>
                        {u.displayName}
                      </option>
                    ))}
                  </select>
                  <FieldErrorText message={errorFor(`protected_hosts[${i}].ups_id`)} />
                </div>
                <Field label={t('editor.host')} value={h.host} onChange={(e) => setHost({ host: e.target.value })} error={errorFor(`protected_hosts[${i}].host`)} />
                <div className="button-row">
                  <button type="button" className="button-danger-outline" onClick={() => patch({ protectedHosts: d.protectedHosts.filter((_, j) => j !== i) })} aria-label={t('editor.removeWhat', { what: h.host || t('editor.host') })}>
                    {t('editor.remove')}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
        <FieldErrorText message={errorFor('protected_hosts')} />
        <button type="button" className="button-secondary" onClick={() => patch({ protectedHosts: [...d.protectedHosts, { key: newKey(), ups: d.ups[0] ? String(d.ups[0]) : '', host: '' }] })}>
          {t('editor.addHost')}
        </button>
      </section>

      {error != null && !errorShownAtField(field) && <Notice kind="error" error={error} />}
      {error != null && errorShownAtField(field) && <Notice kind="error">{t('editor.fixField')}</Notice>}
      <div className="button-row">
        <button type="submit" disabled={pending}>
          {pending ? t('common:actions.saving') : submitLabel}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          {t('common:actions.cancel')}
        </button>
      </div>
    </form>
  );
}
