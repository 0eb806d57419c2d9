import { describe, expect, it } from 'vitest';
import { hookKind } from '../test/channels';
import { configFromDraft, configKeyOfField, initialDraft, isSavedSecret, savedSecretKeys } from './channelConfig';

describe('channel config drafts', () => {
  it('knows a saved secret only by {"set": true}', () => {
    expect(isSavedSecret({ set: true })).toBe(true);
    expect(isSavedSecret({ set: false })).toBe(false);
    expect(isSavedSecret('x')).toBe(false);
    expect(isSavedSecret(null)).toBe(false);
    expect([...savedSecretKeys(hookKind.fields, { url: { set: true }, topic: 'a' })]).toEqual(['url']);
  });

  it('starts a new channel from the defaults, a saved one from its values (secrets blank)', () => {
    expect(initialDraft(hookKind.fields)).toMatchObject({ url: '', server: 'https://push.example', method: 'POST', headers: [] });
    const saved = initialDraft(hookKind.fields, { url: { set: true }, topic: 'ups', priority: 3, headers: { set: true } });
    expect(saved).toMatchObject({ url: '', topic: 'ups', server: '', priority: '3', headers: [] });
    expect(initialDraft(hookKind.fields, { headers: { 'X-A': '1' } }).headers).toEqual([{ name: 'X-A', value: '1' }]);
  });

  it('sends only what is filled in, typed per field, and "" for a removed secret', () => {
    const draft = { ...initialDraft(hookKind.fields), url: '', topic: ' t ', priority: '2.5', headers: [{ name: ' X-A ', value: 'v' }, { name: '', value: 'dropped' }], body: '  {{ x }}  ' };
    expect(configFromDraft(hookKind.fields, draft)).toEqual({ topic: 't', server: 'https://push.example', method: 'POST', priority: 2.5, headers: { 'X-A': 'v' }, body: '  {{ x }}  ' });
    expect(configFromDraft(hookKind.fields, { ...draft, headers: [] }, new Set(['headers']))).toMatchObject({ headers: '' });
  });

  it('maps the API field of a config key back to the key', () => {
    expect(configKeyOfField('config.url')).toBe('url');
    expect(configKeyOfField('name')).toBeNull();
    expect(configKeyOfField(null)).toBeNull();
  });
});
