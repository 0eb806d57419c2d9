// One i18next instance for the whole UI (and the kiosk). Every file locales/<lng>/<namespace>.json is bundled
// eagerly, so init is synchronous: the first render already has its texts and never suspends.
import i18next, { type Resource } from 'i18next';
import { initReactI18next } from 'react-i18next';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'de', name: 'Deutsch' },
  { code: 'fr', name: 'Français' },
  { code: 'es', name: 'Español' },
  { code: 'it', name: 'Italiano' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

export const LANGUAGE_STORAGE_KEY = 'powerpulse.language';
const CODES: readonly string[] = LANGUAGES.map((l) => l.code);

const modules = import.meta.glob<{ default: Record<string, unknown> }>('./locales/*/*.json', { eager: true });
const resources: Resource = {};
for (const [path, mod] of Object.entries(modules)) {
  const m = /\/locales\/([^/]+)\/([^/]+)\.json$/.exec(path);
  if (!m) continue;
  const [, lng, ns] = m;
  (resources[lng] ??= {})[ns] = mod.default;
}
export const NAMESPACES = [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))];

function isLanguage(x: unknown): x is Language {
  return typeof x === 'string' && CODES.includes(x);
}

function browserLocales(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : navigator.language ? [navigator.language] : [];
}

/** The explicit choice from the account settings, or null for "browser default". */
export function storedLanguage(): Language | null {
  try {
    const v = globalThis.localStorage?.getItem(LANGUAGE_STORAGE_KEY);
    return isLanguage(v) ? v : null;
  } catch {
    return null; // storage disabled (private mode, node tests)
  }
}

/** First supported language in navigator.languages (de-CH → de), English if none. */
export function browserLanguage(): Language {
  for (const tag of browserLocales()) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

function applyHtmlLang(lng: string) {
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
}

export const i18n = i18next;
i18n.on('languageChanged', applyHtmlLang);
void i18n.use(initReactI18next).init({
  resources,
  lng: storedLanguage() ?? browserLanguage(),
  fallbackLng: 'en',
  supportedLngs: [...CODES],
  ns: NAMESPACES,
  defaultNS: 'common',
  fallbackNS: 'common',
  initAsync: false,
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
  react: { useSuspense: false },
});
applyHtmlLang(i18n.language);

export function currentLanguage(): Language {
  const l = i18n.resolvedLanguage ?? i18n.language;
  return isLanguage(l) ? l : 'en';
}

/**
 * The BCP-47 locale for Intl formatters: the browser's own regional variant of the chosen language when it
 * has one (en-GB dates for a British browser), else the bare language code.
 */
export function currentLocale(): string {
  const lng = currentLanguage();
  return browserLocales().find((tag) => tag.toLowerCase().split('-')[0] === lng) ?? lng;
}

/** Choose a language (persisted), or null to follow the browser again. */
export function setLanguage(lng: Language | null): void {
  try {
    if (lng) globalThis.localStorage?.setItem(LANGUAGE_STORAGE_KEY, lng);
    else globalThis.localStorage?.removeItem(LANGUAGE_STORAGE_KEY);
  } catch {
    /* not persisted; still switch for this page */
  }
  void i18n.changeLanguage(lng ?? browserLanguage());
}
