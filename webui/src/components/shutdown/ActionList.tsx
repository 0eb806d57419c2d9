import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { move, newAction, type ActionDraft } from '../../lib/shutdownForm';
import { actionTypeText } from '../../lib/shutdownText';
import { ACTION_TYPES, type ActionType } from '../../lib/shutdownTypes';
import { FieldErrorText } from '../Field';
import { ActionFields } from './ActionFields';

interface Props {
  actions: ActionDraft[];
  onChange: (actions: ActionDraft[]) => void;
  upsList: { id: number; displayName: string }[];
  /** Path of this list in API errors: `phases[0].actions` or `restore.actions`. */
  path: string;
  errorFor: (path: string) => string;
}

/** A phase's (or the restore sequence's) actions: add by type, reorder, remove. */
export function ActionList({ actions, onChange, upsList, path, errorFor }: Props) {
  const { t } = useTranslation('shutdown');
  const id = useId();
  const [type, setType] = useState<ActionType>('http');
  const update = (i: number, a: ActionDraft) => onChange(actions.map((x, j) => (j === i ? a : x)));
  return (
    <div className="action-list">
      {actions.length === 0 && <p className="muted small">{t('editor.noActions')}</p>}
      <ol className="plain-list">
        {actions.map((a, i) => {
          const title = t('editor.actionTitle', { n: i + 1, type: actionTypeText(a.type) });
          return (
            <li key={a.key} className="action-item" data-testid="action-item">
              <fieldset className="fieldset">
                <legend>{title}</legend>
                <ActionFields action={a} onChange={(x) => update(i, x)} upsList={upsList} errorFor={(f) => errorFor(`${path}[${i}].${f}`)} />
                <FieldErrorText message={errorFor(`${path}[${i}]`)} />
                <div className="button-row">
                  <button type="button" className="button-secondary" disabled={i === 0} onClick={() => onChange(move(actions, i, -1))} aria-label={t('editor.moveUpWhat', { what: title })}>
                    {t('editor.moveUp')}
                  </button>
                  <button type="button" className="button-secondary" disabled={i === actions.length - 1} onClick={() => onChange(move(actions, i, 1))} aria-label={t('editor.moveDownWhat', { what: title })}>
                    {t('editor.moveDown')}
                  </button>
                  <button type="button" className="button-danger-outline" onClick={() => onChange(actions.filter((_, j) => j !== i))} aria-label={t('editor.removeWhat', { what: title })}>
                    {t('editor.remove')}
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className="button-row">
        <label htmlFor={`${id}-type`}>{t('editor.actionType')}</label>
        <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value as ActionType)}>
          {ACTION_TYPES.map((x) => (
            <option key={x} value={x}>
              {actionTypeText(x)}
            </option>
          ))}
        </select>
        <button type="button" className="button-secondary" onClick={() => onChange([...actions, newAction(type)])}>
          {t('editor.addAction')}
        </button>
      </div>
      <FieldErrorText message={errorFor(path)} />
    </div>
  );
}
