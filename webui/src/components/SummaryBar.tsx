import { summarize, type UpsLike } from '../lib/status';

interface Props {
  list: readonly UpsLike[];
}

/** How many UPS are online, on battery, in alarm, unreachable — with words and symbols. */
export function SummaryBar({ list }: Props) {
  const c = summarize(list);
  const items = [
    { key: 'online', label: 'Online', icon: '✓', tone: 'ok', n: c.online },
    { key: 'onBattery', label: 'On battery', icon: '⚠', tone: 'warning', n: c.onBattery },
    { key: 'alarm', label: 'Alarm', icon: '✖', tone: 'critical', n: c.alarm },
    { key: 'unreachable', label: 'Unreachable', icon: '⨯', tone: 'unknown', n: c.unreachable },
  ];
  return (
    <ul className="summary" aria-label="Summary">
      {items.map((i) => (
        <li key={i.key} className={`summary-item tone-${i.n > 0 ? i.tone : 'none'}`} data-testid={`summary-${i.key}`}>
          <span className="summary-n">{i.n}</span>
          <span className="summary-label">
            <span aria-hidden="true">{i.icon} </span>
            {i.label}
          </span>
        </li>
      ))}
    </ul>
  );
}
