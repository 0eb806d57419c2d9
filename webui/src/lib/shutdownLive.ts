/** The stream's `shutdown_run` frame into the query cache: the run page, the plans list and the banner. */
import type { QueryClient } from '@tanstack/react-query';
import { keys } from '../api/keys';
import { ACTIVE_RUN_STATES, type ShutdownRun, type ShutdownRunFrame } from './shutdownTypes';

function isFrame(x: unknown): x is ShutdownRunFrame {
  const f = x as ShutdownRunFrame | null;
  return !!f && typeof f === 'object' && typeof f.id === 'number' && typeof f.state === 'string';
}

/** Active runs as the banner lists them: the frame replaces its run; an ended run leaves the list. */
export function mergeActive(list: ShutdownRunFrame[] | undefined, frame: ShutdownRunFrame): ShutdownRunFrame[] {
  const rest = (list ?? []).filter((r) => r.id !== frame.id);
  return ACTIVE_RUN_STATES.includes(frame.state) ? [...rest, frame].sort((a, b) => a.id - b.id) : rest;
}

/** A run's detail with the frame's state, phase and step states (output arrives with the refetch). */
export function patchRun(run: ShutdownRun | undefined, frame: ShutdownRunFrame): ShutdownRun | undefined {
  if (!run || run.id !== frame.id) return run;
  const states = new Map((frame.steps ?? []).map((s) => [s.id, s.state]));
  return {
    ...run,
    state: frame.state,
    phase: frame.phase ?? run.phase,
    phases: frame.phases,
    reason: frame.reason ?? run.reason,
    steps: run.steps?.map((s) => (states.has(s.id) ? { ...s, state: states.get(s.id)! } : s)),
  };
}

export function applyShutdownRunMessage(client: QueryClient, payload: unknown): void {
  if (!isFrame(payload)) return;
  client.setQueryData<ShutdownRunFrame[]>(keys.activeShutdownRuns, (list) => mergeActive(list, payload));
  client.setQueryData<ShutdownRun>(keys.shutdownRun(payload.id), (run) => patchRun(run, payload));
  void client.invalidateQueries({ queryKey: keys.shutdownRunsAll });
  void client.invalidateQueries({ queryKey: keys.shutdownPlans });
}
