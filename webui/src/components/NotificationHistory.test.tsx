// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setSession } from '../api/session';
import { mount, startRecordingApi, until, type RecordingApi } from '../test/harness';
import type { NotificationHistoryItem } from '../types';
import { NotificationHistory } from './NotificationHistory';

const item = (id: number, extra: Partial<NotificationHistoryItem>): NotificationHistoryItem => ({
  id,
  user_id: 2,
  ups_id: 4,
  ups_name: 'Rack A',
  status: 'On Battery',
  previous_status: 'Online',
  kind: 'on_battery',
  event_id: 1,
  created_at: '2026-01-01T00:00:00.000Z',
  deliveries: [],
  ...extra,
});

let api: RecordingApi;
afterEach(() => api.close());

describe('NotificationHistory', () => {
  it('shows the rule, drill and muted badges, and channel names', async () => {
    setSession('tok', { id: 2, username: 'maria', email: null, role: 'user', isAdmin: false });
    api = await startRecordingApi({
      'GET /api/notifications/history': {
        body: [
          item(1, {
            rule: { id: 8, name: 'Night shift' },
            drill_id: 7,
            deliveries: [{ channel: 'slack', channelId: 3, channelName: 'Ops room', state: 'delivered', attempts: 1, lastError: null, deliveredAt: '2026-01-01T00:00:01.000Z' }],
          }),
          item(2, { suppressed: 'muted' }),
          item(3, { deliveries: [{ channel: 'discord', channelName: null, state: 'failed', attempts: 2, lastError: 'HTTP 404', deliveredAt: null }] }),
        ],
      },
    });
    const page = await mount(<NotificationHistory />);
    const rows = await until(() => {
      const r = page.el.querySelectorAll('[data-testid="history-row"]');
      return r.length === 3 && r;
    }, 'three rows');
    expect(rows[0].querySelector('[data-testid="rule"]')!.textContent).toBe('Rule Night shift');
    expect(rows[0].querySelector('[data-testid="drill-badge"]')!.textContent).toBe('drill');
    expect(rows[0].textContent).toContain('Ops room (slack): delivered');
    expect(rows[1].querySelector('[data-testid="muted-badge"]')!.textContent).toBe('muted');
    expect(rows[1].textContent).toContain('Not sent (muted)');
    expect(rows[1].querySelector('[data-testid="drill-badge"]')).toBeNull();
    expect(rows[2].textContent).toContain('Your channels');
    expect(rows[2].textContent).toContain('discord: failed after 2 attempts — HTTP 404');
    await page.unmount();
  });
});
