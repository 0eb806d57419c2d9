import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { fieldError } from '../../api/client';
import { previewMessageTemplate, resetMessageTemplate, saveMessageTemplate } from '../../api/endpoints';
import { keys } from '../../api/keys';
import type { ChannelKindInfo, MessageTemplateItem } from '../../types';
import { Field, FieldErrorText } from '../Field';
import { Notice } from '../Notice';
import { TemplatePreviewView } from './TemplatePreviewView';

interface Props {
  item: MessageTemplateItem;
  /** The event kind in words (`GET /api/alert-rules/event-kinds`). */
  eventTitle: string;
  channelKinds: ChannelKindInfo[];
}

/** The wording of one event kind: title and body (blank: built in), preview per service. */
export function MessageTemplateEditor({ item, eventTitle, channelKinds }: Props) {
  const { t } = useTranslation('alerting');
  const client = useQueryClient();
  const [title, setTitle] = useState(item.title);
  const [body, setBody] = useState(item.body);
  const [channelKind, setChannelKind] = useState(channelKinds[0]?.kind ?? '');
  const refresh = () => void client.invalidateQueries({ queryKey: keys.messageTemplates });
  const save = useMutation({ mutationFn: () => saveMessageTemplate(item.kind, { title, body }), onSuccess: refresh });
  const reset = useMutation({
    mutationFn: () => resetMessageTemplate(item.kind),
    onSuccess: () => {
      setTitle('');
      setBody('');
      refresh();
    },
  });
  const preview = useMutation({ mutationFn: () => previewMessageTemplate({ kind: item.kind, channel_kind: channelKind, title, body }) });
  const dirty = title !== item.title || body !== item.body;
  const custom = !!(item.title || item.body);
  const saveError = save.error ?? preview.error;
  const ids = `template-${item.kind}`;

  return (
    <li className="panel template-editor" data-testid="template-editor" data-kind={item.kind}>
      <h3>
        {eventTitle} <span className="status-chip">{custom ? t('templates.custom') : t('templates.builtIn')}</span>
      </h3>
      <Field label={t('templates.titleOf', { kind: eventTitle })} name={`${ids}-title`} placeholder={item.defaultTitle} value={title} onChange={(e) => setTitle(e.target.value)} error={fieldError(saveError, 'template.title')} />
      <div className="field">
        <label htmlFor={`${ids}-body`}>{t('templates.bodyOf', { kind: eventTitle })}</label>
        <textarea id={`${ids}-body`} rows={4} placeholder={item.defaultBody} value={body} onChange={(e) => setBody(e.target.value)} />
        <span className="muted small">{t('templates.hint')}</span>
        <FieldErrorText message={fieldError(saveError, 'template.body')} />
      </div>
      <div className="button-row">
        <button type="button" onClick={() => save.mutate()} disabled={!dirty || save.isPending}>
          {save.isPending ? t('common:actions.saving') : t('common:actions.save')}
        </button>
        {custom && (
          <button type="button" className="button-secondary" onClick={() => reset.mutate()} disabled={reset.isPending}>
            {t('templates.reset')}
          </button>
        )}
        <label className="small">
          {t('templates.previewFor')}{' '}
          <select aria-label={t('templates.previewOfFor', { kind: eventTitle })} value={channelKind} onChange={(e) => setChannelKind(e.target.value)}>
            {channelKinds.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button-secondary" onClick={() => preview.mutate()} disabled={!channelKind || preview.isPending}>
          {preview.isPending ? t('templates.rendering') : t('templates.preview')}
        </button>
        {dirty && <span className="muted small">{t('notifications:prefs.unsaved')}</span>}
      </div>
      {save.isSuccess && !dirty && <Notice kind="success">{t('settings:saved')}</Notice>}
      {reset.isSuccess && !custom && <Notice kind="success">{t('templates.backToBuiltIn')}</Notice>}
      {[save, reset, preview].map((m, i) =>
        m.isError && !fieldError(m.error, 'template.title') && !fieldError(m.error, 'template.body') ? <Notice key={i} kind="error" error={m.error} /> : null,
      )}
      {preview.data && <TemplatePreviewView preview={preview.data} channelLabel={channelKinds.find((k) => k.kind === channelKind)?.label ?? channelKind} />}
    </li>
  );
}
