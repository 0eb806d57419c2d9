import { useId, useState, type FormEvent } from 'react';
import { MUTE_CHOICES } from '../lib/mute';

interface Props {
  /** Says what is muted: "Mute", "Mute every UPS". */
  submitLabel: string;
  pending: boolean;
  onSubmit: (minutes: number, reason: string) => void;
}

/** How long and why: the two things a mute needs. */
export function MuteForm({ submitLabel, pending, onSubmit }: Props) {
  const id = useId();
  const [minutes, setMinutes] = useState(MUTE_CHOICES[1].minutes);
  const [reason, setReason] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(minutes, reason.trim());
  };
  return (
    <form className="inline-form mute-form" onSubmit={submit} aria-label={submitLabel}>
      <label htmlFor={`${id}-for`} className="small">
        For
      </label>
      <select id={`${id}-for`} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
        {MUTE_CHOICES.map((c) => (
          <option key={c.minutes} value={c.minutes}>
            {c.label}
          </option>
        ))}
      </select>
      <input aria-label="Reason" placeholder="Reason (e.g. battery swap)" maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} />
      <button type="submit" className="button-secondary" disabled={pending}>
        {pending ? 'Muting…' : submitLabel}
      </button>
    </form>
  );
}
