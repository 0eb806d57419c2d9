import { useTranslation } from 'react-i18next';
import { formatDuration, formatPercent } from '../../lib/format';
import { actionTypeText, offsetText, timelineGroups, verdictText } from '../../lib/shutdownText';
import type { DryRun } from '../../lib/shutdownTypes';
import { Notice } from '../Notice';
import { ActionTestButton } from './ActionTestButton';

interface Props {
  planId: number;
  result: DryRun;
  /** Admin: a Test button per action. */
  canTest: boolean;
}

/** The verdict per UPS, then every action on a timeline with its start offset. */
export function DryRunView({ planId, result, canTest }: Props) {
  const { t } = useTranslation('shutdown');
  const groups = timelineGroups(result.steps);
  return (
    <div className="dry-run" data-testid="dry-run">
      <Notice kind={result.triggered ? 'warning' : 'info'}>
        {result.triggered
          ? t('dryRun.wouldTrigger', { reason: result.reason ?? '' })
          : result.due_in_seconds !== null && result.due_in_seconds > 0
            ? t('dryRun.dueIn', { due: formatDuration(result.due_in_seconds) })
            : t('dryRun.wouldNotTrigger')}
      </Notice>
      <ul className="plain-list verdicts" aria-label={t('dryRun.verdicts')}>
        {result.ups.map((u) => (
          <li key={u.ups_id} className={u.failing ? 'tone-text-critical' : undefined}>
            {verdictText(u)}
          </li>
        ))}
      </ul>
      <p className="muted small">{t('dryRun.healthy', { count: result.healthy })}</p>
      {result.warnings.map((w) => (
        <Notice key={w} kind="warning">
          {w}
        </Notice>
      ))}
      <h3>{t('dryRun.timeline')}</h3>
      {groups.length === 0 && <p className="muted">{t('dryRun.noSteps')}</p>}
      <ol className="timeline" aria-label={t('dryRun.timeline')}>
        {groups.map((g) => (
          <li key={`${g.section}-${g.phase}`} className="timeline-group" data-testid="timeline-group">
            <h4>
              <span className="timeline-offset">{offsetText(g.startsAt)}</span> {g.title}
            </h4>
            {g.section === 'restore' && result.restore && (
              <p className="muted small">
                {result.restore.min_charge_percent !== null
                  ? t('dryRun.restoreWhenCharge', { after: formatDuration(result.restore.after_seconds), charge: formatPercent(result.restore.min_charge_percent) })
                  : t('dryRun.restoreWhen', { after: formatDuration(result.restore.after_seconds) })}
              </p>
            )}
            <ol className="plain-list">
              {g.steps.map((s) => (
                <li key={s.action_id} className="timeline-step" data-testid="timeline-step">
                  <span className="timeline-offset">{offsetText(s.starts_at_seconds)}</span>{' '}
                  <strong>{actionTypeText(s.type)}</strong> {s.description}
                  {s.timeout_seconds !== null && <span className="muted small"> · {t('dryRun.timeout', { timeout: formatDuration(s.timeout_seconds) })}</span>}
                  {s.destructive && ' '}
                  {s.destructive && <span className="status-chip">{t('dryRun.destructive')}</span>}
                  {canTest && <ActionTestButton planId={planId} actionId={s.action_id} what={s.description || actionTypeText(s.type)} />}
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ol>
    </div>
  );
}
