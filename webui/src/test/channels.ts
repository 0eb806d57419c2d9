/** Channel kinds and channels shaped as the API sends them (typed by the OpenAPI document). */
import type { ChannelKindInfo, NotificationChannel } from '../types';

/** A kind with one field of every input type the API describes. */
export const hookKind: ChannelKindInfo = {
  kind: 'hook',
  label: 'Test hook',
  adminOnly: false,
  selfHosted: false,
  fields: [
    { key: 'url', label: 'URL', type: 'secret', required: true, secret: true, placeholder: 'https://example.lan/hook' },
    { key: 'topic', label: 'Topic', type: 'text', required: true, secret: false, help: 'Letters and digits' },
    { key: 'server', label: 'Server', type: 'url', required: false, secret: false, default: 'https://push.example' },
    { key: 'recipients', label: 'Recipients', type: 'emails', required: false, secret: false },
    { key: 'method', label: 'Method', type: 'select', required: false, secret: false, options: ['POST', 'PUT'], default: 'POST' },
    { key: 'priority', label: 'Priority', type: 'number', required: false, secret: false },
    { key: 'headers', label: 'Headers', type: 'headers', required: false, secret: true },
    { key: 'body', label: 'Body template', type: 'template', required: false, secret: false },
  ],
};

export const adminKind: ChannelKindInfo = {
  kind: 'rawhook',
  label: 'Raw webhook',
  adminOnly: true,
  selfHosted: true,
  fields: [{ key: 'url', label: 'URL', type: 'secret', required: true, secret: true }],
};

export function apiChannel(id: number, extra: Partial<NotificationChannel> = {}): NotificationChannel {
  return {
    id,
    kind: 'hook',
    name: `Hook ${id}`,
    enabled: true,
    shared: false,
    ownerId: 2,
    slot: null,
    config: { url: { set: true }, topic: 'ups', method: 'PUT', headers: { set: true } },
    summary: 'topic ups',
    createdAt: '2026-01-01T00:00:00.000Z',
    lastDelivery: null,
    ...extra,
  };
}
