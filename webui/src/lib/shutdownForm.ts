/**
 * The plan editor's draft (strings as typed) to the API body and back. Secrets are write-only: a stored
 * one comes back as `{"set": true}`, shows as "set — leave empty to keep", and is sent as `{"set": true}`
 * (keep) unless something new was typed.
 */
import type { ActionType, PlanAction, PlanBody, ShutdownPlan } from './shutdownTypes';

export type SecretField = 'password' | 'private_key' | 'headers';

/** The inputs each action type has, in form order. */
export const ACTION_FIELDS: Record<ActionType, string[]> = {
  ssh: ['host', 'port', 'username', 'password', 'private_key', 'command', 'host_key', 'timeout_seconds'],
  http: ['method', 'url', 'headers', 'body', 'timeout_seconds'],
  nut_fsd: ['ups_id'],
  nut_command: ['ups_id', 'command', 'param'],
  wait_down: ['host', 'port', 'timeout_seconds'],
  wol: ['mac', 'address', 'port'],
};
export const SECRET_FIELDS: SecretField[] = ['password', 'private_key', 'headers'];
const NUMBER_FIELDS = new Set(['port', 'timeout_seconds', 'ups_id']);

export interface ActionDraft {
  /** React key; stable across reorders. */
  key: string;
  /** The server's id (kept so tests and runs keep pointing at the same action). */
  id?: string;
  type: ActionType;
  values: Record<string, string>;
  verify_tls: boolean;
  /** Secret fields the server holds a value for. */
  saved: SecretField[];
}

export interface PhaseDraft {
  key: string;
  name: string;
  delay: string;
  timeout: string;
  actions: ActionDraft[];
}

export interface PlanDraft {
  name: string;
  enabled: boolean;
  ups: number[];
  minHealthy: string;
  onBattery: string;
  runtimeBelow: string;
  chargeBelow: string;
  lowBattery: boolean;
  fsd: boolean;
  commLost: string;
  stabilise: string;
  cancelOnRestore: boolean;
  phases: PhaseDraft[];
  restoreOn: boolean;
  restoreAfter: string;
  restoreMinCharge: string;
  restoreActions: ActionDraft[];
  protectedHosts: { key: string; ups: string; host: string }[];
}

let seq = 0;
export const newKey = () => `k${++seq}`;

export function newAction(type: ActionType): ActionDraft {
  const values: Record<string, string> = Object.fromEntries(ACTION_FIELDS[type].map((f) => [f, '']));
  if (type === 'ssh') values.port = '22';
  if (type === 'http') values.method = 'POST';
  if (type === 'wol') values.port = '9';
  return { key: newKey(), type, values, verify_tls: true, saved: [] };
}

export function newPhase(name = ''): PhaseDraft {
  return { key: newKey(), name, delay: '0', timeout: '', actions: [] };
}

export function emptyDraft(): PlanDraft {
  return {
    name: '',
    enabled: true,
    ups: [],
    minHealthy: '',
    onBattery: '',
    runtimeBelow: '',
    chargeBelow: '',
    lowBattery: true,
    fsd: true,
    commLost: '',
    stabilise: '10',
    cancelOnRestore: true,
    phases: [newPhase()],
    restoreOn: false,
    restoreAfter: '300',
    restoreMinCharge: '',
    restoreActions: [],
    protectedHosts: [],
  };
}

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
/** '' → null, else the number typed ("1,5" too). */
export function num(s: string): number | null {
  const t = s.trim().replace(',', '.');
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** "Name: value" lines to a header object (lines without a colon are left out). */
export function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

const isSet = (v: unknown) => !!v && typeof v === 'object' && (v as { set?: unknown }).set === true;

export function actionFromApi(a: PlanAction): ActionDraft {
  const draft = newAction(a.type);
  draft.id = a.id;
  draft.verify_tls = a.verify_tls ?? true;
  for (const f of ACTION_FIELDS[a.type]) {
    const v = (a as unknown as Record<string, unknown>)[f];
    if ((SECRET_FIELDS as string[]).includes(f) && isSet(v)) {
      draft.saved.push(f as SecretField);
      draft.values[f] = '';
    } else if (f === 'headers' && v && typeof v === 'object') {
      draft.values[f] = Object.entries(v as Record<string, string>).map(([k, x]) => `${k}: ${x}`).join('\n');
    } else {
      draft.values[f] = str(v);
    }
  }
  return draft;
}

export function actionToBody(d: ActionDraft): PlanAction {
  const out: Record<string, unknown> = { type: d.type };
  if (d.id) out.id = d.id;
  for (const f of ACTION_FIELDS[d.type]) {
    const v = d.values[f] ?? '';
    if ((SECRET_FIELDS as string[]).includes(f)) {
      if (v.trim()) out[f] = f === 'headers' ? parseHeaders(v) : v;
      else if (d.saved.includes(f as SecretField)) out[f] = { set: true };
      continue;
    }
    if (NUMBER_FIELDS.has(f)) out[f] = num(v);
    else out[f] = v.trim();
  }
  if (d.type === 'http') out.verify_tls = d.verify_tls;
  return out as unknown as PlanAction;
}

export function draftFromPlan(p: ShutdownPlan): PlanDraft {
  const tr = p.triggers;
  return {
    name: p.name,
    enabled: p.enabled,
    ups: [...p.ups],
    minHealthy: str(p.min_healthy),
    onBattery: str(tr.on_battery_seconds),
    runtimeBelow: str(tr.runtime_below_minutes),
    chargeBelow: str(tr.charge_below_percent),
    lowBattery: !!tr.low_battery,
    fsd: !!tr.fsd,
    commLost: str(tr.comm_lost_on_battery_seconds),
    stabilise: str(p.stabilise_seconds),
    cancelOnRestore: p.cancel_on_restore,
    phases: p.phases.map((ph) => ({
      key: newKey(),
      name: ph.name,
      delay: str(ph.delay_seconds),
      timeout: str(ph.timeout_seconds),
      actions: ph.actions.map(actionFromApi),
    })),
    restoreOn: !!p.restore,
    restoreAfter: str(p.restore?.after_seconds ?? 300),
    restoreMinCharge: str(p.restore?.min_charge_percent),
    restoreActions: (p.restore?.actions ?? []).map(actionFromApi),
    protectedHosts: p.protected_hosts.map((h) => ({ key: newKey(), ups: String(h.ups_id), host: h.host })),
  };
}

export function draftToBody(d: PlanDraft): PlanBody {
  return {
    name: d.name.trim(),
    enabled: d.enabled,
    ups: d.ups,
    min_healthy: num(d.minHealthy),
    triggers: {
      on_battery_seconds: num(d.onBattery),
      runtime_below_minutes: num(d.runtimeBelow),
      charge_below_percent: num(d.chargeBelow),
      low_battery: d.lowBattery,
      fsd: d.fsd,
      comm_lost_on_battery_seconds: num(d.commLost),
    },
    stabilise_seconds: num(d.stabilise) ?? 0,
    cancel_on_restore: d.cancelOnRestore,
    phases: d.phases.map((ph) => ({
      name: ph.name.trim(),
      delay_seconds: num(ph.delay) ?? 0,
      timeout_seconds: num(ph.timeout),
      actions: ph.actions.map(actionToBody),
    })),
    restore: d.restoreOn
      ? { after_seconds: num(d.restoreAfter) ?? 0, min_charge_percent: num(d.restoreMinCharge), actions: d.restoreActions.map(actionToBody) }
      : null,
    protected_hosts: d.protectedHosts
      .filter((h) => h.host.trim() && num(h.ups) !== null)
      .map((h) => ({ ups_id: num(h.ups)!, host: h.host.trim() })),
  };
}

/** Move item `i` by `by` places (out of range: unchanged). */
export function move<T>(list: T[], i: number, by: number): T[] {
  const j = i + by;
  if (i < 0 || j < 0 || i >= list.length || j >= list.length) return list;
  const next = [...list];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

/** Where an action's inputs sit in the API's error paths: `phases[1].actions[0]` or `restore.actions[0]`. */
export function actionPath(section: 'phases' | 'restore', phase: number, action: number): string {
  return section === 'phases' ? `phases[${phase}].actions[${action}]` : `restore.actions[${action}]`;
}

const ACTION_KEYS = new Set([...Object.values(ACTION_FIELDS).flat()]);
const ACTION_PATH = /^(?:phases\[\d+\]|restore)\.actions(?:\[\d+\](?:\.(\w+))?)?$/;
const PLAN_PATHS = /^(?:name|ups|min_healthy|triggers(?:\.\w+)?|stabilise_seconds|phases|phases\[\d+\](?:\.(?:name|delay_seconds|timeout_seconds))?|restore\.(?:after_seconds|min_charge_percent)|protected_hosts(?:\[\d+\](?:\.(?:host|ups_id))?)?)$/;

/** Whether the editor shows an API error for `field` next to an input (else it goes below the form). */
export function errorShownAtField(field: string | null): boolean {
  if (!field) return false;
  if (PLAN_PATHS.test(field)) return true;
  const m = ACTION_PATH.exec(field);
  return !!m && (!m[1] || ACTION_KEYS.has(m[1]));
}
