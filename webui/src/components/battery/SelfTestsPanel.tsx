import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { readingsText, testReasonText, testStateText, testTone, testTypeText } from '../../lib/battery';
import { runSelfTest } from '../../api/endpoints';
import { keys } from '../../api/keys';
import type { SelfTest, TestType } from '../../lib/batteryTypes';
import { formatDateTime, MISSING } from '../../lib/format';
import { Notice } from '../Notice';
import { BatteryBadge } from './BatteryBadge';

interface Props {
  upsId: number;
  tests: readonly SelfTest[];
  canRun: boolean;
}

/** A 409 `self_test_blocked`: the rule's code ('' when the answer named none), else null. */
export function blockedReason(err: unknown): string | null {
  return err instanceof ApiError && err.status === 409 && err.code === 'self_test_blocked' ? (err.reason ?? '') : null;
}

/** The UPS's latest self-tests (newest first) and, for an admin, a test started now. */
export function SelfTestsPanel({ upsId, tests, canRun }: Props) {
  const { t } = useTranslation('battery');
  const client = useQueryClient();
  const [type, setType] = useState<TestType>('quick');
  const run = useMutation({
    mutationFn: () => runSelfTest(upsId, type),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: keys.batteryLifecycle(upsId) });
      void client.invalidateQueries({ queryKey: keys.batteryFleet });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run.mutate();
  };
  const blocked = blockedReason(run.error);
  return (
    <section className="panel battery-tests" aria-labelledby={`self-tests-${upsId}`} data-testid="self-tests">
      <h2 id={`self-tests-${upsId}`}>{t('tests.title')}</h2>
      {canRun && (
        <form className="battery-run" onSubmit={submit} aria-label={t('tests.runTitle')}>
          <div className="field narrow">
            <label htmlFor={`test-type-${upsId}`}>{t('tests.type')}</label>
            <select id={`test-type-${upsId}`} value={type} onChange={(e) => setType(e.target.value === 'deep' ? 'deep' : 'quick')}>
              <option value="quick">{t('testType.quick')}</option>
              <option value="deep">{t('testType.deep')}</option>
            </select>
          </div>
          <button type="submit" disabled={run.isPending}>
            {run.isPending ? t('tests.starting') : t('tests.runNow')}
          </button>
        </form>
      )}
      {canRun && <p className="muted small">{t('tests.safety')}</p>}
      {blocked !== null && (
        <Notice kind="warning">
          <span data-testid="self-test-blocked">{t('tests.blocked', { reason: blocked ? testReasonText(blocked) : t('blockReason.other') })}</span>
        </Notice>
      )}
      {run.isError && blocked === null && <Notice kind="error" error={run.error} />}
      {run.isSuccess &&
        (run.data.state === 'error' ? (
          // 201 with state "error": upsd refused the command; `reason` has its words.
          <Notice kind="error">{t('tests.refused', { reason: run.data.reason || t('blockReason.other') })}</Notice>
        ) : (
          <Notice kind="success">{t('tests.started', { state: testStateText(run.data.state) })}</Notice>
        ))}
      {tests.length === 0 ? (
        <p className="muted">{t('tests.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="battery-test-table">
            <thead>
              <tr>
                <th scope="col">{t('tests.when')}</th>
                <th scope="col">{t('tests.type')}</th>
                <th scope="col">{t('tests.result')}</th>
                <th scope="col">{t('tests.readingsStart')}</th>
                <th scope="col">{t('tests.readingsLowest')}</th>
                <th scope="col">{t('tests.readingsEnd')}</th>
                <th scope="col">{t('tests.startedBy')}</th>
              </tr>
            </thead>
            <tbody>
              {tests.map((x) => (
                <tr key={x.id} data-testid="self-test" data-state={x.state}>
                  <td>{formatDateTime(x.startedAt ?? x.requestedAt)}</td>
                  <td>{testTypeText(x.testType)}</td>
                  <td>
                    <BatteryBadge tone={testTone(x.state)} text={testStateText(x.state)} state={x.state} />
                    {x.reason && (x.state === 'blocked' || x.state === 'error') && <div className="muted small">{testReasonText(x.reason)}</div>}
                    {x.rawResult && x.state !== 'blocked' && (
                      <div className="muted small">
                        <q>{x.rawResult}</q>
                      </div>
                    )}
                  </td>
                  <td>{readingsText(x.readings?.start)}</td>
                  <td>{readingsText(x.readings?.lowest)}</td>
                  <td>{readingsText(x.readings?.end)}</td>
                  <td>{x.startedBy ?? (x.scheduleId !== null ? t('tests.bySchedule') : MISSING)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
