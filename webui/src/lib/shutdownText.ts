/** Plans, dry runs and runs in words (the `shutdown` namespace), numbers and durations through lib/format. */
import { i18n } from '../i18n';
import { formatDuration, formatPercent, MISSING } from './format';
import type { DryRunStep, DryRunUps, DryRunUpsState, PlanTriggers, RunState, RunStep, StepState } from './shutdownTypes';
import { ACTIVE_RUN_STATES } from './shutdownTypes';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Each trigger that is set, in words: "on battery for 2 min", "runtime below 5 min", … */
export function triggerPhrases(tr: PlanTriggers): string[] {
  const out: string[] = [];
  if (isNum(tr.on_battery_seconds)) out.push(i18n.t('shutdown:trigger.onBattery', { duration: formatDuration(tr.on_battery_seconds) }));
  if (isNum(tr.runtime_below_minutes)) out.push(i18n.t('shutdown:trigger.runtimeBelow', { duration: formatDuration(tr.runtime_below_minutes * 60) }));
  if (isNum(tr.charge_below_percent)) out.push(i18n.t('shutdown:trigger.chargeBelow', { charge: formatPercent(tr.charge_below_percent) }));
  if (tr.low_battery) out.push(i18n.t('shutdown:trigger.lowBattery'));
  if (tr.fsd) out.push(i18n.t('shutdown:trigger.fsd'));
  if (isNum(tr.comm_lost_on_battery_seconds)) out.push(i18n.t('shutdown:trigger.commLost', { duration: formatDuration(tr.comm_lost_on_battery_seconds) }));
  return out;
}

/** "Triggers when: on battery for 2 min or low battery", or that nothing triggers it. */
export function triggerSummary(tr: PlanTriggers): string {
  const phrases = triggerPhrases(tr);
  return phrases.length ? i18n.t('shutdown:trigger.summary', { list: phrases.join(i18n.t('shutdown:trigger.or')) }) : i18n.t('shutdown:trigger.none');
}

/** "ups1: on battery for 45 s — triggers in 1 min 15 sec" (the reasons are the API's words). */
export function verdictText(u: DryRunUps): string {
  const due = isNum(u.due_in_seconds) && u.due_in_seconds > 0 ? formatDuration(u.due_in_seconds) : null;
  // Not failing yet, but a time-based trigger (on battery for N s) will hold: say when.
  if (!u.reasons.length && due) return i18n.t('shutdown:verdict.due', { name: u.name, due });
  const reasons = u.reasons.length ? u.reasons.join(', ') : i18n.t('shutdown:verdict.healthy');
  if (due) return i18n.t('shutdown:verdict.lineDue', { name: u.name, reasons, due });
  if (!u.failing) return i18n.t('shutdown:verdict.line', { name: u.name, reasons });
  return i18n.t('shutdown:verdict.lineNow', { name: u.name, reasons });
}

/** A start offset on the timeline: "T+0 sec", "T+1 min 30 sec". */
export function offsetText(seconds: number): string {
  return i18n.t('shutdown:timeline.offset', { offset: formatDuration(Math.max(0, seconds)) });
}

export interface TimelineGroup {
  section: string;
  phase: number;
  title: string;
  startsAt: number;
  steps: DryRunStep[];
}

/** The dry run's steps grouped by phase (and the restore sequence after them), in order of start. */
export function timelineGroups(steps: DryRunStep[]): TimelineGroup[] {
  const groups: TimelineGroup[] = [];
  for (const s of steps) {
    let g = groups.find((x) => x.section === s.section && x.phase === s.phase);
    if (!g) {
      const title =
        s.section === 'restore'
          ? i18n.t('shutdown:timeline.restore')
          : s.phase_name
            ? i18n.t('shutdown:timeline.phaseNamed', { n: s.phase + 1, name: s.phase_name })
            : i18n.t('shutdown:timeline.phase', { n: s.phase + 1 });
      g = { section: s.section, phase: s.phase, title, startsAt: s.starts_at_seconds, steps: [] };
      groups.push(g);
    }
    g.startsAt = Math.min(g.startsAt, s.starts_at_seconds);
    g.steps.push(s);
  }
  const rank = (g: TimelineGroup) => (g.section === 'restore' ? 1 : 0);
  groups.sort((a, b) => rank(a) - rank(b) || a.phase - b.phase);
  for (const g of groups) g.steps.sort((a, b) => a.starts_at_seconds - b.starts_at_seconds);
  return groups;
}

export const isActiveRun = (state: RunState) => ACTIVE_RUN_STATES.includes(state);

/** "phase 2 of 3" from the API's 0-based phase index (none yet: "starting"). */
export function phaseProgress(phase: number | null, phases: number): string {
  if (!isNum(phase)) return i18n.t('shutdown:run.starting');
  // The API counts from 0, and says `phases` once every phase ran.
  return i18n.t('shutdown:run.phaseOf', { n: Math.min(phase + 1, phases), total: phases });
}

export const runStateText = (s: RunState | string) => i18n.t(`shutdown:runState.${s}`, { defaultValue: s });
export const stepStateText = (s: StepState | string) => i18n.t(`shutdown:stepState.${s}`, { defaultValue: s });

/** Tone of a run or step state for its badge. */
export function stateTone(s: RunState | StepState | string): 'ok' | 'info' | 'warning' | 'critical' | 'unknown' {
  if (s === 'completed' || s === 'succeeded') return 'ok';
  if (s === 'running' || s === 'restoring' || s === 'waiting_restore') return 'info';
  if (s === 'cancelled' || s === 'skipped') return 'warning';
  if (s === 'failed' || s === 'timed_out') return 'critical';
  return 'unknown';
}

/** How long a step took (still running: until `now`). */
export function stepDuration(step: Pick<RunStep, 'started_at' | 'finished_at'>, now = Date.now()): string {
  if (!step.started_at) return MISSING;
  const start = Date.parse(step.started_at);
  const end = step.finished_at ? Date.parse(step.finished_at) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) return MISSING;
  return formatDuration((end - start) / 1000);
}

export const actionTypeText = (type: string) => i18n.t(`shutdown:actionType.${type}`, { defaultValue: type });

/** The "what if" form as typed. */
export interface WhatIf {
  onBattery: boolean;
  lowBattery: boolean;
  /** Minutes of runtime left ('' = not given). */
  runtime: string;
  charge: string;
  /** Seconds on battery so far. */
  seconds: string;
}

const numOrNull = (s: string) => {
  const n = Number(s.trim().replace(',', '.'));
  return s.trim() && Number.isFinite(n) ? n : null;
};

/** `{key: value}`, or nothing when there is no value (the live reading stays). */
const given = (key: string, value: number | null) => (value === null ? {} : { [key]: value });

/** The same readings for every watched UPS, as the dry run takes them (runtime in seconds, as NUT). */
export function whatIfState(upsIds: number[], w: WhatIf): Record<string, DryRunUpsState> {
  const runtime = numOrNull(w.runtime);
  const status = w.onBattery ? (w.lowBattery ? 'OB LB' : 'OB') : 'OL';
  return Object.fromEntries(
    upsIds.map((id) => [
      String(id),
      {
        status,
        ...given('charge', numOrNull(w.charge)),
        ...given('runtime', runtime === null ? null : Math.round(runtime * 60)),
        ...given('on_battery_seconds', w.onBattery ? (numOrNull(w.seconds) ?? 0) : null),
      },
    ]),
  );
}
