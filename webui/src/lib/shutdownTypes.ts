import type { components } from '../api/schema';

/**
 * The shutdown-plan API's shapes (issue 12). Plans and actions are typed here, field by field, because the
 * generated schema leaves an action's fields open (`[key: string]: unknown`) and the editor needs them;
 * everything else is the generated schema's (api/schema.d.ts), so a change of the API shows in tsc.
 */

/** A write-only value as the API returns it: stored, never sent back. */
export interface SecretSet {
  set: true;
}
export type Secret = string | SecretSet | null | undefined;

export type ActionType = 'ssh' | 'http' | 'nut_fsd' | 'nut_command' | 'wait_down' | 'wol';
export const ACTION_TYPES: ActionType[] = ['ssh', 'http', 'nut_fsd', 'nut_command', 'wait_down', 'wol'];

export interface PlanAction {
  id?: string;
  type: ActionType;
  host?: string;
  port?: number | null;
  username?: string;
  password?: Secret;
  private_key?: Secret;
  command?: string;
  host_key?: string;
  timeout_seconds?: number | null;
  method?: string;
  url?: string;
  headers?: Record<string, string> | SecretSet | null;
  body?: string;
  verify_tls?: boolean;
  ups_id?: number | null;
  param?: string;
  mac?: string;
  address?: string;
}

export interface PlanPhase {
  name: string;
  delay_seconds: number;
  timeout_seconds: number | null;
  actions: PlanAction[];
}

export interface PlanTriggers {
  on_battery_seconds: number | null;
  runtime_below_minutes: number | null;
  charge_below_percent: number | null;
  low_battery: boolean;
  fsd: boolean;
  comm_lost_on_battery_seconds: number | null;
}

export interface PlanRestore {
  after_seconds: number;
  min_charge_percent: number | null;
  actions: PlanAction[];
}

export interface ProtectedHostRef {
  ups_id: number;
  host: string;
}

export type RunState = 'running' | 'waiting_restore' | 'restoring' | 'completed' | 'cancelled' | 'failed';
export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'skipped';
export const ACTIVE_RUN_STATES: RunState[] = ['running', 'waiting_restore', 'restoring'];

export interface PlanBody {
  name: string;
  enabled: boolean;
  ups: number[];
  min_healthy: number | null;
  triggers: PlanTriggers;
  stabilise_seconds: number;
  cancel_on_restore: boolean;
  phases: PlanPhase[];
  restore: PlanRestore | null;
  protected_hosts: ProtectedHostRef[];
}

export interface ShutdownPlan extends PlanBody {
  id: number;
  created_at: string;
  updated_at: string;
  updated_by: string | null;
  active_run: { id: number; state: RunState; phase: number | null } | null;
}

type Schemas = components['schemas'];

export type DryRunUps = Schemas['ShutdownDryRunUps'];
export type DryRunStep = Schemas['ShutdownDryRunStep'];
export type DryRun = Schemas['ShutdownDryRun'];
/** One UPS's readings for a "what if" dry run (runtime in seconds, as NUT). */
export type DryRunUpsState = Schemas['ShutdownUpsState'];
export type ActionTestResult = Schemas['ShutdownActionTest'];
export type HostKey = Schemas['SshHostKey'];
export type RunStep = Schemas['ShutdownRunStep'];
/** A run as listed; `GET /api/shutdown-runs/:id` adds its steps. */
export type ShutdownRun = Schemas['ShutdownRun'] & { steps?: RunStep[] };

/** What the engine recorded as the run's trigger (`reason`, the failing UPS, when). */
export function runTrigger(run: Pick<ShutdownRun, 'trigger'>): { reason: string | null; ups: { id: number; name: string }[] } {
  const raw = (run.trigger ?? {}) as { reason?: unknown; ups?: unknown };
  const ups = Array.isArray(raw.ups)
    ? raw.ups.filter((u): u is { id: number; name: string } => !!u && typeof u === 'object' && typeof (u as { name?: unknown }).name === 'string')
    : [];
  return { reason: typeof raw.reason === 'string' ? raw.reason : null, ups };
}

/** The stream's `shutdown_run` frame. */
export interface ShutdownRunFrame {
  id: number;
  plan_id: number | null;
  plan_name: string;
  state: RunState;
  phase: number | null;
  phases: number;
  reason: string | null;
  steps: Pick<RunStep, 'id' | 'section' | 'phase' | 'position' | 'state'>[];
}

export type ProtectionClient = Schemas['ProtectionClient'];
export type ProtectedHost = Schemas['ProtectedHost'];
export type Protection = Schemas['Protection'];
