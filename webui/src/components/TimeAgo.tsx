import { useEffect, useState } from 'react';
import { formatDateTime, timeAgo } from '../lib/format';

interface Props {
  iso: string | null | undefined;
}

/** "5 s ago" that keeps itself current; only this text re-renders on each tick. */
export function TimeAgo({ iso }: Props) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(id);
  }, []);
  return (
    <time dateTime={iso ?? undefined} title={formatDateTime(iso)}>
      {timeAgo(iso, now)}
    </time>
  );
}
