import { useTranslation } from 'react-i18next';
import type { TemplatePreview } from '../../types';

/** A rendered message: its title and body as the service shows them, and the payload sent. */
export function TemplatePreviewView({ preview, channelLabel }: { preview: TemplatePreview; channelLabel: string }) {
  const { t } = useTranslation('alerting');
  return (
    <div className="template-preview" data-testid="template-preview">
      <h4>{t('templates.previewHeading', { channel: channelLabel })}</h4>
      <dl>
        <dt>{t('templates.title')}</dt>
        <dd>{preview.title}</dd>
        <dt>{t('templates.body')}</dt>
        <dd className="preview-body">{preview.body}</dd>
      </dl>
      <details>
        <summary>{t('templates.payload')}</summary>
        <pre className="payload">{JSON.stringify(preview.payload, null, 2)}</pre>
      </details>
    </div>
  );
}
