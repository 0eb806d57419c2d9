/** One typed function per API call used by the UI. */
import { request } from './client';
import type {
  CheckSetup,
  LoginResponse,
  MessageResponse,
  NotificationHistoryItem,
  NutServer,
  NutServerInput,
  NutServerRescan,
  NutTestResult,
  Role,
  StatusModel,
  Ups,
  UpsConfig,
  UpsCommand,
  UpsEvent,
  User,
  UpdateCheck,
  UpdateStatus,
  UserSettings,
  UserSettingsInput,
  VersionInfo,
  WritableVariable,
} from '../types';
import type { HistoryResponse } from '../lib/history';

const enc = encodeURIComponent;

// Auth and setup
export const checkSetup = () => request<CheckSetup>('/api/auth/check-setup', { anonymous: true });
export const login = (username: string, password: string) =>
  request<LoginResponse>('/api/auth/login', { method: 'POST', body: { username, password }, anonymous: true });
export interface SetupInput {
  username: string;
  password: string;
  nutServer: string;
  nutPort: number;
  nutUsername?: string;
  nutPassword?: string;
}
export const setup = (input: SetupInput) =>
  request<LoginResponse & { upsSystemsDiscovered?: number }>('/api/auth/setup', {
    method: 'POST',
    body: input,
    anonymous: true,
  });
export const changePassword = (currentPassword: string, newPassword: string) =>
  request<MessageResponse & { user?: User; token?: string }>('/api/auth/change-password', { method: 'POST', body: { currentPassword, newPassword } });

// UPS
export const listUps = () => request<Ups[]>('/api/ups-systems');
export const getUps = (id: number) => request<Ups>(`/api/ups-systems/${id}`);
export const listKiosk = () => request<Ups[]>('/api/ups-systems/kiosk', { anonymous: true });
export const setNickname = (id: number, nickname: string) =>
  request<MessageResponse>(`/api/ups-systems/${id}/nickname`, { method: 'PUT', body: { nickname } });
/** Admin: replace a UPS's tags (an empty list clears them). */
export const setUpsTags = (id: number, tags: string[]) => request<UpsConfig>(`/api/ups-systems/${id}`, { method: 'PUT', body: { tags } });
export const listUpsEvents = (id: number) => request<UpsEvent[] | { events: UpsEvent[] }>(`/api/ups-systems/${id}/events`);
export const listUpsCommands = (id: number) =>
  request<{ commands: UpsCommand[]; credentials: boolean }>(`/api/ups-systems/${id}/commands`);
export const runUpsCommand = (id: number, command: string, confirm: boolean) =>
  request<MessageResponse>(`/api/ups-systems/${id}/commands`, { method: 'POST', body: { command, confirm } });
export const listUpsVariables = (id: number) =>
  request<{ variables: WritableVariable[]; credentials: boolean }>(`/api/ups-systems/${id}/variables`);
export const setUpsVariable = (id: number, name: string, value: string) =>
  request<MessageResponse>(`/api/ups-systems/${id}/variables/${enc(name)}`, { method: 'PUT', body: { value } });
export const getHistory = (id: number, from: string, to: string, points: number) =>
  request<HistoryResponse>(`/api/ups-systems/${id}/history?from=${enc(from)}&to=${enc(to)}&points=${points}`);

/** Public: labels of power states, conditions and summary buckets (legends, summary counts). */
export const getStatusModel = () => request<StatusModel>('/api/status-model', { anonymous: true });

// NUT servers
export const listServers = () => request<NutServer[]>('/api/nut-servers');
export const createServer = (input: NutServerInput) =>
  request<MessageResponse & { upsSystemsDiscovered?: number }>('/api/nut-servers', { method: 'POST', body: input });
export const updateServer = (id: number, input: NutServerInput) =>
  request<MessageResponse>(`/api/nut-servers/${id}`, { method: 'PUT', body: input });
export const deleteServer = (id: number) => request<MessageResponse>(`/api/nut-servers/${id}`, { method: 'DELETE' });
export const testServer = (id: number) => request<NutTestResult>(`/api/nut-servers/${id}/test`, { method: 'POST' });
/** Run LIST UPS now; adds the new UPS when the server's auto-add is on (admin). */
export const rescanServer = (id: number) => request<NutServerRescan>(`/api/nut-servers/${id}/rescan`, { method: 'POST' });
export const testServerParams = (input: NutServerInput, anonymous = false) =>
  request<NutTestResult>('/api/nut-servers/test', { method: 'POST', body: input, anonymous });

// Settings and notifications
export const getSettings = () => request<UserSettings>('/api/user-settings');
export const saveSettings = (patch: UserSettingsInput) =>
  request<UserSettings & MessageResponse>('/api/user-settings', { method: 'POST', body: patch });
export type Channel = 'discord' | 'slack' | 'email';
export const testChannel = (channel: Channel, target: string) => {
  const path = { discord: 'test', slack: 'test-slack', email: 'test-email' }[channel];
  const field = { discord: 'discord_webhook_url', slack: 'slack_webhook_url', email: 'email_recipients' }[channel];
  // The api returns the channel's own error (502 with its message) when the test fails.
  return request<MessageResponse>(`/api/notifications/${path}`, { method: 'POST', body: { [field]: target } });
};
export const notificationHistory = () =>
  request<NotificationHistoryItem[] | { items: NotificationHistoryItem[] }>('/api/notifications/history');

// Users
export const listUsers = () => request<User[]>('/api/users');
export const getUserById = (id: number) => request<User>(`/api/users/${id}`);
export const registerUser = (input: { username: string; email?: string; password: string; role: Role }) =>
  request<MessageResponse & { user: User }>('/api/auth/register', { method: 'POST', body: input });
export const updateUser = (id: number, patch: Partial<Pick<User, 'username' | 'email' | 'role'>>) =>
  request<MessageResponse & { user: User }>(`/api/users/${id}`, { method: 'PUT', body: patch });
export const resetPassword = (id: number, password: string) =>
  request<MessageResponse & { user: User; token?: string }>(`/api/users/${id}/password`, { method: 'PUT', body: { password } });
export const deleteUser = (id: number) => request<MessageResponse>(`/api/users/${id}`, { method: 'DELETE' });

// System
export const getVersion = () => request<VersionInfo>('/api/system/version', { anonymous: true });
/** The same with the session's token: an admin also gets the image and whether self-update works. */
export const getVersionDetails = () => request<VersionInfo>('/api/system/version');
export const checkForUpdate = () => request<UpdateCheck>('/api/system/update/check');
export const startUpdate = () => request<MessageResponse & { details?: string }>('/api/system/update', { method: 'POST' });
export const getUpdateStatus = () => request<UpdateStatus>('/api/system/update/status');
export const createStreamTicket = () => request<{ ticket: string }>('/api/stream/ticket', { method: 'POST' });
