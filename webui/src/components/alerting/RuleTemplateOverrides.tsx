import { useTranslation } from 'react-i18next';
import type { TemplateOverrides, TemplateParts } from '../../lib/ruleTemplates';
import type { EventKindInfo } from '../../types';
import { FieldErrorText } from '../Field';

interface Props {
  /** The rule's chosen event kinds (an override per kind). */
  events: EventKindInfo[];
  value: TemplateOverrides;
  onChange: (value: TemplateOverrides) => void;
  /** The API's message for a field such as `templates.on_battery.title`. */
  errorFor: (field: string) => string;
}

/** Optional wording of this rule's messages, per event kind, over the global templates. */
export function RuleTemplateOverrides({ events, value, onChange, errorFor }: Props) {
  const { t } = useTranslation('alerting');
  if (!events.length) return null;
  const set = (kind: string, patch: Partial<TemplateParts>) => onChange({ ...value, [kind]: { ...(value[kind] ?? { title: '', body: '' }), ...patch } });
  return (
    <fieldset className="fieldset">
      <legend>{t('overrides.legend')}</legend>
      <p className="muted small">{t('overrides.hint', { example: '{{ ups }}', interpolation: { skipOnVariables: true } })}</p>
      {events.map((ev) => {
        const parts = value[ev.kind] ?? { title: '', body: '' };
        const custom = !!(parts.title.trim() || parts.body.trim());
        const err = errorFor(`templates.${ev.kind}`) || errorFor(`templates.${ev.kind}.title`) || errorFor(`templates.${ev.kind}.body`);
        return (
          <details key={ev.kind} className="template-override" open={custom || !!err} data-kind={ev.kind}>
            <summary>
              {ev.title}
              {custom ? ` ${t('overrides.custom')}` : ''}
            </summary>
            <div className="field">
              <label htmlFor={`override-${ev.kind}-title`}>{t('overrides.titleFor', { kind: ev.title })}</label>
              <input id={`override-${ev.kind}-title`} value={parts.title} onChange={(e) => set(ev.kind, { title: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`override-${ev.kind}-body`}>{t('overrides.bodyFor', { kind: ev.title })}</label>
              <textarea id={`override-${ev.kind}-body`} rows={3} value={parts.body} onChange={(e) => set(ev.kind, { body: e.target.value })} />
            </div>
            <FieldErrorText message={err} />
          </details>
        );
      })}
    </fieldset>
  );
}
