/**
 * Shapes of the PowerPulse API, taken from its OpenAPI document: `./api/schema.d.ts` is
 * generated from it (`npm run gen:api`; tests/api/test_openapi_types.py fails when it is out of
 * date), and the shapes themselves are declared once in app/powerpulse/api/schemas.py.
 * Add a field there, not here.
 */
import type { components } from './api/schema';

type Schemas = components['schemas'];

export type Role = Schemas['User']['role'];

/** A user as the API sends it: login, setup and registration answers name these fields;
 * `/api/users` and `/api/auth/me` add `created_at`. */
export type User = Schemas['LoginUser'] & Partial<Pick<Schemas['User'], 'created_at' | 'twoFactor' | 'totpEnrolmentRequired' | 'sso'>>;

export type LoginResponse = Schemas['LoginResponse'];
export type SetupResult = Schemas['SetupResult'];
export type CheckSetup = Schemas['CheckSetup'];

/** What went wrong talking to upsd (a UPS's or a server's `error`). */
export type UpsError = Schemas['ErrorInfo'] | null;
/** Every error answer of the API. */
export type ApiErrorBody = Schemas['ErrorBody'];

export type Details = Record<string, unknown>;

/** Severities in the API's order, least first: unknown < ok < info < warning < critical. */
export type Severity = Schemas['Ups']['severity'];
/** A battery/alarm condition beside the power state (e.g. replace_battery, "Replace Battery"). */
export type Condition = Schemas['Condition'];
export type SummaryBucket = Schemas['Ups']['summaryBucket'];
export type PowerState = Schemas['Ups']['powerState'];
export type PowerStateLabel = Schemas['Ups']['status'];
/** The last fresh state and readings, sent while the live fields are stale or unreachable. */
export type LastKnown = Schemas['LastKnown'];

/** A UPS with its live state (list, detail, the `ups` stream message). */
export type Ups = Schemas['Ups'];
/** A UPS as the public kiosk sends it (no driver details). */
export type KioskUps = Schemas['KioskUps'];
export type UpsConfig = Schemas['UpsConfig'];

/** `GET /api/status-model`: power states, conditions, severities and summary buckets. */
export type StatusModel = Schemas['StatusModel'];

/** A power event (`GET /api/ups-systems/:id/events`). */
export type UpsEvent = Schemas['UpsEvent'];
export type EventsPage = Schemas['EventsPage'];
/** `GET /api/ups-systems/:id/nut-variables`: every NUT variable with its kind, unit and description. */
export type NutVariable = Schemas['NutVariable'];
export type UpsNutVariables = Schemas['UpsNutVariables'];
/** `event: event` on the live stream. */
export type StreamEvent = Schemas['StreamEvent'];
/** `event: removed` on the live stream. */
export type StreamRemoved = Schemas['StreamRemoved'];
/** `GET /api/ups-systems/:id/history`. */
export type UpsHistory = Schemas['HistoryResponse'];
export type HistoryPoint = Schemas['HistoryPoint'];
export type BatterySample = Schemas['BatterySample'];

export type NutServer = Schemas['NutServer'];
export type NutServerCreated = Schemas['NutServerCreated'];

/** What the UI sends to create, update or test a NUT server. */
export interface NutServerInput {
  host: string;
  port: number;
  username?: string | null;
  /** Write-only: empty means "keep the stored password" on edit. */
  password?: string;
  /** Add the UPS rediscovery finds on this server without asking (default on). */
  autoAdd?: boolean;
  /** Upgrade the connection with STARTTLS before logging in (never falls back to plain text). */
  starttls?: boolean;
  /** Pollers started with POLLER_SITES take only their sites' servers; null: no site. */
  site?: string | null;
}

export type NutTestResult = Schemas['NutTestResult'];
/** `POST /api/nut-servers/:id/rescan`: what LIST UPS found, added, left alone and misses. */
export type NutServerRescan = Schemas['NutServerRescan'];

/** `GET /api/user-settings` (flags as 0/1, the seed's shape). */
export type UserSettings = Schemas['UserSettings'];
/** `POST /api/user-settings`: any of the fields, flags as booleans or 0/1. */
export type UserSettingsInput = Schemas['UserSettingsBody'];
export type NotificationSettings = Schemas['NotificationSettings'];

export type NotificationDelivery = Schemas['NotificationDelivery'];
export type NotificationHistoryItem = Schemas['NotificationHistoryItem'];

export type VersionInfo = Schemas['VersionInfo'];
export type UpdateCheck = Schemas['UpdateCheck'];
export type UpdateStatus = Schemas['UpdateStatus'];

export type MessageResponse = Schemas['Message'] & { [key: string]: unknown };

/** An instant command the UPS lists (`GET /api/ups-systems/:id/commands`). */
export type UpsCommand = Schemas['UpsCommand'];
/** A writable NUT variable (`GET /api/ups-systems/:id/variables`). */
export type WritableVariable = Schemas['WritableVariable'];
export type StreamTicket = Schemas['StreamTicket'];

/** Who or what sent a notification: an alert rule (null: the user's personal channels). */
export type RuleRef = Schemas['RuleRef'];

// Notification channels (`/api/notification-channels`): every kind, its fields and their input
// types come from `GET /api/notification-channels/kinds`; the UI knows none of them by name.
/** One config key of a channel kind, as the form draws it. */
export type ChannelField = Schemas['ChannelField'];
export type ChannelFieldType = ChannelField['type'];
/** A channel kind's descriptor: its label, who may create it, its config fields. */
export type ChannelKindInfo = Schemas['ChannelKindInfo'];
/** A saved channel; secret config values come back as `{"set": true}`. */
export type NotificationChannel = Schemas['NotificationChannel'];
export type NotificationChannelBody = Schemas['NotificationChannelBody'];
export type LastDelivery = Schemas['LastDelivery'];
export type ChannelTestResult = Schemas['ChannelTestResult'];
/** The email server (`source`: saved here, or the container's SMTP_* environment). */
export type SmtpSettings = Schemas['SmtpSettings'];
export type SmtpSettingsBody = Schemas['SmtpSettingsBody'];
export type SystemSetting = Schemas['SystemSetting'];
export type SystemSettings = Schemas['SystemSettings'];
export type SystemSettingsBody = Schemas['SystemSettingsBody'];

// Alert rules, templates, thresholds, maintenance windows (admin).
export type EventKindInfo = Schemas['EventKindInfo'];
export type AlertRule = Schemas['AlertRule'];
export type AlertRuleBody = Schemas['AlertRuleBody'];
/** "all", or the ids of the UPS a rule, threshold or window applies to. */
export type UpsScope = AlertRule['ups'];
export type MessageTemplateItem = Schemas['MessageTemplateItem'];
export type MessageTemplateBody = Schemas['MessageTemplateBody'];
export type TemplatePreviewBody = Schemas['TemplatePreviewBody'];
export type TemplatePreview = Schemas['TemplatePreview'];
export type ThresholdMetric = Schemas['ThresholdMetric'];
export type Threshold = Schemas['Threshold'];
export type ThresholdBody = Schemas['ThresholdBody'];
export type MaintenanceWindow = Schemas['MaintenanceWindowItem'];
export type MaintenanceWindowBody = Schemas['MaintenanceWindowBody'];

// Mutes, alerts and their acknowledgement, fire drills.
export type MuteBody = Schemas['MuteBody'];
export type MuteState = Schemas['MuteState'];
export type AlertItem = Schemas['AlertItem'];
export type AckInfo = Schemas['AckInfo'];
export type AckBody = Schemas['AckBody'];
export type AckResult = Schemas['AckResult'];
export type DrillBody = Schemas['DrillBody'];
export type DrillReport = Schemas['DrillReport'];
export type DrillDelivery = Schemas['DrillDelivery'];

export type ApiToken = Schemas['ApiToken'];
export type ApiTokenCreated = Schemas['ApiTokenCreated'];
export type ApiTokenBody = Schemas['ApiTokenBody'];

export type TwoFactorState = Schemas['TwoFactorState'];
export type TwoFactorEnrolment = Schemas['TwoFactorEnrolment'];
export type TwoFactorConfirmed = Schemas['TwoFactorConfirmed'];
export type RecoveryCodes = Schemas['RecoveryCodes'];
export type SecuritySettings = Schemas['SecuritySettings'];
export type OidcPublic = Schemas['OidcPublic'];
export type SsoFailure = Schemas['SsoFailure'];
export type OidcSettings = Schemas['OidcSettings'];
export type OidcSettingsBody = Schemas['OidcSettingsBody'];
