import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Ups } from '../types';
import { formatPercent, formatRuntime, formatVolts } from '../lib/format';

interface Props {
  ups: Ups;
  className: string;
  /** Further `<div><dt/><dd/></div>` rows after runtime, load and input. */
  children?: ReactNode;
}

/** The readings every UPS view leads with: runtime, load and input voltage. */
export function KeyReadings({ ups, className, children }: Props) {
  const { t } = useTranslation('dashboard');
  return (
    <dl className={className}>
      <div>
        <dt>{t('readings.runtime')}</dt>
        <dd>{formatRuntime(ups.runtimeRemaining)}</dd>
      </div>
      <div>
        <dt>{t('readings.load')}</dt>
        <dd>{formatPercent(ups.load)}</dd>
      </div>
      <div>
        <dt>{t('readings.input')}</dt>
        <dd>{formatVolts(ups.inputVoltage)}</dd>
      </div>
      {children}
    </dl>
  );
}
