import { describe, expect, it } from 'vitest';
import { groupsText, parseGroups, readSsoReturn, safeNext } from './singleSignOn';

describe('readSsoReturn', () => {
  it('reads the token and where to go', () => {
    expect(readSsoReturn('#sso=abc.def.ghi&next=%2Fups%2F3')).toEqual({ kind: 'signed-in', token: 'abc.def.ghi', next: '/ups/3' });
  });
  it('names a known failure, and calls anything else unknown', () => {
    expect(readSsoReturn('#ssoError=no_role')).toEqual({ kind: 'failed', code: 'no_role' });
    expect(readSsoReturn('#ssoError=%3Cscript%3E')).toEqual({ kind: 'failed', code: 'unknown' });
    expect(readSsoReturn('#ssoError=toString')).toEqual({ kind: 'failed', code: 'unknown' });
  });
  it('ignores a fragment that is not a sign-on', () => {
    expect(readSsoReturn('')).toBeNull();
    expect(readSsoReturn('#section')).toBeNull();
  });
});

describe('safeNext', () => {
  it('keeps paths on this site only', () => {
    expect(safeNext('/servers')).toBe('/servers');
    for (const hostile of ['//evil.example', 'https://evil.example', '/\\evil.example', 'ups', null, '/login']) {
      expect(safeNext(hostile)).toBe('/');
    }
  });
});

describe('parseGroups', () => {
  it('splits on commas and new lines, trimmed, without repeats', () => {
    expect(parseGroups(' pp-admins, ops\nops ,, ')).toEqual(['pp-admins', 'ops']);
    expect(parseGroups('')).toEqual([]);
    expect(groupsText(['a', 'b'])).toBe('a, b');
  });
});
