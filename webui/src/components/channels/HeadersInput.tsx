import type { HeaderRow } from '../../lib/channelConfig';

interface Props {
  label: string;
  rows: HeaderRow[];
  onChange: (rows: HeaderRow[]) => void;
  /** Describes the rows (help, "saved — leave blank to keep"). */
  describedBy?: string;
}

/** Extra HTTP headers as name/value rows. */
export function HeadersInput({ label, rows, onChange, describedBy }: Props) {
  const set = (i: number, patch: Partial<HeaderRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="headers-input" role="group" aria-label={label} aria-describedby={describedBy}>
      {rows.map((row, i) => (
        <div className="header-row" key={i}>
          <input aria-label={`${label} ${i + 1}: name`} placeholder="Header name" value={row.name} onChange={(e) => set(i, { name: e.target.value })} />
          <input aria-label={`${label} ${i + 1}: value`} placeholder="Value" value={row.value} onChange={(e) => set(i, { value: e.target.value })} />
          <button type="button" className="button-secondary" aria-label={`Remove ${label.toLowerCase()} ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="button-secondary" onClick={() => onChange([...rows, { name: '', value: '' }])}>
        Add header
      </button>
    </div>
  );
}
