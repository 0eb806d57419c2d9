/** A rule's per-event-kind message overrides (`templates`: kind → {title, body}). */

export interface TemplateParts {
  title: string;
  body: string;
}

export type TemplateOverrides = Record<string, TemplateParts>;

/** The overrides of a saved rule (the API types them loosely: an object per kind). */
export function readOverrides(templates: Record<string, unknown> | undefined): TemplateOverrides {
  const out: TemplateOverrides = {};
  for (const [kind, parts] of Object.entries(templates ?? {})) {
    if (typeof parts !== 'object' || parts === null) continue;
    const { title, body } = parts as { title?: unknown; body?: unknown };
    out[kind] = { title: typeof title === 'string' ? title : '', body: typeof body === 'string' ? body : '' };
  }
  return out;
}

/** The overrides to send: only for the rule's events, and only those with some text. */
export function overridesToSend(overrides: TemplateOverrides, events: readonly string[]): TemplateOverrides {
  const out: TemplateOverrides = {};
  for (const kind of events) {
    const parts = overrides[kind];
    if (parts && (parts.title.trim() || parts.body.trim())) out[kind] = { title: parts.title, body: parts.body };
  }
  return out;
}
