/**
 * Client-side logout after `inactivity_timeout` minutes without input. The last activity time is
 * shared across tabs through localStorage, and checked again when a tab becomes visible (timers
 * of background tabs are throttled).
 */
import { useEffect } from 'react';

const KEY = 'powerpulse.lastActivity';
const EVENTS = ['mousedown', 'mousemove', 'keydown', 'scroll', 'touchstart', 'wheel'] as const;

function lastActivity(): number {
  const n = Number(localStorage.getItem(KEY));
  return Number.isFinite(n) && n > 0 ? n : Date.now();
}

export function useInactivityLogout(timeoutMinutes: number | null | undefined, onTimeout: () => void): void {
  useEffect(() => {
    if (!timeoutMinutes || timeoutMinutes <= 0) return;
    const limitMs = timeoutMinutes * 60_000;
    let lastWrite = 0;
    const touch = () => {
      const now = Date.now();
      if (now - lastWrite > 1000) {
        lastWrite = now;
        localStorage.setItem(KEY, String(now));
      }
    };
    const check = () => {
      if (Date.now() - lastActivity() >= limitMs) onTimeout();
    };
    localStorage.setItem(KEY, String(Date.now()));
    EVENTS.forEach((e) => window.addEventListener(e, touch, { passive: true }));
    const onVisible = () => document.visibilityState === 'visible' && check();
    document.addEventListener('visibilitychange', onVisible);
    const timer = setInterval(check, Math.min(15_000, limitMs / 4));
    return () => {
      EVENTS.forEach((e) => window.removeEventListener(e, touch));
      document.removeEventListener('visibilitychange', onVisible);
      clearInterval(timer);
    };
  }, [timeoutMinutes, onTimeout]);
}
