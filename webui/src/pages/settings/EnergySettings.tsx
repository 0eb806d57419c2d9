import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { digestKeys, getEnergySettings, saveEnergySettings } from '../../components/digests/api';
import { Field } from '../../components/Field';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';
import {
  ENERGY_ENV,
  MAX_PRICE,
  POWER_FACTOR_MAX,
  POWER_FACTOR_MIN,
  energyBody,
  energyDraft,
  errorField,
  validateEnergy,
  type EnergySettings as EnergyAnswer,
  type EnergyBody,
  type EnergyField,
} from '../../lib/energySettings';
import '../../styles/system.css';

/** Admin: the power factor that turns load × apparent power into watts, and the tariff that prices the kWh. */
export default function EnergySettings() {
  const { t } = useTranslation('energy');
  const client = useQueryClient();
  const query = useQuery({ queryKey: digestKeys.energy, queryFn: getEnergySettings });
  const save = useMutation({
    mutationFn: (body: EnergyBody) => saveEnergySettings(body),
    onSuccess: (data) => client.setQueryData(digestKeys.energy, data),
  });
  return (
    <section className="panel wide-panel system-settings" aria-labelledby="energy-title">
      <h2 id="energy-title">{t('title')}</h2>
      <p className="muted small">{t('intro')}</p>
      {query.isPending && <Loading label={t('loading')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {query.data && (
        <EnergyForm
          key={JSON.stringify(query.data)}
          current={query.data}
          pending={save.isPending}
          saved={save.isSuccess}
          error={save.error}
          onSave={(body) => save.mutate(body)}
        />
      )}
    </section>
  );
}

interface FormProps {
  current: EnergyAnswer;
  pending: boolean;
  saved: boolean;
  error: unknown;
  onSave: (body: EnergyBody) => void;
}

function EnergyForm({ current, pending, saved, error, onSave }: FormProps) {
  const { t } = useTranslation('energy');
  const [draft, setDraft] = useState(() => energyDraft(current));
  const [checked, setChecked] = useState(false);
  // A field its environment variable sets (the API lists them) shows the value in force and is never sent.
  const locked = new Set<EnergyField>(current.locked);
  const saved0 = energyDraft(current);
  const shown = {
    powerFactor: locked.has('powerFactor') ? saved0.powerFactor : draft.powerFactor,
    price: locked.has('pricePerKwh') ? saved0.price : draft.price,
    currency: locked.has('currency') ? saved0.currency : draft.currency,
  };
  const problems = checked ? validateEnergy(shown) : {};
  const body = energyBody(shown, current, locked);
  const changed = Object.keys(body).length > 0;
  const apiField = errorField(error);
  const errorAt = (f: EnergyField) => (problems[f] ? t(problems[f]) : apiField === f ? (error as Error).message : '');
  const lockHint = (f: EnergyField) => (locked.has(f) ? t('lockedHint', { name: ENERGY_ENV[f] }) : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    if (Object.keys(validateEnergy(shown)).length) return;
    onSave(body);
  };
  const set = (k: keyof typeof draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  return (
    <form className="threshold-form" onSubmit={submit} aria-label={t('formLabel')} noValidate>
      <div className="system-setting" data-setting="powerFactor">
        <Field
          label={t('powerFactor')}
          name="powerFactor"
          inputMode="decimal"
          value={shown.powerFactor}
          onChange={set('powerFactor')}
          disabled={locked.has('powerFactor')}
          hint={lockHint('powerFactor') ?? t('powerFactorHint', { min: POWER_FACTOR_MIN, max: POWER_FACTOR_MAX })}
          error={errorAt('powerFactor')}
        />
      </div>
      <div className="system-setting" data-setting="pricePerKwh">
        <Field
          label={t('price')}
          name="pricePerKwh"
          inputMode="decimal"
          value={shown.price}
          onChange={set('price')}
          disabled={locked.has('pricePerKwh')}
          hint={lockHint('pricePerKwh') ?? t('priceHint', { max: MAX_PRICE })}
          error={errorAt('pricePerKwh')}
        />
      </div>
      <div className="system-setting" data-setting="currency">
        <Field
          label={t('currency')}
          name="currency"
          maxLength={3}
          className="narrow"
          value={shown.currency}
          onChange={set('currency')}
          disabled={locked.has('currency')}
          hint={lockHint('currency') ?? t('currencyHint')}
          error={errorAt('currency')}
        />
      </div>
      {error != null && !apiField && <Notice kind="error" error={error} />}
      {saved && !pending && !changed && <Notice kind="success">{t('saved')}</Notice>}
      <div className="button-row">
        <button type="submit" disabled={pending || !changed}>
          {pending ? t('saving') : t('save')}
        </button>
      </div>
    </form>
  );
}
