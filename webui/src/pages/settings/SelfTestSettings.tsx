import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import '../../styles/battery.css';
import { scheduleLimitsText, scheduleWhenText, testTypeText } from '../../lib/battery';
import { createSelfTestSchedule, deleteSelfTestSchedule, listSelfTestSchedules, updateSelfTestSchedule } from '../../api/endpoints';
import { keys } from '../../api/keys';
import type { SelfTestSchedule, SelfTestScheduleBody } from '../../lib/batteryTypes';
import { formatDateTime } from '../../lib/format';
import { useSession } from '../../hooks/useSession';
import { useUpsChoices } from '../../hooks/useUpsChoices';
import { upsScopeText } from '../../components/alerting/UpsScopePicker';
import { SelfTestScheduleForm } from '../../components/battery/SelfTestScheduleForm';
import { ConfirmDeleteButton } from '../../components/ConfirmDeleteButton';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';

/** When battery self-tests run by themselves; an admin creates, edits and deletes the schedules. */
export default function SelfTestSettings() {
  const { t } = useTranslation('battery');
  const { isAdmin } = useSession();
  const client = useQueryClient();
  const schedules = useQuery({ queryKey: keys.selfTestSchedules, queryFn: listSelfTestSchedules, refetchInterval: 60_000 });
  const ups = useUpsChoices();
  const upsList = ups.data ?? [];
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const refresh = () => void client.invalidateQueries({ queryKey: keys.selfTestSchedules });
  const save = useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: SelfTestScheduleBody }) => (id === null ? createSelfTestSchedule(body) : updateSelfTestSchedule(id, body)),
    onSuccess: () => {
      refresh();
      setEditing(null);
    },
  });
  const remove = useMutation({ mutationFn: (id: number) => deleteSelfTestSchedule(id), onSuccess: refresh });
  const open = (next: number | 'new' | null) => {
    save.reset();
    setEditing(next);
  };
  const form = (s?: SelfTestSchedule) => (
    <div className="panel">
      <SelfTestScheduleForm
        schedule={s}
        upsList={upsList}
        pending={save.isPending}
        error={save.error}
        onSubmit={(body) => save.mutate({ id: s ? s.id : null, body })}
        onCancel={() => open(null)}
      />
    </div>
  );
  const list = Array.isArray(schedules.data) ? schedules.data : [];
  return (
    <section className="panel wide-panel" aria-labelledby="self-test-schedules-title" data-testid="self-test-schedules">
      <div className="page-head">
        <h2 id="self-test-schedules-title">{t('schedules.title')}</h2>
        {isAdmin && editing === null && (
          <button type="button" onClick={() => open('new')}>
            {t('schedules.add')}
          </button>
        )}
      </div>
      <p className="muted small">{t('schedules.intro')}</p>
      {editing === 'new' && form()}
      {schedules.isPending && <Loading label={t('schedules.loading')} />}
      {schedules.isError && <Notice kind="error" error={schedules.error} />}
      {schedules.data && list.length === 0 && <p className="muted">{t('schedules.none')}</p>}
      {remove.isError && <Notice kind="error" error={remove.error} />}
      {list.length > 0 && (
        <ul className="battery-schedules">
          {list.map((s) =>
            editing === s.id ? (
              <li key={s.id}>{form(s)}</li>
            ) : (
              <li key={s.id} className="battery-schedule" data-testid="self-test-schedule">
                <div className="battery-schedule-main">
                  <strong>{s.name}</strong> <span className="muted small">{s.enabled ? t('common:state.enabled') : t('common:state.disabled')}</span>
                  <div>
                    {testTypeText(s.testType)} · {scheduleWhenText(s)}
                  </div>
                  <div className="muted small">{upsScopeText(Array.isArray(s.ups) ? s.ups : 'all', upsList)}</div>
                  <div className="muted small">{scheduleLimitsText(s)}</div>
                  <div className="small" data-testid="schedule-next-run">
                    {t('schedules.nextRun')} {s.enabled && s.nextRunAt ? formatDateTime(s.nextRunAt) : t('schedules.noNextRun')}
                  </div>
                </div>
                {isAdmin && (
                  <div className="button-row">
                    <button type="button" className="button-secondary" onClick={() => open(s.id)} aria-label={t('schedules.editWhat', { name: s.name })}>
                      {t('common:actions.edit')}
                    </button>
                    <ConfirmDeleteButton what={s.name} onConfirm={() => remove.mutate(s.id)} pending={remove.isPending && remove.variables === s.id} />
                  </div>
                )}
              </li>
            ),
          )}
        </ul>
      )}
    </section>
  );
}
