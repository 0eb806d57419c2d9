import { describe, expect, it } from 'vitest';
import { auditChanges, auditPath, EMPTY_AUDIT_FILTER, outcomeOf, targetText, valueText } from './auditLog';

describe('audit log paths', () => {
  it('sends only the filters that are set, and the format or the page', () => {
    expect(auditPath(EMPTY_AUDIT_FILTER, { limit: 50 })).toBe('/api/audit-log?limit=50');
    const path = auditPath({ ...EMPTY_AUDIT_FILTER, user: ' olga ', action: 'nut_servers.', failedOnly: true }, { format: 'csv', limit: 50, cursor: '9' });
    const q = new URL(path, 'http://x').searchParams;
    expect([q.get('user'), q.get('action'), q.get('failed'), q.get('format'), q.get('limit'), q.get('cursor')]).toEqual(['olga', 'nut_servers.', 'true', 'csv', null, null]);
    const dated = new URL(auditPath({ ...EMPTY_AUDIT_FILTER, from: '2026-12-01', to: '2026-12-01' }, { cursor: '7' }), 'http://x').searchParams;
    expect(Date.parse(dated.get('to')!) - Date.parse(dated.get('from')!)).toBe(86_399_000);
    expect(dated.get('cursor')).toBe('7');
  });
});

describe('audit entries', () => {
  it('reads outcomes from the HTTP status', () => {
    expect([200, 201, null, 401, 403, 429, 400, 404, 500].map(outcomeOf)).toEqual(['ok', 'ok', 'ok', 'refused', 'refused', 'refused', 'failed', 'failed', 'failed']);
  });

  it('lists each changed field before and after, a create and a delete too', () => {
    expect(auditChanges({ before: { host: 'a', password: '•••' }, after: { host: 'b', password: '•••' } })).toEqual([
      { field: 'host', before: 'a', after: 'b' },
      { field: 'password', before: '•••', after: '•••' },
    ]);
    expect(auditChanges({ before: null, after: { role: 'viewer', tags: ['x'], email: null, note: '' } })).toEqual([
      { field: 'role', before: '', after: 'viewer' },
      { field: 'tags', before: '', after: '["x"]' },
    ]);
    expect(auditChanges({ before: null, after: { created_at: '2026-12-07T15:11:55.235136+00:00' } }, () => 'a moment')).toEqual([{ field: 'created_at', before: '', after: 'a moment' }]);
    expect(auditChanges({ before: { id: 3 }, after: null })).toEqual([{ field: 'id', before: '3', after: '' }]);
    expect(auditChanges({ before: null, after: null })).toEqual([]);
    expect(valueText(false)).toBe('false');
  });

  it('names the target with its id and name', () => {
    expect(targetText({ targetType: 'nut_servers', targetId: '3', targetName: 'office' })).toBe('nut_servers 3 · office');
    expect(targetText({ targetType: 'nut_servers', targetId: '3', targetName: null }, () => 'NUT server')).toBe('NUT server 3');
    expect(targetText({ targetType: 'settings', targetId: 'smtp', targetName: null })).toBe('settings smtp');
    expect(targetText({ targetType: null, targetId: null, targetName: null })).toBe('');
  });
});
