import { useSyncExternalStore } from 'react';
import { getToken, getUser, subscribeSession } from '../api/session';
import { atLeast } from '../lib/roles';
import type { User } from '../types';

let cache: { token: string | null; userRaw: string; user: User | null } = { token: null, userRaw: '', user: null };

function snapshot() {
  const token = getToken();
  const user = getUser();
  const userRaw = JSON.stringify(user);
  if (token !== cache.token || userRaw !== cache.userRaw) cache = { token, userRaw, user };
  return cache;
}

export interface Session {
  token: string | null;
  user: User | null;
  isAdmin: boolean;
  /** operator or admin: mute, self-tests, drills, commands that do not cut the load */
  canOperate: boolean;
  /** user and above: a viewer changes only their own password and settings */
  canWrite: boolean;
}

/** The current token and user; re-renders on login, logout and profile change. */
export function useSession(): Session {
  const s = useSyncExternalStore(subscribeSession, snapshot, snapshot);
  const role = s.user?.role;
  return { token: s.token, user: s.user, isAdmin: role === 'admin', canOperate: atLeast(role, 'operator'), canWrite: atLeast(role, 'user') };
}
