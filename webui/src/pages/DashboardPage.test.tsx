// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { setSession } from '../api/session';
import { mount, startApi, STATUS_MODEL, until, type FakeApi } from '../test/harness';
import { apiUps } from '../test/ups';
import { DashboardPage } from './DashboardPage';

const fleet = [
  apiUps(1, { displayName: 'Paris core', site: 'paris', tags: ['core', 'rack-a'] }),
  apiUps(2, { displayName: 'Paris spare', site: 'paris' }),
  apiUps(3, { displayName: 'Lyon core', site: 'lyon', tags: ['core'] }),
  apiUps(4, { displayName: 'Lab', tags: ['lab'] }),
];
let api: FakeApi;

beforeEach(async () => {
  setSession('tok', { id: 2, username: 'viewer', email: null, role: 'user', isAdmin: false });
  api = await startApi({ '/api/ups-systems': fleet, '/api/status-model': STATUS_MODEL });
});
afterEach(() => api.close());

const sections = (el: HTMLElement) =>
  [...el.querySelectorAll('section.site-section')].map((s) => [s.querySelector('h2')?.textContent, s.querySelectorAll('[data-testid="ups-card"]').length]);

async function choose(select: HTMLSelectElement, value: string) {
  await act(async () => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

describe('DashboardPage sites and tags', () => {
  it('groups the cards by site and filters by tag, and the kiosk links keep the filter', async () => {
    const page = await mount(<DashboardPage />);
    await until(() => page.el.querySelector('section.site-section'), 'the site sections');
    expect(sections(page.el)).toEqual([
      ['lyon', 1],
      ['paris', 2],
      ['No site', 1],
    ]);
    const text = () => page.el.querySelector('.cards-by-site')?.textContent ?? '';
    expect(text()).toContain('Paris spare');
    const core = [...page.el.querySelectorAll<HTMLButtonElement>('button.tag-chip')].find((b) => b.textContent === 'core')!;
    await act(async () => core.click());
    await until(() => !text().includes('Paris spare'), 'the filtered cards');
    expect(core.getAttribute('aria-pressed')).toBe('true');
    expect(text()).toContain('Paris core');
    expect(text()).toContain('Lyon core');
    expect(text()).not.toContain('Lab');
    const kiosk = [...page.el.querySelectorAll('a')].find((a) => a.textContent?.startsWith('Open multi-view'));
    expect(kiosk?.getAttribute('href')).toBe('/kiosk?multi=true&tag=core');
    const [site] = page.el.querySelectorAll<HTMLSelectElement>('.group-filter select');
    await choose(site, 'lyon');
    await until(() => !text().includes('Paris core'), 'the site filter');
    expect(text()).toContain('Lyon core');
    await page.unmount();
  });

  it('groups by tag on request, a UPS under each of its tags', async () => {
    const page = await mount(<DashboardPage />);
    await until(() => page.el.querySelector('section.site-section'), 'the site sections');
    const groupBy = [...page.el.querySelectorAll<HTMLSelectElement>('.group-filter select')].find((s) => s.parentElement?.textContent?.startsWith('Group by'))!;
    await choose(groupBy, 'tag');
    await until(() => page.el.querySelector('h2.site-title')?.textContent === 'core', 'the tag sections');
    expect(sections(page.el)).toEqual([
      ['core', 2],
      ['lab', 1],
      ['rack-a', 1],
      ['Untagged', 1],
    ]);
    await choose(groupBy, 'none');
    await until(() => !page.el.querySelector('h2.site-title'), 'one section');
    expect(page.el.querySelectorAll('[data-testid="ups-card"]').length).toBe(4);
    await page.unmount();
  });

  it('shows no filter and no site headings when no UPS has a site or a tag', async () => {
    await api.close();
    api = await startApi({ '/api/ups-systems': [apiUps(1), apiUps(2)], '/api/status-model': STATUS_MODEL });
    const page = await mount(<DashboardPage />);
    await until(() => page.el.querySelector('section.site-section'), 'the cards');
    expect(page.el.querySelector('.group-filter')).toBeNull();
    expect(page.el.querySelector('.site-title')).toBeNull();
    await page.unmount();
  });

  it('keeps "Show all" reachable when a bookmarked filter matches nothing', async () => {
    await api.close();
    api = await startApi({ '/api/ups-systems': [apiUps(1)], '/api/status-model': STATUS_MODEL });
    const page = await mount(<DashboardPage />, undefined, '/?tag=gone');
    await until(() => page.el.textContent?.includes('No UPS matches this filter.'), 'the empty filter');
    const all = [...page.el.querySelectorAll('button')].find((b) => b.textContent === 'Show all')!;
    await act(async () => all.click());
    await until(() => page.el.querySelector('[data-testid="ups-card"]'), 'the card');
    await page.unmount();
  });
});
