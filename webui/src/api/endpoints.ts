/** One typed function per API call used by the UI. */
import { request } from './client';
import type {
  ApiToken,
  ApiTokenBody,
  RecoveryCodes,
  SecuritySettings,
  OidcPublic,
  OidcSettings,
  OidcSettingsBody,
  TwoFactorConfirmed,
  TwoFactorEnrolment,
  TwoFactorState,
  ApiTokenCreated,
  AckResult,
  AlertItem,
  AlertRule,
  AlertRuleBody,
  ChannelKindInfo,
  ChannelTestResult,
  CheckSetup,
  DrillReport,
  EventKindInfo,
  MaintenanceWindow,
  SmtpSettings,
  SmtpSettingsBody,
  SystemSettings,
  SystemSettingsBody,
  MaintenanceWindowBody,
  MessageTemplateBody,
  MessageTemplateItem,
  MuteState,
  NotificationChannel,
  NotificationChannelBody,
  TemplatePreview,
  TemplatePreviewBody,
  Threshold,
  ThresholdBody,
  ThresholdMetric,
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
  UpsNutVariables,
  User,
  UpdateCheck,
  UpdateStatus,
  UserSettings,
  UserSettingsInput,
  VersionInfo,
  WritableVariable,
} from '../types';
import type { HistoryResponse } from '../lib/history';
import type {
  ActionTestResult,
  DryRun,
  DryRunUpsState,
  HostKey,
  PlanBody,
  ProtectedHost,
  Protection,
  ShutdownPlan,
  ShutdownRun,
} from '../lib/shutdownTypes';
import type {
  BatteryLifecycle,
  BatteryLifecycleBody,
  FleetBattery,
  SelfTest,
  SelfTestSchedule,
  SelfTestScheduleBody,
  TestType,
} from '../lib/batteryTypes';
import type { RawAnswer } from './client';
import type { components } from './schema';

type HistoryMetrics = components['schemas']['HistoryMetrics'];
type EventsPage = components['schemas']['EventsPage'];

const enc = encodeURIComponent;

// Auth and setup
export const checkSetup = () => request<CheckSetup>('/api/auth/check-setup', { anonymous: true });
/** `totp`: the second factor's code (or a recovery code) once the API asked for it (401 `totp_required`). */
export const login = (username: string, password: string, totp?: string) =>
  request<LoginResponse>('/api/auth/login', { method: 'POST', body: totp ? { username, password, totp } : { username, password }, anonymous: true });
/** Whether the login page offers single sign-on, and the admin's label for the button. */
export const getOidcPublic = () => request<OidcPublic>('/api/auth/oidc', { anonymous: true });
/** Where the single sign-on button sends the browser (the API redirects on to the provider). */
export const oidcStartUrl = (next: string) => `/api/auth/oidc/start?next=${enc(next)}`;
/** The user a single sign-on's token belongs to, before it becomes the session. */
export const getMeWith = (token: string) => request<User>('/api/auth/me', { token });
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
export const listUpsNutVariables = (id: number) => request<UpsNutVariables>(`/api/ups-systems/${id}/nut-variables`);
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
/** The same buckets as a CSV file (text and headers: the file name is in Content-Disposition). */
export const getHistoryCsv = (id: number, from: string, to: string, points: number) =>
  request<RawAnswer>(`/api/ups-systems/${id}/history?from=${enc(from)}&to=${enc(to)}&points=${points}&format=csv`, { raw: true });
/** Public: the metrics the history keeps (name, label, unit, chart). */
export const getHistoryMetrics = () => request<HistoryMetrics>('/api/history/metrics', { anonymous: true });
/** One page of a UPS's events, newest first (`before`: the id of the last one seen). */
export const getUpsEventsPage = (id: number, limit: number, before?: number) =>
  request<EventsPage>(`/api/ups-systems/${id}/events?limit=${limit}${before ? `&before=${before}` : ''}`);

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
/** Admin: every user's and every rule's notifications. */
export const notificationLog = () =>
  request<NotificationHistoryItem[] | { items: NotificationHistoryItem[] }>('/api/notifications/log');

// Notification channels: the kinds describe their own config fields (the forms are drawn from them).
export const listChannelKinds = () => request<ChannelKindInfo[]>('/api/notification-channels/kinds');
/** Your personal channels, or (admins) the shared ones that alert rules use. */
export const listNotificationChannels = (scope: 'personal' | 'shared') =>
  request<NotificationChannel[]>(`/api/notification-channels?scope=${scope}`);
export const createNotificationChannel = (body: NotificationChannelBody) =>
  request<NotificationChannel>('/api/notification-channels', { method: 'POST', body });
/** A secret config key left out keeps its stored value. */
export const updateNotificationChannel = (id: number, body: NotificationChannelBody) =>
  request<NotificationChannel>(`/api/notification-channels/${id}`, { method: 'PUT', body });
export const deleteNotificationChannel = (id: number) => request<MessageResponse>(`/api/notification-channels/${id}`, { method: 'DELETE' });
/** 502 `delivery_failed` with the service's own `reason` when it did not deliver. */
export const testNotificationChannel = (id: number) =>
  request<ChannelTestResult>(`/api/notification-channels/${id}/test`, { method: 'POST' });

// Alert rules (admin)
export const listEventKinds = () => request<EventKindInfo[]>('/api/alert-rules/event-kinds');
export const listAlertRules = () => request<AlertRule[]>('/api/alert-rules');
export const createAlertRule = (body: AlertRuleBody) => request<AlertRule>('/api/alert-rules', { method: 'POST', body });
export const updateAlertRule = (id: number, body: AlertRuleBody) => request<AlertRule>(`/api/alert-rules/${id}`, { method: 'PUT', body });
export const deleteAlertRule = (id: number) => request<MessageResponse>(`/api/alert-rules/${id}`, { method: 'DELETE' });

// Message templates (admin)
export const listMessageTemplates = () => request<MessageTemplateItem[]>('/api/notification-templates');
export const saveMessageTemplate = (kind: string, body: MessageTemplateBody) =>
  request<MessageTemplateItem>(`/api/notification-templates/${enc(kind)}`, { method: 'PUT', body });
/** Back to the built-in wording. */
export const resetMessageTemplate = (kind: string) => request<MessageResponse>(`/api/notification-templates/${enc(kind)}`, { method: 'DELETE' });
export const previewMessageTemplate = (body: TemplatePreviewBody) =>
  request<TemplatePreview>('/api/notification-templates/preview', { method: 'POST', body });

// Thresholds (admin)
export const listThresholdMetrics = () => request<ThresholdMetric[]>('/api/thresholds/metrics');
export const listThresholds = () => request<Threshold[]>('/api/thresholds');
export const createThreshold = (body: ThresholdBody) => request<Threshold>('/api/thresholds', { method: 'POST', body });
export const updateThreshold = (id: number, body: ThresholdBody) => request<Threshold>(`/api/thresholds/${id}`, { method: 'PUT', body });
export const deleteThreshold = (id: number) => request<MessageResponse>(`/api/thresholds/${id}`, { method: 'DELETE' });

// The email server every email channel uses (admin)
export const getSmtpSettings = () => request<SmtpSettings>('/api/notification-channels/smtp');
export const saveSmtpSettings = (body: SmtpSettingsBody) =>
  request<SmtpSettings>('/api/notification-channels/smtp', { method: 'PUT', body });
export const forgetSmtpSettings = () =>
  request<SmtpSettings>('/api/notification-channels/smtp', { method: 'DELETE' });
/** Send a test mail through the saved email server to one address (admin). */
export const testSmtp = (to: string) =>
  request<MessageResponse>('/api/notification-channels/smtp/test', { method: 'POST', body: { to } });
/** Runtime system settings (poll/history/discovery intervals, retention, grace): admin. */
export const getSystemSettings = () => request<SystemSettings>('/api/system/settings');
export const saveSystemSettings = (body: SystemSettingsBody) =>
  request<SystemSettings>('/api/system/settings', { method: 'PUT', body });

// Maintenance windows (admin)
export const listMaintenanceWindows = () => request<MaintenanceWindow[]>('/api/maintenance-windows');
export const createMaintenanceWindow = (body: MaintenanceWindowBody) =>
  request<MaintenanceWindow>('/api/maintenance-windows', { method: 'POST', body });
export const deleteMaintenanceWindow = (id: number) => request<MessageResponse>(`/api/maintenance-windows/${id}`, { method: 'DELETE' });

// Mutes (admin): one UPS, or every UPS when `upsId` is null.
const mutePath = (upsId: number | null) => (upsId === null ? '/api/ups-systems/mute' : `/api/ups-systems/${upsId}/mute`);
export const muteUps = (upsId: number | null, minutes: number, reason: string) =>
  request<MuteState>(mutePath(upsId), { method: 'POST', body: { minutes, reason } });
export const unmuteUps = (upsId: number | null) => request<MuteState>(mutePath(upsId), { method: 'DELETE' });

// Alerts: open ones (any user), acknowledged with an optional note.
export const listOpenAlerts = () => request<AlertItem[]>('/api/alerts');
export const acknowledgeAlert = (id: number, note: string) =>
  request<AckResult>(`/api/alerts/${id}/acknowledge`, { method: 'POST', body: note.trim() ? { note: note.trim() } : {} });

// Fire drills (admin): "power lost" now, "power restored" after `restoreAfter` seconds.
export const startDrill = (upsId: number, restoreAfter: number) =>
  request<DrillReport>(`/api/ups-systems/${upsId}/drill`, { method: 'POST', body: { restore_after: restoreAfter } });
export const getDrill = (id: number) => request<DrillReport>(`/api/drills/${id}`);

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

// Shutdown plans (admin), their runs, and a UPS's protection (any user reads)
export const listShutdownPlans = () => request<ShutdownPlan[]>('/api/shutdown-plans');
export const getShutdownPlan = (id: number) => request<ShutdownPlan>(`/api/shutdown-plans/${id}`);
export const createShutdownPlan = (body: PlanBody) => request<ShutdownPlan>('/api/shutdown-plans', { method: 'POST', body });
/** A secret sent as `{"set": true}` (or left out) keeps its stored value. */
export const updateShutdownPlan = (id: number, body: PlanBody) => request<ShutdownPlan>(`/api/shutdown-plans/${id}`, { method: 'PUT', body });
export const deleteShutdownPlan = (id: number) => request<MessageResponse>(`/api/shutdown-plans/${id}`, { method: 'DELETE' });
/** What the plan would do: for the current readings, or for the given `state` of its UPS. */
export const dryRunShutdownPlan = (id: number, state?: Record<string, DryRunUpsState>) =>
  request<DryRun>(`/api/shutdown-plans/${id}/dry-run`, { method: 'POST', body: state ? { state } : undefined });
/** 409 `confirmation_required` for a destructive action unless `confirm`. */
export const testShutdownAction = (planId: number, actionId: string, confirm: boolean) =>
  request<ActionTestResult>(`/api/shutdown-plans/${planId}/actions/${enc(actionId)}/test`, { method: 'POST', body: { confirm } });
export const fetchSshHostKey = (host: string, port: number) =>
  request<HostKey>('/api/shutdown-plans/ssh-host-key', { method: 'POST', body: { host, port } });
export const listShutdownRuns = (filter: { plan?: number; state?: string; limit?: number } = {}) => {
  const q = new URLSearchParams();
  if (filter.plan !== undefined) q.set('plan', String(filter.plan));
  if (filter.state) q.set('state', filter.state);
  if (filter.limit !== undefined) q.set('limit', String(filter.limit));
  const qs = q.toString();
  return request<ShutdownRun[]>(`/api/shutdown-runs${qs ? `?${qs}` : ''}`);
};
export const getShutdownRun = (id: number) => request<ShutdownRun>(`/api/shutdown-runs/${id}`);
export const cancelShutdownRun = (id: number) => request<ShutdownRun & MessageResponse>(`/api/shutdown-runs/${id}/cancel`, { method: 'POST' });
export const getUpsProtection = (id: number) => request<Protection>(`/api/ups-systems/${id}/protection`);
export const addProtectedHost = (id: number, host: string, label: string) =>
  request<ProtectedHost>(`/api/ups-systems/${id}/protected-hosts`, { method: 'POST', body: { host, label } });
export const removeProtectedHost = (id: number, hostId: number) =>
  request<MessageResponse>(`/api/ups-systems/${id}/protected-hosts/${hostId}`, { method: 'DELETE' });

// Battery lifecycle and self-tests (any user reads; admins write)
export const getBatteryLifecycle = (upsId: number) => request<BatteryLifecycle>(`/api/ups-systems/${upsId}/battery/lifecycle`);
export const putBatteryLifecycle = (upsId: number, body: BatteryLifecycleBody) =>
  request<BatteryLifecycle>(`/api/ups-systems/${upsId}/battery/lifecycle`, { method: 'PUT', body });
export const recordBatteryReplacement = (upsId: number, body: BatteryLifecycleBody) =>
  request<BatteryLifecycle>(`/api/ups-systems/${upsId}/battery/replacements`, { method: 'POST', body });
export const runSelfTest = (upsId: number, testType: TestType) =>
  request<SelfTest>(`/api/ups-systems/${upsId}/self-tests`, { method: 'POST', body: { testType } });
export const getFleetBattery = () => request<FleetBattery[]>('/api/battery');
export const listSelfTestSchedules = () => request<SelfTestSchedule[]>('/api/self-test-schedules');
export const createSelfTestSchedule = (body: SelfTestScheduleBody) => request<SelfTestSchedule>('/api/self-test-schedules', { method: 'POST', body });
export const updateSelfTestSchedule = (id: number, body: SelfTestScheduleBody) =>
  request<SelfTestSchedule>(`/api/self-test-schedules/${id}`, { method: 'PUT', body });
export const deleteSelfTestSchedule = (id: number) => request<MessageResponse>(`/api/self-test-schedules/${id}`, { method: 'DELETE' });

// --- API tokens ----------------------------------------------------------------------------
export const getTwoFactor = () => request<TwoFactorState>('/api/auth/totp');
export const enrolTwoFactor = () => request<TwoFactorEnrolment>('/api/auth/totp/enrol', { method: 'POST' });
export const confirmTwoFactor = (code: string) => request<TwoFactorConfirmed>('/api/auth/totp/confirm', { method: 'POST', body: { code } });
export const newRecoveryCodes = (code: string) => request<RecoveryCodes>('/api/auth/totp/recovery-codes', { method: 'POST', body: { code } });
export const turnOffTwoFactor = (password: string) => request<MessageResponse>('/api/auth/totp', { method: 'DELETE', body: { password } });
export const resetTwoFactor = (userId: number) => request<MessageResponse>(`/api/users/${userId}/totp`, { method: 'DELETE' });
export const getSecuritySettings = () => request<SecuritySettings>('/api/system/security');
export const putSecuritySettings = (body: SecuritySettings) => request<SecuritySettings>('/api/system/security', { method: 'PUT', body });
export const getOidcSettings = () => request<OidcSettings>('/api/system/oidc');
export const putOidcSettings = (body: OidcSettingsBody) => request<OidcSettings>('/api/system/oidc', { method: 'PUT', body });
export const listApiTokens = () => request<ApiToken[]>('/api/auth/tokens');
export const createApiToken = (body: ApiTokenBody) => request<ApiTokenCreated>('/api/auth/tokens', { method: 'POST', body });
export const revokeApiToken = (id: number) => request<MessageResponse>(`/api/auth/tokens/${id}`, { method: 'DELETE' });
