import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { fieldError } from '../../api/client';
import { lifeTone, lifeUsed, monthsText, todayLocal } from '../../lib/battery';
import { putBatteryLifecycle, recordBatteryReplacement } from '../../api/endpoints';
import { keys } from '../../api/keys';
import type { BatteryLifecycle, BatteryLifecycleBody } from '../../lib/batteryTypes';
import { formatDate, formatDateTime, formatPercent, MISSING } from '../../lib/format';
import { Field } from '../Field';
import { Notice } from '../Notice';

interface Props {
  upsId: number;
  data: BatteryLifecycle;
  canEdit: boolean;
}

const FIELDS = ['installedOn', 'expectedLifeMonths', 'note'] as const;

/** The battery in the UPS: type, install date and where it came from, age against its expected life. */
export function BatteryLifecyclePanel({ upsId, data, canEdit }: Props) {
  const { t } = useTranslation('battery');
  const [mode, setMode] = useState<'view' | 'edit' | 'replace'>('view');
  const cur = data.current;
  const used = cur ? lifeUsed(cur.ageMonths, cur.expectedLifeMonths) : null;
  const tone = lifeTone(used, cur?.due ?? false);
  return (
    <section className="panel battery-life" aria-labelledby={`battery-life-${upsId}`} data-testid="battery-lifecycle">
      <h2 id={`battery-life-${upsId}`}>{t('lifecycle.title')}</h2>
      <dl className="battery-facts">
        <div>
          <dt>{t('lifecycle.type')}</dt>
          <dd>{data.batteryType || t('lifecycle.notReported')}</dd>
        </div>
        <div>
          <dt>{t('lifecycle.installed')}</dt>
          <dd data-testid="battery-installed">
            {cur ? (
              <>
                {formatDate(cur.installedOn)} <span className="muted small">({cur.source === 'device' ? t('lifecycle.fromDevice') : t('lifecycle.fromAdmin')})</span>
              </>
            ) : (
              t('lifecycle.unknownDate')
            )}
          </dd>
        </div>
        {data.deviceDate && (!cur || cur.source !== 'device') && (
          <div>
            <dt>{t('lifecycle.deviceReports')}</dt>
            <dd>
              {formatDate(data.deviceDate.date)} <code className="small">{data.deviceDate.variable}</code>
            </dd>
          </div>
        )}
        <div>
          <dt>{t('lifecycle.expectedLife')}</dt>
          <dd>
            {monthsText(cur ? cur.expectedLifeMonths : data.defaultLifeMonths)}
            {(!cur || cur.expectedLifeIsDefault) && <span className="muted small"> ({t('lifecycle.typeDefault')})</span>}
          </dd>
        </div>
        {cur && (
          <div>
            <dt>{t('lifecycle.dueOn')}</dt>
            <dd>{formatDate(cur.dueOn)}</dd>
          </div>
        )}
        {cur?.note && (
          <div>
            <dt>{t('lifecycle.note')}</dt>
            <dd>{cur.note}</dd>
          </div>
        )}
      </dl>
      {cur && (
        <div className="battery-age">
          <div className="battery-age-label">
            <span>{t('lifecycle.age')}</span>
            <strong data-testid="battery-age">{t('lifecycle.ageOf', { age: monthsText(cur.ageMonths), life: monthsText(cur.expectedLifeMonths) })}</strong>
          </div>
          <div
            className={`battery-age-track tone-bar-${tone}`}
            role="progressbar"
            aria-label={t('lifecycle.lifeUsed')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={used === null ? undefined : Math.round(Math.min(used, 1) * 100)}
            aria-valuetext={used === null ? t('common:state.unknown') : formatPercent(used * 100)}
          >
            <div className="battery-age-fill" style={{ width: `${used === null ? 0 : Math.min(used, 1) * 100}%` }} />
          </div>
        </div>
      )}
      {cur?.due && (
        <Notice kind="warning">
          <span data-testid="battery-due">{t('lifecycle.dueWarning', { date: formatDate(cur.dueOn) })}</span>
        </Notice>
      )}
      {!cur && <p className="muted">{canEdit ? t('lifecycle.noBatteryAdmin') : t('lifecycle.noBattery')}</p>}
      {canEdit && mode === 'view' && (
        <div className="button-row">
          <button type="button" className="button-secondary" onClick={() => setMode('edit')}>
            {cur ? t('lifecycle.edit') : t('lifecycle.setDate')}
          </button>
          {cur && (
            <button type="button" className="button-secondary" onClick={() => setMode('replace')}>
              {t('lifecycle.replaced')}
            </button>
          )}
        </div>
      )}
      {canEdit && mode !== 'view' && <LifecycleForm upsId={upsId} data={data} mode={mode} onDone={() => setMode('view')} />}
      {data.history.length > 0 && (
        <details className="battery-history">
          <summary>{t('lifecycle.history', { count: data.history.length })}</summary>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('lifecycle.installed')}</th>
                  <th scope="col">{t('lifecycle.replacedAt')}</th>
                  <th scope="col">{t('lifecycle.expectedLife')}</th>
                  <th scope="col">{t('lifecycle.note')}</th>
                </tr>
              </thead>
              <tbody>
                {data.history.map((h) => (
                  <tr key={h.id}>
                    <td>
                      {formatDate(h.installedOn)} <span className="muted small">({h.source === 'device' ? t('lifecycle.fromDevice') : t('lifecycle.fromAdmin')})</span>
                    </td>
                    <td>{formatDateTime(h.replacedAt)}</td>
                    <td>{monthsText(h.expectedLifeMonths)}</td>
                    <td>{h.note || MISSING}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </section>
  );
}

interface FormProps {
  upsId: number;
  data: BatteryLifecycle;
  mode: 'edit' | 'replace';
  onDone: () => void;
}

/** Edit the current battery, or record that it was replaced (a new one goes in, the old one is kept). */
function LifecycleForm({ upsId, data, mode, onDone }: FormProps) {
  const { t } = useTranslation('battery');
  const client = useQueryClient();
  const cur = data.current;
  const replacing = mode === 'replace';
  const [installedOn, setInstalledOn] = useState(replacing || !cur ? todayLocal() : cur.installedOn);
  const [life, setLife] = useState(replacing || !cur || cur.expectedLifeIsDefault ? '' : String(cur.expectedLifeMonths));
  const [note, setNote] = useState(replacing || !cur ? '' : cur.note);
  const [confirming, setConfirming] = useState(false);
  const [lifeError, setLifeError] = useState('');
  const save = useMutation({
    mutationFn: (body: BatteryLifecycleBody) => (replacing ? recordBatteryReplacement(upsId, body) : putBatteryLifecycle(upsId, body)),
    onSuccess: (answer) => {
      client.setQueryData(keys.batteryLifecycle(upsId), answer);
      void client.invalidateQueries({ queryKey: keys.batteryLifecycle(upsId) });
      void client.invalidateQueries({ queryKey: keys.batteryFleet });
      onDone();
    },
  });
  const body = (): BatteryLifecycleBody | null => {
    const months = life.trim() === '' ? null : Number(life);
    if (months !== null && !(Number.isInteger(months) && months >= 6 && months <= 240)) {
      setLifeError(t('lifecycle.lifeRange'));
      return null;
    }
    setLifeError('');
    const out: BatteryLifecycleBody = { expectedLifeMonths: months, note: note.trim() };
    // Sending an unchanged date would still make a device-reported battery the admin's.
    if (replacing || !cur || installedOn !== cur.installedOn) out.installedOn = installedOn;
    return out;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const b = body();
    if (!b) return;
    if (replacing && !confirming) {
      setConfirming(true);
      return;
    }
    save.mutate(b);
  };
  const err = save.error;
  const shownAtField = FIELDS.some((f) => fieldError(err, f));
  return (
    <form className="battery-form" onSubmit={submit} noValidate aria-label={replacing ? t('lifecycle.replaceTitle') : t('lifecycle.editTitle')}>
      {replacing && <p className="muted small">{t('lifecycle.replaceIntro')}</p>}
      <div className="row">
        <Field
          label={replacing ? t('lifecycle.newInstalled') : t('lifecycle.installed')}
          type="date"
          required
          max={todayLocal()}
          value={installedOn}
          onChange={(e) => {
            setInstalledOn(e.target.value);
            setConfirming(false);
          }}
          error={fieldError(err, 'installedOn')}
        />
        <Field
          label={t('lifecycle.lifeMonths')}
          type="number"
          min={6}
          max={240}
          step={1}
          inputMode="numeric"
          placeholder={t('lifecycle.lifePlaceholder', { months: data.defaultLifeMonths })}
          hint={t('lifecycle.lifeHint')}
          value={life}
          onChange={(e) => setLife(e.target.value)}
          error={lifeError || fieldError(err, 'expectedLifeMonths')}
        />
      </div>
      <Field label={t('lifecycle.note')} maxLength={200} value={note} onChange={(e) => setNote(e.target.value)} error={fieldError(err, 'note')} />
      {confirming && <Notice kind="warning">{t('lifecycle.replaceConfirm', { date: formatDate(installedOn) })}</Notice>}
      {err != null && !shownAtField && <Notice kind="error" error={err} />}
      <div className="button-row">
        <button type="submit" disabled={save.isPending || !installedOn}>
          {save.isPending ? t('common:actions.saving') : replacing ? (confirming ? t('lifecycle.replaceYes') : t('lifecycle.replaceSubmit')) : t('common:actions.save')}
        </button>
        <button type="button" className="button-secondary" onClick={onDone}>
          {t('common:actions.cancel')}
        </button>
      </div>
    </form>
  );
}
