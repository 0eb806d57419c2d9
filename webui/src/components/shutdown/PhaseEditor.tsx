import { useTranslation } from 'react-i18next';
import type { PhaseDraft } from '../../lib/shutdownForm';
import { Field } from '../Field';
import { ActionList } from './ActionList';

interface Props {
  phase: PhaseDraft;
  index: number;
  count: number;
  onChange: (phase: PhaseDraft) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
  upsList: { id: number; displayName: string }[];
  errorFor: (path: string) => string;
}

/** One phase: its name, delay after the previous one, timeout, and its actions. */
export function PhaseEditor({ phase, index, count, onChange, onMove, onRemove, upsList, errorFor }: Props) {
  const { t } = useTranslation('shutdown');
  const path = `phases[${index}]`;
  const title = t('timeline.phase', { n: index + 1 });
  return (
    <fieldset className="fieldset phase" data-testid="phase">
      <legend>{phase.name ? t('timeline.phaseNamed', { n: index + 1, name: phase.name }) : title}</legend>
      <div className="row">
        <Field label={t('editor.phaseName')} value={phase.name} required maxLength={100} onChange={(e) => onChange({ ...phase, name: e.target.value })} error={errorFor(`${path}.name`)} />
        <Field
          label={t('editor.delay')}
          type="number"
          min={0}
          className="narrow"
          value={phase.delay}
          hint={t('editor.delayHint')}
          onChange={(e) => onChange({ ...phase, delay: e.target.value })}
          error={errorFor(`${path}.delay_seconds`)}
        />
        <Field
          label={t('editor.phaseTimeout')}
          type="number"
          min={1}
          className="narrow"
          value={phase.timeout}
          hint={t('editor.optional')}
          onChange={(e) => onChange({ ...phase, timeout: e.target.value })}
          error={errorFor(`${path}.timeout_seconds`)}
        />
      </div>
      <ActionList actions={phase.actions} onChange={(actions) => onChange({ ...phase, actions })} upsList={upsList} path={`${path}.actions`} errorFor={errorFor} />
      <div className="button-row">
        <button type="button" className="button-secondary" disabled={index === 0} onClick={() => onMove(-1)} aria-label={t('editor.moveUpWhat', { what: title })}>
          {t('editor.moveUp')}
        </button>
        <button type="button" className="button-secondary" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={t('editor.moveDownWhat', { what: title })}>
          {t('editor.moveDown')}
        </button>
        <button type="button" className="button-danger-outline" disabled={count === 1} onClick={onRemove} aria-label={t('editor.removeWhat', { what: title })}>
          {t('editor.removePhase')}
        </button>
      </div>
    </fieldset>
  );
}
