import type { ReactNode } from 'react';
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
  return (
    <dl className={className}>
      <div>
        <dt>Runtime</dt>
        <dd>{formatRuntime(ups.runtimeRemaining)}</dd>
      </div>
      <div>
        <dt>Load</dt>
        <dd>{formatPercent(ups.load)}</dd>
      </div>
      <div>
        <dt>Input</dt>
        <dd>{formatVolts(ups.inputVoltage)}</dd>
      </div>
      {children}
    </dl>
  );
}
