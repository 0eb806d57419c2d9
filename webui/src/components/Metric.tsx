import type { ReactNode } from 'react';

interface Props {
  label: string;
  value: ReactNode;
  hint?: string;
}

/** One labelled reading. Shown even when the value is 0; a missing value reads "–". */
export function Metric({ label, value, hint }: Props) {
  return (
    <div className="metric">
      <dt>{label}</dt>
      <dd title={hint}>{value}</dd>
    </div>
  );
}
