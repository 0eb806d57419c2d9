import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../lib/format';
import { isMuted } from '../lib/mute';
import type { Ups } from '../types';

interface Props {
  ups: Pick<Ups, 'mutedUntil' | 'muteReason'>;
}

/** "Muted until … (reason)" while a mute is ahead; nothing otherwise (it goes when it ends). */
export function MutedNotice({ ups }: Props) {
  const { t } = useTranslation('dashboard');
  const [now, setNow] = useState(() => Date.now());
  const muted = isMuted(ups.mutedUntil, now);
  useEffect(() => {
    if (!muted) return;
    const id = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(id);
  }, [muted]);
  if (!muted) return null;
  return (
    <p className="muted-notice small" data-testid="muted">
      {ups.muteReason
        ? t('muted.untilReason', { until: formatDateTime(ups.mutedUntil), reason: ups.muteReason })
        : t('muted.until', { until: formatDateTime(ups.mutedUntil) })}
    </p>
  );
}
