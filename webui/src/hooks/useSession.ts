import { useSyncExternalStore } from 'react';
import { getToken, getUser, subscribeSession } from '../api/session';
import type { User } from '../types';

let cache: { token: string | null; userRaw: string; user: User | null } = { token: null, userRaw: '', user: null };

function snapshot() {
  const token = getToken();
  const user = getUser();
  const userRaw = JSON.stringify(user);
  if (token !== cache.token || userRaw !== cache.userRaw) cache = { token, userRaw, user };
  return cache;
}

/** The current token and user; re-renders on login, logout and profile change. */
export function useSession(): { token: string | null; user: User | null; isAdmin: boolean } {
  const s = useSyncExternalStore(subscribeSession, snapshot, snapshot);
  return { token: s.token, user: s.user, isAdmin: s.user?.role === 'admin' };
}
