import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MUTE_CHOICES, muteChoiceLabel } from '../lib/mute';

interface Props {
  /** Says what is muted: "Mute", "Mute every UPS". */
  submitLabel: string;
  pending: boolean;
  onSubmit: (minutes: number, reason: string) => void;
}

/** How long and why: the two things a mute needs. */
export function MuteForm({ submitLabel, pending, onSubmit }: Props) {
  const { t } = useTranslation('alerts');
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
        {t('mute.for')}
      </label>
      <select id={`${id}-for`} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
        {MUTE_CHOICES.map((c) => (
          <option key={c.minutes} value={c.minutes}>
            {muteChoiceLabel(c)}
          </option>
        ))}
      </select>
      <input aria-label={t('mute.reason')} placeholder={t('mute.reasonPlaceholder')} maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} />
      <button type="submit" className="button-secondary" disabled={pending}>
        {pending ? t('mute.muting') : submitLabel}
      </button>
    </form>
  );
}
