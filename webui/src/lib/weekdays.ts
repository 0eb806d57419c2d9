import { currentLocale, i18n } from '../i18n';

/** Weekdays as the API numbers them: 0 = Monday … 6 = Sunday, named in the UI's language. */
export function weekdayNames(style: 'short' | 'long' = 'short', locale: string = currentLocale()): string[] {
  const format = new Intl.DateTimeFormat(locale, { weekday: style, timeZone: 'UTC' });
  // 1 January 2024 was a Monday.
  return Array.from({ length: 7 }, (_, i) => format.format(new Date(Date.UTC(2024, 0, 1 + i))));
}

/** "Mon–Fri", "Sat, Sun", "Every day". */
export function daysText(days: readonly number[], names: readonly string[] = weekdayNames()): string {
  const sorted = [...new Set(days)].filter((d) => d >= 0 && d <= 6).sort((a, b) => a - b);
  if (sorted.length === 7) return i18n.t('alerting:maintenance.everyDay');
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    runs.push(j - i >= 2 ? `${names[sorted[i]]}–${names[sorted[j]]}` : sorted.slice(i, j + 1).map((d) => names[d]).join(', '));
    i = j;
  }
  return runs.join(', ');
}
