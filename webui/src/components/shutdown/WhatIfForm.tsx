import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { whatIfState, type WhatIf } from '../../lib/shutdownText';
import type { DryRunUpsState } from '../../lib/shutdownTypes';
import { Field } from '../Field';

interface Props {
  upsIds: number[];
  pending: boolean;
  onRun: (state: Record<string, DryRunUpsState>) => void;
}

/** "What if every watched UPS were on battery with N minutes left?" */
export function WhatIfForm({ upsIds, pending, onRun }: Props) {
  const { t } = useTranslation('shutdown');
  const [w, setW] = useState<WhatIf>({ onBattery: true, lowBattery: false, runtime: '2', charge: '', seconds: '60' });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onRun(whatIfState(upsIds, w));
  };
  return (
    <form className="what-if" onSubmit={submit} aria-label={t('whatIf.title')}>
      <div className="row">
        <div className="field">
          <label htmlFor="whatif-power">{t('whatIf.power')}</label>
          <select id="whatif-power" value={w.onBattery ? (w.lowBattery ? 'lb' : 'ob') : 'ol'} onChange={(e) => setW({ ...w, onBattery: e.target.value !== 'ol', lowBattery: e.target.value === 'lb' })}>
            <option value="ol">{t('whatIf.online')}</option>
            <option value="ob">{t('whatIf.onBattery')}</option>
            <option value="lb">{t('whatIf.lowBattery')}</option>
          </select>
        </div>
        <Field label={t('whatIf.runtime')} type="number" min={0} step="any" className="narrow" value={w.runtime} onChange={(e) => setW({ ...w, runtime: e.target.value })} />
        <Field label={t('whatIf.charge')} type="number" min={0} max={100} className="narrow" value={w.charge} onChange={(e) => setW({ ...w, charge: e.target.value })} />
        <Field label={t('whatIf.seconds')} type="number" min={0} className="narrow" value={w.seconds} onChange={(e) => setW({ ...w, seconds: e.target.value })} />
      </div>
      <button type="submit" disabled={pending || upsIds.length === 0}>
        {pending ? t('whatIf.running') : t('whatIf.run')}
      </button>
    </form>
  );
}
