/** Shapes of the PowerPulse API (shared/seed/API.md plus the additions our api worker makes). */

export type Role = 'admin' | 'user';

export interface User {
  id: number;
  username: string;
  email?: string | null;
  role: Role;
  created_at?: string;
}

export interface LoginResponse {
  message: string;
  user: User;
  token: string;
}

export interface CheckSetup {
  isFirstTimeSetup: boolean;
}

/** An error as the UPS object reports it: older builds send a string, ours code + message. */
export type UpsError = null | string | { code?: string; message?: string };

export type Details = Record<string, unknown>;

/** Severities in the API's order, least first: unknown < ok < info < warning < critical. */
export type Severity = 'unknown' | 'ok' | 'info' | 'warning' | 'critical';

/** A battery/alarm condition beside the power state (e.g. replace_battery, "Replace Battery"). */
export interface Condition {
  code: string;
  label: string;
  severity: Severity;
}

export type SummaryBucket = 'online' | 'onBattery' | 'alarm' | 'unknown';

/** The last fresh state and readings, sent while the live fields are stale or unreachable. */
export interface LastKnown {
  at: string | null;
  status: string;
  powerState: string;
  severity: Severity;
  conditions: Condition[];
  statusTokens: string[];
  batteryCharge: number | null;
  batteryVoltage: number | null;
  inputVoltage: number | null;
  outputVoltage: number | null;
  /** Minutes. */
  runtimeRemaining: number | null;
  load: number | null;
  temperature: number | null;
}

export interface Ups {
  id: number;
  name: string;
  nickname: string | null;
  displayName: string;
  upsName: string;
  nutServerId?: number;
  model: string | null;
  /** The power state only ("Online", "On Battery", "Self Test", …; "Unknown" while stale). */
  status: string;
  powerState: string;
  severity: Severity;
  conditions: Condition[];
  summaryBucket: SummaryBucket;
  lastKnown: LastKnown | null;
  statusTokens?: string[] | string;
  batteryCharge: number | null;
  batteryVoltage: number | null;
  inputVoltage: number | null;
  outputVoltage: number | null;
  /** Minutes. */
  runtimeRemaining: number | null;
  load: number | null;
  temperature: number | null;
  lastUpdated?: string | null;
  stale?: boolean;
  reachable?: boolean | null;
  error?: UpsError;
  batteryDetails?: Details | null;
  deviceDetails?: Details | null;
  driverDetails?: Details | null;
  inputDetails?: Details | null;
  outputDetails?: Details | null;
  upsDetails?: Details | null;
}

export interface UpsEvent {
  id: number;
  ups_id?: number;
  upsId?: number;
  kind: string;
  previous_status?: string;
  previousStatus?: string;
  new_status?: string;
  newStatus?: string;
  occurred_at?: string;
  occurredAt?: string;
  details?: Record<string, unknown>;
}

export interface NutServer {
  id: number;
  host: string;
  port: number;
  username: string | null;
  starttls?: boolean;
  updated_at?: string;
  /** Additions of our api worker: reachability as the poller last saw it. */
  hasPassword?: boolean;
  reachable?: boolean | null;
  lastChecked?: string | null;
  error?: { code?: string; message?: string } | null;
}

export interface NutServerInput {
  host: string;
  port: number;
  username?: string | null;
  /** Write-only: empty means "keep the stored password" on edit. */
  password?: string;
}

export interface NutTestResult {
  message: string;
  upsList?: string[];
}

export interface UserSettings {
  inactivity_timeout: number;
  discord_webhook_url: string;
  slack_webhook_url: string;
  notifications_enabled: boolean | number;
  battery_notifications: boolean | number;
  low_battery_notifications: boolean | number;
  email_notifications: boolean | number;
  email_recipients: string;
  poll_interval: number;
  [key: string]: unknown;
}

export interface NotificationDelivery {
  id?: number;
  channel: string;
  state: string;
  attempts?: number;
  lastError?: string | null;
  deliveredAt?: string | null;
}

export interface NotificationHistoryItem {
  id: number;
  user_id?: number;
  ups_id?: number | null;
  ups_name: string;
  status: string;
  previous_status: string;
  kind?: string;
  created_at: string;
  deliveries?: NotificationDelivery[];
}

export interface VersionInfo {
  version: string;
  imageRef?: string | null;
  imageDigest?: string | null;
  selfUpdate?: { possible: boolean; reason?: string | null };
}

export interface UpdateCheck {
  updateAvailable: boolean;
  currentDigest?: string | null;
  latestDigest?: string | null;
  imageRef?: string | null;
  reason?: string;
}

export interface UpdateStatus {
  state: string;
  inProgress: boolean;
  message: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  steps: { at: string; state: string; message: string }[];
}

export interface MessageResponse {
  message: string;
  [key: string]: unknown;
}

/** An instant command the UPS lists (`GET /api/ups-systems/:id/commands`). */
export interface UpsCommand {
  name: string;
  description: string;
  /** What the command would do to the load, when it needs a confirmation. */
  warning: string | null;
}

/** A writable NUT variable (`GET /api/ups-systems/:id/variables`). */
export interface WritableVariable {
  name: string;
  value: string;
  description: string;
  type: 'string' | 'number' | 'enum' | 'range';
  maxLength: number | null;
  options: string[];
  ranges: [number, number][];
}
