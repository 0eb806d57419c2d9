import { describe, expect, it } from 'vitest';
import { buildId } from './kioskServiceWorker';

describe('buildId', () => {
  it('is the hashed bundle name, so each build registers its own worker and cache', () => {
    expect(buildId('http://pp.lan:8080/assets/index-CH9E4eJB.js')).toBe('index-CH9E4eJB');
    expect(buildId('https://pp.lan/assets/index-AbC.js?x=1#y')).toBe('index-AbC');
    expect(buildId('')).toBe('dev');
  });
});
