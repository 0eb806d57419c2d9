// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { setSession } from '../../api/session';
import { buttonNamed, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../../test/harness';
import type { AuditLogEntry } from '../../lib/auditLog';
import AuditSettings from './AuditSettings';

let api: RecordingApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

const entry = (over: Partial<AuditLogEntry>): AuditLogEntry => ({
  id: 1,
  at: '2026-12-07T10:00:00Z',
  userId: 1,
  username: 'admin',
  tokenId: null,
  tokenName: null,
  address: '10.0.0.5',
  action: 'nut_servers.update_server',
  method: 'PUT',
  path: '/api/nut-servers/3',
  status: 200,
  targetType: 'nut_servers',
  targetId: '3',
  targetName: 'office',
  before: { host: '10.0.0.5', password: '•••' },
  after: { host: '10.0.0.6', password: '•••' },
  request: { host: '10.0.0.6', password: '•••' },
  ...over,
});

describe('audit log settings', () => {
  it('lists who did what with the changes, filters by user, and pages older entries', async () => {
    setSession('tok', { id: 1, username: 'admin', email: null, role: 'admin', isAdmin: true });
    const older = entry({ id: 4, action: 'auth.login', status: 401, username: 'olga', userId: null, before: null, after: null, targetType: null, targetId: null, targetName: null });
    api = await startRecordingApi({
      'GET /api/audit-log?limit=50': { body: { entries: [entry({ id: 5, tokenName: 'ops-script' })], nextCursor: '5' } },
      'GET /api/audit-log?limit=50&cursor=5': { body: { entries: [older], nextCursor: null } },
      'GET /api/audit-log?user=olga&limit=50': { body: { entries: [], nextCursor: null } },
    });
    const page = await mount(<AuditSettings />);
    const row = await until(() => page.el.querySelector('[data-testid="audit-row"]'), 'the first entry');
    expect(row.textContent).toContain('admin');
    expect(row.textContent).toContain('token ops-script');
    expect(row.textContent).toContain('10.0.0.5');
    expect(row.textContent).toContain('NUT server 3 · office');
    expect(row.textContent).toContain('host: 10.0.0.5 → 10.0.0.6');
    expect(row.textContent).toContain('Done');
    expect(row.textContent).not.toContain('hunter2');
    await act(async () => buttonNamed(page.el, 'Older entries')!.click());
    const rows = await until(() => {
      const found = page.el.querySelectorAll('[data-testid="audit-row"]');
      return found.length === 2 ? found : null;
    }, 'the older page');
    expect(rows[1].textContent).toContain('Refused');
    expect(rows[1].textContent).toContain('olga');
    await typeInto(page.el.querySelector<HTMLInputElement>('#audit-user')!, 'olga');
    await act(async () => buttonNamed(page.el, 'Apply')!.click());
    await until(() => (page.el.textContent?.includes('No entries match.') ? true : null), 'the filtered empty list');
    expect(api.requests).toContain('GET /api/audit-log?user=olga&limit=50');
    await page.unmount();
  });
});
