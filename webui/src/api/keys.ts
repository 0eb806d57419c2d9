/** Every TanStack Query key, in one place, so mutations and the live stream hit the same ones. */
export const keys = {
  setup: ['setup'] as const,
  upsList: ['ups'] as const,
  ups: (id: number) => ['ups', id] as const,
  upsEvents: (id: number) => ['ups', id, 'events'] as const,
  upsCommands: (id: number) => ['ups-control', id, 'commands'] as const,
  upsVariables: (id: number) => ['ups-control', id, 'variables'] as const,
  history: (id: number, range: string) => ['ups', id, 'history', range] as const,
  kiosk: ['kiosk'] as const,
  statusModel: ['status-model'] as const,
  servers: ['nut-servers'] as const,
  settings: ['user-settings'] as const,
  notificationHistory: ['notifications', 'history'] as const,
  users: ['users'] as const,
  version: ['version'] as const,
  versionDetails: ['version', 'details'] as const,
  updateStatus: ['update', 'status'] as const,
};
