import type { Role } from '../types';

/** The roles lowest first, as `GET /api/auth/roles` lists them (the API owns them; the type
 *  comes from its schema, and a test keeps this order equal to the API's answer). */
export const ROLE_ORDER: readonly Role[] = ['viewer', 'user', 'operator', 'admin'];

export function atLeast(role: Role | undefined, minimum: Role): boolean {
  if (!role) return false;
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(minimum);
}

/** The translation key of each role's name. */
export const ROLE_LABEL_KEYS: Record<Role, string> = {
  viewer: 'nav:roleViewer',
  user: 'nav:roleUser',
  operator: 'nav:roleOperator',
  admin: 'nav:roleAdmin',
};
