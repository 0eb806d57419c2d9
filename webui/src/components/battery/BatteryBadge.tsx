import type { Tone } from '../../lib/battery';

/** A state as a coloured badge; the word carries the meaning, not the colour. */
export function BatteryBadge({ tone, text, state }: { tone: Tone; text: string; state: string }) {
  return (
    <span className={`status-badge tone-${tone}`} data-state={state}>
      <span className="status-main">{text}</span>
    </span>
  );
}
