// @vitest-environment happy-dom
import { Trans } from 'react-i18next';
import { afterEach, describe, expect, it } from 'vitest';
import { setSession } from '../api/session';
import { muteChoiceLabel, MUTE_CHOICES } from '../lib/mute';
import { upsStatus } from '../lib/status';
import NotFoundPage from '../pages/NotFoundPage';
import AccountSettings from '../pages/settings/AccountSettings';
import { controlLabelled, mount, startApi, typeInto, until } from '../test/harness';
import { browserLanguage, currentLocale, i18n, LANGUAGE_STORAGE_KEY, storedLanguage } from '.';

function browserLanguages(list: string[]) {
  Object.defineProperty(navigator, 'languages', { get: () => list, configurable: true });
  Object.defineProperty(navigator, 'language', { get: () => list[0], configurable: true });
}

afterEach(async () => {
  localStorage.clear();
  browserLanguages(['en-US']);
  await i18n.changeLanguage('en');
});

describe('in German', () => {
  it('a screen shows German text, the status words and the durations', async () => {
    await i18n.changeLanguage('de');
    const page = await mount(<NotFoundPage />);
    expect(page.el.querySelector('h1')!.textContent).toBe('Seite nicht gefunden');
    expect(page.el.textContent).toContain('Zurück zur Übersicht');
    await page.unmount();
    // By the API's code, with the API's English label as the check that they mean the same.
    expect(upsStatus({ status: 'On Battery', powerState: 'on_battery', severity: 'warning' }).label).toBe('Batteriebetrieb');
    expect(upsStatus({ status: 'Something New', powerState: 'something_new' }).label).toBe('Something New');
    expect(muteChoiceLabel(MUTE_CHOICES[2])).toBe('4 Stunden');
    expect(document.documentElement.lang).toBe('de');
  });
});

describe('texts with markup', () => {
  it('put the component where the translation says', async () => {
    const page = await mount(<Trans i18nKey="dashboard:refreshFailed" values={{ message: 'HTTP 502' }} components={{ time: <b>5 s ago</b> }} />);
    expect(page.el.textContent).toBe('Could not refresh (HTTP 502). Showing data from 5 s ago; retrying.');
    expect(page.el.querySelector('b')!.textContent).toBe('5 s ago');
    await page.unmount();
  });
});

describe('the language', () => {
  it('follows the browser: the first of navigator.languages PowerPulse speaks, in its regional variant', async () => {
    browserLanguages(['pt-BR', 'fr-CH', 'de']);
    expect(browserLanguage()).toBe('fr');
    await i18n.changeLanguage(browserLanguage());
    expect(currentLocale()).toBe('fr-CH');
    browserLanguages(['ja']);
    expect(browserLanguage()).toBe('en');
  });

  it('is chosen in the account settings, kept in localStorage and sets <html lang>; "browser default" forgets it', async () => {
    browserLanguages(['en-US']);
    setSession('tok', { id: 1, username: 'maria', email: null, role: 'user', isAdmin: false });
    const api = await startApi({ '/api/settings': { poll_interval: 5, inactivity_timeout: 30 } });
    const page = await mount(<AccountSettings />);
    const select = controlLabelled<HTMLSelectElement>(page.el, 'Language of the interface')!;
    expect(select.value).toBe('');
    expect([...select.options].map((o) => o.textContent)).toEqual(['Browser default (English)', 'English', 'Deutsch', 'Français', 'Español', 'Italiano']);

    await typeInto(select, 'de');
    await until(() => page.el.textContent?.includes('Passwort ändern'), 'the German page');
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('de');
    expect(storedLanguage()).toBe('de');
    expect(document.documentElement.lang).toBe('de');
    expect(i18n.language).toBe('de');

    await typeInto(controlLabelled<HTMLSelectElement>(page.el, 'Sprache der Oberfläche')!, '');
    await until(() => page.el.textContent?.includes('Change password'), 'English again');
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBeNull();
    expect(document.documentElement.lang).toBe('en');
    await page.unmount();
    await api.close();
  });
});
