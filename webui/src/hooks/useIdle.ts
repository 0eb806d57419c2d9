import { useEffect, useState } from 'react';

/**
 * False until the browser has had an idle moment (or `timeoutMs` passed): lets heavy, secondary
 * parts (history charts) wait until the cards are on screen and answering clicks.
 */
export function useIdle(timeoutMs = 800): boolean {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    const w = window as Window & {
      requestIdleCallback?: (cb: () => void, opts?: { timeout: number }) => number;
      cancelIdleCallback?: (id: number) => void;
    };
    if (w.requestIdleCallback) {
      const id = w.requestIdleCallback(() => setIdle(true), { timeout: timeoutMs });
      return () => w.cancelIdleCallback?.(id);
    }
    const id = setTimeout(() => setIdle(true), 150);
    return () => clearTimeout(id);
  }, [timeoutMs]);
  return idle;
}
