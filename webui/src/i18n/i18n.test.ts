/**
 * Guards for the translations: (a) every language has the same keys in every namespace file, none empty, with
 * the plural forms the language needs; (b) every t('…') key in the source has an English text; (c) no English
 * left as a literal in JSX (texts, titles, labels, placeholders). Failures name the file and line to fix.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '.';

const SRC = fileURLToPath(new URL('..', import.meta.url));
const LOCALES = join(SRC, 'i18n', 'locales');
const CODES = LANGUAGES.map((l) => l.code);
const PLURAL = /_(zero|one|two|few|many|other)$/;

type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

function load(lng: string, ns: string): Map<string, string> {
  try {
    return flatten(JSON.parse(readFileSync(join(LOCALES, lng, `${ns}.json`), 'utf8')) as Tree);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new Error(`${lng}/${ns}.json: ${(e as Error).message}`);
  }
}

const namespaces = [...new Set(CODES.flatMap((l) => readdirSync(join(LOCALES, l)).filter((f) => f.endsWith('.json'))))].map((f) =>
  f.replace(/\.json$/, ''),
);
const dict = new Map(CODES.map((l) => [l, new Map(namespaces.map((ns) => [ns, load(l, ns)]))]));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const isTest = (p: string) => /\.test\.tsx?$/.test(p) || relative(SRC, p).startsWith('test/');
const sources = walk(SRC).filter((p) => /\.tsx?$/.test(p) && !p.endsWith('.d.ts') && !isTest(p));
const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;
const where = (p: string, text: string, index: number) => `${relative(SRC, p)}:${lineOf(text, index)}`;

describe('locale files', () => {
  it('have the same keys in every language, none empty, with each language’s plural forms', () => {
    const problems: string[] = [];
    for (const ns of namespaces) {
      // A key's base: "ups_one" and "ups_other" are both "ups" (languages differ in which forms they need).
      const bases = new Set(CODES.flatMap((l) => [...dict.get(l)!.get(ns)!.keys()].map((k) => k.replace(PLURAL, ''))));
      for (const lng of CODES) {
        const keys = dict.get(lng)!.get(ns)!;
        const forms = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
        for (const base of bases) {
          const plural = CODES.some((l) => [...dict.get(l)!.get(ns)!.keys()].some((k) => k !== base && k.replace(PLURAL, '') === base));
          const need = plural ? forms.map((f) => `${base}_${f}`) : [base];
          for (const k of need) {
            if (!keys.has(k)) problems.push(`${lng}/${ns}.json: missing "${k}"${k.endsWith('_many') ? ' (same words as _other; used for 1 000 000)' : ''}`);
            else if (!keys.get(k)!.trim()) problems.push(`${lng}/${ns}.json: "${k}" is empty`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('source', () => {
  it('has an English text for every t() key it uses', () => {
    const en = dict.get('en')!;
    const has = (ns: string, key: string) => {
      const keys = en.get(ns);
      return !!keys && (keys.has(key) || keys.has(`${key}_one`) || keys.has(`${key}_other`));
    };
    const problems: string[] = [];
    for (const p of sources) {
      const text = readFileSync(p, 'utf8');
      const declared = /useTranslation\(\s*(?:\[\s*)?['"]([\w-]+)['"]/.exec(text)?.[1] ?? 'common';
      const calls = /(?<![\w$])(?:t|i18n\.t)\(\s*(['"])([^'"\n]+)\1|i18nKey=(['"])([^'"\n]+)\3/g;
      for (const m of text.matchAll(calls)) {
        const raw = m[2] ?? m[4];
        const [ns, key] = raw.includes(':') ? raw.split(':', 2) : [declared, raw];
        if (!namespaces.includes(ns)) problems.push(`${where(p, text, m.index)}: unknown namespace "${ns}" in "${raw}"`);
        else if (!has(ns, key) && !has('common', key)) problems.push(`${where(p, text, m.index)}: "${ns}:${key}" has no English text`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has no English text left as a literal in JSX', () => {
    // Not words: symbols, units and separators may stay literal. A line ending in "i18n-ignore" is skipped
    // (for a string that is data, not text: an API value compared against, a brand name).
    const letters = /[A-Za-z]{2,}/;
    // Units, acronyms and names that are the same in every language.
    const UNITS = new Set(['V', 'VA', 'W', 'Hz', 'kW', 'ms', 'NUT', 'PowerPulse', 'USB', 'SMTP', 'HTTP', 'HTTPS', 'URL', 'ID', 'OK', 'MIT', 'Discord', 'Slack', 'ntfy']);
    const linguistic = (s: string) => {
      const t = s.replace(/\$\{[^}]*\}/g, ' ').replace(/&[a-z]+;/g, ' ').trim();
      if (/^[A-Z][a-z]+(-[A-Z][a-z]+)+$/.test(t)) return false; // an HTTP header name: Content-Disposition
      if (/^[a-z][\w+.-]*:\/\/\S*$/.test(t)) return false; // a URL example
      if (/^[\w.+-]+@[\w.-]+(,\s*[\w.+-]+@[\w.-]+)*$/.test(t)) return false; // email address examples
      if (/^[A-Z][a-z]+\/[A-Z][A-Za-z_]+$/.test(t)) return false; // an IANA time zone: Europe/Paris
      return letters.test(t) && !t.split(/[^A-Za-z]+/).filter(Boolean).every((w) => UNITS.has(w));
    };
    const patterns: RegExp[] = [
      // A text node: >Some words< or >{count} words<, (not => or ->, nor code between a comparison and a
      // generic); the {expressions} in it are left out below.
      // Not a generic's `>` either: `Foo<T> {` opens a body, `Bar<T>({` a parameter list.
      /(?<![=\-])>(?!\s*\{\s*\n|\(\{)((?:[^<>{}`;=|&]|\{(?:[^{}]|\{[^{}]*\})*\})+)<(?=[/A-Za-z>])/g,
      // A text-bearing prop with a string: title="…", aria-label={'…'}, placeholder=…, label=…, alt=…
      /\b(?:title|aria-label|aria-description|placeholder|label|alt|hint|helpText|description|confirmLabel|emptyText|submitLabel|legend|empty|what|message)=\{?\s*(['"`])([^'"`]*?)\1/g,
      // A capitalised phrase as a string in an expression, e.g. {busy ? 'Saving…' : 'Save'}.
      /(?:[?:(,]|(?<![=!])=(?!=)|\breturn)\s*(['"])([A-Z][a-z]+(?:[ '’-][A-Za-z]+)*[.…!?:]?)\1(?=\s*[:)},\];])/g,
    ];
    const problems: string[] = [];
    for (const p of sources.filter((s) => s.endsWith('.tsx'))) {
      const text = readFileSync(p, 'utf8');
      const lines = text.split('\n');
      for (const re of patterns) {
        for (const m of text.matchAll(re)) {
          const s = (m[m.length - 1] ?? m[1]).replace(/\{(?:[^{}]|\{[^{}]*\})*\}/g, ' ');
          const line = lineOf(text, m.index);
          const src = lines[line - 1];
          if (!linguistic(s) || /i18n-ignore/.test(src) || /^\s*(\/\/|\*|\/\*)/.test(src) || /^\s*import\b/.test(src)) continue;
          problems.push(`${where(p, text, m.index)}: ${JSON.stringify(s.trim())}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
