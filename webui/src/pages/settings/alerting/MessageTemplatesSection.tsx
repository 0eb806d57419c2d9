import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { listEventKinds, listMessageTemplates } from '../../../api/endpoints';
import { keys } from '../../../api/keys';
import { useChannelKinds } from '../../../hooks/useChannelKinds';
import { MessageTemplateEditor } from '../../../components/alerting/MessageTemplateEditor';
import { Loading } from '../../../components/Loading';
import { Notice } from '../../../components/Notice';

/** Admin: the global wording of every event kind (rules may override it). */
export default function MessageTemplatesSection() {
  const { t } = useTranslation('alerting');
  const templates = useQuery({ queryKey: keys.messageTemplates, queryFn: listMessageTemplates });
  const eventKinds = useQuery({ queryKey: keys.eventKinds, queryFn: listEventKinds, staleTime: 10 * 60_000 });
  const kinds = useChannelKinds();
  const failed = [templates, eventKinds, kinds].find((q) => q.isError);
  return (
    <section className="panel wide-panel" aria-labelledby="templates-title">
      <h2 id="templates-title">{t('sections.templates')}</h2>
      {failed && <Notice kind="error" error={failed.error} />}
      {!failed && (!templates.data || !kinds.data) && <Loading label={t('templates.loading')} />}
      {templates.data && kinds.data && (
        <ul className="template-list">
          {templates.data.map((tpl) => (
            <MessageTemplateEditor
              key={tpl.kind}
              item={tpl}
              eventTitle={eventKinds.data?.find((k) => k.kind === tpl.kind)?.title ?? tpl.kind}
              channelKinds={kinds.data}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
