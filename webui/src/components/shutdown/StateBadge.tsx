import { runStateText, stateTone, stepStateText } from '../../lib/shutdownText';

interface Props {
  state: string;
  kind?: 'run' | 'step';
}

/** A run's or step's state as a coloured badge (the word carries the meaning, not the colour). */
export function StateBadge({ state, kind = 'run' }: Props) {
  return (
    <span className={`status-badge tone-${stateTone(state)}`} data-state={state}>
      <span className="status-main">{kind === 'run' ? runStateText(state) : stepStateText(state)}</span>
    </span>
  );
}
