import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLocale } from '../i18n';

/** The wall's clock and date, in the kiosk's language; only this re-renders every second. */
export function KioskClock() {
  useTranslation('kiosk'); // re-renders on a language switch (lang=, or the browser's)
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(id);
  }, []);
  const locale = currentLocale();
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(now);
  const date = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(now);
  return (
    <span className="kiosk-clock" data-testid="kiosk-clock">
      <time className="kiosk-time" dateTime={now.toISOString()}>
        {time}
      </time>
      <span className="kiosk-date">{date}</span>
    </span>
  );
}
