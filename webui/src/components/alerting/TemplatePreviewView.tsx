import type { TemplatePreview } from '../../types';

/** A rendered message: its title and body as the service shows them, and the payload sent. */
export function TemplatePreviewView({ preview, channelLabel }: { preview: TemplatePreview; channelLabel: string }) {
  return (
    <div className="template-preview" data-testid="template-preview">
      <h4>Preview for {channelLabel} (sample UPS)</h4>
      <dl>
        <dt>Title</dt>
        <dd>{preview.title}</dd>
        <dt>Body</dt>
        <dd className="preview-body">{preview.body}</dd>
      </dl>
      <details>
        <summary>Payload</summary>
        <pre className="payload">{JSON.stringify(preview.payload, null, 2)}</pre>
      </details>
    </div>
  );
}
