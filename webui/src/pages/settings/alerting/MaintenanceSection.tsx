import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createMaintenanceWindow, listMaintenanceWindows } from '../../../api/endpoints';
import { keys } from '../../../api/keys';
import { useUpsChoices } from '../../../hooks/useUpsChoices';
import type { MaintenanceWindowBody } from '../../../types';
import { MaintenanceWindowForm } from '../../../components/alerting/MaintenanceWindowForm';
import { MaintenanceWindowRow } from '../../../components/alerting/MaintenanceWindowRow';
import { MuteAllControl } from '../../../components/alerting/MuteAllControl';
import { Loading } from '../../../components/Loading';
import { Notice } from '../../../components/Notice';

/** Admin: weekly maintenance windows, and muting every UPS now. */
export default function MaintenanceSection() {
  const client = useQueryClient();
  const windows = useQuery({ queryKey: keys.maintenanceWindows, queryFn: listMaintenanceWindows, refetchInterval: 60_000 });
  const ups = useUpsChoices();
  const [adding, setAdding] = useState(false);
  const create = useMutation({
    mutationFn: (body: MaintenanceWindowBody) => createMaintenanceWindow(body),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.maintenanceWindows });
      setAdding(false);
    },
  });
  const upsList = ups.data ?? [];
  return (
    <>
      <section className="panel wide-panel" aria-labelledby="windows-title">
        <div className="page-head">
          <h2 id="windows-title">Maintenance windows</h2>
          {!adding && (
            <button type="button" onClick={() => setAdding(true)}>
              Add window
            </button>
          )}
        </div>
        <p className="muted small">During a window, notifications of its UPS are recorded (marked “muted”) but not sent; low battery and forced shutdown still go out.</p>
        {adding && (
          <div className="panel">
            <MaintenanceWindowForm
              upsList={upsList}
              pending={create.isPending}
              error={create.error}
              onSubmit={(body) => create.mutate(body)}
              onCancel={() => {
                setAdding(false);
                create.reset();
              }}
            />
          </div>
        )}
        {windows.isPending && <Loading label="Loading windows…" />}
        {windows.isError && <Notice kind="error" error={windows.error} />}
        {windows.data && windows.data.length === 0 && <p className="muted">No maintenance windows.</p>}
        {windows.data && windows.data.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">UPS</th>
                  <th scope="col">When</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {windows.data.map((w) => (
                  <MaintenanceWindowRow key={w.id} window={w} upsList={upsList} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel wide-panel" aria-labelledby="mute-all-title">
        <h2 id="mute-all-title">Mute every UPS</h2>
        <p className="muted small">For unplanned work on the whole site. Each UPS's own mute is on its page.</p>
        <MuteAllControl />
      </section>
    </>
  );
}
